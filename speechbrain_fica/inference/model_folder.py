"""Model folders: the files ``SpoofDetector.from_hparams`` loads offline.

A model folder holds:

* ``hyperparams.yaml``: the backbone (``model``, explicit constructor
  arguments), ``sample_rate``, ``segment_samples``, ``score_type``,
  ``decision_threshold``, ``modules``, a ``pretrainer`` that loads
  ``model.ckpt`` strictly, and informational provenance keys;
* ``model.ckpt``: the backbone's ``state_dict`` only (no momentum encoder,
  memory bank or optimiser state);
* ``README.md``: what the model is, score direction, threshold, licence.

The yaml is written with ruamel.yaml (round-trip nodes carry the
``!new:`` / ``!ref`` / ``!name:`` tags and the comments) and read back
with hyperpyyaml before the folder is declared written.

Authors
 * speechbrain-fica contributors 2026
"""

import inspect
import io
import os
from importlib import resources

import torch
from hyperpyyaml import load_hyperpyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.tag import Tag

from speechbrain_fica.utils.checkpoints import load_backbone_weights
from speechbrain_fica.utils.hparams import yaml_object_path

FOLDER_FILES = ("hyperparams.yaml", "model.ckpt", "README.md")
_RULE_WIDTH = 76


def read_template(name):
    """The text of a README template shipped with the package.

    Arguments
    ---------
    name : str
        File name under ``speechbrain_fica/inference/templates``.

    Returns
    -------
    str
        The template (``str.format`` fields in braces).

    Example
    -------
    >>> read_template("usage.md.in").splitlines()[0]
    '## Use'
    """
    folder = resources.files("speechbrain_fica.inference") / "templates"
    return (folder / name).read_text(encoding="utf-8")


def _represent_float(representer, value):
    """Floats with a dot in the mantissa: hyperpyyaml (YAML 1.1) reads
    ``1e-05`` as a string but ``1.0e-05`` as a float."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot store a non-finite float {value}")
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def yaml_writer():
    """The ruamel.yaml writer of model folders (4-space mappings, lists in
    flow style, floats that hyperpyyaml reads back as floats).

    Returns
    -------
    ruamel.yaml.YAML
        The writer.
    """
    writer = YAML()
    writer.indent(mapping=4, sequence=4, offset=2)
    writer.width = 4096
    writer.representer.add_representer(float, _represent_float)
    writer.representer.add_representer(type(None), _represent_none)
    return writer


def _represent_none(representer, value):
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _flow(value):
    """Lists and tuples as flow-style sequences (``[a, b]``)."""
    if isinstance(value, (list, tuple)):
        sequence = CommentedSeq([_flow(item) for item in value])
        sequence.fa.set_flow_style()
        return sequence
    return value


def constructor_node(cls, kwargs):
    """The ``!new:`` node that builds ``cls(**kwargs)``.

    Arguments
    ---------
    cls : type
        An importable class; it is named as
        :func:`speechbrain_fica.utils.hparams.yaml_object_path` says.
    kwargs : dict
        Constructor arguments (scalars or lists).

    Returns
    -------
    ruamel.yaml.comments.CommentedMap
        The tagged mapping.

    Example
    -------
    >>> from speechbrain_fica.lobes import AASIST
    >>> node = constructor_node(AASIST, {"gat_dims": [24, 32]})
    >>> print(dump_yaml({"model": node}), end="")
    model: !new:speechbrain_fica.lobes.AASIST
        gat_dims: [24, 32]
    """
    node = CommentedMap((name, _flow(value)) for name, value in kwargs.items())
    node.yaml_set_ctag(Tag(suffix=f"!new:{yaml_object_path(cls)}"))
    return node


def constructor_arguments(cls, overrides):
    """All constructor arguments of ``cls``: defaults, then overrides.

    Arguments
    ---------
    cls : type
        The class.
    overrides : dict
        Arguments that replace the defaults.

    Returns
    -------
    dict
        Every argument with a default or an override, in signature order.

    Example
    -------
    >>> from speechbrain_fica.lobes import AASIST
    >>> constructor_arguments(AASIST, {"gat_dims": [24, 32]})["gat_dims"]
    [24, 32]
    """
    arguments = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        ):
            continue
        if parameter.default is not parameter.empty:
            arguments[name] = parameter.default
    arguments.update(overrides)
    return arguments


def dump_yaml(document):
    """Serialises a document with :func:`yaml_writer`.

    Arguments
    ---------
    document : dict or ruamel.yaml.comments.CommentedMap
        The document.

    Returns
    -------
    str
        The yaml text.
    """
    stream = io.StringIO()
    yaml_writer().dump(document, stream)
    return stream.getvalue()


def _comment(document, key, comment):
    """An end-of-line comment two spaces after the value."""
    line = dump_yaml({key: document[key]}).rstrip("\n")
    document.yaml_add_eol_comment(comment, key, column=len(line) + 2)


def _section(document, key, title):
    rule = "-" * (_RULE_WIDTH - len(title) - 2)
    document.yaml_set_comment_before_after_key(
        key, before=f"\n{title} {rule}", indent=0
    )


def hyperparams_document(title, interface, provenance, model_node):
    """The ``hyperparams.yaml`` of a model folder, with its comments.

    Arguments
    ---------
    title : list of str
        Header lines (what the model is).
    interface : dict
        ``sample_rate``, ``segment_samples``, ``score_type`` and
        ``decision_threshold`` (None: argmax of the logits).
    provenance : dict
        ``{key: (value, comment)}``, informational keys.
    model_node : ruamel.yaml.comments.CommentedMap
        The ``!new:`` node of the backbone (see :func:`constructor_node`).

    Returns
    -------
    ruamel.yaml.comments.CommentedMap
        The document.
    """
    document = CommentedMap()
    threshold = interface["decision_threshold"]
    document["sample_rate"] = interface["sample_rate"]
    document["segment_samples"] = interface["segment_samples"]
    document["score_type"] = interface["score_type"]
    document["decision_threshold"] = threshold
    _comment(document, "segment_samples", "first samples, tiled when shorter")
    _comment(document, "score_type", "higher = more bona fide")
    _comment(
        document,
        "decision_threshold",
        "bona fide iff score >= threshold"
        if threshold is not None
        else "null: argmax of the logits",
    )
    for key, (value, comment) in provenance.items():
        document[key] = value
        if comment:
            _comment(document, key, comment)
    document["model"] = model_node
    document["modules"] = CommentedMap(
        model=TaggedScalar("<model>", tag="!ref")
    )
    hook = "!name:" + yaml_object_path(load_backbone_weights)
    pretrainer = CommentedMap(
        loadables=CommentedMap(model=TaggedScalar("<model>", tag="!ref")),
        custom_hooks=CommentedMap(model=TaggedScalar("", tag=hook)),
    )
    pretrainer.yaml_set_ctag(
        Tag(suffix="!new:speechbrain.utils.parameter_transfer.Pretrainer")
    )
    document["pretrainer"] = pretrainer
    banner = "# " + "#" * _RULE_WIDTH
    document.yaml_set_start_comment(
        "\n".join(
            [
                banner,
                *title,
                "Use: SpoofDetector.from_hparams(source=<this folder>)",
                "     (speechbrain_fica.inference; see README.md)",
                "Authors",
                " * speechbrain-fica contributors 2026",
                banner,
            ]
        )
    )
    _section(document, "sample_rate", "Input and scores")
    _section(document, next(iter(provenance)), "Provenance (informational)")
    _section(document, "model", "Model")
    document.yaml_set_comment_before_after_key(
        "pretrainer", before="\nStrict, weights-only loading of model.ckpt"
    )
    return document


def prepare_output(output, overwrite, extra_files=()):
    """Creates the folder, refusing to replace files unless asked.

    Arguments
    ---------
    output : str
        The model folder.
    overwrite : bool
        Replace existing model-folder files.
    extra_files : sequence of str
        Other file names the export writes (e.g. a licence).

    Raises
    ------
    FileExistsError
        The folder already holds one of the files and ``overwrite`` is
        False.
    """
    os.makedirs(output, exist_ok=True)
    existing = [
        name
        for name in (*FOLDER_FILES, *extra_files)
        if os.path.lexists(os.path.join(output, name))
    ]
    if existing and not overwrite:
        raise FileExistsError(
            f"{output} already holds {existing}; pass overwrite=True "
            "(--overwrite) to replace them"
        )


def write_model_folder(output, hyperparams, readme, model_checkpoint):
    """Writes the yaml and README, then the backbone state_dict read from
    ``model_checkpoint`` by the yaml's own ``model`` (strictly).

    Arguments
    ---------
    output : str
        The model folder (see :func:`prepare_output`).
    hyperparams : ruamel.yaml.comments.CommentedMap
        See :func:`hyperparams_document`.
    readme : str
        The README text.
    model_checkpoint : str
        A file holding the backbone's weights (a recipe checkpoint's
        ``model.ckpt`` or an official ``.pth``).
    """
    yaml_path = os.path.join(output, "hyperparams.yaml")
    with open(yaml_path, "w", encoding="utf-8") as f:
        f.write(dump_yaml(hyperparams))
    with open(os.path.join(output, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme)
    with open(yaml_path, encoding="utf-8") as f:
        model = load_hyperpyyaml(f)["model"]
    load_backbone_weights(model, model_checkpoint)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    torch.save(state, os.path.join(output, "model.ckpt"))
