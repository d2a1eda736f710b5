#!/usr/bin/env python3
"""The speechbrain-fica benchmark suite: one command, one table, one JSON.

Sections (``--sections``, all by default):

``train``
    Training step time and peak memory of each backbone (AASIST, AASIST-L,
    RawNet2, LCNN) built from the ASVspoof 2019 recipe yamls, without FICA
    (``<backbone>.yaml``) and with it (``<backbone>_fica.yaml``): the real
    ``FICABrain.fit_batch`` on a fixed seeded batch (8 utterances of the
    yaml's ``segment_samples``, 96,000 = 6 s). AASIST and AASIST-L are also
    run with ``implementation="faithful"`` (the official code's sequence of
    operations), so that the fast path's speed-up is a ratio measured in the
    same run. Like the recipes' ``train.py``, the measured processes keep
    freed memory (``speechbrain_fica.utils.performance``); on CPU the
    faithful baseline step is measured once more with glibc's default malloc
    settings, the starting point of the whole speed-up
    (``--implementations`` restricts the AASIST paths measured).
    FICA/baseline ratios are compared with the 2.2x target; for FICA runs
    the components (masker, joint forward+backward, momentum encoder, EMA,
    memory bank) are also timed separately. For the fast AASIST paths the
    convolutions of a training step are also timed alone (each recorded
    call replayed with the same shapes and memory layout, forward and
    backward): the floor of any implementation using those kernels, so the
    largest speed-up over the faithful step that such an implementation
    could reach is measured in the same run.
``infer``
    Eval-mode throughput of each backbone, batch 8: utterances/s, audio
    samples/s and real-time factor (compute time / audio duration).
``data``
    Utterances/s of the recipe's data pipeline (``countermeasure_dataset``
    over generated 16 kHz FLAC files, DataLoader + ``PaddedBatch``) with 0
    and 2 workers (``bench_dataloading.py``).
``metrics``
    The timings of ``bench_metrics.py`` (EER, min t-DCF, DF breakdown).

Every model configuration runs in a fresh subprocess (``bench_models.py``),
one after the other, so that its peak memory is its own: on CPU the peak
resident set size during the measured steps and its increase over the RSS
just before them; on CUDA ``torch.cuda.max_memory_allocated``. Times are
medians of ``--steps`` steps after ``--warmup`` steps (the first step,
which includes any compilation, is reported separately); ``--rounds``
repeats the whole set of configurations (interleaved) and takes medians.

Usage (CPU; ``--quick`` is a smoke run with short inputs)::

    python benchmarks/run_benchmarks.py --out benchmarks/results/cpu.json
    python benchmarks/run_benchmarks.py --quick --out /tmp/quick.json

On a GPU (mixed precision and torch.compile of the backbone; the first
step, reported separately, then includes the compilation)::

    python benchmarks/run_benchmarks.py --device cuda --precision bf16 \\
        --out benchmarks/results/cuda_bf16.json
    python benchmarks/run_benchmarks.py --device cuda --precision bf16 \\
        --compile --out benchmarks/results/cuda_bf16_compile.json

``--precision fp16`` works on CUDA only (SpeechBrain refuses it on CPU).
``--child-env`` passes environment variables to the measured processes,
e.g. ``--child-env THP_MEM_ALLOC_ENABLE=1`` (PyTorch's transparent huge
pages for large CPU tensors).

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import torch

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

import bench_dataloading  # noqa: E402
import bench_metrics  # noqa: E402

# name: (baseline yaml, FICA yaml, has a faithful implementation)
BACKBONES = {
    "AASIST": ("aasist.yaml", "aasist_fica.yaml", True),
    "AASIST-L": ("aasist_l.yaml", "aasist_l_fica.yaml", True),
    "RawNet2": ("rawnet2.yaml", "rawnet2_fica.yaml", False),
    "LCNN": ("lcnn.yaml", "lcnn_fica.yaml", False),
}
FICA_TARGET = 2.2  # issue 3: a FICA step <= 2.2x its baseline step
DEFAULT_MALLOC = "faithful, glibc default malloc"
TIMING_KEYS = ("median_s", "min_s", "cpu_median_s", "first_step_s")


def machine_description(device):
    """CPU model, cores, memory, library versions and accelerator name.

    Arguments
    ---------
    device : str
        ``cpu`` or ``cuda[:i]``.

    Returns
    -------
    dict
        The description.

    Example
    -------
    >>> machine_description("cpu")["device_name"] != ""
    True
    """
    import speechbrain

    cpu_model, cores = platform.processor() or "unknown", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            physical = None
            for line in stream:
                key, _, value = (part.strip() for part in line.partition(":"))
                if key == "model name":
                    cpu_model = value
                elif key == "physical id":
                    physical = value
                elif key == "core id":
                    cores.add((physical, value))
    except OSError:
        pass
    memory_gib = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as stream:
            memory_gib = int(stream.readline().split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    if device.startswith("cuda") and torch.cuda.is_available():
        device_name = torch.cuda.get_device_name(torch.device(device))
    else:
        device_name = f"CPU: {cpu_model}"
    return {
        "cpu_model": cpu_model,
        "logical_cpus": os.cpu_count(),
        "physical_cores": len(cores) or None,
        "memory_gib": memory_gib,
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "speechbrain": speechbrain.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "device": device,
        "device_name": device_name,
        "cuda": torch.version.cuda,
    }


def run_worker(config, child_env):
    """Runs ``bench_models.py`` on ``config`` in a fresh process.

    Arguments
    ---------
    config : dict
        The worker configuration (see ``bench_models.DEFAULTS``).
    child_env : dict
        Extra environment variables of the process.

    Returns
    -------
    dict
        The worker's result, or ``{"error": ...}``.
    """
    command = [
        sys.executable,
        os.path.join(BENCH_DIR, "bench_models.py"),
        json.dumps(config),
    ]
    env = {**os.environ, **child_env}
    start = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, env=env)
    lines = [x for x in process.stdout.splitlines() if x.startswith("{")]
    if process.returncode != 0 or not lines:
        tail = (process.stderr or process.stdout)[-2000:]
        print(f"  FAILED ({process.returncode}): {tail}", file=sys.stderr)
        return {"config": config, "error": tail}
    result = json.loads(lines[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def merge_rounds(results):
    """Median of each timing over rounds (the first round's other fields).

    Arguments
    ---------
    results : list of dict
        One worker result per round.

    Returns
    -------
    dict
        The merged result, with ``rounds``.
    """
    valid = [r for r in results if "error" not in r]
    if not valid:
        return results[0]
    merged = dict(valid[0])
    others = ("peak_memory_mib", "step_memory_mib", "page_faults_median")
    for key in TIMING_KEYS + others:
        if key in merged:
            merged[key] = statistics.median(r[key] for r in valid)
    merged["rounds"] = [{k: r.get(k) for k in TIMING_KEYS} for r in valid]
    return merged


def model_configs(args):
    """(label, worker config) of every model measurement, in run order."""
    common = {
        "device": args.device,
        "precision": args.precision,
        "compile": args.compile,
        "batch_size": args.batch_size,
        "segment_samples": args.segment_samples,
        "warmup": args.warmup,
        "steps": args.steps,
    }
    configs = []
    for name in args.backbones:
        base_yaml, fica_yaml, has_faithful = BACKBONES[name]
        implementations = (
            [i for i in ("fast", "faithful") if i in args.implementations]
            if has_faithful
            else [None]
        )
        for implementation in implementations:
            overrides = (
                {"aasist_implementation": implementation}
                if implementation
                else {}
            )
            key = (name, implementation or "-")
            if "train" in args.sections:
                for fica, yaml in ((False, base_yaml), (True, fica_yaml)):
                    breakdown = fica and implementation != "faithful"
                    configs.append(
                        (
                            ("train", *key, fica),
                            {
                                **common,
                                "yaml": yaml,
                                "mode": "train",
                                "hparam_overrides": overrides,
                                "breakdown": breakdown and args.breakdown,
                            },
                        )
                    )
            if implementation == "fast" and "train" in args.sections:
                configs.append(
                    (
                        ("convs", *key, False),
                        {
                            **common,
                            "yaml": base_yaml,
                            "mode": "convs",
                            "hparam_overrides": overrides,
                        },
                    )
                )
            if (
                implementation == "faithful"
                and "train" in args.sections
                and args.device == "cpu"  # malloc: CPU tensors only
            ):
                # The official code's operations in a process with glibc's
                # default malloc settings (what the recipes change, see
                # speechbrain_fica/utils/performance.py): the reference the
                # whole speed-up is measured against.
                configs.append(
                    (
                        ("train", name, DEFAULT_MALLOC, False),
                        {
                            **common,
                            "yaml": base_yaml,
                            "mode": "train",
                            "hparam_overrides": overrides,
                            "keep_freed_memory": False,
                            "breakdown": False,
                        },
                    )
                )
            if "infer" in args.sections:
                configs.append(
                    (
                        ("infer", *key, False),
                        {
                            **common,
                            "yaml": base_yaml,
                            "mode": "infer",
                            "hparam_overrides": overrides,
                        },
                    )
                )
    return configs


def run_models(args, child_env, header):
    """All model measurements, ``args.rounds`` times, interleaved.

    ``header`` (machine and settings) and then each result are appended to
    ``<out>.partial.jsonl`` as soon as they are known, so that an
    interrupted run keeps what it measured (``--from-partial`` renders it).
    """
    configs = model_configs(args)
    raw = {label: [] for label, _ in configs}
    partial = os.path.splitext(args.out)[0] + ".partial.jsonl"
    os.makedirs(os.path.dirname(os.path.abspath(partial)), exist_ok=True)
    with open(partial, "w", encoding="utf-8") as stream:
        stream.write(json.dumps(header) + "\n")
        for round_index in range(args.rounds):
            for label, config in configs:
                print(
                    f"[round {round_index + 1}/{args.rounds}] {label} "
                    f"(load {os.getloadavg()[0]:.2f})",
                    file=sys.stderr,
                    flush=True,
                )
                result = run_worker(config, child_env)
                raw[label].append(result)
                stream.write(json.dumps({"label": label, **result}) + "\n")
                stream.flush()
                if "median_s" in result:
                    print(
                        f"  median {result['median_s']:.4f} s, first step "
                        f"{result['first_step_s']:.2f} s, peak "
                        f"{result['peak_memory_mib']:.0f} MiB",
                        file=sys.stderr,
                        flush=True,
                    )
    return {label: merge_rounds(results) for label, results in raw.items()}


def read_partial(path):
    """The header and the merged model results of a ``.partial.jsonl``.

    Arguments
    ---------
    path : str
        A file written by :func:`run_models`.

    Returns
    -------
    header : dict
        ``machine`` and ``settings`` (empty if the file has no header).
    models : dict
        ``{label tuple: merged result}`` in the order measured.
    """
    header, raw = {}, {}
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}, line {number}: {error}") from None
            if "label" not in record:
                header = record
                continue
            raw.setdefault(tuple(record.pop("label")), []).append(record)
    return header, {label: merge_rounds(r) for label, r in raw.items()}


def model_sections(models):
    """The report sections of the model measurements, and the ratios
    (tables without a row are left out)."""
    sections, ratios = [], {}
    if any(label[0] == "train" for label in models):
        steps, parts, ratios = training_tables(models)
        sections += [
            ("Training step (FICABrain.fit_batch)", steps),
            ("Where a FICA step's time goes", parts),
        ]
    sections.append(
        ("AASIST fast vs faithful (same run)", speedup_table(models))
    )
    sections.append(
        (
            "AASIST's convolutions alone: the floor of a training step",
            convolution_floor_table(models),
        )
    )
    if any(label[0] == "infer" for label in models):
        sections.append(("Inference (eval mode)", inference_table(models)))
    has_rows = [s for s in sections if len(s[1].splitlines()) > 2]
    return has_rows, ratios


def fmt(value, digits=3):
    """A number for the tables (``-`` when missing)."""
    if value is None:
        return "-"
    if isinstance(value, float):  # significant digits: GPU steps are ms
        if abs(value) >= 10**digits:
            return f"{value:.0f}"
        return f"{value:.{digits + 1}g}"
    return str(value)


def markdown_table(header, rows):
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def training_tables(models):
    """Markdown tables of training steps, FICA ratios and FICA parts."""
    rows, ratios, parts = [], {}, []
    for (section, name, implementation, fica), result in models.items():
        if section != "train" or fica or "error" in result:
            continue
        fica_result = models.get(("train", name, implementation, True), {})
        base_s = result["median_s"]
        fica_s = fica_result.get("median_s")
        ratio = fica_s / base_s if fica_s else None
        ratios[(name, implementation)] = ratio
        rows.append(
            [
                name,
                implementation,
                result["segment_samples"],
                base_s,
                fica_s,
                ratio,
                ("yes" if ratio <= FICA_TARGET else "no") if ratio else "-",
                result["first_step_s"],
                fica_result.get("first_step_s"),
                result["peak_memory_mib"],
                result["step_memory_mib"],
                fica_result.get("peak_memory_mib"),
                fica_result.get("step_memory_mib"),
            ]
        )
        breakdown = fica_result.get("breakdown")
        if breakdown:
            clean = breakdown["backbone_fwd_bwd_clean"]["median_s"]
            values = {k: v["median_s"] for k, v in breakdown.items()}
            parts.append(
                [name, implementation, base_s, fica_s]
                + [
                    values.get(k)
                    for k in (
                        "backbone_fwd_bwd_clean",
                        "backbone_fwd_bwd_joint",
                        "momentum_encoder_forward",
                        "masker",
                        "momentum_encoder_ema_update",
                        "memory_bank_loss_and_enqueue",
                    )
                ]
                + [
                    values.get("backbone_fwd_bwd_joint", 0) / clean,
                    values.get("momentum_encoder_forward", 0) / clean,
                ]
            )
    step_table = markdown_table(
        [
            "backbone",
            "impl.",
            "samples",
            "baseline step s",
            "FICA step s",
            "FICA/baseline",
            f"<= {FICA_TARGET}x",
            "baseline 1st step s",
            "FICA 1st step s",
            "baseline peak MiB",
            "baseline step +MiB",
            "FICA peak MiB",
            "FICA step +MiB",
        ],
        rows,
    )
    parts_table = markdown_table(
        [
            "backbone",
            "impl.",
            "baseline step s",
            "FICA step s",
            "fwd+bwd clean s",
            "fwd+bwd joint s",
            "momentum fwd s",
            "masker s",
            "EMA s",
            "bank s",
            "joint/clean",
            "momentum/clean",
        ],
        parts,
    )
    return step_table, parts_table, ratios


def speedup_table(models):
    """Faithful / fast time ratios of AASIST and AASIST-L.

    Both the median and the fastest step are compared: on CPU a step that
    has to map fresh memory (page faults, counted per step) is slower by a
    varying amount, while the fastest step is the one that reused the heap.
    """
    rows = []
    # (row, section, implementation compared with "fast", FICA)
    comparisons = (
        ("train step", "train", "faithful", False),
        ("FICA train step", "train", "faithful", True),
        ("inference", "infer", "faithful", False),
        (
            "train step, faithful with glibc's default malloc",
            "train",
            DEFAULT_MALLOC,
            False,
        ),
    )
    for name in ("AASIST", "AASIST-L"):
        for what, section, implementation, fica in comparisons:
            faithful = models.get((section, name, implementation, fica), {})
            fast = models.get((section, name, "fast", fica), {})
            if "median_s" not in faithful or "median_s" not in fast:
                continue
            rows.append(
                [
                    name,
                    what,
                    faithful["median_s"],
                    fast["median_s"],
                    faithful["median_s"] / fast["median_s"],
                    faithful["min_s"],
                    fast["min_s"],
                    faithful["min_s"] / fast["min_s"],
                    faithful.get("page_faults_median"),
                    fast.get("page_faults_median"),
                ]
            )
    return markdown_table(
        [
            "backbone",
            "faithful vs fast",
            "faithful median s",
            "fast median s",
            "speed-up",
            "faithful min s",
            "fast min s",
            "speed-up (min)",
            "faithful page faults/step",
            "fast page faults/step",
        ],
        rows,
    )


def convolution_floor_table(models):
    """The fast path's convolutions timed alone, against the train steps.

    ``faithful / convs`` is the largest training-step speed-up over the
    faithful path that any implementation running these convolutions with
    these kernels can reach (everything else in the step taking no time).
    """
    rows = []
    for (section, name, implementation, _), result in models.items():
        if section != "convs" or "error" in result:
            continue
        faithful = models.get(("train", name, "faithful", False), {})
        fast = models.get(("train", name, implementation, False), {})
        floor_s = result["median_s"]
        rows.append(
            [
                name,
                len(result["convolutions"]),
                result["conv_gflop"],
                result["conv_forward_s"],
                result["conv_backward_s"],
                floor_s,
                result["conv_gflops"],
                result["gemm_gflops"],
                fast.get("median_s"),
                faithful.get("median_s"),
                faithful["median_s"] / floor_s
                if "median_s" in faithful
                else None,
            ]
        )
    return markdown_table(
        [
            "backbone",
            "convs",
            "GFLOP fwd+bwd",
            "convs fwd s",
            "convs bwd s",
            "convs total s",
            "convs GFLOP/s",
            "GEMM GFLOP/s",
            "fast step s",
            "faithful step s",
            "faithful / convs (max speed-up)",
        ],
        rows,
    )


def inference_table(models):
    """Markdown table of the eval-mode throughput."""
    rows = []
    for (section, name, implementation, _), result in models.items():
        if section != "infer" or "error" in result:
            continue
        rows.append(
            [
                name,
                implementation,
                result["config"]["batch_size"],
                result["segment_samples"],
                result["median_s"],
                result["utterances_per_s"],
                result["audio_samples_per_s"] / 1e6,
                result["real_time_factor"],
                result["first_step_s"],
                result["peak_memory_mib"],
                result["step_memory_mib"],
            ]
        )
    return markdown_table(
        [
            "backbone",
            "impl.",
            "batch",
            "samples",
            "batch s",
            "utt/s",
            "Msamples/s",
            "RTF",
            "1st batch s",
            "peak MiB",
            "+MiB",
        ],
        rows,
    )


def machine_markdown(machine, settings, load_average):
    """The machine and settings as Markdown lines."""
    lines = [f"- {key}: {value}" for key, value in machine.items()]
    lines.append(
        f"- load average at start / end: {load_average['start']} / "
        f"{load_average['end']}"
    )
    keys = ("precision", "compile", "batch_size", "warmup", "steps")
    keys += ("rounds", "quick", "child_env", "from_partial")
    lines.append(
        "- settings: " + ", ".join(f"{key} {settings.get(key)}" for key in keys)
    )
    return "\n".join(lines)


def parse_args(argv=None):
    """Command-line arguments (``--quick`` shrinks the defaults)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--precision", default="fp32", choices=["fp32", "bf16", "fp16"]
    )
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None, help="output JSON path")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--segment-samples",
        type=int,
        default=None,
        help="samples per utterance (default: the yaml's; quick: 16000)",
    )
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--backbones", nargs="+", default=list(BACKBONES), choices=BACKBONES
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        default=["train", "infer", "data", "metrics"],
        choices=["train", "infer", "data", "metrics"],
    )
    parser.add_argument(
        "--implementations",
        nargs="+",
        default=["fast", "faithful"],
        choices=["fast", "faithful"],
        help="AASIST implementations to measure (default: both)",
    )
    parser.add_argument(
        "--no-breakdown",
        dest="breakdown",
        action="store_false",
        help="do not time the FICA components separately",
    )
    parser.add_argument(
        "--from-partial",
        metavar="JSONL",
        help="render the tables of an interrupted run's .partial.jsonl "
        "(measures nothing)",
    )
    parser.add_argument(
        "--child-env",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="environment of the measured processes",
    )
    args = parser.parse_args(argv)
    if args.batch_size is None:
        args.batch_size = 4 if args.quick else 8
    if args.segment_samples is None and args.quick:
        args.segment_samples = 16000
    if args.steps is None:
        args.steps = 1 if args.quick else 3
    if args.out is None:
        tag = "quick" if args.quick else "full"
        name = f"{args.device.split(':')[0]}_{args.precision}_{tag}"
        name += "_compile" if args.compile else ""
        args.out = os.path.join(BENCH_DIR, "results", f"{name}.json")
    return args


def main(argv=None):
    """Runs the suite, prints the Markdown report, writes JSON (+ .md)."""
    args = parse_args(argv)
    child_env = dict(item.split("=", 1) for item in args.child_env)
    # a rendered run describes the machine that measured it, not this one
    machine = {} if args.from_partial else machine_description(args.device)
    load_start = os.getloadavg()
    report = {"machine": machine, "settings": vars(args).copy()}
    report["settings"]["child_env"] = child_env
    sections = []

    models = None
    if args.from_partial:
        header, models = read_partial(args.from_partial)
        report.update(machine=header.get("machine", {}))
        report["settings"] = {
            **header.get("settings", {}),
            "from_partial": args.from_partial,
        }
        if "command" in header:
            report["command"] = header["command"]
    elif {"train", "infer"} & set(args.sections):
        header = {k: report[k] for k in ("machine", "settings")}
        models = run_models(args, child_env, header)
    if models is not None:
        report["models"] = [
            {"label": list(label), **result} for label, result in models.items()
        ]
        model_parts, ratios = model_sections(models)
        sections += model_parts
        report["fica_ratios"] = [
            {"backbone": n, "implementation": i, "fica_over_baseline": r}
            for (n, i), r in ratios.items()
        ]

    if "data" in args.sections and not args.from_partial:
        print("[data loading]", file=sys.stderr, flush=True)
        data = bench_dataloading.run(
            n_files=16 if args.quick else 64,
            passes=2 if args.quick else 3,
        )
        report["data_loading"] = data
        rows = [
            [
                r["num_workers"],
                r["steady_utterances_per_s"],
                r["first_pass_utterances_per_s"],
            ]
            for r in data["results"]
        ]
        sections.append(
            (
                f"Data loading ({data['n_files']} FLAC files, crops of "
                f"{data['segment_samples']}, batch {data['batch_size']})",
                markdown_table(
                    ["num_workers", "utt/s (steady)", "utt/s (1st pass)"],
                    rows,
                ),
            )
        )

    if "metrics" in args.sections and not args.from_partial:
        print("\n## Metrics (bench_metrics.py)\n")
        metric_args = argparse.Namespace(
            seed=0,
            repeats=1 if args.quick else 5,
            sb_repeats=1 if args.quick else 3,
            sb_sizes=[2000] if args.quick else [10_000, 30_000],
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*negated scores")
            report["metrics"] = bench_metrics.run(metric_args)

    if not args.from_partial:
        load_end = os.getloadavg()
        report["load_average"] = {"start": load_start, "end": load_end}
    text = "# speechbrain-fica benchmarks\n\n"
    text += machine_markdown(
        report.get("machine", {}),
        report["settings"],
        report.get("load_average", {"start": None, "end": None}),
    )
    for title, table in sections:
        text += f"\n\n## {title}\n\n{table}"
    report["markdown"] = text
    print("\n" + text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as stream:
        json.dump(report, stream, indent=1)
    with open(os.path.splitext(args.out)[0] + ".md", "w") as stream:
        stream.write(text + "\n")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
