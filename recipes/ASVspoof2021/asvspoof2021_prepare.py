"""Data preparation for the ASVspoof 2021 LA and DF evaluation sets.

Joins each track's trial list with its CM key into a SpeechBrain manifest
``LA2021.csv`` / ``DF2021.csv`` with the columns
``ID, duration, wav, label, attack, speaker`` (as the 2019 manifests;
``attack`` is ``-`` for bona fide) followed by the key's condition columns:

* LA: ``codec, transmission, trim, subset``;
* DF: ``compression, source, vocoder, trim, subset, task, team,
  gender_pair, language``.

Rows follow the trial list. Expected layout (the official archives
extracted side by side; the keys come from ``LA-keys-full.tar.gz`` and
``DF-keys-full.tar.gz``)::

    <data_folder>/ASVspoof2021_LA_eval/ASVspoof2021.LA.cm.eval.trl.txt
    <data_folder>/ASVspoof2021_LA_eval/flac/LA_E_*.flac
    <data_folder>/ASVspoof2021_DF_eval/ASVspoof2021.DF.cm.eval.trl.txt
    <data_folder>/ASVspoof2021_DF_eval/flac/DF_E_*.flac
    <keys_folder>/LA/CM/trial_metadata.txt     (8 columns)
    <keys_folder>/DF/CM/trial_metadata.txt     (13 columns)

``keys_folder`` defaults to ``<data_folder>/keys``. The trial list must
list exactly the trials of the key (the error names the differing ones);
every trial's audio must exist and be a 16 kHz mono file that decodes
completely to finite samples (the error names the files), or, with ``on_missing="skip"`` / ``on_bad_audio="skip"``, the
trial is left out of the manifest, counted in the log and listed in
``skipped_<track>2021.csv``.

Authors
 * speechbrain-fica contributors 2026
"""

import functools
import logging
import os

import pandas as pd

from speechbrain_fica.dataio.protocols import (
    build_manifest,
    manifest_counts,
    prepare_once,
    write_skipped_list,
)
from speechbrain_fica.metrics.asvspoof2021.keys import TRACKS
from speechbrain_fica.metrics.score_files import read_cm_key
from speechbrain_fica.utils.text_files import numbered_fields

logger = logging.getLogger(__name__)

# (manifest column, key column) of the condition columns of each track.
CONDITION_COLUMNS = {
    "LA": [
        ("codec", "codec"),
        ("transmission", "trans"),
        ("trim", "trim"),
        ("subset", "subset"),
    ],
    "DF": [
        ("compression", "compr"),
        ("source", "source"),
        ("vocoder", "vocoder"),
        ("trim", "trim"),
        ("subset", "subset"),
        ("task", "task"),
        ("team", "team"),
        ("gender_pair", "gender-pair"),
        ("language", "language"),
    ],
}
# Trials of the official keys (all subsets).
OFFICIAL_COUNTS = {"LA": 181566, "DF": 611829}
OFFICIAL_PREFIX = {"LA": "LA_E_", "DF": "DF_E_"}
# How many differing trial ids an error message names.
_MAX_NAMED = 10


def eval_folder(data_folder, track):
    """The folder of one track's evaluation data.

    Arguments
    ---------
    data_folder : str
        The folder holding ``ASVspoof2021_{LA,DF}_eval/``.
    track : str
        ``"LA"`` or ``"DF"``.

    Returns
    -------
    str
        ``<data_folder>/ASVspoof2021_<track>_eval``.

    Example
    -------
    >>> eval_folder("/data/ASVspoof2021", "DF")
    '/data/ASVspoof2021/ASVspoof2021_DF_eval'
    """
    return os.path.join(data_folder, f"ASVspoof2021_{track}_eval")


def trial_list_path(data_folder, track):
    """The official trial list of one track.

    Arguments
    ---------
    data_folder : str
        As for :func:`eval_folder`.
    track : str
        The track whose trial list is wanted (``"LA"`` or ``"DF"``).

    Returns
    -------
    str
        ``<data_folder>/ASVspoof2021_<track>_eval/
        ASVspoof2021.<track>.cm.eval.trl.txt``.

    Example
    -------
    >>> os.path.basename(trial_list_path("/data", "LA"))
    'ASVspoof2021.LA.cm.eval.trl.txt'
    """
    return os.path.join(
        eval_folder(data_folder, track),
        f"ASVspoof2021.{track}.cm.eval.trl.txt",
    )


def cm_key_path(keys_folder, track):
    """The CM key (``trial_metadata.txt``) of one track.

    Arguments
    ---------
    keys_folder : str
        The ``keys`` folder of the official key archives.
    track : str
        ``"LA"`` or ``"DF"``.

    Returns
    -------
    str
        ``<keys_folder>/<track>/CM/trial_metadata.txt``.

    Example
    -------
    >>> cm_key_path("keys", "LA")
    'keys/LA/CM/trial_metadata.txt'
    """
    return os.path.join(keys_folder, track, "CM", "trial_metadata.txt")


def read_trial_list(path):
    """Reads a 2021 trial list (one trial id per line).

    Arguments
    ---------
    path : str
        The trial list.

    Returns
    -------
    list of str
        Trial ids in file order.

    Raises
    ------
    ValueError
        A line with more than one field, a repeated trial (naming the
        lines), or an empty list.

    Example
    -------
    >>> path = getfixture("tmpdir").join("trl.txt").strpath
    >>> with open(path, "w") as f:
    ...     _ = f.write("LA_E_1000001\\nLA_E_1000002\\n")
    >>> read_trial_list(path)
    ['LA_E_1000001', 'LA_E_1000002']
    """
    trials, seen = [], {}
    for number, fields, line in numbered_fields(path):
        if len(fields) != 1:
            raise ValueError(
                f"{path}:{number}: expected one trial id per line, got "
                f"{len(fields)} fields: {line.strip()!r}"
            )
        trial = fields[0]
        if trial in seen:
            raise ValueError(
                f"{path}:{number}: trial {trial} already listed on line "
                f"{seen[trial]}"
            )
        seen[trial] = number
        trials.append(trial)
    if not trials:
        raise ValueError(f"{path}: the trial list is empty")
    return trials


def check_trial_list(trials, key, trial_list, key_file):
    """Checks that a trial list names exactly the trials of a CM key.

    Arguments
    ---------
    trials : list of str
        Trial ids of the trial list.
    key : pandas.DataFrame
        The CM key (:func:`~speechbrain_fica.metrics.score_files.read_cm_key`).
    trial_list : str
        Path of the trial list (for the message).
    key_file : str
        Path of the key (for the message).

    Raises
    ------
    ValueError
        Duplicate trials in the key, or trials of one file missing from the
        other; the message gives the counts and names the first ones.

    Example
    -------
    >>> key = pd.DataFrame({"trial": ["LA_E_1", "LA_E_2"]})
    >>> check_trial_list(["LA_E_1", "LA_E_2"], key, "trl.txt", "key.txt")
    >>> check_trial_list(["LA_E_1", "LA_E_3"], key, "trl.txt", "key.txt")
    Traceback (most recent call last):
      ...
    ValueError: trial list trl.txt (2 trials) does not match the key key.txt (2 trials): 1 trial(s) of the key are not in the trial list: LA_E_2; 1 trial(s) of the trial list are not in the key: LA_E_3
    """
    key_trials = key["trial"].tolist()
    problems = []
    duplicated = key["trial"][key["trial"].duplicated()].unique().tolist()
    if duplicated:
        problems.append(
            f"{len(duplicated)} trial(s) repeated in the key: "
            f"{_name_some(duplicated)}"
        )
    listed, in_key = set(trials), set(key_trials)
    not_listed = [t for t in key_trials if t not in listed]
    not_in_key = [t for t in trials if t not in in_key]
    if not_listed:
        problems.append(
            f"{len(not_listed)} trial(s) of the key are not in the trial "
            f"list: {_name_some(not_listed)}"
        )
    if not_in_key:
        problems.append(
            f"{len(not_in_key)} trial(s) of the trial list are not in the "
            f"key: {_name_some(not_in_key)}"
        )
    if problems:
        raise ValueError(
            f"trial list {trial_list} ({len(trials)} trials) does not match "
            f"the key {key_file} ({len(key_trials)} trials): "
            + "; ".join(problems)
        )


def _name_some(values):
    """The first few values, comma separated, for an error message."""
    named = ", ".join(values[:_MAX_NAMED])
    return named + (", ..." if len(values) > _MAX_NAMED else "")


def key_to_protocol(key, track):
    """Turns a 2021 CM key into the protocol table of ``build_manifest``.

    Arguments
    ---------
    key : pandas.DataFrame
        The CM key of ``track``.
    track : str
        ``"LA"`` or ``"DF"``.

    Returns
    -------
    protocol : pandas.DataFrame
        Columns ``speaker, utt, attack, key`` (``attack`` ``-`` for bona
        fide), in key order.
    conditions : pandas.DataFrame
        ``ID`` plus the manifest condition columns of the track.

    Raises
    ------
    ValueError
        A label other than ``bonafide`` or ``spoof``, named with its trial.

    Example
    -------
    >>> key = pd.DataFrame(
    ...     {
    ...         "spk": ["LA_0009"],
    ...         "trial": ["LA_E_9332881"],
    ...         "codec": ["alaw"],
    ...         "trans": ["ita_tx"],
    ...         "attack": ["A07"],
    ...         "label": ["spoof"],
    ...         "trim": ["notrim"],
    ...         "subset": ["eval"],
    ...     }
    ... )
    >>> protocol, conditions = key_to_protocol(key, "LA")
    >>> protocol.values.tolist()
    [['LA_0009', 'LA_E_9332881', 'A07', 'spoof']]
    >>> conditions.values.tolist()
    [['LA_E_9332881', 'alaw', 'ita_tx', 'notrim', 'eval']]
    """
    labels = key["label"]
    bad = ~labels.isin(["bonafide", "spoof"])
    if bad.any():
        first = key[bad].iloc[0]
        raise ValueError(
            f"{int(bad.sum())} {track} key line(s) have a label other than "
            f"'bonafide' or 'spoof', e.g. trial {first['trial']}: "
            f"{first['label']!r}"
        )
    speaker_column = key.columns[0]  # "spk" (LA) or "speaker" (DF)
    protocol = pd.DataFrame(
        {
            "speaker": key[speaker_column].to_numpy(),
            "utt": key["trial"].to_numpy(),
            "attack": key["attack"].where(labels == "spoof", "-").to_numpy(),
            "key": labels.to_numpy(),
        }
    )
    conditions = pd.DataFrame({"ID": key["trial"].to_numpy()})
    for manifest_column, key_column in CONDITION_COLUMNS[track]:
        conditions[manifest_column] = key[key_column].to_numpy()
    return protocol, conditions


def prepare_asvspoof2021(
    data_folder,
    save_folder,
    tracks=TRACKS,
    keys_folder=None,
    sample_rate=16000,
    min_samples=1,
    on_missing="error",
    on_bad_audio="error",
    skip_prep=False,
):
    """Writes ``<track>2021.csv`` manifests for ASVspoof 2021 LA / DF.

    The manifests of an earlier run are kept when its options, trial
    lists, keys and audio folders are the same (sizes and dates of the
    lists and keys, listing of the folders: see
    :func:`speechbrain_fica.dataio.protocols.prepare_once`).

    Arguments
    ---------
    data_folder : str
        The folder holding ``ASVspoof2021_{LA,DF}_eval/`` (see the module
        docstring for the layout).
    save_folder : str
        Where the manifests, ``skipped_<track>2021.csv`` and
        ``prepare_summary_2021.json`` are written.
    tracks : sequence of str
        Any of ``"LA"``, ``"DF"``.
    keys_folder : str, optional
        The ``keys`` folder of the key archives (holding
        ``{LA,DF}/CM/trial_metadata.txt``), by default
        ``<data_folder>/keys``.
    sample_rate : int
        Required sampling rate of every trial's audio.
    min_samples : int
        Fewest samples per trial.
    on_missing : str
        ``"error"`` (the message names the missing files) or ``"skip"``.
    on_bad_audio : str
        ``"error"`` (one error lists every bad file of the track) or
        ``"skip"``, for unreadable, undecodable (truncated, corrupt), empty,
        too short, stereo or wrong-rate files and files with NaN or infinite
        samples. Skipped trials are counted in the log and listed in
        ``skipped_<track>2021.csv`` (``utt, wav, reason``).
    skip_prep : bool
        Do nothing: the manifests of an earlier run are used as they are.

    Returns
    -------
    dict
        ``{track: csv_path}`` (empty when ``skip_prep``).

    Raises
    ------
    FileNotFoundError
        A missing folder, trial list, key or (with ``on_missing="error"``)
        audio file.
    ValueError
        A trial list that does not match its key, a malformed key, or
        (with ``on_bad_audio="error"``) an unusable audio file.

    Example
    -------
    >>> prepare_asvspoof2021("/no/such/folder", "/tmp/out")
    Traceback (most recent call last):
    ...
    FileNotFoundError: ASVspoof 2021 folder not found: /no/such/folder
    """
    if skip_prep:
        return {}
    if not os.path.isdir(data_folder):
        raise FileNotFoundError(
            f"ASVspoof 2021 folder not found: {data_folder}"
        )
    unknown = [track for track in tracks if track not in TRACKS]
    if unknown or not tracks:
        raise ValueError(f"tracks must be among {list(TRACKS)}: {tracks}")
    if keys_folder is None:
        keys_folder = os.path.join(data_folder, "keys")
    checks = {
        "sample_rate": sample_rate,
        "min_samples": min_samples,
        "on_missing": on_missing,
        "on_bad_audio": on_bad_audio,
    }
    sources = {}
    for track in tracks:
        trial_list = trial_list_path(data_folder, track)
        key_file = cm_key_path(keys_folder, track)
        for path, what in ((trial_list, "trial list"), (key_file, "CM key")):
            if not os.path.isfile(path):
                raise FileNotFoundError(f"{track} {what} not found: {path}")
        sources[track] = (trial_list, key_file)

    csv_paths = {t: os.path.join(save_folder, f"{t}2021.csv") for t in tracks}
    inputs = {
        "data_folder": os.path.abspath(data_folder),
        "keys_folder": os.path.abspath(keys_folder),
        "tracks": list(tracks),
    }
    # A changed trial list, key or audio folder (a file added, removed,
    # restored or rewritten) makes the manifests out of date.
    return prepare_once(
        "ASVspoof 2021",
        save_folder,
        csv_paths,
        functools.partial(
            _prepare_track,
            sources=sources,
            data_folder=data_folder,
            save_folder=save_folder,
        ),
        inputs,
        checks,
        tag="_2021",
        files=[path for paths in sources.values() for path in paths],
        folders=[
            os.path.join(eval_folder(data_folder, track), "flac")
            for track in tracks
        ],
    )


def _prepare_track(
    track, csv_path, sources, data_folder, save_folder, **checks
):
    """Checks one track and writes its manifest; returns its summary."""
    trial_list, key_file = sources[track]
    audio_folder = os.path.join(eval_folder(data_folder, track), "flac")
    skipped_path = os.path.join(save_folder, f"skipped_{track}2021.csv")
    trials = read_trial_list(trial_list)
    key = read_cm_key(key_file, track)
    check_trial_list(trials, key, trial_list, key_file)
    _check_official_count(track, key, key_file)
    # Trial-list order (the order of the official distribution).
    key = key.set_index("trial", drop=False).loc[trials].reset_index(drop=True)
    protocol, conditions = key_to_protocol(key, track)
    manifest, skipped = build_manifest(
        protocol,
        audio_folder,
        desc=f"checking {track} 2021 audio",
        **checks,
    )
    if len(manifest) == 0:
        raise ValueError(f"{track}: no usable trial in {trial_list}")
    manifest = manifest.merge(conditions, on="ID", how="left", sort=False)
    manifest.to_csv(csv_path, index=False)
    if write_skipped_list(skipped, skipped_path):
        logger.warning(
            "%s 2021: %d of %d trials skipped (listed in %s); the score "
            "file will not cover the whole key",
            track,
            len(skipped),
            len(trials),
            skipped_path,
        )
    summary = {
        "trials": len(trials),
        **manifest_counts(manifest, skipped),
        "subsets": manifest["subset"].value_counts().sort_index().to_dict(),
        "hours": round(float(manifest["duration"].sum()) / 3600, 3),
    }
    logger.info("%s 2021: %s", track, summary)
    return summary


def _check_official_count(track, key, key_file):
    """Warns when an official-looking key is not the complete key."""
    if not key["trial"].str.startswith(OFFICIAL_PREFIX[track]).all():
        return
    if len(key) != OFFICIAL_COUNTS[track]:
        logger.warning(
            "%s has %d trials; the official %s key has %d (is it a subset?)",
            key_file,
            len(key),
            track,
            OFFICIAL_COUNTS[track],
        )


def read_skipped_trials(save_folder, track):
    """Trials that the preparation left out of a track's manifest.

    Arguments
    ---------
    save_folder : str
        The manifest folder of :func:`prepare_asvspoof2021`.
    track : str
        ``"LA"`` or ``"DF"``.

    Returns
    -------
    list of str
        Trial ids listed in ``skipped_<track>2021.csv`` (empty if none).

    Example
    -------
    >>> read_skipped_trials(getfixture("tmpdir").strpath, "LA")
    []
    """
    path = os.path.join(save_folder, f"skipped_{track}2021.csv")
    if not os.path.isfile(path):
        return []
    return pd.read_csv(path, dtype=str)["utt"].tolist()
