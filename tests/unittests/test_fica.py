"""Tests of the InF band-pass filter bank (speechbrain_fica.lobes.fica).

Every filter of a bank is measured from its taps: the pass-band ripple and
the highest stop-band gain must meet the documented spec, and the design
must be the converged (equiripple) Parks-McClellan optimum.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pytest
import torch
from scipy.signal import freqz, remez

from speechbrain_fica.lobes import fica
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    band_pass_responses,
    design_band_pass,
)

# Lower edges (Hz) of the default bank whose designs did not converge with
# scipy's default of 25 Remez iterations.
HARD_EDGES = np.linspace(160.0, 5840.0, 512)[[180, 196, 201, 326, 331]]


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
