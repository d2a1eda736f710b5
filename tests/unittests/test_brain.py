"""Tests of FICABrain's InI reduction switch and gradient-norm logging.

Real speech (the LibriSpeech excerpts shipped for MiniSpoof-LA) goes
through a small LCNN; the gradient-norm ratios the Brain records are
checked against ``backward()`` of each weighted term alone.

Authors
 * speechbrain-fica contributors 2026
"""

import glob
import os

import pytest
import speechbrain as sb
import torch
from speechbrain.dataio.batch import PaddedBatch

import speechbrain_fica
from speechbrain_fica.brain import FICABrain
from speechbrain_fica.dataio.audio import crop_or_tile, load_waveform
from speechbrain_fica.lobes import LCNN
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
)

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


@pytest.fixture(scope="module")
def batch():
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


def make_brain(batch, **hparams):
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
    wavs, lengths = batch.sig
    keys = brain.modules.momentum_encoder(wavs, lengths)
    for _ in range(2):
        brain.modules.memory_bank.enqueue(keys, batch.target.data.reshape(-1))
    brain.modules.train()
    brain.step = 1
    return brain


def test_recorded_ratios_equal_backward_of_each_term(batch):
    # Separate forwards of the two views: the clean view's BatchNorm
    # statistics then do not depend on which terms are on.
    brain = make_brain(batch, joint_forward=False)
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
    brain.compute_objectives(outputs, batch, sb.Stage.TRAIN)
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
        for p in params:
            p.grad = None
        outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
        brain.compute_objectives(outputs, batch, sb.Stage.TRAIN).backward()
        squares = [p.grad.pow(2).sum() for p in params if p.grad is not None]
        norms[term] = float(torch.stack(squares).sum().sqrt())
    assert recorded["gnorm_ce"] == pytest.approx(norms["ce_clean"], rel=1e-4)
    for term in ("ce_masked", "inf", "ini"):
        expected = norms[term] / norms["ce_clean"]
        assert recorded[f"gnorm_{term}/ce"] == pytest.approx(
            expected, rel=1e-3
        ), term
    assert 0 < recorded["gnorm_inf/ce"] < recorded["gnorm_ce_masked/ce"]


def test_sum_reductions_scale_ini_by_pairs_and_anchors(batch):
    # 8 keys per class in the bank and 8 anchors: summing over each
    # anchor's pairs instead of averaging over its positives and negatives
    # multiplies InI by 8; summing over the anchors too, by 8 x 8.
    brain = make_brain(batch)
    outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
    ratios, losses = {}, {}
    for reduction in ("mean", "pair_sum", "sum"):
        brain.hparams.ini_reduction = reduction
        brain.term_sums, brain.term_count = {}, 0
        brain.gnorm_sums, brain.gnorm_counts = {}, {}
        brain.compute_objectives(outputs, batch, sb.Stage.TRAIN)
        ratios[reduction] = brain._gradient_norm_means()["gnorm_ini/ce"]
        losses[reduction] = brain.term_sums["ini"]
    for reduction, factor in (("pair_sum", 8), ("sum", 64)):
        assert losses[reduction] == pytest.approx(
            factor * losses["mean"], rel=1e-5
        )
        assert ratios[reduction] == pytest.approx(
            factor * ratios["mean"], rel=1e-4
        )


def test_ini_is_not_measured_while_the_bank_is_empty(batch):
    brain = make_brain(batch)
    brain.modules.memory_bank.count.zero_()
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
    brain.compute_objectives(outputs, batch, sb.Stage.TRAIN)
    recorded = brain._gradient_norm_means()
    assert "gnorm_ini/ce" not in recorded and "gnorm_inf/ce" in recorded


def test_measurement_steps_follow_grad_norm_every(batch):
    brain = make_brain(batch, grad_norm_every=3)
    brain.on_stage_start(sb.Stage.TRAIN)
    outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
    for step in range(1, 6):
        brain.step = step
        brain.compute_objectives(outputs, batch, sb.Stage.TRAIN)
    assert brain.gnorm_counts["gnorm_ce"] == 2  # steps 1 and 4


def test_invalid_options_are_clear_errors(batch):
    with pytest.raises(ValueError, match="ini_reduction"):
        make_brain(batch, ini_reduction="median")
    brain = make_brain(
        batch,
        batch_size_scope="global",
        sorting="random",
        train_dataloader_opts={"batch_size": 4},
    )
    with pytest.raises(ValueError, match="batch_size_scope"):
        brain.fit_recipe(None, None)
