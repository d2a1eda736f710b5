"""ASVspoof 2021 LA / DF scoring with the official breakdown tables.

* :mod:`.keys`: the key layouts, tracks, subsets, attack / codec / vocoder
  values and the trial selections shared by the other modules;
* :mod:`.c012`: the per-cell C0/C1/C2 coefficients of the LA t-DCF;
* :mod:`.breakdowns`: the LA and DF breakdown tables;
* :mod:`.evaluate`: a submission file against its key, as the recipe
  runs it (:func:`~.evaluate.evaluate_2021`,
  :func:`~.evaluate.write_summary_2021`).

The readers of keys and score files are in
:mod:`speechbrain_fica.metrics.score_files`.

Authors
 * speechbrain-fica contributors 2026
"""
