"""Figure tools of the FICA paper (Wang et al., ACML 2024), for experiments.

* :mod:`~speechbrain_fica.analysis.tsne` (Fig. 2): t-SNE of a trained
  model's embeddings of N utterances plus K band-pass-masked copies of one
  chosen utterance (PNG and CSV of the coordinates; needs scikit-learn,
  ``pip install speechbrain-fica[analysis]``).
* :mod:`~speechbrain_fica.analysis.masks` (Fig. 3): the LCNN's three
  feature maps (Fbank, delta, delta-delta) of an utterance, clean,
  band-pass-masked (InF) and SpecAugment-masked, in one figure.

Command line: ``python -m speechbrain_fica.analysis {tsne,masks} --help``.

Authors
 * speechbrain-fica contributors 2026
"""

from speechbrain_fica.analysis.masks import (
    feature_mask_maps,
    mask_figure,
    plot_mask_maps,
)
from speechbrain_fica.analysis.tsne import (
    embed_with_masked_copies,
    load_experiment_model,
    plot_tsne,
    run_tsne,
    tsne_figure,
)

__all__ = [
    "embed_with_masked_copies",
    "feature_mask_maps",
    "load_experiment_model",
    "mask_figure",
    "plot_mask_maps",
    "plot_tsne",
    "run_tsne",
    "tsne_figure",
]
