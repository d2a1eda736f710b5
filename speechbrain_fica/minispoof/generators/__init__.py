"""Offline spoofed-speech generators of the MiniSpoof-LA corpus.

Every generator turns one bona fide waveform into a spoofed copy of the
same content and speaker, offline, with pip packages only (numpy, scipy,
torch / torchaudio, and for some ``pyworld`` / ``pysptk`` from the ``demo``
extra, imported lazily). One module per family:

* :mod:`.world`: WORLD analysis-synthesis, voice conversion and coded
  (over-smoothed) vocoding.
* :mod:`.sptk`: SPTK mel-cepstrum and MLSA filter.
* :mod:`.spectral`: Griffin-Lim and the STFT phase vocoder.
* :mod:`.source_filter`: LPC vocoder and harmonic-plus-noise model.
* :mod:`.tts`: offline text-to-speech engines (eSpeak NG, Festival, Flite,
  FreeTTS, SVOX Pico); they read text, not a waveform, and are looked up
  in :data:`TTS_VOICES`.

:mod:`.postprocess` holds the processing applied identically to both
classes, :mod:`.optional` the imports of the optional packages and
:mod:`.registry` the names under which the builder finds the generators.

Authors
 * speechbrain-fica contributors 2026
"""

from speechbrain_fica.minispoof.generators.optional import (
    check_demo_dependencies,
    import_pysptk,
    import_pyworld,
)
from speechbrain_fica.minispoof.generators.registry import (
    GENERATORS,
    PARAM_SAMPLERS,
    get_generator,
    get_param_sampler,
    identity,
)
from speechbrain_fica.minispoof.generators.signals import synthetic_vowel
from speechbrain_fica.minispoof.generators.tts import (
    TTS_VOICES,
    TTSEngineError,
    check_tts_engines,
    get_tts_voice,
    read_tts_audio,
    synthesize,
)
