"""Scores audio files for spoofing into a CSV file (command line).

::

    python -m speechbrain_fica.score audio/ extra.flac --model AASIST \\
        --output scores.csv [--batch_size 8] [--device cpu] \\
        [--extensions flac,wav] [--threshold T]

``--model`` is a model folder (``hyperparams.yaml`` + ``model.ckpt``, e.g.
written by ``python -m speechbrain_fica.inference.export``) or the name of
a bundled model (``AASIST``, ``AASIST-L``). Folders are searched
recursively for files with the given extensions; files named on the
command line are scored whatever their extension. The CSV has the columns
``path,score,decision`` (``decision`` is ``bonafide`` or ``spoof``, see
``SpoofDetector.classify_batch``). Files that cannot be scored (unreadable,
empty, not mono, at another sampling rate, missing) are reported by name
on stderr, skipped and counted in the final summary line. The exit status
is 0 when at least one file was scored, 1 otherwise.

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import csv
import logging
import os
import sys

import torch
from tqdm import tqdm

from speechbrain_fica.dataio.audio import AudioError
from speechbrain_fica.inference.spoof_detector import (
    BONAFIDE,
    PRETRAINED_MODELS,
    SPOOF,
    SpoofDetector,
    pretrained_path,
)
from speechbrain_fica.utils.log_levels import quiet_speechbrain_loggers

DEFAULT_EXTENSIONS = ("flac", "wav")
CSV_COLUMNS = ("path", "score", "decision")


def find_audio_files(inputs, extensions=DEFAULT_EXTENSIONS):
    """Lists the files to score.

    Arguments
    ---------
    inputs : list of str
        Files (kept whatever their extension) and folders (searched
        recursively, in sorted order, for ``extensions``).
    extensions : sequence of str
        File extensions, without the dot, case-insensitive.

    Returns
    -------
    files : list of str
        The files, without duplicates, in input order.
    missing : list of str
        Inputs that are neither files nor folders.

    Example
    -------
    >>> tmp = getfixture("tmpdir")
    >>> for name in ("b.wav", "a.FLAC", "notes.txt"):
    ...     _ = tmp.join(name).write("x")
    >>> files, missing = find_audio_files([tmp.strpath, "nope.wav"])
    >>> [os.path.basename(f) for f in files], missing
    (['a.FLAC', 'b.wav'], ['nope.wav'])
    """
    suffixes = tuple("." + e.lower().lstrip(".") for e in extensions if e)
    files, missing, seen = [], [], set()

    def add(path):
        if path not in seen:
            seen.add(path)
            files.append(path)

    for item in inputs:
        if os.path.isdir(item):
            for root, dirs, names in os.walk(item):
                dirs.sort()
                for name in sorted(names):
                    if name.lower().endswith(suffixes):
                        add(os.path.join(root, name))
        elif os.path.isfile(item):
            add(item)
        else:
            missing.append(item)
    return files, missing


def load_detector(model, device=None):
    """A ``SpoofDetector`` from a folder or a bundled model name.

    Arguments
    ---------
    model : str
        A model folder, or ``"AASIST"`` / ``"AASIST-L"`` (an existing
        folder of that name takes precedence).
    device : str, optional
        Torch device (default: CUDA when available, else CPU).

    Returns
    -------
    SpoofDetector
        The detector.

    Example
    -------
    >>> load_detector("AASIST-L", device="cpu").segment_samples
    64600
    """
    source = model
    if not os.path.isdir(model) and model in PRETRAINED_MODELS:
        source = pretrained_path(model)
    run_opts = {"device": device} if device else None
    return SpoofDetector.from_hparams(source=source, run_opts=run_opts)


def score_files(
    detector, files, writer, batch_size=8, threshold=None, progress=True
):
    """Scores files in batches, writing a CSV row per scored file.

    Arguments
    ---------
    detector : SpoofDetector
        The model.
    files : list of str
        Audio files.
    writer : csv.writer
        Receives ``path, score, decision`` rows, in ``files`` order.
    batch_size : int
        Files per forward pass.
    threshold : float, optional
        Replaces the model's decision threshold.
    progress : bool
        Show a progress bar (stderr).

    Returns
    -------
    n_scored : int
        Files scored.
    skipped : list of tuple
        ``(path, reason)`` of the files that could not be scored.
    """
    skipped, n_scored = [], 0
    batch_paths, batch_segments = [], []
    bar = tqdm(
        total=len(files), unit="file", disable=not progress, file=sys.stderr
    )

    def flush():
        segments = torch.stack(batch_segments)
        scores, is_bonafide = detector.classify_batch(
            segments, threshold=threshold
        )
        for path, score, bonafide in zip(
            batch_paths, scores.tolist(), is_bonafide.tolist()
        ):
            writer.writerow(
                [path, repr(score), BONAFIDE if bonafide else SPOOF]
            )
        bar.update(len(batch_paths))
        batch_paths.clear()
        batch_segments.clear()
        return len(scores)

    with bar:
        for path in files:
            try:
                segment = detector.prepare(detector.load_audio(path))
            except (AudioError, ValueError) as error:
                reason = str(error)
                if reason.startswith(f"{path}: "):
                    reason = reason[len(path) + 2 :]
                skipped.append((path, reason))
                bar.write(f"skipped {path}: {reason}", file=sys.stderr)
                bar.update(1)
                continue
            batch_paths.append(path)
            batch_segments.append(segment)
            if len(batch_paths) == batch_size:
                n_scored += flush()
        if batch_paths:
            n_scored += flush()
    return n_scored, skipped


def summary_line(n_scored, skipped):
    """The final report: counts and the names of the skipped files.

    Arguments
    ---------
    n_scored : int
        Files scored.
    skipped : list of tuple
        ``(path, reason)`` pairs.

    Returns
    -------
    str
        E.g. ``"scored 3 files, skipped 1: bad.wav"``.

    Example
    -------
    >>> summary_line(3, [("bad.wav", "cannot read audio")])
    'scored 3 files, skipped 1: bad.wav'
    >>> summary_line(1, [])
    'scored 1 file, skipped 0'
    """
    plural = "" if n_scored == 1 else "s"
    line = f"scored {n_scored} file{plural}, skipped {len(skipped)}"
    if skipped:
        line += ": " + ", ".join(path for path, _ in skipped)
    return line


def parse_arguments(argv=None):
    """Parses the command line.

    Arguments
    ---------
    argv : list of str, optional
        The inputs and options (default: ``sys.argv[1:]``).

    Returns
    -------
    argparse.Namespace
        The options; ``--batch_size`` is at least 1.
    """
    parser = argparse.ArgumentParser(
        prog="python -m speechbrain_fica.score",
        description=(
            "Score audio files with a spoofing countermeasure into a CSV "
            "(path,score,decision; higher score = more bona fide)."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", help="audio files and/or folders to score"
    )
    parser.add_argument(
        "--model",
        required=True,
        help=(
            "model folder (hyperparams.yaml + model.ckpt) or a bundled "
            f"model: {', '.join(PRETRAINED_MODELS)}"
        ),
    )
    parser.add_argument("--output", required=True, help="CSV file to write")
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument(
        "--device", default=None, help="e.g. cpu, cuda:0 (default: auto)"
    )
    parser.add_argument(
        "--extensions",
        default=",".join(DEFAULT_EXTENSIONS),
        help="extensions searched in folders (default: flac,wav)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="decision threshold replacing the model's",
    )
    parser.add_argument(
        "--noprogressbar", action="store_true", help="no progress bar"
    )
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch_size must be at least 1")
    return args


def main(argv=None):
    """Entry point of ``python -m speechbrain_fica.score``.

    Arguments
    ---------
    argv : list of str, optional
        As for :func:`parse_arguments`.

    Returns
    -------
    int
        0 if at least one file was scored, 1 otherwise.
    """
    args = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    quiet_speechbrain_loggers()
    extensions = [e.strip() for e in args.extensions.split(",")]
    files, missing = find_audio_files(args.inputs, extensions)
    skipped = [(path, "no such file or folder") for path in missing]
    for path, reason in skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    detector = load_detector(args.model, args.device)
    folder = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(folder, exist_ok=True)
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        n_scored, bad = score_files(
            detector,
            files,
            writer,
            batch_size=args.batch_size,
            threshold=args.threshold,
            progress=not args.noprogressbar,
        )
    skipped += bad
    print(summary_line(n_scored, skipped), file=sys.stderr)
    if n_scored:
        print(f"scores written to {args.output}", file=sys.stderr)
    return 0 if n_scored else 1


if __name__ == "__main__":
    sys.exit(main())
