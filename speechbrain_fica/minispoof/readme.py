"""The README of a MiniSpoof-LA build, from templates shipped as data.

``templates/README.md.in`` and ``templates/cue_eers.md.in`` are
:class:`string.Template` texts; :func:`render_readme` fills them from the
build metadata and the post-processing constants.

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


def render_readme(meta):
    """Writes the README text of a build.

    Arguments
    ---------
    meta : dict
        Build metadata (``options``, ``counts``, ``attacks``,
        ``speakers_per_split``) with ``cue_eers`` set to ``{cue: eer}`` of
        eval, or None to leave the cue section out.

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
