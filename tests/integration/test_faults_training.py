"""Fault injection on the training and data-preparation side.

One named test per fault: a NaN sample in a training, dev or eval file, a
NaN batch that reaches training anyway (one process and two DDP processes),
a dev EER that cannot be computed, truncated and corrupt FLAC files, stale
manifests, an options pickle left by an older version, a training set
smaller than one batch, and summaries with values that are not finite.
Each test asserts the exact outcome: the message names the file, the state
is bit-identical, the best checkpoint survives, the JSON is strict.

Authors
 * speechbrain-fica contributors 2026
"""

import copy
import glob
import importlib.util
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import soundfile
import speechbrain as sb
import torch
from speechbrain.dataio.batch import PaddedBatch
from speechbrain.dataio.dataset import DynamicItemDataset
from speechbrain.utils.epoch_loop import EpochCounter
from speechbrain.utils.train_logger import FileTrainLogger

from speechbrain_fica.brain import (
    FICABrain,
    check_training_batches,
    dataset_fingerprint,
)
from speechbrain_fica.dataio.audio import AudioError, crop_or_tile
from speechbrain_fica.dataio.datasets import countermeasure_dataset
from speechbrain_fica.lobes import LCNN
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
)
from speechbrain_fica.metrics.asvspoof2021.evaluate import write_summary_2021
from speechbrain_fica.utils.checkpoints import Checkpointer
from tests.utils.samples import REPO_ROOT, fsdd_clips


def _load_recipe_module(folder, name):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(REPO_ROOT, "recipes", folder, f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prepare_2019 = _load_recipe_module("ASVspoof2019", "asvspoof2019_prepare")
prepare_2021 = _load_recipe_module("ASVspoof2021", "asvspoof2021_prepare")


@pytest.fixture(autouse=True)
def one_thread():
    """One intra-op thread: these tiny steps run many times slower when
    two threads compete with other work for two cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def strict_json(path):
    """A JSON file read by a strict reader (NaN / Infinity refused)."""

    def refuse(constant):
        raise ValueError(f"{path}: non-standard JSON constant {constant}")

    with open(path, encoding="utf-8") as stream:
        return json.load(stream, parse_constant=refuse)


def copy_corpus(tiny_la2019, tmp_path):
    """A private copy of the tiny ASVspoof 2019 LA tree."""
    return shutil.copytree(tiny_la2019, str(tmp_path / "LA"))


def audio_path(la, split, utt):
    return os.path.join(la, f"ASVspoof2019_LA_{split}", "flac", f"{utt}.flac")


def write_nan_audio(path):
    """Rewrites a file as float samples (WAV inside, as FLAC holds only
    integers) with one NaN."""
    samples, rate = soundfile.read(path, dtype="float32")
    samples[100] = np.nan
    soundfile.write(path, samples, rate, format="WAV", subtype="FLOAT")


# ---------------------------------------------------------------------------
# Non-finite audio
# ---------------------------------------------------------------------------


def test_nan_training_file_is_named_or_skipped_by_preparation(
    tiny_la2019, tmp_path
):
    la = copy_corpus(tiny_la2019, tmp_path)
    bad = audio_path(la, "train", "LA_T_1000003")
    write_nan_audio(bad)
    with pytest.raises(ValueError) as error:
        prepare_2019.prepare_asvspoof2019(
            la, str(tmp_path / "a"), splits=("train",)
        )
    assert f"{bad}: 1 non-finite sample(s) (NaN or inf), the first at " in (
        str(error.value)
    )
    out = str(tmp_path / "b")
    paths = prepare_2019.prepare_asvspoof2019(
        la, out, splits=("train",), on_bad_audio="skip"
    )
    manifest = pd.read_csv(paths["train"])
    assert len(manifest) == 15
    assert "LA_T_1000003" not in set(manifest["ID"])
    skipped = pd.read_csv(os.path.join(out, "skipped_train.csv"))
    assert skipped["utt"].tolist() == ["LA_T_1000003"]
    assert "non-finite sample" in skipped["reason"][0]
    summary = strict_json(os.path.join(out, "prepare_summary.json"))
    assert summary["train"]["skipped"] == 1


@pytest.mark.parametrize(
    "split, utt", [("dev", "LA_D_1000004"), ("eval", "LA_E_1000007")]
)
def test_nan_dev_or_eval_file_stops_preparation_naming_it(
    tiny_la2019, tmp_path, split, utt
):
    la = copy_corpus(tiny_la2019, tmp_path)
    bad = audio_path(la, split, utt)
    write_nan_audio(bad)
    with pytest.raises(ValueError) as error:
        prepare_2019.prepare_asvspoof2019(la, str(tmp_path / "out"))
    message = str(error.value)
    assert message.startswith("1 of 12 audio files in ")
    assert f"{bad}: 1 non-finite sample(s)" in message


def test_nan_file_in_a_manifest_is_refused_by_the_dataset(tmp_path):
    """A manifest made without the preparation: the dataset names the
    file before its samples reach a model."""
    bad = str(tmp_path / "nan.wav")
    soundfile.write(bad, np.full(800, np.nan), 16000, subtype="FLOAT")
    csv = str(tmp_path / "train.csv")
    with open(csv, "w") as f:
        f.write(f"ID,duration,wav,label\nu1,0.05,{bad},spoof\n")
    dataset = countermeasure_dataset(csv, segment_samples=1600, train=True)
    with pytest.raises(AudioError, match=f"{bad}: 800 non-finite sample"):
        dataset[0]


# ---------------------------------------------------------------------------
# A non-finite batch in training
# ---------------------------------------------------------------------------


def speech_batch():
    """Two bona fide clips and two spoofs, 8000 samples each."""
    from speechbrain_fica.dataio.audio import load_waveform

    items = []
    for target, method in ((1, "bonafide"), (0, "a_world_resynth")):
        for path in fsdd_clips(method)[:2]:
            items.append(
                {
                    "id": f"{method}_{os.path.basename(path)}",
                    "sig": crop_or_tile(load_waveform(path), 8000),
                    "target": torch.LongTensor([target]),
                }
            )
    return PaddedBatch(items)


def fica_brain():
    """FICA with every term on; the momentum encoder embeds in train mode,
    so that its BatchNorm statistics move in the forward too."""
    torch.manual_seed(0)
    model = LCNN(stacking="channels")
    brain = FICABrain(
        modules={
            "model": model,
            "masker": BandPassMasker(bank_size=16),
            "momentum_encoder": MomentumEncoder(model, 0.9, key_mode="train"),
            "memory_bank": MemoryBank(
                size=16, embedding_dim=model.embedding_dim
            ),
        },
        opt_class=lambda params: torch.optim.Adam(params, lr=1e-3),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "weight_masked_ce": 1.0,
            "lambda_inf": 0.1,
            "lambda_ini": 1.0,
        },
        run_opts={"device": "cpu", "nonfinite_patience": 1},
    )
    brain.on_fit_start()
    brain.modules.train()
    brain.nonfinite_count = 0  # set by SpeechBrain at each epoch start
    return brain


def training_state(brain):
    """Everything a training step may change, copied."""
    return copy.deepcopy(
        {
            "model": brain.modules.model.state_dict(),
            "optimizer": brain.optimizer.state_dict(),
            "momentum_encoder": brain.modules.momentum_encoder.state_dict(),
            "memory_bank": brain.modules.memory_bank.state_dict(),
            "scaler": brain.scaler.state_dict(),
            "term_sums": brain.term_sums,
            "term_count": brain.term_count,
        }
    )


def assert_identical(first, second, where=""):
    """Bit-identical nested states (tensors compared with torch.equal)."""
    if isinstance(first, dict):
        assert first.keys() == second.keys(), where
        for key in first:
            assert_identical(first[key], second[key], f"{where}/{key}")
    elif isinstance(first, (list, tuple)):
        assert len(first) == len(second), where
        for i, (a, b) in enumerate(zip(first, second)):
            assert_identical(a, b, f"{where}[{i}]")
    elif torch.is_tensor(first):
        assert torch.equal(first, second), where
    else:
        assert first == second, where


def test_nan_batch_leaves_training_state_bit_identical(caplog):
    brain = fica_brain()
    # An enabled AMP grad scaler (SpeechBrain's for fp16 on CUDA): its
    # scale and growth tracker must not move either.
    brain.scaler = torch.GradScaler("cpu", init_scale=2.0**10)
    batch = speech_batch()
    brain.fit_batch(batch)  # a finite step: Adam state, bank, EMA exist
    before = training_state(brain)
    assert before["optimizer"]["state"]  # there is optimiser state to keep
    assert before["scaler"]["_growth_tracker"] == 1  # the scaler is live

    nan_batch = speech_batch()
    nan_batch.sig.data[2, 100] = float("nan")
    with caplog.at_level(logging.WARNING, logger="speechbrain_fica.brain"):
        loss = brain.fit_batch(nan_batch)
    assert torch.isnan(loss)
    assert_identical(training_state(brain), before)
    assert brain.nonfinite_batches == 1 and brain.nonfinite_count == 1
    ids = list(nan_batch.id)
    assert f"utterances {', '.join(ids)} (non-finite input samples in: " in (
        caplog.text
    )
    assert f"non-finite input samples in: {ids[2]})" in caplog.text

    # The restored statistics are the live ones: a finite step moves them.
    brain.fit_batch(batch)
    after = training_state(brain)
    for name in ("model", "momentum_encoder"):
        running = [key for key in before[name] if "running_mean" in key]
        assert running, name
        assert all(
            not torch.equal(after[name][key], before[name][key])
            for key in running
        ), name
    assert int(brain.modules.momentum_encoder.num_updates) == 2
    # nonfinite_patience = 1: a second non-finite batch stops training.
    with pytest.raises(ValueError, match="patience is exhausted"):
        brain.fit_batch(nan_batch)


def test_ddp_one_process_nonfinite_both_skip(tmp_path):
    """Two gloo processes (tests/utils/ddp_faults.py): a NaN sample in one
    process's batch, then an infinite loss in one process only. Both
    processes skip both batches, take the one finite step, and end with
    identical weights, optimiser, momentum encoders and memory banks."""
    out = str(tmp_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO_ROOT, env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "tests.utils.ddp_faults",
        out,
    ]
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    log = result.stderr
    assert "training batch of utterances utt1, utt3 (non-finite input " in log
    assert "samples in: utt3)" in log
    assert "training batch of utterances utt5, utt7 (non-finite input " in log
    assert (
        "another process had a non-finite loss or output (utterances of "
        "this process's batch: utt4, utt6)"
    ) in log
    counters = [strict_json(f"{out}/rank{rank}.json") for rank in (0, 1)]
    assert counters == [{"nonfinite_batches": 2, "optimizer_steps": 1}] * 2
    first, second = (
        torch.load(f"{out}/rank{rank}.pt", weights_only=True) for rank in (0, 1)
    )
    assert_identical(first, second)
    assert int(first["momentum_encoder"]["num_updates"]) == 1
    # The bank holds the finite batch of both processes (2 x 2 keys).
    assert int(first["memory_bank"]["count"]) == 4
    for name in ("model", "momentum_encoder"):
        assert all(
            torch.isfinite(value).all() for value in first[name].values()
        )


# ---------------------------------------------------------------------------
# Checkpoint selection
# ---------------------------------------------------------------------------

N_PER_CLASS = 20
# Overlapping bona fide / spoof scores: the EER is 5 % per 2 overlaps.
OVERLAP_FOR_EER = {30.0: 12, 25.0: 10, 40.0: 16}


def dev_logits(case):
    """Logits of a dev set whose EER is ``case`` (a number) or cannot be
    computed (``nan_scores``, ``one_class``, ``two_scores``)."""
    if case in OVERLAP_FOR_EER:
        overlap = OVERLAP_FOR_EER[case]
        bonafide = torch.arange(N_PER_CLASS) + (N_PER_CLASS - overlap) + 0.5
        spoof = torch.arange(N_PER_CLASS, dtype=torch.float)
        scores = torch.cat([bonafide, spoof])
    elif case == "nan_scores":
        scores = torch.full((2 * N_PER_CLASS,), float("nan"))
    elif case == "two_scores":
        scores = (torch.arange(2 * N_PER_CLASS) % 2).float()
    else:
        scores = torch.arange(2 * N_PER_CLASS, dtype=torch.float)
    return torch.stack([torch.zeros_like(scores), scores], dim=1)


def dev_batch(case):
    targets = [1] * N_PER_CLASS + [0] * N_PER_CLASS
    if case == "one_class":
        targets = [1] * (2 * N_PER_CLASS)
    return PaddedBatch(
        [
            {"id": f"D{i}", "target": torch.LongTensor([t])}
            for i, t in enumerate(targets)
        ]
    )


def selection_brain(folder):
    model = torch.nn.Linear(2, 2)
    checkpointer = Checkpointer(
        os.path.join(folder, "save"), recoverables={"model": model}
    )
    return FICABrain(
        modules={"model": model},
        opt_class=lambda params: torch.optim.SGD(params, lr=0.1),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "train_logger": FileTrainLogger(
                os.path.join(folder, "train_log.txt")
            ),
            "epoch_counter": EpochCounter(4),
            "output_folder": folder,
            "ckpt_num_to_keep": 2,
        },
        run_opts={"device": "cpu"},
        checkpointer=checkpointer,
    )


def validate(brain, epoch, case):
    """One validation stage on a dev set of the given EER case; the model
    weights are set to the epoch number, to tell the checkpoints apart."""
    with torch.no_grad():
        brain.modules.model.weight.fill_(epoch)
    brain.on_stage_start(sb.Stage.VALID, epoch)
    batch = dev_batch(case)
    loss = brain.compute_objectives(
        {"logits": dev_logits(case)}, batch, sb.Stage.VALID
    )
    stage_loss = float(loss) if torch.isfinite(loss) else 0.0  # SpeechBrain
    brain.on_stage_end(sb.Stage.VALID, stage_loss, epoch)


@pytest.mark.parametrize(
    "case, reason",
    [
        ("nan_scores", "Invalid CM scores: bona fide scores contain 20 NaN"),
        ("one_class", "40 bona fide and 0 spoof trials"),
        ("two_scores", "only 2 distinct score value(s)"),
    ],
)
def test_uncomputable_dev_eer_keeps_the_best_checkpoint(
    tmp_path, caplog, case, reason
):
    folder = str(tmp_path)
    brain = selection_brain(folder)
    brain.init_optimizers()
    with caplog.at_level(logging.WARNING, logger="speechbrain_fica.brain"):
        for epoch, dev_case in enumerate([30.0, 25.0, case, 40.0], start=1):
            validate(brain, epoch, dev_case)
    metas = {}
    for checkpoint in brain.checkpointer.list_checkpoints():
        state = torch.load(checkpoint.paramfiles["model"], weights_only=True)
        metas[int(state["weight"][0, 0])] = checkpoint.meta["EER"]
    # Never NaN: the uncomputable EER is +inf, and the best survives.
    assert metas == {1: 30.0, 2: 25.0, 3: float("inf"), 4: 40.0}
    assert f"epoch 3: the dev EER is not computable ({reason}" in caplog.text
    brain.on_evaluate_start(min_key="EER")  # what evaluate_test_set loads
    assert torch.all(brain.modules.model.weight == 2.0)
    with open(os.path.join(folder, "train_log.txt")) as f:
        lines = f.read().splitlines()
    logged = [re.search(r"valid EER: ([^,]+)", line)[1] for line in lines]
    assert [float(value) for value in logged] == [
        30.0,
        25.0,
        pytest.approx(float("nan"), nan_ok=True),
        40.0,
    ]
    if case == "nan_scores":
        # Not the silent "valid loss 0.0000e+00" of the finite batches only.
        assert "valid loss: nan" in lines[2]
        assert "dev set: 1 batch(es) with a non-finite loss or scores" in (
            caplog.text
        )


def test_resuming_on_changed_data_warns(tmp_path, caplog):
    folder = str(tmp_path)
    first = selection_brain(folder)
    first.data_fingerprint = dataset_fingerprint(
        DynamicItemDataset({"a": {"wav": "a.flac"}, "b": {"wav": "b.flac"}})
    )
    first.init_optimizers()
    validate(first, 1, 30.0)
    saved = first.checkpointer.find_checkpoint()
    assert saved.meta["data"] == first.data_fingerprint
    # The same data: a silent resume.
    same = selection_brain(folder)
    same.data_fingerprint = first.data_fingerprint
    with caplog.at_level(logging.WARNING, logger="speechbrain_fica.brain"):
        assert not same.warn_if_resuming_other_data()
    assert "resuming from" not in caplog.text
    # A training manifest that lost a row: the resume is named.
    changed = selection_brain(folder)
    changed.data_fingerprint = dataset_fingerprint(
        DynamicItemDataset({"a": {"wav": "a.flac"}})
    )
    with caplog.at_level(logging.WARNING, logger="speechbrain_fica.brain"):
        assert changed.warn_if_resuming_other_data()
    assert f"resuming from {saved.path}, which was saved while" in caplog.text
    assert first.data_fingerprint in caplog.text


# ---------------------------------------------------------------------------
# Truncated and corrupt audio
# ---------------------------------------------------------------------------


def test_truncated_and_corrupt_flac_listed_in_one_error_or_skipped(
    tiny_la2019, tmp_path
):
    la = copy_corpus(tiny_la2019, tmp_path)
    truncated = audio_path(la, "train", "LA_T_1000002")
    corrupt = audio_path(la, "train", "LA_T_1000009")
    with open(truncated, "r+b") as f:
        f.truncate(os.path.getsize(truncated) // 2)
    with open(corrupt, "r+b") as f:
        middle = os.path.getsize(corrupt) // 2
        f.seek(middle)
        data = f.read(64)
        f.seek(middle)
        f.write(bytes(b ^ 0xFF for b in data))
    # Their headers are intact: only decoding finds them.
    assert soundfile.info(truncated).frames > 0
    assert soundfile.info(corrupt).frames > 0
    with pytest.raises(ValueError) as error:
        prepare_2019.prepare_asvspoof2019(
            la, str(tmp_path / "a"), splits=("train",)
        )
    message = str(error.value)
    assert message.startswith("2 of 16 audio files in ")
    for path in (truncated, corrupt):
        assert f"{path}: decoding failed after " in message
    assert message.count("a truncated or corrupt file") == 2

    out = str(tmp_path / "b")
    paths = prepare_2019.prepare_asvspoof2019(
        la, out, splits=("train",), on_bad_audio="skip"
    )
    skipped = pd.read_csv(os.path.join(out, "skipped_train.csv"))
    assert skipped["utt"].tolist() == ["LA_T_1000002", "LA_T_1000009"]
    assert (
        strict_json(os.path.join(out, "prepare_summary.json"))["train"][
            "skipped"
        ]
        == 2
    )
    # Every file left in the manifest decodes.
    dataset = countermeasure_dataset(paths["train"], segment_samples=8000)
    assert len(dataset) == 14
    assert all(torch.isfinite(item["sig"]).all() for item in dataset)


# ---------------------------------------------------------------------------
# Stale manifests, no pickle
# ---------------------------------------------------------------------------


def test_stale_manifest_is_rebuilt(tiny_la2019, tmp_path, caplog):
    la = copy_corpus(tiny_la2019, tmp_path)
    out = str(tmp_path / "out")
    dev_audio = audio_path(la, "dev", "LA_D_1000005")
    kept = str(tmp_path / "kept.flac")
    shutil.move(dev_audio, kept)
    options = {"splits": ("dev",), "on_missing": "skip"}
    csv = prepare_2019.prepare_asvspoof2019(la, out, **options)["dev"]
    assert len(pd.read_csv(csv)) == 11
    # The file restored: prepared again, with it.
    shutil.move(kept, dev_audio)
    with caplog.at_level(logging.INFO):
        prepare_2019.prepare_asvspoof2019(la, out, **options)
    assert "out of date (changed: audio folder " in caplog.text
    assert "LA_D_1000005" in set(pd.read_csv(csv)["ID"])
    # Nothing changed: kept as it is.
    stamp = os.stat(csv).st_mtime_ns
    caplog.clear()
    with caplog.at_level(logging.INFO):
        prepare_2019.prepare_asvspoof2019(la, out, **options)
    assert "already prepared: skipping" in caplog.text
    assert os.stat(csv).st_mtime_ns == stamp
    # The protocol shortened: prepared again, without the line.
    protocol = os.path.join(
        la, "ASVspoof2019_LA_cm_protocols", "ASVspoof2019.LA.cm.dev.trl.txt"
    )
    with open(protocol) as f:
        lines = f.read().splitlines()
    with open(protocol, "w") as f:
        f.write("\n".join(lines[:-1]) + "\n")
    prepare_2019.prepare_asvspoof2019(la, out, **options)
    manifest = pd.read_csv(csv)
    assert manifest["ID"].tolist() == [line.split()[1] for line in lines[:-1]]
    signature = strict_json(os.path.join(out, "prepare_signature.json"))
    assert signature["files"] == {
        os.path.abspath(protocol): [
            os.stat(protocol).st_size,
            os.stat(protocol).st_mtime_ns,
        ]
    }


def test_stale_2021_manifest_is_rebuilt(tiny_asvspoof2021, tmp_path):
    root = shutil.copytree(tiny_asvspoof2021, str(tmp_path / "data"))
    out = str(tmp_path / "out")
    trial = prepare_2021.read_trial_list(
        prepare_2021.trial_list_path(root, "DF")
    )[4]
    audio = os.path.join(
        prepare_2021.eval_folder(root, "DF"), "flac", f"{trial}.flac"
    )
    kept = str(tmp_path / "kept.flac")
    shutil.move(audio, kept)
    options = {"tracks": ["DF"], "on_missing": "skip"}
    csv = prepare_2021.prepare_asvspoof2021(root, out, **options)["DF"]
    assert len(pd.read_csv(csv)) == 15
    assert prepare_2021.read_skipped_trials(out, "DF") == [trial]
    shutil.move(kept, audio)
    prepare_2021.prepare_asvspoof2021(root, out, **options)
    assert len(pd.read_csv(csv)) == 16
    assert prepare_2021.read_skipped_trials(out, "DF") == []


class _LoadingMarker:
    """Unpickling this creates a file: it shows whether a pickle ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_old_options_pickle_is_not_loaded_and_no_pickle_is_written(
    tiny_la2019, tmp_path, caplog
):
    la = copy_corpus(tiny_la2019, tmp_path)
    out = str(tmp_path / "out")
    prepare_2019.prepare_asvspoof2019(la, out, splits=("dev",))
    marker = str(tmp_path / "the_pickle_ran")
    old_pickle = os.path.join(out, "prepare_options.pkl")
    with open(old_pickle, "wb") as f:
        pickle.dump(_LoadingMarker(marker), f)
    with caplog.at_level(logging.WARNING):
        prepare_2019.prepare_asvspoof2019(la, out, splits=("dev",))
    assert f"{old_pickle}: options file of an older version, not loaded" in (
        caplog.text
    )
    assert not os.path.exists(marker)
    assert not os.path.exists(old_pickle)
    written = sorted(os.listdir(out))
    assert written == [
        "dev.csv",
        "prepare_signature.json",
        "prepare_summary.json",
    ]
    for name in written:
        with open(os.path.join(out, name), "rb") as f:
            assert not f.read(2).startswith(b"\x80")  # no pickle protocol
    assert glob.glob(os.path.join(out, "**", "*.pkl"), recursive=True) == []


# ---------------------------------------------------------------------------
# Zero training batches
# ---------------------------------------------------------------------------


def test_zero_training_batches_is_an_error_before_training(tmp_path):
    data = {
        f"u{i}": {"sig": torch.zeros(800), "target": torch.LongTensor([i % 2])}
        for i in range(3)
    }
    train_set = DynamicItemDataset(data)
    train_set.set_output_keys(["id", "sig", "target"])
    counter = EpochCounter(1)
    brain = FICABrain(
        modules={"model": LCNN(stacking="channels")},
        opt_class=lambda params: torch.optim.Adam(params, lr=1e-3),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "sorting": "none",
            "epoch_counter": counter,
            "train_dataloader_opts": {"batch_size": 4, "drop_last": True},
            "valid_dataloader_opts": {"batch_size": 4},
        },
        run_opts={"device": "cpu", "noprogressbar": True},
    )
    with pytest.raises(ValueError) as error:
        brain.fit_recipe(train_set, None)
    assert str(error.value).startswith(
        "the training set has 3 utterance(s) (3 per process), fewer than "
        "one batch of 4 with drop_last: True: training would run on zero "
        "batches"
    )
    assert counter.current == 0  # nothing ran
    # Under DDP each process gets its share of the set.
    assert check_training_batches(9, {"batch_size": 4}, world_size=2) == 2
    with pytest.raises(ValueError, match=r"7 utterance\(s\) \(3 per process"):
        check_training_batches(
            7, {"batch_size": 4, "drop_last": True}, world_size=2
        )
    # A direct fit() over an empty loader stops at the end of the epoch.
    with pytest.raises(RuntimeError, match="epoch 1 ran no training batch"):
        brain.fit(
            EpochCounter(1),
            train_set,
            train_loader_kwargs={"batch_size": 4, "drop_last": True},
        )


# ---------------------------------------------------------------------------
# Strict JSON summaries
# ---------------------------------------------------------------------------


def test_summaries_are_strict_json_with_null_and_reason(tmp_path):
    folder = str(tmp_path / "relative_looking")
    brain = selection_brain(folder)
    brain.test_name = "eval"
    brain.on_stage_start(sb.Stage.TEST)
    batch = dev_batch("one_class")
    loss = brain.compute_objectives(
        {"logits": dev_logits("one_class")}, batch, sb.Stage.TEST
    )
    brain.on_stage_end(sb.Stage.TEST, float(loss))
    summary = strict_json(os.path.join(folder, "eval", "summary_eval.json"))
    assert summary["EER"] is None and summary["EER_threshold"] is None
    assert summary["null_reasons"] == {
        "EER": "40 bona fide and 0 spoof trials",
        "EER_threshold": "40 bona fide and 0 spoof trials",
    }
    assert os.path.isabs(summary["scores"])
    assert os.path.isfile(summary["scores"])

    path = str(tmp_path / "summary_2021.json")
    pooled = {"EER": float("nan"), "n_bonafide": 2, "n_spoof": 0}
    write_summary_2021({"DF": {"results": {"eval": pooled}}}, path, "eval")
    summary_2021 = strict_json(path)
    assert summary_2021["headline"] == {"DF": {"EER": None}}
    assert summary_2021["null_reasons"] == {
        "headline.DF.EER": "value was nan",
        "DF.results.eval.EER": "value was nan",
    }
