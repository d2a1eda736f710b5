#!/usr/bin/env python3
"""Trains a countermeasure on ASVspoof 2019 LA and scores ASVspoof 2021.

The system (backbone, FICA terms, optimiser, schedule) is the 2019 recipe's
yaml, included by the 2021 yaml; the training loop is
``speechbrain_fica.brain.FICABrain``. As the challenge rules require, the
model is trained (and selected) on 2019 LA train / dev only, then scores
every trial of 2021 LA and DF. For each track ``T`` (``LA``, ``DF``) the
outputs under ``<output_folder>/T2021/`` are:

* ``scores_T2021.txt``: the official submission file (``trial score``, one
  line per trial of the key, higher = bona fide), checked against the key;
* ``T2021_<subset>_EER.{csv,md}`` (and, for LA,
  ``LA2021_<subset>_min_tDCF.{csv,md}``): the breakdown tables of the
  official evaluation package (LA: attack x codec with the per-cell C012;
  DF: vocoder family x compression), EER in %;
* the Brain's own outputs over all trials (``summary_T2021.json``, DET plot,
  score histograms);

and ``<output_folder>/summary_2021.json`` holds the pooled headline (LA min
t-DCF and EER, DF EER) on the first requested subset (``eval``, the
official ranking, by default).

Command-line overrides of keys that the 2021 yaml does not define are
passed on to the included 2019 system (``--lr``, ``--batch_size``,
``--lambda_ini``, ``--pretrained_model``, ``--save_folder``, ...).

To run::

    python train.py hparams/aasist_fica.yaml \\
        --data_folder_2019 /path/to/LA --data_folder /path/to/ASVspoof2021

To score an experiment trained with the 2019 recipe, or given weights::

    python train.py hparams/aasist_fica.yaml \\
        --data_folder_2019 /path/to/LA --data_folder /path/to/ASVspoof2021 \\
        --save_folder results/aasist_fica/1/save --test_only
    python train.py hparams/aasist_official.yaml \\
        --data_folder_2019 /path/to/LA --data_folder /path/to/ASVspoof2021 \\
        --pretrained_model AASIST.pth --test_only

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os
import sys

import speechbrain as sb
from asvspoof2019_prepare import prepare_asvspoof2019
from asvspoof2021_prepare import (
    cm_key_path,
    prepare_asvspoof2021,
    read_skipped_trials,
)
from hyperpyyaml import load_hyperpyyaml
from speechbrain.utils.distributed import if_main_process, run_on_main

from speechbrain_fica.brain import FICABrain
from speechbrain_fica.dataio.datasets import recipe_datasets
from speechbrain_fica.metrics.asvspoof2021.c012 import load_la_c012
from speechbrain_fica.metrics.asvspoof2021.evaluate import (
    check_tracks_and_subsets,
    evaluate_2021,
    write_summary_2021,
)
from speechbrain_fica.utils.checkpoints import check_weights_to_score
from speechbrain_fica.utils.hparams import route_overrides
from speechbrain_fica.utils.performance import keep_freed_memory

logger = logging.getLogger(__name__)

if __name__ == "__main__":
    keep_freed_memory()  # faster CPU training (see utils/performance.py)
    hparams_file, run_opts, overrides = sb.parse_arguments(sys.argv[1:])
    sb.utils.distributed.ddp_init_group(run_opts)
    # Overrides of 2019 system keys (--lr, ...) go into the included system.
    overrides = route_overrides(hparams_file, overrides)
    with open(hparams_file, encoding="utf-8") as fin:
        hparams = load_hyperpyyaml(fin, overrides)
    system = hparams["system"]
    sb.create_experiment_directory(
        experiment_directory=hparams["output_folder"],
        hyperparams_to_save=hparams_file,
        overrides=overrides,
    )
    tracks, subsets = list(hparams["tracks"]), list(hparams["subsets"])
    check_tracks_and_subsets(tracks, subsets)
    test_only = run_opts["test_only"]
    audio_checks = {
        "sample_rate": system["sample_rate"],
        "on_missing": hparams["on_missing_file"],
        "on_bad_audio": hparams["on_bad_audio"],
        "skip_prep": hparams["skip_prep"],
    }
    if test_only:
        check_weights_to_score(system)
    else:
        run_on_main(
            prepare_asvspoof2019,
            kwargs={
                "data_folder": system["data_folder"],
                "save_folder": system["manifest_folder"],
                "splits": ("train", "dev"),
                **audio_checks,
            },
        )
    manifest_folder = hparams["manifest_folder_2021"]
    run_on_main(
        prepare_asvspoof2021,
        kwargs={
            "data_folder": hparams["data_folder"],
            "save_folder": manifest_folder,
            "tracks": tracks,
            "keys_folder": hparams["keys_folder"],
            **audio_checks,
        },
    )
    # ASV information first: a missing file must not wait for the scoring.
    la_c012, c012_source = None, None
    if "LA" in tracks and if_main_process():
        la_c012, c012_source = load_la_c012(
            hparams["la_asv_source"],
            subsets,
            hparams["keys_folder"],
            c012_file=hparams["la_c012_file"],
            asv_key=hparams["la_asv_key"],
            asv_scores=hparams["la_asv_scores"],
            save_folder=os.path.join(hparams["output_folder"], "LA2021"),
        )
        logger.info("LA 2021 t-DCF coefficients: %s", c012_source)
        if la_c012 is None:
            logger.warning("no LA ASV information: LA min t-DCF not computed")

    train_set, valid_set, test_sets = recipe_datasets(
        system,
        {t: os.path.join(manifest_folder, f"{t}2021.csv") for t in tracks},
        train=not test_only,
    )
    brain = FICABrain.from_recipe_hparams(system, run_opts)
    brain.fit_recipe(train_set, valid_set)

    results = {}
    for track in tracks:
        brain.evaluate_test_set(f"{track}2021", test_sets[track])
        if not if_main_process():
            continue
        folder = os.path.abspath(
            os.path.join(hparams["output_folder"], brain.test_name)
        )
        score_file = os.path.join(folder, f"scores_{brain.test_name}.txt")
        skipped = read_skipped_trials(manifest_folder, track)
        results[track] = {
            "scores": score_file,
            "skipped_trials": len(skipped),
            "results": evaluate_2021(
                track,
                cm_key_path(hparams["keys_folder"], track),
                score_file,
                folder,
                subsets=subsets,
                c012=la_c012 if track == "LA" else None,
                skipped_trials=skipped,
            ),
        }
        if track == "LA":
            results[track]["c012"] = c012_source
    if if_main_process():
        write_summary_2021(
            results,
            os.path.join(hparams["output_folder"], "summary_2021.json"),
            subsets[0],
        )
    brain.close()
