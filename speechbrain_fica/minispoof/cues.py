"""Trivial cues of MiniSpoof-LA utterances and how well they separate.

A corpus is only useful if no single trivial property of the audio
(duration, bandwidth, digital silence, level) gives away the label.
:func:`cue_eers` scores each such cue alone and reports its EER.

Authors
 * speechbrain-fica contributors 2026
"""

import warnings
from pathlib import Path

import numpy as np
import soundfile as sf

from speechbrain_fica.dataio.protocols import read_protocol_2019
from speechbrain_fica.minispoof.config import FS, PROTOCOL_FILES
from speechbrain_fica.minispoof.generators.dsp import INT16_SCALE

#: The cues measured by :func:`utterance_cues`.
CUES = ("duration", "hf_energy_ratio", "zero_fraction", "rms_level")


def utterance_cues(samples, fs=FS):
    """Computes the trivial cues of one utterance.

    Arguments
    ---------
    samples : numpy.ndarray
        1-D int16 (or float) samples.
    fs : int
        Sampling rate.

    Returns
    -------
    dict
        ``duration`` (s), ``hf_energy_ratio`` (energy above 4 kHz relative
        to the total, dB), ``zero_fraction`` (fraction of samples exactly
        0) and ``rms_level`` (dBFS).

    Example
    -------
    >>> c = utterance_cues(np.array([0, 1000, -1000, 0], dtype=np.int16))
    >>> c["duration"], c["zero_fraction"]
    (0.00025, 0.5)
    """
    samples = np.asarray(samples)
    zero_fraction = float(np.mean(samples == 0))
    x = samples.astype(np.float64)
    if samples.dtype == np.int16:
        x = x / INT16_SCALE
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / fs)
    total = max(power.sum(), 1e-30)
    high = max(power[freqs > 4000.0].sum(), 1e-30)
    rms = max(np.sqrt(np.mean(x**2)), 1e-12)
    return {
        "duration": len(x) / fs,
        "hf_energy_ratio": float(10 * np.log10(high / total)),
        "zero_fraction": zero_fraction,
        "rms_level": float(20 * np.log10(rms)),
    }


def _eer_better_direction(bonafide, spoof):
    """EER of a cue as a score, in whichever direction is lower."""
    from speechbrain_fica.metrics.det import compute_eer

    bonafide = np.asarray(bonafide, dtype=np.float64)
    spoof = np.asarray(spoof, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            forward = compute_eer(bonafide, spoof)[0]
            backward = compute_eer(-bonafide, -spoof)[0]
        except ValueError:  # constant cue: no information
            return 0.5
    return float(min(forward, backward))


def cue_eers(corpus_root, split="eval"):
    """EER of each trivial cue used alone as a score, on one split.

    Each cue (duration, energy above 4 kHz relative to the total, fraction
    of exactly-zero samples, RMS level) is scored in both directions and
    the better (lower) EER is kept; a value near 0.5 means the cue carries
    no label information.

    Arguments
    ---------
    corpus_root : str or Path
        The builder's output folder (containing ``LA/``) or the ``LA``
        folder itself.
    split : str
        ``"train"``, ``"dev"`` or ``"eval"``.

    Returns
    -------
    dict
        ``{cue: eer_fraction}`` for the cues in :data:`CUES`.

    Example
    -------
    >>> root = getfixture("tmpdir")
    >>> la = root.mkdir("LA")
    >>> _ = la.mkdir("ASVspoof2019_LA_cm_protocols")
    >>> flac = la.mkdir("ASVspoof2019_LA_eval").mkdir("flac")
    >>> rng = np.random.default_rng(0)
    >>> lines = []
    >>> for i in range(8):
    ...     key = "bonafide" if i % 2 else "spoof"
    ...     x = (rng.standard_normal(8000 + 800 * i) * 3000).astype(np.int16)
    ...     sf.write(str(flac.join(f"u{i}.flac")), x, 16000)
    ...     lines.append(f"S u{i} - {'-' if i % 2 else 'MS01'} {key}")
    >>> _ = (
    ...     la.join("ASVspoof2019_LA_cm_protocols")
    ...     .join(PROTOCOL_FILES["eval"])
    ...     .write("\\n".join(lines) + "\\n")
    ... )
    >>> sorted(cue_eers(str(root)))
    ['duration', 'hf_energy_ratio', 'rms_level', 'zero_fraction']
    """
    root = Path(corpus_root)
    la = (
        root
        if (root / "ASVspoof2019_LA_cm_protocols").exists()
        else root / "LA"
    )
    protocol = read_protocol_2019(
        la / "ASVspoof2019_LA_cm_protocols" / PROTOCOL_FILES[split]
    )
    values = {cue: {"bonafide": [], "spoof": []} for cue in CUES}
    for utt, key in zip(protocol["utt"], protocol["key"]):
        path = la / f"ASVspoof2019_LA_{split}" / "flac" / f"{utt}.flac"
        samples, fs = sf.read(str(path), dtype="int16")
        for cue, value in utterance_cues(samples, fs).items():
            values[cue][key].append(value)
    return {
        cue: _eer_better_direction(v["bonafide"], v["spoof"])
        for cue, v in values.items()
    }
