"""Checks a ``hyperparams.yaml`` for code outside an allow-list, before
anything in it runs.

HyperPyYAML builds objects while it reads a file: ``!new:pkg.Class``
constructs, ``!apply:pkg.function`` calls, ``!name:`` and ``!module:``
import, ``!include:`` reads another file, and PyYAML's ``!!python/...``
tags can call anything. Loading a model folder from someone else is
therefore running their code: ``!apply:os.system ["..."]`` runs a shell
command. :func:`check_hyperparams` reads the text with a plain YAML parser
(which builds nothing), records every tag with its line, and refuses
targets outside :data:`ALLOWED_MODULES`, so that an untrusted folder can
only build the plugin's and SpeechBrain's neural network modules and load
weights (tensors only, see
:func:`speechbrain_fica.utils.checkpoints.load_backbone_weights`).

A target passes when

* its dotted name starts with a package of :data:`ALLOWED_ROOTS` (nothing
  else is imported to resolve it) and has no ``__dunder__`` part;
* it resolves to a class or a module-level function (never a method:
  ``!apply:...FileTrainLogger.log_stats [!ref <logger>, ...]`` would let
  an allowed object write a file) that is *defined* in a module of
  :data:`ALLOWED_MODULES` (so ``speechbrain_fica.lobes.os.system``, a path
  through an imported module, is refused: ``os.system`` is defined in
  ``posix``), or that is one of :data:`ALLOWED_NAMES`;
* ``!new:`` names a class; ``!name:``, ``!apply:`` and ``!applyref:`` a
  class or a function; ``!module:`` an allowed module.

``!include:`` files are checked the same way. :data:`ALLOWED_MODULES` is
what a model folder needs: the network modules of the plugin, SpeechBrain
and ``torch.nn``, and the weights-only loading hook. SpeechBrain is
allowed by sub-package, not whole, since it also holds functions that run
shell commands (``speechbrain.utils.superpowers``), write files
(``speechbrain.utils.train_logger``) or load other model folders from a
hub (``speechbrain.inference``). A recipe experiment's yaml (checked by
``export --experiment``) may also name the few training helpers of
:data:`TRAINING_NAMES`. Everything else needs an explicit
``trust_remote_code=True`` from the user. One allowed network can reach
the network: ``speechbrain_fica.lobes.SSL_AASIST`` downloads its
self-supervised model when ``ssl_source`` is a Hugging Face name (a local
folder needs no network).

Authors
 * speechbrain-fica contributors 2026
"""

import importlib
import inspect
import os

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

# Top-level packages a tag may name (only these are imported to resolve a
# name).
ALLOWED_ROOTS = ("speechbrain_fica", "speechbrain", "torch")
# Modules (and their sub-modules) in which a class or function of a model
# folder may be defined.
ALLOWED_MODULES = (
    "speechbrain_fica.lobes",
    "speechbrain_fica.nnet",
    "speechbrain_fica.augment",
    "speechbrain.nnet",
    "speechbrain.lobes",
    "speechbrain.processing",
    "torch.nn",
)
# Single classes and functions allowed by their full name: the loading of
# a model folder (a Pretrainer that only reads, through the weights-only
# hook) and the built-in ``!apply:torch.tensor``.
ALLOWED_NAMES = (
    "speechbrain.utils.parameter_transfer.Pretrainer",
    "speechbrain_fica.utils.checkpoints.load_backbone_weights",
    "torch.tensor",
)
# What a recipe experiment's yaml adds (``export --experiment``): its
# checkpointer, counter, logger, seed and optimiser. Their objects are
# never built by the export, which reads the yaml as data.
TRAINING_NAMES = (
    "speechbrain_fica.utils.checkpoints.Checkpointer",
    "speechbrain.utils.epoch_loop.EpochCounter",
    "speechbrain.utils.train_logger.FileTrainLogger",
    "speechbrain.utils.seed.seed_everything",
)
TRAINING_MODULES = ("torch.optim",)
# Tags that build nothing.
DATA_TAGS = ("!ref", "!copy", "!tuple", "!PLACEHOLDER")
CALL_TAGS = ("!new:", "!name:", "!apply:", "!applyref:", "!module:")
INCLUDE_TAG = "!include:"
_STANDARD_PREFIX = "tag:yaml.org,2002:"
_STANDARD_TAGS = (
    "str",
    "int",
    "float",
    "bool",
    "null",
    "map",
    "seq",
    "omap",
    "pairs",
    "set",
    "binary",
    "timestamp",
    "merge",
    "value",
)
TRUST_HINT = (
    "a hyperparams.yaml can run any code when it is loaded; if you trust "
    "the folder's author, pass trust_remote_code=True "
    "(--trust-remote-code on the command line)"
)


class UntrustedCodeError(ValueError):
    """A yaml file names code outside the allow-list (the message names
    the file, each offending tag and its line).

    Example
    -------
    >>> raise UntrustedCodeError("m/hyperparams.yaml:3: !apply:os.system")
    Traceback (most recent call last):
    ...
    speechbrain_fica.inference.trust.UntrustedCodeError: m/hyperparams.yaml:3: !apply:os.system
    """


def _in_modules(module_name, prefixes):
    return any(
        module_name == prefix or module_name.startswith(prefix + ".")
        for prefix in prefixes
    )


def _resolve(dotted):
    """Imports the longest module prefix of ``dotted`` and walks the
    attributes after it (as ``pydoc.locate`` does). Raises ImportError or
    AttributeError when the name does not resolve."""
    parts = dotted.split(".")
    obj, n_module_parts = None, 0
    for n in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:n]))
        except ImportError:
            continue
        n_module_parts = n
        break
    if obj is None:
        raise ImportError(f"no module in {dotted!r}")
    for part in parts[n_module_parts:]:
        obj = getattr(obj, part)
    return obj


def target_problem(kind, dotted, training=False):
    """Why a tag's target is refused, or None when it is allowed.

    Arguments
    ---------
    kind : str
        The tag's prefix: ``"!new:"``, ``"!name:"``, ``"!apply:"``,
        ``"!applyref:"`` or ``"!module:"``.
    dotted : str
        The dotted name after it.
    training : bool
        Also allow what a recipe experiment's yaml names
        (:data:`TRAINING_NAMES`, :data:`TRAINING_MODULES`).

    Returns
    -------
    str or None
        The reason, or None.

    Example
    -------
    >>> print(target_problem("!new:", "speechbrain_fica.lobes.AASIST"))
    None
    >>> target_problem("!apply:", "os.system")
    'os is not an allowed package'
    >>> target_problem(
    ...     "!apply:", "speechbrain_fica.lobes.models.AASIST.torch.load"
    ... )
    'load is defined in torch.serialization, outside the allowed modules'
    >>> target_problem("!apply:", "speechbrain.utils.superpowers.run_shell")
    'run_shell is defined in speechbrain.utils.superpowers, outside the allowed modules'
    >>> target_problem(
    ...     "!apply:", "speechbrain.nnet.schedulers.NewBobScheduler.save"
    ... )
    'NewBobScheduler.save is a method; only classes and module-level functions are allowed'
    >>> target_problem(
    ...     "!new:", "speechbrain.utils.train_logger.FileTrainLogger"
    ... )
    'FileTrainLogger is defined in speechbrain.utils.train_logger, outside the allowed modules'
    >>> print(
    ...     target_problem(
    ...         "!new:", "speechbrain.utils.train_logger.FileTrainLogger", True
    ...     )
    ... )
    None
    """
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return f"{dotted!r} is not a dotted Python name"
    if any(part.startswith("__") for part in parts):
        return "names with __dunder__ parts are not allowed"
    if parts[0] not in ALLOWED_ROOTS:
        return f"{parts[0]} is not an allowed package"
    names = ALLOWED_NAMES + (TRAINING_NAMES if training else ())
    modules = ALLOWED_MODULES + (TRAINING_MODULES if training else ())
    if kind != "!module:" and dotted in names:
        return None
    try:
        obj = _resolve(dotted)
    except (ImportError, AttributeError) as error:
        return f"{dotted} cannot be imported ({error})"
    if kind == "!module:":
        if inspect.ismodule(obj) and _in_modules(obj.__name__, modules):
            return None
        return f"{dotted} is not an allowed module"
    is_class = inspect.isclass(obj)
    if kind == "!new:" and not is_class:
        return f"{dotted} is not a class"
    if not (is_class or inspect.isroutine(obj)):
        return f"{dotted} is not a class or a function"
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", dotted)
    if not is_class and "." in name:
        return (
            f"{name} is a method; only classes and module-level functions "
            "are allowed"
        )
    if f"{module}.{name}" in names:
        return None
    if not isinstance(module, str) or not _in_modules(module, modules):
        return f"{name} is defined in {module}, outside the allowed modules"
    return None


def _tag_text(node):
    tag = node.tag
    return str(getattr(tag, "value", tag))


def _walk(node, seen):
    """Yields every node of a composed yaml graph once (aliases too)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        value = current.value
        if isinstance(value, list):
            for item in reversed(value):
                if isinstance(item, tuple):
                    stack.extend(reversed(item))
                else:
                    stack.append(item)


def find_untrusted_tags(path, training=False, _visited=None):
    """Every tag of a yaml file (and the files it includes) that names
    code outside the allow-list, without running anything.

    Arguments
    ---------
    path : str
        The yaml file.
    training : bool
        The file is a recipe experiment's yaml (see
        :func:`target_problem`).

    Returns
    -------
    list of str
        ``"<file>:<line>: <tag>: <reason>"`` entries, in file order (empty
        when the file is allowed).

    Raises
    ------
    UntrustedCodeError
        The file is not valid YAML (nothing can be said about it).

    Example
    -------
    >>> path = getfixture("tmpdir").join("h.yaml")
    >>> _ = path.write("a: 1\\nb: !apply:os.system [echo]\\n")
    >>> find_untrusted_tags(path.strpath)
    ['.../h.yaml:2: !apply:os.system: os is not an allowed package']
    """
    path = os.path.realpath(path)
    visited = set() if _visited is None else _visited
    if path in visited:
        return []
    visited.add(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        root = YAML().compose(text)
    except YAMLError as error:
        raise UntrustedCodeError(
            f"{path}: not valid YAML, refused before loading ({error})"
        ) from error
    problems = []
    if root is None:
        return problems
    for node in _walk(root, set()):
        tag = _tag_text(node)
        shown = tag  # as written in the file
        if tag.startswith(_STANDARD_PREFIX):
            shown = "!!" + tag[len(_STANDARD_PREFIX) :]
        where = f"{path}:{node.start_mark.line + 1}: {shown}"
        if tag.startswith(_STANDARD_PREFIX):
            if tag[len(_STANDARD_PREFIX) :] not in _STANDARD_TAGS:
                problems.append(f"{where}: a Python-object tag")
        elif tag in DATA_TAGS:
            continue
        elif tag.startswith(INCLUDE_TAG):
            included = os.path.join(
                os.path.dirname(path), tag[len(INCLUDE_TAG) :]
            )
            if not os.path.isfile(included):
                problems.append(f"{where}: included file not found")
            else:
                problems.extend(
                    find_untrusted_tags(included, training, visited)
                )
        elif tag.startswith(CALL_TAGS):
            kind = tag[: tag.index(":") + 1]
            reason = target_problem(kind, tag[len(kind) :], training)
            if reason is not None:
                problems.append(f"{where}: {reason}")
        else:
            problems.append(f"{where}: unknown tag")
    return problems


def check_hyperparams(path, training=False):
    """Refuses a yaml file whose tags name code outside the allow-list.

    Arguments
    ---------
    path : str
        The yaml file, e.g. a model folder's ``hyperparams.yaml``.
    training : bool
        The file is a recipe experiment's yaml (see
        :func:`target_problem`).

    Raises
    ------
    UntrustedCodeError
        Listing each offending tag with its file and line, and how to
        load the file anyway.

    Example
    -------
    >>> from speechbrain_fica.inference import pretrained_path
    >>> check_hyperparams(pretrained_path("AASIST") + "/hyperparams.yaml")
    >>> path = getfixture("tmpdir").join("h.yaml")
    >>> _ = path.write("x: !!python/object/apply:os.system [echo]\\n")
    >>> check_hyperparams(path.strpath)
    Traceback (most recent call last):
    ...
    speechbrain_fica.inference.trust.UntrustedCodeError: refused .../h.yaml: ...
    """
    problems = find_untrusted_tags(path, training)
    if problems:
        raise UntrustedCodeError(
            f"refused {path}: it names code outside the allow-list of "
            "model folders (speechbrain_fica.inference.trust."
            "ALLOWED_MODULES: the plugin's and SpeechBrain's network "
            "modules, torch.nn):\n  "
            + "\n  ".join(problems)
            + f"\n{TRUST_HINT}"
        )
