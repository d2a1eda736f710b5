"""Tests of the large MiniSpoof-LA corpus (``size="large"``).

The attack table and speaker split are checked in full; the build runs
with two utterances per system and short utterances. The text-to-speech
engines must be installed (``install_tts_engines.sh``, ``demo`` extra):
these tests do not skip.

Authors
 * speechbrain-fica contributors 2026
"""

import json
from collections import Counter

import pytest
import soundfile as sf

import speechbrain_fica.minispoof as ms
from speechbrain_fica.minispoof.attacks import (
    ATTACKS,
    LARGE_ATTACKS,
    family_status,
)
from speechbrain_fica.minispoof.config import (
    FS,
    LARGE_DEFAULT_N_BONAFIDE,
    LARGE_DEFAULT_N_PER_ATTACK,
    LARGE_DURATION_RANGE,
    LARGE_FSDD_FRACTION,
    SPLITS,
)
from speechbrain_fica.minispoof.generators import TTS_VOICES
from speechbrain_fica.minispoof.plan import BONAFIDE, plan_large_jobs
from speechbrain_fica.minispoof.sources import (
    libri_speakers,
    speaker_map,
    split_speakers,
)

TINY = dict(
    size="large",
    n_bonafide=2,
    n_spoof_per_attack=2,
    fsdd_fraction=0.5,
    duration_range=(1.0, 1.5),
    progress=False,
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny large corpus: every attack once per part (FSDD, LibriSpeech)."""
    folder = tmp_path_factory.mktemp("minispoof_large")
    info = ms.build_minispoof_la(str(folder), num_workers=0, **TINY)
    with open(folder / ms.META_FILE) as fh:
        return folder, info, json.load(fh)


def _protocol(folder, split):
    path = (
        folder
        / "LA"
        / "ASVspoof2019_LA_cm_protocols"
        / ms.PROTOCOL_FILES[split]
    )
    return [line.split() for line in path.read_text().splitlines()]


def test_large_speaker_split():
    """150 / 50 / 51 LibriSpeech speakers, sex-balanced and disjoint; the
    small corpus's speakers stay in their split."""
    large, small = split_speakers("large"), split_speakers("small")
    sex = {r["speaker"]: r["sex"] for r in libri_speakers("large")}
    counts = {
        split: Counter(sex[n] for src, n in large[split] if src == "libri")
        for split in SPLITS
    }
    assert [counts[s]["F"] for s in SPLITS] == [75, 25, 25]
    assert [counts[s]["M"] for s in SPLITS] == [75, 25, 26]
    names = [key for split in SPLITS for key in large[split]]
    assert len(names) == len(set(names)) == 251 + 6
    for split in SPLITS:
        assert set(small[split]) <= set(large[split])
    ids = speaker_map("large")
    assert sorted(ids.values()) == [f"MS_{k:04d}" for k in range(1, 258)]


def test_large_attack_families():
    """Unseen families only in eval, known and seen-family attacks there
    too; MS01-MS08 are the small corpus's generators."""
    train_families = {
        a.family for a in LARGE_ATTACKS.values() if "train" in a.splits
    }
    status = {aid: family_status(aid) for aid in LARGE_ATTACKS}
    for aid, attack in LARGE_ATTACKS.items():
        assert attack.family, aid
        if attack.family not in train_families:
            assert attack.splits == ("eval",), aid
            assert status[aid] == "unseen family"
        if attack.splits != ("eval",):
            assert "train" in attack.splits and "dev" in attack.splits, aid
    eval_status = Counter(
        status[a] for a, att in LARGE_ATTACKS.items() if "eval" in att.splits
    )
    assert eval_status == {
        "known system": 2,
        "seen family": 5,
        "unseen family": 12,
    }
    for aid, attack in ATTACKS.items():
        assert LARGE_ATTACKS[aid].generator == attack.generator
    tts_voices = [a.generator for a in LARGE_ATTACKS.values() if a.is_tts]
    assert sorted(tts_voices) == sorted(TTS_VOICES)


def test_large_plan_defaults():
    """The default plan: one bona fide LibriSpeech utterance per speaker
    of a split, every utterance from speakers of its split, the systems
    of the attack table."""
    jobs = plan_large_jobs(
        1234,
        LARGE_DEFAULT_N_BONAFIDE,
        LARGE_DEFAULT_N_PER_ATTACK,
        LARGE_FSDD_FRACTION,
        LARGE_DURATION_RANGE,
    )
    ids = speaker_map("large")
    low, high = LARGE_DURATION_RANGE
    for split in SPLITS:
        split_ids = {ids[key] for key in split_speakers("large")[split]}
        libri_names = {
            n for src, n in split_speakers("large")[split] if src == "libri"
        }
        bona_libri = [
            j["source_speaker"]
            for j in jobs[split]
            if j["system"] == BONAFIDE and j["source"] == "libri"
        ]
        assert sorted(bona_libri) == sorted(libri_names)
        assert {j["speaker"] for j in jobs[split]} <= split_ids
        systems = Counter(j["system"] for j in jobs[split])
        expected = {
            a: LARGE_DEFAULT_N_PER_ATTACK[split]
            for a, att in LARGE_ATTACKS.items()
            if split in att.splits
        }
        assert systems == {
            BONAFIDE: LARGE_DEFAULT_N_BONAFIDE[split],
            **expected,
        }
        for job in jobs[split]:
            assert job["n_speech"] <= high * FS + 1
            if job["source"] == "fsdd":
                assert job["n_speech"] >= low * FS - 1
            if job["kind"] == "tts" and job["source"] == "libri":
                assert len(job["gaps"]) == len(job["prompts"]) - 1


def test_tiny_large_build(tiny):
    folder, info, meta = tiny
    for split in SPLITS:
        lines = _protocol(folder, split)
        systems = Counter(line[3] for line in lines)
        expected = {
            a for a, att in LARGE_ATTACKS.items() if split in att.splits
        }
        assert set(systems) - {BONAFIDE} == expected
        assert all(count == 2 for count in systems.values())
        for spk, utt, _, system, key in lines:
            assert key == ("bonafide" if system == BONAFIDE else "spoof")
            record = meta["utterances"][utt]
            assert record["speaker"] == spk
            path = folder / "LA" / f"ASVspoof2019_LA_{split}" / "flac"
            samples, fs = sf.read(str(path / f"{utt}.flac"), dtype="int16")
            assert fs == FS and samples.ndim == 1
            padding = record["n_lead"] + record["n_trail"]
            if record["source"] == "fsdd":
                assert len(samples) == padding + record["n_speech"]
            else:
                assert padding < len(samples) <= padding + record["n_speech"]
    speakers = [
        {line[0] for line in _protocol(folder, split)} for split in SPLITS
    ]
    assert not (speakers[0] & speakers[1] or speakers[1] & speakers[2])
    assert not speakers[0] & speakers[2]
    # the cue check ran on every split
    assert set(info["cue_eers"]) == set(SPLITS)
    for eers in info["cue_eers"].values():
        assert set(eers) == set(ms.CUES)
        assert all(0.0 <= v <= 0.5 for v in eers.values())
    assert meta["versions"]["tts"]["ttspico"]
    readme = (folder / "LA" / "README.md").read_text()
    assert "| MS20 | pico | en-US | SVOX Pico HMM synthesis | eval |" in readme
    assert "| cue | train EER (%) | dev EER (%) | eval EER (%) |" in readme


def test_tiny_large_build_reproducible_with_workers(tiny, tmp_path):
    """The same options with two workers give the same audio and
    protocols (the engines are deterministic)."""
    _, _, meta = tiny
    ms.build_minispoof_la(
        str(tmp_path), num_workers=2, compute_cues=False, **TINY
    )
    with open(tmp_path / ms.META_FILE) as fh:
        again = json.load(fh)
    assert again["checksums"] == meta["checksums"]


def test_cli_large_skips_existing_build(tiny, capsys):
    folder, _, _ = tiny
    info = ms.main(
        [
            "--size",
            "large",
            "--output_folder",
            str(folder),
            "--n_bonafide",
            "2",
            "2",
            "2",
            "--n_spoof_per_attack",
            "2",
            "2",
            "2",
            "--fsdd_fraction",
            "0.5",
            "--duration_range",
            "1.0",
            "1.5",
        ]
    )
    assert info["skipped"]
    assert "single-cue EERs on dev" in capsys.readouterr().out
