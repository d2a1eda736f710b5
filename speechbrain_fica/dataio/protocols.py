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

import json
import logging
import os

import pandas as pd
from speechbrain.dataio import audio_io
from speechbrain.dataio.dataio import load_pkl, save_pkl
from tqdm import tqdm

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


def check_audio_file(path, sample_rate=16000, min_samples=1):
    """Checks an audio file's header; returns its duration in seconds.

    Arguments
    ---------
    path : str
        Audio file.
    sample_rate : int
        Required sampling rate.
    min_samples : int
        Fewest samples accepted.

    Returns
    -------
    float
        Duration in seconds.

    Raises
    ------
    ValueError
        Unreadable header, wrong rate, not mono, or too short; the message
        names the file.
    """
    try:
        info = audio_io.info(path)
    except Exception as error:
        raise ValueError(f"{path}: cannot read audio ({error})") from error
    if info.sample_rate != sample_rate:
        raise ValueError(
            f"{path}: sample rate {info.sample_rate} Hz, expected "
            f"{sample_rate} Hz"
        )
    if info.channels != 1:
        raise ValueError(f"{path}: {info.channels} channels, expected mono")
    if info.frames < min_samples:
        raise ValueError(
            f"{path}: {info.frames} samples, fewer than the {min_samples} "
            "required"
        )
    return info.frames / info.sample_rate


def build_manifest(
    protocol,
    audio_folder,
    extension="flac",
    sample_rate=16000,
    min_samples=1,
    on_missing="error",
    on_bad_audio="error",
    desc=None,
):
    """Joins a protocol with its audio folder into a manifest table.

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
        ``"error"`` or ``"skip"``, for unreadable, empty, too short, stereo
        or wrong-rate files.
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    manifest : pandas.DataFrame
        ``MANIFEST_COLUMNS``, in protocol order.
    skipped : pandas.DataFrame
        ``utt``, ``wav`` and ``reason`` of every skipped line.
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

    rows, skipped = [], []
    items = zip(protocol.itertuples(index=False), paths)
    for row, path in tqdm(items, total=len(paths), desc=desc, leave=False):
        if path in missing:
            skipped.append((row.utt, path, "missing file"))
            continue
        try:
            duration = check_audio_file(path, sample_rate, min_samples)
        except ValueError as error:
            if on_bad_audio == "error":
                raise
            skipped.append((row.utt, path, str(error)))
            continue
        rows.append((row.utt, duration, path, row.key, row.attack, row.speaker))
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


def prepare_once(
    name, save_folder, csv_paths, prepare_set, inputs, checks, tag=""
):
    """Runs a data preparation unless an identical one already ran.

    An earlier preparation is kept when all its manifests exist and its
    options, ``inputs`` and ``checks`` (saved in
    ``<save_folder>/prepare_options<tag>.pkl`` once every manifest was
    written, so an interrupted preparation is redone), are the same.
    Otherwise ``prepare_set`` writes each manifest and the summaries it
    returns go to ``prepare_summary<tag>.json``.

    Arguments
    ---------
    name : str
        The data, for the log (e.g. ``"ASVspoof 2019"``).
    save_folder : str
        Where the manifests, options and summaries are written.
    csv_paths : dict
        ``{set name: manifest path}``.
    prepare_set : callable
        Called as ``prepare_set(set_name, csv_path, **checks)`` for each
        set: writes the manifest and returns a JSON-ready summary.
    inputs : dict
        What the manifests are made from (folders, sets, file stamps),
        comparable with ``==``.
    checks : dict
        The audio checks of :func:`build_manifest` (``sample_rate``,
        ``min_samples``, ``on_missing``, ``on_bad_audio``).
    tag : str
        File name tag of the options and summary files (e.g. ``"_2021"``).

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
    options = {**inputs, **checks}
    options_file = os.path.join(save_folder, f"prepare_options{tag}.pkl")
    if (
        all(map(os.path.isfile, csv_paths.values()))
        and os.path.isfile(options_file)
        and load_pkl(options_file) == options
    ):
        logger.info("%s manifests already prepared: skipping", name)
        return csv_paths
    os.makedirs(save_folder, exist_ok=True)
    summary = {
        set_name: prepare_set(set_name, csv_path, **checks)
        for set_name, csv_path in csv_paths.items()
    }
    summary_file = os.path.join(save_folder, f"prepare_summary{tag}.json")
    with open(summary_file, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    save_pkl(options, options_file)
    return csv_paths
