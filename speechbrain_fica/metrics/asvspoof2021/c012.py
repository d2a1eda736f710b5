"""The per-cell C0/C1/C2 coefficients of the ASVspoof 2021 LA t-DCF.

The official evaluation package ships them for its ASV system
(``LA-C012-*.npy`` in the LA keys) and can recompute them from ASV
scores; both are offered here (:func:`load_la_c012`).

Authors
 * speechbrain-fica contributors 2026
"""

import os

import numpy as np
import pandas as pd  # noqa: F401  (doctests)

from speechbrain_fica.metrics.asvspoof2021.keys import (
    LA_ATTACKS,
    LA_CODECS,
    NONTARGET,
    SPOOF,
    SUBSETS,
    TARGET,
    select_subset,
    value_masks,
)
from speechbrain_fica.metrics.det import eer_from_det, raw_det_curve
from speechbrain_fica.metrics.score_files import read_asv_key_and_scores
from speechbrain_fica.metrics.tables import POOLED
from speechbrain_fica.metrics.tdcf import (
    COST_MODEL_2021,
    AsvOperatingPoint,
    tdcf_2021_coefficients,
)

# File name tags of the official pre-computed C012 (keys/LA/LA-C012-*.npy).
C012_FILE_TAGS = {"eval": "eval", "progress": "prog", "hidden": "hidden"}


LA_ASV_SOURCES = ("auto", "c012", "asv", "none")


def load_c012(npy_path):
    """Loads a C012 dictionary saved by numpy (e.g. ``LA-C012-eval.npy``).

    The file holds a pickled dict ``C012[attack][codec] = {"C0", "C1",
    "C2"}`` (keys including ``"Pooled"``). Loading a pickle can run code:
    only load files from a trusted source (the official key package or
    :func:`save_c012`).

    Arguments
    ---------
    npy_path : str
        Path of the ``.npy`` file.

    Returns
    -------
    dict
        The nested C012 dictionary.

    Example
    -------
    >>> path = str(getfixture("tmpdir").join("c012.npy"))
    >>> save_c012(
    ...     {"Pooled": {"Pooled": {"C0": 0.1, "C1": 0.8, "C2": 0.4}}}, path
    ... )
    >>> load_c012(path)["Pooled"]["Pooled"]["C2"]
    0.4
    """
    loaded = np.load(npy_path, allow_pickle=True)
    c012 = loaded.item() if isinstance(loaded, np.ndarray) else loaded
    if not isinstance(c012, dict):
        raise ValueError(
            f"{npy_path} does not hold a C012 dictionary "
            f"(got {type(c012).__name__})"
        )
    return c012


def save_c012(c012, npy_path):
    """Saves a C012 dictionary in the format read by :func:`load_c012`.

    Arguments
    ---------
    c012 : dict
        ``C012[attack][codec] = {"C0", "C1", "C2"}``.
    npy_path : str
        Output path (written as is, no extension is added).
    """
    with open(npy_path, "wb") as stream:
        np.save(stream, np.array(c012, dtype=object), allow_pickle=True)


def lookup_c012(c012, attack, codec):
    """C0, C1, C2 of one cell, NaN where the dictionary has no entry."""
    try:
        cell = c012[attack][codec]
        return float(cell["C0"]), float(cell["C1"]), float(cell["C2"])
    except (KeyError, TypeError):
        return (float("nan"),) * 3


def compute_c012(asv_df, subset="eval", attacks=None, codecs=None):
    """Computes the per-cell C0/C1/C2 of the LA breakdown from ASV scores.

    For each (attack, codec) cell, the ASV threshold is the EER threshold
    of the target vs non-target ASV trials of that codec (``Pooled``: all
    codecs), and ``Pfa_spoof_asv`` uses the spoof ASV trials of that codec
    and attack (``Pooled``: all attacks). The coefficients follow the
    revised t-DCF with ``COST_MODEL_2021``; cells lacking target,
    non-target or spoof ASV trials get NaN.

    Arguments
    ---------
    asv_df : pandas.DataFrame
        ASV key with scores (:func:`read_asv_key_and_scores`).
    subset : str or None
        Only ASV trials of this subset are used (None: all).
    attacks : list of str, optional
        Row values (default: ``A07``..``A19``); ``Pooled`` is added.
    codecs : list of str, optional
        Column values (default: the 7 LA codecs); ``Pooled`` is added.

    Returns
    -------
    dict
        ``C012[attack][codec] = {"C0": ..., "C1": ..., "C2": ...}``.

    Example
    -------
    >>> asv = pd.DataFrame(
    ...     {
    ...         "attack": ["bonafide"] * 4 + ["A07", "A08"],
    ...         "label": ["target", "target", "nontarget", "nontarget"]
    ...         + ["spoof"] * 2,
    ...         "codec": ["none"] * 6,
    ...         "subset": ["eval"] * 6,
    ...         "score": [3.0, 4.0, 0.5, 3.5, 2.0, 4.5],
    ...     }
    ... )
    >>> c012 = compute_c012(asv)
    >>> c012["A08"]["none"]["C2"], c012["Pooled"]["Pooled"]["C2"]
    (0.5, 0.25)
    >>> c012["A09"]["none"]["C0"]
    nan
    """
    attacks = list(LA_ATTACKS if attacks is None else attacks)
    codecs = list(LA_CODECS if codecs is None else codecs)
    table = select_subset(asv_df, subset, "ASV")
    scores = table["score"].to_numpy(dtype=np.float64)
    if not np.isfinite(scores).all():
        raise ValueError(
            f"ASV scores contain {np.count_nonzero(~np.isfinite(scores))} "
            "NaN or infinite value(s)"
        )
    labels = table["label"].to_numpy()
    codec_values = table["codec"].to_numpy()
    attack_values = table["attack"].to_numpy()
    is_target = labels == TARGET
    is_nontarget = labels == NONTARGET
    is_spoof = labels == SPOOF

    c012 = {attack: {} for attack in attacks + [POOLED]}
    attack_masks = value_masks(attack_values, attacks)
    codec_masks = value_masks(codec_values, codecs)
    for codec in codecs + [POOLED]:
        in_codec = codec_masks[codec]
        target = scores[is_target & in_codec]
        nontarget = scores[is_nontarget & in_codec]
        threshold = None
        if target.size and nontarget.size:
            threshold = eer_from_det(*raw_det_curve(target, nontarget))[1]
        for attack in attacks + [POOLED]:
            spoof = scores[is_spoof & in_codec & attack_masks[attack]]
            if threshold is None or spoof.size == 0:
                c0 = c1 = c2 = float("nan")
            else:
                c0, c1, c2 = _cell_c012(target, nontarget, spoof, threshold)
            c012[attack][codec] = {"C0": c0, "C1": c1, "C2": c2}
    return c012


def _cell_c012(target, nontarget, spoof, threshold):
    """C0, C1, C2 of one cell at a given ASV threshold (``>=`` accepts)."""
    point = AsvOperatingPoint(
        threshold=threshold,
        eer=float("nan"),  # not needed by the coefficients
        pfa=float(np.mean(nontarget >= threshold)),
        pmiss=float(np.mean(target < threshold)),
        pmiss_spoof=float(np.mean(spoof < threshold)),
        pfa_spoof=float(np.mean(spoof >= threshold)),
    )
    return tdcf_2021_coefficients(point, COST_MODEL_2021, check=False)


def load_la_c012(
    source,
    subsets,
    keys_folder,
    c012_file=None,
    asv_key=None,
    asv_scores=None,
    save_folder=None,
):
    """The per-cell C0/C1/C2 of the 2021 LA t-DCF, for each subset.

    The official evaluation package ships them for its ASV system
    (``LA-C012-*.npy`` in the LA keys) and can recompute them from ASV
    scores: both ways are offered, the files first.

    Arguments
    ---------
    source : str
        ``"c012"``: pre-computed C012 files (``c012_file``, or the official
        ``<keys_folder>/LA/LA-C012-{eval,prog,hidden}.npy``);
        ``"asv"``: computed from an ASV key and ASV score file (aligned by
        row, as the official ``--recompute-c012``); ``"auto"``: ``c012`` if
        its files exist, else ``asv`` if its files exist, else no t-DCF;
        ``"none"``: no t-DCF.
    subsets : sequence of str
        Subsets to score (``eval``, ``progress``, ``hidden``).
    keys_folder : str
        The ``keys`` folder (for the official C012 files).
    c012_file : str, optional
        A C012 ``.npy`` to use instead of the official one (one subset).
    asv_key : str, optional
        ASV key (``LA/ASV/trial_metadata.txt`` layout).
    asv_scores : str, optional
        ASV scores (``asv_spk trial score``), line ``i`` for key line ``i``.
    save_folder : str, optional
        Where computed C012 are saved as ``LA-C012-<subset tag>.npy``.

    Returns
    -------
    c012 : dict or None
        ``{subset: C012 dictionary}``, None without ASV information.
    description : str
        Where the coefficients come from (for logs and summaries).

    Raises
    ------
    FileNotFoundError
        ``source`` is ``c012`` or ``asv`` and a file is missing.
    ValueError
        An unknown source or subset, or ``c012_file`` with several subsets.

    Example
    -------
    >>> load_la_c012("auto", ["eval"], "/no/keys")
    (None, 'none (no C012 file and no ASV key + scores found)')
    """
    if source not in LA_ASV_SOURCES:
        raise ValueError(
            f"la_asv_source must be one of {LA_ASV_SOURCES}: {source!r}"
        )
    for subset in subsets:
        if subset not in SUBSETS:
            raise ValueError(f"subsets must be among {SUBSETS}: {subset!r}")
    if c012_file and len(subsets) > 1:
        raise ValueError(
            "la_c012_file holds the C012 of one subset but several subsets "
            f"are requested ({list(subsets)}); request one subset, or leave "
            "la_c012_file empty to use the official per-subset files"
        )
    if source == "none":
        return None, "none (la_asv_source: none)"
    c012_files = {
        subset: c012_file
        or os.path.join(
            keys_folder, "LA", f"LA-C012-{C012_FILE_TAGS[subset]}.npy"
        )
        for subset in subsets
    }
    have_c012 = all(os.path.isfile(p) for p in c012_files.values())
    have_asv = bool(asv_key and asv_scores) and all(
        os.path.isfile(p) for p in (asv_key, asv_scores)
    )
    if source == "auto":
        if have_c012:
            source = "c012"
        elif have_asv:
            source = "asv"
        else:
            return None, "none (no C012 file and no ASV key + scores found)"
    if source == "c012":
        for path in c012_files.values():
            if not os.path.isfile(path):
                raise FileNotFoundError(f"C012 file not found: {path}")
        c012 = {s: load_c012(path) for s, path in c012_files.items()}
        return c012, "C012 files " + ", ".join(sorted(set(c012_files.values())))
    for path, what in ((asv_key, "ASV key"), (asv_scores, "ASV scores")):
        if not path or not os.path.isfile(path):
            raise FileNotFoundError(f"{what} not found: {path}")
    asv = read_asv_key_and_scores(asv_key, asv_scores)
    c012 = {}
    for subset in subsets:
        c012[subset] = compute_c012(asv, subset=subset)
        if save_folder:
            os.makedirs(save_folder, exist_ok=True)
            name = f"LA-C012-{C012_FILE_TAGS[subset]}.npy"
            save_c012(c012[subset], os.path.join(save_folder, name))
    return c012, f"computed from ASV key {asv_key} and scores {asv_scores}"
