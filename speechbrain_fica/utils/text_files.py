"""Reading whitespace-separated text files (protocols, keys, score files).

Every reader of the package splits its files with :func:`numbered_fields`
(line by line, with line numbers for error messages) or
:func:`read_columns` (a fast path for large files that falls back to the
line scan to name the first malformed line). ``.gz`` files are read
transparently.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip
import io

import numpy as np
import pandas as pd


def open_text(path):
    """Opens a UTF-8 text file for reading, transparently for ``.gz``.

    Arguments
    ---------
    path : str
        A plain text file, or a gzipped one (name ending in ``.gz``).

    Returns
    -------
    io.TextIOBase
        The open text stream.

    Example
    -------
    >>> path = getfixture("tmpdir").join("a.txt.gz").strpath
    >>> with gzip.open(path, "wt") as stream:
    ...     _ = stream.write("x 1\\n")
    >>> with open_text(path) as stream:
    ...     stream.read()
    'x 1\\n'
    """
    if str(path).endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def numbered_fields(path):
    """The non-blank lines of a text file, split into fields.

    Arguments
    ---------
    path : str
        A UTF-8 text file (or ``.gz``) of whitespace-separated fields.

    Yields
    ------
    number : int
        The line number (from 1), for error messages.
    fields : list of str
        The fields of the line.
    line : str
        The line itself.

    Example
    -------
    >>> path = getfixture("tmpdir").join("list.txt")
    >>> _ = path.write("LA_E_1\\n\\nLA_E_2 x\\n")
    >>> [(n, fields) for n, fields, _ in numbered_fields(str(path))]
    [(1, ['LA_E_1']), (3, ['LA_E_2', 'x'])]
    """
    with open_text(path) as stream:
        for number, line in enumerate(stream, start=1):
            fields = line.split()
            if fields:
                yield number, fields, line


def read_columns(path, n_columns, layout):
    """Splits a whitespace-separated file into string columns.

    The fast path is pandas' C parser; if it fails or finds a line with
    another number of fields, the file is scanned with
    :func:`numbered_fields` to report the first malformed line.

    Arguments
    ---------
    path : str
        The file (``.gz`` is read transparently).
    n_columns : int
        The number of fields every non-blank line must have.
    layout : str
        The column names as the error message should give them, e.g.
        ``"trial score"``.

    Returns
    -------
    list of numpy.ndarray
        ``n_columns`` object arrays of strings, in file order (empty for
        an empty file).

    Raises
    ------
    ValueError
        A line with another number of fields, naming the file, the line
        number and the line.

    Example
    -------
    >>> path = getfixture("tmpdir").join("scores.txt")
    >>> _ = path.write("t1 1.5\\nt2 -0.25\\n")
    >>> [column.tolist() for column in read_columns(str(path), 2, "t s")]
    [['t1', 't2'], ['1.5', '-0.25']]
    >>> _ = path.write("t1 1.5\\nt2\\n")
    >>> read_columns(str(path), 2, "trial score")
    Traceback (most recent call last):
      ...
    ValueError: ...scores.txt, line 2: expected 2 columns (trial score), got 1: 't2'
    """
    try:
        table = pd.read_csv(
            path,
            sep=r"\s+",
            header=None,
            dtype=str,
            keep_default_na=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return [np.array([], dtype=object) for _ in range(n_columns)]
    except (pd.errors.ParserError, ValueError):
        table = None
    # Missing trailing fields come back as empty strings.
    if (
        table is None
        or table.shape[1] != n_columns
        or (table.iloc[:, -1] == "").any()
    ):
        for number, fields, line in numbered_fields(path):
            if len(fields) != n_columns:
                raise ValueError(
                    f"{path}, line {number}: expected {n_columns} columns "
                    f"({layout}), got {len(fields)}: {line.rstrip()!r}"
                )
        raise ValueError(f"{path}: could not parse as {layout}")
    return [table[column].to_numpy(dtype=object) for column in table.columns]
