"""Rendering: planned jobs to 16-bit audio, in this or in worker processes.

Authors
 * speechbrain-fica contributors 2026
"""

import multiprocessing
import os
from functools import partial
from pathlib import Path

import numpy as np
import torch

from speechbrain_fica.minispoof.config import (
    DITHER_DB,
    FS,
    FSDD_FS,
    GAP_S,
    HIGHPASS_HZ,
    LIBRI_MARGIN_S,
    MIN_EDGE_SILENCE_S,
    PEAK_LIMIT,
    SPEECH_SLACK_S,
    TRIM_DB,
    UTT_FADE_S,
    WORD_FADE_S,
)
from speechbrain_fica.minispoof.generators import (
    get_generator,
    identity,
    read_tts_audio,
)
from speechbrain_fica.minispoof.generators.dsp import fit_length, resample
from speechbrain_fica.minispoof.generators.postprocess import (
    apply_fades,
    band_limit,
    dither_and_quantize,
    highpass,
    normalize_rms,
    trim_silence,
)
from speechbrain_fica.minispoof.sources import (
    FSDD_DIR,
    LIBRI_AUDIO_DIR,
    load_audio,
)

# the worker processes import this module (see _mp_context)
_MODULE = __name__


def _read_fsdd_word(name):
    audio, fs = load_audio(FSDD_DIR / name)
    return resample(audio, fs, FS)


def _read_tts_item(voice_dir, item_id):
    return read_tts_audio(Path(voice_dir) / f"{item_id}.wav", FS)


def _read_tts_digit(voice_dir, item_id):
    # FSDD part: 8 kHz material for every class, as the FSDD recordings
    x = read_tts_audio(Path(voice_dir) / f"{item_id}.wav", FSDD_FS)
    return resample(x, FSDD_FS, FS)


def _render_fsdd(job, generate, rng, read_word=_read_fsdd_word):
    """Concatenates digit words of one speaker, each generated alone."""
    n = job["n_samples"]
    budget = n - int(round(MIN_EDGE_SILENCE_S * FS))
    pieces, used = [], 0
    for name in job["words"]:
        x = read_word(name)
        y = generate(x, FS, rng, **job["params"])
        y = apply_fades(trim_silence(y, FS, TRIM_DB), FS, WORD_FADE_S)
        gap = int(round(rng.uniform(*GAP_S) * FS)) if pieces else 0
        if used + gap + len(y) > budget:
            break
        pieces.append((gap, y))
        used += gap + len(y)
    out = np.zeros(n)
    # random leading silence; the rest of the slack trails
    pos = int(round(rng.uniform(0.2, 0.8) * (n - used)))
    for gap, y in pieces:
        pos += gap
        out[pos : pos + len(y)] = y
        pos += len(y)
    return band_limit(out, FS, FSDD_FS)


def _render_libri(job, generate, rng):
    """Generates a segment of a LibriSpeech excerpt (with margins)."""
    audio, fs = load_audio(LIBRI_AUDIO_DIR / job["file"])
    if fs != FS:
        raise ValueError(f"{job['file']}: expected {FS} Hz, got {fs}")
    x = np.array(audio[job["start"] : job["start"] + job["n_in"]])
    y = generate(x, FS, rng, **job["params"])
    offset = int(round(LIBRI_MARGIN_S * FS * len(y) / len(x)))
    return fit_length(y[offset:], job["n_samples"])


def render_job(job):
    """Renders one planned utterance to 16-bit samples.

    Arguments
    ---------
    job : dict
        A plan entry made by :func:`speechbrain_fica.minispoof.plan.plan_jobs`.

    Returns
    -------
    utt : str
        Utterance id.
    samples : numpy.ndarray
        int16 samples at 16 kHz.

    Example
    -------
    >>> from speechbrain_fica.minispoof.plan import plan_jobs
    >>> counts = {"train": 1, "dev": 1, "eval": 1}
    >>> job = plan_jobs(1234, counts, counts, 0.5, (2.0, 4.0))["eval"][0]
    >>> utt, samples = render_job(job)
    >>> utt, samples.dtype.name, len(samples) == job["n_samples"]
    ('MS_E_0000001', 'int16', True)
    """
    rng = np.random.default_rng(job["seed"])
    generate = get_generator(job["generator"])
    if job["source"] == "fsdd":
        y = _render_fsdd(job, generate, rng)
    else:
        y = _render_libri(job, generate, rng)
    return job["utt"], _finish(y, job, rng)


def _finish(y, job, rng):
    """The last steps, for every utterance of either class."""
    y = highpass(y, FS, HIGHPASS_HZ)
    y = apply_fades(y, FS, UTT_FADE_S)
    y = normalize_rms(y, job["level_db"], PEAK_LIMIT)
    return dither_and_quantize(y, rng, DITHER_DB)


def _tts_sentences(job, voice_dir):
    """The prompts a TTS job reads, each trimmed, joined by the planned
    pauses, then a random window of the planned speech plus slack."""
    pieces = []
    for k, prompt_id in enumerate(job["prompts"]):
        x = _read_tts_item(voice_dir, prompt_id)
        x = apply_fades(trim_silence(x, FS, TRIM_DB), FS, WORD_FADE_S)
        if k:
            pieces.append(np.zeros(job["gaps"][k - 1]))
        pieces.append(x)
    sentences = np.concatenate(pieces)
    window = job["n_speech"] + int(round(SPEECH_SLACK_S * FS))
    start = int(job["offset"] * max(0, len(sentences) - window))
    return sentences[start : start + window]


def _libri_window(job, generate, rng):
    """A window of an excerpt through the generator, context removed."""
    audio, fs = load_audio(LIBRI_AUDIO_DIR / job["file"])
    if fs != FS:
        raise ValueError(f"{job['file']}: expected {FS} Hz, got {fs}")
    x = np.array(audio[job["start"] : job["start"] + job["n_in"]])
    y = generate(x, FS, rng, **job["params"])
    offset = int(round(LIBRI_MARGIN_S * FS * len(y) / len(x)))
    return y[offset : len(y) - offset]


def render_large_job(job, tts_dir=None):
    """Renders one planned utterance of the large corpus to 16-bit samples.

    FSDD part: as :func:`render_job` (text-to-speech attacks speak digit
    words instead of FSDD recordings, taken to 8 kHz, the rate of the
    recordings, then to 16 kHz). LibriSpeech part: the material
    (an excerpt window, through its generator; or the sentences a TTS
    voice read) is trimmed at peak - ``TRIM_DB`` dB, cut to the planned
    speech length and put between the planned silences. Then, for all,
    the steps of :func:`render_job`.

    Arguments
    ---------
    job : dict
        A plan entry made by
        :func:`speechbrain_fica.minispoof.plan.plan_large_jobs`.
    tts_dir : str or Path, optional
        Folder with one sub-folder per TTS voice holding the synthesised
        texts (``<voice>/<item>.wav``); needed by TTS jobs.

    Returns
    -------
    utt : str
        Utterance id.
    samples : numpy.ndarray
        int16 samples at 16 kHz.

    Example
    -------
    >>> from speechbrain_fica.minispoof.plan import plan_large_jobs
    >>> counts = {"train": 1, "dev": 1, "eval": 1}
    >>> jobs = plan_large_jobs(1234, counts, counts, 0.0, (2.0, 3.0))
    >>> job = [j for j in jobs["train"] if j["kind"] == "bonafide"][0]
    >>> utt, samples = render_large_job(job)
    >>> n = job["n_lead"] + job["n_speech"] + job["n_trail"]
    >>> samples.dtype.name, len(samples) == n
    ('int16', True)
    """
    rng = np.random.default_rng(job["seed"])
    if job["kind"] == "tts":
        if tts_dir is None:
            raise ValueError(f"{job['utt']}: a TTS job needs tts_dir")
        voice_dir = Path(tts_dir) / job["generator"]
        generate = identity
    else:
        generate = get_generator(job["generator"])
    if job["source"] == "fsdd":
        n = job["n_lead"] + job["n_speech"] + job["n_trail"]
        read_word = _read_fsdd_word
        if job["kind"] == "tts":
            read_word = partial(_read_tts_digit, voice_dir)
        y = _render_fsdd(dict(job, n_samples=n), generate, rng, read_word)
    else:
        if job["kind"] == "tts":
            material = _tts_sentences(job, voice_dir)
        else:
            material = _libri_window(job, generate, rng)
        speech = trim_silence(material, FS, TRIM_DB)[: job["n_speech"]]
        speech = apply_fades(speech, FS, UTT_FADE_S)
        y = np.concatenate(
            [np.zeros(job["n_lead"]), speech, np.zeros(job["n_trail"])]
        )
    return job["utt"], _finish(y, job, rng)


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


def default_workers():
    """Worker processes used by default: the available CPUs, at most 8.

    Returns
    -------
    int
        At least 1.

    Example
    -------
    >>> 1 <= default_workers() <= 8
    True
    """
    try:
        n_cpu = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        n_cpu = os.cpu_count() or 1
    return max(1, min(8, n_cpu))


def render_jobs(jobs, num_workers, render=render_job):
    """Renders jobs in order, in this process or in a pool of workers.

    The samples do not depend on ``num_workers``: every job carries its
    own seed and torch runs on one thread in both cases.

    Arguments
    ---------
    jobs : list of dict
        Planned jobs.
    num_workers : int
        Worker processes; 0 or 1 renders in this process.
    render : callable
        ``render(job) -> (utt, samples)``: :func:`render_job`, or
        :func:`render_large_job` with its ``tts_dir`` bound
        (``functools.partial``; it must be picklable).

    Yields
    ------
    utt : str
        Utterance id, in the order of ``jobs``.
    samples : numpy.ndarray
        Its int16 samples.

    Example
    -------
    >>> from speechbrain_fica.minispoof.plan import plan_jobs
    >>> counts = {"train": 1, "dev": 1, "eval": 1}
    >>> jobs = plan_jobs(1234, counts, counts, 0.5, (2.0, 4.0))["dev"][:2]
    >>> [utt for utt, _ in render_jobs(jobs, 0)]
    ['MS_D_0000001', 'MS_D_0000002']
    """
    if num_workers <= 1:
        n_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for job in jobs:
                yield render(job)
        finally:
            torch.set_num_threads(n_threads)
        return
    ctx = _mp_context()
    with ctx.Pool(num_workers, initializer=_worker_init) as pool:
        yield from pool.imap(render, jobs, chunksize=1)
