"""The README of a MiniSpoof-LA build, from templates shipped as data.

``templates/README.md.in`` and ``templates/cue_eers.md.in`` (small corpus)
and ``templates/README_large.md.in`` and ``templates/cue_eers_large.md.in``
(large corpus) are :class:`string.Template` texts; :func:`render_readme`
fills them from the build metadata and the post-processing constants.

Authors
 * speechbrain-fica contributors 2026
"""

import importlib.resources
from string import Template

from speechbrain_fica.minispoof import config
from speechbrain_fica.minispoof.config import SPLITS


def _template(name):
    path = importlib.resources.files(__package__) / "templates" / name
    return Template(path.read_text(encoding="utf-8"))


def _number(value, scale=1.0):
    """A constant as the README writes it (``0.005`` s -> ``5`` ms)."""
    return f"{value * scale:g}"


def _split_rows(meta):
    rows = []
    for split in SPLITS:
        per = meta["counts"][split]
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
        rows.append(f"| {split} | {n_bona} | {n_spoof} | {attacks} | {n_spk} |")
    return "\n".join(rows)


def _attack_rows(meta):
    return "\n".join(
        f"| {aid} | {', '.join(att['splits'])} | {att['description']} |"
        for aid, att in meta["attacks"].items()
    )


def _cue_eers_section(cues):
    if not cues:
        return ""
    rows = "\n".join(
        f"| {cue} | {100 * eer:.1f} |" for cue, eer in cues.items()
    )
    section = _template("cue_eers.md.in").substitute(cue_rows=rows)
    return "\n" + section.strip("\n")


def render_readme(meta, size="small"):
    """Writes the README text of a build.

    Arguments
    ---------
    meta : dict
        Build metadata (``options``, ``counts``, ``attacks``,
        ``speakers_per_split``) with ``cue_eers`` set to ``{cue: eer}`` of
        eval, or None to leave the cue section out. Large corpus: also
        ``durations``, and ``cue_eers`` as ``{split: {cue: eer}}``.
    size : str
        ``"small"`` or ``"large"`` (see :func:`render_large_readme`).

    Returns
    -------
    str
        Markdown text ending with one newline.

    Example
    -------
    >>> counts = {s: {"bonafide": {"fsdd": 1, "libri": 1}} for s in SPLITS}
    >>> meta = {
    ...     "options": {
    ...         "builder_version": 1,
    ...         "seed": 7,
    ...         "duration_range_s": [2.0, 4.0],
    ...         "fsdd_fraction": 0.4,
    ...     },
    ...     "counts": counts,
    ...     "attacks": {"MS01": {"splits": ["eval"], "description": "WORLD"}},
    ...     "speakers_per_split": {s: ["MS_0001"] for s in SPLITS},
    ...     "cue_eers": {"duration": 0.49},
    ... }
    >>> text = render_readme(meta)
    >>> "| eval | 2 | 0 |  | 1 |" in text, "| duration | 49.0 |" in text
    (True, True)
    >>> "Single-cue" in render_readme(dict(meta, cue_eers=None))
    False
    """
    if size == "large":
        return render_large_readme(meta)
    options = meta["options"]
    text = _template("README.md.in").substitute(
        builder_version=options["builder_version"],
        seed=options["seed"],
        split_rows=_split_rows(meta),
        attack_rows=_attack_rows(meta),
        duration_min=_number(options["duration_range_s"][0]),
        duration_max=_number(options["duration_range_s"][1]),
        fsdd_percent=f"{100 * options['fsdd_fraction']:.0f}",
        trim_db=_number(config.TRIM_DB),
        word_fade_ms=_number(config.WORD_FADE_S, 1000),
        gap_min_ms=_number(config.GAP_S[0], 1000),
        gap_max_ms=_number(config.GAP_S[1], 1000),
        fs_khz=_number(config.FS, 1e-3),
        fsdd_khz=_number(config.FSDD_FS, 1e-3),
        fsdd_band_khz=_number(config.FSDD_FS, 0.5e-3),
        fs_band_khz=_number(config.FS, 0.5e-3),
        libri_context_ms=_number(config.LIBRI_MARGIN_S, 1000),
        highpass_hz=_number(config.HIGHPASS_HZ),
        utt_fade_ms=_number(config.UTT_FADE_S, 1000),
        level_min_db=_number(config.LEVEL_DB[0]),
        level_max_db=_number(config.LEVEL_DB[1]),
        peak_limit=_number(config.PEAK_LIMIT),
        dither_db=_number(config.DITHER_DB),
        cue_eers_section=_cue_eers_section(meta.get("cue_eers")),
    )
    return text.rstrip("\n") + "\n"


#: Engine column of the large README for the waveform generators.
_GENERATOR_ENGINES = {
    "world_resynthesis": "WORLD (pyworld)",
    "world_voice_conversion": "WORLD (pyworld)",
    "world_coded": "WORLD (pyworld)",
    "mlsa_vocoder": "SPTK (pysptk)",
    "griffin_lim": "torchaudio",
    "phase_vocoder_shift": "torchaudio",
    "lpc_vocoder": "numpy / scipy",
    "harmonic_plus_noise": "numpy / scipy",
}


def _seconds(stats):
    if not stats:
        return "-"
    return (
        f"{stats['min_s']:.2f} / {stats['mean_s']:.2f} / {stats['max_s']:.2f}"
    )


def _large_split_rows(meta):
    rows = []
    for split in SPLITS:
        per = meta["counts"][split]
        durations = meta.get("durations", {}).get(split, {})
        n_bona = sum(per.get("bonafide", {}).values())
        n_spoof = sum(
            sum(v.values()) for k, v in per.items() if k != "bonafide"
        )
        attacks = ", ".join(
            f"{a} x {sum(v.values())}"
            for a, v in sorted(per.items())
            if a != "bonafide"
        )
        total = sum(d["total_min"] for d in durations.values())
        rows.append(
            f"| {split} | {n_bona} | {n_spoof} | {attacks} | "
            f"{len(meta['speakers_per_split'][split])} | "
            f"{_seconds(durations.get('bonafide'))} | "
            f"{_seconds(durations.get('spoof'))} | {total:.1f} |"
        )
    return "\n".join(rows)


def _large_attack_rows(meta):
    rows = []
    for aid, att in sorted(meta["attacks"].items()):
        engine = att.get("engine") or _GENERATOR_ENGINES.get(
            att["generator"], att["generator"]
        )
        rows.append(
            f"| {aid} | {engine} | {att.get('voice') or '-'} | "
            f"{att['family']} | {', '.join(att['splits'])} | "
            f"{att['family_status']} | {att['description']} | "
            f"{att.get('note') or ''} |"
        )
    return "\n".join(rows)


def _large_cue_section(cues):
    if not cues:
        return ""
    splits = [s for s in SPLITS if s in cues]
    names = list(cues[splits[0]])
    rows = "\n".join(
        f"| {cue} | "
        + " | ".join(f"{100 * cues[s][cue]:.1f}" for s in splits)
        + " |"
        for cue in names
    )
    section = _template("cue_eers_large.md.in").substitute(
        split_header=" | ".join(f"{s} EER (%)" for s in splits),
        split_rule="---|" * len(splits),
        cue_rows=rows,
    )
    return "\n" + section.strip("\n")


def render_large_readme(meta):
    """Writes the README text of a large build.

    Arguments
    ---------
    meta : dict
        Build metadata of a large build (``options``, ``counts``,
        ``attacks`` with their families, ``speakers_per_split``,
        ``durations``), with ``cue_eers`` as ``{split: {cue: eer}}`` or
        None.

    Returns
    -------
    str
        Markdown text ending with one newline.

    Example
    -------
    >>> counts = {s: {"bonafide": {"fsdd": 1, "libri": 1}} for s in SPLITS}
    >>> meta = {
    ...     "options": {
    ...         "builder_version": 1,
    ...         "seed": 7,
    ...         "duration_range_s": [2.0, 5.0],
    ...         "fsdd_fraction": 0.25,
    ...     },
    ...     "counts": counts,
    ...     "attacks": {
    ...         "MS20": {
    ...             "generator": "tts_pico_en_us",
    ...             "engine": "pico",
    ...             "voice": "en-US",
    ...             "family": "SVOX Pico HMM synthesis",
    ...             "family_status": "unseen family",
    ...             "splits": ["eval"],
    ...             "description": "SVOX Pico",
    ...             "note": None,
    ...         }
    ...     },
    ...     "speakers_per_split": {s: ["MS_0001"] for s in SPLITS},
    ...     "cue_eers": {s: {"duration": 0.45} for s in SPLITS},
    ... }
    >>> text = render_large_readme(meta)
    >>> "| MS20 | pico | en-US | SVOX Pico HMM synthesis | eval |" in text
    True
    >>> "| duration | 45.0 | 45.0 | 45.0 |" in text
    True
    """
    options = meta["options"]
    n_libri = sum(
        1
        for spk in meta.get("speakers", {}).values()
        if spk["source"] == "libri"
    )
    text = _template("README_large.md.in").substitute(
        builder_version=options["builder_version"],
        seed=options["seed"],
        split_rows=_large_split_rows(meta),
        attack_rows=_large_attack_rows(meta),
        libri_speakers=n_libri,
        duration_min=_number(options["duration_range_s"][0]),
        duration_max=_number(options["duration_range_s"][1]),
        pad_min_ms=_number(config.PAD_S[0], 1000),
        pad_max_ms=_number(config.PAD_S[1], 1000),
        fsdd_percent=f"{100 * options['fsdd_fraction']:.0f}",
        trim_db=_number(config.TRIM_DB),
        word_fade_ms=_number(config.WORD_FADE_S, 1000),
        gap_min_ms=_number(config.GAP_S[0], 1000),
        gap_max_ms=_number(config.GAP_S[1], 1000),
        tts_gap_min_ms=_number(config.TTS_GAP_S[0], 1000),
        tts_gap_max_ms=_number(config.TTS_GAP_S[1], 1000),
        fs_khz=_number(config.FS, 1e-3),
        fsdd_khz=_number(config.FSDD_FS, 1e-3),
        fsdd_band_khz=_number(config.FSDD_FS, 0.5e-3),
        fs_band_khz=_number(config.FS, 0.5e-3),
        libri_context_ms=_number(config.LIBRI_MARGIN_S, 1000),
        highpass_hz=_number(config.HIGHPASS_HZ),
        utt_fade_ms=_number(config.UTT_FADE_S, 1000),
        level_min_db=_number(config.LEVEL_DB[0]),
        level_max_db=_number(config.LEVEL_DB[1]),
        peak_limit=_number(config.PEAK_LIMIT),
        dither_db=_number(config.DITHER_DB),
        cue_eers_section=_large_cue_section(meta.get("cue_eers")),
    )
    return text.rstrip("\n") + "\n"
