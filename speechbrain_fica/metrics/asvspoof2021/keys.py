"""Layouts and values of the ASVspoof 2021 CM keys, and trial selections.

LA keys have 8 columns ``spk trial codec trans attack label trim subset``;
DF keys 13 columns ``speaker trial compr source attack label trim subset
vocoder task team gender-pair language``.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pandas as pd  # noqa: F401  (doctests)

from speechbrain_fica.metrics.tables import POOLED

TRACKS = ("LA", "DF")
SUBSETS = ("eval", "progress", "hidden")


LA_KEY_COLUMNS = [
    "spk",
    "trial",
    "codec",
    "trans",
    "attack",
    "label",
    "trim",
    "subset",
]
DF_KEY_COLUMNS = [
    "speaker",
    "trial",
    "compr",
    "source",
    "attack",
    "label",
    "trim",
    "subset",
    "vocoder",
    "task",
    "team",
    "gender-pair",
    "language",
]
KEY_COLUMNS = {"LA": LA_KEY_COLUMNS, "DF": DF_KEY_COLUMNS}
LA_ATTACKS = [f"A{number:02d}" for number in range(7, 20)]
LA_CODECS = ["none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus"]
DF_VOCODERS = [
    "traditional_vocoder",
    "waveform_concatenation",
    "neural_vocoder_autoregressive",
    "neural_vocoder_nonautoregressive",
    "unknown",
]
DF_CODECS = [
    "nocodec",
    "low_mp3",
    "high_mp3",
    "low_m4a",
    "high_m4a",
    "low_ogg",
    "high_ogg",
    "mp3m4a",
    "oggm4a",
]


# Condition tags of the official printout (eval-package config.py).
OFFICIAL_TAGS = {
    "LA": {
        "columns": {c: f"C{i}" for i, c in enumerate(LA_CODECS, start=1)},
        "rows": {},
    },
    "DF": {
        "columns": {c: f"C{i}" for i, c in enumerate(DF_CODECS, start=1)},
        "rows": dict(
            zip(
                DF_VOCODERS,
                [
                    "Traditional",
                    "Wav.Concat.",
                    "Neural AR",
                    "Neural non-AR",
                    "Unknown",
                ],
            )
        ),
    },
}


BONAFIDE = "bonafide"
SPOOF = "spoof"
TARGET = "target"
NONTARGET = "nontarget"


def select_subset(table, subset, what):
    """Rows of ``table`` in ``subset`` (all rows when subset is None)."""
    if subset is None:
        return table
    selected = table[table["subset"].to_numpy() == subset]
    if len(selected) == 0:
        present = sorted(set(table["subset"].tolist()))
        raise ValueError(
            f"no {what} trials with subset == {subset!r} "
            f"(subsets present: {', '.join(present) or 'none'})"
        )
    return selected


def value_masks(values, wanted):
    """Boolean mask per wanted value, plus an all-True mask for Pooled."""
    masks = {value: values == value for value in wanted}
    masks[POOLED] = np.ones(len(values), dtype=bool)
    return masks
