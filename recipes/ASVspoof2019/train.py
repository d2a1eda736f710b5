#!/usr/bin/env python3
"""Trains and evaluates a spoofing countermeasure on ASVspoof 2019 LA.

The system (backbone, FICA terms, optimiser, schedule) is entirely in the
yaml file; the training loop is ``speechbrain_fica.brain.FICABrain``.
Evaluation writes the official score file ``scores_eval.txt``
(``utt attack key score``, protocol order, higher = bona fide), EER and
min t-DCF, a per-attack table, a DET plot, score histograms and a JSON
summary under ``<output_folder>/eval/``.

To run::

    python train.py hparams/aasist_fica.yaml --data_folder /path/to/LA

To evaluate a trained experiment, or given weights (e.g. the official
AASIST checkpoint)::

    python train.py hparams/aasist.yaml --data_folder /path/to/LA --test_only
    python train.py hparams/aasist_official.yaml --data_folder /path/to/LA \\
        --pretrained_model AASIST.pth --test_only

Authors
 * speechbrain-fica contributors 2026
"""

import sys

import speechbrain as sb
from asvspoof2019_prepare import prepare_asvspoof2019
from hyperpyyaml import load_hyperpyyaml
from speechbrain.utils.distributed import run_on_main

from speechbrain_fica.brain import FICABrain
from speechbrain_fica.dataio.datasets import recipe_datasets
from speechbrain_fica.utils.performance import keep_freed_memory

if __name__ == "__main__":
    keep_freed_memory()  # faster CPU training (see utils/performance.py)
    hparams_file, run_opts, overrides = sb.parse_arguments(sys.argv[1:])
    sb.utils.distributed.ddp_init_group(run_opts)
    with open(hparams_file, encoding="utf-8") as fin:
        hparams = load_hyperpyyaml(fin, overrides)
    sb.create_experiment_directory(
        experiment_directory=hparams["output_folder"],
        hyperparams_to_save=hparams_file,
        overrides=overrides,
    )
    run_on_main(
        prepare_asvspoof2019,
        kwargs={
            "data_folder": hparams["data_folder"],
            "save_folder": hparams["manifest_folder"],
            "on_missing": hparams["on_missing_file"],
            "on_bad_audio": hparams["on_bad_audio"],
            "skip_prep": hparams["skip_prep"],
        },
    )
    train_set, valid_set, test_sets = recipe_datasets(
        hparams, {"eval": hparams["test_csv"]}
    )
    brain = FICABrain.from_recipe_hparams(hparams, run_opts)
    brain.fit_recipe(train_set, valid_set)
    for name, test_set in test_sets.items():
        brain.evaluate_test_set(name, test_set)
    brain.close()
