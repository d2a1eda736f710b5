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
16 kHz mono file; both checks can be turned into logged, counted skips.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import logging
import os

from speechbrain.dataio.dataio import load_pkl, save_pkl

from speechbrain_fica.dataio.protocols import (
    build_manifest,
    read_protocol_2019,
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
        Required sampling rate of every file.
    min_samples : int
        Fewest samples per file.
    on_missing : str
        ``"error"`` or ``"skip"`` (listed files that do not exist).
    on_bad_audio : str
        ``"error"`` or ``"skip"`` (unreadable, empty, too short, stereo or
        wrong-rate files). Skipped lines are counted in the log and listed
        in ``skipped_<split>.csv``.
    skip_prep : bool
        Do nothing (the manifests exist already).

    Returns
    -------
    dict
        ``{split: csv_path}`` (empty when ``skip_prep``).

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
    options = {
        "data_folder": os.path.abspath(data_folder),
        "protocol_folder": os.path.abspath(protocol_folder),
        "splits": list(splits),
        "sample_rate": sample_rate,
        "min_samples": min_samples,
        "on_missing": on_missing,
        "on_bad_audio": on_bad_audio,
    }
    options_file = os.path.join(save_folder, "prepare_options.pkl")
    if all(map(os.path.isfile, csv_paths.values())) and os.path.isfile(
        options_file
    ):
        if load_pkl(options_file) == options:
            logger.info("ASVspoof 2019 manifests already prepared: skipping")
            return csv_paths

    os.makedirs(save_folder, exist_ok=True)
    summary = {}
    for split in splits:
        audio_dir, protocol_name = SPLITS[split]
        protocol_path = os.path.join(protocol_folder, protocol_name)
        if not os.path.isfile(protocol_path):
            raise FileNotFoundError(f"CM protocol not found: {protocol_path}")
        protocol = read_protocol_2019(protocol_path)
        _check_official_counts(split, protocol, protocol_path)
        manifest, skipped = build_manifest(
            protocol,
            os.path.join(data_folder, audio_dir, "flac"),
            sample_rate=sample_rate,
            min_samples=min_samples,
            on_missing=on_missing,
            on_bad_audio=on_bad_audio,
            desc=f"checking {split} audio",
        )
        if len(manifest) == 0:
            raise ValueError(f"{split}: no usable utterance in {protocol_path}")
        manifest.to_csv(csv_paths[split], index=False)
        skipped_path = os.path.join(save_folder, f"skipped_{split}.csv")
        if len(skipped):
            skipped.to_csv(skipped_path, index=False)
        elif os.path.exists(skipped_path):
            os.remove(skipped_path)
        counts = manifest["label"].value_counts().to_dict()
        summary[split] = {
            "protocol_lines": len(protocol),
            "manifest_rows": len(manifest),
            "skipped": len(skipped),
            "bonafide": int(counts.get("bonafide", 0)),
            "spoof": int(counts.get("spoof", 0)),
            "attacks": sorted(set(manifest["attack"]) - {"-"}),
            "hours": round(float(manifest["duration"].sum()) / 3600, 3),
        }
        logger.info("%s: %s", split, summary[split])
    with open(os.path.join(save_folder, "prepare_summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    save_pkl(options, options_file)
    return csv_paths


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
