"""Recipe tests: every recipe yaml runs end to end on a tiny corpus.

The rows come from ``tests/recipes/<Dataset>.csv`` (SpeechBrain's recipe
test schema). Each row runs ``python <Script_file> <Hparam_file>
<test_debug_flags>`` on a tiny corpus in the official layout and its
outputs are checked.

Authors
 * speechbrain-fica contributors 2026
"""

import glob
import json
import math
import os

import pytest
import torch
from hyperpyyaml import load_hyperpyyaml

from speechbrain_fica.dataio.protocols import read_protocol_2019
from tests.utils.recipes import (
    REPO_ROOT,
    check_files_exist,
    debug_flags,
    is_fica,
    recipe_rows,
    row_id,
    run_recipe,
    yaml_overrides,
)
from tests.utils.samples import (
    official_weights,
    protocol_path,
    real_asvspoof_files,
)


@pytest.mark.parametrize("row", recipe_rows("ASVspoof2019"), ids=row_id)
def test_asvspoof2019_recipe(row, tiny_la2019, tmp_path, device, request):
    output = str(tmp_path / "out")
    run_recipe(
        row,
        [f"--data_folder={tiny_la2019}", f"--output_folder={output}"],
        device=device,
        request=request,
    )
    check_files_exist(row, output)

    # The score file covers every eval trial, in protocol order, with the
    # protocol's attack and key and a finite score.
    protocol = read_protocol_2019(
        os.path.join(
            tiny_la2019,
            "ASVspoof2019_LA_cm_protocols",
            "ASVspoof2019.LA.cm.eval.trl.txt",
        )
    )
    with open(os.path.join(output, "eval", "scores_eval.txt")) as f:
        lines = [line.split() for line in f]
    assert [fields[:3] for fields in lines] == protocol[
        ["utt", "attack", "key"]
    ].values.tolist()
    assert all(math.isfinite(float(fields[3])) for fields in lines)

    with open(os.path.join(output, "eval", "summary_eval.json")) as f:
        summary = json.load(f)
    assert 0.0 <= summary["EER"] <= 100.0
    assert math.isfinite(summary["min_tDCF"])
    assert {r["attack"] for r in summary["per_attack"]} == {
        "A07",
        "A08",
        "A09",
        "Pooled",
    }

    # FICA is switched on and off by the yaml alone: its loss terms are
    # logged and its state checkpointed exactly when the yaml asks for it.
    with open(os.path.join(output, "train_log.txt")) as f:
        train_log = f.read()
    checkpoints = glob.glob(os.path.join(output, "save", "CKPT+*"))
    assert checkpoints
    saved = set(os.listdir(checkpoints[0]))
    fica = is_fica(
        os.path.join(REPO_ROOT, row["Hparam_file"]),
        yaml_overrides(debug_flags(row, request)),
    )
    assert ("train ini:" in train_log) == fica
    assert ("train inf:" in train_log) == fica
    assert {"momentum_encoder.ckpt", "memory_bank.ckpt"} <= saved or not fica
    assert "model.ckpt" in saved

    # The checkpointed model is the plain backbone.
    with open(os.path.join(output, "hyperparams.yaml")) as f:
        hparams = load_hyperpyyaml(f)
    state = torch.load(
        os.path.join(checkpoints[0], "model.ckpt"), weights_only=True
    )
    assert set(state) == set(hparams["model"].state_dict())


def test_official_aasist_scores_real_asvspoof_files(tmp_path):
    """--test_only with the official checkpoint ranks the 4 real ASVspoof
    2019 LA files as the (4-column) protocols label them."""
    labels = {}
    for split in ("train", "dev", "eval"):
        table = read_protocol_2019(protocol_path(split))
        labels.update(
            {u: (a, k) for u, a, k in table[["utt", "attack", "key"]].values}
        )
    la = tmp_path / "LA"
    files, _ = real_asvspoof_files()
    lines = []
    for path in files:
        utt = os.path.basename(path)[: -len(".flac")]
        attack, key = labels[utt]
        lines.append(f"flac {utt} {attack} {key}")
    (la / "ASVspoof2019_LA_cm_protocols").mkdir(parents=True)
    for split, protocol in (
        ("train", "train.trn"),
        ("dev", "dev.trl"),
        ("eval", "eval.trl"),
    ):
        flac = la / f"ASVspoof2019_LA_{split}" / "flac"
        flac.mkdir(parents=True)
        for path in files:
            os.symlink(path, flac / os.path.basename(path))
        name = f"ASVspoof2019.LA.cm.{protocol}.txt"
        (la / "ASVspoof2019_LA_cm_protocols" / name).write_text(
            "\n".join(lines) + "\n"
        )
    row = {
        "Script_file": "recipes/ASVspoof2019/train.py",
        "Hparam_file": "recipes/ASVspoof2019/hparams/aasist_official.yaml",
        "test_debug_flags": "--num_workers=0 --batch_size=4",
    }
    output = tmp_path / "out"
    weights = official_weights("AASIST")
    run_recipe(
        row,
        [
            f"--data_folder={la}",
            f"--output_folder={output}",
            f"--pretrained_model={weights}",
            "--test_only",
        ],
    )
    with open(output / "eval" / "scores_eval.txt") as f:
        scores = {u: (k, float(s)) for u, _, k, s in map(str.split, f)}
    assert len(scores) == 4
    bonafide = [s for k, s in scores.values() if k == "bonafide"]
    spoof = [s for k, s in scores.values() if k == "spoof"]
    assert len(bonafide) == 1 and len(spoof) == 3
    assert min(bonafide) > max(spoof)
    summary = json.loads((output / "eval" / "summary_eval.json").read_text())
    assert summary["EER"] == 0.0
