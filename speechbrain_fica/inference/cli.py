"""Scores audio files for spoofing into a CSV file (command line).

::

    python -m speechbrain_fica.score audio/ extra.flac --model AASIST \\
        --output scores.csv [--batch_size 8] [--device cpu] \\
        [--extensions flac,wav] [--threshold T] [--resample] [--strict] \\
        [--trust-remote-code]

``--model`` is the name of a bundled model (``AASIST``, ``AASIST-L``) or a
model folder (``hyperparams.yaml`` + ``model.ckpt``, e.g. written by
``python -m speechbrain_fica.inference.export``) given as a path: a bundled
name always means the bundled model (a local folder of that name is
``./AASIST``). A folder whose ``hyperparams.yaml`` names code outside an
allow-list is refused unless ``--trust-remote-code`` is given (see
:mod:`speechbrain_fica.inference.trust`).

Folders are searched recursively for files with the given extensions;
files named on the command line are scored whatever their extension. Only
the scored segment of each file is read. The CSV has the columns
``path,score,decision,note``: ``decision`` is ``bonafide`` or ``spoof``
(see ``SpoofDetector.classify_batch``), ``note`` is empty unless the input
is digitally silent, has less than 0.5 s of signal, or was resampled or
down-mixed (``--resample``; without it files must be mono at the model's
rate). Files that cannot be scored (unreadable, empty, NaN or infinite
samples, not mono or at another rate without ``--resample``, missing) are
reported by name on stderr, skipped and counted in the final summary line.

``--output`` is checked before the model is loaded: a folder, a path under
a file, a folder that cannot be written, or one of the inputs (audio files
or model files) is refused. The CSV is written to a temporary file in the
same folder and renamed when scoring ends, so an interrupted run leaves no
partial CSV, and an existing CSV is kept when nothing could be scored.
Exit status: 0 when at least one file was scored (and, with ``--strict``,
none was skipped), 1 otherwise, 2 for unusable arguments or a model that
cannot be loaded.

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import csv
import logging
import math
import os
import sys
import tempfile

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
from speechbrain_fica.inference.trust import UntrustedCodeError
from speechbrain_fica.utils.checkpoints import CheckpointError
from speechbrain_fica.utils.log_levels import quiet_speechbrain_loggers

PROG = "python -m speechbrain_fica.score"
DEFAULT_EXTENSIONS = ("flac", "wav")
CSV_COLUMNS = ("path", "score", "decision", "note")


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


class UsageError(ValueError):
    """An argument the command line cannot use (exit status 2).

    Example
    -------
    >>> check_output(getfixture("tmpdir").strpath, [])
    Traceback (most recent call last):
    ...
    speechbrain_fica.inference.cli.UsageError: --output ... is a folder; ...
    """


def resolve_model(model):
    """The model folder ``--model`` names, and a warning when ambiguous.

    A bundled model name (``AASIST``, ``AASIST-L``) always means the
    bundled model; a folder is given by a path (anything with a path
    separator, e.g. ``./AASIST``, or an existing folder whose name is not
    a bundled name).

    Arguments
    ---------
    model : str
        The ``--model`` value.

    Returns
    -------
    folder : str
        The model folder.
    warning : str or None
        Set when a local folder has a bundled model's name.

    Raises
    ------
    UsageError
        Neither a bundled name nor a model folder.

    Example
    -------
    >>> folder, warning = resolve_model("AASIST-L")
    >>> folder == pretrained_path("AASIST-L"), warning
    (True, None)
    >>> resolve_model("no/such/folder")
    Traceback (most recent call last):
    ...
    speechbrain_fica.inference.cli.UsageError: --model no/such/folder: ...
    """
    if model in PRETRAINED_MODELS:
        warning = None
        if os.path.isdir(model):
            warning = (
                f"--model {model}: using the bundled model {model}, not the "
                f"local folder {model}{os.sep} (to score with that folder, "
                f"pass --model .{os.sep}{model})"
            )
        return pretrained_path(model), warning
    if not os.path.isdir(model):
        raise UsageError(
            f"--model {model}: no such model folder (bundled models: "
            f"{', '.join(PRETRAINED_MODELS)})"
        )
    if not os.path.isfile(os.path.join(model, "hyperparams.yaml")):
        raise UsageError(
            f"--model {model}: not a model folder (no hyperparams.yaml)"
        )
    return model, None


def load_detector(model, device=None, trust_remote_code=False):
    """A ``SpoofDetector`` from a bundled model name or a folder.

    Arguments
    ---------
    model : str
        ``"AASIST"`` / ``"AASIST-L"`` or a model folder (see
        :func:`resolve_model`).
    device : str, optional
        Torch device (default: CUDA when available, else CPU).
    trust_remote_code : bool
        Load a yaml that names code outside the allow-list.

    Returns
    -------
    SpoofDetector
        The detector.

    Example
    -------
    >>> load_detector("AASIST-L", device="cpu").segment_samples
    64600
    """
    source, _ = resolve_model(model)
    run_opts = {"device": device} if device else None
    return SpoofDetector.from_hparams(
        source=source, run_opts=run_opts, trust_remote_code=trust_remote_code
    )


def _is_one_of(output, inputs):
    """The input ``output`` is (same path after links, or a hard link to
    it), or None."""
    real = os.path.realpath(output)
    try:
        output_stat = os.stat(output)
    except OSError:
        output_stat = None
    for path in inputs:
        if os.path.realpath(path) == real:
            return path
        if output_stat is not None:
            try:
                if os.path.samestat(output_stat, os.stat(path)):
                    return path
            except OSError:
                continue
    return None


def check_output(output, inputs):
    """Refuses an ``--output`` that cannot be written or is an input.

    Arguments
    ---------
    output : str
        The CSV file to write.
    inputs : list of str
        Files the run reads (audio, model files), never to be replaced.

    Raises
    ------
    UsageError
        ``output`` is (or ends like) a folder or is not a regular file,
        lies under a file,
        is in a folder that cannot be written, is read-only, or is one of
        ``inputs``.

    Example
    -------
    >>> tmp = getfixture("tmpdir")
    >>> audio = tmp.join("a.wav")
    >>> _ = audio.write("x")
    >>> check_output(tmp.join("scores.csv").strpath, [audio.strpath])
    >>> check_output(audio.strpath, [audio.strpath])
    Traceback (most recent call last):
    ...
    speechbrain_fica.inference.cli.UsageError: --output .../a.wav is an input ...
    """
    if os.path.isdir(output) or output.endswith(
        tuple(sep for sep in (os.sep, os.altsep) if sep)
    ):
        raise UsageError(
            f"--output {output} is a folder; give the CSV file to write"
        )
    same = _is_one_of(output, inputs)
    if same is not None:
        raise UsageError(
            f"--output {output} is an input ({same}); it would be overwritten"
        )
    if os.path.lexists(output) and not os.path.isfile(output):
        raise UsageError(f"--output {output} exists and is not a file")
    folder = os.path.dirname(os.path.abspath(output))
    while not os.path.exists(folder):
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise UsageError(f"--output {output}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output}: cannot write in {folder}")
    if os.path.exists(output) and not os.access(output, os.W_OK):
        raise UsageError(f"--output {output} is read-only")


def model_files(folder):
    """The files of a model folder (inputs the output must not replace).

    Arguments
    ---------
    folder : str
        The model folder.

    Returns
    -------
    list of str
        Its files.
    """
    return [
        os.path.join(root, name)
        for root, _, names in os.walk(folder)
        for name in names
    ]


def score_files(
    detector,
    files,
    writer,
    batch_size=8,
    threshold=None,
    progress=True,
    resample=False,
):
    """Scores files in batches, writing a CSV row per scored file.

    Arguments
    ---------
    detector : SpoofDetector
        The model.
    files : list of str
        Audio files.
    writer : csv.writer
        Receives ``path, score, decision, note`` rows, in ``files`` order.
    batch_size : int
        Files per forward pass.
    threshold : float, optional
        Replaces the model's decision threshold.
    progress : bool
        Show a progress bar (stderr).
    resample : bool
        Resample and down-mix files that are not mono at the model's rate.

    Returns
    -------
    n_scored : int
        Files scored.
    skipped : list of tuple
        ``(path, reason)`` of the files that could not be scored.
    """
    skipped, n_scored = [], 0
    batch = []  # (path, segment, note)
    bar = tqdm(
        total=len(files), unit="file", disable=not progress, file=sys.stderr
    )

    def skip(path, reason):
        if reason.startswith(f"{path}: "):
            reason = reason[len(path) + 2 :]
        skipped.append((path, reason))
        bar.write(f"skipped {path}: {reason}", file=sys.stderr)

    def flush():
        segments = torch.stack([segment for _, segment, _ in batch])
        scores, is_bonafide = detector.classify_batch(
            segments, threshold=threshold
        )
        n_written = 0
        for (path, _, note), score, bonafide in zip(
            batch, scores.tolist(), is_bonafide.tolist()
        ):
            if not math.isfinite(score):
                skip(path, f"the model gave a non-finite score ({score})")
                continue
            decision = BONAFIDE if bonafide else SPOOF
            writer.writerow([path, repr(score), decision, note])
            n_written += 1
        bar.update(len(batch))
        batch.clear()
        return n_written

    with bar:
        for path in files:
            try:
                segment, note = detector.load_segment(path, resample=resample)
            except (AudioError, ValueError) as error:
                skip(path, str(error))
                bar.update(1)
                continue
            batch.append((path, segment, note))
            if len(batch) == batch_size:
                n_scored += flush()
        if batch:
            n_scored += flush()
    return n_scored, skipped


class _PendingCsv:
    """A CSV written to a temporary file beside ``path``, renamed over it
    by :meth:`commit` (removed, leaving ``path`` as it was, otherwise)."""

    def __init__(self, path):
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        handle, self.temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
        self.file = os.fdopen(handle, "w", newline="", encoding="utf-8")

    def commit(self):
        self.file.close()
        if os.path.exists(self.path):
            mode = os.stat(self.path).st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(self.temporary, mode)
        os.replace(self.temporary, self.path)

    def discard(self):
        self.file.close()
        if os.path.exists(self.temporary):
            os.remove(self.temporary)


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


def build_parser():
    """The command line's argument parser.

    Returns
    -------
    argparse.ArgumentParser
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Score audio files with a spoofing countermeasure into a CSV "
            "(path,score,decision,note; higher score = more bona fide)."
        ),
        epilog=(
            "Security: a model folder's hyperparams.yaml is code (loading "
            "it builds the objects it names and can call any function). "
            "Folders whose yaml names anything outside an allow-list "
            "(speechbrain_fica.inference.trust.ALLOWED_MODULES: the "
            "plugin's and SpeechBrain's network modules, torch.nn) are "
            "refused unless --trust-remote-code is given; "
            "weights are loaded as tensors only. Exit status: 0 when files "
            "were scored, 1 when none was (or, with --strict, when any was "
            "skipped), 2 for unusable arguments or models."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", help="audio files and/or folders to score"
    )
    parser.add_argument(
        "--model",
        required=True,
        help=(
            f"a bundled model ({', '.join(PRETRAINED_MODELS)}; these names "
            "always mean the bundled models) or the path of a model folder "
            "(hyperparams.yaml + model.ckpt), e.g. ./my_model"
        ),
    )
    parser.add_argument(
        "--output",
        required=True,
        help=(
            "CSV file to write (replaced when scoring ends; kept when "
            "nothing was scored; never one of the inputs)"
        ),
    )
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
        "--resample",
        action="store_true",
        help=(
            "resample files at other rates and average the channels of "
            "multi-channel files (stated in the note column); by default "
            "such files are skipped"
        ),
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when any input was skipped",
    )
    parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        help=(
            "load a model folder whose hyperparams.yaml names code outside "
            "the allow-list; it can run anything: only for folders from an "
            "author you trust"
        ),
    )
    parser.add_argument(
        "--noprogressbar", action="store_true", help="no progress bar"
    )
    return parser


def device_problem(device):
    """Why a torch device cannot be used here, or None.

    Arguments
    ---------
    device : str
        E.g. ``"cpu"``, ``"cuda"``, ``"cuda:1"``.

    Returns
    -------
    str or None
        The reason, or None.

    Example
    -------
    >>> print(device_problem("cpu"))
    None
    >>> print(device_problem("gpu"))
    not a torch device (e.g. cpu, cuda, cuda:1): Expected one of ... gpu
    """
    try:
        parsed = torch.device(device)
    except RuntimeError as error:
        return f"not a torch device (e.g. cpu, cuda, cuda:1): {error}"
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            return "CUDA is not available on this machine"
        if (
            parsed.index is not None
            and parsed.index >= torch.cuda.device_count()
        ):
            return (
                f"this machine has {torch.cuda.device_count()} CUDA device(s)"
            )
    return None


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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch_size must be at least 1")
    if args.threshold is not None and not math.isfinite(args.threshold):
        parser.error(
            f"--threshold must be a finite number, not {args.threshold}"
        )
    if args.device is not None:
        problem = device_problem(args.device)
        if problem:
            parser.error(f"--device {args.device}: {problem}")
    return args


def _usage_error(message):
    """Exits with argparse's status and style, on one line."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv=None):
    """Entry point of ``python -m speechbrain_fica.score``.

    Arguments
    ---------
    argv : list of str, optional
        As for :func:`parse_arguments`.

    Returns
    -------
    int
        0 if at least one file was scored (and none was skipped, with
        ``--strict``), 1 otherwise.

    Raises
    ------
    SystemExit
        Status 2 (one line on stderr) for an unusable ``--model`` or
        ``--output``, a refused yaml or checkpoint, before any scoring.
    """
    args = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    quiet_speechbrain_loggers()
    extensions = [e.strip() for e in args.extensions.split(",")]
    files, missing = find_audio_files(args.inputs, extensions)
    try:
        source, warning = resolve_model(args.model)
        inputs = [*files, *model_files(source)]
        check_output(args.output, inputs)
    except UsageError as error:
        _usage_error(str(error))
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    skipped = [(path, "no such file or folder") for path in missing]
    for path, reason in skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    try:
        detector = SpoofDetector.from_hparams(
            source=source,
            run_opts={"device": args.device} if args.device else None,
            trust_remote_code=args.trust_remote_code,
        )
    except (UntrustedCodeError, CheckpointError, FileNotFoundError) as error:
        _usage_error(str(error))
    pending = _PendingCsv(args.output)
    try:
        writer = csv.writer(pending.file)
        writer.writerow(CSV_COLUMNS)
        n_scored, bad = score_files(
            detector,
            files,
            writer,
            batch_size=args.batch_size,
            threshold=args.threshold,
            progress=not args.noprogressbar,
            resample=args.resample,
        )
        if n_scored:
            pending.commit()
    finally:
        pending.discard()
    skipped += bad
    print(summary_line(n_scored, skipped), file=sys.stderr)
    output = os.path.abspath(args.output)
    if n_scored:
        print(f"scores written to {output}", file=sys.stderr)
    elif os.path.exists(output):
        print(f"nothing scored: {output} left as it was", file=sys.stderr)
    else:
        print(f"nothing scored: {output} not written", file=sys.stderr)
    if args.strict and skipped:
        print(
            f"--strict: {len(skipped)} input(s) skipped, exit status 1",
            file=sys.stderr,
        )
        return 1
    return 0 if n_scored else 1


if __name__ == "__main__":
    sys.exit(main())
