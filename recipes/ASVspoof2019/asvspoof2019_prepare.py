"""Data preparation for ASVspoof 2019 LA.

Turns the official CM protocols and flac folders into SpeechBrain manifests
``train.csv``, ``dev.csv`` and ``eval.csv`` with the columns
``ID, duration, wav, label, attack, speaker``, in protocol order.

Expected layout (the ``LA`` folder of the official release)::

    <data_folder>/ASVspoof2019_LA_train/flac/*.flac
    <data_folder>/ASVspoof2019_LA_dev/flac/*.flac
    <data_folder>/ASVspoof2019_LA_eval/flac/*.flac
    <data_folder>/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.train.trn.txt
    <data_folder>/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.dev.trl.txt
    <data_folder>/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.eval.trl.txt

Every listed file must exist (the error names the missing ones) and be a
16 kHz mono file that decodes completely to finite samples (one error
names every bad file of a split with its reason); both checks can be
turned into logged, counted skips. The manifests are kept for the next run
only while the options, the protocols and the audio folders' listings are
unchanged (``prepare_signature.json``).

Authors
 * speechbrain-fica contributors 2026
"""

import functools
import logging
import os

from speechbrain_fica.dataio.protocols import (
    build_manifest,
    manifest_counts,
    prepare_once,
    read_protocol_2019,
    write_skipped_list,
)

logger = logging.getLogger(__name__)

SPLITS = {
    "train": ("ASVspoof2019_LA_train", "ASVspoof2019.LA.cm.train.trn.txt"),
    "dev": ("ASVspoof2019_LA_dev", "ASVspoof2019.LA.cm.dev.trl.txt"),
    "eval": ("ASVspoof2019_LA_eval", "ASVspoof2019.LA.cm.eval.trl.txt"),
}
# (bona fide, spoof) lines of the official protocols.
OFFICIAL_COUNTS = {
    "train": (2580, 22800),
    "dev": (2548, 22296),
    "eval": (7355, 63882),
}
OFFICIAL_PREFIX = {"train": "LA_T_", "dev": "LA_D_", "eval": "LA_E_"}


def prepare_asvspoof2019(
    data_folder,
    save_folder,
    splits=("train", "dev", "eval"),
    protocol_folder=None,
    sample_rate=16000,
    min_samples=1,
    on_missing="error",
    on_bad_audio="error",
    skip_prep=False,
):
    """Writes ``<split>.csv`` manifests for ASVspoof 2019 LA.

    Nothing is rewritten when the manifests in ``save_folder`` were
    prepared with the same options from the same protocols and audio
    folders (sizes and dates of the protocols, listing of the folders: see
    :func:`speechbrain_fica.dataio.protocols.prepare_once`).

    Arguments
    ---------
    data_folder : str
        The ``LA`` folder (see the module docstring for the layout).
    save_folder : str
        Where the manifests (and a ``prepare_summary.json``) are written.
    splits : sequence of str
        Any of ``"train"``, ``"dev"``, ``"eval"``.
    protocol_folder : str, optional
        Folder of the CM protocols, by default
        ``<data_folder>/ASVspoof2019_LA_cm_protocols``.
    sample_rate : int
        The sampling rate that every listed file must have.
    min_samples : int
        The fewest samples a listed file may have.
    on_missing : str
        ``"error"`` or ``"skip"`` (listed files that do not exist).
    on_bad_audio : str
        ``"error"`` (one error lists every bad file of the split) or
        ``"skip"``, for unreadable, undecodable (truncated, corrupt), empty,
        too short, stereo or wrong-rate files and files with NaN or infinite
        samples. Skipped lines are counted in the log and listed in
        ``skipped_<split>.csv``.
    skip_prep : bool
        Do nothing (the manifests exist already).

    Returns
    -------
    dict
        ``{split: csv_path}``; empty with ``skip_prep``.

    Example
    -------
    >>> prepare_asvspoof2019("/no/such/folder", "/tmp/out")
    Traceback (most recent call last):
    ...
    FileNotFoundError: ASVspoof 2019 LA folder not found: /no/such/folder
    """
    if skip_prep:
        return {}
    if not os.path.isdir(data_folder):
        raise FileNotFoundError(
            f"ASVspoof 2019 LA folder not found: {data_folder}"
        )
    if protocol_folder is None:
        protocol_folder = os.path.join(
            data_folder, "ASVspoof2019_LA_cm_protocols"
        )
    unknown = set(splits) - set(SPLITS)
    if unknown:
        raise ValueError(
            f"unknown splits {sorted(unknown)}: use {list(SPLITS)}"
        )

    csv_paths = {s: os.path.join(save_folder, f"{s}.csv") for s in splits}
    inputs = {
        "data_folder": os.path.abspath(data_folder),
        "protocol_folder": os.path.abspath(protocol_folder),
        "splits": list(splits),
    }
    prepare_split = functools.partial(
        _prepare_split,
        data_folder=data_folder,
        protocol_folder=protocol_folder,
        save_folder=save_folder,
    )
    checks = {
        "sample_rate": sample_rate,
        "min_samples": min_samples,
        "on_missing": on_missing,
        "on_bad_audio": on_bad_audio,
    }
    # A changed protocol or audio folder (a file added, removed, restored
    # or rewritten) makes the manifests out of date.
    return prepare_once(
        "ASVspoof 2019",
        save_folder,
        csv_paths,
        prepare_split,
        inputs,
        checks,
        files=[os.path.join(protocol_folder, SPLITS[s][1]) for s in splits],
        folders=[
            os.path.join(data_folder, SPLITS[s][0], "flac") for s in splits
        ],
    )


def _check_official_counts(split, protocol, path):
    """Warns when an official-looking protocol is not the complete split."""
    if not protocol["utt"].str.startswith(OFFICIAL_PREFIX[split]).all():
        return
    counts = protocol["key"].value_counts()
    found = (int(counts.get("bonafide", 0)), int(counts.get("spoof", 0)))
    if found != OFFICIAL_COUNTS[split]:
        logger.warning(
            "%s lists %d bona fide + %d spoof trials; the official %s split "
            "has %d + %d (is it a subset?)",
            path,
            *found,
            split,
            *OFFICIAL_COUNTS[split],
        )


def _prepare_split(
    split, csv_path, data_folder, protocol_folder, save_folder, **checks
):
    """Checks one split and writes its manifest; returns its summary."""
    audio_dir, protocol_name = SPLITS[split]
    protocol_path = os.path.join(protocol_folder, protocol_name)
    if not os.path.isfile(protocol_path):
        raise FileNotFoundError(f"CM protocol not found: {protocol_path}")
    protocol = read_protocol_2019(protocol_path)
    _check_official_counts(split, protocol, protocol_path)
    manifest, skipped = build_manifest(
        protocol,
        os.path.join(data_folder, audio_dir, "flac"),
        desc=f"checking {split} audio",
        **checks,
    )
    if len(manifest) == 0:
        raise ValueError(f"{split}: no usable utterance in {protocol_path}")
    manifest.to_csv(csv_path, index=False)
    write_skipped_list(
        skipped, os.path.join(save_folder, f"skipped_{split}.csv")
    )
    summary = {
        "protocol_lines": len(protocol),
        **manifest_counts(manifest, skipped),
        "attacks": sorted(set(manifest["attack"]) - {"-"}),
        "hours": round(float(manifest["duration"].sum()) / 3600, 3),
    }
    logger.info("%s: %s", split, summary)
    return summary
