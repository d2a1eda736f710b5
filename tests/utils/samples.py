"""Paths and readers of the test samples in ``tests/samples``.

Authors
 * speechbrain-fica contributors 2026
"""

import glob
import json
import os

from speechbrain_fica.dataio.protocols import read_protocol_2019

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(TESTS_DIR)
SAMPLES_DIR = os.path.join(TESTS_DIR, "samples")
PACKAGE_DATA = os.path.join(REPO_ROOT, "speechbrain_fica", "data")

PROTOCOLS_2019 = {
    "train": "ASVspoof2019.LA.cm.train.trn.txt.gz",
    "dev": "ASVspoof2019.LA.cm.dev.trl.txt.gz",
    "eval": "ASVspoof2019.LA.cm.eval.trl.4col_nospeaker.txt.gz",
}
ASV_SCORES_2019 = {
    split: f"ASVspoof2019.LA.asv.{split}.gi.trl.scores.txt.gz"
    for split in ("dev", "eval")
}


def sample_path(*parts):
    """A path under ``tests/samples``."""
    return os.path.join(SAMPLES_DIR, *parts)


def official_weights(name):
    """The official clovaai/aasist checkpoint ``AASIST`` / ``AASIST-L``."""
    return sample_path("reference", f"{name}.pth")


def expected_outputs():
    """``reference/expected_outputs.json`` (official code outputs)."""
    with open(sample_path("reference", "expected_outputs.json")) as stream:
        return json.load(stream)


def synthetic_scores_path():
    """The 20,000 synthetic CM scores (``utt attack key score``, gz)."""
    return sample_path("reference", "synthetic_cm_scores.txt.gz")


def protocol_path(split):
    """The real ASVspoof 2019 LA CM protocol of a split (gz)."""
    return sample_path("asvspoof2019_la", "protocols", PROTOCOLS_2019[split])


def asv_scores_path(split):
    """The real ASVspoof 2019 LA ASV score file (``dev`` / ``eval``, gz,
    the copy shipped as package data)."""
    return os.path.join(
        PACKAGE_DATA, "asvspoof2019_asv", ASV_SCORES_2019[split]
    )


def real_asvspoof_files():
    """The four real ASVspoof 2019 LA files and their protocol keys."""
    files = sorted(glob.glob(sample_path("asvspoof2019_la", "audio", "*.flac")))
    labels = {}
    for split in PROTOCOLS_2019:
        protocol = read_protocol_2019(protocol_path(split))
        labels.update(zip(protocol["utt"], protocol["key"]))
    keys = [labels[os.path.basename(path)[: -len(".flac")]] for path in files]
    return files, keys


def fsdd_clips(method):
    """The 20 FSDD clips (``bonafide``) or their offline spoofs by
    ``method`` (e.g. ``a_world_resynth``), sorted."""
    return sorted(glob.glob(sample_path("fsdd_spoofs", method, "*.flac")))
