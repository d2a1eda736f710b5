"""Helpers for HyperPyYAML files: object names and routed overrides.

:func:`yaml_object_path` names a class so that every Python version
resolves it (see :func:`is_module_name` for the trap it avoids).

A recipe yaml may hold its own keys at top level and a whole system under
one key, ``system: !include:other.yaml`` (the ASVspoof 2021 yamls include
the ASVspoof 2019 systems this way). HyperPyYAML applies an override to
the top-level keys only, so an override of a key of the included yaml
must be moved under the include key first: :func:`route_overrides` does
that.

Authors
 * speechbrain-fica contributors 2026
"""

import importlib.util
import os
import sys

import ruamel.yaml

INCLUDE_TAG = "!include:"


def is_module_name(dotted):
    """Whether ``dotted`` is the name of an importable module.

    A yaml tag such as ``!new:pkg.Model`` must not name a module:
    hyperpyyaml resolves it with ``pydoc.locate``, which on Python >= 3.12
    returns the module ``pkg/Model.py`` even where ``pkg`` exports a class
    ``Model`` (earlier versions return the class), so the yaml would load
    on one version and fail on the other.

    Arguments
    ---------
    dotted : str
        A dotted name.

    Returns
    -------
    bool
        True for a module or package name.

    Example
    -------
    >>> is_module_name("speechbrain_fica.lobes.models.AASIST")
    True
    >>> is_module_name("speechbrain_fica.lobes.AASIST")
    False
    """
    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, AttributeError, ValueError):
        return False  # a parent is a module, not a package


def yaml_object_path(cls):
    """The dotted name a yaml tag should give for ``cls``.

    The shortest name through a package that exports the class (as users
    import it), unless that name is also a module's (:func:`is_module_name`);
    otherwise ``module.Class``.

    Arguments
    ---------
    cls : type or callable
        An importable class or function.

    Returns
    -------
    str
        The dotted name.

    Example
    -------
    >>> from speechbrain_fica.lobes import AASIST
    >>> yaml_object_path(AASIST)
    'speechbrain_fica.lobes.AASIST'
    """
    parts = cls.__module__.split(".")
    path = f"{cls.__module__}.{cls.__qualname__}"
    for depth in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:depth])
        exported = getattr(sys.modules.get(package), cls.__name__, None)
        if exported is cls and not is_module_name(f"{package}.{cls.__name__}"):
            path = f"{package}.{cls.__name__}"
    return path


def route_overrides(hparams_file, overrides, include_key="system"):
    """Moves the overrides of included keys under the include key.

    An override whose key is a top-level key of ``hparams_file`` stays
    there; one that is a key of the yaml included under ``include_key``
    moves under ``include_key`` (HyperPyYAML then applies it inside the
    include).

    Arguments
    ---------
    hparams_file : str
        The including yaml.
    overrides : str or dict
        Overrides as given by ``speechbrain.parse_arguments`` (yaml text).
    include_key : str
        The top-level key whose value is an ``!include:`` of another yaml.

    Returns
    -------
    dict
        Overrides for ``load_hyperpyyaml`` on ``hparams_file``.

    Raises
    ------
    KeyError
        An override that is a key of neither yaml.
    ValueError
        ``include_key`` is not an ``!include:``.

    Example
    -------
    >>> folder = getfixture("tmpdir")
    >>> _ = folder.join("system.yaml").write("batch_size: 8\\nlr: 0.001\\n")
    >>> _ = folder.join("main.yaml").write(
    ...     "tracks: [LA, DF]\\nsystem: !include:system.yaml\\n    lr: 0.01\\n"
    ... )
    >>> route_overrides(
    ...     str(folder.join("main.yaml")), "batch_size: 4\\ntracks: [LA]"
    ... )
    {'tracks': ['LA'], 'system': {'batch_size': 4}}
    """
    yaml = ruamel.yaml.YAML(typ="rt")
    given = yaml.load(overrides) if isinstance(overrides, str) else overrides
    if not given:
        return {}
    with open(hparams_file, encoding="utf-8") as f:
        document = yaml.load(f)
    included_file = _included_file(hparams_file, document, include_key)
    with open(included_file, encoding="utf-8") as f:
        included_keys = set(yaml.load(f))
    routed, included = {}, {}
    for key, value in given.items():
        if key in document:
            routed[key] = value
        elif key in included_keys:
            included[key] = value
        else:
            raise KeyError(
                f"override {key!r} is neither a key of {hparams_file} nor "
                f"of the {include_key} yaml {included_file}"
            )
    if included:
        routed.setdefault(include_key, {}).update(included)
    return routed


def _included_file(hparams_file, document, include_key):
    """The file included under ``include_key``, as HyperPyYAML resolves it
    (relative to the folder of the including yaml, symlinks resolved)."""
    node = document[include_key]
    tag = getattr(getattr(node, "tag", None), "value", None) or ""
    if not tag.startswith(INCLUDE_TAG):
        raise ValueError(
            f"{hparams_file}: {include_key!r} must be an {INCLUDE_TAG}"
        )
    folder = os.path.dirname(os.path.realpath(hparams_file))
    return os.path.join(folder, tag[len(INCLUDE_TAG) :])
