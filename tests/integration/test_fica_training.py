"""FICA training steps on real speech for every backbone.

Bona fide clips and offline spoofs (WORLD, Griffin-Lim, MLSA, espeak-ng) of
the shared corpus go through a few FICA steps. Each loss term is measured
twice under identical randomness (same masks, dropout and memory bank):
after a short warm-up with the classification loss only, and after the
FICA steps; every term must have gone down.

Authors
 * speechbrain-fica contributors 2026
"""

import copy
import os

import pytest
import speechbrain as sb
import torch
from speechbrain.dataio.batch import PaddedBatch
from speechbrain.lobes.models.Xvector import Xvector

from speechbrain_fica.brain import FICABrain
from speechbrain_fica.dataio.audio import crop_or_tile, load_waveform
from speechbrain_fica.lobes import AASIST, LCNN, RawNet2
from speechbrain_fica.lobes.adapters import WaveformAdapter
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
)
from tests.utils.samples import fsdd_clips

SPOOF_METHODS = ["a_world_resynth", "c_griffinlim", "h_sptk_mlsa", "d_espeak"]


def speech_batch(n_per_class, n_samples):
    """Real bona fide clips and offline spoofs, tiled to ``n_samples``."""
    bonafide = fsdd_clips("bonafide")
    spoof = []
    for i in range(n_per_class):
        spoof.append(fsdd_clips(SPOOF_METHODS[i % len(SPOOF_METHODS)])[i])
    items = []
    for target, files in ((1, bonafide[:n_per_class]), (0, spoof)):
        for path in files:
            items.append(
                {
                    "id": f"{target}_{os.path.basename(path)}",
                    "sig": crop_or_tile(load_waveform(path), n_samples),
                    "target": torch.LongTensor([target]),
                }
            )
    return PaddedBatch(items)


BACKBONES = {
    # name: (builder, clips per class, samples per clip, learning rate)
    "AASIST-L": (lambda: AASIST.from_name("AASIST-L"), 4, 8000, 1e-3),
    "RawNet2": (lambda: RawNet2(), 8, 16000, 1e-4),
    "LCNN": (lambda: LCNN(stacking="channels"), 8, 16000, 1e-3),
    "Xvector-adapter": (
        lambda: WaveformAdapter(
            Xvector(in_channels=40, lin_neurons=128), embedding_dim=128
        ),
        8,
        16000,
        1e-3,
    ),
}


def make_brain(model, lr, device="cpu"):
    modules = {
        "model": model,
        "masker": BandPassMasker(bank_size=64),
        "momentum_encoder": MomentumEncoder(model, momentum=0.9),
        "memory_bank": MemoryBank(size=64, embedding_dim=model.embedding_dim),
    }
    brain = FICABrain(
        modules=modules,
        opt_class=lambda params: torch.optim.Adam(params, lr=lr),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "weight_clean_ce": 1.0,
            "weight_masked_ce": 1.0,
            "lambda_inf": 0.1,
            "lambda_ini": 1.0,
        },
        run_opts={"device": device, "max_grad_norm": 1e9},
    )
    brain.on_fit_start()
    brain.modules.train()
    return brain


def set_weights(brain, **weights):
    """Sets loss weights; returns the previous ones."""
    previous = {}
    for key, value in weights.items():
        previous[key] = getattr(brain.hparams, key, 1.0)
        setattr(brain.hparams, key, value)
    brain.weights = brain.loss_weights()
    return previous


TERM_WEIGHTS = {
    "ce_clean": "weight_clean_ce",
    "ce_masked": "weight_masked_ce",
    "inf": "lambda_inf",
    "ini": "lambda_ini",
}


def term_loss(brain, batch, term, seed=7):
    """One loss term, differentiable, under fixed randomness (the same band
    masks and dropout masks at every call)."""
    previous = set_weights(
        brain, **{w: float(t == term) for t, w in TERM_WEIGHTS.items()}
    )
    torch.manual_seed(seed)
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
    loss = brain.compute_objectives(outputs, batch, sb.Stage.TRAIN)
    brain._bank_items = None
    set_weights(brain, **previous)
    return loss


def test_term_loss_isolates_one_term():
    batch = speech_batch(2, 8000)
    brain = make_brain(LCNN(stacking="channels"), 1e-3)
    brain.fit_batch(batch)  # fills the bank
    for term in TERM_WEIGHTS:
        loss = term_loss(brain, batch, term)
        assert set(brain.term_sums) >= {term}
        assert loss.item() == pytest.approx(brain.term_sums[term])


def descent_step_reduces(brain, batch, term, steps=(2e-3, 5e-4, 1.25e-4)):
    """A small step along the negative gradient of ``term`` alone lowers
    ``term`` (backtracking over step lengths: AASIST's top-k graph pooling
    makes the loss only piecewise smooth)."""
    model = brain.modules.model
    state = copy.deepcopy(model.state_dict())
    params = [p for p in model.parameters() if p.requires_grad]
    before = term_loss(brain, batch, term)
    grads = torch.autograd.grad(before, params, allow_unused=True)
    pairs = [(p, g) for p, g in zip(params, grads) if g is not None]
    norm = torch.sqrt(sum(g.pow(2).sum() for _, g in pairs))
    for step_length in steps:
        with torch.no_grad():
            for param, grad in pairs:
                param.sub_(step_length * grad / norm)
            after = term_loss(brain, batch, term)
        model.load_state_dict(state)
        if after < before:
            break
    return before.item(), after.item(), len(pairs)


@pytest.mark.parametrize("name", list(BACKBONES))
def test_fica_steps_on_real_speech(name, device):
    torch.manual_seed(0)
    build, n_per_class, n_samples, lr = BACKBONES[name]
    batch = speech_batch(n_per_class, n_samples)
    brain = make_brain(build(), lr, device)

    # A short warm-up on the classification loss makes the predictions
    # confident, so the two views disagree and JS is not trivially 0.
    fica = set_weights(
        brain, weight_masked_ce=0.0, lambda_inf=0.0, lambda_ini=0.0
    )
    for _ in range(3):
        brain.fit_batch(batch)
    set_weights(brain, **fica)
    encoder = brain.modules.momentum_encoder
    encoder_start = copy.deepcopy(encoder.encoder.state_dict())

    for _ in range(4):
        brain.on_stage_start(sb.Stage.TRAIN)
        loss = brain.fit_batch(batch)
        assert torch.isfinite(loss)
        assert set(brain.term_sums) == set(TERM_WEIGHTS)
        assert all(
            torch.isfinite(torch.tensor(v)) for v in brain.term_sums.values()
        )

    # The momentum encoder moved, and lags behind the model (an EMA).
    assert int(encoder.num_updates) == 4
    moved = [
        not torch.equal(encoder_start[key], value)
        for key, value in encoder.encoder.state_dict().items()
        if value.is_floating_point()
    ]
    assert any(moved)
    online = dict(brain.modules.model.named_parameters())
    assert any(
        not torch.allclose(param, online[key])
        for key, param in encoder.encoder.named_parameters()
        if online[key].requires_grad
    )
    counts = brain.modules.memory_bank.class_counts()
    assert counts.get(0, 0) == counts.get(1, 0) == 4 * n_per_class

    # Every term is finite, non-trivial, and decreases along its gradient.
    for term in TERM_WEIGHTS:
        before, after, n_params = descent_step_reduces(brain, batch, term)
        assert n_params > 0, term
        assert 0 < after < before, (term, before, after)


def test_non_finite_loss_is_skipped_and_logged(caplog):
    """A batch whose loss is NaN (here: a NaN waveform) leaves the weights,
    the memory bank and the momentum encoder untouched, is logged and
    counted; SpeechBrain stops after ``nonfinite_patience`` such batches."""
    torch.manual_seed(0)
    batch = speech_batch(2, 8000)
    model = LCNN(stacking="channels")
    brain = make_brain(model, 1e-3)
    brain.skip_nonfinite_grads = True
    brain.nonfinite_patience = 1
    brain.nonfinite_count = 0  # set by SpeechBrain at each epoch start
    brain.fit_batch(batch)  # a finite step first: the bank holds 4 keys
    weights = copy.deepcopy(model.state_dict())
    bank = copy.deepcopy(brain.modules.memory_bank.state_dict())
    updates = int(brain.modules.momentum_encoder.num_updates)

    batch.sig.data[1, 100] = float("nan")
    with caplog.at_level("WARNING"):
        loss = brain.fit_batch(batch)
    assert not torch.isfinite(loss)
    assert brain.nonfinite_batches == 1 and brain.nonfinite_count == 1
    assert "non-finite loss" in caplog.text
    for key, value in model.state_dict().items():
        if value.is_floating_point() and "running" not in key:
            assert torch.equal(value, weights[key]), key
    for key, value in brain.modules.memory_bank.state_dict().items():
        assert torch.equal(value, bank[key]), key
    assert int(brain.modules.momentum_encoder.num_updates) == updates
    with pytest.raises(ValueError, match="patience is exhausted"):
        brain.fit_batch(batch)
