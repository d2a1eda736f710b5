"""Scale and reliability of the recipes: DDP, kill-and-resume, precision.

* Two processes (torchrun, gloo, CPU) with a total batch of 8
  (``batch_size_scope: total``, 4 per process) train like one process
  with a batch of 8: same logged losses, same final scores (the memory
  bank gathers every process's keys; SyncBatchNorm; the crops and band
  masks are keyed by utterance, not by process).
* A run killed with SIGKILL in the middle of an epoch and restarted ends
  with the same checkpoint and scores as an uninterrupted run.

Authors
 * speechbrain-fica contributors 2026
"""

import glob
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import pytest
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
SCRIPT = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019", "train.py")
HPARAMS = os.path.join(
    REPO_ROOT, "recipes", "ASVspoof2019", "hparams", "minispoof_lcnn_fica.yaml"
)
COMMON = [
    "--device=cpu",
    "--noprogressbar",
    "--num_workers=0",
    "--segment_samples=8000",
    "--bank_size=32",
]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(SCRIPT), REPO_ROOT, env.get("PYTHONPATH", "")]
    )
    env["OMP_NUM_THREADS"] = "1"
    return env


def _run(command, timeout=600):
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def _scores(output):
    with open(os.path.join(output, "eval", "scores_eval.txt")) as f:
        return {u: float(s) for u, _, _, s in map(str.split, f)}


def _train_losses(output):
    """Per-epoch train loss terms, from train_log.txt (without the
    gradient norms, which each process measures on its own batch)."""
    epochs = []
    with open(os.path.join(output, "train_log.txt")) as f:
        for line in f:
            if line.startswith("epoch:"):
                terms = re.findall(r"train ([\w/]+): ([-+.\de]+)", line)
                epochs.append(
                    {
                        k: float(v)
                        for k, v in terms
                        if not k.startswith("gnorm_")
                    }
                )
    return epochs


def test_ddp_two_processes_equal_one_process(tiny_la2019, tmp_path):
    data = f"--data_folder={tiny_la2019}"
    # Dropout off: each process has its own random stream, which would make
    # the dropout masks (only) depend on the process split.
    flags = [*COMMON, "--number_of_epochs=2", "--sorting=none", "--dropout=0"]
    single = str(tmp_path / "single")
    _run(
        [sys.executable, SCRIPT, HPARAMS, data, f"--output_folder={single}"]
        + flags
        + ["--batch_size=8"]
    )
    ddp = str(tmp_path / "ddp")
    _run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            SCRIPT,
            HPARAMS,
            data,
            f"--output_folder={ddp}",
            "--distributed_backend=gloo",
        ]
        + flags
        + ["--batch_size=8"]
    )
    single_losses, ddp_losses = _train_losses(single), _train_losses(ddp)
    assert len(single_losses) == len(ddp_losses) == 2
    for ours, theirs in zip(single_losses, ddp_losses):
        assert (
            set(ours) == set(theirs) >= {"ce_clean", "ce_masked", "inf", "ini"}
        )
        for term in ours:
            # train_log.txt keeps 4 significant digits
            assert theirs[term] == pytest.approx(ours[term], rel=2e-3), term
    single_scores, ddp_scores = _scores(single), _scores(ddp)
    assert single_scores.keys() == ddp_scores.keys()
    for utt, score in single_scores.items():
        assert ddp_scores[utt] == pytest.approx(score, abs=1e-4), utt
    # Outputs are written once, by the main process.
    with open(os.path.join(ddp, "eval", "scores_eval.txt")) as f:
        assert len(f.readlines()) == len(single_scores)


def _intra_epoch_checkpoint_of_epoch(save_folder, epoch):
    for folder in glob.glob(os.path.join(save_folder, "CKPT+*")):
        meta = os.path.join(folder, "CKPT.yaml")
        counter = os.path.join(folder, "counter.ckpt")
        if not (os.path.isfile(meta) and os.path.isfile(counter)):
            continue
        with open(meta) as f, open(counter) as g:
            if "brain_intra_epoch_ckpt" in f.read() and g.read().strip() == str(
                epoch
            ):
                return folder
    return None


def _last_checkpoint(output):
    folders = sorted(glob.glob(os.path.join(output, "save", "CKPT+*")))
    folders = [
        d for d in folders if os.path.isfile(os.path.join(d, "CKPT.yaml"))
    ]
    latest = max(
        folders, key=lambda d: int(open(os.path.join(d, "counter.ckpt")).read())
    )
    return latest


def test_killed_run_resumes_to_the_same_result(tiny_la2019, tmp_path):
    data = f"--data_folder={tiny_la2019}"
    flags = [*COMMON, "--number_of_epochs=3", "--batch_size=4"]
    flags += ["--ckpt_interval_steps=1", "--dropout=0.3"]  # dropout: RNG
    reference = str(tmp_path / "reference")
    _run(
        [sys.executable, SCRIPT, HPARAMS, data, f"--output_folder={reference}"]
        + flags
    )

    resumed = str(tmp_path / "resumed")
    command = [
        sys.executable,
        SCRIPT,
        HPARAMS,
        data,
        f"--output_folder={resumed}",
    ] + flags
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    save = os.path.join(resumed, "save")
    while _intra_epoch_checkpoint_of_epoch(save, 2) is None:
        assert process.poll() is None, "the run ended before it was killed"
        assert time.time() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not os.path.exists(os.path.join(resumed, "eval"))
    _run(command)

    assert _train_losses(resumed) == _train_losses(reference)
    assert _scores(resumed) == _scores(reference)
    last = {
        name: _last_checkpoint(out)
        for name, out in (("a", reference), ("b", resumed))
    }
    for name in ("model.ckpt", "momentum_encoder.ckpt", "memory_bank.ckpt"):
        first = torch.load(os.path.join(last["a"], name), weights_only=True)
        second = torch.load(os.path.join(last["b"], name), weights_only=True)
        assert first.keys() == second.keys()
        for key in first:
            assert torch.equal(first[key], second[key]), (name, key)

    # Every torch checkpoint file loads with weights-only loading.
    for path in glob.glob(os.path.join(resumed, "save", "CKPT+*", "*.ckpt")):
        if zipfile.is_zipfile(path):
            torch.load(path, weights_only=True)


@pytest.mark.parametrize(
    "system", ["aasist_fica", "aasist_l_fica", "rawnet2_fica", "lcnn_fica"]
)
def test_bf16_training_with_fica(tiny_la2019, tmp_path, system):
    """--precision bf16 (CPU autocast) trains every backbone with FICA;
    evaluation runs in float32 (--eval_precision default) and the score
    file holds float32 scores."""
    output = str(tmp_path / system)
    hparams = HPARAMS.replace("minispoof_lcnn_fica", system)
    _run(
        [sys.executable, SCRIPT, hparams, f"--data_folder={tiny_la2019}"]
        + [f"--output_folder={output}", *COMMON]
        + ["--number_of_epochs=1", "--batch_size=4", "--precision=bf16"]
    )
    scores = _scores(output)
    assert len(scores) == 12
    assert all(torch.isfinite(torch.tensor(s)) for s in scores.values())
    # float32, not bfloat16: the scores are not all on the bf16 grid
    grid = [
        torch.tensor(s).bfloat16().float().item() == s for s in scores.values()
    ]
    assert not all(grid)
    losses = _train_losses(output)[0]
    assert all(torch.isfinite(torch.tensor(v)) for v in losses.values())


def test_compiled_training_with_fica(tiny_la2019, tmp_path):
    """--compile (torch.compile of the modules) trains with FICA; the
    checkpoint keeps the plain backbone keys. (One backbone here: compiling
    on a CPU takes minutes. The same run with rawnet2_fica, aasist_l_fica
    and aasist_fica passed once outside the suite in 57 s, 175 s and 142 s
    on 2 cores.)"""
    output = str(tmp_path / "compiled")
    hparams = HPARAMS.replace("minispoof_lcnn_fica", "lcnn_fica")
    _run(
        [sys.executable, SCRIPT, hparams, f"--data_folder={tiny_la2019}"]
        + [f"--output_folder={output}", *COMMON]
        + ["--number_of_epochs=1", "--batch_size=4", "--compile"],
        timeout=900,
    )
    assert len(_scores(output)) == 12
    state = torch.load(
        os.path.join(_last_checkpoint(output), "model.ckpt"), weights_only=True
    )
    assert not any(key.startswith("_orig_mod") for key in state)
