"""Tests of the ablation report and of the recipe's ``run_ablation.py``.

The report is built from run folders written here (score files of
synthetic systems with known quality, and their summaries computed with
the package's metrics); the orchestration is driven through a stand-in
launcher that writes such outputs instead of training, so that skipping,
resuming and failures are checked in seconds. The end-to-end run with
real training is in ``tests/recipes/test_ablation_recipe.py``.

Authors
 * speechbrain-fica contributors 2026
"""

import importlib.util
import json
import os
import re
import shlex
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from speechbrain_fica.metrics.ablation import (
    ablation_report,
    discover_runs,
    mean_std,
    read_summaries,
    write_ablation_report,
)
from speechbrain_fica.metrics.det import compute_eer
from speechbrain_fica.metrics.score_files import read_asv_scores_2019
from speechbrain_fica.metrics.stats import per_attack_metrics
from speechbrain_fica.metrics.tdcf import min_tdcf_2019

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019")


def _load_recipe_script():
    spec = importlib.util.spec_from_file_location(
        "run_ablation", os.path.join(RECIPE, "run_ablation.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_ablation = _load_recipe_script()

N_BONAFIDE, N_SPOOF = 120, 240
ATTACKS = ("A07", "A08", "A09")
# Per-row class separation of the synthetic systems.
SEPARATION = {"baseline": 0.5, "good": 3.0, "same": 0.5}

# A stand-in for train.py, called as <launcher> <train.py> <yaml>
# <arguments...>: copies the prepared outputs of a synthetic system
# (templates/<separation>/<seed>, the separation given by the row's
# "--sep" override, 0.5 without it) into --output_folder, or fails for
# "--fail 1".
FAKE_TRAIN = textwrap.dedent(
    """
    import os, shutil, sys
    args = sys.argv[3:]
    options = dict(zip(args[0::2], args[1::2]))
    if options.get("--fail") == "1":
        sys.exit("bad override --fail")
    template = os.path.join(
        {templates!r}, options.get("--sep", "0.5"), options["--seed"]
    )
    shutil.copytree(template, options["--output_folder"], dirs_exist_ok=True)
    print("trained", options["--output_folder"])
    """
)


def _asv_file(folder):
    """A small ASV score file (target / non-target / spoof)."""
    rng = np.random.default_rng(0)
    lines = [f"bonafide target {v:.4f}" for v in rng.normal(3, 1, 200)]
    lines += [f"bonafide nontarget {v:.4f}" for v in rng.normal(-3, 1, 200)]
    lines += [f"A07 spoof {v:.4f}" for v in rng.normal(1, 1, 100)]
    path = os.path.join(folder, "asv_eval.txt")
    with open(path, "w") as stream:
        stream.write("\n".join(lines) + "\n")
    return path


def write_run(folder, seed, separation, trials=None, asv=None):
    """Writes eval/scores_eval.txt and eval/summary_eval.json of a
    synthetic system: scores ~ N(separation * is_bonafide, 1) (the noise
    depends on the seed only, so systems share it)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([1, 0], [N_BONAFIDE, N_SPOOF])
    scores = rng.normal(size=labels.size) + separation * labels
    attacks = np.where(labels == 1, "-", np.resize(ATTACKS, labels.size))
    trials = trials or [f"LA_E_{i:07d}" for i in range(labels.size)]
    keys = np.where(labels == 1, "bonafide", "spoof")
    eval_folder = os.path.join(folder, "eval")
    os.makedirs(eval_folder, exist_ok=True)
    with open(os.path.join(eval_folder, "scores_eval.txt"), "w") as stream:
        for trial, attack, key, score in zip(trials, attacks, keys, scores):
            stream.write(f"{trial} {attack} {key} {float(score)!r}\n")
    bonafide, spoof = scores[labels == 1], scores[labels == 0]
    summary = {"EER": 100 * compute_eer(bonafide, spoof)[0]}
    if asv is not None:
        summary["min_tDCF"] = min_tdcf_2019(bonafide, spoof, asv=asv)[0]
    table = per_attack_metrics(scores, labels, attacks)
    summary["per_attack"] = table.reset_index().to_dict(orient="records")
    with open(os.path.join(eval_folder, "summary_eval.json"), "w") as stream:
        json.dump(summary, stream)
    return scores, labels


@pytest.fixture
def ablation_root(tmp_path):
    """Rows baseline / good / same with seeds 1 and 2 (same: seed 1 only)."""
    asv_path = _asv_file(str(tmp_path))
    asv = read_asv_scores_2019(asv_path)
    root = tmp_path / "runs"
    for row, separation in SEPARATION.items():
        for seed in (1, 2) if row != "same" else (1,):
            write_run(str(root / row / str(seed)), seed, separation, asv=asv)
    return str(root), asv_path


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


def test_mean_std_is_the_sample_std():
    assert mean_std([1.0, 2.0, 3.0]) == (2.0, 1.0)
    assert mean_std([0.03, 0.05, 0.04]) == (0.04, 0.01)
    with pytest.raises(ValueError, match="at least one"):
        mean_std([])


def test_report_tables(ablation_root):
    root, asv_path = ablation_root
    rows = ["baseline", "good", "same"]
    report = ablation_report(
        root, rows, [1, 2], n_replicates=300, asv_scores=asv_path
    )
    table = report["table"]
    assert table.index.tolist() == rows
    summaries, missing = read_summaries(root, rows, [1, 2])
    assert missing == [("same", 2)]
    for row in rows:
        eers = [summaries[row][seed]["EER"] for seed in sorted(summaries[row])]
        assert table.loc[row, "EER_mean"] == pytest.approx(np.mean(eers))
        expected_std = np.std(eers, ddof=1) if len(eers) > 1 else 0.0
        assert table.loc[row, "EER_std"] == pytest.approx(expected_std)
        assert table.loc[row, "EER_seed1"] == eers[0]
        attack_eers = [
            {r["attack"]: r["EER"] for r in summaries[row][s]["per_attack"]}
            for s in summaries[row]
        ]
        for attack in ATTACKS + ("Pooled",):
            assert table.loc[row, f"EER_{attack}"] == pytest.approx(
                np.mean([eers_[attack] for eers_ in attack_eers])
            )
    assert np.isnan(table.loc["same", "EER_seed2"])
    assert table.loc["same", "n_seeds"] == 1

    # The good system is clearly better than the baseline in both metrics.
    good = table.loc["good"]
    assert good["dEER_high"] < 0 and good["P_better_EER"] == 1.0
    assert good["dmin_tDCF_high"] < 0
    assert good["dEER"] == pytest.approx(
        good["EER_mean"] - table.loc["baseline", "EER_mean"]
    )
    # "same" has the baseline's scores for seed 1 (the only paired seed).
    same = table.loc["same"]
    assert same["paired_seeds"] == "1"
    assert same["dEER"] == same["dEER_low"] == same["dEER_high"] == 0.0
    assert same["P_better_EER"] == 0.5
    assert np.isnan(table.loc["baseline", "dEER"])

    markdown = report["markdown"]
    for row in rows:
        assert re.search(rf"^\| {re.escape(row)} \| \d", markdown, re.M)
    assert "± " in markdown and "95 % CI" in markdown
    assert "P(row better)" in markdown
    assert "same/2" in markdown  # the missing run is named


def test_report_tells_started_runs_from_runs_never_run(ablation_root):
    root, _ = ablation_root
    # "good" seed 3: started (folder and log, no summary); "same" seed 2
    # was never started
    started = os.path.join(root, "good", "3")
    os.makedirs(started)
    with open(os.path.join(started, "log.txt"), "w") as stream:
        stream.write("epoch 1\n")
    markdown = ablation_report(
        root, ["baseline", "good", "same"], [1, 2, 3], n_replicates=50
    )["markdown"]
    started_note = re.search(r"runs started, no summary[^\n]*", markdown)
    never_note = re.search(r"runs not run[^\n]*", markdown)
    assert started_note and "good/3" in started_note.group()
    assert "same/2" not in started_note.group()
    assert never_note and "same/2" in never_note.group()
    assert "baseline/3" in never_note.group()


def test_report_files_and_report_only(ablation_root, capsys):
    root, asv_path = ablation_root
    report = ablation_report(root, n_replicates=100)
    assert report["table"].index.tolist() == ["baseline", "good", "same"]
    assert "dmin_tDCF" not in report["table"].columns  # no ASV scores
    assert "EER only" in report["markdown"]
    markdown_path, csv_path, figure_path = write_ablation_report(report, root)
    with open(figure_path, "rb") as stream:
        assert stream.read(8) == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(csv_path, index_col="row")
    assert table["EER_mean"].tolist() == pytest.approx(
        report["table"]["EER_mean"].tolist()
    )
    # The CLI's report-only mode finds the same runs and seeds.
    assert discover_runs(root) == (["baseline", "good", "same"], [1, 2])
    status = run_ablation.main(["--report_only", root, "--n_replicates", "100"])
    assert status == 0
    with open(markdown_path) as stream:
        assert stream.read() == report["markdown"]
    assert "| good |" in capsys.readouterr().out


def test_report_refuses_score_files_of_other_trials(ablation_root):
    root, _ = ablation_root
    other = [f"LA_E_{i:07d}" for i in range(1, N_BONAFIDE + N_SPOOF + 1)]
    write_run(os.path.join(root, "good", "2"), 2, 3.0, trials=other)
    with pytest.raises(ValueError, match="do not score the same trials"):
        ablation_report(root, ["baseline", "good"], [1, 2], n_replicates=10)


# ---------------------------------------------------------------------------
# run_ablation.py
# ---------------------------------------------------------------------------


def test_paper_rows_are_the_overrides_documented_in_the_yaml_files():
    """The yaml comments document '+InF only: ...' and '+InI only: ...'."""
    for name in os.listdir(os.path.join(RECIPE, "hparams")):
        if not name.endswith("_fica.yaml"):
            continue
        with open(os.path.join(RECIPE, "hparams", name)) as stream:
            text = stream.read()
        documented = dict(
            re.findall(r"^#\s+\+(InF|InI) only:\s+(.+?)\s*$", text, re.M)
        )
        assert documented == {
            "InF": run_ablation.PAPER_ROWS["+InF"],
            "InI": run_ablation.PAPER_ROWS["+InI"],
        }, name
        run_ablation.check_fica_yaml(os.path.join(RECIPE, "hparams", name))


def test_build_rows():
    assert list(run_ablation.build_rows()) == [
        "baseline",
        "+InF",
        "+InI",
        "+InF+InI",
    ]
    rows = run_ablation.build_rows(
        ["+InF-noJS", "baseline"],
        ["+InF-noJS=--lambda_ini 0 --lambda_inf 0"],
    )
    assert rows == {
        "+InF-noJS": ["--lambda_ini", "0", "--lambda_inf", "0"],
        "baseline": ["--weight_masked_ce", "0", "--lambda_inf", "0"]
        + ["--lambda_ini", "0"],
    }
    with pytest.raises(ValueError, match="unknown row"):
        run_ablation.build_rows(["+InX"])
    with pytest.raises(ValueError, match="one of the paper's rows"):
        run_ablation.build_rows(None, ["+InF=--lambda_inf 1"])
    with pytest.raises(ValueError, match="NAME=OVERRIDES"):
        run_ablation.build_rows(None, ["--lambda_inf 1"])
    with pytest.raises(ValueError, match="folder name"):
        run_ablation.build_rows(None, ["a/b=--lambda_inf 1"])


def test_rows_file(tmp_path):
    path = tmp_path / "rows.yaml"
    path.write_text(
        "+InF-noJS: --lambda_ini 0 --lambda_inf 0\n"
        "specaug: [--augment, 'True']\n"
    )
    rows = run_ablation.build_rows(None, [], str(path))
    assert rows["specaug"] == ["--augment", "True"]
    assert list(rows)[-2:] == ["+InF-noJS", "specaug"]
    path.write_text("- not a mapping\n")
    with pytest.raises(ValueError, match="mapping"):
        run_ablation.build_rows(None, [], str(path))


def test_command_line_checks(tmp_path, capsys):
    fica = os.path.join(RECIPE, "hparams", "minispoof_lcnn_fica.yaml")
    args, passthrough = run_ablation.parse_arguments(
        [fica, "--data_folder", "/LA", "--output_root", "r", "--lr", "1"]
        + ["--seeds", "1", "2", "--device=cuda:0"]
    )
    assert args.hparams == fica and args.seeds == [1, 2]
    assert passthrough == ["--data_folder", "/LA", "--lr", "1"] + [
        "--device=cuda:0"
    ]
    for refused in (["--seed", "3"], ["--output_folder=x"]):
        status = run_ablation.main(
            [fica, "--output_root", str(tmp_path), *refused]
        )
        assert status == 2
        assert "set per run" in capsys.readouterr().err
    plain = os.path.join(RECIPE, "hparams", "lcnn.yaml")
    assert run_ablation.main([plain, "--output_root", str(tmp_path)]) == 2
    assert "not a FICA yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_ablation.parse_arguments(["--output_root", "r"])  # no yaml


def test_dry_run_prints_one_command_per_row_and_seed(tmp_path, capsys):
    fica = os.path.join(RECIPE, "hparams", "lcnn_fica.yaml")
    root = str(tmp_path / "r")
    status = run_ablation.main(
        [fica, "--output_root", root, "--dry_run", "--data_folder", "/LA"]
        + ["--launcher", "torchrun --standalone --nproc_per_node 4"]
    )
    assert status == 0
    commands = [
        shlex.split(line) for line in capsys.readouterr().out.splitlines()
    ]
    assert len(commands) == 12
    first = commands[0]
    assert first[:4] == ["torchrun", "--standalone", "--nproc_per_node", "4"]
    assert first[4:6] == [run_ablation.TRAIN_SCRIPT, fica]
    assert first[6:] == [
        "--seed",
        "1",
        "--output_folder",
        os.path.join(root, "baseline", "1"),
        "--weight_masked_ce",
        "0",
        "--lambda_inf",
        "0",
        "--lambda_ini",
        "0",
        "--data_folder",
        "/LA",
    ]
    last = commands[-1]
    assert last[6:] == [
        "--seed",
        "1000",
        "--output_folder",
        os.path.join(root, "+InF+InI", "1000"),
        "--data_folder",
        "/LA",
    ]
    assert not os.path.exists(root)  # nothing was run


def test_runs_skip_resume_and_failures(tmp_path, capsys):
    """With a stand-in trainer: runs, a rerun that skips, a failing row."""
    templates = tmp_path / "templates"
    for separation in ("0.5", "3"):
        for seed in (1, 2):
            write_run(
                str(templates / separation / str(seed)), seed, float(separation)
            )
    fake = tmp_path / "fake_train.py"
    fake.write_text(FAKE_TRAIN.format(templates=str(templates)))
    fica = os.path.join(RECIPE, "hparams", "lcnn_fica.yaml")
    root = str(tmp_path / "runs")
    options = [
        "--seeds",
        "1",
        "2",
        "--n_replicates",
        "50",
        "--launcher",
        f"{sys.executable} {fake}",
        "--extra_row",
        "good=--sep 3",
    ]
    # Seed 2 of the baseline finished before (skipped); good/1 was
    # interrupted before writing its summary (run again).
    write_run(os.path.join(root, "baseline", "2"), 2, 0.5)
    os.makedirs(os.path.join(root, "good", "1"))
    first = [fica, "--output_root", root, "--rows", "baseline", "good"]
    assert run_ablation.main(first + options) == 0
    output = capsys.readouterr()
    assert "[done] baseline/2: finished before, skipped" in output.err
    assert "[ok] good/1" in output.err
    with open(os.path.join(root, "good", "1", "run.log")) as stream:
        log = stream.read()
    assert "--output_folder " + os.path.join(root, "good", "1") in log
    assert "--sep 3" in log and "trained" in log
    assert not os.path.exists(os.path.join(root, "baseline", "2", "run.log"))
    table = pd.read_csv(os.path.join(root, "ablation.csv"), index_col=0)
    assert table.index.tolist() == ["baseline", "good"]
    assert table.loc["good", "dEER_high"] < 0
    assert "| good |" in output.out

    # Rerun with one more row that fails: finished runs are skipped, the
    # failure is named with its log, the exit status is 1.
    sizes = {
        seed: os.path.getsize(os.path.join(root, "good", seed, "run.log"))
        for seed in ("1", "2")
    }
    rerun = first + ["broken"] + options + ["--extra_row", "broken=--fail 1"]
    assert run_ablation.main(rerun) == 1
    output = capsys.readouterr()
    for seed in ("1", "2"):
        log = os.path.join(root, "broken", seed, "run.log")
        assert f"[FAILED] broken/{seed} (exit status 1); log: {log}" in (
            output.err
        )
        with open(log) as stream:
            assert "bad override --fail" in stream.read()
        path = os.path.join(root, "good", seed, "run.log")
        assert os.path.getsize(path) == sizes[seed]  # not run again
    with open(os.path.join(root, "ablation.md")) as stream:
        markdown = stream.read()
    assert "broken/1 failed (exit status 1)" in markdown
    assert "row broken: no finished run" in markdown
    assert "| good |" in markdown
    assert "[warning]" not in output.err

    # A finished run whose row definition changed is kept, with a warning.
    changed = first + options[:-1] + ["good=--sep 4"]
    assert run_ablation.main(changed) == 0
    output = capsys.readouterr()
    assert "[warning] good/1 was started with other arguments" in output.err
    assert "[done] good/1: finished before, skipped" in output.err
