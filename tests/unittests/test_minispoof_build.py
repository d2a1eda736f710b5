"""Tests of the MiniSpoof-LA builder: layout, protocols, splits, CLI.

Small builds check the layout, protocol format, speaker disjointness,
attack placement, determinism and skip-if-done.

Authors
 * speechbrain-fica contributors 2026
"""

import hashlib
import json
import re
import time

import pytest
import soundfile as sf

import speechbrain_fica.minispoof as ms

SMALL = dict(n_bonafide=(3, 2, 3), n_spoof_per_attack=(2, 1, 1))
ASV_MD5 = {
    "dev": "b33cacbb0e57474e979cc094e826471c",
    "eval": "500fffe70f01b70b9eae843ac5472ad0",
}
TRAIN_DEV_ATTACKS = {"MS01", "MS02", "MS03", "MS04"}
EVAL_ATTACKS = {"MS01", "MS04", "MS05", "MS06", "MS07", "MS08"}


def _build(folder, **kwargs):
    options = dict(SMALL, num_workers=0, compute_cues=False, progress=False)
    options.update(kwargs)
    return ms.build_minispoof_la(str(folder), **options)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small corpus built in-process."""
    folder = tmp_path_factory.mktemp("minispoof_small")
    return folder, _build(folder)


def _protocol(folder, split):
    path = (
        folder
        / "LA"
        / "ASVspoof2019_LA_cm_protocols"
        / ms.PROTOCOL_FILES[split]
    )
    return path.read_text().splitlines()


def _tree_digest(folder):
    """md5 of every protocol and flac file, by relative path."""
    digests = {}
    for path in sorted((folder / "LA").rglob("*")):
        if path.suffix in (".flac", ".txt") and path.is_file():
            rel = str(path.relative_to(folder))
            digests[rel] = hashlib.md5(path.read_bytes()).hexdigest()
    return digests


def test_layout_and_protocol_format(small):
    folder, info = small
    la = folder / "LA"
    utt_re = {
        s: re.compile(rf"^MS_{ms.SPLIT_CODES[s]}_\d{{7}}$") for s in ms.SPLITS
    }
    for split in ms.SPLITS:
        lines = _protocol(folder, split)
        n_attacks = len(TRAIN_DEV_ATTACKS if split != "eval" else EVAL_ATTACKS)
        expected = (
            SMALL["n_bonafide"][ms.SPLITS.index(split)]
            + n_attacks * (SMALL["n_spoof_per_attack"][ms.SPLITS.index(split)])
        )
        assert len(lines) == expected
        flacs = sorted(
            (la / f"ASVspoof2019_LA_{split}" / "flac").glob("*.flac")
        )
        assert len(flacs) == expected
        utts = []
        for line in lines:
            speaker, utt, dash, attack, key = line.split(" ")
            assert re.match(r"^MS_\d{4}$", speaker)
            assert utt_re[split].match(utt)
            assert dash == "-"
            assert key in ("bonafide", "spoof")
            assert (attack == "-") == (key == "bonafide")
            assert attack == "-" or re.match(r"^MS0[1-8]$", attack)
            utts.append(utt)
            assert (
                la / f"ASVspoof2019_LA_{split}" / "flac" / f"{utt}.flac"
            ).exists()
        assert len(set(utts)) == len(utts)
        info_file = sf.info(str(flacs[0]))
        assert (info_file.samplerate, info_file.channels) == (16000, 1)
        assert info_file.subtype == "PCM_16"
    meta = json.loads((folder / ms.META_FILE).read_text())
    assert meta["options"]["seed"] == 1234
    assert {"pyworld", "pysptk", "torch", "numpy"} <= set(meta["versions"])
    assert (la / "README.md").exists()
    assert info["skipped"] is False


def test_asv_scores_are_the_real_2019_files(small):
    folder, _ = small
    for split, md5 in ASV_MD5.items():
        path = (
            folder
            / "LA"
            / "ASVspoof2019_LA_asv_scores"
            / ms.ASV_SCORE_FILES[split]
        )
        assert hashlib.md5(path.read_bytes()).hexdigest() == md5


def test_speakers_disjoint_and_spoofs_from_same_split(small):
    folder, _ = small
    meta = json.loads((folder / ms.META_FILE).read_text())
    per_split = {}
    for split in ms.SPLITS:
        speakers = {line.split()[0] for line in _protocol(folder, split)}
        assert speakers <= set(meta["speakers_per_split"][split])
        per_split[split] = set(meta["speakers_per_split"][split])
    assert not per_split["train"] & per_split["dev"]
    assert not per_split["train"] & per_split["eval"]
    assert not per_split["dev"] & per_split["eval"]
    # the source material of every utterance belongs to its own speaker,
    # who belongs to the utterance's split
    for split in ms.SPLITS:
        for line in _protocol(folder, split):
            speaker, utt = line.split()[:2]
            entry = meta["utterances"][utt]
            source = meta["speakers"][speaker]
            assert source["split"] == split
            assert entry["source"] == source["source"]
            if entry["source"] == "fsdd":
                assert all(f"_{source['name']}_" in w for w in entry["words"])
            else:
                assert entry["file"].startswith(source["name"] + "-")


def test_attacks_per_split(small):
    folder, _ = small
    attacks = {
        split: {line.split()[3] for line in _protocol(folder, split)} - {"-"}
        for split in ms.SPLITS
    }
    assert attacks["train"] == TRAIN_DEV_ATTACKS
    assert attacks["dev"] == TRAIN_DEV_ATTACKS
    assert attacks["eval"] == EVAL_ATTACKS
    unseen = attacks["eval"] - attacks["train"]
    assert unseen == {"MS05", "MS06", "MS07", "MS08"}
    assert set(ms.ATTACKS) == TRAIN_DEV_ATTACKS | EVAL_ATTACKS


def test_durations_in_range(small):
    folder, _ = small
    with open(folder / ms.META_FILE) as fh:
        low, high = json.load(fh)["options"]["duration_range_s"]
    assert (low, high) == (2.0, 4.0)  # the small corpus's default
    for split in ms.SPLITS:
        for path in (folder / "LA" / f"ASVspoof2019_LA_{split}" / "flac").glob(
            "*.flac"
        ):
            duration = sf.info(str(path)).duration
            assert low - 1e-3 <= duration <= high + 1e-3


def test_deterministic_and_split_independent(small, tmp_path):
    folder, _ = small
    reference = _tree_digest(folder)
    # same options, other process layout -> byte-identical files
    again = tmp_path / "again"
    _build(again, num_workers=2)
    assert _tree_digest(again) == reference
    # other train/dev sizes -> identical eval split
    other = tmp_path / "other"
    _build(other, n_bonafide=(1, 1, 3), n_spoof_per_attack=(1, 1, 1))
    assert _protocol(other, "eval") == _protocol(folder, "eval")
    assert _protocol(other, "train") != _protocol(folder, "train")
    eval_files = {
        k: v for k, v in reference.items() if "_eval/" in k or ".eval." in k
    }
    assert eval_files.items() <= _tree_digest(other).items()
    # another seed (replacing that build) -> other content
    info = _build(
        other,
        n_bonafide=(1, 1, 3),
        n_spoof_per_attack=(1, 1, 1),
        seed=7,
        overwrite=True,
    )
    assert info["skipped"] is False
    assert _protocol(other, "eval") != _protocol(folder, "eval")
    meta = json.loads((other / ms.META_FILE).read_text())
    assert meta["options"]["seed"] == 7


def test_skip_if_done_and_errors(small, tmp_path):
    folder, _ = small
    start = time.perf_counter()
    info = _build(folder)
    assert info["skipped"] is True
    assert time.perf_counter() - start < 5.0
    with pytest.raises(FileExistsError, match="other options"):
        _build(folder, seed=99)
    foreign = tmp_path / "foreign"
    (foreign / "LA").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="not a MiniSpoof-LA build"):
        _build(foreign)
    with pytest.raises(ValueError, match="n_bonafide"):
        _build(tmp_path / "bad", n_bonafide=(0, 1, 1))


def test_cli_skips_existing_build(small, capsys):
    folder, _ = small
    argv = ["--output_folder", str(folder), "--num_workers", "0", "--no_cues"]
    argv += ["--n_bonafide", *map(str, SMALL["n_bonafide"])]
    argv += ["--n_spoof_per_attack", *map(str, SMALL["n_spoof_per_attack"])]
    info = ms.main(argv)
    assert info["skipped"] is True
    assert "eval:" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        ms.main(["--help"])


def test_readme_describes_the_build(small):
    folder, info = small
    meta = json.loads((folder / ms.META_FILE).read_text())
    text = (folder / "LA" / "README.md").read_text()
    assert "`speechbrain_fica.minispoof` (builder version 1, seed 1234)" in text
    for aid, attack in ms.ATTACKS.items():
        row = f"| {aid} | {', '.join(attack.splits)} | {attack.description} |"
        assert row in text
    lines = text.splitlines()
    for split in ms.SPLITS:
        counts = {k: sum(v.values()) for k, v in info["counts"][split].items()}
        n_bona = counts.pop("bonafide")
        rows = [line for line in lines if line.startswith(f"| {split} |")]
        assert len(rows) == 1
        assert rows[0].startswith(
            f"| {split} | {n_bona} | {sum(counts.values())} | "
        )
        assert rows[0].endswith(
            f" | {len(meta['speakers_per_split'][split])} |"
        )
        for aid, n in counts.items():
            assert f"{aid} x {n}" in rows[0]
    assert "$" not in text  # every template field filled
    assert "Single-cue" not in text  # built with compute_cues=False
    assert text.endswith("16-bit FLAC at 16 kHz.\n")
