"""Rendering: planned jobs to 16-bit audio, in this or in worker processes.

Authors
 * speechbrain-fica contributors 2026
"""

import multiprocessing
import os

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
    TRIM_DB,
    UTT_FADE_S,
    WORD_FADE_S,
)
from speechbrain_fica.minispoof.generators import get_generator
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


def _render_fsdd(job, generate, rng):
    """Concatenates digit words of one speaker, each generated alone."""
    n = job["n_samples"]
    budget = n - int(round(MIN_EDGE_SILENCE_S * FS))
    pieces, used = [], 0
    for name in job["words"]:
        audio, fs = load_audio(FSDD_DIR / name)
        x = resample(audio, fs, FS)
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
    y = highpass(y, FS, HIGHPASS_HZ)
    y = apply_fades(y, FS, UTT_FADE_S)
    y = normalize_rms(y, job["level_db"], PEAK_LIMIT)
    return job["utt"], dither_and_quantize(y, rng, DITHER_DB)


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


def render_jobs(jobs, num_workers):
    """Renders jobs in order, in this process or in a pool of workers.

    The samples do not depend on ``num_workers``: every job carries its
    own seed and torch runs on one thread in both cases.

    Arguments
    ---------
    jobs : list of dict
        Planned jobs.
    num_workers : int
        Worker processes; 0 or 1 renders in this process.

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
                yield render_job(job)
        finally:
            torch.set_num_threads(n_threads)
        return
    ctx = _mp_context()
    with ctx.Pool(num_workers, initializer=_worker_init) as pool:
        yield from pool.imap(render_job, jobs, chunksize=1)
