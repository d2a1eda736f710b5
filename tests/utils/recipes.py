"""Running recipe rows (``tests/recipes/<Dataset>.csv``) in tests.

Authors
 * speechbrain-fica contributors 2026
"""

import csv
import importlib.util
import os
import re
import shlex
import subprocess
import sys

from hyperpyyaml import load_hyperpyyaml

from tests.utils.samples import REPO_ROOT

CSV_FOLDER = os.path.join(REPO_ROOT, "tests", "recipes")


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


def recipe_module(dataset, name):
    """Imports ``recipes/<dataset>/<name>.py`` (e.g. a data preparation)
    under the name ``<dataset>_<name>``, so that same-named scripts of two
    recipes do not clash."""
    path = os.path.join(REPO_ROOT, "recipes", dataset, f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{dataset}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
