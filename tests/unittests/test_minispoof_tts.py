"""Tests of the offline text-to-speech generators of MiniSpoof-LA.

The engines come from ``speechbrain_fica/minispoof/install_tts_engines.sh``
(Debian packages) and the ``demo`` extra (ttspico). These tests do not
skip: a missing engine fails them with the install hint.

Authors
 * speechbrain-fica contributors 2026
"""

import tempfile

import numpy as np
import pytest
import soundfile as sf

from speechbrain_fica.minispoof.config import FS
from speechbrain_fica.minispoof.generators import tts
from speechbrain_fica.minispoof.sources import arctic_prompts

PROMPT_ID, PROMPT = arctic_prompts()[2]
# seconds per character of a read sentence, very loose bounds (the engines
# speak about 0.06 s per character, pauses included)
SECONDS_PER_CHAR = (0.03, 0.15)
# what tells the PulseAudio client library where its folders are
PULSE_VARIABLES = (
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "PULSE_RUNTIME_PATH",
    "PULSE_SERVER",
)


@pytest.mark.parametrize("name", sorted(tts.TTS_VOICES))
def test_voice_speaks_finite_16k_audio_of_plausible_length(name, tmp_path):
    """Every voice: a sentence and a digit word, read back at 16 kHz,
    finite, not silent, as long as the text suggests; the same text twice
    gives the same samples."""
    items = [(PROMPT_ID, PROMPT), ("digit_7", "seven"), ("again", PROMPT)]
    paths = tts.synthesize(name, items, tmp_path)
    assert [p.name for p in paths] == [f"{i}.wav" for i, _ in items]
    sentence, digit, again = (tts.read_tts_audio(p, FS) for p in paths)
    for audio in (sentence, digit):
        assert audio.ndim == 1 and np.all(np.isfinite(audio))
        # resampling a full-scale output may overshoot 1 a little
        assert 0.01 < np.max(np.abs(audio)) < 1.2
    low, high = SECONDS_PER_CHAR
    assert low * len(PROMPT) < len(sentence) / FS < high * len(PROMPT)
    assert 0.2 < len(digit) / FS < 1.5
    np.testing.assert_array_equal(sentence, again)


def test_rate_conversion_to_16k(tmp_path):
    """eSpeak NG writes 22.05 kHz; the reader resamples to the corpus
    rate with the same duration."""
    path = tts.synthesize("tts_espeak_en_us", [("a", "Yes, it is.")], tmp_path)
    native = sf.info(str(path[0]))
    audio = tts.read_tts_audio(path[0], FS)
    assert native.samplerate == 22050
    assert abs(len(audio) / FS - native.duration) < 0.001


def test_freetts_text_split_into_two_utterances(tmp_path):
    """FreeTTS splits a text at a colon into two utterances; the batch
    then falls back to one run per text and joins the parts."""
    items = [("split", "I was sick once: typhoid."), ("one", "Yes.")]
    paths = tts.synthesize("tts_freetts_kevin16", items, tmp_path)
    split, one = (sf.info(str(p)).duration for p in paths)
    assert split > 1.5 * one
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "one.wav",
        "split.wav",
    ]


def test_espeak_breath_noise_independent_of_pulse_runtime_dir(
    tmp_path, monkeypatch
):
    """eSpeak NG's breath noise (variant f2) comes from the C library's
    rand(); the PulseAudio client library in the engine draws 12 values
    from it when it creates its runtime folder (missing link in
    ~/.config/pulse). The first call under a fresh home must speak as the
    next one (a large build differed in one file this way)."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # PulseAudio's /tmp folder, and Python's (restored after the test)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    for name in PULSE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    text = dict(arctic_prompts())["arctic_a0081"]
    paths = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        paths += tts.synthesize(
            "tts_espeak_en_us_f2", [("a", text)], tmp_path / name
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert not list(tmp.glob("pulse-*"))


def test_festival_text_with_quotes(tmp_path):
    text = 'He said "stop" and left.'
    path = tts.synthesize("tts_festival_kal", [("q", text)], tmp_path)[0]
    assert sf.info(str(path)).duration > 1.0
    assert not list(tmp_path.glob("*.scm"))


def test_missing_engine_names_engine_and_install_script(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(tts.TTSEngineError) as err:
        tts.check_tts_engines(["tts_flite_awb", "tts_espeak_en_us"])
    message = str(err.value)
    assert "flite/awb" in message and "espeak-ng/en-us" in message
    assert "install_tts_engines.sh" in message
    with pytest.raises(
        tts.TTSEngineError, match="festival/kal_diphone.*install"
    ):
        tts.synthesize("tts_festival_kal", [("a", "Hello.")], tmp_path)


def test_unknown_voice_and_bad_item_id(tmp_path):
    with pytest.raises(KeyError, match="tts_flite_awb"):
        tts.get_tts_voice("tts_no_such_voice")
    with pytest.raises(ValueError, match="bad TTS item id"):
        tts.synthesize("tts_espeak_en_us", [("../x", "Hi.")], tmp_path)
