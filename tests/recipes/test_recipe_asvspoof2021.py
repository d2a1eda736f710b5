"""End-to-end tests of the ASVspoof 2021 LA / DF recipe (``train.py``).

Every row of ``tests/recipes/ASVspoof2021.csv`` runs on a tiny corpus in
the official 2021 layout (one row trains on tiny 2019 LA, the others score
given weights with ``--test_only``); the score files, tables and summary
must cover every trial, and the LA headline must be the official
computation on the written scores. The preparation and the scoring code
have their unit tests in ``tests/unittests/test_prepare_2021.py`` and
``tests/unittests/test_asvspoof2021.py``.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import math
import os
import subprocess
import sys

import pandas as pd
import pytest

from speechbrain_fica.metrics.asvspoof2021.breakdowns import la_breakdown
from speechbrain_fica.metrics.asvspoof2021.c012 import load_c012
from speechbrain_fica.metrics.asvspoof2021.keys import (
    DF_CODECS,
    DF_VOCODERS,
    LA_ATTACKS,
    LA_CODECS,
)
from speechbrain_fica.metrics.score_files import read_cm_key, read_score_file
from tests.utils.corpora import cm_key_path_2021
from tests.utils.recipes import (
    REPO_ROOT,
    check_files_exist,
    debug_flags,
    recipe_rows,
    row_id,
    yaml_overrides,
)

RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2021")
TOL = 1e-12


# Test-only rows run one after the other in an interpreter (each through
# train.py's __main__ with its own argv), which saves the start-up and
# imports of every row; two such batches and the training row (a plain
# subprocess from the recipe folder, as a user runs it) run in parallel.
# Each run first saves the freshly initialised backbone of its yaml, the
# weights that --pretrained_model gives to the --test_only run.
_BATCH_DRIVER = """
import json, runpy, sys, traceback
import torch
from hyperpyyaml import load_hyperpyyaml
runs_file, status_file = sys.argv[1], sys.argv[2]
with open(runs_file) as f:
    runs = json.load(f)
status = {}
for run in runs:
    sys.argv = [run["script"], *run["args"]]
    try:
        with open(run["args"][0]) as f:
            hparams = load_hyperpyyaml(
                f,
                {"data_folder": "x", "data_folder_2019": "x", **run["overrides"]},
            )
        torch.save(hparams["system"]["model"].state_dict(), run["weights"])
        runpy.run_path(run["script"], run_name="__main__")
        status[run["id"]] = None
    except BaseException:
        status[run["id"]] = traceback.format_exc()
    with open(status_file, "w") as f:
        json.dump(status, f)
"""
N_BATCHES = 2


def _row_args(row, data_2019, data_2021, output, request):
    """Command-line arguments of a row (as SpeechBrain's recipe tests)."""
    return [
        os.path.join(REPO_ROOT, row["Hparam_file"]),
        "--device=cpu",
        "--noprogressbar",
        *debug_flags(row, request),
        f"--data_folder_2019={data_2019}",
        f"--data_folder={data_2021}",
        f"--output_folder={output}",
    ]


def _tail(path):
    with open(path, errors="replace") as f:
        return f.read()[-4000:]


@pytest.fixture(scope="module")
def recipe_runs(tiny_la2019, tiny_asvspoof2021, tmp_path_factory, request):
    """Runs every row of ASVspoof2021.csv; returns ``{row id: (output
    folder, error text or None)}``."""
    base = tmp_path_factory.mktemp("asvspoof2021_runs")
    # One thread per process: the processes share the cores.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    batch_env = dict(env)
    batch_env["PYTHONPATH"] = os.pathsep.join(
        [RECIPE, os.environ.get("PYTHONPATH", "")]
    )
    batch, outputs, processes = [], {}, []
    try:
        for row in recipe_rows("ASVspoof2021"):
            name = row_id(row)
            outputs[name] = str(base / name)
            args = _row_args(
                row, tiny_la2019, tiny_asvspoof2021, outputs[name], request
            )
            if "--test_only" in row["test_debug_flags"]:
                weights = str(base / f"{name}_weights.pt")
                args.append(f"--pretrained_model={weights}")
                script = os.path.join(REPO_ROOT, row["Script_file"])
                batch.append(
                    {
                        "id": name,
                        "script": script,
                        "args": args,
                        "weights": weights,
                        "overrides": yaml_overrides(args),
                    }
                )
                continue
            # From the recipe folder, without PYTHONPATH, as a user would.
            args[0] = os.path.relpath(args[0], RECIPE)
            stderr = base / f"{name}.stderr"
            with open(stderr, "w") as f:
                command = [sys.executable, "train.py", *args]
                process = subprocess.Popen(
                    command, cwd=RECIPE, env=env, stdout=f, stderr=f
                )
            processes.append((process, [name], None, stderr))
        for index in range(N_BATCHES):
            runs = batch[index::N_BATCHES]
            runs_file = base / f"batch{index}.json"
            status_file = base / f"batch{index}_status.json"
            stderr = base / f"batch{index}.stderr"
            runs_file.write_text(json.dumps(runs))
            with open(stderr, "w") as f:
                command = [sys.executable, "-c", _BATCH_DRIVER]
                command += [str(runs_file), str(status_file)]
                process = subprocess.Popen(
                    command,
                    cwd=REPO_ROOT,
                    env=batch_env,
                    stdout=subprocess.DEVNULL,
                    stderr=f,
                )
            names = [run["id"] for run in runs]
            processes.append((process, names, status_file, stderr))
        errors = {}
        for process, names, status_file, stderr in processes:
            returncode = process.wait(timeout=1800)
            if status_file is None:  # a plain run
                errors[names[0]] = _tail(stderr) if returncode else None
                continue
            status = {}
            if status_file.exists():
                status = json.loads(status_file.read_text())
            for name in names:
                errors[name] = status.get(name, f"not run:\n{_tail(stderr)}")
    finally:
        for process, *_ in processes:
            if process.poll() is None:
                process.kill()
    return {name: (outputs[name], errors[name]) for name in outputs}


def _check_score_file(path, key_file, track):
    with open(path) as f:
        lines = [line.split() for line in f]
    assert all(len(fields) == 2 for fields in lines)
    trials = [fields[0] for fields in lines]
    key_trials = read_cm_key(key_file, track)["trial"].tolist()
    assert len(trials) == len(set(trials))
    assert sorted(trials) == sorted(key_trials)
    assert all(math.isfinite(float(fields[1])) for fields in lines)


@pytest.mark.parametrize("row", recipe_rows("ASVspoof2021"), ids=row_id)
def test_asvspoof2021_recipe(row, recipe_runs, tiny_asvspoof2021):
    output, error = recipe_runs[row_id(row)]
    if error:
        pytest.fail(f"{row['Hparam_file']} failed:\n{error}")
    test_only = "--test_only" in row["test_debug_flags"]
    check_files_exist(row, output)

    with open(os.path.join(output, "summary_2021.json")) as f:
        summary = json.load(f)
    assert summary["headline_subset"] == "eval"
    assert math.isfinite(summary["headline"]["LA"]["EER"])
    assert math.isfinite(summary["headline"]["LA"]["min_tDCF"])
    assert math.isfinite(summary["headline"]["DF"]["EER"])
    keys = os.path.join(tiny_asvspoof2021, "keys")
    for track in ("LA", "DF"):
        key_file = cm_key_path_2021(tiny_asvspoof2021, track)
        score_file = os.path.join(
            output, f"{track}2021", f"scores_{track}2021.txt"
        )
        assert summary[track]["scores"] == score_file
        assert summary[track]["skipped_trials"] == 0
        _check_score_file(score_file, key_file, track)
        eval_results = summary[track]["results"]["eval"]
        assert (eval_results["n_bonafide"], eval_results["n_spoof"]) == (6, 6)
        table = pd.read_csv(
            os.path.join(output, f"{track}2021", f"{track}2021_eval_EER.csv"),
            index_col=0,
        )
        rows = LA_ATTACKS if track == "LA" else DF_VOCODERS
        cols = LA_CODECS if track == "LA" else DF_CODECS
        assert table.index.tolist() == rows + ["Pooled"]
        assert table.columns.tolist() == cols + ["Pooled"]
        assert table.loc["Pooled", "Pooled"] == pytest.approx(
            eval_results["EER"]
        )
    # The LA headline is the official computation on the written scores.
    la_source = summary["LA"]["c012"]
    if test_only:
        assert "LA-C012-eval.npy" in la_source
        c012 = load_c012(os.path.join(keys, "LA", "LA-C012-eval.npy"))
    else:
        assert "computed from ASV key" in la_source
        c012 = load_c012(os.path.join(output, "LA2021", "LA-C012-eval.npy"))
        assert set(summary["LA"]["results"]) == {"eval", "progress"}
        assert summary["DF"]["results"]["progress"]["n_spoof"] == 2
        # Trained on tiny 2019 LA: a checkpoint selected on dev EER.
        with open(os.path.join(output, "train_log.txt")) as f:
            assert "epoch: 1" in f.read()
        assert any(
            name.startswith("CKPT+")
            for name in os.listdir(os.path.join(output, "save"))
        )
    pooled, _, _ = la_breakdown(
        cm_key_path_2021(tiny_asvspoof2021, "LA"),
        read_score_file(os.path.join(output, "LA2021", "scores_LA2021.txt")),
        c012,
    )
    assert summary["headline"]["LA"]["min_tDCF"] == pytest.approx(
        pooled["min_tDCF"], abs=TOL
    )
    assert summary["headline"]["LA"]["EER"] == pytest.approx(
        pooled["EER"], abs=TOL
    )
