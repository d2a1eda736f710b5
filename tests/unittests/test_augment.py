"""Tests of the training augmentation: RawBoost, codecs, the pipeline.

RawBoost is checked for the defining property of each distortion, measured
on its output: the convolutive noise is a filtering (linear and
time-invariant for ``N_f = 1``, spectral notches, no new frequencies;
harmonics for ``N_f > 1``), the impulsive noise touches at most ``P`` % of
the samples by at most ``g_sd`` times their value, the stationary noise
sits at an SNR in ``[SNRmin, SNRmax]``; plus shapes, padding, evaluation
mode and reproducibility. The codecs are checked for what they must do
(8-bit G.711 levels, band limits of a narrowband channel, lengths).

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pytest
import torch
from scipy import signal
from speechbrain.augment.time_domain import AddNoise, DropFreq

from speechbrain_fica.augment import (
    CodecAugmentation,
    RawBoost,
    apply_augmentation,
)
from speechbrain_fica.augment.codec import CODECS
from speechbrain_fica.augment.rawboost import ALGORITHMS

RATE = 16000


def speech_like(n_utts=4, n_samples=16000, seed=0):
    """Harmonic tones with a moving pitch plus a little noise, 0.3 peak."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) / RATE
    wavs = []
    for _ in range(n_utts):
        f0 = rng.uniform(100, 220) * (1 + 0.1 * np.sin(2 * np.pi * 2 * t))
        phase = 2 * np.pi * np.cumsum(f0) / RATE
        x = sum(np.sin(k * phase) / k for k in range(1, 8))
        x += 0.05 * rng.standard_normal(n_samples)
        wavs.append(0.3 * x / np.max(np.abs(x)))
    return torch.tensor(np.stack(wavs), dtype=torch.float32)


def keys(n, epoch=0):
    return [(1, epoch, f"utt{i}") for i in range(n)]


# ---------------------------------------------------------------------------
# RawBoost: all algorithms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_rawboost_keeps_shape_dtype_and_is_finite(algo):
    wavs = speech_like()
    out = RawBoost(algo=algo)(wavs, keys=keys(4))
    assert out.shape == wavs.shape and out.dtype == wavs.dtype
    assert torch.isfinite(out).all()
    assert torch.equal(out, wavs) == (algo == 0)


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_rawboost_silence_stays_finite(algo):
    out = RawBoost(algo=algo)(torch.zeros(2, 4000), keys=keys(2))
    assert torch.isfinite(out).all()


def test_rawboost_is_identity_in_eval_mode_and_with_prob_0():
    wavs = speech_like()
    assert torch.equal(RawBoost(algo=4).eval()(wavs, keys=keys(4)), wavs)
    assert torch.equal(RawBoost(algo=4, prob=0.0)(wavs, keys=keys(4)), wavs)


def test_rawboost_prob_augments_a_fraction():
    wavs = speech_like(n_utts=40, n_samples=2000)
    out = RawBoost(algo=2, prob=0.5)(wavs, keys=keys(40))
    changed = (out != wavs).any(dim=1).float().mean().item()
    assert 0.2 < changed < 0.8


def test_rawboost_leaves_padding_untouched():
    wavs = speech_like(n_utts=2)
    wavs[1, 8000:] = 0.0
    out = RawBoost(algo=4)(wavs, torch.tensor([1.0, 0.5]), keys=keys(2))
    assert torch.equal(out[1, 8000:], torch.zeros(8000))
    assert not torch.equal(out[1, :8000], wavs[1, :8000])


def test_rawboost_is_reproducible_from_keys_and_seeds():
    wavs = speech_like()
    rawboost = RawBoost(algo=5)
    first = rawboost(wavs, keys=keys(4))
    assert torch.equal(first, rawboost(wavs, keys=keys(4)))
    # An utterance's draws depend on its key only, not on its batch.
    alone = rawboost(wavs[2:3], keys=keys(4)[2:3])
    assert torch.equal(alone[0], first[2])
    # Another epoch, other draws.
    assert not torch.equal(first, rawboost(wavs, keys=keys(4, epoch=1)))
    # Without keys: torch's random state decides.
    torch.manual_seed(3)
    a = rawboost(wavs)
    torch.manual_seed(3)
    b = rawboost(wavs)
    c = rawboost(wavs)
    assert torch.equal(a, b) and not torch.equal(b, c)
    generator = torch.Generator().manual_seed(5)
    d = rawboost(wavs, generator=generator)
    e = rawboost(wavs, generator=torch.Generator().manual_seed(5))
    assert torch.equal(d, e)


@pytest.mark.parametrize("algo", [4, 5, 6, 7])
def test_rawboost_series_algorithms_chain_the_distortions(algo):
    """Algorithms 4-7 are their distortions applied one after the other."""
    x = speech_like(n_utts=1)[0].double().numpy()
    rawboost = RawBoost(algo=algo)
    expected = x
    rng = np.random.default_rng(11)
    for name in ALGORITHMS[algo]:
        expected = getattr(rawboost, f"{name}_noise")(expected, rng)
    got = rawboost.augment_array(x, np.random.default_rng(11))
    np.testing.assert_array_equal(got, expected)


def test_rawboost_parallel_algorithm_sums_and_peak_normalises():
    x = speech_like(n_utts=1)[0].double().numpy()
    rawboost = RawBoost(algo=8)
    rng = np.random.default_rng(2)
    both = rawboost.convolutive_noise(x, rng) + rawboost.impulsive_noise(x, rng)
    got = rawboost.augment_array(x, np.random.default_rng(2))
    np.testing.assert_allclose(got, both / np.max(np.abs(both)))
    assert np.max(np.abs(got)) == pytest.approx(1.0)


def test_rawboost_refuses_bad_settings():
    with pytest.raises(ValueError, match="0..8"):
        RawBoost(algo=9)
    with pytest.raises(ValueError, match="Nyquist"):
        RawBoost(sample_rate=8000, max_center_freq=8000)
    with pytest.raises(ValueError, match=r"\[B, T\]"):
        RawBoost()(torch.zeros(4000))


# ---------------------------------------------------------------------------
# RawBoost: the three distortions
# ---------------------------------------------------------------------------


def test_stationary_noise_snr_is_within_range():
    """SNR measured on the output: 20 log10(|x| / |y - x|)."""
    wavs = speech_like(n_utts=64, n_samples=8000)
    out = RawBoost(algo=3, min_snr_db=10, max_snr_db=40)(wavs, keys=keys(64))
    x, y = wavs.double(), out.double()
    snr = 20 * torch.log10(x.norm(dim=1) / (y - x).norm(dim=1))
    # float32 output: tolerance of rounding at 40 dB.
    assert snr.min() >= 10 - 1e-3 and snr.max() <= 40 + 1e-3
    assert snr.min() < 16 and snr.max() > 34  # the range is used
    narrow = RawBoost(algo=3, min_snr_db=20, max_snr_db=20)
    out = narrow(wavs[:4], keys=keys(4)).double()
    snr = 20 * torch.log10(x[:4].norm(dim=1) / (out - x[:4]).norm(dim=1))
    assert torch.allclose(snr, torch.full_like(snr, 20.0), atol=1e-3)


def test_stationary_noise_is_signal_independent():
    """The same key adds the same noise shape to any signal (scaled to
    its energy): the difference of two outputs' noises is a scale."""
    a, b = speech_like(n_utts=2, n_samples=8000)
    rawboost = RawBoost(algo=3)
    noise_a = rawboost(a[None], keys=["k"])[0].double() - a.double()
    noise_b = rawboost(b[None], keys=["k"])[0].double() - b.double()
    cosine = torch.nn.functional.cosine_similarity(noise_a, noise_b, dim=0)
    assert cosine > 0.999


def test_impulsive_noise_touches_at_most_p_percent_of_samples():
    wavs = speech_like(n_utts=32, n_samples=8000)
    out = RawBoost(algo=2, max_impulse_percent=10, impulse_gain=2)(
        wavs, keys=keys(32)
    )
    changed = out != wavs
    fraction = changed.float().mean(dim=1)
    assert fraction.max() <= 0.10
    assert fraction.max() > 0.05  # draws up to P % occur
    # Each touched sample moves by at most g_sd times its own value.
    delta = (out - wavs).abs()
    assert torch.all(delta <= 2 * wavs.abs() + 1e-6)


def test_convolutive_noise_is_a_linear_time_invariant_filter():
    """N_f = 1: f(a x1 + x2) = a f(x1) + f(x2) and f(0) = 0 with the same
    draws (key): a filtering, not an additive noise."""
    x1, x2 = speech_like(n_utts=2, n_samples=8000).double()
    rawboost = RawBoost(algo=1, nonlinearity_order=1)

    def f(x):
        return rawboost(x[None], keys=["same"])[0]

    np.testing.assert_allclose(f(0.5 * x1 + x2), 0.5 * f(x1) + f(x2), atol=1e-9)
    assert torch.equal(f(torch.zeros(8000, dtype=torch.float64)),
                       torch.zeros(8000, dtype=torch.float64))  # fmt: skip


def test_convolutive_noise_shapes_the_spectrum_with_notches():
    """White noise through the linear stage: the output / input spectrum
    ratio is at most the 0 dB peak gain and has deep notches."""
    noise = torch.tensor(np.random.default_rng(0).standard_normal(64000))
    noise = 0.1 * noise[None]
    out = RawBoost(algo=1, nonlinearity_order=1)(noise, keys=["white"])
    _, p_in = signal.welch(noise[0].numpy(), fs=RATE, nperseg=1024)
    _, p_out = signal.welch(out[0].numpy(), fs=RATE, nperseg=1024)
    gain = np.sqrt(p_out[2:-2] / p_in[2:-2])
    assert gain.max() < 1.2
    assert gain.min() < 0.05


def test_convolutive_noise_adds_harmonics_only_when_non_linear():
    """A pure 1 kHz tone: the linear filter creates no new frequency, the
    non-linear terms (x^2, x^3, ...) add energy at 2 and 3 kHz."""
    t = np.arange(32000) / RATE
    tone = torch.tensor(0.5 * np.sin(2 * np.pi * 1000 * t))[None]

    def band_energy(y, centre):
        freqs, power = signal.welch(y, fs=RATE, nperseg=2048)
        return power[np.abs(freqs - centre) < 40].sum()

    for order, has_harmonics in ((1, False), (5, True)):
        # A single, narrow band keeps the notches away from 1-3 kHz.
        rawboost = RawBoost(
            algo=1,
            nonlinearity_order=order,
            n_bands=1,
            min_center_freq=6000,
            max_center_freq=7000,
        )
        y = rawboost(tone, keys=["tone"])[0].numpy()
        fundamental = band_energy(y, 1000)
        ratio = (band_energy(y, 2000) + band_energy(y, 3000)) / fundamental
        assert (ratio > 1e-4) == has_harmonics, (order, ratio)


# ---------------------------------------------------------------------------
# Codecs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CODECS))
def test_every_codec_round_trips_with_the_same_length(name):
    wavs = speech_like(n_utts=2, n_samples=12345)
    out = CodecAugmentation([name])(wavs, keys=keys(2))
    assert out.shape == wavs.shape and out.dtype == wavs.dtype
    assert torch.isfinite(out).all()
    assert not torch.equal(out, wavs)
    assert out.abs().max() < 2.0


@pytest.mark.parametrize("name", ["ulaw", "alaw"])
def test_g711_codecs_have_8_bit_levels(name):
    wavs = speech_like(n_utts=1, n_samples=16000)
    out = CodecAugmentation([name])(wavs, keys=["x"])
    assert len(torch.unique(out)) <= 256 < len(torch.unique(wavs))
    # G.711 error is small next to the signal (about 38 dB SNR).
    snr = 20 * torch.log10(wavs.norm() / (out - wavs).norm())
    assert snr > 30


def test_narrowband_codec_removes_the_upper_band():
    """``alaw@8000``: resampled to 8 kHz around the codec, so nothing is
    left above 4 kHz."""
    wavs = speech_like(n_utts=1, n_samples=16000)
    wavs += 0.05 * torch.randn(
        1, 16000, generator=torch.Generator().manual_seed(0)
    )
    out = CodecAugmentation(["alaw@8000"])(wavs, keys=["x"])
    freqs, p_in = signal.welch(wavs[0].numpy(), fs=RATE, nperseg=512)
    _, p_out = signal.welch(out[0].numpy(), fs=RATE, nperseg=512)
    upper = freqs > 4500
    assert p_out[upper].sum() < 2e-3 * p_in[upper].sum()
    lower = (freqs > 200) & (freqs < 3500)
    assert p_out[lower].sum() > 0.5 * p_in[lower].sum()


def test_codec_choice_is_reproducible_and_training_only():
    wavs = speech_like(n_utts=6, n_samples=8000)
    codec = CodecAugmentation(["ulaw", "mp3", "opus"], prob=0.5)
    first = codec(wavs, keys=keys(6))
    assert torch.equal(first, codec(wavs, keys=keys(6)))
    assert 0 < (first != wavs).any(dim=1).sum() < 6
    assert torch.equal(codec.eval()(wavs, keys=keys(6)), wavs)


def test_codec_leaves_padding_and_refuses_unknown_codecs():
    wavs = speech_like(n_utts=2, n_samples=8000)
    wavs[1, 4000:] = 0.0
    out = CodecAugmentation(["mp3"])(
        wavs, torch.tensor([1.0, 0.5]), keys=keys(2)
    )
    assert torch.equal(out[1, 4000:], torch.zeros(4000))
    with pytest.raises(ValueError, match="unknown codec"):
        CodecAugmentation(["aac"])


# ---------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------


def test_pipeline_applies_the_steps_in_order():
    wavs = speech_like(n_utts=2, n_samples=4000)

    def halve(x):
        return 0.5 * x

    def shift(x):
        return x + 1.0

    assert torch.allclose(
        apply_augmentation([halve, shift], wavs), 0.5 * wavs + 1.0
    )
    assert torch.allclose(
        apply_augmentation([shift, halve], wavs), 0.5 * (wavs + 1.0)
    )
    assert apply_augmentation(None, wavs) is wavs


def test_pipeline_passes_keys_and_lengths_and_takes_speechbrain_steps():
    wavs = speech_like(n_utts=2, n_samples=4000)
    lengths = torch.tensor([1.0, 0.5])
    rawboost = RawBoost(algo=5)
    got = apply_augmentation([rawboost], wavs, lengths, keys=keys(2))
    assert torch.equal(got, rawboost(wavs, lengths, keys=keys(2)))
    # SpeechBrain's augmentations: with lengths (AddNoise) or without
    # (DropFreq).
    noisy = apply_augmentation(
        [AddNoise(snr_low=10, snr_high=10)], wavs, lengths
    )
    assert noisy.shape == wavs.shape and not torch.equal(noisy, wavs)
    dropped = apply_augmentation(DropFreq(), wavs, lengths)
    assert dropped.shape == wavs.shape


def test_pipeline_refuses_steps_that_change_the_batch():
    wavs = speech_like(n_utts=2, n_samples=4000)
    with pytest.raises(ValueError, match="keep the shape"):
        apply_augmentation(lambda x: torch.cat([x, x]), wavs)
    with pytest.raises(ValueError, match="not a waveform tensor"):
        apply_augmentation(lambda x, lengths: (x, lengths), wavs)
