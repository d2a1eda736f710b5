"""Tests of the single-cue measurements of MiniSpoof-LA.

The cue test runs on an eval set of the default size (the split's content
does not depend on the sizes of the other splits, so it is the default
corpus's eval set).

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pytest

import speechbrain_fica.minispoof as ms


@pytest.fixture(scope="module")
def default_eval(tmp_path_factory):
    """Tiny train/dev, default-size eval (310 utterances), 2 workers."""
    folder = tmp_path_factory.mktemp("minispoof_eval")
    info = ms.build_minispoof_la(
        str(folder),
        n_bonafide=(2, 2, ms.DEFAULT_N_BONAFIDE["eval"]),
        n_spoof_per_attack=(1, 1, ms.DEFAULT_N_PER_ATTACK["eval"]),
        num_workers=2,
        progress=False,
    )
    return folder, info


def _protocol(folder, split):
    path = (
        folder
        / "LA"
        / "ASVspoof2019_LA_cm_protocols"
        / ms.PROTOCOL_FILES[split]
    )
    return path.read_text().splitlines()


def test_cue_eers_on_default_eval(default_eval):
    folder, info = default_eval
    assert info["counts"]["eval"]["bonafide"] == {"fsdd": 40, "libri": 60}
    lines = _protocol(folder, "eval")
    assert len(lines) == 310
    eers = ms.cue_eers(folder, "eval")
    assert set(eers) == set(ms.CUES)
    for cue, eer in eers.items():
        assert eer >= 0.30, f"cue {cue} separates the classes: EER {eer:.3f}"
    assert info["cue_eers"]["eval"] == eers
    readme = (folder / "LA" / "README.md").read_text()
    for cue, eer in eers.items():
        assert f"| {cue} | {100 * eer:.1f} |\n" in readme


def test_utterance_cues_of_known_signals():
    fs = 16000
    t = np.arange(fs) / fs
    low = (0.1 * np.sin(2 * np.pi * 440 * t) * 32768).astype(np.int16)
    high = (0.1 * np.sin(2 * np.pi * 6000 * t) * 32768).astype(np.int16)
    low_cues, high_cues = ms.utterance_cues(low), ms.utterance_cues(high)
    assert low_cues["duration"] == 1.0
    assert low_cues["hf_energy_ratio"] < -60 < high_cues["hf_energy_ratio"]
    assert high_cues["hf_energy_ratio"] > -0.1
    # a sine of amplitude 0.1 has an RMS of 0.1 / sqrt(2): -23.0 dBFS
    assert abs(low_cues["rms_level"] - 20 * np.log10(0.1 / np.sqrt(2))) < 0.01


def test_cue_eers_names_a_malformed_protocol_line(tmp_path):
    proto_dir = tmp_path / "LA" / "ASVspoof2019_LA_cm_protocols"
    proto_dir.mkdir(parents=True)
    (proto_dir / ms.PROTOCOL_FILES["eval"]).write_text(
        "MS_0001 MS_E_0000001 - - bonafide\n"
        "MS_0001 MS_E_0000002 - MS01 spoof extra\n"
    )
    with pytest.raises(ValueError, match=r"eval\.trl\.txt:2: expected 5"):
        ms.cue_eers(tmp_path, "eval")
