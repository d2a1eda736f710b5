"""Recipe tests: every recipe yaml runs end to end on a tiny corpus.

The rows come from ``tests/recipes/<Dataset>.csv`` (SpeechBrain's recipe
test schema). Each row runs ``python <Script_file> <Hparam_file>
<test_debug_flags>`` on a tiny corpus in the official layout and its
outputs are checked.

Authors
 * speechbrain-fica contributors 2026
"""

import csv
import glob
import json
import math
import os
import re
import shlex
import subprocess
import sys

import pytest
import torch
from hyperpyyaml import load_hyperpyyaml

from speechbrain_fica.dataio.protocols import read_protocol_2019

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
CSV_FOLDER = os.path.dirname(os.path.abspath(__file__))


def recipe_rows(dataset):
    """The rows of ``tests/recipes/<dataset>.csv``."""
    with open(os.path.join(CSV_FOLDER, f"{dataset}.csv"), newline="") as f:
        return list(csv.DictReader(f))


def row_id(row):
    return os.path.splitext(os.path.basename(row["Hparam_file"]))[0]


TINY_SSL = "{tiny_ssl}"


def debug_flags(row, request=None):
    """The row's ``test_debug_flags`` as arguments. ``{tiny_ssl}`` stands
    for the folder of a tiny random SSL model (the ``tiny_ssl_source``
    fixture, got from ``request``), so that no SSL model is downloaded."""
    flags = row["test_debug_flags"]
    if TINY_SSL in flags:
        flags = flags.replace(
            TINY_SSL, request.getfixturevalue("tiny_ssl_source")
        )
    return shlex.split(flags)


def yaml_overrides(flags):
    """The ``--ssl_source`` of the flags as yaml overrides (loading an SSL
    recipe yaml builds its model)."""
    prefix = "--ssl_source="
    overrides = {}
    for flag in flags:
        if flag.startswith(prefix):
            overrides["ssl_source"] = flag[len(prefix) :]
    return overrides


def run_recipe(row, args, device="cpu", timeout=900, request=None):
    """Runs a recipe row (plus ``args``) on ``device`` from the repository
    root."""
    script = os.path.join(REPO_ROOT, row["Script_file"])
    command = [
        sys.executable,
        script,
        os.path.join(REPO_ROOT, row["Hparam_file"]),
        f"--device={device}",
        "--noprogressbar",
        *debug_flags(row, request),
        *args,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(script), env.get("PYTHONPATH", "")]
    )
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(command)}\n--- stderr ---\n{result.stderr[-4000:]}"
    )
    return result


def check_files_exist(row, output_folder):
    match = re.search(r"file_exists=\[(.*?)\]", row["test_debug_checks"])
    for name in match.group(1).split(","):
        path = os.path.join(output_folder, name.strip())
        assert os.path.isfile(path), f"missing output {path}"


def is_fica(hparams_file, overrides=None):
    with open(hparams_file) as f:
        hparams = load_hyperpyyaml(
            f, {"data_folder": "unused", **(overrides or {})}
        )
    return hparams.get("lambda_inf", 0) > 0 or hparams.get("lambda_ini", 0) > 0


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


def test_official_aasist_scores_real_asvspoof_files(shared_dir, tmp_path):
    """--test_only with the official checkpoint ranks the 4 real ASVspoof
    2019 LA files as the (4-column) protocols label them."""
    samples = os.path.join(shared_dir, "corpora", "asvspoof2019-la-samples")
    protocols = os.path.join(samples, "ASVspoof2019_LA_cm_protocols_eurecom")
    labels = {}
    for name in os.listdir(protocols):
        table = read_protocol_2019(os.path.join(protocols, name))
        labels.update(
            {u: (a, k) for u, a, k in table[["utt", "attack", "key"]].values}
        )
    la = tmp_path / "LA"
    files = sorted(glob.glob(os.path.join(samples, "*.flac")))
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
    weights = os.path.join(shared_dir, "reference", "weights", "AASIST.pth")
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
