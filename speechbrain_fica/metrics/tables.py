"""Metric tables written as CSV and Markdown side by side.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import numpy as np
import pandas as pd  # noqa: F401  (doctests)

# Label of the breakdown row / column over all attacks or conditions.
POOLED = "Pooled"


def _markdown_table(table, float_format):
    """A pipe (GitHub) Markdown table of a DataFrame, index included."""

    def cell(value):
        if isinstance(value, (float, np.floating)):
            return "-" if np.isnan(value) else float_format.format(value)
        return str(value)

    header = [str(table.index.name or "")] + [str(c) for c in table.columns]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * len(table.columns)) + "|",
    ]
    for index, row in table.iterrows():
        cells = [str(index)] + [cell(value) for value in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_tables(tables, out_dir, prefix, float_format="{:.4f}"):
    """Writes each table as CSV (full precision) and Markdown.

    Arguments
    ---------
    tables : dict
        Name -> pandas.DataFrame.
    out_dir : str
        Output folder (created if needed).
    prefix : str
        File name prefix: files are ``<prefix>_<name>.csv`` / ``.md``.
    float_format : str
        ``str.format`` pattern for numbers in the Markdown tables; NaN is
        written as ``-``.

    Returns
    -------
    list of str
        Paths of the written files.

    Example
    -------
    >>> table = pd.DataFrame(
    ...     {"none": [1.0, float("nan")]}, index=["A07", "Pooled"]
    ... )
    >>> paths = write_tables({"eer": table}, str(getfixture("tmpdir")), "LA")
    >>> [os.path.basename(path) for path in paths]
    ['LA_eer.csv', 'LA_eer.md']
    >>> print(open(paths[1]).read(), end="")
    |  | none |
    |---|---:|
    | A07 | 1.0000 |
    | Pooled | - |
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, table in tables.items():
        stem = os.path.join(out_dir, f"{prefix}_{name}" if prefix else name)
        table.to_csv(stem + ".csv")
        with open(stem + ".md", "w", encoding="utf-8") as stream:
            stream.write(_markdown_table(table, float_format))
        paths.extend([stem + ".csv", stem + ".md"])
    return paths
