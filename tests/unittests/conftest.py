"""Fixtures shared by the unit tests of the metrics.

Reference values come from ``reference/expected_outputs.json`` (outputs of
the official ASVspoof metric code on ``reference/synthetic_cm_scores.txt``
with the real 2019 LA ASV scores).

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pytest

from speechbrain_fica.metrics.score_files import read_asv_scores_2019
from speechbrain_fica.utils.text_files import open_text
from tests.utils.samples import (
    asv_scores_path,
    expected_outputs,
    synthetic_scores_path,
)


@pytest.fixture(scope="session")
def expected():
    """``results.synthetic`` of expected_outputs.json."""
    return expected_outputs()["results"]["synthetic"]


@pytest.fixture(scope="session")
def synthetic():
    """The synthetic CM scores: dict with ids, attacks, labels, scores."""
    with open_text(synthetic_scores_path()) as stream:
        rows = [line.split() for line in stream if line.strip()]
    labels = np.array([int(row[2] == "bonafide") for row in rows])
    scores = np.array([float(row[3]) for row in rows])
    return {
        "ids": [row[0] for row in rows],
        "attacks": [row[1] for row in rows],
        "labels": labels,
        "scores": scores,
        "bonafide": scores[labels == 1],
        "spoof": scores[labels == 0],
    }


@pytest.fixture(scope="session")
def asv_scores():
    """Both 2019 LA ASV score files, read once."""
    return {
        split: read_asv_scores_2019(asv_scores_path(split))
        for split in ("dev", "eval")
    }
