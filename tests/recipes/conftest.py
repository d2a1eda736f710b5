"""Tiny corpora in the exact official layouts, for the recipe tests.

The audio is real: FSDD bona fide clips and offline spoofs made from them
(WORLD, WORLD voice conversion, Griffin-Lim, MLSA, espeak-ng, festival,
flite) from the shared folder, written as 16 kHz FLAC. Protocols use the
official 5-column format; the ASV score files are the real ASVspoof 2019
LA ones.

Authors
 * speechbrain-fica contributors 2026
"""

import glob
import os
import shutil

import pytest
import soundfile

# (split, official id prefix, spoof methods -> attack ids, clips per class)
TINY_SPLITS = {
    "train": ("T", {"a_world_resynth": "A01", "c_griffinlim": "A02"}, 8),
    "dev": ("D", {"a_world_resynth": "A01", "c_griffinlim": "A02"}, 6),
    "eval": (
        "E",
        {"h_sptk_mlsa": "A07", "b_world_vc": "A08", "d_espeak": "A09"},
        6,
    ),
}
PROTOCOL_NAMES = {
    "train": "ASVspoof2019.LA.cm.train.trn.txt",
    "dev": "ASVspoof2019.LA.cm.dev.trl.txt",
    "eval": "ASVspoof2019.LA.cm.eval.trl.txt",
}


def _clips(shared_dir, folder):
    base = os.path.join(
        shared_dir, "corpora", "generated-fsdd20-recipe", "matched", folder
    )
    return sorted(glob.glob(os.path.join(base, "*.wav")))


def make_tiny_asvspoof2019(root, shared_dir):
    """Writes a tiny ASVspoof 2019 LA tree under ``root``; returns the LA
    folder. Bona fide and spoof lines alternate in every protocol."""
    la = os.path.join(root, "LA")
    bonafide = _clips(shared_dir, "bonafide")
    offsets = {"train": 0, "dev": 8, "eval": 14}
    protocols = os.path.join(la, "ASVspoof2019_LA_cm_protocols")
    os.makedirs(protocols, exist_ok=True)
    for split, (letter, methods, n_clips) in TINY_SPLITS.items():
        flac = os.path.join(la, f"ASVspoof2019_LA_{split}", "flac")
        os.makedirs(flac, exist_ok=True)
        lines = []
        for i in range(n_clips):
            source = bonafide[(offsets[split] + i) % len(bonafide)]
            method = sorted(methods)[i % len(methods)]
            spoof = _clips(shared_dir, method)[(offsets[split] + i) % 20]
            for key, path, attack in (
                ("bonafide", source, "-"),
                ("spoof", spoof, methods[method]),
            ):
                utt = f"LA_{letter}_{len(lines) + 1000001}"
                audio, rate = soundfile.read(path)
                soundfile.write(os.path.join(flac, f"{utt}.flac"), audio, rate)
                speaker = (
                    f"LA_{9000 + i % 3 + 3 * list(TINY_SPLITS).index(split)}"
                )
                lines.append(f"{speaker} {utt} - {attack} {key}")
        with open(os.path.join(protocols, PROTOCOL_NAMES[split]), "w") as f:
            f.write("\n".join(lines) + "\n")
    asv = os.path.join(la, "ASVspoof2019_LA_asv_scores")
    os.makedirs(asv, exist_ok=True)
    for part in ("dev", "eval"):
        name = f"ASVspoof2019.LA.asv.{part}.gi.trl.scores.txt"
        shutil.copy(os.path.join(shared_dir, "asvspoof_meta", name), asv)
    return la


@pytest.fixture(scope="session")
def tiny_la2019(tmp_path_factory, shared_dir):
    """A tiny ASVspoof 2019 LA corpus (session-wide, read-only for tests)."""
    root = tmp_path_factory.mktemp("tiny_asvspoof2019")
    return make_tiny_asvspoof2019(str(root), shared_dir)
