"""MiniSpoof-LA: a small offline corpus in the ASVspoof 2019 LA layout.

:func:`build_minispoof_la` writes, from real speech shipped with the package
(a subset of the Free Spoken Digit Dataset and of LibriSpeech), a corpus
with bona fide and spoofed utterances in exactly the ASVspoof 2019 LA
directory layout and protocol format, so that an ASVspoof 2019 LA recipe
runs on it unchanged::

    <out>/LA/ASVspoof2019_LA_{train,dev,eval}/flac/<UTT>.flac
    <out>/LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.train.trn.txt
    <out>/LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.dev.trl.txt
    <out>/LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.eval.trl.txt
    <out>/LA/ASVspoof2019_LA_asv_scores/ASVspoof2019.LA.asv.dev.gi.trl.scores.txt
    <out>/LA/ASVspoof2019_LA_asv_scores/ASVspoof2019.LA.asv.eval.gi.trl.scores.txt
    <out>/LA/README.md
    <out>/minispoof_meta.json

Protocol lines are ``SPEAKER UTT - ATTACK KEY`` (``ATTACK`` is ``-`` for
bona fide, ``KEY`` is ``bonafide`` or ``spoof``), with IDs that are visibly
not ASVspoof ones (``MS_T_0000001``, speakers ``MS_0001``, attacks
``MS01``-``MS08``). The ASV score files are the real ASVspoof 2019 LA ones
(ODC-By 1.0), so a t-DCF computed on MiniSpoof-LA uses the operating point
of the ASVspoof 2019 LA ASV system.

Spoofs come from eight offline, pip-only generators (see
:mod:`speechbrain_fica.dataio.spoofers` and :data:`ATTACKS`): four appear in
every split, four only in eval (unseen attacks). Speakers are disjoint
across splits and every spoof is made from bona fide material of a speaker
of the same split. Both classes go through the same post-processing
(per-word trimming, the same resampling chain per source, high-pass, fades,
loudness normalisation, dither, 16-bit quantisation), and utterance lengths
are drawn from the same distribution, so that single trivial cues do not
separate the classes; :func:`cue_eers` measures this.

Example (command line)::

    python -m speechbrain_fica.dataio.minispoof --output_folder MiniSpoof

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import csv
import gzip
import hashlib
import importlib
import importlib.metadata
import json
import logging
import multiprocessing
import os
import platform
import shutil
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

from speechbrain_fica.dataio import spoofers

logger = logging.getLogger(__name__)

_MODULE = "speechbrain_fica.dataio.minispoof"
BUILDER_VERSION = 1
FS = 16000
FSDD_FS = 8000
SPLITS = ("train", "dev", "eval")
SPLIT_CODES = {"train": "T", "dev": "D", "eval": "E"}
PROTOCOL_FILES = {
    "train": "ASVspoof2019.LA.cm.train.trn.txt",
    "dev": "ASVspoof2019.LA.cm.dev.trl.txt",
    "eval": "ASVspoof2019.LA.cm.eval.trl.txt",
}
ASV_SCORE_FILES = {
    split: f"ASVspoof2019.LA.asv.{split}.gi.trl.scores.txt"
    for split in ("dev", "eval")
}
META_FILE = "minispoof_meta.json"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FSDD_DIR = DATA_DIR / "minispoof" / "fsdd" / "recordings"
LIBRI_DIR = DATA_DIR / "minispoof" / "librispeech"
ASV_DIR = DATA_DIR / "asvspoof2019_asv"

#: FSDD speakers per split (6 male speakers, two per split).
FSDD_SPEAKERS = {
    "train": ("jackson", "yweweler"),
    "dev": ("lucas", "nicolas"),
    "eval": ("george", "theo"),
}
#: LibriSpeech speakers per split: (female, male) counts, taken in order of
#: speaker id from ``librispeech/speakers.tsv`` (25 F + 25 M).
LIBRI_SPLIT_SIZES = {"train": (10, 10), "dev": (5, 5), "eval": (10, 10)}

DEFAULT_N_BONAFIDE = {"train": 100, "dev": 50, "eval": 100}
DEFAULT_N_PER_ATTACK = {"train": 50, "dev": 25, "eval": 35}

# Post-processing constants (identical for both classes)
TRIM_DB = 40.0
WORD_FADE_S = 0.005
UTT_FADE_S = 0.01
GAP_S = (0.06, 0.25)
MIN_EDGE_SILENCE_S = 0.1
LEVEL_DB = (-32.0, -24.0)
DITHER_DB = -66.0
HIGHPASS_HZ = 50.0
LIBRI_MARGIN_S = 0.1
N_WORD_CANDIDATES = 16


@dataclass(frozen=True)
class Attack:
    """One MiniSpoof-LA spoofing attack.

    Arguments
    ---------
    generator : str
        Name of the generator function in
        :mod:`speechbrain_fica.dataio.spoofers`.
    splits : tuple of str
        Splits in which the attack appears.
    description : str
        One-line description (written to the corpus README).
    sampler : str or None
        Name of the function in ``spoofers`` that draws per-utterance
        parameters, or None.

    Example
    -------
    >>> ATTACKS["MS01"].splits
    ('train', 'dev', 'eval')
    """

    generator: str
    splits: tuple
    description: str
    sampler: str = None


#: The attacks. MS01-MS04 are in every split (MS01 and MS04 are the
#: 'known' attacks of eval, as A16/A19 are in ASVspoof 2019 LA); MS05-MS08
#: appear only in eval (unseen attacks).
ATTACKS = {
    "MS01": Attack(
        "world_resynthesis",
        SPLITS,
        "WORLD analysis-synthesis (pyworld: DIO+StoneMask F0, CheapTrick, "
        "D4C, 5 ms frames)",
    ),
    "MS02": Attack(
        "world_voice_conversion",
        ("train", "dev"),
        "WORLD voice conversion: F0 x1.35-1.6 with formant warp x1.10-1.16, "
        "or F0 x0.70-0.82 with warp x0.86-0.92",
        "sample_voice_conversion_params",
    ),
    "MS03": Attack(
        "mlsa_vocoder",
        ("train", "dev"),
        "SPTK mel-cepstral vocoder (pysptk: -80 dBFS dither, SWIPE' F0, "
        "10 ms frames, mcep order 24 alpha 0.42, pulse/noise excitation, "
        "MLSA filter)",
    ),
    "MS04": Attack(
        "griffin_lim",
        SPLITS,
        "Griffin-Lim inversion of an 80-band mel magnitude spectrogram "
        "(torchaudio, n_fft 1024, hop 256, 32 iterations)",
    ),
    "MS05": Attack(
        "lpc_vocoder",
        ("eval",),
        "LPC-10 style vocoder (order 18, impulse-train / white-noise "
        "excitation, autocorrelation pitch tracker; numpy/scipy)",
    ),
    "MS06": Attack(
        "phase_vocoder_shift",
        ("eval",),
        "STFT phase vocoder time stretch x0.88-1.12 plus resampling pitch "
        "shift x0.8-0.9 or x1.1-1.2 (torchaudio)",
        "sample_phase_vocoder_params",
    ),
    "MS07": Attack(
        "harmonic_plus_noise",
        ("eval",),
        "random-phase harmonic-plus-noise resynthesis from WORLD "
        "parameters (numpy sinusoidal synthesis)",
    ),
    "MS08": Attack(
        "world_coded",
        ("eval",),
        "SPSS-style WORLD vocoding from 24 coded envelope coefficients and "
        "band aperiodicity, temporally smoothed, variance shrunk x0.75",
    ),
}


# ---------------------------------------------------------------------------
# Source material
# ---------------------------------------------------------------------------
def _check_data():
    """Raises FileNotFoundError if the vendored audio is missing."""
    missing = [
        str(p)
        for p in (FSDD_DIR, LIBRI_DIR / "speakers.tsv", ASV_DIR)
        if not p.exists()
    ]
    if missing:
        raise FileNotFoundError(
            "MiniSpoof-LA source data not found: "
            + ", ".join(missing)
            + ". It ships inside the speechbrain_fica package "
            "(speechbrain_fica/data); reinstall the package with its "
            "package data."
        )


def fsdd_recordings(speaker):
    """Lists the vendored FSDD recordings of one speaker.

    Arguments
    ---------
    speaker : str
        FSDD speaker name (e.g. ``"theo"``).

    Returns
    -------
    list of str
        File names ``{digit}_{speaker}_{index}.flac``, sorted.

    Example
    -------
    >>> len(fsdd_recordings("theo"))
    80
    """
    return sorted(p.name for p in FSDD_DIR.glob(f"*_{speaker}_*.flac"))


def libri_speakers():
    """Reads the vendored LibriSpeech speaker table.

    Returns
    -------
    list of dict
        Rows with ``speaker``, ``sex``, ``file`` and ``excerpt_seconds``,
        sorted by numeric speaker id.

    Example
    -------
    >>> rows = libri_speakers()
    >>> len(rows), sorted({r["sex"] for r in rows})
    (50, ['F', 'M'])
    """
    with open(LIBRI_DIR / "speakers.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return sorted(rows, key=lambda r: int(r["speaker"]))


def split_speakers():
    """Assigns the source speakers to the splits (fixed, seed-free).

    Returns
    -------
    dict
        ``{split: [(source, name), ...]}`` with source ``"fsdd"`` or
        ``"libri"``.

    Example
    -------
    >>> s = split_speakers()
    >>> [len(s[k]) for k in ("train", "dev", "eval")]
    [22, 12, 22]
    """
    rows = libri_speakers()
    by_sex = {
        sex: [r["speaker"] for r in rows if r["sex"] == sex]
        for sex in ("F", "M")
    }
    result = {}
    offset = {"F": 0, "M": 0}
    for split in SPLITS:
        names = [("fsdd", name) for name in FSDD_SPEAKERS[split]]
        for sex, count in zip(("F", "M"), LIBRI_SPLIT_SIZES[split]):
            chosen = by_sex[sex][offset[sex] : offset[sex] + count]
            offset[sex] += count
            names += [("libri", name) for name in chosen]
        fsdd = names[: len(FSDD_SPEAKERS[split])]
        libri = sorted(names[len(fsdd) :], key=lambda n: int(n[1]))
        result[split] = fsdd + libri
    return result


def speaker_map():
    """Maps source speakers to MiniSpoof speaker ids.

    Returns
    -------
    dict
        ``{(source, name): "MS_0001", ...}``, numbered train, dev, eval.

    Example
    -------
    >>> speaker_map()[("fsdd", "jackson")]
    'MS_0001'
    """
    mapping = {}
    speakers = split_speakers()
    for split in SPLITS:
        for key in speakers[split]:
            mapping[key] = f"MS_{len(mapping) + 1:04d}"
    return mapping


_AUDIO_CACHE = {}


def _load(path):
    """Reads a vendored file as float64 (cached per process)."""
    path = str(path)
    if path not in _AUDIO_CACHE:
        if len(_AUDIO_CACHE) > 256:
            _AUDIO_CACHE.clear()
        audio, fs = sf.read(path, dtype="float64")
        audio.setflags(write=False)
        _AUDIO_CACHE[path] = (audio, fs)
    return _AUDIO_CACHE[path]


# ---------------------------------------------------------------------------
# Job planning (main process; one random stream per split)
# ---------------------------------------------------------------------------
def _plan_jobs(seed, n_bonafide, n_per_attack, fsdd_fraction, durations):
    """Draws every random choice of the corpus from ``seed``.

    Each split has its own random stream (``[seed, split_index]``), so the
    content of a split does not depend on the sizes of the other splits.
    """
    speakers = split_speakers()
    spk_ids = speaker_map()
    libri_rows = {r["speaker"]: r for r in libri_speakers()}
    libri_len = {
        name: sf.info(str(LIBRI_DIR / "audio" / row["file"])).frames
        for name, row in libri_rows.items()
    }
    jobs = {}
    for split_index, split in enumerate(SPLITS):
        rng = np.random.default_rng([int(seed), split_index])
        systems = [("-", n_bonafide[split])] + [
            (aid, n_per_attack[split])
            for aid, att in ATTACKS.items()
            if split in att.splits
        ]
        split_jobs = []
        for system, count in systems:
            n_fsdd = int(round(count * fsdd_fraction))
            for source, n_src in (("fsdd", n_fsdd), ("libri", count - n_fsdd)):
                pool = [n for n in speakers[split] if n[0] == source]
                order = []
                while len(order) < n_src:
                    order += [pool[i] for i in rng.permutation(len(pool))]
                for key in order[:n_src]:
                    split_jobs.append(
                        _plan_one(
                            rng,
                            split,
                            system,
                            key,
                            spk_ids[key],
                            durations,
                            libri_rows,
                            libri_len,
                        )
                    )
        perm = rng.permutation(len(split_jobs))
        split_jobs = [split_jobs[i] for i in perm]
        for k, job in enumerate(split_jobs):
            job["utt"] = f"MS_{SPLIT_CODES[split]}_{k + 1:07d}"
        jobs[split] = sorted(split_jobs, key=lambda j: j["utt"])
    return jobs


def _plan_one(
    rng, split, system, key, spk_id, durations, libri_rows, libri_len
):
    """Plans one utterance (source material, lengths, parameters)."""
    source, name = key
    if system == "-":
        generator, params = "identity", {}
    else:
        attack = ATTACKS[system]
        generator = attack.generator
        params = {}
        if attack.sampler is not None:
            params = getattr(spoofers, attack.sampler)(rng)
    n_samples = int(round(rng.uniform(*durations) * FS))
    job = {
        "split": split,
        "system": system,
        "speaker": spk_id,
        "source": source,
        "source_speaker": name,
        "generator": generator,
        "params": params,
        "n_samples": n_samples,
        "level_db": float(rng.uniform(*LEVEL_DB)),
    }
    if source == "fsdd":
        files = fsdd_recordings(name)
        idx = rng.choice(len(files), size=N_WORD_CANDIDATES, replace=False)
        job["words"] = [files[i] for i in idx]
    else:
        stretch = params.get("time_ratio", 1.0)
        need = int(np.ceil(n_samples / stretch + 2 * LIBRI_MARGIN_S * FS))
        available = libri_len[name]
        if need > available:
            raise ValueError(
                f"LibriSpeech excerpt of speaker {name} is too short "
                f"({available} < {need} samples)"
            )
        job["file"] = libri_rows[name]["file"]
        job["start"] = int(rng.integers(0, available - need + 1))
        job["n_in"] = need
    job["seed"] = int(rng.integers(0, 2**63 - 1))
    return job


# ---------------------------------------------------------------------------
# Rendering (worker processes)
# ---------------------------------------------------------------------------
def _render_fsdd(job, generate, rng):
    """Concatenates digit words of one speaker, each generated alone."""
    n = job["n_samples"]
    budget = n - int(round(MIN_EDGE_SILENCE_S * FS))
    pieces, used = [], 0
    for name in job["words"]:
        audio, fs = _load(FSDD_DIR / name)
        x = spoofers.resample(audio, fs, FS)
        y = generate(x, FS, rng, **job["params"])
        y = spoofers.apply_fades(
            spoofers.trim_silence(y, FS, TRIM_DB), FS, WORD_FADE_S
        )
        gap = int(round(rng.uniform(*GAP_S) * FS)) if pieces else 0
        if used + gap + len(y) > budget:
            break
        pieces.append((gap, y))
        used += gap + len(y)
    out = np.zeros(n)
    pos = int(round(rng.uniform(0.2, 0.8) * (n - used)))
    for gap, y in pieces:
        pos += gap
        out[pos : pos + len(y)] = y
        pos += len(y)
    return spoofers.band_limit(out, FS, FSDD_FS)


def _render_libri(job, generate, rng):
    """Generates a segment of a LibriSpeech excerpt (with margins)."""
    audio, fs = _load(LIBRI_DIR / "audio" / job["file"])
    if fs != FS:
        raise ValueError(f"{job['file']}: expected {FS} Hz, got {fs}")
    x = np.array(audio[job["start"] : job["start"] + job["n_in"]])
    y = generate(x, FS, rng, **job["params"])
    offset = int(round(LIBRI_MARGIN_S * FS * len(y) / len(x)))
    return spoofers._fit_length(y[offset:], job["n_samples"])


def render_job(job):
    """Renders one planned utterance to 16-bit samples.

    Arguments
    ---------
    job : dict
        A plan entry made by the builder.

    Returns
    -------
    utt : str
        Utterance id.
    samples : numpy.ndarray
        int16 samples at 16 kHz.
    """
    rng = np.random.default_rng(job["seed"])
    generate = getattr(spoofers, job["generator"])
    if job["source"] == "fsdd":
        y = _render_fsdd(job, generate, rng)
    else:
        y = _render_libri(job, generate, rng)
    y = spoofers.highpass(y, FS, HIGHPASS_HZ)
    y = spoofers.apply_fades(y, FS, UTT_FADE_S)
    y = spoofers.normalize_rms(y, job["level_db"])
    return job["utt"], spoofers.dither_and_quantize(y, rng, DITHER_DB)


def _worker_init():
    torch.set_num_threads(1)


def _mp_context():
    """Fresh-interpreter workers (no fork of a threaded parent).

    ``forkserver`` (where available) imports this module once per session
    and forks workers from it, which is cheaper than ``spawn`` when several
    corpora are built in one process.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([_MODULE])
        return ctx
    return multiprocessing.get_context("spawn")


def _default_workers():
    try:
        n_cpu = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        n_cpu = os.cpu_count() or 1
    return max(1, min(8, n_cpu))


# ---------------------------------------------------------------------------
# Metadata, README, checks
# ---------------------------------------------------------------------------
def _versions():
    versions = {"python": platform.python_version()}
    for pkg in (
        "numpy",
        "scipy",
        "torch",
        "torchaudio",
        "soundfile",
        "pyworld",
        "pysptk",
    ):
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = None
    versions["libsndfile"] = sf.__libsndfile_version__
    version_file = Path(__file__).resolve().parent.parent / "version.txt"
    if version_file.exists():
        versions["speechbrain_fica"] = version_file.read_text().strip()
    return versions


def _options(seed, n_bonafide, n_per_attack, fsdd_fraction, durations):
    return {
        "builder_version": BUILDER_VERSION,
        "seed": int(seed),
        "n_bonafide": {s: int(n_bonafide[s]) for s in SPLITS},
        "n_spoof_per_attack": {s: int(n_per_attack[s]) for s in SPLITS},
        "fsdd_fraction": float(fsdd_fraction),
        "duration_range_s": [float(durations[0]), float(durations[1])],
    }


def _counts(jobs):
    counts = {}
    for split in SPLITS:
        per = {}
        for job in jobs[split]:
            key = "bonafide" if job["system"] == "-" else job["system"]
            per.setdefault(key, {"fsdd": 0, "libri": 0})
            per[key][job["source"]] += 1
        order = sorted(per, key=lambda k: (k != "bonafide", k))
        counts[split] = {k: per[k] for k in order}
    return counts


def _is_complete(out_dir, meta):
    la = out_dir / "LA"
    for split in SPLITS:
        proto = la / "ASVspoof2019_LA_cm_protocols" / PROTOCOL_FILES[split]
        if not proto.exists():
            return False
        expected = sum(sum(v.values()) for v in meta["counts"][split].values())
        flac_dir = la / f"ASVspoof2019_LA_{split}" / "flac"
        if len(list(flac_dir.glob("*.flac"))) != expected:
            return False
    return all(
        (la / "ASVspoof2019_LA_asv_scores" / name).exists()
        for name in ASV_SCORE_FILES.values()
    )


def _summary(out_dir, meta, skipped, seconds):
    la = out_dir / "LA"
    return {
        "output_folder": str(out_dir),
        "la_folder": str(la),
        "protocols": {
            s: str(la / "ASVspoof2019_LA_cm_protocols" / PROTOCOL_FILES[s])
            for s in SPLITS
        },
        "asv_scores": {
            s: str(la / "ASVspoof2019_LA_asv_scores" / name)
            for s, name in ASV_SCORE_FILES.items()
        },
        "counts": meta["counts"],
        "cue_eers": meta.get("cue_eers"),
        "skipped": skipped,
        "seconds": seconds,
    }


def _readme(meta):
    counts = meta["counts"]
    lines = [
        "# MiniSpoof-LA",
        "",
        "A small synthetic-speech (spoofing) detection corpus in the "
        "ASVspoof 2019 LA layout and protocol format, generated offline by "
        "`speechbrain_fica.dataio.minispoof` (builder version "
        f"{meta['options']['builder_version']}, seed "
        f"{meta['options']['seed']}). It is NOT part of ASVspoof: utterance, "
        "speaker and attack ids (`MS_T_0000001`, `MS_0001`, `MS01`) are "
        "MiniSpoof's own.",
        "",
        "## Splits",
        "",
        "| split | bona fide | spoof | attacks | speakers |",
        "|---|---|---|---|---|",
    ]
    for split in SPLITS:
        per = counts[split]
        n_bona = sum(per.get("bonafide", {}).values())
        n_spoof = sum(
            sum(v.values()) for k, v in per.items() if k != "bonafide"
        )
        attacks = ", ".join(
            f"{a} x {sum(v.values())}"
            for a, v in sorted(per.items())
            if a != "bonafide"
        )
        n_spk = len(meta["speakers_per_split"][split])
        lines.append(
            f"| {split} | {n_bona} | {n_spoof} | {attacks} | {n_spk} |"
        )
    lines += [
        "",
        "## Attacks",
        "",
        "| id | splits | method |",
        "|---|---|---|",
    ]
    for aid, att in meta["attacks"].items():
        lines.append(
            f"| {aid} | {', '.join(att['splits'])} | {att['description']} |"
        )
    lines += [
        "",
        "MS01 and MS04 are the known attacks of eval; MS05-MS08 appear only "
        "in eval (unseen attacks). Speakers are disjoint across splits; the "
        "SPEAKER column of a spoof is the speaker whose recordings it was "
        "made from (all of the same split), as ASVspoof lists the target "
        "speaker.",
        "",
        "## Sources and licences",
        "",
        "* Bona fide speech and the material of every spoof: a subset of the "
        "Free Spoken Digit Dataset (Z. Jackson et al., CC BY-SA 4.0, 8 kHz) "
        "and excerpts of LibriSpeech train-clean-100 (Panayotov et al. "
        "2015, CC BY 4.0, 16 kHz), as shipped in `speechbrain_fica/data/"
        "minispoof/` (see the ATTRIBUTION.md files there). The audio of "
        "this corpus is derived from them: FSDD-derived utterances are "
        "under CC BY-SA 4.0, LibriSpeech-derived ones under CC BY 4.0; "
        "attribute both and share FSDD-derived material alike. "
        "`minispoof_meta.json` records the source speaker of every "
        "MiniSpoof speaker id.",
        "* `ASVspoof2019_LA_asv_scores/` holds the real ASVspoof 2019 LA "
        "ASV score files (ASVspoof 2019 database, ODC-By 1.0; Todisco et "
        "al., Interspeech 2019; Wang et al., Computer Speech & Language "
        "64:101114, 2020). MiniSpoof has no ASV system of its own: a t-DCF "
        "computed on MiniSpoof-LA therefore uses the operating point of "
        "the ASVspoof 2019 LA ASV system, combined with MiniSpoof CM "
        "scores. Treat it as a pipeline check, not as a comparable t-DCF.",
        "",
        "## Post-processing (identical for both classes)",
        "",
        "* Utterance length drawn uniformly from "
        f"{meta['options']['duration_range_s'][0]:g}-"
        f"{meta['options']['duration_range_s'][1]:g} s for every utterance.",
        "* FSDD-derived utterances: digits of one speaker, generated word by "
        "word (bona fide: unchanged), each word trimmed at peak - 40 dB "
        "with 5 ms fades, joined with 60-250 ms gaps and random leading / "
        "trailing silence, then band-limited 16 -> 8 -> 16 kHz (both "
        "classes: the 0-4 kHz band of FSDD).",
        "* LibriSpeech-derived utterances: a random window of an excerpt, "
        "generated with 100 ms context on both sides, then cut; full band "
        "(0-8 kHz) for both classes.",
        "* Every split and class has the same FSDD / LibriSpeech mix "
        f"({100 * meta['options']['fsdd_fraction']:.0f} % FSDD), so the "
        "bandwidth reveals the source, not the label.",
        "* Then, for all: 50 Hz high-pass, 10 ms fades, RMS level drawn "
        "from -32 to -24 dBFS (peak limited to 0.97), white dither at "
        "-66 dBFS, 16-bit FLAC at 16 kHz.",
        "",
    ]
    cues = meta.get("cue_eers")
    if cues:
        lines += [
            "## Single-cue EERs (eval)",
            "",
            "Each cue used alone as a score (better direction); values "
            "near 50 % mean the cue carries no label information.",
            "",
            "| cue | EER (%) |",
            "|---|---|",
        ]
        for cue, eer in cues.items():
            lines.append(f"| {cue} | {100 * eer:.1f} |")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Cue measurements
# ---------------------------------------------------------------------------
CUES = ("duration", "hf_energy_ratio", "zero_fraction", "rms_level")


def utterance_cues(samples, fs=FS):
    """Computes the trivial cues of one utterance.

    Arguments
    ---------
    samples : numpy.ndarray
        1-D int16 (or float) samples.
    fs : int
        Sampling rate.

    Returns
    -------
    dict
        ``duration`` (s), ``hf_energy_ratio`` (energy above 4 kHz relative
        to the total, dB), ``zero_fraction`` (fraction of samples exactly
        0) and ``rms_level`` (dBFS).

    Example
    -------
    >>> c = utterance_cues(np.array([0, 1000, -1000, 0], dtype=np.int16))
    >>> c["duration"], c["zero_fraction"]
    (0.00025, 0.5)
    """
    samples = np.asarray(samples)
    zero_fraction = float(np.mean(samples == 0))
    x = samples.astype(np.float64)
    if samples.dtype == np.int16:
        x = x / spoofers.INT16_SCALE
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / fs)
    total = max(power.sum(), 1e-30)
    high = max(power[freqs > 4000.0].sum(), 1e-30)
    rms = max(np.sqrt(np.mean(x**2)), 1e-12)
    return {
        "duration": len(x) / fs,
        "hf_energy_ratio": float(10 * np.log10(high / total)),
        "zero_fraction": zero_fraction,
        "rms_level": float(20 * np.log10(rms)),
    }


def read_protocol(path):
    """Reads a 5-column ASVspoof 2019 CM protocol.

    Arguments
    ---------
    path : str or Path
        Protocol file.

    Returns
    -------
    list of dict
        Rows with ``speaker``, ``utt``, ``attack`` and ``key``.

    Example
    -------
    >>> p = getfixture("tmpdir").join("p.txt")
    >>> _ = p.write("MS_0001 MS_E_0000001 - - bonafide\\n")
    >>> read_protocol(str(p))[0]["key"]
    'bonafide'
    """
    rows = []
    with open(path) as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 5:
                raise ValueError(f"{path}: not a 5-column line: {line!r}")
            rows.append(
                {
                    "speaker": parts[0],
                    "utt": parts[1],
                    "attack": parts[3],
                    "key": parts[4],
                }
            )
    return rows


def _eer_better_direction(bonafide, spoof):
    from speechbrain_fica.metrics.det import compute_eer

    bonafide = np.asarray(bonafide, dtype=np.float64)
    spoof = np.asarray(spoof, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            forward = compute_eer(bonafide, spoof)[0]
            backward = compute_eer(-bonafide, -spoof)[0]
        except ValueError:  # constant cue: no information
            return 0.5
    return float(min(forward, backward))


def cue_eers(corpus_root, split="eval"):
    """EER of each trivial cue used alone as a score, on one split.

    Each cue (duration, energy above 4 kHz relative to the total, fraction
    of exactly-zero samples, RMS level) is scored in both directions and
    the better (lower) EER is kept; a value near 0.5 means the cue carries
    no label information.

    Arguments
    ---------
    corpus_root : str or Path
        The builder's output folder (containing ``LA/``) or the ``LA``
        folder itself.
    split : str
        ``"train"``, ``"dev"`` or ``"eval"``.

    Returns
    -------
    dict
        ``{cue: eer_fraction}`` for the cues in :data:`CUES`.

    Example
    -------
    >>> import speechbrain_fica.dataio.minispoof as ms
    >>> root = getfixture("tmpdir")
    >>> la = root.mkdir("LA")
    >>> _ = la.mkdir("ASVspoof2019_LA_cm_protocols")
    >>> flac = la.mkdir("ASVspoof2019_LA_eval").mkdir("flac")
    >>> rng = np.random.default_rng(0)
    >>> lines = []
    >>> for i in range(8):
    ...     key = "bonafide" if i % 2 else "spoof"
    ...     x = (rng.standard_normal(8000 + 800 * i) * 3000).astype(np.int16)
    ...     sf.write(str(flac.join(f"u{i}.flac")), x, 16000)
    ...     lines.append(f"S u{i} - {'-' if i % 2 else 'MS01'} {key}")
    >>> _ = (
    ...     la.join("ASVspoof2019_LA_cm_protocols")
    ...     .join(ms.PROTOCOL_FILES["eval"])
    ...     .write("\\n".join(lines) + "\\n")
    ... )
    >>> sorted(ms.cue_eers(str(root)))
    ['duration', 'hf_energy_ratio', 'rms_level', 'zero_fraction']
    """
    root = Path(corpus_root)
    la = (
        root
        if (root / "ASVspoof2019_LA_cm_protocols").exists()
        else root / "LA"
    )
    rows = read_protocol(
        la / "ASVspoof2019_LA_cm_protocols" / PROTOCOL_FILES[split]
    )
    values = {cue: {"bonafide": [], "spoof": []} for cue in CUES}
    for row in rows:
        path = la / f"ASVspoof2019_LA_{split}" / "flac" / f"{row['utt']}.flac"
        samples, fs = sf.read(str(path), dtype="int16")
        for cue, value in utterance_cues(samples, fs).items():
            values[cue][row["key"]].append(value)
    return {
        cue: _eer_better_direction(v["bonafide"], v["spoof"])
        for cue, v in values.items()
    }


# ---------------------------------------------------------------------------
# Builder
# ---------------------------------------------------------------------------
def _per_split(value, default, name):
    if value is None:
        return dict(default)
    if isinstance(value, int):
        return {s: int(value) for s in SPLITS}
    if isinstance(value, dict):
        missing = [s for s in SPLITS if s not in value]
        if missing:
            raise ValueError(f"{name} is missing splits {missing}")
        result = {s: int(value[s]) for s in SPLITS}
    else:
        result = dict(zip(SPLITS, (int(v) for v in value)))
        if len(result) != 3:
            raise ValueError(f"{name} needs three values (train, dev, eval)")
    if any(v < 1 for v in result.values()):
        raise ValueError(f"{name} must be >= 1 for every split: {result}")
    return result


def build_minispoof_la(
    output_folder,
    seed=1234,
    n_bonafide=None,
    n_spoof_per_attack=None,
    fsdd_fraction=0.4,
    duration_range=(2.0, 4.0),
    num_workers=None,
    skip_if_exists=True,
    overwrite=False,
    compute_cues=True,
    progress=True,
):
    """Builds MiniSpoof-LA in the ASVspoof 2019 LA layout.

    Arguments
    ---------
    output_folder : str or Path
        Folder that receives ``LA/`` and ``minispoof_meta.json``.
    seed : int
        Seed of every random choice; the same seed (and package versions)
        gives byte-identical protocols and audio.
    n_bonafide : dict, sequence or int, optional
        Bona fide utterances per split (default train 100, dev 50,
        eval 100).
    n_spoof_per_attack : dict, sequence or int, optional
        Spoofed utterances per attack and split (default train 50,
        dev 25, eval 35).
    fsdd_fraction : float
        Fraction of every (split, system) block made from FSDD digits; the
        rest comes from LibriSpeech.
    duration_range : tuple of float
        Utterance lengths are drawn uniformly from this range (seconds).
    num_workers : int, optional
        Worker processes (default: available CPUs, at most 8). The output
        does not depend on it. 0 or 1 runs in this process.
    skip_if_exists : bool
        If the folder already holds a complete build with the same
        options, return at once.
    overwrite : bool
        Replace an existing MiniSpoof build made with other options
        (folders without ``minispoof_meta.json`` are never deleted).
    compute_cues : bool
        Measure the single-cue EERs on eval (:func:`cue_eers`) and record
        them in the metadata and README.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict
        ``output_folder``, ``la_folder``, ``protocols``, ``asv_scores``,
        ``counts`` (per split, system and source), ``cue_eers``,
        ``skipped`` and ``seconds``.

    Example
    -------
    >>> out = getfixture("tmpdir")
    >>> info = build_minispoof_la(
    ...     str(out),
    ...     n_bonafide=2,
    ...     n_spoof_per_attack=1,
    ...     num_workers=0,
    ...     compute_cues=False,
    ...     progress=False,
    ... )
    >>> sorted(info["counts"]["eval"])
    ['MS01', 'MS04', 'MS05', 'MS06', 'MS07', 'MS08', 'bonafide']
    >>> build_minispoof_la(
    ...     str(out),
    ...     n_bonafide=2,
    ...     n_spoof_per_attack=1,
    ...     num_workers=0,
    ...     compute_cues=False,
    ... )["skipped"]
    True
    """
    t_start = time.perf_counter()
    out_dir = Path(output_folder)
    n_bonafide = _per_split(n_bonafide, DEFAULT_N_BONAFIDE, "n_bonafide")
    n_per_attack = _per_split(
        n_spoof_per_attack, DEFAULT_N_PER_ATTACK, "n_spoof_per_attack"
    )
    if not 0.0 <= fsdd_fraction <= 1.0:
        raise ValueError(f"fsdd_fraction must be in [0, 1]: {fsdd_fraction}")
    durations = (float(duration_range[0]), float(duration_range[1]))
    if not 0.5 <= durations[0] <= durations[1] <= 6.0:
        raise ValueError(
            f"duration_range must satisfy 0.5 <= min <= max <= 6 s: "
            f"{duration_range}"
        )
    options = _options(seed, n_bonafide, n_per_attack, fsdd_fraction, durations)

    meta_path = out_dir / META_FILE
    la_dir = out_dir / "LA"
    old_meta = None
    if meta_path.exists():
        with open(meta_path) as fh:
            old_meta = json.load(fh)
    if (
        skip_if_exists
        and old_meta is not None
        and old_meta.get("options") == options
        and _is_complete(out_dir, old_meta)
    ):
        logger.info("MiniSpoof-LA already built in %s, skipping", out_dir)
        return _summary(out_dir, old_meta, True, time.perf_counter() - t_start)
    if la_dir.exists():
        if old_meta is None:
            raise FileExistsError(
                f"{la_dir} exists but is not a MiniSpoof-LA build (no "
                f"{META_FILE}); refusing to touch it. Choose another "
                "output_folder."
            )
        same = old_meta.get("options") == options
        if not same and not overwrite:
            raise FileExistsError(
                f"{out_dir} holds a MiniSpoof-LA build with other options "
                f"({old_meta.get('options')}); pass overwrite=True to "
                "replace it, or choose another output_folder."
            )

    # fail early on missing dependencies or data
    _check_data()
    spoofers.import_pyworld()
    spoofers.import_pysptk()

    jobs = _plan_jobs(seed, n_bonafide, n_per_attack, fsdd_fraction, durations)
    all_jobs = [job for split in SPLITS for job in jobs[split]]
    tmp_dir = out_dir / ".minispoof_build"
    if tmp_dir.exists():
        shutil.rmtree(tmp_dir)
    tmp_la = tmp_dir / "LA"
    split_dirs = {}
    for split in SPLITS:
        split_dirs[split] = tmp_la / f"ASVspoof2019_LA_{split}" / "flac"
        split_dirs[split].mkdir(parents=True)
    where = {job["utt"]: job["split"] for job in all_jobs}

    if num_workers is None:
        num_workers = _default_workers()
    num_workers = min(int(num_workers), len(all_jobs))
    logger.info(
        "Building MiniSpoof-LA (%d utterances, seed %d, %d workers) in %s",
        len(all_jobs),
        seed,
        max(num_workers, 1),
        out_dir,
    )
    bar = tqdm(total=len(all_jobs), desc="MiniSpoof-LA", disable=not progress)
    audio_md5 = hashlib.md5()

    def _write(utt, samples):
        path = split_dirs[where[utt]] / f"{utt}.flac"
        sf.write(str(path), samples, FS, format="FLAC", subtype="PCM_16")
        audio_md5.update(utt.encode())
        audio_md5.update(samples.tobytes())
        bar.update(1)

    if num_workers <= 1:
        n_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for job in all_jobs:
                _write(*render_job(job))
        finally:
            torch.set_num_threads(n_threads)
    else:
        ctx = _mp_context()
        with ctx.Pool(num_workers, initializer=_worker_init) as pool:
            # refer to the importable module, also under ``python -m``
            worker = importlib.import_module(_MODULE).render_job
            for utt, samples in pool.imap(worker, all_jobs, chunksize=1):
                _write(utt, samples)
    bar.close()

    # protocols and ASV scores
    proto_dir = tmp_la / "ASVspoof2019_LA_cm_protocols"
    proto_dir.mkdir()
    proto_md5 = {}
    for split in SPLITS:
        lines = [
            f"{j['speaker']} {j['utt']} - {j['system']} "
            f"{'bonafide' if j['system'] == '-' else 'spoof'}\n"
            for j in jobs[split]
        ]
        text = "".join(lines)
        (proto_dir / PROTOCOL_FILES[split]).write_text(text)
        proto_md5[split] = hashlib.md5(text.encode()).hexdigest()
    asv_dir = tmp_la / "ASVspoof2019_LA_asv_scores"
    asv_dir.mkdir()
    for name in ASV_SCORE_FILES.values():
        with gzip.open(ASV_DIR / f"{name}.gz", "rb") as src:
            (asv_dir / name).write_bytes(src.read())

    spk_map = speaker_map()
    speakers = split_speakers()
    meta = {
        "name": "MiniSpoof-LA",
        "options": options,
        "counts": _counts(jobs),
        "attacks": {
            aid: {
                "generator": att.generator,
                "splits": list(att.splits),
                "description": att.description,
                "param_sampler": att.sampler,
            }
            for aid, att in ATTACKS.items()
        },
        "speakers": {
            spk_map[key]: {"source": key[0], "name": key[1], "split": split}
            for split in SPLITS
            for key in speakers[split]
        },
        "speakers_per_split": {
            split: [spk_map[key] for key in speakers[split]] for split in SPLITS
        },
        "postprocessing": {
            "trim_db": TRIM_DB,
            "word_fade_s": WORD_FADE_S,
            "utterance_fade_s": UTT_FADE_S,
            "gap_s": list(GAP_S),
            "min_edge_silence_s": MIN_EDGE_SILENCE_S,
            "level_dbfs": list(LEVEL_DB),
            "peak_limit": 0.97,
            "dither_dbfs": DITHER_DB,
            "highpass_hz": HIGHPASS_HZ,
            "fsdd_chain": "8 kHz -> 16 kHz -> generator -> 8 kHz -> 16 kHz",
            "libri_chain": "16 kHz -> generator -> 16 kHz (full band)",
            "libri_context_s": LIBRI_MARGIN_S,
        },
        "utterances": {
            job["utt"]: {
                k: job[k]
                for k in (
                    "system",
                    "speaker",
                    "source",
                    "params",
                    "level_db",
                    "seed",
                )
            }
            | (
                {"words": job["words"]}
                if job["source"] == "fsdd"
                else {"file": job["file"], "start": job["start"]}
            )
            for job in all_jobs
        },
        "checksums": {
            "protocols_md5": proto_md5,
            "audio_samples_md5": audio_md5.hexdigest(),
        },
        "versions": _versions(),
    }

    # move into place, then write the completion marker (the metadata)
    if meta_path.exists():
        meta_path.unlink()
    if la_dir.exists():
        shutil.rmtree(la_dir)
    os.replace(tmp_la, la_dir)
    shutil.rmtree(tmp_dir)
    if compute_cues:
        meta["cue_eers"] = {"eval": cue_eers(out_dir, "eval")}
    readme_meta = dict(meta)
    readme_meta["cue_eers"] = (meta.get("cue_eers") or {}).get("eval")
    (la_dir / "README.md").write_text(_readme(readme_meta))
    with open(meta_path, "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=False)
        fh.write("\n")
    seconds = time.perf_counter() - t_start
    logger.info("MiniSpoof-LA built in %.1f s: %s", seconds, la_dir)
    return _summary(out_dir, meta, False, seconds)


def main(argv=None):
    """Command-line entry point (see ``--help``).

    Arguments
    ---------
    argv : list of str, optional
        ``--output_folder`` and the build options (default:
        ``sys.argv[1:]``).

    Returns
    -------
    dict
        The summary returned by :func:`build_minispoof_la`.
    """
    parser = argparse.ArgumentParser(
        prog="python -m speechbrain_fica.dataio.minispoof",
        description=(
            "Build MiniSpoof-LA, a small offline spoofing-detection corpus "
            "in the exact ASVspoof 2019 LA layout and protocol format "
            "(LA/ASVspoof2019_LA_{train,dev,eval}/flac, "
            "LA/ASVspoof2019_LA_cm_protocols, LA/ASVspoof2019_LA_asv_scores)"
            ", from FSDD and LibriSpeech audio shipped with the package and "
            "eight pip-only spoof generators (needs pyworld and pysptk)."
        ),
    )
    parser.add_argument(
        "--output_folder", required=True, help="folder that receives LA/"
    )
    parser.add_argument(
        "--seed", type=int, default=1234, help="random seed (default 1234)"
    )
    # One count per split.
    per_split = {"type": int, "nargs": 3, "metavar": ("TRAIN", "DEV", "EVAL")}
    parser.add_argument(
        "--n_bonafide",
        help="bona fide utterances per split (default 100 50 100)",
        **per_split,
    )
    parser.add_argument(
        "--n_spoof_per_attack",
        help="spoofed utterances per attack and split (default 50 25 35)",
        **per_split,
    )
    parser.add_argument(
        "--fsdd_fraction",
        type=float,
        default=0.4,
        help="fraction of each block made from FSDD digits (default 0.4)",
    )
    parser.add_argument(
        "--num_workers",
        type=int,
        default=None,
        help="worker processes (default: CPUs, at most 8; 0 = in-process)",
    )
    parser.add_argument(
        "--no_skip",
        action="store_true",
        help="rebuild even if an identical build exists",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing MiniSpoof-LA build made with other options",
    )
    parser.add_argument(
        "--no_cues",
        action="store_true",
        help="do not measure the single-cue EERs after building",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    info = build_minispoof_la(
        args.output_folder,
        seed=args.seed,
        n_bonafide=args.n_bonafide,
        n_spoof_per_attack=args.n_spoof_per_attack,
        fsdd_fraction=args.fsdd_fraction,
        num_workers=args.num_workers,
        skip_if_exists=not args.no_skip,
        overwrite=args.overwrite,
        compute_cues=not args.no_cues,
    )
    for split in SPLITS:
        n = sum(sum(v.values()) for v in info["counts"][split].values())
        print(f"{split}: {n} utterances -> {info['protocols'][split]}")
    if info["cue_eers"]:
        eers = info["cue_eers"]["eval"]
        print(
            "single-cue EERs on eval: "
            + ", ".join(f"{k} {100 * v:.1f} %" for k, v in eers.items())
        )
    print(f"done in {info['seconds']:.1f} s ({info['la_folder']})")
    return info


if __name__ == "__main__":
    main(sys.argv[1:])
