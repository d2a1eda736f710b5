"""Tests of ``speechbrain_fica.utils.hparams.route_overrides`` on the
ASVspoof 2021 recipe yamls, which include an ASVspoof 2019 system under
``system``: overrides of the included keys must reach the system, top-level
keys stay at top level, and an unknown key is named.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import pytest
from hyperpyyaml import load_hyperpyyaml

from speechbrain_fica.utils.hparams import route_overrides
from tests.utils.samples import REPO_ROOT

RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2021")


def test_overrides_reach_the_included_system(tmp_path, monkeypatch):
    hparams_file = os.path.join(RECIPE, "hparams", "aasist_fica.yaml")
    overrides = route_overrides(
        hparams_file,
        "data_folder: /d21\ndata_folder_2019: /d19\nlr: 0.001\n"
        "bank_size: 64\ntracks: [DF]\non_bad_audio: skip",
    )
    assert overrides["system"] == {"lr": 0.001, "bank_size": 64}
    # The include is resolved relative to the yaml file, whatever the cwd.
    monkeypatch.chdir(tmp_path)
    with open(os.path.relpath(hparams_file, tmp_path)) as f:
        hparams = load_hyperpyyaml(f, overrides)
    system = hparams["system"]
    assert hparams["tracks"] == ["DF"]
    assert system["lr"] == 0.001 and system["bank_size"] == 64
    assert system["data_folder"] == "/d19"
    assert system["output_folder"] == hparams["output_folder"]
    assert system["on_bad_audio"] == "skip"
    assert system["score_format"] == "2021"
    assert system["asv_scores_test"] is None
    assert hparams["keys_folder"] == "/d21/keys"
    with pytest.raises(KeyError, match="bank_size"):
        route_overrides(
            os.path.join(RECIPE, "hparams", "lcnn.yaml"), "bank_size: 64"
        )
