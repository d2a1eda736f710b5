"""Strict JSON for metric summaries: no NaN, no infinity.

Standard JSON has no NaN or infinity; Python's ``json`` writes them as
bare ``NaN`` / ``Infinity``, which strict readers reject. Summaries of this
package go through :func:`finite_or_none` (a value) or
:func:`dump_json` (a whole document).

Authors
 * speechbrain-fica contributors 2026
"""

import json
import math
import os

import numpy as np


def finite_or_none(value):
    """A metric for a JSON file: a float, or None when it is missing or
    not finite.

    Arguments
    ---------
    value : float or None
        The metric, e.g. a min t-DCF that is NaN without ASV information.

    Returns
    -------
    float or None
        ``float(value)``, or None.

    Example
    -------
    >>> finite_or_none(np.float64(0.25)), finite_or_none(float("nan"))
    (0.25, None)
    """
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def to_strict_json(value, path=""):
    """Converts a document for strict JSON: numpy scalars and arrays to
    Python values, non-finite floats to None.

    Arguments
    ---------
    value : object
        Dicts, lists, tuples, strings, numbers, numpy values, None.
    path : str
        Where ``value`` sits in the enclosing document (for the report).

    Returns
    -------
    converted : object
        The document with only JSON types.
    replaced : dict
        ``{path: "nan" | "inf" | "-inf"}`` for every value set to None.

    Example
    -------
    >>> to_strict_json({"EER": np.float64("nan"), "n": np.int64(3)})
    ({'EER': None, 'n': 3}, {'EER': 'nan'})
    """
    replaced = {}
    if isinstance(value, dict):
        converted = {}
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            converted[str(key)], more = to_strict_json(item, child)
            replaced.update(more)
        return converted, replaced
    if isinstance(value, (list, tuple, np.ndarray)):
        converted = []
        for index, item in enumerate(list(value)):
            item, more = to_strict_json(item, f"{path}[{index}]")
            converted.append(item)
            replaced.update(more)
        return converted, replaced
    if isinstance(value, (bool, np.bool_)):
        return bool(value), replaced
    if isinstance(value, (int, np.integer)):
        return int(value), replaced
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isfinite(value):
            return value, replaced
        replaced[path] = repr(value)
        return None, replaced
    return value, replaced


def dump_json(document, path, reasons=None):
    """Writes a document as strict JSON; a value that is not finite is
    written as null, and the reason is recorded under ``null_reasons``.

    The file is written to a temporary name and renamed, so a reader
    never sees half a file.

    Arguments
    ---------
    document : dict
        The document (numpy values are converted).
    path : str
        The JSON file.
    reasons : dict, optional
        ``{key: why}`` for top-level keys that may be null (e.g.
        ``{"EER": "only one class in the set"}``); other null values are
        explained by their original value.

    Returns
    -------
    dict
        The document as written.

    Example
    -------
    >>> path = getfixture("tmpdir").join("summary.json").strpath
    >>> dump_json({"EER": float("nan")}, path, {"EER": "no spoof trial"})
    {'EER': None, 'null_reasons': {'EER': 'no spoof trial'}}
    >>> json.load(open(path))["EER"] is None
    True
    """
    converted, replaced = to_strict_json(document)
    if replaced:
        reasons = reasons or {}
        converted["null_reasons"] = {
            key: reasons.get(key, f"value was {value}")
            for key, value in replaced.items()
        }
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(converted, stream, indent=1, allow_nan=False)
        stream.write("\n")
    os.replace(temporary, path)
    return converted
