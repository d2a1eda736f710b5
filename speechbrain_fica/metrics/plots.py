"""DET curves and score histograms of spoofing countermeasures (PNG).

Figures are drawn with matplotlib's object-oriented API on an Agg canvas
(no display, no global ``pyplot`` state), saved as PNG and released
immediately, so the functions are safe in training loops and on servers.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.stats import norm

from speechbrain_fica.metrics.det import (
    as_bonafide_mask,
    as_float64,
    det_corners,
    eer_from_det,
    validated_det_curve,
)

# Candidate axis ticks of the DET plot, in percent.
_DET_TICKS_PERCENT = [
    0.01,
    0.1,
    0.5,
    1,
    2,
    5,
    10,
    20,
    40,
    60,
    80,
    90,
    95,
    99,
    99.9,
]
# Lowest probability shown; 0 (and 1) have no probit value.
_DET_MIN_PROBABILITY = 1e-4
_DPI = 100


def _save_figure(figure, path):
    """Renders a figure to PNG with the Agg canvas and releases it."""
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=_DPI)
    figure.clear()


def _format_percent(value):
    """Tick label of a probability in percent (``0.1``, ``5``, ``40``)."""
    return f"{value:g}"


def plot_det(curves, path, title=None):
    """Draws DET curves on probit (normal deviate) axes and saves a PNG.

    The x axis is the spoof false-acceptance rate and the y axis the bona
    fide miss (false-rejection) rate, both in %, on ``norm.ppf`` scales.
    The EER point of each curve is marked and given in the legend. The
    axes span 0.01 % to 50 %, or to 99.9 % when a curve has an EER above
    10 % (its curve would leave a 50 % frame).

    Arguments
    ---------
    curves : dict
        Curve name -> ``(bonafide_scores, spoof_scores)``.
    path : str
        Output PNG path.
    title : str, optional
        Figure title.

    Returns
    -------
    dict
        Curve name -> EER in %.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> curves = {
    ...     "system A": (rng.normal(2, 1, 500), rng.normal(-2, 1, 500)),
    ...     "system B": (rng.normal(1, 1, 500), rng.normal(-1, 1, 500)),
    ... }
    >>> path = str(getfixture("tmpdir").join("det.png"))
    >>> eers = plot_det(curves, path, title="DET")
    >>> sorted(eers)
    ['system A', 'system B']
    """
    if not curves:
        raise ValueError("plot_det needs at least one curve")
    figure = Figure(figsize=(6, 6))
    axes = figure.add_subplot(1, 1, 1)
    eers = {}
    for name, (bonafide_scores, spoof_scores) in curves.items():
        det = validated_det_curve(bonafide_scores, spoof_scores)[2]
        miss, false_alarm = det_corners(det[0], det[1])
        eer = eer_from_det(*det)[0]
        eers[name] = 100 * eer
        lines = axes.plot(
            _probit(false_alarm),
            _probit(miss),
            label=f"{name} (EER {100 * eer:.2f} %)",
        )
        axes.plot(
            _probit(eer),
            _probit(eer),
            marker="o",
            color=lines[0].get_color(),
        )
    upper = 0.5 if max(eers.values()) <= 10 else 0.999
    limits = _probit(np.array([_DET_MIN_PROBABILITY, upper]))
    ticks = [
        tick
        for tick in _DET_TICKS_PERCENT
        if _DET_MIN_PROBABILITY <= tick / 100 <= upper
    ]
    tick_positions = _probit(np.array(ticks) / 100)
    tick_labels = [_format_percent(tick) for tick in ticks]
    axes.plot(limits, limits, color="0.7", linestyle=":", linewidth=1)
    for set_limits, set_ticks, set_labels in (
        (axes.set_xlim, axes.set_xticks, axes.set_xticklabels),
        (axes.set_ylim, axes.set_yticks, axes.set_yticklabels),
    ):
        set_limits(*limits)
        set_ticks(tick_positions)
        set_labels(tick_labels)
    axes.set_xlabel("Spoof false acceptance rate (%)")
    axes.set_ylabel("Bona fide miss rate (%)")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper right", fontsize="small")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    _save_figure(figure, path)
    return eers


def _probit(probabilities):
    """Normal deviate of probabilities clipped away from 0 and 1."""
    clipped = np.clip(
        probabilities, _DET_MIN_PROBABILITY / 10, 1 - _DET_MIN_PROBABILITY / 10
    )
    return norm.ppf(clipped)


def plot_score_histograms(scores, labels, path, attacks=None, title=None):
    """Draws bona fide vs spoof score histograms and saves a PNG.

    All histograms share the same bins and are density-normalised, so
    classes of different sizes compare directly. With ``attacks``, the
    spoof trials are split into one outline histogram per attack.

    Arguments
    ---------
    scores : array_like
        CM scores of all trials; higher = more bona fide.
    labels : array_like
        1 = bona fide, 0 = spoof.
    path : str
        Output PNG path.
    attacks : sequence of str, optional
        Attack id per trial (ignored for bona fide trials).
    title : str, optional
        Figure title.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> scores = np.concatenate([rng.normal(2, 1, 200), rng.normal(-2, 1, 400)])
    >>> labels = [1] * 200 + [0] * 400
    >>> attacks = ["-"] * 200 + ["A01"] * 200 + ["A02"] * 200
    >>> path = str(getfixture("tmpdir").join("hist.png"))
    >>> plot_score_histograms(scores, labels, path, attacks=attacks)
    """
    scores = as_float64(scores, "scores")
    is_bonafide = as_bonafide_mask(labels, scores.size)
    finite = np.isfinite(scores)
    if not finite.any():
        raise ValueError("plot_score_histograms needs finite scores")
    bins = np.histogram_bin_edges(scores[finite], bins="auto")
    if bins.size > 101:  # keep bins readable for very large sets
        bins = np.linspace(bins[0], bins[-1], 101)
    figure = Figure(figsize=(7, 4.5))
    axes = figure.add_subplot(1, 1, 1)
    bonafide = scores[is_bonafide & finite]
    spoof = scores[~is_bonafide & finite]
    if bonafide.size:
        axes.hist(
            bonafide,
            bins=bins,
            density=True,
            alpha=0.5,
            label=f"bona fide ({bonafide.size})",
        )
    if attacks is None:
        if spoof.size:
            axes.hist(
                spoof,
                bins=bins,
                density=True,
                alpha=0.5,
                label=f"spoof ({spoof.size})",
            )
    else:
        attacks = np.asarray(attacks, dtype=str).reshape(-1)
        if attacks.size != scores.size:
            raise ValueError(
                f"got {attacks.size} attack ids for {scores.size} scores"
            )
        spoof_attacks = attacks[~is_bonafide & finite]
        for attack in sorted(set(spoof_attacks.tolist())):
            attack_scores = spoof[spoof_attacks == attack]
            axes.hist(
                attack_scores,
                bins=bins,
                density=True,
                histtype="step",
                linewidth=1.2,
                label=f"{attack} ({attack_scores.size})",
            )
    axes.set_xlabel("CM score (higher = bona fide)")
    axes.set_ylabel("Density")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small", ncol=2)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    _save_figure(figure, path)


def _seed_values(table, row, metric):
    """A row's per-seed values of a metric (``<metric>_seed<s>`` columns),
    unfinished seeds (NaN) left out."""
    columns = [c for c in table.columns if c.startswith(f"{metric}_seed")]
    values = table.loc[row, columns].to_numpy(dtype=float)
    return values[np.isfinite(values)]


def plot_ablation(table, path, baseline="baseline", title=None):
    """Draws an ablation study's rows and saves a PNG.

    One panel per metric (EER in %, and min t-DCF when the table has it):
    each seed's value as a dot and the row's mean as a bar, the baseline's
    mean as a dashed line; and one panel per difference to the baseline
    with its confidence interval and a line at zero, so an interval that
    crosses zero shows at a glance. The baseline is drawn on top, the other
    rows below it in the table's order.

    Arguments
    ---------
    table : pandas.DataFrame
        The ``table`` of
        :func:`speechbrain_fica.metrics.ablation.ablation_report`: index =
        rows; columns ``EER_seed<s>`` (and ``min_tDCF_seed<s>``), and for
        the differences ``dEER``, ``dEER_low``, ``dEER_high`` (and the
        ``dmin_tDCF`` ones).
    path : str
        Output PNG path.
    baseline : str
        The row the differences are taken to.
    title : str, optional
        Figure title.

    Example
    -------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {
    ...         "EER_seed1": [25.0, 23.0],
    ...         "EER_seed2": [27.0, 24.5],
    ...         "dEER": [float("nan"), -2.2],
    ...         "dEER_low": [float("nan"), -4.1],
    ...         "dEER_high": [float("nan"), -0.3],
    ...     },
    ...     index=pd.Index(["baseline", "+InF"], name="row"),
    ... )
    >>> path = str(getfixture("tmpdir").join("ablation.png"))
    >>> plot_ablation(table, path)
    """
    rows = list(table.index)
    if baseline in rows:  # on top, the others in the table's order
        rows.remove(baseline)
        rows.insert(0, baseline)
    if not rows:
        raise ValueError("plot_ablation needs at least one row")
    metrics = [
        m
        for m in ("EER", "min_tDCF")
        if any(c.startswith(f"{m}_seed") for c in table.columns)
    ]
    names = {"EER": "EER (%)", "min_tDCF": "min t-DCF"}
    differences = [m for m in metrics if f"d{m}" in table.columns]
    n_panels = len(metrics) + len(differences)
    figure = Figure(figsize=(3.6 * n_panels, 0.9 + 0.45 * len(rows)))
    positions = np.arange(len(rows))[::-1]  # first row on top
    panel = 0
    for metric in metrics:
        panel += 1
        axes = figure.add_subplot(1, n_panels, panel)
        for y, row in zip(positions, rows):
            values = _seed_values(table, row, metric)
            if values.size:
                axes.plot(values, [y] * values.size, "o", color="C0", ms=4)
                axes.plot([values.mean()] * 2, [y - 0.3, y + 0.3], "k-")
        if baseline in rows:
            values = _seed_values(table, baseline, metric)
            if values.size:
                axes.axvline(values.mean(), color="gray", ls="--", lw=1)
        axes.set_xlabel(f"{names[metric]}: seeds (dots), mean (bar)")
        _row_axis(axes, positions, rows, panel == 1)
    for metric in differences:
        panel += 1
        axes = figure.add_subplot(1, n_panels, panel)
        axes.axvline(0.0, color="gray", ls="--", lw=1)
        for y, row in zip(positions, rows):
            mid, low, high = table.loc[
                row, [f"d{metric}", f"d{metric}_low", f"d{metric}_high"]
            ].to_numpy(dtype=float)
            if np.isfinite([mid, low, high]).all():
                axes.errorbar(
                    mid,
                    y,
                    xerr=[[mid - low], [high - mid]],
                    fmt="o",
                    color="C1",
                    capsize=3,
                    ms=4,
                )
        unit = " (pp)" if metric == "EER" else ""
        axes.set_xlabel(f"{names[metric].split(' (')[0]} - baseline{unit}")
        _row_axis(axes, positions, rows, panel == 1)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    _save_figure(figure, path)


def _row_axis(axes, positions, rows, labelled):
    """Rows on the y axis, named on the first panel only."""
    axes.set_yticks(positions)
    axes.set_yticklabels(rows if labelled else [])
    axes.set_ylim(positions.min() - 0.7, positions.max() + 0.7)
    axes.grid(True, axis="x", alpha=0.3)
