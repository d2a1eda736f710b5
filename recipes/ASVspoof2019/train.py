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
from speechbrain_fica.dataio.datasets import countermeasure_dataset
from speechbrain_fica.utils.checkpoints import load_backbone_weights


def dataio_prep(hparams):
    """Train, validation and test datasets from the manifests.

    Arguments
    ---------
    hparams : dict
        The loaded hyperparameters.

    Returns
    -------
    train : DynamicItemDataset
        Random crops of the training set.
    valid : DynamicItemDataset
        First-segment crops of the validation set.
    tests : dict
        ``{name: DynamicItemDataset}`` of the test sets.
    """
    common = {
        "segment_samples": hparams["segment_samples"],
        "sample_rate": hparams["sample_rate"],
    }
    train = countermeasure_dataset(
        hparams["train_csv"],
        train=True,
        seed=hparams["seed"],
        epoch_counter=hparams["epoch_counter"],
        **common,
    )
    valid = countermeasure_dataset(hparams["valid_csv"], **common)
    tests = {"eval": countermeasure_dataset(hparams["test_csv"], **common)}
    return train, valid, tests


if __name__ == "__main__":
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
    train_set, valid_set, test_sets = dataio_prep(hparams)
    if hparams["sorting"] not in ("random", "none"):
        raise ValueError(
            f"sorting must be random or none: {hparams['sorting']}"
        )
    # Single process: shuffle flag; DDP: SpeechBrain reads hparams["sorting"].
    hparams["train_dataloader_opts"]["shuffle"] = hparams["sorting"] == "random"
    if hparams["pretrained_model"]:
        load_backbone_weights(hparams["model"], hparams["pretrained_model"])

    brain = FICABrain(
        modules=hparams["modules"],
        opt_class=hparams["opt_class"],
        hparams=hparams,
        run_opts=run_opts,
        checkpointer=hparams["checkpointer"],
    )
    brain.fit(
        hparams["epoch_counter"],
        train_set,
        valid_set,
        train_loader_kwargs=hparams["train_dataloader_opts"],
        valid_loader_kwargs=hparams["valid_dataloader_opts"],
    )
    if brain.test_only and hparams["pretrained_model"]:
        # Score the given weights, not the experiment's best checkpoint.
        brain.checkpointer = None
    for name, test_set in test_sets.items():
        brain.test_name = name
        brain.evaluate(
            test_set,
            min_key="EER",
            test_loader_kwargs=dict(hparams["test_dataloader_opts"]),
        )
