"""Tests of ``speechbrain_fica.metrics.tables.write_tables``: CSV files at
full precision and Markdown tables with the given number format.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import numpy as np
import pandas as pd

from speechbrain_fica.metrics.tables import POOLED, write_tables


def eer_table():
    table = pd.DataFrame(
        {
            "none": [1 / 3, 12.5, float("nan")],
            "alaw": [0.0, 2 / 7, 4.125],
        },
        index=pd.Index(["A07", "A08", POOLED], name="attack"),
    )
    table["asv_spoof"] = ["A07", "Pooled", "Pooled"]
    return table


def test_csv_and_markdown_content(tmp_path):
    out = tmp_path / "tables" / "LA"  # created
    counts = pd.DataFrame({"n": [3, 4]}, index=["eval", "progress"])
    paths = write_tables(
        {"EER": eer_table(), "counts": counts}, str(out), "LA2021"
    )
    assert [os.path.relpath(path, out) for path in paths] == [
        "LA2021_EER.csv",
        "LA2021_EER.md",
        "LA2021_counts.csv",
        "LA2021_counts.md",
    ]
    # CSV: every digit kept, NaN kept, strings kept.
    read = pd.read_csv(paths[0], index_col=0)
    pd.testing.assert_frame_equal(read, eer_table(), check_exact=True)
    assert np.isnan(read.loc[POOLED, "none"])
    # Markdown: index name, right-aligned value columns, 4 decimals, "-".
    with open(paths[1], encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    assert lines == [
        "| attack | none | alaw | asv_spoof |",
        "|---|---:|---:|---:|",
        "| A07 | 0.3333 | 0.0000 | A07 |",
        "| A08 | 12.5000 | 0.2857 | Pooled |",
        "| Pooled | - | 4.1250 | Pooled |",
    ]
    # Integer columns are written as integers.
    with open(paths[3], encoding="utf-8") as stream:
        assert stream.read() == (
            "|  | n |\n|---|---:|\n| eval | 3 |\n| progress | 4 |\n"
        )


def test_float_format_and_no_prefix(tmp_path):
    paths = write_tables(
        {"eer": eer_table()[["none"]]},
        str(tmp_path),
        prefix="",
        float_format="{:.1f}%",
    )
    assert [os.path.basename(path) for path in paths] == ["eer.csv", "eer.md"]
    with open(paths[1], encoding="utf-8") as stream:
        text = stream.read()
    assert "| A07 | 0.3% |" in text and "| A08 | 12.5% |" in text
    assert "| Pooled | - |" in text
    # Writing again replaces the files.
    write_tables({"eer": eer_table()[["alaw"]]}, str(tmp_path), prefix="")
    with open(paths[1], encoding="utf-8") as stream:
        assert "| attack | alaw |" in stream.read()
