#!/usr/bin/env python3
"""Training-step and inference timing of one backbone configuration.

Builds the system exactly as a recipe does (the ASVspoof 2019 yaml through
hyperpyyaml, ``data_folder`` overridden), then either

* ``train``: times ``FICABrain.fit_batch`` on a fixed seeded synthetic
  batch (band-pass masking, joint forward of both views, momentum encoder,
  memory bank and EMA update included when the yaml enables FICA) and,
  with ``breakdown``, times the FICA components one by one; or
* ``infer``: times the backbone's eval-mode forward (``inference_mode``);
  or
* ``convs``: records every convolution one training forward of the
  backbone calls (shapes, memory layout, which gradients autograd needs)
  and times each one alone, forward and backward, with the same kernels:
  the part of a training step no implementation of the same convolutions
  can avoid. A dense matrix product (2048 x 2048) is timed beside it as the
  arithmetic peak reachable on the device.

It reports wall time per step, process CPU time, and peak memory: on CPU
the peak resident set size (``VmHWM``) of this process over the measured
steps (reset with ``/proc/self/clear_refs`` first) and its increase over
the RSS just before them; on CUDA ``torch.cuda.max_memory_allocated``.
Meant to run in a fresh process per configuration (``run_benchmarks.py``
does that), so that the memory figures are that configuration's own.

Usage::

    python benchmarks/bench_models.py '{"yaml": "aasist_fica.yaml"}'

(see ``DEFAULTS`` for the keys; the result is printed as one JSON line).

Authors
 * speechbrain-fica contributors 2026
"""

import json
import os
import resource
import statistics
import sys
import tempfile
import time

import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HPARAMS_DIR = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019", "hparams")

DEFAULTS = {
    "yaml": "aasist.yaml",
    "mode": "train",  # train | infer | convs
    "hparam_overrides": {},  # e.g. {"aasist_implementation": "faithful"}
    "device": "cpu",
    "precision": "fp32",  # fp32 | bf16 | fp16 (fp16: CUDA only)
    "compile": False,
    "batch_size": 8,
    "segment_samples": None,  # None: the yaml's
    "warmup": 1,
    "steps": 3,
    "breakdown": False,
    "seed": 0,
    # as the recipes' train.py: glibc keeps freed memory (fewer page faults)
    "keep_freed_memory": True,
}


def memory_status():
    """Current and peak resident set size of this process in MiB (Linux)."""
    values = {}
    try:
        with open("/proc/self/status", encoding="utf-8") as stream:
            for line in stream:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
    except OSError:  # not Linux: the lifetime peak only
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        values = {"VmRSS": float("nan"), "VmHWM": peak}
    return values


def reset_peak_memory(device):
    """Restarts the peak-memory measurement; returns the current use (MiB)."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        return torch.cuda.memory_allocated() / 2**20
    try:  # "5" resets VmHWM to the current RSS (Linux >= 4.0)
        with open("/proc/self/clear_refs", "w", encoding="utf-8") as stream:
            stream.write("5")
    except OSError:
        pass
    return memory_status()["VmRSS"]


def peak_memory(device):
    """Peak memory (MiB) since :func:`reset_peak_memory`."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() / 2**20
    return memory_status()["VmHWM"]


def synchronize(device):
    """Waits for queued GPU work, so that wall times are complete."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def load_hparams(config, folder):
    """The yaml's hyperparameters with the benchmark's overrides."""
    from hyperpyyaml import load_hyperpyyaml

    overrides = {"data_folder": folder, "output_folder": folder}
    if config["segment_samples"]:
        overrides["segment_samples"] = config["segment_samples"]
    overrides.update(config["hparam_overrides"])
    path = os.path.join(HPARAMS_DIR, config["yaml"])
    with open(path, encoding="utf-8") as stream:
        return load_hyperpyyaml(stream, overrides)


def synthetic_batch(batch_size, n_samples, seed):
    """A fixed, seeded PaddedBatch (half bona fide) like the recipe's."""
    from speechbrain.dataio.batch import PaddedBatch

    generator = torch.Generator().manual_seed(seed)
    wavs = 0.1 * torch.randn(batch_size, n_samples, generator=generator)
    return PaddedBatch(
        [
            {
                "id": f"utt{index:04d}",
                "sig": wavs[index],
                "target": torch.LongTensor([index % 2]),
            }
            for index in range(batch_size)
        ]
    )


def timed(function, device, repeats):
    """Wall seconds, process-CPU seconds and minor page faults of each of
    ``repeats`` calls of ``function``: ``{"wall": [...], "cpu": [...],
    "faults": [...]}``.

    On CPU the page faults tell the steps that had to map fresh memory
    (the kernel zeroes every new page) from those that reused the heap;
    on a shared machine their number, and so the step time, varies.
    """
    times = {"wall": [], "cpu": [], "faults": []}
    for _ in range(repeats):
        synchronize(device)
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        synchronize(device)
        times["wall"].append(time.perf_counter() - wall)
        times["cpu"].append(time.process_time() - cpu)
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
        times["faults"].append(faults)
    return times


def summary(times):
    """Median / min wall time, median CPU time and page faults of a
    :func:`timed` result."""
    return {
        "median_s": statistics.median(times["wall"]),
        "min_s": min(times["wall"]),
        "cpu_median_s": statistics.median(times["cpu"]),
        "page_faults_median": statistics.median(times["faults"]),
        "times_s": times["wall"],
        "page_faults": times["faults"],
    }


def fica_breakdown(brain, batch, device, repeats):
    """Times the parts of a FICA step separately (after the real steps).

    The backbone forward+backward is timed on the clean batch and on the
    joint (clean + masked) batch; the other parts are what the FICA step
    adds around it.
    """
    batch = batch.to(brain.device)
    wavs, lengths = batch.sig
    targets = batch.target.data.reshape(-1)
    model, modules = brain.modules.model, brain.modules
    parts = {}

    def backbone(inputs, input_lengths):
        def step():
            with brain.training_ctx:
                logits, embedding = model(inputs, input_lengths)
                loss = logits.float().sum() + embedding.float().sum()
            loss.backward()
            model.zero_grad(set_to_none=True)

        return step

    parts["backbone_fwd_bwd_clean"] = backbone(wavs, lengths)
    if "masker" in modules:
        masked = modules.masker(wavs)
        parts["masker"] = lambda: modules.masker(wavs)
        parts["backbone_fwd_bwd_joint"] = backbone(
            torch.cat([wavs, masked]), torch.cat([lengths, lengths])
        )
    if "momentum_encoder" in modules:
        encoder = modules.momentum_encoder

        def keys():
            with brain.training_ctx:
                encoder(wavs, lengths)

        parts["momentum_encoder_forward"] = keys
        parts["momentum_encoder_ema_update"] = lambda: encoder.update(model)
        bank = modules.memory_bank
        embedding = torch.randn(
            len(wavs), bank.keys.shape[1], device=brain.device
        )

        def bank_step():
            from speechbrain_fica.nnet.losses import (
                instance_correlation_loss,
            )

            bank_keys, bank_labels = bank.contents()
            instance_correlation_loss(
                embedding, targets, bank_keys, bank_labels
            )
            bank.enqueue(embedding, targets)

        parts["memory_bank_loss_and_enqueue"] = bank_step
    model.train()
    results = {}
    for name, function in parts.items():
        results[name] = summary(timed(function, device, repeats))
    brain.optimizer.zero_grad(set_to_none=True)
    return results


def run_train(config, hparams):
    """Times ``fit_batch`` of the recipe's FICABrain."""
    from speechbrain_fica.brain import FICABrain

    run_opts = {
        "device": config["device"],
        "precision": config["precision"],
        "noprogressbar": True,
    }
    if config["compile"]:
        run_opts.update(compile=True, compile_module_keys=["model"])
    brain = FICABrain(
        modules=hparams["modules"],
        opt_class=hparams["opt_class"],
        hparams=hparams,
        run_opts=run_opts,
        checkpointer=None,
    )
    brain.on_fit_start()  # compiles, builds the optimiser, syncs the EMA
    brain.on_stage_start(sb_stage("TRAIN"), 1)
    brain.modules.train()
    batch = synthetic_batch(
        config["batch_size"], hparams["segment_samples"], config["seed"]
    )
    device = config["device"]
    before = reset_peak_memory(device)
    first = timed(lambda: brain.fit_batch(batch), device, 1)
    if config["warmup"] > 1:
        timed(lambda: brain.fit_batch(batch), device, config["warmup"] - 1)
    times = timed(lambda: brain.fit_batch(batch), device, config["steps"])
    peak = peak_memory(device)
    result = summary(times)
    result.update(
        first_step_s=first["wall"][0],
        memory_before_mib=before,
        peak_memory_mib=peak,
        step_memory_mib=peak - before,
        loss_weights=brain.loss_weights(),
    )
    if config["breakdown"]:
        result["breakdown"] = fica_breakdown(
            brain, batch, device, config["steps"]
        )
    return result


def sb_stage(name):
    """``speechbrain.Stage`` by name (imported lazily)."""
    import speechbrain as sb

    return getattr(sb.Stage, name)


def run_infer(config, hparams):
    """Times the backbone's eval-mode forward on a batch."""
    from speechbrain.utils.autocast import AMPConfig

    device = config["device"]
    model = hparams["model"].to(device).eval()
    if config["compile"]:
        model = torch.compile(model)
    batch = synthetic_batch(
        config["batch_size"], hparams["segment_samples"], config["seed"]
    ).to(device)
    wavs, lengths = batch.sig
    dtype = AMPConfig.from_name(config["precision"]).dtype
    autocast = torch.autocast(
        device_type=torch.device(device).type,
        dtype=dtype,
        enabled=config["precision"] != "fp32",
    )

    def forward():
        with torch.inference_mode(), autocast:
            model(wavs, lengths)

    before = reset_peak_memory(device)
    first = timed(forward, device, max(config["warmup"], 1))
    times = timed(forward, device, config["steps"])
    peak = peak_memory(device)
    result = summary(times)
    audio_s = wavs.numel() / hparams["sample_rate"]
    result.update(
        first_step_s=first["wall"][0],
        memory_before_mib=before,
        peak_memory_mib=peak,
        step_memory_mib=peak - before,
        utterances_per_s=len(wavs) / result["median_s"],
        audio_samples_per_s=wavs.numel() / result["median_s"],
        real_time_factor=result["median_s"] / audio_s,
    )
    return result


class ConvolutionRecorder(torch.overrides.TorchFunctionMode):
    """Records the arguments of every ``conv1d`` / ``conv2d`` call.

    Each record keeps the tensors' shapes, strides and ``requires_grad``
    (not their values), enough to replay the call with the same kernels.
    """

    FUNCTIONS = (torch.conv1d, torch.conv2d)

    def __init__(self):
        super().__init__()
        self.calls = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in self.FUNCTIONS:
            names = ("input", "weight", "bias", "stride", "padding")
            names += ("dilation", "groups")
            bound = {**dict(zip(names, args)), **kwargs}
            dims = 1 if func is torch.conv1d else 2

            def expand(value, default):
                value = default if value is None else value
                if isinstance(value, str):  # padding="same" / "valid"
                    raise ValueError(
                        f"{func.__name__}: string padding {value!r} cannot "
                        "be replayed; give the padding as numbers"
                    )
                return [value] * dims if isinstance(value, int) else value

            self.calls.append(
                {
                    "function": func,
                    "tensors": {
                        name: (
                            tuple(tensor.shape),
                            tuple(tensor.stride()),
                            tensor.requires_grad,
                        )
                        for name in ("input", "weight", "bias")
                        if (tensor := bound.get(name)) is not None
                    },
                    "stride": list(expand(bound.get("stride"), 1)),
                    "padding": list(expand(bound.get("padding"), 0)),
                    "dilation": list(expand(bound.get("dilation"), 1)),
                    "groups": bound.get("groups") or 1,
                }
            )
        return func(*args, **kwargs)


def replay_convolution(call, device, dtype, repeats):
    """Times one recorded convolution alone: forward, and the backward
    passes autograd needed for it (input and/or weight gradient)."""
    tensors = {
        name: torch.empty_strided(shape, stride, device=device, dtype=dtype)
        .normal_()
        .requires_grad_(needs_grad)
        for name, (shape, stride, needs_grad) in call["tensors"].items()
    }
    x, weight, bias = (tensors.get(k) for k in ("input", "weight", "bias"))
    options = [call[k] for k in ("stride", "padding", "dilation", "groups")]

    def forward():
        with torch.no_grad():
            return call["function"](x, weight, bias, *options)

    output = forward()
    kernel = weight[0].numel()  # input channels per group x kernel size
    pass_gflop = 2 * output.numel() * kernel / 1e9
    fwd_walls = timed(forward, device, repeats + 1)["wall"]
    mask = [t is not None and t.requires_grad for t in (x, weight, bias)]
    result = {
        "input": list(x.shape),
        "weight": list(weight.shape),
        "forward_s": statistics.median(fwd_walls[1:]),
        "backward_s": 0.0,
        "gflop": pass_gflop * (1 + mask[0] + mask[1]),
    }
    if any(mask):
        grad = torch.randn_like(output)

        def backward():
            torch.ops.aten.convolution_backward(
                grad,
                x,
                weight,
                None if bias is None else list(bias.shape),
                options[0],
                options[1],
                options[2],
                False,
                [0] * len(options[0]),
                options[3],
                mask,
            )

        bwd_walls = timed(backward, device, repeats + 1)["wall"]
        result["backward_s"] = statistics.median(bwd_walls[1:])
    return result


def run_convs(config, hparams):
    """Times the convolutions of one training forward, each alone."""
    from speechbrain.utils.autocast import AMPConfig

    device = config["device"]
    dtype = AMPConfig.from_name(config["precision"]).dtype
    model = hparams["model"].to(device).train()
    wavs = synthetic_batch(
        config["batch_size"], hparams["segment_samples"], config["seed"]
    ).sig[0]
    recorder = ConvolutionRecorder()
    with recorder:
        model(wavs.to(device))
    before = reset_peak_memory(device)
    convs = [
        replay_convolution(call, device, dtype, config["steps"])
        for call in recorder.calls
    ]
    forward_s = sum(c["forward_s"] for c in convs)
    backward_s = sum(c["backward_s"] for c in convs)
    gflop = sum(c["gflop"] for c in convs)
    size = 2048
    a, b = (torch.randn(size, size, device=device, dtype=dtype) for _ in "ab")
    gemm_walls = timed(lambda: a @ b, device, config["steps"] + 1)["wall"]
    peak = peak_memory(device)
    return {
        "convolutions": convs,
        "conv_forward_s": forward_s,
        "conv_backward_s": backward_s,
        "conv_gflop": gflop,
        "conv_gflops": gflop / (forward_s + backward_s),
        "gemm_gflops": 2 * size**3 / statistics.median(gemm_walls[1:]) / 1e9,
        # the fields every mode reports (the total is the "step")
        "median_s": forward_s + backward_s,
        "min_s": forward_s + backward_s,
        "first_step_s": forward_s + backward_s,
        "memory_before_mib": before,
        "peak_memory_mib": peak,
        "step_memory_mib": peak - before,
    }


def run(config):
    """Runs one configuration; returns its JSON-serialisable result."""
    config = {**DEFAULTS, **config}
    if config["keep_freed_memory"]:
        from speechbrain_fica.utils.performance import keep_freed_memory

        keep_freed_memory()
    torch.manual_seed(config["seed"])
    with tempfile.TemporaryDirectory() as folder:
        hparams = load_hparams(config, folder)
        model = hparams["model"]
        result = {
            "config": config,
            "segment_samples": hparams["segment_samples"],
            "parameters": sum(p.numel() for p in model.parameters()),
            "implementation": getattr(model, "implementation", None),
        }
        modes = {"train": run_train, "infer": run_infer, "convs": run_convs}
        result.update(modes[config["mode"]](config, hparams))
    result["load_average"] = os.getloadavg()
    return result


def main():
    """Reads the configuration (JSON) from argv, prints the result."""
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    print(json.dumps(run(config)))


if __name__ == "__main__":
    main()
