"""The MiniSpoof-LA attacks: which generator, in which splits.

Authors
 * speechbrain-fica contributors 2026
"""

from dataclasses import dataclass

from speechbrain_fica.minispoof.config import SPLITS
from speechbrain_fica.minispoof.generators import (
    GENERATORS,
    PARAM_SAMPLERS,
)


@dataclass(frozen=True)
class Attack:
    """One MiniSpoof-LA spoofing attack.

    Arguments
    ---------
    generator : str
        Name of the generator in
        :data:`speechbrain_fica.minispoof.generators.GENERATORS`.
    splits : tuple of str
        Splits in which the attack appears.
    description : str
        One-line description (written to the corpus README).
    sampler : str or None
        Name of the function in
        :data:`speechbrain_fica.minispoof.generators.PARAM_SAMPLERS` that
        draws per-utterance parameters, or None.

    Example
    -------
    >>> ATTACKS["MS01"].splits
    ('train', 'dev', 'eval')
    >>> Attack("no_such_generator", ("eval",), "?")
    Traceback (most recent call last):
    ...
    ValueError: unknown generator 'no_such_generator' ...
    """

    generator: str
    splits: tuple
    description: str
    sampler: str = None

    def __post_init__(self):
        if self.generator not in GENERATORS:
            raise ValueError(
                f"unknown generator {self.generator!r} (register it in "
                "speechbrain_fica.minispoof.generators.GENERATORS)"
            )
        if self.sampler is not None and self.sampler not in PARAM_SAMPLERS:
            raise ValueError(
                f"unknown parameter sampler {self.sampler!r} (register it "
                "in speechbrain_fica.minispoof.generators.PARAM_SAMPLERS)"
            )
        unknown = set(self.splits) - set(SPLITS)
        if unknown:
            raise ValueError(f"unknown splits {sorted(unknown)}")


#: The attacks, by id. MS01-MS04 are in every split (MS01 and MS04 are the
#: 'known' attacks of eval, as A16/A19 are in ASVspoof 2019 LA); MS05-MS08
#: appear only in eval (unseen attacks). The table, in this order, is part
#: of the corpus (utterances are planned attack by attack), so adding an
#: attack changes the corpus: bump ``config.BUILDER_VERSION`` with it.
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
