"""Tests of the ASVspoof 2021 LA / DF recipe.

* data preparation: manifests, trial list vs key, missing and bad audio;
* the recipe's scoring entry point (``evaluate_2021``) and its ASV options,
  including the end-to-end reference: the synthetic CM scores against a
  2021-format LA key (codec ``none``, subset ``eval``) with the 2019 LA eval
  ASV scores as ASV information give the official pooled min t-DCF
  0.1933167519446156 and EER 5.29 %, and the same EER on DF;
* every row of ``tests/recipes/ASVspoof2021.csv`` end to end on a tiny
  corpus in the official 2021 layout (one row trains on tiny 2019 LA, the
  others score given weights with ``--test_only``).

Authors
 * speechbrain-fica contributors 2026
"""

import importlib
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import soundfile
from hyperpyyaml import load_hyperpyyaml

from speechbrain_fica.metrics.asvspoof2021.breakdowns import la_breakdown
from speechbrain_fica.metrics.asvspoof2021.c012 import (
    compute_c012,
    load_c012,
    load_la_c012,
)
from speechbrain_fica.metrics.asvspoof2021.evaluate import (
    check_tracks_and_subsets,
    evaluate_2021,
    write_summary_2021,
)
from speechbrain_fica.metrics.asvspoof2021.keys import (
    DF_CODECS,
    DF_VOCODERS,
    LA_ATTACKS,
    LA_CODECS,
)
from speechbrain_fica.metrics.det import eer_from_det, raw_det_curve
from speechbrain_fica.metrics.score_files import (
    read_asv_key_and_scores,
    read_cm_key,
    read_score_file,
)
from speechbrain_fica.utils.checkpoints import check_weights_to_score
from speechbrain_fica.utils.hparams import route_overrides
from speechbrain_fica.utils.text_files import open_text
from tests.utils.recipes import (
    REPO_ROOT,
    check_files_exist,
    debug_flags,
    recipe_rows,
    row_id,
    yaml_overrides,
)
from tests.utils.samples import asv_scores_path, synthetic_scores_path

RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2021")
TOL = 1e-12


def _import_prepare():
    """The recipe's prepare module, imported with the recipe folder on
    sys.path (as when the recipe runs)."""
    if RECIPE not in sys.path:
        sys.path.insert(0, RECIPE)
    return importlib.import_module("asvspoof2021_prepare")


prep = _import_prepare()


def _key_file(root, track):
    return os.path.join(root, "keys", track, "CM", "trial_metadata.txt")


def _trial_list(root, track):
    return prep.trial_list_path(root, track)


def _copy_corpus(tiny, tmp_path):
    """A private, modifiable copy of the tiny 2021 corpus."""
    root = str(tmp_path / "ASVspoof2021")
    shutil.copytree(tiny, root)
    return root


# ---------------------------------------------------------------------------
# Data preparation
# ---------------------------------------------------------------------------


def test_prepare_writes_manifests(tiny_asvspoof2021, tmp_path):
    save = str(tmp_path / "manifests")
    csvs = prep.prepare_asvspoof2021(tiny_asvspoof2021, save)
    assert sorted(csvs) == ["DF", "LA"]
    expected_columns = {
        "LA": ["codec", "transmission", "trim", "subset"],
        "DF": [
            "compression",
            "source",
            "vocoder",
            "trim",
            "subset",
            "task",
            "team",
            "gender_pair",
            "language",
        ],
    }
    for track in ("LA", "DF"):
        manifest = pd.read_csv(csvs[track], dtype=str, keep_default_na=False)
        assert (
            list(manifest.columns)
            == [
                "ID",
                "duration",
                "wav",
                "label",
                "attack",
                "speaker",
            ]
            + expected_columns[track]
        )
        # Trial-list order, every trial once.
        trials = prep.read_trial_list(_trial_list(tiny_asvspoof2021, track))
        assert manifest["ID"].tolist() == trials
        key = read_cm_key(_key_file(tiny_asvspoof2021, track), track)
        key = key.set_index("trial").loc[trials]
        assert manifest["label"].tolist() == key["label"].tolist()
        is_spoof = (key["label"] == "spoof").to_numpy()
        assert (manifest["attack"][~is_spoof] == "-").all()
        assert (
            manifest["attack"][is_spoof].tolist()
            == key["attack"][is_spoof].tolist()
        )
        first_condition = "codec" if track == "LA" else "compr"
        second = expected_columns[track][0]
        assert manifest[second].tolist() == key[first_condition].tolist()
        assert manifest["subset"].tolist() == key["subset"].tolist()
        assert all(os.path.isfile(path) for path in manifest["wav"])
        assert (manifest["duration"].astype(float) > 0).all()
    with open(os.path.join(save, "prepare_summary_2021.json")) as f:
        summary = json.load(f)
    assert summary["LA"]["subsets"] == {"eval": 12, "progress": 4}
    assert summary["DF"]["skipped"] == 0

    # Same options: nothing is rewritten; a changed key is prepared again.
    stamp = os.stat(csvs["LA"]).st_mtime_ns
    prep.prepare_asvspoof2021(tiny_asvspoof2021, save)
    assert os.stat(csvs["LA"]).st_mtime_ns == stamp
    prep.prepare_asvspoof2021(tiny_asvspoof2021, save, tracks=["LA"])
    assert os.stat(csvs["LA"]).st_mtime_ns != stamp


def test_prepare_key_changes_are_noticed(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    save = str(tmp_path / "manifests")
    prep.prepare_asvspoof2021(root, save, tracks=["LA"])
    key_file = _key_file(root, "LA")
    with open(key_file) as f:
        lines = f.read().splitlines()
    changed = lines[0].replace(" eval", " progress")
    assert changed != lines[0]
    with open(key_file, "w") as f:
        f.write("\n".join([changed] + lines[1:]) + "\n")
    prep.prepare_asvspoof2021(root, save, tracks=["LA"])
    manifest = pd.read_csv(os.path.join(save, "LA2021.csv"))
    trial = lines[0].split()[1]
    assert manifest.set_index("ID").loc[trial, "subset"] == "progress"


def test_prepare_keys_folder_elsewhere(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    keys = str(tmp_path / "downloaded_keys")
    shutil.move(os.path.join(root, "keys"), keys)
    with pytest.raises(FileNotFoundError, match="CM key not found"):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"))
    csvs = prep.prepare_asvspoof2021(
        root, str(tmp_path / "m2"), keys_folder=keys
    )
    assert os.path.isfile(csvs["DF"])


@pytest.mark.parametrize("track", ["LA", "DF"])
def test_prepare_trial_list_must_match_key(tiny_asvspoof2021, tmp_path, track):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    trial_list = _trial_list(root, track)
    trials = prep.read_trial_list(trial_list)
    # A key trial missing from the trial list is named.
    with open(trial_list, "w") as f:
        f.write("\n".join(trials[1:]) + "\n")
    with pytest.raises(ValueError) as error:
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"), tracks=[track])
    message = str(error.value)
    assert trials[0] in message
    assert "1 trial(s) of the key are not in the trial list" in message
    assert "(15 trials)" in message and "(16 trials)" in message
    # So is a listed trial that the key does not have.
    extra = f"{track}_E_9999999"
    with open(trial_list, "w") as f:
        f.write("\n".join(trials + [extra]) + "\n")
    with pytest.raises(ValueError, match=extra):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m2"), tracks=[track])
    # And a repeated trial, with its line numbers.
    with open(trial_list, "w") as f:
        f.write("\n".join(trials + [trials[3]]) + "\n")
    with pytest.raises(ValueError, match=f"{trials[3]} already listed"):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m3"), tracks=[track])


def test_prepare_missing_audio(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    trials = prep.read_trial_list(_trial_list(root, "LA"))
    missing = os.path.join(
        prep.eval_folder(root, "LA"), "flac", f"{trials[5]}.flac"
    )
    os.remove(missing)
    with pytest.raises(FileNotFoundError) as error:
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"), tracks=["LA"])
    assert missing in str(error.value)
    assert "1 of 16" in str(error.value)

    # Skip mode: left out, counted and listed.
    save = str(tmp_path / "m2")
    csvs = prep.prepare_asvspoof2021(root, save, on_missing="skip")
    manifest = pd.read_csv(csvs["LA"])
    assert len(manifest) == 15 and trials[5] not in set(manifest["ID"])
    skipped = pd.read_csv(os.path.join(save, "skipped_LA2021.csv"))
    assert skipped[["utt", "reason"]].values.tolist() == [
        [trials[5], "missing file"]
    ]
    with open(os.path.join(save, "prepare_summary_2021.json")) as f:
        summary = json.load(f)
    assert summary["LA"]["skipped"] == 1
    assert summary["LA"]["manifest_rows"] == 15
    assert summary["DF"]["skipped"] == 0
    assert not os.path.exists(os.path.join(save, "skipped_DF2021.csv"))
    assert prep.read_skipped_trials(save, "LA") == [trials[5]]
    assert prep.read_skipped_trials(save, "DF") == []


def test_prepare_bad_audio(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    trials = prep.read_trial_list(_trial_list(root, "DF"))
    bad = os.path.join(
        prep.eval_folder(root, "DF"), "flac", f"{trials[2]}.flac"
    )
    soundfile.write(bad, np.zeros(800), 8000)
    with pytest.raises(ValueError, match="8000 Hz"):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"), tracks=["DF"])
    save = str(tmp_path / "m2")
    prep.prepare_asvspoof2021(
        root, save, tracks=["DF"], on_bad_audio="skip", on_missing="error"
    )
    skipped = pd.read_csv(os.path.join(save, "skipped_DF2021.csv"))
    assert skipped["utt"].tolist() == [trials[2]]
    assert "8000 Hz" in skipped["reason"][0]


# ---------------------------------------------------------------------------
# Scoring (the recipe's entry point)
# ---------------------------------------------------------------------------


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


@pytest.fixture(scope="module")
def reference_files(tmp_path_factory):
    """2021-format keys, a 2-column score file and LA ASV information built
    from the synthetic CM scores and the 2019 LA eval ASV scores."""
    folder = tmp_path_factory.mktemp("reference_2021")
    la, df, scores = [], [], []
    with open_text(synthetic_scores_path()) as f:
        for trial, attack, label, score in map(str.split, f):
            la_attack = "bonafide" if label == "bonafide" else attack
            vocoder = "bonafide" if label == "bonafide" else "unknown"
            la.append(f"LA_0001 {trial} none - {la_attack} {label} notrim eval")
            df.append(
                f"LA_0001 {trial} nocodec asvspoof {attack} {label} notrim "
                f"eval {vocoder} - - - -"
            )
            scores.append(f"{trial} {score}")
    asv_key, asv_scores = [], []
    with open_text(asv_scores_path("eval")) as f:
        for index, (source, key, score) in enumerate(map(str.split, f)):
            trial = f"LA_E_{index:07d}-none"
            asv_key.append(f"LA_0001 {trial} none - {source} {key} notrim eval")
            asv_scores.append(f"LA_0001-none {trial} {score}")
    return {
        "LA": _write(folder / "la_key.txt", la),
        "DF": _write(folder / "df_key.txt", df),
        "scores": _write(folder / "scores.txt", scores),
        "asv_key": _write(folder / "asv_key.txt", asv_key),
        "asv_scores": _write(folder / "asv_scores.txt", asv_scores),
        "trials": [line.split()[0] for line in scores],
    }


def test_score_2021_reference(reference_files, tmp_path):
    files = reference_files
    c012, source = load_la_c012(
        "asv",
        ["eval"],
        str(tmp_path / "no_keys"),
        asv_key=files["asv_key"],
        asv_scores=files["asv_scores"],
        save_folder=str(tmp_path / "c012"),
    )
    assert "computed from ASV key" in source
    out = str(tmp_path / "LA2021")
    results = evaluate_2021("LA", files["LA"], files["scores"], out, c012=c012)
    pooled = results["eval"]
    assert pooled["min_tDCF"] == pytest.approx(0.1933167519446156, abs=TOL)
    assert pooled["EER"] == pytest.approx(5.294444444444444, abs=TOL)
    assert (pooled["n_bonafide"], pooled["n_spoof"]) == (2000, 18000)
    # The tables on disk hold the same values.
    tdcf = pd.read_csv(
        os.path.join(out, "LA2021_eval_min_tDCF.csv"), index_col=0
    )
    eer = pd.read_csv(os.path.join(out, "LA2021_eval_EER.csv"), index_col=0)
    assert tdcf.loc["Pooled", "Pooled"] == pytest.approx(
        0.1933167519446156, abs=TOL
    )
    assert eer.loc["Pooled", "none"] == pytest.approx(
        5.294444444444444, abs=TOL
    )
    with open(os.path.join(out, "LA2021_eval_min_tDCF.md")) as f:
        assert "| Pooled | 0.1933 |" in f.read()
    # The saved C012 is the one used, in the official format.
    saved = load_c012(str(tmp_path / "c012" / "LA-C012-eval.npy"))
    assert saved["Pooled"]["Pooled"] == c012["eval"]["Pooled"]["Pooled"]

    # Through the summary writer, as train.py does.
    summary = write_summary_2021(
        {"LA": {"results": results}}, str(tmp_path / "summary.json"), "eval"
    )
    assert summary["headline"]["LA"]["min_tDCF"] == pooled["min_tDCF"]

    df_results = evaluate_2021(
        "DF", files["DF"], files["scores"], str(tmp_path / "DF2021")
    )
    assert df_results["eval"]["EER"] == pytest.approx(
        5.294444444444444, abs=TOL
    )
    df_table = pd.read_csv(
        os.path.join(tmp_path, "DF2021", "DF2021_eval_EER.csv"), index_col=0
    )
    assert df_table.loc["unknown", "nocodec"] == pytest.approx(
        5.294444444444444, abs=TOL
    )


def test_score_2021_names_missing_and_extra_trials(reference_files, tmp_path):
    files = reference_files
    with open(files["scores"]) as f:
        lines = f.read().splitlines()
    missing = tmp_path / "missing.txt"
    _write(missing, lines[:7] + lines[8:])
    with pytest.raises(ValueError) as error:
        evaluate_2021("DF", files["DF"], str(missing), str(tmp_path))
    assert files["trials"][7] in str(error.value)
    assert "have no score" in str(error.value)
    extra = tmp_path / "extra.txt"
    _write(extra, [*lines, "LA_E_0000000 0.5"])
    with pytest.raises(ValueError, match="LA_E_0000000"):
        evaluate_2021("LA", files["LA"], str(extra), str(tmp_path))
    repeated = tmp_path / "repeated.txt"
    _write(repeated, [*lines, lines[3]])
    with pytest.raises(ValueError, match="duplicate"):
        evaluate_2021("LA", files["LA"], str(repeated), str(tmp_path))
    # Trials that the preparation skipped may be absent (not official).
    results = evaluate_2021(
        "DF",
        files["DF"],
        str(missing),
        str(tmp_path / "skipped"),
        skipped_trials=[files["trials"][7]],
    )
    assert math.isfinite(results["eval"]["EER"])


def _cell_trials(key, scores, subset, codec_column, codec, row_column, row):
    """Bona fide scores of a codec and spoof scores of a (row, codec) cell,
    or None when the cell has no trials of one class."""
    table = key.merge(scores, on="trial")
    table = table[table["subset"] == subset]
    in_codec = table[table[codec_column] == codec]
    bonafide = in_codec[in_codec["label"] == "bonafide"]["score"]
    spoof = in_codec[
        (in_codec["label"] == "spoof") & (in_codec[row_column] == row)
    ]["score"]
    if len(bonafide) == 0 or len(spoof) == 0:
        return None
    return bonafide.to_numpy(), spoof.to_numpy()


@pytest.mark.filterwarnings("ignore:EER is .* but the negated scores")
def test_score_2021_breakdown_tables(tiny_asvspoof2021, tmp_path):
    """Tables on the tiny key (several codecs, attacks, vocoders and
    subsets) with random scores: official labels, one value per non-empty
    cell, each the EER of that cell's trials."""
    rng = np.random.default_rng(3)
    for track in ("LA", "DF"):
        key_file = _key_file(tiny_asvspoof2021, track)
        key = read_cm_key(key_file, track)
        scores = pd.DataFrame(
            {"trial": key["trial"], "score": rng.normal(size=len(key))}
        )
        score_file = tmp_path / f"{track}.txt"
        _write(score_file, [f"{t} {s!r}" for t, s in scores.values])
        c012 = None
        if track == "LA":
            c012, _ = load_la_c012(
                "auto",
                ["eval", "progress"],
                os.path.join(tiny_asvspoof2021, "keys"),
            )
        out = str(tmp_path / track)
        results = evaluate_2021(
            track,
            key_file,
            str(score_file),
            out,
            subsets=["eval", "progress"],
            c012=c012,
        )
        if track == "LA":
            rows, cols, row_column, col_column = (
                LA_ATTACKS,
                LA_CODECS,
                "attack",
                "codec",
            )
        else:
            rows, cols, row_column, col_column = (
                DF_VOCODERS,
                DF_CODECS,
                "vocoder",
                "compr",
            )
        for subset in ("eval", "progress"):
            names = ["EER"] + (["min_tDCF"] if track == "LA" else [])
            for name in names:
                table = pd.read_csv(
                    os.path.join(out, f"{track}2021_{subset}_{name}.csv"),
                    index_col=0,
                )
                assert table.index.tolist() == rows + ["Pooled"]
                assert table.columns.tolist() == cols + ["Pooled"]
                with open(
                    os.path.join(out, f"{track}2021_{subset}_{name}.md")
                ) as f:
                    markdown = f.read()
                assert f"| {row_column} | {' | '.join(cols)} | Pooled |" in (
                    markdown
                )
                assert "C1 = " in markdown
            eer = pd.read_csv(
                os.path.join(out, f"{track}2021_{subset}_EER.csv"),
                index_col=0,
            )
            filled = 0
            for row in rows:
                for col in cols:
                    cell = _cell_trials(
                        key, scores, subset, col_column, col, row_column, row
                    )
                    if cell is None:
                        assert np.isnan(eer.loc[row, col]), (row, col)
                    else:
                        filled += 1
                        expected = 100 * eer_from_det(*raw_det_curve(*cell))[0]
                        assert eer.loc[row, col] == pytest.approx(expected)
            assert filled >= (4 if subset == "eval" else 2)
            pooled = results[subset]
            assert pooled["EER"] == pytest.approx(eer.loc["Pooled", "Pooled"])
            if track == "LA":
                assert math.isfinite(pooled["min_tDCF"])
        if track == "LA":
            # Several codecs and attacks have their own cells.
            eer = pd.read_csv(
                os.path.join(out, "LA2021_eval_EER.csv"), index_col=0
            )
            assert eer.notna().sum(axis=0)[LA_CODECS].gt(0).sum() >= 3
        else:
            eer = pd.read_csv(
                os.path.join(out, "DF2021_eval_EER.csv"), index_col=0
            )
            assert eer.notna().sum(axis=1)[DF_VOCODERS].gt(0).sum() >= 4


def test_load_la_c012_sources(tiny_asvspoof2021, tmp_path):
    keys = os.path.join(tiny_asvspoof2021, "keys")
    asv_key = os.path.join(keys, "LA", "ASV", "trial_metadata.txt")
    asv_scores = os.path.join(keys, "LA", "ASV", "ASVTorch_Kaldi", "score.txt")
    # auto prefers the pre-computed files, as the official package does.
    c012, source = load_la_c012(
        "auto",
        ["eval", "progress"],
        keys,
        asv_key=asv_key,
        asv_scores=asv_scores,
    )
    assert "LA-C012-eval.npy" in source and "LA-C012-prog.npy" in source
    computed, source = load_la_c012(
        "asv",
        ["progress"],
        keys,
        asv_key=asv_key,
        asv_scores=asv_scores,
        save_folder=str(tmp_path),
    )
    asv = read_asv_key_and_scores(asv_key, asv_scores)
    # (assert_equal compares nested dictionaries, NaN equal to NaN)
    np.testing.assert_equal(
        computed["progress"], compute_c012(asv, subset="progress")
    )
    np.testing.assert_equal(computed["progress"], c012["progress"])
    assert os.path.isfile(tmp_path / "LA-C012-prog.npy")
    # Explicit sources must exist; auto without anything gives no t-DCF.
    with pytest.raises(FileNotFoundError, match="C012 file not found"):
        load_la_c012("c012", ["hidden"], keys)
    with pytest.raises(FileNotFoundError, match="ASV scores not found"):
        load_la_c012(
            "asv", ["eval"], keys, asv_key=asv_key, asv_scores="/no/file"
        )
    assert load_la_c012("auto", ["hidden"], keys)[0] is None
    assert load_la_c012("none", ["eval"], keys)[0] is None
    with pytest.raises(ValueError, match="one subset"):
        load_la_c012(
            "c012",
            ["eval", "progress"],
            keys,
            c012_file=os.path.join(keys, "LA", "LA-C012-eval.npy"),
        )
    with pytest.raises(ValueError, match="subsets"):
        load_la_c012("auto", ["dev"], keys)


# ---------------------------------------------------------------------------
# Hyperparameters
# ---------------------------------------------------------------------------


def test_overrides_reach_the_included_system(tmp_path, monkeypatch):
    hparams_file = os.path.join(RECIPE, "hparams", "aasist_fica.yaml")
    overrides = route_overrides(
        hparams_file,
        "data_folder: /d21\ndata_folder_2019: /d19\nlr: 0.001\n"
        "bank_size: 64\ntracks: [DF]\non_bad_audio: skip",
    )
    assert overrides["system"] == {"lr": 0.001, "bank_size": 64}
    # The include is resolved relative to the yaml file, whatever the cwd.
    monkeypatch.chdir(tmp_path)
    with open(os.path.relpath(hparams_file, tmp_path)) as f:
        hparams = load_hyperpyyaml(f, overrides)
    system = hparams["system"]
    assert hparams["tracks"] == ["DF"]
    assert system["lr"] == 0.001 and system["bank_size"] == 64
    assert system["data_folder"] == "/d19"
    assert system["output_folder"] == hparams["output_folder"]
    assert system["on_bad_audio"] == "skip"
    assert system["score_format"] == "2021"
    assert system["asv_scores_test"] is None
    assert hparams["keys_folder"] == "/d21/keys"
    with pytest.raises(KeyError, match="bank_size"):
        route_overrides(
            os.path.join(RECIPE, "hparams", "lcnn.yaml"), "bank_size: 64"
        )


def test_test_only_needs_weights(tmp_path):
    with open(os.path.join(RECIPE, "hparams", "lcnn.yaml")) as f:
        hparams = load_hyperpyyaml(
            f,
            {
                "data_folder": "x",
                "data_folder_2019": "y",
                "output_folder": str(tmp_path),
            },
        )
    system = hparams["system"]
    with pytest.raises(FileNotFoundError, match="--test_only needs"):
        check_weights_to_score(system)
    # A trained experiment (a checkpoint with a dev EER) is enough.
    system["checkpointer"].save_checkpoint(meta={"EER": 10.0})
    check_weights_to_score(system)
    with pytest.raises(ValueError, match="tracks"):
        check_tracks_and_subsets(["PA"], ["eval"])


# ---------------------------------------------------------------------------
# Recipe rows end to end
# ---------------------------------------------------------------------------


# Test-only rows run one after the other in an interpreter (each through
# train.py's __main__ with its own argv), which saves the start-up and
# imports of every row; two such batches and the training row (a plain
# subprocess from the recipe folder, as a user runs it) run in parallel.
# Each run first saves the freshly initialised backbone of its yaml, the
# weights that --pretrained_model gives to the --test_only run.
_BATCH_DRIVER = """
import json, runpy, sys, traceback
import torch
from hyperpyyaml import load_hyperpyyaml
runs_file, status_file = sys.argv[1], sys.argv[2]
with open(runs_file) as f:
    runs = json.load(f)
status = {}
for run in runs:
    sys.argv = [run["script"], *run["args"]]
    try:
        with open(run["args"][0]) as f:
            hparams = load_hyperpyyaml(
                f,
                {"data_folder": "x", "data_folder_2019": "x", **run["overrides"]},
            )
        torch.save(hparams["system"]["model"].state_dict(), run["weights"])
        runpy.run_path(run["script"], run_name="__main__")
        status[run["id"]] = None
    except BaseException:
        status[run["id"]] = traceback.format_exc()
    with open(status_file, "w") as f:
        json.dump(status, f)
"""
N_BATCHES = 2


def _row_args(row, data_2019, data_2021, output, request):
    """Command-line arguments of a row (as SpeechBrain's recipe tests)."""
    return [
        os.path.join(REPO_ROOT, row["Hparam_file"]),
        "--device=cpu",
        "--noprogressbar",
        *debug_flags(row, request),
        f"--data_folder_2019={data_2019}",
        f"--data_folder={data_2021}",
        f"--output_folder={output}",
    ]


def _tail(path):
    with open(path, errors="replace") as f:
        return f.read()[-4000:]


@pytest.fixture(scope="module")
def recipe_runs(tiny_la2019, tiny_asvspoof2021, tmp_path_factory, request):
    """Runs every row of ASVspoof2021.csv; returns ``{row id: (output
    folder, error text or None)}``."""
    base = tmp_path_factory.mktemp("asvspoof2021_runs")
    # One thread per process: the processes share the cores.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    batch_env = dict(env)
    batch_env["PYTHONPATH"] = os.pathsep.join(
        [RECIPE, os.environ.get("PYTHONPATH", "")]
    )
    batch, outputs, processes = [], {}, []
    try:
        for row in recipe_rows("ASVspoof2021"):
            name = row_id(row)
            outputs[name] = str(base / name)
            args = _row_args(
                row, tiny_la2019, tiny_asvspoof2021, outputs[name], request
            )
            if "--test_only" in row["test_debug_flags"]:
                weights = str(base / f"{name}_weights.pt")
                args.append(f"--pretrained_model={weights}")
                script = os.path.join(REPO_ROOT, row["Script_file"])
                batch.append(
                    {
                        "id": name,
                        "script": script,
                        "args": args,
                        "weights": weights,
                        "overrides": yaml_overrides(args),
                    }
                )
                continue
            # From the recipe folder, without PYTHONPATH, as a user would.
            args[0] = os.path.relpath(args[0], RECIPE)
            stderr = base / f"{name}.stderr"
            with open(stderr, "w") as f:
                command = [sys.executable, "train.py", *args]
                process = subprocess.Popen(
                    command, cwd=RECIPE, env=env, stdout=f, stderr=f
                )
            processes.append((process, [name], None, stderr))
        for index in range(N_BATCHES):
            runs = batch[index::N_BATCHES]
            runs_file = base / f"batch{index}.json"
            status_file = base / f"batch{index}_status.json"
            stderr = base / f"batch{index}.stderr"
            runs_file.write_text(json.dumps(runs))
            with open(stderr, "w") as f:
                command = [sys.executable, "-c", _BATCH_DRIVER]
                command += [str(runs_file), str(status_file)]
                process = subprocess.Popen(
                    command,
                    cwd=REPO_ROOT,
                    env=batch_env,
                    stdout=subprocess.DEVNULL,
                    stderr=f,
                )
            names = [run["id"] for run in runs]
            processes.append((process, names, status_file, stderr))
        errors = {}
        for process, names, status_file, stderr in processes:
            returncode = process.wait(timeout=1800)
            if status_file is None:  # a plain run
                errors[names[0]] = _tail(stderr) if returncode else None
                continue
            status = {}
            if status_file.exists():
                status = json.loads(status_file.read_text())
            for name in names:
                errors[name] = status.get(name, f"not run:\n{_tail(stderr)}")
    finally:
        for process, *_ in processes:
            if process.poll() is None:
                process.kill()
    return {name: (outputs[name], errors[name]) for name in outputs}


def _check_score_file(path, key_file, track):
    with open(path) as f:
        lines = [line.split() for line in f]
    assert all(len(fields) == 2 for fields in lines)
    trials = [fields[0] for fields in lines]
    key_trials = read_cm_key(key_file, track)["trial"].tolist()
    assert len(trials) == len(set(trials))
    assert sorted(trials) == sorted(key_trials)
    assert all(math.isfinite(float(fields[1])) for fields in lines)


@pytest.mark.parametrize("row", recipe_rows("ASVspoof2021"), ids=row_id)
def test_asvspoof2021_recipe(row, recipe_runs, tiny_asvspoof2021):
    output, error = recipe_runs[row_id(row)]
    if error:
        pytest.fail(f"{row['Hparam_file']} failed:\n{error}")
    test_only = "--test_only" in row["test_debug_flags"]
    check_files_exist(row, output)

    with open(os.path.join(output, "summary_2021.json")) as f:
        summary = json.load(f)
    assert summary["headline_subset"] == "eval"
    assert math.isfinite(summary["headline"]["LA"]["EER"])
    assert math.isfinite(summary["headline"]["LA"]["min_tDCF"])
    assert math.isfinite(summary["headline"]["DF"]["EER"])
    keys = os.path.join(tiny_asvspoof2021, "keys")
    for track in ("LA", "DF"):
        key_file = _key_file(tiny_asvspoof2021, track)
        score_file = os.path.join(
            output, f"{track}2021", f"scores_{track}2021.txt"
        )
        assert summary[track]["scores"] == score_file
        assert summary[track]["skipped_trials"] == 0
        _check_score_file(score_file, key_file, track)
        eval_results = summary[track]["results"]["eval"]
        assert (eval_results["n_bonafide"], eval_results["n_spoof"]) == (6, 6)
        table = pd.read_csv(
            os.path.join(output, f"{track}2021", f"{track}2021_eval_EER.csv"),
            index_col=0,
        )
        rows = LA_ATTACKS if track == "LA" else DF_VOCODERS
        cols = LA_CODECS if track == "LA" else DF_CODECS
        assert table.index.tolist() == rows + ["Pooled"]
        assert table.columns.tolist() == cols + ["Pooled"]
        assert table.loc["Pooled", "Pooled"] == pytest.approx(
            eval_results["EER"]
        )
    # The LA headline is the official computation on the written scores.
    la_source = summary["LA"]["c012"]
    if test_only:
        assert "LA-C012-eval.npy" in la_source
        c012 = load_c012(os.path.join(keys, "LA", "LA-C012-eval.npy"))
    else:
        assert "computed from ASV key" in la_source
        c012 = load_c012(os.path.join(output, "LA2021", "LA-C012-eval.npy"))
        assert set(summary["LA"]["results"]) == {"eval", "progress"}
        assert summary["DF"]["results"]["progress"]["n_spoof"] == 2
        # Trained on tiny 2019 LA: a checkpoint selected on dev EER.
        with open(os.path.join(output, "train_log.txt")) as f:
            assert "epoch: 1" in f.read()
        assert any(
            name.startswith("CKPT+")
            for name in os.listdir(os.path.join(output, "save"))
        )
    pooled, _, _ = la_breakdown(
        _key_file(tiny_asvspoof2021, "LA"),
        read_score_file(os.path.join(output, "LA2021", "scores_LA2021.txt")),
        c012,
    )
    assert summary["headline"]["LA"]["min_tDCF"] == pytest.approx(
        pooled["min_tDCF"], abs=TOL
    )
    assert summary["headline"]["LA"]["EER"] == pytest.approx(
        pooled["EER"], abs=TOL
    )
