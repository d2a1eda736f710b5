#!/usr/bin/env python3
"""The paper's ablation protocol in one command: rows x seeds, then a report.

For a FICA yaml (``hparams/*_fica.yaml``) this trains, one after the
other, every row of Table 1 of the FICA paper with every seed::

    python train.py <yaml> --seed S --output_folder <root>/<row>/<S> \\
        <row overrides> <other arguments>

with the rows

==========  =====================================================
baseline    ``--weight_masked_ce 0 --lambda_inf 0 --lambda_ini 0``
+InF        ``--lambda_ini 0``
+InI        ``--weight_masked_ce 0 --lambda_inf 0``
+InF+InI    (the yaml as it is)
==========  =====================================================

and seeds 1, 100 and 1000, then writes ``<root>/ablation.md`` and
``<root>/ablation.csv`` (mean ± std over seeds, per-seed and per-attack
EERs, and each row's difference to the baseline with a paired bootstrap
interval: :mod:`speechbrain_fica.metrics.ablation`) and the figure
``<root>/ablation.png`` (per-seed values and the intervals). Example::

    python run_ablation.py hparams/lcnn_fica.yaml \\
        --output_root results/ablation_lcnn --data_folder /path/to/LA \\
        --device cuda:0 --precision bf16

* Every argument this script does not know goes to ``train.py``.
* ``--rows`` selects rows (and their order); ``--extra_row
  "NAME=--overrides ..."`` or ``--rows_file rows.yaml`` (a mapping
  ``NAME: "--overrides ..."``, YAML or JSON) adds rows.
* ``--launcher "torchrun --standalone --nproc_per_node 4"`` runs
  ``train.py`` through a launcher (several GPUs).
* A run whose ``eval/summary_eval.json`` exists is skipped; an
  interrupted run is resumed from its checkpoints by ``train.py``.
* Each run's output goes to ``<root>/<row>/<S>/run.log``; a failed run is
  reported with that path and the others go on; the exit status is 1 if
  any run failed.
* ``--report_only <root>`` rewrites the report from the runs found there.

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

import yaml
from tqdm import tqdm

from speechbrain_fica.metrics.ablation import (
    ablation_report,
    discover_runs,
    is_finished,
    run_folder,
    write_ablation_report,
)
from speechbrain_fica.utils.strict_json import dump_json

RECIPE_FOLDER = os.path.dirname(os.path.abspath(__file__))
TRAIN_SCRIPT = os.path.join(RECIPE_FOLDER, "train.py")
PAPER_SEEDS = (1, 100, 1000)
# The rows of the paper's Table 1, as overrides of a *_fica.yaml (the
# overrides documented in the yaml files and the recipe README).
PAPER_ROWS = {
    "baseline": "--weight_masked_ce 0 --lambda_inf 0 --lambda_ini 0",
    "+InF": "--lambda_ini 0",
    "+InI": "--weight_masked_ce 0 --lambda_inf 0",
    "+InF+InI": "",
}
FICA_KEYS = ("weight_masked_ce", "lambda_inf", "lambda_ini")
PLAN_FILE = "ablation_plan.json"
COMMAND_FILE = "ablation_command.json"
LOG_FILE = "run.log"
# Row names are folder names.
_ROW_NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")
# train.py options that this script sets for every run.
_RESERVED = ("--seed", "--output_folder")


class _TagIgnoringLoader(yaml.SafeLoader):
    """Reads a hyperpyyaml file as plain YAML; tagged nodes become None."""


_TagIgnoringLoader.add_multi_constructor("!", lambda loader, tag, node: None)


def read_plain_yaml(path):
    """Top-level values of a (hyper)yaml file, tags ignored."""
    with open(path, encoding="utf-8") as stream:
        return yaml.load(stream, Loader=_TagIgnoringLoader) or {}


def check_fica_yaml(path):
    """Raises ValueError unless the yaml has every FICA term switched on."""
    if not os.path.isfile(path):
        raise ValueError(f"hparams file not found: {path}")
    hparams = read_plain_yaml(path)
    switched_off = []
    for key in FICA_KEYS:
        value = hparams.get(key)
        if not isinstance(value, (int, float)) or not value > 0:
            switched_off.append(f"{key} = {value!r}")
    if switched_off:
        raise ValueError(
            f"{path} is not a FICA yaml ({', '.join(switched_off)}): the "
            "ablation rows switch the FICA terms of a hparams/*_fica.yaml "
            "off by overrides"
        )


def parse_row(text):
    """``"NAME=--overrides ..."`` -> ``(NAME, [overrides])``.

    Example
    -------
    >>> parse_row("+InF-noJS=--lambda_ini 0 --lambda_inf 0")
    ('+InF-noJS', ['--lambda_ini', '0', '--lambda_inf', '0'])
    """
    name, separator, overrides = text.partition("=")
    if not separator:
        raise ValueError(f"--extra_row {text!r}: expected NAME=OVERRIDES")
    return check_row_name(name.strip()), shlex.split(overrides)


def check_row_name(name):
    """The row name, if it can be a folder name."""
    if not _ROW_NAME.match(name) or name.startswith("-") or not name.strip("."):
        raise ValueError(
            f"row name {name!r}: use letters, digits and _ . + - "
            "(it is a folder name; no leading -)"
        )
    return name


def load_rows_file(path):
    """Rows from a YAML / JSON mapping ``NAME: overrides`` (str or list)."""
    with open(path, encoding="utf-8") as stream:
        content = yaml.safe_load(stream)
    if not isinstance(content, dict):
        raise ValueError(f"{path}: expected a mapping NAME: overrides")
    rows = {}
    for name, overrides in content.items():
        if overrides is None:
            overrides = []
        elif isinstance(overrides, str):
            overrides = shlex.split(overrides)
        elif isinstance(overrides, list):
            overrides = [str(item) for item in overrides]
        else:
            raise ValueError(
                f"{path}: row {name!r}: overrides must be a string or a list"
            )
        rows[check_row_name(str(name))] = overrides
    return rows


def build_rows(selected=None, extra_rows=(), rows_file=None):
    """The rows to run: ``{name: [overrides]}`` in run order.

    Arguments
    ---------
    selected : list of str, optional
        Names to run, in this order (default: every defined row).
    extra_rows : list of str
        ``NAME=OVERRIDES`` definitions added to the paper's rows.
    rows_file : str, optional
        A YAML / JSON file of further rows.

    Returns
    -------
    dict
        Row name -> list of override arguments.

    Example
    -------
    >>> list(build_rows())
    ['baseline', '+InF', '+InI', '+InF+InI']
    >>> build_rows(["+InF+InI", "x"], ["x=--lambda_inf 0.2"])
    {'+InF+InI': [], 'x': ['--lambda_inf', '0.2']}
    """
    rows = {name: shlex.split(text) for name, text in PAPER_ROWS.items()}
    added = load_rows_file(rows_file) if rows_file else {}
    for text in extra_rows:
        name, overrides = parse_row(text)
        if name in added:
            raise ValueError(f"row {name!r} is defined twice")
        added[name] = overrides
    for name, overrides in added.items():
        if name in rows:
            raise ValueError(
                f"row {name!r} is one of the paper's rows; give the new row "
                "another name"
            )
        rows[name] = overrides
    if selected is None:
        return rows
    unknown = [name for name in selected if name not in rows]
    if unknown:
        raise ValueError(
            f"unknown row(s) {', '.join(unknown)}; defined rows: "
            f"{', '.join(rows)}"
        )
    if len(set(selected)) != len(selected):
        raise ValueError(f"--rows lists a row twice: {selected}")
    return {name: rows[name] for name in selected}


def check_passthrough(arguments):
    """Refuses train.py arguments that this script sets per run."""
    for argument in arguments:
        if argument.split("=", 1)[0] in _RESERVED:
            raise ValueError(
                f"{argument}: --seed and --output_folder are set per run "
                "(use --seeds and --output_root)"
            )


def train_arguments(hparams, seed, folder, row_overrides, passthrough):
    """Arguments of one ``train.py`` run (after the script path)."""
    return [
        hparams,
        "--seed",
        str(seed),
        "--output_folder",
        folder,
        *row_overrides,
        *passthrough,
    ]


def _recorded_arguments(folder):
    path = os.path.join(folder, COMMAND_FILE)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as stream:
        return json.load(stream).get("train_arguments")


def run_training(command, arguments, folder):
    """Runs one training, output appended to ``<folder>/run.log``.

    Returns
    -------
    int
        The exit status (127 when the command could not be started).
    """
    os.makedirs(folder, exist_ok=True)
    dump_json(
        {"command": command, "train_arguments": arguments},
        os.path.join(folder, COMMAND_FILE),
    )
    with open(os.path.join(folder, LOG_FILE), "a", encoding="utf-8") as log:
        log.write(
            f"=== {time.strftime('%Y-%m-%d %H:%M:%S')}: {shlex.join(command)}\n"
        )
        log.flush()
        try:
            process = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        except OSError as error:
            log.write(f"could not start the run: {error}\n")
            return 127
    return process.returncode


def asv_scores_of_run(folder):
    """The ``asv_scores_test`` file of a run, if it names an existing one."""
    path = os.path.join(folder, "hyperparams.yaml")
    if not os.path.isfile(path):
        return None
    try:
        asv = read_plain_yaml(path).get("asv_scores_test")
    except yaml.YAMLError:
        return None
    return asv if isinstance(asv, str) and os.path.isfile(asv) else None


def _read_plan(root):
    path = os.path.join(root, PLAN_FILE)
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def write_report(args, root, rows, seeds, notes=()):
    """Builds, writes and prints the report; returns it."""
    asv_scores = args.asv_scores
    if asv_scores is None:
        for row in rows:
            for seed in seeds:
                folder = run_folder(root, row, seed)
                if is_finished(folder):
                    asv_scores = asv_scores or asv_scores_of_run(folder)
    plan = _read_plan(root)
    title = None  # (the folder's name)
    if "hparams" in plan:
        title = f"Ablation: {os.path.basename(plan['hparams'])}"
    report = ablation_report(
        root,
        rows=rows,
        seeds=seeds,
        baseline=args.baseline,
        n_replicates=args.n_replicates,
        confidence=args.confidence,
        bootstrap_seed=args.bootstrap_seed,
        asv_scores=asv_scores,
        title=title,
        notes=notes,
    )
    paths = write_ablation_report(report, root, baseline=args.baseline)
    print(report["markdown"])
    print("report written to " + ", ".join(paths))
    return report


def parse_arguments(argv):
    """Splits the command line into this script's options and train.py's.

    The hparams file comes first (as for ``train.py``), except with
    ``--report_only``.
    """
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        usage="%(prog)s HPARAMS --output_root ROOT [options] "
        "[train.py arguments]\n       %(prog)s --report_only ROOT [options]",
        allow_abbrev=False,
    )
    parser.add_argument("--output_root", help="folder of all runs")
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=list(PAPER_SEEDS)
    )
    parser.add_argument(
        "--rows", nargs="+", help="rows to run, in order (default: all)"
    )
    parser.add_argument(
        "--extra_row",
        action="append",
        default=[],
        metavar="NAME=OVERRIDES",
        help='another row, e.g. "+InF-noJS=--lambda_ini 0 --lambda_inf 0"',
    )
    parser.add_argument("--rows_file", help="YAML/JSON mapping NAME: overrides")
    parser.add_argument("--baseline", default="baseline")
    parser.add_argument(
        "--launcher",
        help='run train.py through this, e.g. "torchrun --standalone '
        '--nproc_per_node 4" (default: this Python)',
    )
    parser.add_argument("--report_only", metavar="ROOT")
    parser.add_argument("--dry_run", action="store_true")
    parser.add_argument("--n_replicates", type=int, default=1000)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--bootstrap_seed", type=int, default=0)
    parser.add_argument(
        "--asv_scores",
        help="ASV score file for the min t-DCF differences (default: the "
        "runs' asv_scores_test)",
    )
    hparams = None
    if argv and not argv[0].startswith("-"):
        hparams, argv = argv[0], argv[1:]
    args, passthrough = parser.parse_known_args(argv)
    args.hparams = hparams
    if args.report_only:
        if hparams or passthrough:
            parser.error(
                "--report_only takes no hparams file or train.py arguments: "
                + " ".join(([hparams] if hparams else []) + passthrough)
            )
    elif hparams is None or args.output_root is None:
        parser.error("give the hparams file first, and --output_root")
    return args, passthrough


def report_only(args):
    """Rewrites the report of the runs under ``args.report_only``."""
    root = args.report_only
    plan = _read_plan(root)
    found_rows, found_seeds = discover_runs(root)
    rows = list(plan.get("rows", {}))
    rows += [row for row in found_rows if row not in rows]
    if args.rows:
        rows = args.rows
    seeds = sorted(set(plan.get("seeds", [])) | set(found_seeds))
    if not rows:
        print(f"no finished runs under {root}", file=sys.stderr)
        return 1
    write_report(args, root, rows, seeds)
    return 0


def main(argv=None):
    """Command line entry point; returns the exit status."""
    args, passthrough = parse_arguments(
        sys.argv[1:] if argv is None else list(argv)
    )
    if args.report_only:
        return report_only(args)
    try:
        check_passthrough(passthrough)
        hparams = os.path.abspath(args.hparams)
        check_fica_yaml(hparams)
        rows = build_rows(args.rows, args.extra_row, args.rows_file)
    except ValueError as error:
        print(f"run_ablation.py: error: {error}", file=sys.stderr)
        return 2
    root = os.path.abspath(args.output_root)
    if args.launcher:
        prefix = shlex.split(args.launcher) + [TRAIN_SCRIPT]
    else:
        prefix = [sys.executable, TRAIN_SCRIPT]
    runs = [
        (row, seed, run_folder(root, row, seed))
        for row in rows
        for seed in args.seeds
    ]
    if args.dry_run:
        for row, seed, folder in runs:
            arguments = train_arguments(
                hparams, seed, folder, rows[row], passthrough
            )
            print(shlex.join(prefix + arguments))
        return 0

    os.makedirs(root, exist_ok=True)
    plan = {
        "hparams": hparams,
        "rows": rows,
        "seeds": args.seeds,
        "baseline": args.baseline,
        "train_arguments": passthrough,
        "launcher": args.launcher,
    }
    dump_json(plan, os.path.join(root, PLAN_FILE))

    failures = []
    progress = tqdm(runs, desc="ablation runs", unit="run", file=sys.stderr)
    for row, seed, folder in progress:
        progress.set_postfix_str(f"{row} seed {seed}")
        arguments = train_arguments(
            hparams, seed, folder, rows[row], passthrough
        )
        recorded = _recorded_arguments(folder)
        if recorded is not None and recorded != arguments:
            tqdm.write(
                f"[warning] {row}/{seed} was started with other arguments "
                f"({shlex.join(recorded)}); delete {folder} to start it anew",
                file=sys.stderr,
            )
        if is_finished(folder):
            tqdm.write(
                f"[done] {row}/{seed}: finished before, skipped",
                file=sys.stderr,
            )
            continue
        started = time.perf_counter()
        status = run_training(prefix + arguments, arguments, folder)
        seconds = time.perf_counter() - started
        log = os.path.join(folder, LOG_FILE)
        if status == 0 and is_finished(folder):
            tqdm.write(f"[ok] {row}/{seed} in {seconds:.0f} s", file=sys.stderr)
        else:
            reason = f"exit status {status}"
            if status == 0:
                reason = "no test summary written"
            failures.append(f"{row}/{seed} failed ({reason}): see {log}")
            tqdm.write(
                f"[FAILED] {row}/{seed} ({reason}); log: {log}", file=sys.stderr
            )
    progress.close()

    status = 1 if failures else 0
    try:
        write_report(args, root, list(rows), args.seeds, notes=failures)
    except (OSError, ValueError) as error:
        print(f"run_ablation.py: report failed: {error}", file=sys.stderr)
        status = 1
    if failures:
        print(f"{len(failures)} of {len(runs)} run(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
