#!/usr/bin/env python3
"""Training-step and inference timing of one backbone configuration.

Builds the system exactly as a recipe does (the ASVspoof 2019 yaml through
hyperpyyaml, ``data_folder`` overridden), then either

* ``train``: times ``FICABrain.fit_batch`` on a fixed seeded synthetic
  batch (band-pass masking, joint forward of both views, momentum encoder,
  memory bank and EMA update included when the yaml enables FICA) and,
  with ``breakdown``, times the FICA components one by one; or
* ``infer``: times the backbone's eval-mode forward (``inference_mode``).

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
    "mode": "train",  # train | infer
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
    """Wall and process-CPU seconds of ``repeats`` calls of ``function``."""
    walls, cpus = [], []
    for _ in range(repeats):
        synchronize(device)
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        synchronize(device)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def summary(walls, cpus):
    """Median / min wall time and median CPU time of a timing list."""
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "cpu_median_s": statistics.median(cpus),
        "times_s": walls,
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
        walls, cpus = timed(function, device, repeats)
        results[name] = summary(walls, cpus)
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
    warm_walls, _ = timed(lambda: brain.fit_batch(batch), device, 1)
    if config["warmup"] > 1:
        timed(lambda: brain.fit_batch(batch), device, config["warmup"] - 1)
    walls, cpus = timed(lambda: brain.fit_batch(batch), device, config["steps"])
    peak = peak_memory(device)
    result = summary(walls, cpus)
    result.update(
        first_step_s=warm_walls[0],
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
    warm_walls, _ = timed(forward, device, max(config["warmup"], 1))
    walls, cpus = timed(forward, device, config["steps"])
    peak = peak_memory(device)
    result = summary(walls, cpus)
    audio_s = wavs.numel() / hparams["sample_rate"]
    result.update(
        first_step_s=warm_walls[0],
        memory_before_mib=before,
        peak_memory_mib=peak,
        step_memory_mib=peak - before,
        utterances_per_s=len(wavs) / result["median_s"],
        audio_samples_per_s=wavs.numel() / result["median_s"],
        real_time_factor=result["median_s"] / audio_s,
    )
    return result


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
        if config["mode"] == "train":
            result.update(run_train(config, hparams))
        else:
            result.update(run_infer(config, hparams))
    result["load_average"] = os.getloadavg()
    return result


def main():
    """Reads the configuration (JSON) from argv, prints the result."""
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    print(json.dumps(run(config)))


if __name__ == "__main__":
    main()
