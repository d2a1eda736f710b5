"""End to end: ``run_ablation.py`` trains rows x seeds and writes the report.

A tiny MiniSpoof-LA corpus is built in the test; two rows (baseline and
+InF+InI) x two seeds are trained for one epoch each with
``hparams/minispoof_lcnn_fica.yaml``; then a rerun with one more, broken
row checks that finished runs are skipped and that a failed run is
reported with its log and a non-zero exit status.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import speechbrain_fica.minispoof as ms

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019")
SCRIPT = os.path.join(RECIPE, "run_ablation.py")
HPARAMS = os.path.join(RECIPE, "hparams", "minispoof_lcnn_fica.yaml")
TINY_TRAINING = [
    "--number_of_epochs=1",
    "--batch_size=4",
    "--num_workers=0",
    "--segment_samples=8000",
    "--bank_size=32",
    "--noprogressbar",
]


@pytest.fixture(scope="module")
def tiny_minispoof(tmp_path_factory):
    """The LA folder of a tiny MiniSpoof-LA build (about 40 files)."""
    folder = tmp_path_factory.mktemp("tiny_minispoof")
    info = ms.build_minispoof_la(
        str(folder),
        n_bonafide=(4, 4, 6),
        n_spoof_per_attack=(1, 1, 1),
        duration_range=(1.0, 1.5),
        num_workers=0,
        compute_cues=False,
        progress=False,
    )
    return info["la_folder"]


def _run_ablation(arguments):
    return subprocess.run(
        [sys.executable, SCRIPT, HPARAMS, *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_run_ablation_end_to_end(tiny_minispoof, tmp_path, device):
    root = str(tmp_path / "ablation")
    common = [
        "--output_root",
        root,
        "--seeds",
        "1",
        "2",
        "--n_replicates",
        "200",
        f"--data_folder={tiny_minispoof}",
        f"--device={device}",
        *TINY_TRAINING,
    ]
    result = _run_ablation(common + ["--rows", "baseline", "+InF+InI"])
    assert result.returncode == 0, result.stderr[-4000:]
    for row in ("baseline", "+InF+InI"):
        for seed in ("1", "2"):
            folder = os.path.join(root, row, seed)
            assert os.path.isfile(
                os.path.join(folder, "eval", "summary_eval.json")
            )
            # The row's overrides reached train.py: FICA's loss terms are
            # logged only in the FICA row.
            with open(os.path.join(folder, "train_log.txt")) as stream:
                train_log = stream.read()
            fica = row == "+InF+InI"
            assert ("train inf:" in train_log) == fica
            assert ("train ini:" in train_log) == fica

    table = pd.read_csv(os.path.join(root, "ablation.csv"), index_col="row")
    assert table.index.tolist() == ["baseline", "+InF+InI"]
    for column in ("EER_mean", "EER_std", "min_tDCF_mean", "min_tDCF_std"):
        assert table[column].notna().all(), column
    for seed in ("1", "2"):
        with open(
            os.path.join(root, "baseline", seed, "eval", "summary_eval.json")
        ) as stream:
            summary = json.load(stream)
        assert table.loc["baseline", f"EER_seed{seed}"] == pytest.approx(
            summary["EER"]
        )
    fica = table.loc["+InF+InI"]
    assert fica["dEER_low"] <= fica["dEER"] <= fica["dEER_high"]
    assert 0.0 <= fica["P_better_EER"] <= 1.0
    assert fica["dmin_tDCF_low"] <= fica["dmin_tDCF_high"]
    with open(os.path.join(root, "ablation.md")) as stream:
        markdown = stream.read()
    assert "| baseline | 2 |" in markdown and "| +InF+InI | 2 |" in markdown
    assert "95 % CI" in markdown and "P(row better)" in markdown
    with open(os.path.join(root, "ablation.png"), "rb") as stream:
        assert stream.read(8) == b"\x89PNG\r\n\x1a\n"
    assert markdown in result.stdout  # the report is printed

    # Rerun with a broken row: the four finished runs are skipped, the
    # broken runs fail and are reported with their logs, exit status 1.
    sizes = {
        (row, seed): os.path.getsize(os.path.join(root, row, seed, "run.log"))
        for row in ("baseline", "+InF+InI")
        for seed in ("1", "2")
    }
    result = _run_ablation(
        common
        + ["--rows", "baseline", "+InF+InI", "broken"]
        + ["--extra_row", "broken=--no_such_option 1"]
    )
    assert result.returncode == 1
    for (row, seed), size in sizes.items():
        assert f"[done] {row}/{seed}: finished before, skipped" in (
            result.stderr
        )
        log = os.path.join(root, row, seed, "run.log")
        assert os.path.getsize(log) == size
    for seed in ("1", "2"):
        log = os.path.join(root, "broken", seed, "run.log")
        assert f"[FAILED] broken/{seed} (exit status 1); log: {log}" in (
            result.stderr
        )
        with open(log) as stream:
            assert "Override 'no_such_option' not found" in stream.read()
    with open(os.path.join(root, "ablation.md")) as stream:
        markdown = stream.read()
    assert "broken/2 failed (exit status 1)" in markdown
    assert "| +InF+InI | 2 |" in markdown
