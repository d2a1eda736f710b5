"""Tests of the ASVspoof 2021 LA / DF scoring (keys in the official formats):
breakdown tables, C012 coefficients and their sources, and the scoring of
a submission as the recipe runs it (``evaluate_2021``).

The end-to-end reference builds 2021-style keys from the synthetic CM
scores and the 2019 LA eval ASV scores, the setup in which the official
evaluation package printed the values of ``expected_outputs.json``
(pooled LA min t-DCF 0.1933167519446156, EER 5.29 %, the same EER on DF).
The tiny 2021 corpus (several codecs, attacks, vocoders and subsets)
checks the tables cell by cell.

Authors
 * speechbrain-fica contributors 2026
"""

import math
import os

import numpy as np
import pandas as pd
import pytest

from speechbrain_fica.metrics.asvspoof2021.breakdowns import (
    df_breakdown,
    la_breakdown,
)
from speechbrain_fica.metrics.asvspoof2021.c012 import (
    compute_c012,
    load_c012,
    load_la_c012,
    save_c012,
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
from speechbrain_fica.metrics.det import (
    compute_eer,
    eer_from_det,
    raw_det_curve,
)
from speechbrain_fica.metrics.score_files import (
    check_scores_against_key,
    read_asv_key_and_scores,
    read_cm_key,
    read_score_file,
)
from speechbrain_fica.metrics.tables import write_tables
from speechbrain_fica.metrics.tdcf import (
    asv_operating_point,
    min_tdcf_2021,
    tdcf_2021_coefficients,
)
from speechbrain_fica.utils.text_files import open_text
from tests.utils.corpora import cm_key_path_2021
from tests.utils.samples import (
    asv_scores_path,
    expected_outputs,
    synthetic_scores_path,
)

TOL = 1e-12


def write_lines(path, lines):
    """Writes text lines (LF) and returns the path as str."""
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def la_key_line(trial, codec, attack, label, subset, speaker="LA_0001"):
    """``spk trial codec trans attack label trim subset``."""
    trans = "-" if codec == "none" else "ita_tx"
    return f"{speaker} {trial} {codec} {trans} {attack} {label} notrim {subset}"


def df_key_line(trial, compr, attack, label, subset, vocoder):
    """The 13-column DF key layout."""
    return (
        f"LA_0023 {trial} {compr} asvspoof {attack} {label} notrim {subset} "
        f"{vocoder} - - - -"
    )


# ---------------------------------------------------------------------------
# End-to-end reference
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_setup(tmp_path_factory):
    """Keys and score files built from the shared synthetic material."""
    folder = tmp_path_factory.mktemp("keys")
    expected = expected_outputs()
    cm_path = synthetic_scores_path()
    with open_text(cm_path) as stream:
        cm_rows = [line.split() for line in stream if line.strip()]
    la_lines, df_lines, score_lines = [], [], []
    for trial, attack, label, score in cm_rows:
        attack = "bonafide" if label == "bonafide" else attack
        vocoder = "-" if label == "bonafide" else "traditional_vocoder"
        la_lines.append(la_key_line(trial, "none", attack, label, "eval"))
        df_lines.append(
            df_key_line(trial, "nocodec", attack, label, "eval", vocoder)
        )
        score_lines.append(f"{trial} {score}")
    # Progress-subset trials with inverted scores must not change the
    # eval results.
    for index in range(40):
        trial = f"PRG_{index:05d}"
        label = "bonafide" if index % 2 else "spoof"
        attack = "bonafide" if index % 2 else "A07"
        vocoder = "-" if index % 2 else "unknown"
        la_lines.append(la_key_line(trial, "none", attack, label, "progress"))
        df_lines.append(
            df_key_line(trial, "nocodec", attack, label, "progress", vocoder)
        )
        score_lines.append(f"{trial} {-5.0 if index % 2 else 5.0}")

    asv_path = asv_scores_path("eval")
    with open_text(asv_path) as stream:
        asv_rows = [line.split() for line in stream if line.strip()]
    asv_key_lines, asv_score_lines = [], []
    for index, (source, key, score) in enumerate(asv_rows):
        trial = f"ASV_{index:06d}-none"
        asv_key_lines.append(la_key_line(trial, "none", source, key, "eval"))
        asv_score_lines.append(f"LA_0001-none {trial} {score}")
    return {
        "expected": expected,
        "la_key": write_lines(folder / "la_key.txt", la_lines),
        "df_key": write_lines(folder / "df_key.txt", df_lines),
        "scores": write_lines(folder / "scores.txt", score_lines),
        "asv_key": write_lines(folder / "asv_key.txt", asv_key_lines),
        "asv_scores": write_lines(folder / "asv_scores.txt", asv_score_lines),
        "trials": [line.split()[0] for line in score_lines],
        "folder": folder,
    }


def test_la_end_to_end_reference(reference_setup):
    setup = reference_setup
    expected = setup["expected"]
    asv = read_asv_key_and_scores(setup["asv_key"], setup["asv_scores"])
    c012 = compute_c012(asv)
    pooled_c012 = expected["eval_package_main_end_to_end"]["LA_pooled_C012"]
    for name in ("C0", "C1", "C2"):
        assert c012["Pooled"]["Pooled"][name] == pytest.approx(
            pooled_c012[name], abs=TOL
        )
    # Codecs without ASV trials have no coefficients.
    assert np.isnan(c012["Pooled"]["alaw"]["C0"])

    key = read_cm_key(setup["la_key"], "LA")
    scores = read_score_file(setup["scores"])
    pooled, tdcf_table, eer_table = la_breakdown(key, scores, c012)
    reference = expected["results"]["synthetic"]
    assert pooled["min_tDCF"] == pytest.approx(
        reference["tdcf2021formula_with_asv2019_eval"]["min_tdcf"], abs=TOL
    )
    assert pooled["min_tDCF"] == pytest.approx(0.1933167519446156, abs=TOL)
    assert pooled["EER"] == pytest.approx(5.294444444444444, abs=TOL)
    assert pooled["EER"] == pytest.approx(reference["eer_pct"], abs=TOL)
    printed = expected["eval_package_main_end_to_end"]
    assert f"{pooled['min_tDCF']:.4f}" == printed["LA_pooled_min_tdcf_printed"]
    assert f"{pooled['EER']:.2f}" == printed["LA_pooled_eer_pct_printed"]
    # Paths work as well, and a saved / reloaded C012 gives the same result.
    c012_path = str(setup["folder"] / "LA-C012-eval.npy")
    save_c012(c012, c012_path)
    again, _, _ = la_breakdown(
        setup["la_key"], setup["scores"], load_c012(c012_path)
    )
    assert again == pooled
    # All subsets together include the inverted progress trials.
    everything, _, _ = la_breakdown(key, scores, c012, subset=None)
    assert everything["EER"] > pooled["EER"]
    with pytest.raises(
        ValueError, match="no CM trials with subset == 'hidden'"
    ):
        la_breakdown(key, scores, c012, subset="hidden")


def test_df_end_to_end_reference(reference_setup):
    setup = reference_setup
    pooled_eer, table = df_breakdown(setup["df_key"], setup["scores"])
    expected = setup["expected"]
    assert pooled_eer == pytest.approx(
        expected["results"]["synthetic"]["eer_pct"], abs=TOL
    )
    printed = expected["eval_package_main_end_to_end"]
    assert f"{pooled_eer:.2f}" == printed["DF_pooled_eer_pct_printed"]
    assert table.loc["traditional_vocoder", "nocodec"] == pytest.approx(
        pooled_eer, abs=TOL
    )


# ---------------------------------------------------------------------------
# Synthetic multi-condition keys
# ---------------------------------------------------------------------------

USED_CODECS = ["none", "alaw", "gsm"]
USED_ATTACKS = ["A07", "A08", "A10"]
USED_COMPR = ["nocodec", "low_mp3", "oggm4a"]
USED_VOCODERS = ["traditional_vocoder", "neural_vocoder_autoregressive"]


@pytest.fixture(scope="module")
def multi_setup(tmp_path_factory):
    """Random LA / DF keys, CM scores and LA ASV data over a few conditions."""
    rng = np.random.default_rng(1234)
    folder = tmp_path_factory.mktemp("multi")
    la_lines, df_lines, score_lines = [], [], []
    for index in range(3000):
        trial = f"E_{index:06d}"
        is_bonafide = rng.random() < 0.3
        label = "bonafide" if is_bonafide else "spoof"
        attack = "bonafide" if is_bonafide else str(rng.choice(USED_ATTACKS))
        codec = str(rng.choice(USED_CODECS))
        compr = str(rng.choice(USED_COMPR))
        vocoder = "-" if is_bonafide else str(rng.choice(USED_VOCODERS))
        subset = "eval" if rng.random() < 0.8 else "progress"
        shift = 1.5 if is_bonafide else -0.2 * USED_ATTACKS.index(attack)
        score = rng.normal(shift, 1.0)
        la_lines.append(la_key_line(trial, codec, attack, label, subset))
        df_lines.append(
            df_key_line(trial, compr, attack, label, subset, vocoder)
        )
        score_lines.append(f"{trial} {score!r}")
    asv_key_lines, asv_score_lines = [], []
    for index in range(4000):
        kind = rng.choice(["target", "nontarget", "spoof"], p=[0.2, 0.4, 0.4])
        attack = "bonafide" if kind != "spoof" else rng.choice(USED_ATTACKS)
        codec = str(rng.choice(USED_CODECS))
        subset = "eval" if rng.random() < 0.8 else "progress"
        mean = {"target": 4.0, "nontarget": 0.0, "spoof": 2.5}[str(kind)]
        trial = f"LA_E_{index:06d}-{codec}"
        asv_key_lines.append(la_key_line(trial, codec, attack, kind, subset))
        asv_score_lines.append(
            f"LA_0001-{codec} {trial} {rng.normal(mean, 1.0)!r}"
        )
    paths = {
        "la_key": write_lines(folder / "la.txt", la_lines),
        "df_key": write_lines(folder / "df.txt", df_lines),
        "scores": write_lines(folder / "scores.txt", score_lines),
        "asv_key": write_lines(folder / "asv_key.txt", asv_key_lines),
        "asv_scores": write_lines(folder / "asv.txt", asv_score_lines),
    }
    la_key = read_cm_key(paths["la_key"], "LA")
    scores = read_score_file(paths["scores"])
    joined = check_scores_against_key(scores, la_key)
    df_joined = check_scores_against_key(
        scores, read_cm_key(paths["df_key"], "DF")
    )
    asv = read_asv_key_and_scores(paths["asv_key"], paths["asv_scores"])
    return {
        "paths": paths,
        "la_key": la_key,
        "scores": scores,
        "eval": joined[joined["subset"] == "eval"],
        "df_eval": df_joined[df_joined["subset"] == "eval"],
        "asv": asv,
        "asv_eval": asv[asv["subset"] == "eval"],
        "folder": folder,
    }


def direct_c012(asv_eval, codec=None, attack=None):
    """C012 of one cell computed straight from the ASV trials."""
    in_codec = np.ones(len(asv_eval), dtype=bool)
    if codec is not None:
        in_codec = (asv_eval["codec"] == codec).to_numpy()
    labels = asv_eval["label"].to_numpy()
    scores = asv_eval["score"].to_numpy()
    spoof = (labels == "spoof") & in_codec
    if attack is not None:
        spoof &= (asv_eval["attack"] == attack).to_numpy()
    point = asv_operating_point(
        scores[(labels == "target") & in_codec],
        scores[(labels == "nontarget") & in_codec],
        scores[spoof],
    )
    return tdcf_2021_coefficients(point)


def test_la_tables(multi_setup):
    setup = multi_setup
    c012 = compute_c012(setup["asv"])
    pooled, tdcf_table, eer_table = la_breakdown(
        setup["la_key"], setup["scores"], c012
    )
    for table in (tdcf_table, eer_table):
        assert table.shape == (14, 8)
        assert table.index.tolist() == LA_ATTACKS + ["Pooled"]
        assert table.columns.tolist() == LA_CODECS + ["Pooled"]
        # Codecs and attacks without trials are NaN; used cells are not.
        assert table[["pstn", "g722", "ulaw", "opus"]].isna().all().all()
        assert table.loc[["A09", "A11", "A19"]].isna().all().all()
        used = table.loc[USED_ATTACKS + ["Pooled"], USED_CODECS + ["Pooled"]]
        assert not used.isna().any().any()

    trials = setup["eval"]
    labels = trials["label"].to_numpy()
    scores = trials["score"].to_numpy()
    bonafide, spoof = scores[labels == "bonafide"], scores[labels == "spoof"]
    # Pooled cell == direct pooled computation.
    c0, c1, c2 = direct_c012(setup["asv_eval"])
    assert c012["Pooled"]["Pooled"] == pytest.approx(
        {"C0": c0, "C1": c1, "C2": c2}, abs=TOL
    )
    direct_tdcf, _ = min_tdcf_2021(bonafide, spoof, c0=c0, c1=c1, c2=c2)
    direct_eer, _ = compute_eer(bonafide, spoof)
    assert pooled["min_tDCF"] == pytest.approx(direct_tdcf, abs=TOL)
    assert pooled["EER"] == pytest.approx(100 * direct_eer, abs=TOL)
    assert tdcf_table.loc["Pooled", "Pooled"] == pooled["min_tDCF"]

    # One cell: bona fide of that codec vs spoof of that codec and attack,
    # with the C012 of the same cell.
    in_cell = (trials["codec"] == "alaw").to_numpy()
    cell_bonafide = scores[in_cell & (labels == "bonafide")]
    cell_spoof = scores[in_cell & (trials["attack"] == "A08").to_numpy()]
    c0, c1, c2 = direct_c012(setup["asv_eval"], "alaw", "A08")
    assert c012["A08"]["alaw"] == pytest.approx(
        {"C0": c0, "C1": c1, "C2": c2}, abs=TOL
    )
    direct_tdcf, _ = min_tdcf_2021(
        cell_bonafide, cell_spoof, c0=c0, c1=c1, c2=c2
    )
    direct_eer, _ = compute_eer(cell_bonafide, cell_spoof)
    assert tdcf_table.loc["A08", "alaw"] == pytest.approx(direct_tdcf, abs=TOL)
    assert eer_table.loc["A08", "alaw"] == pytest.approx(
        100 * direct_eer, abs=TOL
    )
    # Codec column, pooled attacks: all spoof trials of that codec.
    pooled_row_spoof = scores[in_cell & (labels == "spoof")]
    direct_eer, _ = compute_eer(cell_bonafide, pooled_row_spoof)
    assert eer_table.loc["Pooled", "alaw"] == pytest.approx(
        100 * direct_eer, abs=TOL
    )

    # A C012 dictionary without some cells gives NaN t-DCF but valid EERs.
    partial = {"Pooled": dict(c012["Pooled"])}
    _, partial_tdcf, partial_eer = la_breakdown(
        setup["la_key"], setup["scores"], partial
    )
    assert np.isnan(partial_tdcf.loc["A08", "alaw"])
    assert (
        partial_tdcf.loc["Pooled", "alaw"] == tdcf_table.loc["Pooled", "alaw"]
    )
    assert partial_eer.equals(eer_table)

    # Another subset uses only its own CM and ASV trials.
    progress_c012 = compute_c012(setup["asv"], subset="progress")
    progress, _, _ = la_breakdown(
        setup["la_key"], setup["scores"], progress_c012, subset="progress"
    )
    assert progress["EER"] != pooled["EER"]


def test_df_table(multi_setup):
    setup = multi_setup
    pooled_eer, table = df_breakdown(setup["paths"]["df_key"], setup["scores"])
    assert table.shape == (6, 10)
    assert table.index.tolist() == DF_VOCODERS + ["Pooled"]
    assert table.columns.tolist() == DF_CODECS + ["Pooled"]
    assert table.loc[["waveform_concatenation", "unknown"]].isna().all().all()
    assert table[["high_mp3", "mp3m4a"]].isna().all().all()
    trials = setup["df_eval"]
    labels = trials["label"].to_numpy()
    scores = trials["score"].to_numpy()
    direct, _ = compute_eer(
        scores[labels == "bonafide"], scores[labels == "spoof"]
    )
    assert pooled_eer == pytest.approx(100 * direct, abs=TOL)
    in_codec = (trials["compr"] == "low_mp3").to_numpy()
    vocoder = (trials["vocoder"] == "neural_vocoder_autoregressive").to_numpy()
    direct, _ = compute_eer(
        scores[in_codec & (labels == "bonafide")],
        scores[in_codec & vocoder],
    )
    assert table.loc[
        "neural_vocoder_autoregressive", "low_mp3"
    ] == pytest.approx(100 * direct, abs=TOL)


def test_write_tables(multi_setup, tmp_path):
    setup = multi_setup
    c012 = compute_c012(setup["asv"])
    _, tdcf_table, eer_table = la_breakdown(
        setup["la_key"], setup["scores"], c012
    )
    paths = write_tables(
        {"min_tDCF": tdcf_table, "EER": eer_table}, str(tmp_path / "out"), "LA"
    )
    names = sorted(os.path.basename(path) for path in paths)
    assert names == [
        "LA_EER.csv",
        "LA_EER.md",
        "LA_min_tDCF.csv",
        "LA_min_tDCF.md",
    ]
    read_back = pd.read_csv(tmp_path / "out" / "LA_min_tDCF.csv", index_col=0)
    np.testing.assert_allclose(
        read_back.to_numpy(), tdcf_table.to_numpy(), rtol=1e-15, atol=0
    )
    markdown = (tmp_path / "out" / "LA_EER.md").read_text().splitlines()
    assert len(markdown) == 2 + 14
    assert markdown[0].split("|")[2].strip() == "none"
    assert all(line.startswith("| ") for line in markdown[2:])
    assert "| A19 | - |" in markdown[-2]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def test_score_file_mismatch_errors(multi_setup):
    key, scores = multi_setup["la_key"], multi_setup["scores"]
    missing = scores.drop(index=[5, 17])
    with pytest.raises(ValueError, match="2 trial.s. of the key have no score"):
        check_scores_against_key(missing, key)
    with pytest.raises(ValueError, match="E_000005"):
        la_breakdown(key, missing, {})
    extra = pd.concat(
        [scores, pd.DataFrame({"trial": ["LA_E_EXTRA"], "score": [0.0]})]
    )
    with pytest.raises(
        ValueError, match="1 trial.s. of the score file are not"
    ):
        check_scores_against_key(extra, key)
    with pytest.raises(ValueError, match="LA_E_EXTRA"):
        df_breakdown(multi_setup["paths"]["df_key"], extra)
    duplicated = pd.concat([scores, scores.iloc[[3]]])
    with pytest.raises(
        ValueError, match="1 duplicate trial.s. in the score"
    ) as error:
        check_scores_against_key(duplicated, key)
    assert "E_000003" in str(error.value)
    assert f"score file has {len(scores) + 1} trials" in str(error.value)


def test_reader_errors(tmp_path):
    good = la_key_line("LA_E_1", "none", "A07", "spoof", "eval")
    path = write_lines(
        tmp_path / "key.txt", [good, good.replace("LA_E_1", "LA_E_2"), "a b c"]
    )
    with pytest.raises(ValueError, match="line 3: expected 8 columns") as error:
        read_cm_key(path, "LA")
    assert path in str(error.value)
    with pytest.raises(ValueError, match="expected 13 columns"):
        read_cm_key(write_lines(tmp_path / "df.txt", [good]), "DF")
    with pytest.raises(ValueError, match="track must be"):
        read_cm_key(path, "PA")
    with pytest.raises(ValueError, match="line 2: expected 2 columns"):
        read_score_file(write_lines(tmp_path / "s.txt", ["t1 1.0", "t2"]))
    with pytest.raises(ValueError, match="line 2: score 'abc' is not a number"):
        read_score_file(write_lines(tmp_path / "s2.txt", ["t1 1.0", "t2 abc"]))
    key_path = write_lines(tmp_path / "asv_key.txt", [good, good])
    score_path = write_lines(tmp_path / "asv.txt", ["LA_0001 LA_E_1 1.0"])
    with pytest.raises(ValueError, match="has 2 trials but ASV score file"):
        read_asv_key_and_scores(key_path, score_path)


# ---------------------------------------------------------------------------
# Scoring a submission (evaluate.py) and the C012 sources (c012.py)
# ---------------------------------------------------------------------------


def test_evaluate_2021_reference(reference_setup, tmp_path):
    files = reference_setup
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
    results = evaluate_2021(
        "LA", files["la_key"], files["scores"], out, c012=c012
    )
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
        "DF", files["df_key"], files["scores"], str(tmp_path / "DF2021")
    )
    assert df_results["eval"]["EER"] == pytest.approx(
        5.294444444444444, abs=TOL
    )
    df_table = pd.read_csv(
        os.path.join(tmp_path, "DF2021", "DF2021_eval_EER.csv"), index_col=0
    )
    assert df_table.loc["traditional_vocoder", "nocodec"] == pytest.approx(
        5.294444444444444, abs=TOL
    )


def test_evaluate_2021_names_missing_and_extra_trials(
    reference_setup, tmp_path
):
    files = reference_setup
    with open(files["scores"]) as f:
        lines = f.read().splitlines()
    missing = tmp_path / "missing.txt"
    write_lines(missing, lines[:7] + lines[8:])
    with pytest.raises(ValueError) as error:
        evaluate_2021("DF", files["df_key"], str(missing), str(tmp_path))
    assert files["trials"][7] in str(error.value)
    assert "have no score" in str(error.value)
    extra = tmp_path / "extra.txt"
    write_lines(extra, [*lines, "LA_E_0000000 0.5"])
    with pytest.raises(ValueError, match="LA_E_0000000"):
        evaluate_2021("LA", files["la_key"], str(extra), str(tmp_path))
    repeated = tmp_path / "repeated.txt"
    write_lines(repeated, [*lines, lines[3]])
    with pytest.raises(ValueError, match="duplicate"):
        evaluate_2021("LA", files["la_key"], str(repeated), str(tmp_path))
    # Trials that the preparation skipped may be absent (not official).
    results = evaluate_2021(
        "DF",
        files["df_key"],
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
def test_evaluate_2021_breakdown_tables(tiny_asvspoof2021, tmp_path):
    """Tables on the tiny key (several codecs, attacks, vocoders and
    subsets) with random scores: official labels, one value per non-empty
    cell, each the EER of that cell's trials."""
    rng = np.random.default_rng(3)
    for track in ("LA", "DF"):
        key_file = cm_key_path_2021(tiny_asvspoof2021, track)
        key = read_cm_key(key_file, track)
        scores = pd.DataFrame(
            {"trial": key["trial"], "score": rng.normal(size=len(key))}
        )
        score_file = tmp_path / f"{track}.txt"
        write_lines(score_file, [f"{t} {s!r}" for t, s in scores.values])
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


def test_check_tracks_and_subsets():
    check_tracks_and_subsets(["LA", "DF"], ["eval", "progress", "hidden"])
    with pytest.raises(ValueError, match="tracks"):
        check_tracks_and_subsets(["PA"], ["eval"])
    with pytest.raises(ValueError, match="subsets"):
        check_tracks_and_subsets(["LA"], [])
