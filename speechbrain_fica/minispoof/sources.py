"""Source material of MiniSpoof-LA, shipped as package data.

Real (bona fide) speech: a subset of the Free Spoken Digit Dataset (FSDD,
8 kHz) and excerpts of LibriSpeech train-clean-100 (16 kHz), in
``speechbrain_fica/data/minispoof/``; and the real ASVspoof 2019 LA ASV
score files in ``speechbrain_fica/data/asvspoof2019_asv/``. This module
lists them, assigns the speakers to the splits and reads the audio.

Authors
 * speechbrain-fica contributors 2026
"""

import csv
from pathlib import Path

import soundfile as sf

from speechbrain_fica.minispoof.config import (
    FSDD_SPEAKERS,
    LIBRI_SPLIT_SIZES,
    SPLITS,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FSDD_DIR = DATA_DIR / "minispoof" / "fsdd" / "recordings"
LIBRI_DIR = DATA_DIR / "minispoof" / "librispeech"
LIBRI_AUDIO_DIR = LIBRI_DIR / "audio"
ASV_DIR = DATA_DIR / "asvspoof2019_asv"


def check_source_data():
    """Checks that the shipped source data is present.

    Raises
    ------
    FileNotFoundError
        Naming the missing files or folders.

    Example
    -------
    >>> check_source_data()
    """
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
    """Lists the shipped FSDD recordings of one speaker.

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
    """Reads the shipped LibriSpeech speaker table.

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


def libri_excerpt_lengths():
    """Number of samples of every shipped LibriSpeech excerpt.

    Returns
    -------
    dict
        ``{speaker: n_samples}``.

    Example
    -------
    >>> lengths = libri_excerpt_lengths()
    >>> len(lengths), min(lengths.values()) > 16000
    (50, True)
    """
    return {
        row["speaker"]: sf.info(str(LIBRI_AUDIO_DIR / row["file"])).frames
        for row in libri_speakers()
    }


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


def load_audio(path):
    """Reads a shipped audio file as float64 (cached per process).

    Arguments
    ---------
    path : str or Path
        The file.

    Returns
    -------
    audio : numpy.ndarray
        Read-only float64 samples.
    fs : int
        Its sampling rate.

    Example
    -------
    >>> audio, fs = load_audio(FSDD_DIR / fsdd_recordings("theo")[0])
    >>> fs, audio.dtype.name, audio.flags.writeable
    (8000, 'float64', False)
    """
    path = str(path)
    if path not in _AUDIO_CACHE:
        if len(_AUDIO_CACHE) > 256:
            _AUDIO_CACHE.clear()
        audio, fs = sf.read(path, dtype="float64")
        audio.setflags(write=False)
        _AUDIO_CACHE[path] = (audio, fs)
    return _AUDIO_CACHE[path]
