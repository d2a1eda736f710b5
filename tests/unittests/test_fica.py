"""Tests of the FICA training modules (``speechbrain_fica.lobes.fica``):
what the InF masker does to a waveform, the EMA arithmetic of the momentum
encoder, and the FIFO memory bank.

Tests of the InF band-pass filter bank (speechbrain_fica.lobes.fica).

Every filter of a bank is measured from its taps: the pass-band ripple and
the highest stop-band gain must meet the documented spec, and the design
must be the converged (equiripple) Parks-McClellan optimum.

Authors
 * speechbrain-fica contributors 2026
"""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.signal import freqz, remez

from speechbrain_fica.lobes import fica
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
    band_pass_responses,
    design_band_pass,
)

SAMPLE_RATE = 16000


# Lower edges (Hz) of the default bank whose designs did not converge with
# scipy's default of 25 Remez iterations.
HARD_EDGES = np.linspace(160.0, 5840.0, 512)[[180, 196, 201, 326, 331]]


@pytest.fixture(scope="module")
def masker():
    return BandPassMasker(bank_size=32)


def white_noise(batch, n_samples, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return 0.1 * torch.randn(batch, n_samples, generator=generator)


def band_power(wav, low, high):
    """Power of ``wav`` between ``low`` and ``high`` Hz (FFT)."""
    spectrum = np.abs(np.fft.rfft(wav.double().numpy())) ** 2
    freqs = np.fft.rfftfreq(wav.shape[-1], 1 / SAMPLE_RATE)
    return spectrum[(freqs >= low) & (freqs <= high)].sum()


def keys_of(ids, epoch=1, seed=0):
    return [(seed, epoch, utt) for utt in ids]


# ---------------------------------------------------------------------------
# BandPassMasker
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("zero_phase", [True, False])
@pytest.mark.parametrize("n_samples", [100, 255, 16001])
def test_masker_keeps_the_length(n_samples, zero_phase):
    masker = BandPassMasker(
        bank_size=4,
        n_taps=63,
        zero_phase=zero_phase,
        max_ripple_db=5.0,
        max_stopband_db=-10.0,
    )
    wavs = white_noise(3, n_samples)
    assert masker(wavs).shape == (3, n_samples)


def test_masker_energy_is_in_the_drawn_band(masker):
    wavs = white_noise(6, SAMPLE_RATE)
    keys = keys_of([f"LA_T_{i}" for i in range(6)])
    index = masker.draw(6, keys=keys)
    masked = masker(wavs, keys=keys)
    lows = masker.low_edges[index].tolist()
    assert len({round(low) for low in lows}) > 3  # several bands drawn
    for wav, out, low in zip(wavs, masked, lows):
        high = low + masker.passband_width
        total = band_power(out, 0, SAMPLE_RATE / 2)
        # Nearly all the energy lies in the band and its transitions ...
        assert band_power(out, low - 160, high + 160) / total > 0.995
        # ... the band itself passes at full strength ...
        ratio = band_power(out, low, high) / band_power(wav, low, high)
        assert 0.9 < ratio < 1.1
        # ... and the rest of the spectrum is strongly attenuated.
        outside = band_power(out, 0, low - 160) + band_power(
            out, high + 160, SAMPLE_RATE / 2
        )
        outside_input = band_power(wav, 0, low - 160) + band_power(
            wav, high + 160, SAMPLE_RATE / 2
        )
        assert outside / outside_input < 1e-3


@pytest.mark.parametrize("zero_phase", [True, False])
def test_masker_delay(zero_phase):
    # A tone inside every passband: it passes unchanged, in place when the
    # filter delay is compensated, (n_taps - 1) / 2 samples late otherwise.
    masker = BandPassMasker(
        bank_size=4, min_low_edge=1000, max_low_edge=1500, zero_phase=zero_phase
    )
    t = torch.arange(8000) / SAMPLE_RATE
    tone = 0.5 * torch.sin(2 * torch.pi * 2200 * t).unsqueeze(0)
    out = masker(tone, keys=keys_of(["utt"]))
    delay = 0 if zero_phase else (masker.n_taps - 1) // 2
    middle = slice(1000, 7000)
    shifted = tone[0, middle.start - delay : middle.stop - delay]
    assert (out[0, middle] - shifted).abs().max() < 0.01
    if not zero_phase:
        assert (out[0, middle] - tone[0, middle]).abs().max() > 0.1


def test_masker_keys_make_draws_deterministic_and_batch_independent(masker):
    ids = [f"LA_T_{i}" for i in range(5)]
    wavs = white_noise(5, 4000, seed=1)
    torch.manual_seed(0)
    full = masker(wavs, keys=keys_of(ids))
    torch.manual_seed(123)  # the global generator plays no part
    again = masker(wavs, keys=keys_of(ids))
    assert torch.equal(full, again)
    # An utterance gets the same band in another batch, at another place.
    order = [3, 0]
    part = masker(wavs[order], keys=keys_of([ids[i] for i in order]))
    torch.testing.assert_close(part, full[order], rtol=0, atol=1e-6)
    other_masker = BandPassMasker(bank_size=32)
    assert torch.equal(
        other_masker.draw(5, keys=keys_of(ids)),
        masker.draw(5, keys=keys_of(ids)),
    )
    # Other epochs or seeds give other bands.
    many = [f"utt{i}" for i in range(20)]
    epoch_1 = masker.draw(20, keys=keys_of(many, epoch=1))
    epoch_2 = masker.draw(20, keys=keys_of(many, epoch=2))
    seed_2 = masker.draw(20, keys=keys_of(many, seed=2))
    assert (epoch_1 != epoch_2).sum() > 10
    assert (epoch_1 != seed_2).sum() > 10
    assert (epoch_1 >= 0).all() and (epoch_1 < 32).all()
    with pytest.raises(ValueError, match="3 keys for 5 items"):
        masker.draw(5, keys=keys_of(ids[:3]))


def test_masker_generator_draws():
    masker = BandPassMasker(bank_size=8)
    first = masker.draw(16, generator=torch.Generator().manual_seed(4))
    second = masker.draw(16, generator=torch.Generator().manual_seed(4))
    assert torch.equal(first, second)
    assert len(set(first.tolist())) > 2


def test_masker_mask_probability():
    wavs = white_noise(4, 3000)
    keys = keys_of(["a", "b", "c", "d"])
    never = BandPassMasker(bank_size=4, mask_prob=0.0)
    assert (never.draw(4, keys=keys) == -1).all()
    assert torch.equal(never(wavs, keys=keys), wavs)
    assert torch.equal(never(wavs), wavs)
    half = BandPassMasker(bank_size=4, mask_prob=0.5)
    index = half.draw(400, keys=keys_of([f"u{i}" for i in range(400)]))
    assert 0.4 < (index >= 0).float().mean() < 0.6
    # Unmasked rows come back exactly; masked ones do not.
    mixed = half.filter_with(wavs, torch.tensor([-1, 2, -1, 0]))
    assert torch.equal(mixed[[0, 2]], wavs[[0, 2]])
    assert not torch.allclose(mixed[[1, 3]], wavs[[1, 3]], atol=1e-3)


def test_masker_argument_errors():
    with pytest.raises(ValueError, match="odd number of taps"):
        BandPassMasker(bank_size=2, n_taps=64)
    with pytest.raises(ValueError, match="mask_prob must be in"):
        BandPassMasker(bank_size=2, mask_prob=1.5)


# ---------------------------------------------------------------------------
# MomentumEncoder
# ---------------------------------------------------------------------------


class TinyBackbone(torch.nn.Module):
    """(logits, embedding) from a linear layer, a batch norm and dropout."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(6, 4)
        self.norm = torch.nn.BatchNorm1d(4)
        self.drop = torch.nn.Dropout(0.5)
        self.out = torch.nn.Linear(4, 2)

    def forward(self, x, lengths=None):
        embedding = self.drop(self.norm(self.lin(x)))
        return self.out(embedding), embedding


def test_momentum_encoder_ema_arithmetic():
    torch.manual_seed(0)
    online = TinyBackbone()
    ema = MomentumEncoder(online, momentum=0.75)
    start = copy.deepcopy(ema.encoder.state_dict())
    online(torch.randn(8, 6))  # moves the online batch-norm statistics
    with torch.no_grad():
        for param in online.parameters():
            param.add_(torch.randn_like(param))
    first = copy.deepcopy(online.state_dict())
    ema.update(online)
    with torch.no_grad():
        for param in online.parameters():
            param.mul_(-2.0)
    ema.update(online)
    second = online.state_dict()
    for name, value in ema.encoder.state_dict().items():
        if value.is_floating_point():
            # Two EMA steps: a^2 * start + a (1 - a) * first + (1 - a) * second
            expected = (
                0.5625 * start[name]
                + 0.1875 * first[name]
                + 0.25 * second[name]
            )
            torch.testing.assert_close(value, expected, msg=name)
        else:  # the batch counter is copied
            assert torch.equal(value, second[name]), name
    assert int(ema.num_updates) == 2


def test_momentum_encoder_has_no_gradients_and_keeps_its_mode():
    torch.manual_seed(1)
    online = TinyBackbone()
    ema = MomentumEncoder(online, momentum=0.9)
    assert not any(p.requires_grad for p in ema.encoder.parameters())
    assert all(p.requires_grad for p in online.parameters())
    ema.train()
    x = torch.randn(5, 6, requires_grad=True)
    keys = ema(x)
    assert keys.shape == (5, 4) and not keys.requires_grad
    # Keys in evaluation mode (running statistics, no dropout), the mode
    # of the copy unchanged afterwards.
    assert ema.encoder.training
    reference = copy.deepcopy(ema.encoder).eval()
    torch.testing.assert_close(keys, reference(x)[1].detach())
    train_keys = MomentumEncoder(online, key_mode="train")
    torch.manual_seed(2)
    drawn = train_keys(x)
    assert (drawn == 0).any()  # dropout is on
    assert train_keys.encoder.training
    # A deep copy: the online model's later changes do not reach it.
    with torch.no_grad():
        online.lin.weight.add_(1.0)
    assert not torch.equal(ema.encoder.lin.weight, online.lin.weight)


def test_momentum_encoder_copy_from_and_mismatch():
    online = TinyBackbone()
    ema = MomentumEncoder(torch.nn.DataParallel(online), momentum=0.5)
    with torch.no_grad():
        for param in online.parameters():
            param.add_(3.0)
    ema.copy_from(online)
    for name, value in online.state_dict().items():
        assert torch.equal(ema.encoder.state_dict()[name], value), name
    assert int(ema.num_updates) == 0
    # Wrappers are removed on update as well.
    ema.update(torch.nn.DataParallel(online))
    torch.testing.assert_close(ema.encoder.lin.weight, online.lin.weight)
    other = TinyBackbone()
    other.extra = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="extra.bias"):
        ema.update(other)
    with pytest.raises(ValueError, match="momentum must be in"):
        MomentumEncoder(online, momentum=1.0)
    with pytest.raises(ValueError, match="key_mode"):
        MomentumEncoder(online, key_mode="test")


# ---------------------------------------------------------------------------
# MemoryBank
# ---------------------------------------------------------------------------


def test_memory_bank_fifo_order_counts_and_capacity():
    bank = MemoryBank(size=5, embedding_dim=3)
    keys, labels = bank.contents()
    assert keys.shape == (0, 3) and bank.class_counts() == {}
    generator = torch.Generator().manual_seed(0)
    batches = [
        (torch.randn(2, 3, generator=generator), torch.tensor([1, 0])),
        (torch.randn(2, 3, generator=generator), torch.tensor([0, 0])),
        (torch.randn(3, 3, generator=generator), torch.tensor([1, 1, 0])),
    ]
    all_keys, all_labels = [], []
    for batch_keys, batch_labels in batches:
        bank.enqueue(batch_keys, batch_labels)
        all_keys.append(batch_keys)
        all_labels.append(batch_labels)
        stored_keys, stored_labels = bank.contents()
        expected_keys = torch.cat(all_keys)[-5:]
        expected_labels = torch.cat(all_labels)[-5:]
        # Oldest first, L2-normalised.
        torch.testing.assert_close(
            stored_keys, F.normalize(expected_keys, dim=-1)
        )
        assert stored_labels.tolist() == expected_labels.tolist()
    assert bank.class_counts() == {0: 3, 1: 2}
    assert int(bank.count) == 5
    # More keys than the capacity in one batch: the last ones are kept.
    big = torch.randn(7, 3, generator=generator)
    bank.enqueue(big, torch.tensor([0, 1, 0, 1, 0, 1, 1]))
    stored_keys, stored_labels = bank.contents()
    torch.testing.assert_close(stored_keys, F.normalize(big[-5:], dim=-1))
    assert stored_labels.tolist() == [0, 1, 0, 1, 1]
    assert bank.class_counts() == {0: 2, 1: 3}


def test_memory_bank_without_normalisation():
    bank = MemoryBank(size=4, embedding_dim=2, normalize=False)
    keys = torch.tensor([[3.0, 4.0], [0.5, 0.0]], requires_grad=True)
    bank.enqueue(keys, torch.tensor([1, 0]))
    stored, _ = bank.contents()
    assert torch.equal(stored, keys.detach())
    assert not stored.requires_grad


def test_memory_bank_state_dict_round_trip():
    generator = torch.Generator().manual_seed(3)
    bank = MemoryBank(size=6, embedding_dim=4)
    for _ in range(4):  # wraps around the ring
        bank.enqueue(
            torch.randn(2, 4, generator=generator), torch.tensor([0, 1])
        )
    restored = MemoryBank(size=6, embedding_dim=4)
    restored.load_state_dict(bank.state_dict())
    for ours, theirs in zip(restored.contents(), bank.contents()):
        assert torch.equal(ours, theirs)
    # Both continue identically.
    more = torch.randn(3, 4, generator=generator)
    bank.enqueue(more, torch.tensor([1, 1, 0]))
    restored.enqueue(more, torch.tensor([1, 1, 0]))
    for ours, theirs in zip(restored.contents(), bank.contents()):
        assert torch.equal(ours, theirs)
    assert set(bank.state_dict()) == {"keys", "labels", "pointer", "count"}


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_bank():
    return BandPassMasker()


def _freqz_spec(taps, low, width=2000.0, transition=160.0, fs=16000):
    """Ripple and stop-band gain (dB) from scipy's freqz, 131,072 points."""
    freqs, response = freqz(taps, worN=131072, fs=fs)
    gain = np.abs(response)
    passband = (freqs >= low) & (freqs <= low + width)
    stopband = (freqs <= low - transition) | (freqs >= low + width + transition)
    ripple = 20 * np.log10(gain[passband].max() / gain[passband].min())
    return ripple, 20 * np.log10(gain[stopband].max())


def test_every_filter_of_the_default_bank_meets_the_spec(default_bank):
    assert default_bank.filters.shape == (512, 255)
    assert default_bank.ripple_db.shape == (512,)
    assert default_bank.ripple_db.max() <= 0.1
    assert default_bank.stopband_db.max() <= -45.0
    # Equiripple: the designs are the converged optima.
    taps = default_bank.filters.double().numpy()
    response = band_pass_responses(taps, default_bank.low_edges.numpy())
    ratio = response["stopband_error"] / response["passband_error"]
    assert np.all(np.abs(np.log(ratio)) <= np.log(1.1))


def test_bank_responses_agree_with_freqz_on_the_hard_edges(default_bank):
    edges = default_bank.low_edges.numpy()
    for low in HARD_EDGES:
        i = int(np.argmin(np.abs(edges - low)))
        taps = default_bank.filters[i].double().numpy()
        ripple, stopband = _freqz_spec(taps, edges[i])
        assert ripple <= 0.1 and stopband <= -45.0
        assert default_bank.ripple_db[i] == pytest.approx(ripple, abs=2e-3)
        assert default_bank.stopband_db[i] == pytest.approx(stopband, abs=0.1)


def test_the_check_catches_an_unconverged_design():
    low = HARD_EDGES[2]
    bands = [0, low - 160, low, low + 2000, low + 2160, 8000]
    early = remez(255, bands, [0, 1, 0], fs=16000)  # maxiter=25
    response = band_pass_responses(early, low)
    assert response["stopband_db"][0] > -45.0
    assert not fica._equiripple(response)[0]
    good = band_pass_responses(design_band_pass(low), low)
    assert good["stopband_db"][0] <= -45.0


@pytest.mark.parametrize(
    "n_taps, max_ripple_db, max_stopband_db",
    [
        (127, 1.0, -25.0),
        (191, 0.3, -35.0),
        (383, 0.01, -65.0),
        (511, 2e-3, -84.0),
    ],
)
def test_other_lengths_meet_their_spec(n_taps, max_ripple_db, max_stopband_db):
    masker = BandPassMasker(
        n_taps=n_taps,
        bank_size=64,
        max_ripple_db=max_ripple_db,
        max_stopband_db=max_stopband_db,
    )
    assert masker.ripple_db.max() <= max_ripple_db
    assert masker.stopband_db.max() <= max_stopband_db
    taps = masker.filters.double().numpy()
    assert np.allclose(taps, taps[:, ::-1], atol=1e-7)  # linear phase


def test_a_spec_the_length_cannot_meet_is_a_clear_error():
    with pytest.raises(
        ValueError, match=r"8 of 8 .*more taps than 127.*max_ripple_db"
    ):
        BandPassMasker(n_taps=127, bank_size=8)


def test_a_design_that_does_not_converge_raises(monkeypatch):
    monkeypatch.setattr(fica, "REMEZ_MAXITER", 2)
    with pytest.raises(RuntimeError, match="did not converge"):
        design_band_pass(HARD_EDGES[0])


def test_masking_keeps_the_pass_band_and_attenuates_the_rest(default_bank):
    noise = torch.randn(1, 64000, generator=torch.Generator().manual_seed(0))
    index = torch.tensor([256])
    masked = default_bank.filter_with(noise, index)[0].numpy()
    low = float(default_bank.low_edges[256])
    spectrum = np.abs(np.fft.rfft(masked)) ** 2
    freqs = np.fft.rfftfreq(len(masked), 1 / 16000)
    reference = np.abs(np.fft.rfft(noise[0].numpy())) ** 2
    inside = (freqs > low + 100) & (freqs < low + 1900)
    outside = (freqs < low - 300) | (freqs > low + 2300)
    assert spectrum[inside].sum() / reference[inside].sum() == pytest.approx(
        1.0, abs=0.01
    )
    assert spectrum[outside].sum() / reference[outside].sum() < 10 ** (-4.5)
