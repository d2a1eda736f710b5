"""Tiny corpora in the exact official layouts, for the recipe tests.

The audio is real: FSDD bona fide clips and offline spoofs made from them
(WORLD, WORLD voice conversion, Griffin-Lim, MLSA, espeak-ng, festival,
flite) from ``tests/samples/fsdd_spoofs``, written as 16 kHz FLAC.
Protocols use the official 5-column format; the ASV score files are the
real ASVspoof 2019 LA ones.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip
import os
import shutil

import soundfile

from tests.utils.samples import asv_scores_path, fsdd_clips

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


def make_tiny_asvspoof2019(root):
    """Writes a tiny ASVspoof 2019 LA tree under ``root``; returns the LA
    folder. Bona fide and spoof lines alternate in every protocol."""
    la = os.path.join(root, "LA")
    bonafide = fsdd_clips("bonafide")
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
            spoof = fsdd_clips(method)[(offsets[split] + i) % 20]
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
        with gzip.open(asv_scores_path(part), "rb") as source:
            with open(os.path.join(asv, name), "wb") as target:
                shutil.copyfileobj(source, target)
    return la


# ---------------------------------------------------------------------------
# ASVspoof 2021 LA / DF
# ---------------------------------------------------------------------------

# Spoof audio of each attack id (LA and DF "asvspoof" source).
TINY_2021_METHODS = {
    "A07": "h_sptk_mlsa",
    "A08": "b_world_vc",
    "A09": "d_espeak",
    "A16": "a_world_resynth",
    "A17": "c_griffinlim",
    "A19": "e_festival",
}
TINY_2021_LA_CODECS = {
    "none": "-",
    "alaw": "ita_tx",
    "gsm": "sin_tx",
    "opus": "loc_tx",
}
TINY_2021_DF_CODECS = ["nocodec", "low_mp3", "high_m4a", "low_ogg"]
TINY_2021_DF_SPOOFS = [
    # (source, attack, vocoder, task, team, gender pair, language)
    ("asvspoof", "A07", "traditional_vocoder", "-", "-", "-", "-"),
    (
        "vcc2018",
        "A08",
        "neural_vocoder_autoregressive",
        "Task1",
        "N10",
        "F-F",
        "-",
    ),
    ("asvspoof", "A16", "waveform_concatenation", "-", "-", "-", "-"),
    ("vcc2020", "A17", "unknown", "Task2", "T16", "M-F", "Ger"),
    ("asvspoof", "A19", "neural_vocoder_nonautoregressive", "-", "-", "-", "-"),
]
# ASV trials per (codec, subset) cell of the tiny LA ASV key.
TINY_2021_ASV_TRIALS = {"target": 30, "nontarget": 30, "spoof": 5}


def cm_key_path_2021(root, track):
    """The CM key (``trial_metadata.txt``) of a 2021 track under ``root``."""
    return os.path.join(root, "keys", track, "CM", "trial_metadata.txt")


def _write_flac(source, path):
    audio, rate = soundfile.read(source)
    soundfile.write(path, audio, rate)


def _write_lines(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _tiny_2021_trials(track):
    """(trial, label, condition, spoof index, subset) of a tiny track:
    2 bona fide + 2 spoof per codec; the last 2 trials of the first and
    third codecs are in the progress subset, the others in eval."""
    codecs = list(TINY_2021_LA_CODECS) if track == "LA" else TINY_2021_DF_CODECS
    base = 1000001 if track == "LA" else 2000001
    rows = []
    for c, codec in enumerate(codecs):
        for j in range(4):
            k = 4 * c + j
            label = "bonafide" if j % 2 == 0 else "spoof"
            subset = "progress" if c in (0, 2) and j >= 2 else "eval"
            # Trial ids out of order, as in the official lists.
            trial = f"{track}_E_{base + (k * 7919) % 1000:07d}"
            rows.append((trial, label, codec, k // 2, subset))
    return rows


def _make_tiny_2021_track(root, track):
    """Audio, trial list and CM key of one tiny 2021 track."""
    folder = os.path.join(root, f"ASVspoof2021_{track}_eval")
    os.makedirs(os.path.join(folder, "flac"), exist_ok=True)
    bonafide = fsdd_clips("bonafide")
    attacks = sorted(TINY_2021_METHODS)
    key_lines, trials = [], []
    offset = 0 if track == "LA" else 8
    for n, (trial, label, codec, index, subset) in enumerate(
        _tiny_2021_trials(track)
    ):
        speaker = f"LA_{9100 + n % 3:04d}"
        if track == "LA":
            attack = attacks[index % len(attacks)]
            if label == "bonafide":
                attack = "bonafide"
            trim = "trim" if n % 5 == 4 else "notrim"
            trans = TINY_2021_LA_CODECS[codec]
            key_lines.append(
                f"{speaker} {trial} {codec} {trans} {attack} {label} "
                f"{trim} {subset}"
            )
        else:
            spoof = TINY_2021_DF_SPOOFS[index % len(TINY_2021_DF_SPOOFS)]
            source, attack, vocoder, task, team, pair, language = spoof
            if label == "bonafide":
                attack, vocoder = "-", "bonafide"
                task = team = pair = language = "-"
            key_lines.append(
                f"{speaker} {trial} {codec} {source} {attack} {label} "
                f"notrim {subset} {vocoder} {task} {team} {pair} {language}"
            )
        if label == "bonafide":
            audio = bonafide[(offset + n) % len(bonafide)]
        else:
            method = TINY_2021_METHODS[attack]
            audio = fsdd_clips(method)[(offset + n) % 20]
        _write_flac(audio, os.path.join(folder, "flac", f"{trial}.flac"))
        trials.append(trial)
    _write_lines(
        os.path.join(folder, f"ASVspoof2021.{track}.cm.eval.trl.txt"),
        sorted(trials),
    )
    # The key in another order than the trial list.
    _write_lines(cm_key_path_2021(root, track), key_lines[::-1])


def _make_tiny_2021_asv(root):
    """LA ASV key + ASV scores (real 2019 LA eval ASV scores, spread over
    the codecs and subsets of the tiny CM key) and the C012 files."""
    from speechbrain_fica.metrics.asvspoof2021.c012 import (
        compute_c012,
        save_c012,
    )
    from speechbrain_fica.metrics.score_files import read_asv_key_and_scores

    pools = {}
    with gzip.open(asv_scores_path("eval"), "rt") as f:
        for line in f:
            source, key, score = line.split()
            pools.setdefault((source, key), []).append(score)
    groups = [("bonafide", "target"), ("bonafide", "nontarget")] + [
        (f"A{a:02d}", "spoof") for a in range(7, 20)
    ]
    key_lines, score_lines, used = [], [], {}
    for codec, trans in TINY_2021_LA_CODECS.items():
        for subset in ("eval", "progress"):
            for attack, label in groups:
                for _ in range(TINY_2021_ASV_TRIALS[label]):
                    index = used.get((attack, label), 0)
                    used[(attack, label)] = index + 1
                    score = pools[(attack, label)][index]
                    suffix = codec if trans == "-" else f"{codec}-{trans}"
                    trial = f"LA_E_{3000001 + len(key_lines)}-{suffix}"
                    speaker = f"LA_{len(key_lines) % 7 + 1:04d}-{suffix}"
                    key_lines.append(
                        f"LA_{len(key_lines) % 7 + 1:04d} {trial} {codec} "
                        f"{trans} {attack} {label} notrim {subset}"
                    )
                    score_lines.append(f"{speaker} {trial} {score}")
    asv_folder = os.path.join(root, "keys", "LA", "ASV")
    key_path = os.path.join(asv_folder, "trial_metadata.txt")
    score_path = os.path.join(asv_folder, "ASVTorch_Kaldi", "score.txt")
    _write_lines(key_path, key_lines)
    _write_lines(score_path, score_lines)
    asv = read_asv_key_and_scores(key_path, score_path)
    for subset, tag in (("eval", "eval"), ("progress", "prog")):
        save_c012(
            compute_c012(asv, subset=subset),
            os.path.join(root, "keys", "LA", f"LA-C012-{tag}.npy"),
        )


def make_tiny_asvspoof2021(root):
    """Writes a tiny ASVspoof 2021 LA + DF tree under ``root`` in the
    official layout; returns ``root``.

    Each track has 16 trials (2 bona fide + 2 spoof in each of 4 codec
    conditions, subsets ``eval`` and ``progress``, several attacks and, for
    DF, vocoder families and sources). The keys have the official 8 (LA)
    and 13 (DF) columns and are written in another order than the trial
    lists. LA ASV information comes as an ASV key + ASV score file
    (``keys/LA/ASV/...``) and as the C012 files computed from them
    (``keys/LA/LA-C012-{eval,prog}.npy``).
    """
    for track in ("LA", "DF"):
        _make_tiny_2021_track(root, track)
    _make_tiny_2021_asv(root)
    return root
