"""FICABrain applies the training augmentation before the InF masking.

The masked view must be a band of the augmented waveform, the clean view
and the momentum encoder's keys must be the augmented waveform, and
validation and test batches must reach the model untouched.

Authors
 * speechbrain-fica contributors 2026
"""

import speechbrain as sb
import torch
from speechbrain.dataio.batch import PaddedBatch

from speechbrain_fica.augment import RawBoost
from speechbrain_fica.brain import FICABrain
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
)


class InputRecorder(torch.nn.Module):
    """A backbone that records the waveforms it is given."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)
        self.embedding_dim = 2
        self.inputs = []

    def forward(self, wavs, lengths=None):
        self.inputs.append(wavs.detach().clone())
        features = torch.stack([wavs.mean(1), wavs.std(1)], dim=1)
        return self.lin(features), features


class CallCounter(torch.nn.Module):
    """An augmentation step that counts its calls and adds an offset."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, wavs, lengths=None):
        self.calls += 1
        return wavs + 0.25


def tone_batch(n=4, n_samples=4000):
    t = torch.arange(n_samples) / 16000
    items = []
    for i in range(n):
        wav = 0.3 * torch.sin(2 * torch.pi * (300 + 150 * i) * t)
        items.append(
            {"id": f"utt{i}", "sig": wav, "target": torch.LongTensor([i % 2])}
        )
    return PaddedBatch(items)


def make_brain(augmentation):
    model = InputRecorder()
    modules = {
        "model": model,
        "masker": BandPassMasker(bank_size=16),
        "momentum_encoder": MomentumEncoder(model, momentum=0.9),
        "memory_bank": MemoryBank(size=16, embedding_dim=2),
    }
    return FICABrain(
        modules=modules,
        opt_class=lambda params: torch.optim.SGD(params, lr=0.1),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "weight_masked_ce": 1.0,
            "lambda_inf": 0.1,
            "lambda_ini": 0.1,
            "seed": 7,
            "augmentation": augmentation,
        },
        run_opts={"device": "cpu"},
    )


def test_masked_view_is_a_band_of_the_augmented_waveform():
    rawboost = RawBoost(algo=5)
    brain = make_brain([rawboost])
    batch = tone_batch()
    wavs = batch.sig.data
    keys = brain._mask_keys(batch)
    augmented = rawboost(wavs, keys=keys)
    assert not torch.equal(augmented, wavs)

    brain.compute_forward(batch, sb.Stage.TRAIN)
    (joint,) = brain.modules.model.inputs  # clean + masked, one forward
    clean, masked = joint[: len(wavs)], joint[len(wavs) :]
    assert torch.equal(clean, augmented)
    expected_masked = brain.modules.masker(augmented, keys=keys)
    assert torch.allclose(masked, expected_masked, atol=1e-6)
    # The memory-bank keys are embeddings of the augmented waveform.
    (key_input,) = brain.modules.momentum_encoder.encoder.inputs
    assert torch.equal(key_input, augmented)


def test_validation_and_test_batches_are_not_augmented():
    counter = CallCounter()
    brain = make_brain(counter)
    batch = tone_batch()
    brain.modules.eval()
    for stage in (sb.Stage.VALID, sb.Stage.TEST):
        brain.compute_forward(batch, stage)
        assert torch.equal(brain.modules.model.inputs[-1], batch.sig.data)
    assert counter.calls == 0
    brain.modules.train()
    brain.compute_forward(batch, sb.Stage.TRAIN)
    assert counter.calls == 1
    clean = brain.modules.model.inputs[-1][: len(batch.sig.data)]
    assert torch.equal(clean, batch.sig.data + 0.25)


def test_no_augmentation_by_default():
    brain = make_brain(None)
    batch = tone_batch()
    brain.compute_forward(batch, sb.Stage.TRAIN)
    clean = brain.modules.model.inputs[-1][: len(batch.sig.data)]
    assert torch.equal(clean, batch.sig.data)
