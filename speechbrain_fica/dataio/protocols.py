"""ASVspoof 2019 protocol files and countermeasure manifests.

The manifest helpers (:func:`build_manifest`, :func:`manifest_counts`,
:func:`write_skipped_list`, :func:`prepare_once`) serve the data
preparations of every recipe.

The official CM protocols have five space-separated columns
``SPEAKER UTT - ATTACK KEY`` (``ATTACK`` is ``-`` for bona fide, ``KEY`` is
``bonafide`` or ``spoof``). A widely shared four-column variant
``flac UTT ATTACK KEY`` (no speaker) is read as well.

Authors
 * speechbrain-fica contributors 2026
"""

import hashlib
import json
import logging
import os

import numpy as np
import pandas as pd
import soundfile
from tqdm import tqdm

from speechbrain_fica.utils.strict_json import dump_json
from speechbrain_fica.utils.text_files import numbered_fields

logger = logging.getLogger(__name__)

PROTOCOL_COLUMNS = ["speaker", "utt", "attack", "key"]
MANIFEST_COLUMNS = ["ID", "duration", "wav", "label", "attack", "speaker"]


def read_protocol_2019(path):
    """Reads an ASVspoof 2019 CM protocol (5- or 4-column layout).

    Arguments
    ---------
    path : str
        Protocol file.

    Returns
    -------
    pandas.DataFrame
        Columns ``speaker`` (``-`` for the 4-column layout), ``utt``,
        ``attack``, ``key``, in file order.

    Raises
    ------
    ValueError
        A line with another number of columns, an unknown key, or a
        repeated utterance id, named with its line number.

    Example
    -------
    >>> path = getfixture("tmpdir").join("p.txt").strpath
    >>> with open(path, "w") as f:
    ...     _ = f.write(
    ...         "LA_0079 LA_T_1 - - bonafide\\nLA_0079 LA_T_2 - A01 spoof\\n"
    ...     )
    >>> read_protocol_2019(path).values.tolist()
    [['LA_0079', 'LA_T_1', '-', 'bonafide'], ['LA_0079', 'LA_T_2', 'A01', 'spoof']]
    """
    rows, seen = [], {}
    for number, fields, line in numbered_fields(path):
        if len(fields) == 5:
            speaker, utt, _, attack, key = fields
        elif len(fields) == 4:
            _, utt, attack, key = fields
            speaker = "-"
        else:
            raise ValueError(
                f"{path}:{number}: expected 5 columns 'SPEAKER UTT - "
                f"ATTACK KEY' (or 4), got {len(fields)}: {line.strip()!r}"
            )
        if key not in ("bonafide", "spoof"):
            raise ValueError(
                f"{path}:{number}: key {key!r} is neither 'bonafide' "
                "nor 'spoof'"
            )
        if utt in seen:
            raise ValueError(
                f"{path}:{number}: utterance {utt} already listed on "
                f"line {seen[utt]}"
            )
        seen[utt] = number
        rows.append((speaker, utt, attack, key))
    if not rows:
        raise ValueError(f"{path}: the protocol lists no utterance")
    return pd.DataFrame(rows, columns=PROTOCOL_COLUMNS)


def check_audio_file(path, sample_rate=16000, min_samples=1, decode=True):
    """Checks an audio file; returns its duration in seconds.

    The header gives the rate, channels and length; with ``decode`` every
    frame is then decoded (in blocks, so memory does not grow with the
    file): a truncated or corrupt file, whose header is intact, fails to
    decode or yields fewer frames than announced, and a float file may
    hold NaN or infinite samples.

    Arguments
    ---------
    path : str
        Audio file.
    sample_rate : int
        Required sampling rate.
    min_samples : int
        Fewest samples accepted.
    decode : bool
        Decode the whole file (False: header checks only).

    Returns
    -------
    float
        Duration in seconds.

    Raises
    ------
    ValueError
        Unreadable header, wrong rate, not mono, too short, undecodable or
        truncated data, or non-finite samples; the message names the file.

    Example
    -------
    >>> import numpy as np, soundfile
    >>> path = getfixture("tmpdir").join("a.wav").strpath
    >>> samples = np.zeros(1600, dtype="float32")
    >>> soundfile.write(path, samples, 16000, subtype="FLOAT")
    >>> check_audio_file(path)
    0.1
    >>> samples[5] = np.nan
    >>> soundfile.write(path, samples, 16000, subtype="FLOAT")
    >>> check_audio_file(path)
    Traceback (most recent call last):
      ...
    ValueError: .../a.wav: 1 non-finite sample(s) (NaN or inf), the first at sample 5
    """
    try:
        stream = soundfile.SoundFile(path)
    except Exception as error:
        raise ValueError(f"{path}: cannot read audio ({error})") from error
    with stream:
        frames, rate = stream.frames, stream.samplerate
        if rate != sample_rate:
            raise ValueError(
                f"{path}: sample rate {rate} Hz, expected {sample_rate} Hz"
            )
        if stream.channels != 1:
            raise ValueError(
                f"{path}: {stream.channels} channels, expected mono"
            )
        if frames < min_samples:
            raise ValueError(
                f"{path}: {frames} samples, fewer than the {min_samples} "
                "required"
            )
        if decode:
            _decode_completely(stream, path, frames)
    return frames / rate


# Frames decoded at a time by the full-decode check (memory stays small).
_DECODE_BLOCK = 65536


def _decode_completely(stream, path, frames):
    """Decodes every frame of an open file; raises ValueError (naming the
    file) when decoding fails, ends early or meets non-finite samples."""
    decoded, nonfinite, first_nonfinite = 0, 0, None
    try:
        while True:
            block = stream.read(_DECODE_BLOCK, dtype="float32")
            if len(block) == 0:
                break
            bad = ~np.isfinite(block.reshape(len(block), -1)).all(axis=1)
            if bad.any():
                if first_nonfinite is None:
                    first_nonfinite = decoded + int(np.argmax(bad))
                nonfinite += int(bad.sum())
            decoded += len(block)
    except Exception as error:
        raise ValueError(
            f"{path}: decoding failed after {decoded} of the {frames} "
            f"samples of its header, a truncated or corrupt file ({error})"
        ) from error
    if decoded != frames:
        raise ValueError(
            f"{path}: {decoded} samples decoded, its header announces "
            f"{frames}: a truncated or corrupt file"
        )
    if nonfinite:
        raise ValueError(
            f"{path}: {nonfinite} non-finite sample(s) (NaN or inf), the "
            f"first at sample {first_nonfinite}"
        )


def build_manifest(
    protocol,
    audio_folder,
    extension="flac",
    sample_rate=16000,
    min_samples=1,
    on_missing="error",
    on_bad_audio="error",
    desc=None,
    decode=True,
):
    """Joins a protocol with its audio folder into a manifest table.

    Every listed file is checked with :func:`check_audio_file` (all frames
    decoded unless ``decode`` is False). With ``on_bad_audio="error"`` all
    files are checked first and one error lists every bad file with its
    reason.

    Arguments
    ---------
    protocol : pandas.DataFrame
        Output of :func:`read_protocol_2019`.
    audio_folder : str
        Folder holding ``<utt>.<extension>``.
    extension : str
        Audio file extension.
    sample_rate : int
        Required sampling rate.
    min_samples : int
        Fewest samples per file.
    on_missing : str
        ``"error"``: raise, naming the missing files; ``"skip"``: leave them
        out of the manifest, with a logged count.
    on_bad_audio : str
        ``"error"`` or ``"skip"``, for unreadable, undecodable (truncated,
        corrupt), empty, too short, stereo, wrong-rate files and files with
        non-finite samples.
    desc : str, optional
        Label of the progress bar.
    decode : bool
        Decode every file completely (see :func:`check_audio_file`).

    Returns
    -------
    manifest : pandas.DataFrame
        ``MANIFEST_COLUMNS``, in protocol order.
    skipped : pandas.DataFrame
        ``utt``, ``wav`` and ``reason`` of every skipped line.

    Raises
    ------
    FileNotFoundError
        Missing files (``on_missing="error"``), named.
    ValueError
        Bad files (``on_bad_audio="error"``), all named with their reasons.

    Example
    -------
    >>> import numpy as np, soundfile
    >>> folder = getfixture("tmpdir").strpath
    >>> for utt in ("u1", "u2"):
    ...     soundfile.write(f"{folder}/{utt}.flac", np.zeros(800), 16000)
    >>> with open(f"{folder}/u2.flac", "r+b") as f:
    ...     _ = f.truncate(60)
    >>> protocol = pd.DataFrame(
    ...     [("-", "u1", "-", "bonafide"), ("-", "u2", "A01", "spoof")],
    ...     columns=PROTOCOL_COLUMNS,
    ... )
    >>> manifest, skipped = build_manifest(
    ...     protocol, folder, on_bad_audio="skip"
    ... )
    >>> manifest["ID"].tolist(), skipped["utt"].tolist()
    (['u1'], ['u2'])
    """
    for option, value in (
        ("on_missing", on_missing),
        ("on_bad_audio", on_bad_audio),
    ):
        if value not in ("error", "skip"):
            raise ValueError(f"{option} must be 'error' or 'skip': {value!r}")
    paths = [
        os.path.join(audio_folder, f"{utt}.{extension}")
        for utt in protocol["utt"]
    ]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing and on_missing == "error":
        shown = "\n  ".join(missing[:10])
        raise FileNotFoundError(
            f"{len(missing)} of {len(paths)} protocol files are missing "
            f"from {audio_folder}, e.g.:\n  {shown}"
        )
    missing = set(missing)

    rows, skipped, bad = [], [], []
    items = zip(protocol.itertuples(index=False), paths)
    for row, path in tqdm(items, total=len(paths), desc=desc, leave=False):
        if path in missing:
            skipped.append((row.utt, path, "missing file"))
            continue
        try:
            duration = check_audio_file(path, sample_rate, min_samples, decode)
        except ValueError as error:
            bad.append((row.utt, path, str(error)))
            skipped.append(bad[-1])
            continue
        rows.append((row.utt, duration, path, row.key, row.attack, row.speaker))
    if bad and on_bad_audio == "error":
        listed = "\n  ".join(reason for _, _, reason in bad)
        raise ValueError(
            f"{len(bad)} of {len(paths)} audio files in {audio_folder} are "
            f"not usable (use on_bad_audio='skip' to leave them out):"
            f"\n  {listed}"
        )
    if skipped:
        logger.warning(
            "%d of %d protocol lines skipped, e.g. %s (%s)",
            len(skipped),
            len(paths),
            skipped[0][1],
            skipped[0][2],
        )
    manifest = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    return manifest, pd.DataFrame(skipped, columns=["utt", "wav", "reason"])


def manifest_counts(manifest, skipped):
    """The counts of a prepared manifest, for its preparation summary.

    Arguments
    ---------
    manifest : pandas.DataFrame
        The manifest of :func:`build_manifest`.
    skipped : pandas.DataFrame
        Its skipped lines.

    Returns
    -------
    dict
        ``manifest_rows``, ``skipped``, ``bonafide`` and ``spoof``.

    Example
    -------
    >>> manifest = pd.DataFrame({"label": ["bonafide", "spoof", "spoof"]})
    >>> manifest_counts(manifest, manifest.iloc[:0])
    {'manifest_rows': 3, 'skipped': 0, 'bonafide': 1, 'spoof': 2}
    """
    counts = manifest["label"].value_counts()
    return {
        "manifest_rows": len(manifest),
        "skipped": len(skipped),
        "bonafide": int(counts.get("bonafide", 0)),
        "spoof": int(counts.get("spoof", 0)),
    }


def write_skipped_list(skipped, path):
    """Lists the skipped protocol lines of a manifest in a CSV file.

    When nothing was skipped, the list of an earlier preparation (if any)
    is removed, so that the folder never holds a stale list.

    Arguments
    ---------
    skipped : pandas.DataFrame
        The ``skipped`` table of :func:`build_manifest`.
    path : str
        The CSV file, e.g. ``skipped_train.csv``.

    Returns
    -------
    bool
        Whether lines were skipped.

    Example
    -------
    >>> path = getfixture("tmpdir").join("skipped_dev.csv").strpath
    >>> skipped = pd.DataFrame(
    ...     [("LA_D_1", "a.flac", "missing file")],
    ...     columns=["utt", "wav", "reason"],
    ... )
    >>> write_skipped_list(skipped, path), os.path.isfile(path)
    (True, True)
    >>> write_skipped_list(skipped.iloc[:0], path), os.path.isfile(path)
    (False, False)
    """
    if len(skipped):
        skipped.to_csv(path, index=False)
        return True
    if os.path.exists(path):
        os.remove(path)
    return False


# Version of the manifests and their signature: a preparation by an older
# version of this module is done again.
SIGNATURE_FORMAT = 2


def file_stamp(path):
    """Size and modification time of a file, or None when it is missing.

    Arguments
    ---------
    path : str
        The file.

    Returns
    -------
    list or None
        ``[size in bytes, mtime in ns]``.

    Example
    -------
    >>> path = getfixture("tmpdir").join("p.txt")
    >>> _ = path.write("abc")
    >>> file_stamp(path.strpath)[0], file_stamp("/no/such/file")
    (3, None)
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def folder_stamp(folder):
    """A digest of a folder's listing: the name, size and modification
    time of every file in it (not recursive).

    Adding, removing, restoring or rewriting a file changes the digest;
    nothing is read but the directory entries.

    Arguments
    ---------
    folder : str
        The folder.

    Returns
    -------
    dict or None
        ``{"files": count, "sha256": digest}``, None when the folder is
        missing.

    Example
    -------
    >>> folder = getfixture("tmpdir")
    >>> _ = folder.join("a.flac").write("x")
    >>> before = folder_stamp(folder.strpath)
    >>> _ = folder.join("b.flac").write("y")
    >>> after = folder_stamp(folder.strpath)
    >>> before["files"], after["files"], before == after
    (1, 2, False)
    """
    if not os.path.isdir(folder):
        return None
    entries = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if entry.is_file():
                stat = entry.stat()
                entries.append(
                    f"{entry.name}\t{stat.st_size}\t{stat.st_mtime_ns}"
                )
    digest = hashlib.sha256("\n".join(sorted(entries)).encode("utf-8"))
    return {"files": len(entries), "sha256": digest.hexdigest()}


def preparation_signature(options, files=(), folders=()):
    """What a set of manifests is made from, as a JSON document.

    Arguments
    ---------
    options : dict
        The preparation's options (JSON types).
    files : sequence of str
        Input files (protocols, keys): their size and date.
    folders : sequence of str
        Audio folders: a digest of their listing (:func:`folder_stamp`).

    Returns
    -------
    dict
        The signature, exactly as it reads back from JSON.

    Example
    -------
    >>> folder = getfixture("tmpdir").strpath
    >>> signature = preparation_signature({"rate": 16000}, folders=[folder])
    >>> signature["options"], list(signature["folders"].values())[0]["files"]
    ({'rate': 16000}, 0)
    """
    signature = {
        "format": SIGNATURE_FORMAT,
        "options": options,
        "files": {os.path.abspath(p): file_stamp(p) for p in files},
        "folders": {os.path.abspath(p): folder_stamp(p) for p in folders},
    }
    return json.loads(json.dumps(signature, allow_nan=False))


def _signature_changes(old, new):
    """What differs between two signatures, in words."""
    if not isinstance(old, dict) or old.get("format") != new["format"]:
        return ["made by another version"]
    changes = []
    if old.get("options") != new["options"]:
        changes.append("options")
    for kind, what in (("files", "file"), ("folders", "audio folder")):
        before = old.get(kind, {})
        for path, stamp in new[kind].items():
            if before.get(path) != stamp:
                changes.append(f"{what} {path}")
        if set(before) - set(new[kind]):
            changes.append(f"the list of {kind}")
    return changes


def prepare_once(
    name,
    save_folder,
    csv_paths,
    prepare_set,
    inputs,
    checks,
    tag="",
    files=(),
    folders=(),
):
    """Runs a data preparation unless an identical one already ran.

    An earlier preparation is kept when all its manifests exist and its
    signature (:func:`preparation_signature` of the options, ``inputs``,
    ``checks``, the size and date of ``files`` and the listing of
    ``folders``), saved as JSON in
    ``<save_folder>/prepare_signature<tag>.json`` once every manifest was
    written (so an interrupted preparation is redone), is unchanged: a
    shortened protocol, a restored or rewritten audio file or other options
    prepare the manifests again. Otherwise ``prepare_set`` writes each
    manifest and the summaries it returns go to
    ``prepare_summary<tag>.json`` (strict JSON, with the manifests'
    absolute paths). An options pickle of an older version
    (``prepare_options<tag>.pkl``) is never loaded: it is ignored, and
    removed once the manifests are prepared again.

    Arguments
    ---------
    name : str
        The data, for the log (e.g. ``"ASVspoof 2019"``).
    save_folder : str
        Where the manifests, signature and summaries are written.
    csv_paths : dict
        ``{set name: manifest path}``.
    prepare_set : callable
        Called as ``prepare_set(set_name, csv_path, **checks)`` for each
        set: writes the manifest and returns a JSON-ready summary.
    inputs : dict
        What the manifests are made from (folders, sets), JSON types.
    checks : dict
        The audio checks of :func:`build_manifest` (``sample_rate``,
        ``min_samples``, ``on_missing``, ``on_bad_audio``).
    tag : str
        File name tag of the signature and summary files (e.g. ``"_2021"``).
    files : sequence of str
        Protocol and key files, watched by size and date.
    folders : sequence of str
        Audio folders, watched by their listing.

    Returns
    -------
    dict
        ``csv_paths``.

    Example
    -------
    >>> folder = getfixture("tmpdir").strpath
    >>> def prepare_set(set_name, csv_path, sample_rate):
    ...     print("preparing", set_name, "at", sample_rate)
    ...     with open(csv_path, "w") as f:
    ...         _ = f.write("ID,duration,wav,label\\n")
    ...     return {"rows": 0}
    >>> paths = {"dev": os.path.join(folder, "dev.csv")}
    >>> for rate in (16000, 16000, 8000):
    ...     _ = prepare_once(
    ...         "demo", folder, paths, prepare_set, {}, {"sample_rate": rate}
    ...     )
    preparing dev at 16000
    preparing dev at 8000
    """
    signature = preparation_signature(
        {**inputs, **checks}, files=files, folders=folders
    )
    signature_file = os.path.join(save_folder, f"prepare_signature{tag}.json")
    old_pickle = os.path.join(save_folder, f"prepare_options{tag}.pkl")
    if os.path.exists(old_pickle):
        logger.warning(
            "%s: options file of an older version, not loaded (a pickle can "
            "run code); the manifests are prepared again",
            old_pickle,
        )
    elif all(map(os.path.isfile, csv_paths.values())) and os.path.isfile(
        signature_file
    ):
        changes = _signature_changes(_read_json(signature_file), signature)
        if not changes:
            logger.info("%s manifests already prepared: skipping", name)
            return csv_paths
        logger.warning(
            "%s manifests in %s are out of date (changed: %s): preparing "
            "them again",
            name,
            save_folder,
            "; ".join(changes),
        )
    os.makedirs(save_folder, exist_ok=True)
    if os.path.exists(signature_file):
        # A preparation stopped half-way must not look complete.
        os.remove(signature_file)
    summary = {}
    for set_name, csv_path in csv_paths.items():
        summary[set_name] = {
            "manifest": os.path.abspath(csv_path),
            **prepare_set(set_name, csv_path, **checks),
        }
    dump_json(summary, os.path.join(save_folder, f"prepare_summary{tag}.json"))
    dump_json(signature, signature_file)
    if os.path.exists(old_pickle):
        os.remove(old_pickle)
        logger.info("removed %s (replaced by %s)", old_pickle, signature_file)
    return csv_paths


def _read_json(path):
    """A JSON file, or None when it is not valid JSON."""
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None
