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

import json
import logging
import math
import os
import sys

import ruamel.yaml
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
from speechbrain_fica.dataio.datasets import countermeasure_dataset
from speechbrain_fica.utils.asvspoof2021 import (
    DF_CODECS,
    DF_VOCODERS,
    LA_CODECS,
    check_scores_against_key,
    compute_c012,
    df_breakdown,
    la_breakdown,
    load_c012,
    read_asv_key_and_scores,
    read_cm_key,
    read_score_file,
    save_c012,
    write_tables,
)
from speechbrain_fica.utils.checkpoints import load_backbone_weights

logger = logging.getLogger(__name__)

TRACKS = ("LA", "DF")
SUBSETS = ("eval", "progress", "hidden")
# File name tags of the official pre-computed C012 (keys/LA/LA-C012-*.npy).
C012_FILE_TAGS = {"eval": "eval", "progress": "prog", "hidden": "hidden"}
LA_ASV_SOURCES = ("auto", "c012", "asv", "none")
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


def route_overrides(hparams_file, overrides):
    """Passes the overrides of 2019 system keys on to the included system.

    A 2021 yaml defines the 2021 keys at top level and includes the 2019
    system under ``system``. An override whose key is a top-level key of
    the 2021 yaml stays there; one that is a key of the included system
    yaml moves under ``system`` (HyperPyYAML then applies it inside the
    include).

    Arguments
    ---------
    hparams_file : str
        The 2021 yaml.
    overrides : str or dict
        Overrides as given by ``speechbrain.parse_arguments`` (yaml text).

    Returns
    -------
    dict
        Overrides for ``load_hyperpyyaml`` on the 2021 yaml.

    Raises
    ------
    KeyError
        An override that is a key of neither yaml.

    Example
    -------
    >>> hparams_file = os.path.join(
    ...     os.path.dirname(os.path.abspath(__file__)), "hparams", "lcnn.yaml"
    ... )
    >>> route_overrides(hparams_file, "batch_size: 4\\ntracks: [LA]")
    {'tracks': ['LA'], 'system': {'batch_size': 4}}
    """
    yaml = ruamel.yaml.YAML(typ="rt")
    given = yaml.load(overrides) if isinstance(overrides, str) else overrides
    if not given:
        return {}
    with open(hparams_file, encoding="utf-8") as f:
        document = yaml.load(f)
    system_file = _included_file(hparams_file, document["system"])
    with open(system_file, encoding="utf-8") as f:
        system_keys = set(yaml.load(f))
    routed, system = {}, {}
    for key, value in given.items():
        if key in document:
            routed[key] = value
        elif key in system_keys:
            system[key] = value
        else:
            raise KeyError(
                f"override {key!r} is neither a key of {hparams_file} nor "
                f"of the system yaml {system_file}"
            )
    if system:
        routed.setdefault("system", {}).update(system)
    return routed


def _included_file(hparams_file, node):
    """The file of an ``!include:`` node, as HyperPyYAML resolves it
    (relative to the folder of the including yaml, symlinks resolved)."""
    tag = getattr(getattr(node, "tag", None), "value", None) or ""
    if not tag.startswith("!include:"):
        raise ValueError(f"{hparams_file}: 'system' must be an !include:")
    folder = os.path.dirname(os.path.realpath(hparams_file))
    return os.path.join(folder, tag[len("!include:") :])


def dataio_prep(system, test_csvs, train=True):
    """Training, validation (2019 LA) and test (2021) datasets.

    Arguments
    ---------
    system : dict
        The loaded 2019 system hyperparameters.
    test_csvs : dict
        ``{track: manifest}`` of the 2021 sets.
    train : bool
        Also build the 2019 training and validation sets.

    Returns
    -------
    train : DynamicItemDataset or None
        Random crops of 2019 LA train.
    valid : DynamicItemDataset or None
        First-segment crops of 2019 LA dev.
    tests : dict
        ``{track: DynamicItemDataset}`` of the 2021 sets.
    """
    common = {
        "segment_samples": system["segment_samples"],
        "sample_rate": system["sample_rate"],
    }
    train_set = valid_set = None
    if train:
        train_set = countermeasure_dataset(
            system["train_csv"],
            train=True,
            seed=system["seed"],
            epoch_counter=system["epoch_counter"],
            **common,
        )
        valid_set = countermeasure_dataset(system["valid_csv"], **common)
    tests = {
        track: countermeasure_dataset(csv, **common)
        for track, csv in test_csvs.items()
    }
    return train_set, valid_set, tests


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


def score_2021(
    track,
    key_file,
    score_file,
    out_dir,
    subsets=("eval",),
    c012=None,
    skipped_trials=(),
):
    """Scores a 2021 submission file: pooled results and breakdown tables.

    The score file must hold one score per trial of the key (all subsets),
    as the official evaluation package requires; trials that the data
    preparation skipped may be named in ``skipped_trials`` and are then
    left out of the key (the results are then not official).

    Arguments
    ---------
    track : str
        ``"LA"`` or ``"DF"``.
    key_file : str
        The CM key (``keys/<track>/CM/trial_metadata.txt``).
    score_file : str
        The score file (``trial score``, higher = bona fide).
    out_dir : str
        Where the tables are written (``<track>2021_<subset>_EER.csv``
        / ``.md``, and for LA with C012 ``..._min_tDCF.csv`` / ``.md``).
    subsets : sequence of str
        Subsets to score; each gets its own tables.
    c012 : dict, optional
        LA only: ``{subset: C012 dictionary}`` (:func:`load_la_c012`);
        without it no min t-DCF is computed.
    skipped_trials : sequence of str
        Key trials without audio, left out of the check and the metrics.

    Returns
    -------
    dict
        ``{subset: {"EER": %, "min_tDCF": (LA) value or None,
        "n_bonafide": int, "n_spoof": int, "tables": [paths]}}``.

    Raises
    ------
    ValueError
        The score file misses trials of the key, has extra or repeated
        trials (the message names them), or a subset has no trials.
    """
    if track not in TRACKS:
        raise ValueError(f"track must be 'LA' or 'DF': {track!r}")
    key = read_cm_key(key_file, track)
    if len(skipped_trials):
        kept = ~key["trial"].isin(set(skipped_trials))
        logger.warning(
            "%s 2021: %d of %d key trials have no audio and are left out: "
            "these results are not comparable with official ones",
            track,
            int((~kept).sum()),
            len(key),
        )
        key = key[kept].reset_index(drop=True)
    scores = read_score_file(score_file)
    try:
        trials = check_scores_against_key(scores, key)
    except ValueError as error:
        raise ValueError(f"{score_file} vs {key_file}: {error}") from None
    results = {}
    for subset in subsets:
        in_subset = trials[trials["subset"] == subset]
        prefix = f"{track}2021_{subset}"
        if track == "LA":
            subset_c012 = None if c012 is None else c012[subset]
            pooled, tdcf_table, eer_table = la_breakdown(
                key, scores, subset_c012, subset=subset
            )
            tables = {"EER": eer_table}
            if subset_c012 is not None:
                tables["min_tDCF"] = tdcf_table
            result = {
                "min_tDCF": _finite_or_none(pooled["min_tDCF"]),
                "EER": pooled["EER"],
            }
        else:
            pooled_eer, eer_table = df_breakdown(key, scores, subset=subset)
            tables = {"EER": eer_table}
            result = {"EER": pooled_eer}
        paths = write_tables(tables, out_dir, prefix)
        for name in tables:
            _append_legend(os.path.join(out_dir, f"{prefix}_{name}.md"), track)
        labels = in_subset["label"]
        result.update(
            n_bonafide=int((labels == "bonafide").sum()),
            n_spoof=int((labels == "spoof").sum()),
            tables=paths,
        )
        results[subset] = result
    return results


def _finite_or_none(value):
    """A float, or None for NaN (JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _append_legend(md_path, track):
    """Adds the condition tags of the official printout under a table."""
    tags = OFFICIAL_TAGS[track]
    lines = [
        "Codec tags of the official printout: "
        + ", ".join(f"{t} = {c}" for c, t in tags["columns"].items())
    ]
    if tags["rows"]:
        lines.append(
            "Vocoder tags: "
            + ", ".join(f"{t} = {v}" for v, t in tags["rows"].items())
        )
    if md_path.endswith("_EER.md"):
        lines.append("EER in %; '-': no trials in the cell.")
    else:
        lines.append("'-': no trials or no C012 in the cell.")
    with open(md_path, "a", encoding="utf-8") as f:
        f.write("\n" + "\n\n".join(lines) + "\n")


def write_summary_2021(results, path, subset):
    """Writes ``summary_2021.json`` and logs the headline numbers.

    Arguments
    ---------
    results : dict
        ``{track: {"results": output of score_2021, ...}}``.
    path : str
        The JSON file.
    subset : str
        The headline subset.

    Returns
    -------
    dict
        The summary written.
    """
    headline = {}
    for track, track_results in results.items():
        pooled = track_results["results"][subset]
        headline[track] = {
            k: v for k, v in pooled.items() if k in ("EER", "min_tDCF")
        }
        tdcf = pooled.get("min_tDCF")
        logger.info(
            "ASVspoof 2021 %s, %s subset (%d bona fide, %d spoof): %sEER "
            "%.2f %%",
            track,
            subset,
            pooled["n_bonafide"],
            pooled["n_spoof"],
            "" if tdcf is None else f"min t-DCF {tdcf:.4f}, ",
            pooled["EER"],
        )
    summary = {"headline_subset": subset, "headline": headline, **results}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    return summary


def check_tracks_and_subsets(tracks, subsets):
    """Checks the ``tracks`` and ``subsets`` of the yaml.

    Arguments
    ---------
    tracks : list of str
        Non-empty, among ``LA``, ``DF``.
    subsets : list of str
        Non-empty, among ``eval``, ``progress``, ``hidden``.

    Raises
    ------
    ValueError
        An empty list or an unknown value.

    Example
    -------
    >>> check_tracks_and_subsets(["LA"], ["eval", "dev"])
    Traceback (most recent call last):
      ...
    ValueError: subsets must be a non-empty list among ('eval', 'progress', 'hidden'), got ['eval', 'dev']
    """
    for name, values, allowed in (
        ("tracks", tracks, TRACKS),
        ("subsets", subsets, SUBSETS),
    ):
        if not values or any(value not in allowed for value in values):
            raise ValueError(
                f"{name} must be a non-empty list among {allowed}, got {values}"
            )


def _check_model_to_score(system):
    """--test_only needs a checkpoint or given weights (no random model)."""
    if system["pretrained_model"]:
        return
    if system["checkpointer"].find_checkpoint(min_key="EER") is None:
        raise FileNotFoundError(
            "--test_only needs trained weights: no checkpoint in "
            f"{system['save_folder']} (point --save_folder or "
            "--output_folder at a trained experiment) and no "
            "--pretrained_model"
        )


if __name__ == "__main__":
    hparams_file, run_opts, overrides = sb.parse_arguments(sys.argv[1:])
    sb.utils.distributed.ddp_init_group(run_opts)
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
    if test_only:
        _check_model_to_score(system)
    else:
        run_on_main(
            prepare_asvspoof2019,
            kwargs={
                "data_folder": system["data_folder"],
                "save_folder": system["manifest_folder"],
                "splits": ("train", "dev"),
                "sample_rate": system["sample_rate"],
                "on_missing": hparams["on_missing_file"],
                "on_bad_audio": hparams["on_bad_audio"],
                "skip_prep": hparams["skip_prep"],
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
            "sample_rate": system["sample_rate"],
            "on_missing": hparams["on_missing_file"],
            "on_bad_audio": hparams["on_bad_audio"],
            "skip_prep": hparams["skip_prep"],
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

    train_set, valid_set, test_sets = dataio_prep(
        system,
        {t: os.path.join(manifest_folder, f"{t}2021.csv") for t in tracks},
        train=not test_only,
    )
    if system["pretrained_model"]:
        load_backbone_weights(system["model"], system["pretrained_model"])
    brain = FICABrain(
        modules=system["modules"],
        opt_class=system["opt_class"],
        hparams=system,
        run_opts=run_opts,
        checkpointer=system["checkpointer"],
    )
    if not test_only:
        brain.fit(
            system["epoch_counter"],
            train_set,
            valid_set,
            train_loader_kwargs=system["train_dataloader_opts"],
            valid_loader_kwargs=system["valid_dataloader_opts"],
        )
    elif system["pretrained_model"]:
        # Score the given weights, not the experiment's best checkpoint.
        brain.checkpointer = None

    results = {}
    for track in tracks:
        brain.test_name = f"{track}2021"
        brain.evaluate(
            test_sets[track],
            min_key="EER",
            test_loader_kwargs=dict(system["test_dataloader_opts"]),
        )
        if not if_main_process():
            continue
        folder = os.path.join(hparams["output_folder"], brain.test_name)
        score_file = os.path.join(folder, f"scores_{brain.test_name}.txt")
        skipped = read_skipped_trials(manifest_folder, track)
        results[track] = {
            "scores": score_file,
            "skipped_trials": len(skipped),
            "results": score_2021(
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
