"""Tests of the score-file readers (``speechbrain_fica.metrics.score_files``):
the real 2019 LA ASV score files (gzipped package data and a plain copy),
CM score files written by ``SpoofMetricStats``, and named errors for
malformed lines.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip
import shutil

import numpy as np
import pytest

from speechbrain_fica.metrics.score_files import (
    read_asv_scores_2019,
    read_cm_scores_2019,
)
from speechbrain_fica.metrics.stats import SpoofMetricStats
from speechbrain_fica.utils.text_files import open_text
from tests.utils.samples import asv_scores_path


def test_read_asv_scores_plain_and_gz(tmp_path, asv_scores):
    source = asv_scores_path("dev")
    with open_text(source) as stream:
        rows = [line.split() for line in stream if line.strip()]
    plain = asv_scores["dev"]
    for key, values in (
        ("target", plain.target),
        ("nontarget", plain.nontarget),
        ("spoof", plain.spoof),
    ):
        expected = [float(row[2]) for row in rows if row[1] == key]
        assert values.dtype == np.float64
        np.testing.assert_array_equal(values, expected)
    attacks = [row[0] for row in rows if row[1] == "spoof"]
    assert plain.spoof_attacks.tolist() == attacks
    assert plain.attacks == sorted(set(attacks))

    # The shipped file is gzipped: a plain copy reads the same.
    plain_path = tmp_path / "asv.txt"
    with gzip.open(source, "rb") as packed, open(plain_path, "wb") as raw:
        shutil.copyfileobj(packed, raw)
    unpacked = read_asv_scores_2019(str(plain_path))
    np.testing.assert_array_equal(unpacked.spoof, plain.spoof)
    np.testing.assert_array_equal(unpacked.target, plain.target)
    assert unpacked.operating_point() == plain.operating_point()


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("bonafide target", "expected 3 columns"),
        ("bonafide friend 1.0", "unknown key"),
        ("A07 spoof high", "not a number"),
    ],
)
def test_read_asv_scores_malformed(tmp_path, bad_line, message):
    path = tmp_path / "asv.txt"
    path.write_text(f"bonafide target 1.0\n{bad_line}\nA07 spoof 0.5\n")
    with pytest.raises(ValueError, match=message) as error:
        read_asv_scores_2019(str(path))
    assert str(path) in str(error.value)
    assert "line 2" in str(error.value)


def test_read_cm_scores_2019_round_trip_and_errors(tmp_path):
    stats = SpoofMetricStats()
    stats.append(
        ["LA_E_2", "LA_E_1", "LA_E_3"],
        [0.1 + 0.2, -1.5, 1e-9],
        [1, 0, 0],
        ["-", "A07", "A19"],
    )
    path = tmp_path / "scores_eval.txt"
    stats.write_scores(str(path), fmt="2019")
    table = read_cm_scores_2019(str(path))
    assert table["trial"].tolist() == ["LA_E_2", "LA_E_1", "LA_E_3"]
    assert table["attack"].tolist() == ["-", "A07", "A19"]
    assert table["key"].tolist() == ["bonafide", "spoof", "spoof"]
    assert table["score"].tolist() == [0.1 + 0.2, -1.5, 1e-9]  # exact
    for text, message in (
        ("u1 - bonafide 1.0\nu2 A07 spoof\n", "line 2: expected 4 columns"),
        ("u1 - bonafide 1.0\nu2 A07 spoof x\n", "line 2: score 'x'"),
        ("u1 - bonafide 1.0\nu2 A07 fake 0.5\n", "unknown key.*'fake'"),
        ("u1 - bonafide 1.0\nu1 A07 spoof 0.5\n", "listed twice: 'u1'"),
    ):
        path.write_text(text)
        with pytest.raises(ValueError, match=message):
            read_cm_scores_2019(str(path))
