"""The MiniSpoof-LA attacks: which generator, in which splits.

Authors
 * speechbrain-fica contributors 2026
"""

from dataclasses import dataclass

from speechbrain_fica.minispoof.config import SPLITS
from speechbrain_fica.minispoof.generators import (
    GENERATORS,
    PARAM_SAMPLERS,
    TTS_VOICES,
)


@dataclass(frozen=True)
class Attack:
    """One MiniSpoof-LA spoofing attack.

    Arguments
    ---------
    generator : str
        Name of the generator in
        :data:`speechbrain_fica.minispoof.generators.GENERATORS`, or of a
        text-to-speech voice in
        :data:`speechbrain_fica.minispoof.generators.TTS_VOICES`.
    splits : tuple of str
        Splits in which the attack appears.
    description : str
        One-line description (written to the corpus README).
    sampler : str or None
        Name of the function in
        :data:`speechbrain_fica.minispoof.generators.PARAM_SAMPLERS` that
        draws per-utterance parameters, or None.
    family : str, optional
        Family of the attack (large corpus): an eval attack whose family no
        train attack has is an unseen-family attack.
    note : str, optional
        What an attack shares with others despite its family (large
        corpus README).

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
    family: str = None
    note: str = None

    @property
    def is_tts(self):
        """Whether the attack is a text-to-speech voice."""
        return self.generator in TTS_VOICES

    def __post_init__(self):
        if self.generator not in GENERATORS and not self.is_tts:
            raise ValueError(
                f"unknown generator {self.generator!r} (register it in "
                "speechbrain_fica.minispoof.generators.GENERATORS or "
                "TTS_VOICES)"
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


_TRAIN_DEV = ("train", "dev")


def _tts(voice, splits, family, note=None):
    description = TTS_VOICES[voice].description
    return Attack(voice, splits, description, family=family, note=note)


_FORMANT = "formant synthesis (eSpeak NG)"
_DIPHONE = "diphone concatenation, residual-excited LPC (Festival / Flite)"
_CLUSTERGEN = "clustergen statistical parametric synthesis (Flite)"
_WORLD_VOCODER = "uses the WORLD vocoder of MS01"

#: The attacks of the large corpus (``size="large"``), by id. Ids MS01-MS08
#: are the waveform generators of :data:`ATTACKS` (same generator, other
#: splits); MS09-MS25 are text-to-speech voices reading the CMU ARCTIC
#: prompts. Train and dev share eight attacks (five families); eval has
#: the two known systems MS01 and MS04, five new voices of known families
#: and twelve attacks of families absent from train. Planning follows this
#: order: changing the table changes the large corpus.
LARGE_ATTACKS = {
    "MS01": Attack(
        "world_resynthesis",
        SPLITS,
        ATTACKS["MS01"].description,
        family="WORLD vocoder resynthesis",
    ),
    "MS04": Attack(
        "griffin_lim",
        SPLITS,
        ATTACKS["MS04"].description,
        family="Griffin-Lim phase reconstruction",
    ),
    "MS09": _tts("tts_espeak_en_us", _TRAIN_DEV, _FORMANT),
    "MS10": _tts("tts_espeak_en_us_m3", _TRAIN_DEV, _FORMANT),
    "MS11": _tts("tts_espeak_en_us_f2", _TRAIN_DEV, _FORMANT),
    "MS12": _tts("tts_festival_kal", _TRAIN_DEV, _DIPHONE),
    "MS13": _tts("tts_flite_awb", _TRAIN_DEV, _CLUSTERGEN),
    "MS14": _tts("tts_flite_rms", _TRAIN_DEV, _CLUSTERGEN),
    # eval: known families, new voices
    "MS15": _tts("tts_espeak_en_gb_rp_f4", ("eval",), _FORMANT),
    "MS16": _tts("tts_espeak_en_gb_scotland", ("eval",), _FORMANT),
    "MS17": _tts("tts_festival_ked", ("eval",), _DIPHONE),
    "MS18": _tts("tts_flite_slt", ("eval",), _CLUSTERGEN),
    "MS19": _tts(
        "tts_flite_kal16",
        ("eval",),
        _DIPHONE,
        "same kal diphone data as MS12",
    ),
    # eval: unseen families
    "MS20": _tts("tts_pico_en_us", ("eval",), "SVOX Pico HMM synthesis"),
    "MS21": _tts("tts_pico_en_gb", ("eval",), "SVOX Pico HMM synthesis"),
    "MS22": _tts(
        "tts_festival_slt_hts",
        ("eval",),
        "HTS HMM statistical parametric synthesis",
        "MLSA-type vocoding, like the clustergen voices MS13/MS14",
    ),
    "MS23": _tts(
        "tts_espeak_en_us_klatt",
        ("eval",),
        "Klatt formant synthesis (eSpeak NG)",
        "eSpeak NG text front end, as MS09-MS11",
    ),
    "MS24": _tts(
        "tts_espeak_en_us_klatt4",
        ("eval",),
        "Klatt formant synthesis (eSpeak NG)",
        "eSpeak NG text front end, as MS09-MS11",
    ),
    "MS25": _tts(
        "tts_freetts_kevin16",
        ("eval",),
        "FreeTTS diphone synthesis (Java engine)",
        "new engine on the kal diphone data of MS12",
    ),
    "MS02": Attack(
        "world_voice_conversion",
        ("eval",),
        ATTACKS["MS02"].description,
        ATTACKS["MS02"].sampler,
        family="WORLD voice conversion",
        note=_WORLD_VOCODER,
    ),
    "MS03": Attack(
        "mlsa_vocoder",
        ("eval",),
        ATTACKS["MS03"].description,
        family="mel-cepstral MLSA vocoder",
    ),
    "MS05": Attack(
        "lpc_vocoder",
        ("eval",),
        ATTACKS["MS05"].description,
        family="LPC vocoder",
    ),
    "MS06": Attack(
        "phase_vocoder_shift",
        ("eval",),
        ATTACKS["MS06"].description,
        ATTACKS["MS06"].sampler,
        family="STFT phase vocoder",
    ),
    "MS07": Attack(
        "harmonic_plus_noise",
        ("eval",),
        ATTACKS["MS07"].description,
        family="harmonic-plus-noise model",
    ),
    "MS08": Attack(
        "world_coded",
        ("eval",),
        ATTACKS["MS08"].description,
        family="over-smoothed coded WORLD features",
        note=_WORLD_VOCODER,
    ),
}


def attack_table(size="small"):
    """The attacks of a corpus size, by id, in planning order.

    Arguments
    ---------
    size : str
        ``"small"`` or ``"large"``.

    Returns
    -------
    dict
        :data:`ATTACKS` or :data:`LARGE_ATTACKS`.

    Example
    -------
    >>> len(attack_table()), len(attack_table("large"))
    (8, 25)
    """
    tables = {"small": ATTACKS, "large": LARGE_ATTACKS}
    if size not in tables:
        raise ValueError(f"unknown corpus size {size!r}")
    return tables[size]


def family_status(attack_id, attacks=LARGE_ATTACKS):
    """Whether the train split knows an attack, its family, or neither.

    Arguments
    ---------
    attack_id : str
        A key of ``attacks``.
    attacks : dict
        The attack table.

    Returns
    -------
    str
        ``"known system"`` (in train), ``"seen family"`` (another train
        attack has its family) or ``"unseen family"``.

    Example
    -------
    >>> [family_status(a) for a in ("MS01", "MS15", "MS20")]
    ['known system', 'seen family', 'unseen family']
    """
    attack = attacks[attack_id]
    if "train" in attack.splits:
        return "known system"
    train_families = {a.family for a in attacks.values() if "train" in a.splits}
    if attack.family in train_families:
        return "seen family"
    return "unseen family"
