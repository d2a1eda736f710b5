"""Unit tests of ``speechbrain_fica.brain.FICABrain`` on an LCNN and real
speech (FSDD bona fide clips and offline spoofs of them).

* which modules each loss-weight setting needs (a clear error otherwise),
  and ``masking_on`` / ``ini_on`` following the weights;
* ``fit_recipe``: ``sorting`` alone decides shuffling;
* one training step with every term: each term logged, the loss their
  weighted sum, the memory bank filled with the momentum encoder's keys of
  the batch, one EMA step;
* validation runs the backbone alone (no FICA term, no bank update);
* ``on_evaluate_start`` loads the backbone but no training-only state.

(Training dynamics over several steps for every backbone are in
``tests/integration/test_fica_training.py``.)

Tests of FICABrain's InI reduction switch and gradient-norm logging.

Real speech (the LibriSpeech excerpts shipped for MiniSpoof-LA) goes
through a small LCNN; the gradient-norm ratios the Brain records are
checked against ``backward()`` of each weighted term alone.

Authors
 * speechbrain-fica contributors 2026
"""

import copy
import glob
import os

import pytest
import speechbrain as sb
import torch
import torch.nn.functional as F
from speechbrain.dataio.batch import PaddedBatch
from speechbrain.utils.checkpoints import Checkpointer
from speechbrain.utils.epoch_loop import EpochCounter

import speechbrain_fica
from speechbrain_fica.brain import LOSS_TERMS, FICABrain
from speechbrain_fica.dataio.audio import crop_or_tile, load_waveform
from speechbrain_fica.lobes import LCNN
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
)
from tests.utils.samples import fsdd_clips

N_SAMPLES = 4000
WEIGHT_KEYS = {
    "ce_clean": "weight_clean_ce",
    "ce_masked": "weight_masked_ce",
    "inf": "lambda_inf",
    "ini": "lambda_ini",
}
ALL_TERMS = {
    "weight_clean_ce": 1.0,
    "weight_masked_ce": 1.0,
    "lambda_inf": 0.1,
    "lambda_ini": 0.5,
}


AUDIO = os.path.join(
    os.path.dirname(speechbrain_fica.__file__),
    "data",
    "minispoof",
    "librispeech",
    "audio",
)
WEIGHTS = {
    "ce_clean": "weight_clean_ce",
    "ce_masked": "weight_masked_ce",
    "inf": "lambda_inf",
    "ini": "lambda_ini",
}


def speech_batch():
    """Two bona fide clips and two spoofs (WORLD, Griffin-Lim), 0.25 s each."""
    paths = [
        (1, fsdd_clips("bonafide")[0]),
        (0, fsdd_clips("a_world_resynth")[1]),
        (1, fsdd_clips("bonafide")[5]),
        (0, fsdd_clips("c_griffinlim")[2]),
    ]
    return PaddedBatch(
        [
            {
                "id": f"{target}_{os.path.basename(path)}",
                "sig": crop_or_tile(load_waveform(path), N_SAMPLES),
                "target": torch.LongTensor([target]),
            }
            for target, path in paths
        ]
    )


def tiny_lcnn():
    """An LCNN on 32 mel bands every 16 ms (64-d embeddings)."""
    return LCNN(stacking="channels", n_mels=32, hop_length=16)


@pytest.fixture(scope="module")
def batch():
    return speech_batch()


def fica_modules(model, bank_size=32):
    return {
        "model": model,
        "masker": BandPassMasker(bank_size=16),
        "momentum_encoder": MomentumEncoder(model, momentum=0.9),
        "memory_bank": MemoryBank(bank_size, model.embedding_dim),
    }


def make_brain(modules, checkpointer=None, **hparams):
    return FICABrain(
        modules=modules,
        opt_class=lambda params: torch.optim.Adam(params, lr=1e-3),
        hparams={"classification_loss": torch.nn.CrossEntropyLoss(), **hparams},
        run_opts={"device": "cpu", "max_grad_norm": 1e9},
        checkpointer=checkpointer,
    )


# ---------------------------------------------------------------------------
# Which modules the weights need
# ---------------------------------------------------------------------------

SETTINGS = {
    # name: (weights, modules needed, masking_on, ini_on)
    "baseline": ({}, [], False, False),
    "masked CE only": ({"weight_masked_ce": 1.0}, ["masker"], True, False),
    "InF": (
        {"weight_masked_ce": 1.0, "lambda_inf": 0.1},
        ["masker"],
        True,
        False,
    ),
    "JS only": ({"lambda_inf": 0.1}, ["masker"], True, False),
    "InI": (
        {"lambda_ini": 1.0},
        ["momentum_encoder", "memory_bank"],
        False,
        True,
    ),
    "all": (ALL_TERMS, ["masker", "momentum_encoder", "memory_bank"], 1, 1),
}


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_modules_needed_by_the_weights(setting):
    weights, needed, masking_on, ini_on = SETTINGS[setting]
    model = tiny_lcnn()
    available = fica_modules(model)
    brain = make_brain(
        {"model": model, **{n: available[n] for n in needed}}, **weights
    )
    assert brain.masking_on == bool(masking_on)
    assert brain.ini_on == bool(ini_on)
    expected = dict.fromkeys(LOSS_TERMS, 0.0)
    expected["ce_clean"] = 1.0
    expected.update(
        {t: weights.get(k, expected[t]) for t, k in WEIGHT_KEYS.items()}
    )
    assert brain.weights == expected
    for missing in needed:
        modules = {"model": model}
        modules.update({n: available[n] for n in needed if n != missing})
        with pytest.raises(ValueError, match="need the modules") as error:
            make_brain(modules, **weights)
        assert f"'{missing}'" in str(error.value)
        assert "set their weight to 0" in str(error.value)


# ---------------------------------------------------------------------------
# fit_recipe
# ---------------------------------------------------------------------------


def test_fit_recipe_lets_sorting_alone_decide_shuffling(monkeypatch):
    calls = []
    options = {"batch_size": 2, "num_workers": 0}
    hparams = {
        "epoch_counter": EpochCounter(limit=1),
        "train_dataloader_opts": options,
        "valid_dataloader_opts": {"batch_size": 4},
    }
    for sorting, shuffle in (("random", True), ("none", False)):
        brain = make_brain({"model": tiny_lcnn()}, sorting=sorting, **hparams)
        monkeypatch.setattr(
            brain, "fit", lambda *args, **kwargs: calls.append(kwargs)
        )
        brain.fit_recipe("train set", "valid set")
        assert calls[-1]["train_loader_kwargs"] == {
            **options,
            "shuffle": shuffle,
        }
        assert calls[-1]["valid_loader_kwargs"] == {"batch_size": 4}
    assert "shuffle" not in options  # the yaml's options are not changed

    shuffled = dict(hparams, train_dataloader_opts={**options, "shuffle": True})
    brain = make_brain({"model": tiny_lcnn()}, sorting="random", **shuffled)
    monkeypatch.setattr(brain, "fit", lambda *args, **kwargs: calls.append(1))
    with pytest.raises(ValueError, match="remove 'shuffle'"):
        brain.fit_recipe("train set", "valid set")
    brain.hparams.sorting = "ascending"
    brain.hparams.train_dataloader_opts = options
    with pytest.raises(ValueError, match="sorting must be random or none"):
        brain.fit_recipe("train set", "valid set")
    assert len(calls) == 2  # fit never called after a refusal


# ---------------------------------------------------------------------------
# A training step with every term
# ---------------------------------------------------------------------------


def test_training_step_with_every_term(batch):
    torch.manual_seed(0)
    model = tiny_lcnn()
    brain = make_brain(fica_modules(model), **ALL_TERMS)
    brain.on_fit_start()
    brain.modules.train()
    bank, encoder = brain.modules.memory_bank, brain.modules.momentum_encoder
    # Keys from an earlier step: two per class.
    generator = torch.Generator().manual_seed(1)
    bank.enqueue(
        torch.randn(4, model.embedding_dim, generator=generator),
        torch.tensor([1, 0, 1, 0]),
    )
    wavs, lengths = batch.sig
    expected_keys = encoder(wavs, lengths)  # evaluation mode: deterministic
    encoder_before = copy.deepcopy(encoder.encoder.state_dict())

    brain.on_stage_start(sb.Stage.TRAIN)
    loss = brain.fit_batch(batch)

    assert set(brain.term_sums) == set(LOSS_TERMS) and brain.term_count == 1
    terms = brain.term_sums
    assert all(value > 0 for value in terms.values()), terms
    weighted = sum(
        ALL_TERMS[WEIGHT_KEYS[name]] * value for name, value in terms.items()
    )
    assert loss.item() == pytest.approx(weighted, rel=1e-5)
    # The bank got the momentum encoder's keys of the batch, oldest first.
    keys, labels = bank.contents()
    assert labels.tolist() == [1, 0, 1, 0] + batch.target.data[:, 0].tolist()
    torch.testing.assert_close(
        keys[4:], F.normalize(expected_keys, dim=-1), rtol=0, atol=1e-5
    )
    assert bank.class_counts() == {0: 4, 1: 4}
    # ... and took one EMA step towards the updated model.
    assert int(encoder.num_updates) == 1
    online = brain.modules.model.state_dict()
    for name, value in encoder.encoder.state_dict().items():
        if value.is_floating_point():
            expected = 0.9 * encoder_before[name] + 0.1 * online[name]
            torch.testing.assert_close(value, expected, msg=name)
    assert not torch.equal(online["out.bias"], encoder_before["out.bias"])
    # The logged averages at the end of the stage (the fit loop counts
    # the step).
    brain.step += 1
    brain.on_stage_end(sb.Stage.TRAIN, loss.item())
    for name in LOSS_TERMS:
        assert brain.train_stats[name] == pytest.approx(terms[name])
    assert brain.train_stats["bank_bonafide"] == 4


def test_masked_view_keys_enter_the_bank(batch):
    torch.manual_seed(0)
    model = tiny_lcnn()
    brain = make_brain(
        fica_modules(model), masked_view_in_bank=True, seed=3, **ALL_TERMS
    )
    brain.modules.train()
    with torch.no_grad():
        out = brain.compute_forward(batch, sb.Stage.TRAIN)
        brain.compute_objectives(out, batch, sb.Stage.TRAIN)
    wavs, lengths = batch.sig
    masked = brain.modules.masker(wavs, keys=brain._mask_keys(batch))
    expected = brain.modules.momentum_encoder(
        torch.cat([wavs, masked]), torch.cat([lengths, lengths])
    )
    torch.testing.assert_close(out["keys"], expected, rtol=0, atol=1e-5)
    keys, labels = brain._bank_items
    assert keys.shape[0] == 8
    assert labels.tolist() == 2 * batch.target.data[:, 0].tolist()


# ---------------------------------------------------------------------------
# Validation and evaluation
# ---------------------------------------------------------------------------


def test_validation_computes_no_fica_term(batch, monkeypatch):
    model = tiny_lcnn()
    brain = make_brain(fica_modules(model), **ALL_TERMS)
    brain.modules.eval()
    calls = []
    for name in ("masker", "momentum_encoder"):
        module = brain.modules[name]
        monkeypatch.setattr(
            module, "forward", lambda *a, name=name: calls.append(name)
        )
    bank_before = copy.deepcopy(brain.modules.memory_bank.state_dict())
    brain.on_stage_start(sb.Stage.VALID)
    with torch.no_grad():
        out = brain.compute_forward(batch, sb.Stage.VALID)
        loss = brain.compute_objectives(out, batch, sb.Stage.VALID)
    assert set(out) == {"logits", "embedding"}
    assert calls == []
    targets = batch.target.data[:, 0]
    assert loss.item() == pytest.approx(
        F.cross_entropy(out["logits"], targets).item(), rel=1e-6
    )
    assert brain.term_sums == {} and brain._bank_items is None
    for key, value in brain.modules.memory_bank.state_dict().items():
        assert torch.equal(value, bank_before[key]), key
    # The trials are scored with the bona fide logit.
    scores, labels, _ = brain.metrics.arrays()
    assert brain.metrics.ids == list(batch.id)
    assert labels.tolist() == targets.tolist()
    torch.testing.assert_close(
        torch.from_numpy(scores).float(), out["logits"][:, 1]
    )


def test_evaluate_start_loads_no_training_only_state(tmp_path):
    torch.manual_seed(0)
    model = tiny_lcnn()
    modules = fica_modules(model, bank_size=16)
    counter = EpochCounter(limit=3)
    counter.current = 2
    recoverables = {
        "model": model,
        "counter": counter,
        "memory_bank": modules["memory_bank"],
        "momentum_encoder": modules["momentum_encoder"],
    }
    checkpointer = Checkpointer(str(tmp_path), recoverables)
    # The Brain adds its own recoverables (brain, random_states).
    make_brain(modules, checkpointer=checkpointer, **ALL_TERMS)
    modules["memory_bank"].enqueue(
        torch.randn(3, model.embedding_dim), torch.tensor([1, 0, 1])
    )
    checkpointer.save_checkpoint(meta={"EER": 4.0})
    saved_weights = copy.deepcopy(model.state_dict())

    # A test-only run with another bank size and changed weights.
    new_model = tiny_lcnn()
    new_modules = fica_modules(new_model, bank_size=64)
    new_counter = EpochCounter(limit=3)
    new_checkpointer = Checkpointer(
        str(tmp_path),
        {
            "model": new_model,
            "counter": new_counter,
            "memory_bank": new_modules["memory_bank"],
            "momentum_encoder": new_modules["momentum_encoder"],
        },
    )
    tester = make_brain(new_modules, checkpointer=new_checkpointer, **ALL_TERMS)
    full = dict(new_checkpointer.recoverables)
    assert {"brain", "random_states"} <= set(full)
    encoder_weights = copy.deepcopy(
        new_modules["momentum_encoder"].state_dict()
    )
    tester.on_evaluate_start(min_key="EER")
    for key, value in new_model.state_dict().items():
        assert torch.equal(value, saved_weights[key]), key
    assert new_counter.current == 2
    # The bank (of another size) and the momentum encoder were left alone.
    assert int(new_modules["memory_bank"].count) == 0
    for key, value in new_modules["momentum_encoder"].state_dict().items():
        assert torch.equal(value, encoder_weights[key]), key
    assert new_checkpointer.recoverables == full
    # Loading everything would have failed on the bank's size.
    with pytest.raises(RuntimeError, match="size mismatch"):
        new_checkpointer.recover_if_possible(min_key="EER")
    # Without a checkpointer there is nothing to load.
    make_brain({"model": tiny_lcnn()}).on_evaluate_start()


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gnorm_batch():
    """Eight real utterances (0.5 s), labels alternating."""
    files = sorted(glob.glob(os.path.join(AUDIO, "*.flac")))[:8]
    items = [
        {
            "id": os.path.basename(path),
            "sig": crop_or_tile(load_waveform(path), 8000),
            "target": torch.LongTensor([i % 2]),
        }
        for i, path in enumerate(files)
    ]
    return PaddedBatch(items)


def make_gnorm_brain(gnorm_batch, **hparams):
    """An LCNN FICA Brain without dropout (deterministic forwards) whose
    memory bank holds the batch's keys twice (8 per class)."""
    torch.manual_seed(0)
    model = LCNN(stacking="channels", dropout=0.0)
    modules = {
        "model": model,
        "masker": BandPassMasker(bank_size=16),
        "momentum_encoder": MomentumEncoder(model, momentum=0.9),
        "memory_bank": MemoryBank(size=16, embedding_dim=96),
    }
    options = {
        "classification_loss": torch.nn.CrossEntropyLoss(),
        "weight_clean_ce": 1.0,
        "weight_masked_ce": 1.0,
        "lambda_inf": 0.1,
        "lambda_ini": 1.0,
        "grad_norm_every": 1,
    }
    options.update(hparams)
    brain = FICABrain(
        modules=modules,
        opt_class=lambda params: torch.optim.Adam(params, lr=1e-3),
        hparams=options,
        run_opts={"device": "cpu"},
    )
    brain.on_fit_start()
    wavs, lengths = gnorm_batch.sig
    keys = brain.modules.momentum_encoder(wavs, lengths)
    for _ in range(2):
        brain.modules.memory_bank.enqueue(
            keys, gnorm_batch.target.data.reshape(-1)
        )
    brain.modules.train()
    brain.step = 1
    return brain


def test_recorded_ratios_equal_backward_of_each_term(gnorm_batch):
    # Separate forwards of the two views: the clean view's BatchNorm
    # statistics then do not depend on which terms are on.
    brain = make_gnorm_brain(gnorm_batch, joint_forward=False)
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(gnorm_batch, sb.Stage.TRAIN)
    brain.compute_objectives(outputs, gnorm_batch, sb.Stage.TRAIN)
    recorded = brain._gradient_norm_means()
    assert set(recorded) == {
        "gnorm_ce",
        "gnorm_ce_masked/ce",
        "gnorm_inf/ce",
        "gnorm_ini/ce",
    }
    weights = dict(brain.loss_weights())
    params = [p for p in brain.modules.model.parameters() if p.requires_grad]
    norms = {}
    brain.hparams.grad_norm_every = 0
    for term in WEIGHTS:
        for other, key in WEIGHTS.items():
            setattr(brain.hparams, key, weights[term] if other == term else 0)
        brain.weights = brain.loss_weights()
        for p in params:
            p.grad = None
        outputs = brain.compute_forward(gnorm_batch, sb.Stage.TRAIN)
        brain.compute_objectives(
            outputs, gnorm_batch, sb.Stage.TRAIN
        ).backward()
        squares = [p.grad.pow(2).sum() for p in params if p.grad is not None]
        norms[term] = float(torch.stack(squares).sum().sqrt())
    assert recorded["gnorm_ce"] == pytest.approx(norms["ce_clean"], rel=1e-4)
    for term in ("ce_masked", "inf", "ini"):
        expected = norms[term] / norms["ce_clean"]
        assert recorded[f"gnorm_{term}/ce"] == pytest.approx(
            expected, rel=1e-3
        ), term
    assert 0 < recorded["gnorm_inf/ce"] < recorded["gnorm_ce_masked/ce"]


def test_sum_reductions_scale_ini_by_pairs_and_anchors(gnorm_batch):
    # 8 keys per class in the bank and 8 anchors: summing over each
    # anchor's pairs instead of averaging over its positives and negatives
    # multiplies InI by 8; summing over the anchors too, by 8 x 8.
    brain = make_gnorm_brain(gnorm_batch)
    outputs = brain.compute_forward(gnorm_batch, sb.Stage.TRAIN)
    ratios, losses = {}, {}
    for reduction in ("mean", "pair_sum", "sum"):
        brain.hparams.ini_reduction = reduction
        brain.term_sums, brain.term_count = {}, 0
        brain.gnorm_sums, brain.gnorm_counts = {}, {}
        brain.compute_objectives(outputs, gnorm_batch, sb.Stage.TRAIN)
        ratios[reduction] = brain._gradient_norm_means()["gnorm_ini/ce"]
        losses[reduction] = brain.term_sums["ini"]
    for reduction, factor in (("pair_sum", 8), ("sum", 64)):
        assert losses[reduction] == pytest.approx(
            factor * losses["mean"], rel=1e-5
        )
        assert ratios[reduction] == pytest.approx(
            factor * ratios["mean"], rel=1e-4
        )


def test_ini_is_not_measured_while_the_bank_is_empty(gnorm_batch):
    brain = make_gnorm_brain(gnorm_batch)
    brain.modules.memory_bank.count.zero_()
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(gnorm_batch, sb.Stage.TRAIN)
    brain.compute_objectives(outputs, gnorm_batch, sb.Stage.TRAIN)
    recorded = brain._gradient_norm_means()
    assert "gnorm_ini/ce" not in recorded and "gnorm_inf/ce" in recorded


def test_measurement_steps_follow_grad_norm_every(gnorm_batch):
    brain = make_gnorm_brain(gnorm_batch, grad_norm_every=3)
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(gnorm_batch, sb.Stage.TRAIN)
    for step in range(1, 6):
        brain.step = step
        brain.compute_objectives(outputs, gnorm_batch, sb.Stage.TRAIN)
    assert brain.gnorm_counts["gnorm_ce"] == 2  # steps 1 and 4


def test_invalid_options_are_clear_errors(gnorm_batch):
    with pytest.raises(ValueError, match="ini_reduction"):
        make_gnorm_brain(gnorm_batch, ini_reduction="median")
    brain = make_gnorm_brain(
        gnorm_batch,
        batch_size_scope="global",
        sorting="random",
        train_dataloader_opts={"batch_size": 4},
    )
    with pytest.raises(ValueError, match="batch_size_scope"):
        brain.fit_recipe(None, None)
