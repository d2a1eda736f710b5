"""Source material of MiniSpoof-LA, shipped as package data.

Real (bona fide) speech: a subset of the Free Spoken Digit Dataset (FSDD,
8 kHz) and excerpts of LibriSpeech train-clean-100 (16 kHz), in
``speechbrain_fica/data/minispoof/``; the CMU ARCTIC prompts spoken by the
text-to-speech attacks of the large corpus; and the real ASVspoof 2019 LA
ASV score files in ``speechbrain_fica/data/asvspoof2019_asv/``. This module
lists them, assigns the speakers to the splits and reads the audio.

The small corpus uses the 50 LibriSpeech speakers marked
``minispoof_small`` in ``librispeech/speakers.tsv``, the large corpus all
251.

Authors
 * speechbrain-fica contributors 2026
"""

import csv
import re
from pathlib import Path

import soundfile as sf

from speechbrain_fica.minispoof.config import (
    FSDD_SPEAKERS,
    LARGE_LIBRI_SPLIT_SIZES,
    LIBRI_SPLIT_SIZES,
    SIZES,
    SPLITS,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FSDD_DIR = DATA_DIR / "minispoof" / "fsdd" / "recordings"
LIBRI_DIR = DATA_DIR / "minispoof" / "librispeech"
LIBRI_AUDIO_DIR = LIBRI_DIR / "audio"
ARCTIC_FILE = DATA_DIR / "minispoof" / "arctic" / "cmuarctic.data"
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
        for p in (FSDD_DIR, LIBRI_DIR / "speakers.tsv", ASV_DIR, ARCTIC_FILE)
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


def _check_size(size):
    if size not in SIZES:
        raise ValueError(f"unknown corpus size {size!r}; known: {SIZES}")


def libri_speakers(size="small"):
    """Reads the shipped LibriSpeech speaker table.

    Arguments
    ---------
    size : str
        ``"small"`` (the 50 speakers marked ``minispoof_small``) or
        ``"large"`` (all of them).

    Returns
    -------
    list of dict
        Rows with ``speaker``, ``sex``, ``file``, ``excerpt_seconds`` and
        ``minispoof_small``, sorted by numeric speaker id.

    Example
    -------
    >>> rows = libri_speakers()
    >>> len(rows), sorted({r["sex"] for r in rows})
    (50, ['F', 'M'])
    >>> len(libri_speakers("large"))
    251
    """
    _check_size(size)
    with open(LIBRI_DIR / "speakers.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if size == "small":
        rows = [r for r in rows if r["minispoof_small"] == "yes"]
    return sorted(rows, key=lambda r: int(r["speaker"]))


def libri_excerpt_lengths(size="small"):
    """Number of samples of every shipped LibriSpeech excerpt.

    Arguments
    ---------
    size : str
        ``"small"`` or ``"large"`` (see :func:`libri_speakers`).

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
        for row in libri_speakers(size)
    }


def _split_speakers_small():
    rows = libri_speakers("small")
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


def _split_speakers_large():
    """The small corpus's speakers keep their split; the others fill, by
    sex and increasing id, train, then dev, then eval."""
    small = _split_speakers_small()
    libri = {
        split: [name for source, name in small[split] if source == "libri"]
        for split in SPLITS
    }
    assigned = {name for names in libri.values() for name in names}
    rows = libri_speakers("large")
    sex_of = {r["speaker"]: r["sex"] for r in rows}
    for sex_index, sex in enumerate(("F", "M")):
        rest = [
            r["speaker"]
            for r in rows
            if r["sex"] == sex and r["speaker"] not in assigned
        ]
        for split in SPLITS:
            have = sum(sex_of[n] == sex for n in libri[split])
            need = LARGE_LIBRI_SPLIT_SIZES[split][sex_index] - have
            if need < 0 or need > len(rest):
                raise ValueError(
                    f"{LIBRI_DIR / 'speakers.tsv'}: cannot give {split} "
                    f"{LARGE_LIBRI_SPLIT_SIZES[split][sex_index]} {sex} "
                    "speakers"
                )
            libri[split] += rest[:need]
            rest = rest[need:]
        if rest:
            raise ValueError(
                f"{LIBRI_DIR / 'speakers.tsv'}: {len(rest)} {sex} speakers "
                "left without a split; update LARGE_LIBRI_SPLIT_SIZES"
            )
    return {
        split: [("fsdd", name) for name in FSDD_SPEAKERS[split]]
        + [("libri", n) for n in sorted(libri[split], key=int)]
        for split in SPLITS
    }


def split_speakers(size="small"):
    """Assigns the source speakers to the splits (fixed, seed-free).

    Small: the FSDD speakers of :data:`config.FSDD_SPEAKERS` and the 50
    small-corpus LibriSpeech speakers, by sex in increasing id, 10+10 /
    5+5 / 10+10. Large: the same FSDD speakers and all 251 LibriSpeech
    speakers (:data:`config.LARGE_LIBRI_SPLIT_SIZES`); the small corpus's
    speakers stay in their split, so that neither corpus's eval speakers
    are in the other's train split.

    Arguments
    ---------
    size : str
        ``"small"`` or ``"large"``.

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
    >>> s = split_speakers("large")
    >>> [len(s[k]) for k in ("train", "dev", "eval")]
    [152, 52, 53]
    """
    _check_size(size)
    if size == "small":
        return _split_speakers_small()
    return _split_speakers_large()


def speaker_map(size="small"):
    """Maps source speakers to MiniSpoof speaker ids.

    Arguments
    ---------
    size : str
        ``"small"`` or ``"large"`` (the numbering differs).

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
    speakers = split_speakers(size)
    for split in SPLITS:
        for key in speakers[split]:
            mapping[key] = f"MS_{len(mapping) + 1:04d}"
    return mapping


_ARCTIC_LINE = re.compile(r'^\(\s*(\S+)\s+"(.*)"\s*\)$')
#: One sentence: no sentence or clause break before the final mark (some
#: engines split an input line there into several utterances).
_ONE_SENTENCE = re.compile(r"[^.?!:;]+[.?!]")


def arctic_prompts(path=ARCTIC_FILE):
    """Reads the CMU ARCTIC prompts that are one sentence.

    Arguments
    ---------
    path : str or Path
        A festvox ``cmuarctic.data`` file (``( arctic_a0001 "text" )``).

    Returns
    -------
    list of tuple
        ``(prompt_id, text)`` in file order.

    Raises
    ------
    ValueError
        A line is not in the festvox prompt format (names file and line).

    Example
    -------
    >>> prompts = arctic_prompts()
    >>> len(prompts), prompts[0]
    (1121, ('arctic_a0001', 'Author of the danger trail, Philip Steels, etc.'))
    """
    prompts = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            match = _ARCTIC_LINE.match(line.strip())
            if match is None:
                raise ValueError(
                    f"{path}:{line_no}: not a festvox prompt line: {line!r}"
                )
            prompt_id, text = match.group(1), match.group(2).strip()
            if _ONE_SENTENCE.fullmatch(text):
                prompts.append((prompt_id, text))
    return prompts


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
