"""Name registry of the generators and their parameter samplers.

A generator is called as ``generate(x, fs, rng, **params)``: ``x`` is one
bona fide waveform (float64, mono, in [-1, 1]) at ``fs`` Hz, ``rng`` a
``numpy.random.Generator`` and ``params`` the per-utterance setting drawn by
its parameter sampler (``sampler(rng) -> dict``), if it has one. It returns
a float64 spoofed copy of the same content and speaker. The corpus builder
plans utterances with generator names (they travel to worker processes and
into the corpus metadata) and looks the functions up here.

To add a generator, write it with that signature and add it to
:data:`GENERATORS` (and its sampler, if any, to :data:`PARAM_SAMPLERS`);
then give it an attack id in :data:`speechbrain_fica.minispoof.attacks.ATTACKS`
or ``LARGE_ATTACKS``. Text-to-speech voices read text instead: they are in
:data:`speechbrain_fica.minispoof.generators.tts.TTS_VOICES`.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np

from speechbrain_fica.minispoof.generators.source_filter import (
    harmonic_plus_noise,
    lpc_vocoder,
)
from speechbrain_fica.minispoof.generators.spectral import (
    griffin_lim,
    phase_vocoder_shift,
    sample_phase_vocoder_params,
)
from speechbrain_fica.minispoof.generators.sptk import mlsa_vocoder
from speechbrain_fica.minispoof.generators.world import (
    sample_voice_conversion_params,
    world_coded,
    world_resynthesis,
    world_voice_conversion,
)


def identity(x, fs, rng=None):
    """The bona fide 'generator': returns a copy of the input.

    Arguments
    ---------
    x : numpy.ndarray
        1-D signal.
    fs : int
        Sampling rate (unused).
    rng : numpy.random.Generator, optional
        Unused.

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``x``.

    Example
    -------
    >>> identity(np.ones(3), 16000).tolist()
    [1.0, 1.0, 1.0]
    """
    return np.array(x, dtype=np.float64, copy=True)


#: Generators by name (``identity`` renders the bona fide utterances).
GENERATORS = {
    "identity": identity,
    "world_resynthesis": world_resynthesis,
    "world_voice_conversion": world_voice_conversion,
    "mlsa_vocoder": mlsa_vocoder,
    "griffin_lim": griffin_lim,
    "lpc_vocoder": lpc_vocoder,
    "phase_vocoder_shift": phase_vocoder_shift,
    "harmonic_plus_noise": harmonic_plus_noise,
    "world_coded": world_coded,
}

#: Per-utterance parameter samplers by name.
PARAM_SAMPLERS = {
    "sample_voice_conversion_params": sample_voice_conversion_params,
    "sample_phase_vocoder_params": sample_phase_vocoder_params,
}


def _lookup(table, kind, name):
    try:
        return table[name]
    except KeyError:
        raise KeyError(
            f"unknown MiniSpoof {kind} {name!r}; known: {', '.join(table)}"
        ) from None


def get_generator(name):
    """Returns the generator registered under a name.

    Arguments
    ---------
    name : str
        A key of :data:`GENERATORS`.

    Returns
    -------
    callable
        ``generate(x, fs, rng, **params) -> numpy.ndarray``.

    Raises
    ------
    KeyError
        No generator has this name (the message lists the known ones).

    Example
    -------
    >>> get_generator("griffin_lim").__name__
    'griffin_lim'
    """
    return _lookup(GENERATORS, "generator", name)


def get_param_sampler(name):
    """Returns the parameter sampler registered under a name.

    Arguments
    ---------
    name : str
        A key of :data:`PARAM_SAMPLERS`.

    Returns
    -------
    callable
        ``sampler(rng) -> dict`` of keyword arguments of a generator.

    Raises
    ------
    KeyError
        No sampler has this name (the message lists the known ones).

    Example
    -------
    >>> sampler = get_param_sampler("sample_phase_vocoder_params")
    >>> sorted(sampler(np.random.default_rng(0)))
    ['pitch_ratio', 'time_ratio']
    """
    return _lookup(PARAM_SAMPLERS, "parameter sampler", name)
