"""Tests that AASIST's fast implementation computes the faithful function.

The fast path (channels-last convolutions, fused front-end pooling,
``exp``-based in-place SELU) must give the official checkpoints' reference
logits, the faithful path's logits and embeddings (eval) and gradients and
BatchNorm statistics (train), from the same parameters and ``state_dict``.

Authors
 * speechbrain-fica contributors 2026
"""

import pytest
import torch

from speechbrain_fica.lobes import AASIST
from tests.utils.samples import expected_outputs, official_weights

NAMES = ["AASIST", "AASIST-L"]


def official_state(name):
    """The official checkpoint's state_dict (CPU)."""
    path = official_weights(name)
    return torch.load(path, map_location="cpu", weights_only=True)


def build_pair(name, state=None, device="cpu"):
    """Faithful and fast models holding the same parameters."""
    torch.manual_seed(0)
    faithful = AASIST.from_name(name, implementation="faithful")
    if state is not None:
        faithful.load_state_dict(state, strict=True)
    fast = AASIST.from_name(name, implementation="fast")
    fast.load_state_dict(faithful.state_dict(), strict=True)
    return faithful.to(device), fast.to(device)


def waveforms(n_samples, batch=2, seed=1, dtype=torch.float32, device="cpu"):
    """A small reproducible waveform batch."""
    generator = torch.Generator().manual_seed(seed)
    wavs = 0.1 * torch.randn(batch, n_samples, generator=generator)
    return wavs.to(device=device, dtype=dtype)


@pytest.mark.parametrize("name", NAMES)
def test_fast_path_gives_the_reference_logits(
    reference_waveforms, name, device
):
    reference = expected_outputs()["aasist_pretrained_reference_logits"][name]
    model = AASIST.from_name(name, implementation="fast")
    model.load_state_dict(official_state(name), strict=True)
    with torch.no_grad():
        logits, embedding = model.to(device).eval()(
            reference_waveforms.to(device)
        )
    logits, embedding = logits.cpu(), embedding.cpu()
    expected = torch.tensor(reference["logits"])
    assert torch.allclose(logits, expected, atol=1e-4, rtol=0)
    sums = torch.tensor(reference["last_hidden_row_sums"])
    assert torch.allclose(embedding.sum(1), sums, atol=1e-3, rtol=0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_samples", [64600, 16001, 23457])
def test_fast_and_faithful_eval_outputs_agree(name, n_samples, device):
    state = official_state(name)
    faithful, fast = build_pair(name, state, device)
    wavs = waveforms(n_samples, device=device)
    with torch.no_grad():
        logits, embedding = faithful.eval()(wavs)
        fast_logits, fast_embedding = fast.eval()(wavs)
    assert torch.allclose(fast_logits, logits, atol=1e-4, rtol=0)
    assert torch.allclose(fast_embedding, embedding, atol=1e-4, rtol=1e-5)


def test_fast_and_faithful_encoders_agree_at_random_initialisation(device):
    faithful, fast = build_pair("AASIST", device=device)
    wavs = waveforms(20001, batch=3, device=device)
    with torch.no_grad():
        expected = faithful.eval().encode(wavs)
        encoded = fast.eval().encode(wavs)
    assert encoded.is_contiguous(memory_format=torch.channels_last)
    scale = expected.abs().max()
    assert torch.allclose(encoded, expected, atol=1e-5 * scale, rtol=0)


def train_step(model, wavs):
    """Gradients (flattened) after one loss.backward() in train mode; the
    dropout masks are drawn from the same seed for both paths."""
    model.train().zero_grad(set_to_none=True)
    torch.manual_seed(2)
    logits, embedding = model(wavs)
    (logits[:, 1].sum() + 0.01 * embedding.sum()).backward()
    return torch.cat(
        [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    )


@pytest.mark.parametrize("name", NAMES)
def test_train_gradients_are_identical_in_float64(name, device):
    """In float64 the rounding is negligible: the two paths compute the
    same function, so logits, gradients and BatchNorm statistics match to
    about 1e-12."""
    state = official_state(name)
    faithful, fast = build_pair(name, state, device)
    faithful.double()
    fast.double()
    wavs = waveforms(12000, dtype=torch.float64, device=device)
    expected, grads = train_step(faithful, wavs), train_step(fast, wavs)
    assert torch.allclose(grads, expected, rtol=1e-9, atol=1e-9)
    for (key, a), (_, b) in zip(
        faithful.state_dict().items(), fast.state_dict().items()
    ):
        assert torch.allclose(b.double(), a.double(), rtol=1e-9), key


@pytest.mark.parametrize("name", NAMES)
def test_train_gradients_agree_in_float32(name, device):
    """In float32 the paths round differently (e.g. oneDNN's channels-last
    kernels sum in another order); through BatchNorm over a small batch and
    the max-pooling / top-k selections this moves gradients by about 5e-4
    of their scale (up to 1e-2 for inputs with near-ties)."""
    state = official_state(name)
    faithful, fast = build_pair(name, state, device)
    wavs = waveforms(16000, device=device)
    expected, grads = train_step(faithful, wavs), train_step(fast, wavs)
    assert (grads - expected).norm() <= 5e-3 * expected.norm()
    assert (grads - expected).abs().max() <= 5e-3 * expected.abs().max()
    stats = ("running_mean", "running_var", "num_batches_tracked")
    for (key, a), (_, b) in zip(
        faithful.state_dict().items(), fast.state_dict().items()
    ):
        if key.endswith(stats):
            assert torch.allclose(b.float(), a.float(), atol=1e-4), key


@pytest.mark.parametrize("name", NAMES)
def test_implementations_share_parameters_and_state_dict_keys(name):
    faithful, fast = build_pair(name)
    assert list(fast.state_dict()) == list(faithful.state_dict())
    shapes = [p.shape for p in faithful.parameters()]
    assert [p.shape for p in fast.parameters()] == shapes
    assert faithful.implementation == "faithful"
    assert AASIST.from_name(name).implementation == "fast"


def test_implementation_can_be_switched_after_construction():
    model = AASIST.from_name("AASIST-L").eval()
    wavs = waveforms(16000)
    with torch.no_grad():
        fast_logits, _ = model(wavs)
        model.implementation = "faithful"
        logits, _ = model(wavs)
    assert torch.allclose(fast_logits, logits, atol=1e-4, rtol=0)


def test_unknown_implementation_is_a_clear_error():
    with pytest.raises(ValueError, match="implementation"):
        AASIST(implementation="turbo")
