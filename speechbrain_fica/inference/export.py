"""Writes model folders that ``SpoofDetector.from_hparams`` loads offline.

A model folder holds:

* ``hyperparams.yaml``: the backbone (``model``, explicit constructor
  arguments), ``sample_rate``, ``segment_samples``, ``score_type``,
  ``decision_threshold``, ``modules``, a ``pretrainer`` that loads
  ``model.ckpt`` strictly, and informational provenance keys;
* ``model.ckpt``: the backbone's ``state_dict`` only (no momentum encoder,
  memory bank or optimiser state);
* ``README.md``: what the model is, score direction, threshold, licence;
* ``LICENSE.aasist`` for the official AASIST checkpoints (MIT, NAVER Corp.).

Two sources::

    # an official AASIST / AASIST-L checkpoint of clovaai/aasist
    python -m speechbrain_fica.inference.export --official AASIST \\
        --weights AASIST.pth --output speechbrain_fica/pretrained/AASIST

    # a trained recipe experiment: the checkpoint with the lowest dev EER,
    # with its dev EER threshold as the decision threshold
    python -m speechbrain_fica.inference.export \\
        --experiment results/aasist_fica/1 --output my_model

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import hashlib
import inspect
import io
import logging
import math
import os
import re
import shutil
import sys

import torch
from hyperpyyaml import load_hyperpyyaml
from ruamel.yaml import YAML

from speechbrain_fica.inference.spoof_detector import (
    SpoofDetector,
    quiet_speechbrain_loggers,
)
from speechbrain_fica.lobes import AASIST
from speechbrain_fica.metrics.cm_scores import SCORE_TYPES
from speechbrain_fica.utils.checkpoints import (
    Checkpointer,
    load_backbone_weights,
)
from speechbrain_fica.utils.hparams import yaml_object_path
from speechbrain_fica.utils.strict_json import finite_or_none

logger = logging.getLogger(__name__)

FOLDER_FILES = ("hyperparams.yaml", "model.ckpt", "README.md")
AASIST_LICENSE = "LICENSE.aasist"
AASIST_REPO = "clovaai/aasist"
AASIST_COMMIT = "a04c9863f63d44471dde8a6abcb3b082b07cd1d1"
# Released checkpoints: md5 and the results of the clovaai/aasist README
# (ASVspoof 2019 LA eval).
OFFICIAL = {
    "AASIST": {
        "md5": "40ebc8a542c4effce39770c22396ff84",
        "eval_EER": 0.83,
        "eval_min_tDCF": 0.0275,
        "parameters": "297,866",
    },
    "AASIST-L": {
        "md5": "a2f6cecccdcfb78a3eb0273cf9face2c",
        "eval_EER": 0.99,
        "eval_min_tDCF": 0.0309,
        "parameters": "85,306",
    },
}
OFFICIAL_SEGMENT_SAMPLES = 64600
OFFICIAL_SCORE_TYPE = "bonafide_logit"

_PLAIN_STRING = re.compile(r"[A-Za-z_][\w.+/-]*")
_YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}
_RULE = "-" * 76


def yaml_value(value):
    """Formats a Python value as a YAML flow scalar or list.

    Arguments
    ---------
    value : None, bool, int, float, str, list or tuple
        The value.

    Returns
    -------
    str
        YAML text that hyperpyyaml reads back as ``value``.

    Example
    -------
    >>> [yaml_value(v) for v in (None, True, 3, 1e-05, "a b", [0.5, 2])]
    ['null', 'True', '3', '1.0e-05', '"a b"', '[0.5, 2]']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store a non-finite float {value}")
        text = repr(value)
        if "e" in text and "." not in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, str):
        if _PLAIN_STRING.fullmatch(value) and value.lower() not in _YAML_WORDS:
            return value
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to yaml")


def constructor_yaml(cls, kwargs, key="model"):
    """The ``!new:`` yaml node building ``cls(**kwargs)``.

    Arguments
    ---------
    cls : type
        An importable class; it is named as
        :func:`speechbrain_fica.utils.hparams.yaml_object_path` says.
    kwargs : dict
        Constructor arguments (scalars or lists).
    key : str
        The yaml key.

    Returns
    -------
    str
        The yaml text (4-space indentation).

    Example
    -------
    >>> print(constructor_yaml(AASIST, {"gat_dims": [24, 32]}), end="")
    model: !new:speechbrain_fica.lobes.AASIST
        gat_dims: [24, 32]
    """
    lines = [f"{key}: !new:{yaml_object_path(cls)}"]
    lines += [f"    {name}: {yaml_value(v)}" for name, v in kwargs.items()]
    return "\n".join(lines) + "\n"


def _constructor_arguments(cls, overrides):
    """All constructor arguments of ``cls``: defaults, then overrides."""
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


def _md5(path):
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hyperparams_text(title, interface, provenance, model_yaml):
    """The full hyperparams.yaml of a model folder."""
    threshold = interface["decision_threshold"]
    rule = (
        "bona fide iff score >= threshold"
        if threshold is not None
        else "null: argmax of the logits"
    )
    lines = [
        "# " + "#" * 76,
        *[f"# {line}" for line in title],
        "# Use: SpoofDetector.from_hparams(source=<this folder>)",
        "#      (speechbrain_fica.inference; see README.md)",
        "# Authors",
        "#  * speechbrain-fica contributors 2026",
        "# " + "#" * 76,
        "",
        "# Input and scores " + _RULE[18:],
        f"sample_rate: {yaml_value(interface['sample_rate'])}",
        f"segment_samples: {yaml_value(interface['segment_samples'])}"
        "  # first samples, tiled when shorter",
        f"score_type: {yaml_value(interface['score_type'])}"
        "  # higher = more bona fide",
        f"decision_threshold: {yaml_value(threshold)}  # {rule}",
        "",
        "# Provenance (informational) " + _RULE[28:],
    ]
    for key, (value, comment) in provenance.items():
        line = f"{key}: {yaml_value(value)}"
        lines.append(f"{line}  # {comment}" if comment else line)
    lines += [
        "",
        "# Model " + _RULE[8:],
        model_yaml.rstrip("\n"),
        "",
        "modules:",
        "    model: !ref <model>",
        "",
        "# Strict, weights-only loading of model.ckpt",
        "pretrainer: !new:speechbrain.utils.parameter_transfer.Pretrainer",
        "    loadables:",
        "        model: !ref <model>",
        "    custom_hooks:",
        "        model: !name:speechbrain_fica.utils.checkpoints."
        "load_backbone_weights",
    ]
    return "\n".join(lines) + "\n"


def _prepare_output(output, overwrite, extra_files=()):
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


def _write_folder(output, hyperparams, readme, model_checkpoint):
    """Writes the yaml and README, then the backbone state_dict read from
    ``model_checkpoint`` by the yaml's own ``model`` (strictly)."""
    with open(os.path.join(output, "hyperparams.yaml"), "w") as f:
        f.write(hyperparams)
    with open(os.path.join(output, "README.md"), "w") as f:
        f.write(readme)
    with open(os.path.join(output, "hyperparams.yaml")) as f:
        model = load_hyperpyyaml(f)["model"]
    load_backbone_weights(model, model_checkpoint)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    torch.save(state, os.path.join(output, "model.ckpt"))
    _verify(output)


def _verify(output):
    """Loads the folder as a user would (strict loading of the weights)."""
    SpoofDetector.from_hparams(source=output, run_opts={"device": "cpu"})


def export_official(name, weights, output, license_file=None, overwrite=False):
    """Converts an official AASIST / AASIST-L checkpoint to a model folder.

    The folder scores like the official evaluation: the first 64,600
    samples (tiled when shorter), score = bona fide logit. It stores no
    decision threshold (decisions are the argmax of the logits).

    Arguments
    ---------
    name : str
        ``"AASIST"`` or ``"AASIST-L"``.
    weights : str
        The released ``.pth`` file (a plain ``state_dict``).
    output : str
        The folder to write.
    license_file : str, optional
        The MIT licence text of clovaai/aasist, copied as
        ``LICENSE.aasist``; default: ``LICENSE.aasist`` beside ``weights``.
    overwrite : bool
        Replace the files of an existing folder.

    Returns
    -------
    str
        ``output``.

    Example
    -------
    >>> import speechbrain_fica.inference as inference
    >>> folder = inference.pretrained_path("AASIST-L")
    >>> out = getfixture("tmpdir").join("aasist_l").strpath
    >>> _ = export_official(
    ...     "AASIST-L",
    ...     os.path.join(folder, "model.ckpt"),
    ...     out,
    ...     license_file=os.path.join(folder, AASIST_LICENSE),
    ... )
    >>> sorted(os.listdir(out))
    ['LICENSE.aasist', 'README.md', 'hyperparams.yaml', 'model.ckpt']
    """
    if name not in OFFICIAL:
        raise ValueError(f"unknown model {name!r}; choose one of {OFFICIAL}")
    if not os.path.isfile(weights):
        raise FileNotFoundError(f"weights not found: {weights}")
    if license_file is None:
        license_file = os.path.join(os.path.dirname(weights), AASIST_LICENSE)
    if not os.path.isfile(license_file):
        raise FileNotFoundError(
            f"licence file not found: {license_file} (the MIT licence of "
            f"{AASIST_REPO} must ship with its weights; pass license_file)"
        )
    info = OFFICIAL[name]
    md5 = _md5(weights)
    released = md5 == info["md5"]
    if released:
        source = (
            f"{AASIST_REPO} models/weights/{name}.pth "
            f"(commit {AASIST_COMMIT[:12]})"
        )
    else:
        logger.warning(
            "%s (md5 %s) is not the released %s.pth (md5 %s)",
            weights,
            md5,
            name,
            info["md5"],
        )
        source = f"{os.path.basename(weights)} ({name} architecture)"
    _prepare_output(output, overwrite, (AASIST_LICENSE,))
    arguments = _constructor_arguments(AASIST, AASIST.CONFIGS[name])
    interface = {
        "sample_rate": arguments["sample_rate"],
        "segment_samples": OFFICIAL_SEGMENT_SAMPLES,
        "score_type": OFFICIAL_SCORE_TYPE,
        "decision_threshold": None,
    }
    provenance = {
        "model_name": (name, ""),
        "source": (source, ""),
        "source_md5": (md5, "of the converted .pth file"),
        "licence": ("MIT, Copyright (c) 2021-present NAVER Corp.", ""),
        "dev_EER": (None, "no development scores: no threshold"),
        "published_eval_EER": (
            info["eval_EER"] if released else None,
            "%, ASVspoof 2019 LA eval, clovaai/aasist README",
        ),
        "published_eval_min_tDCF": (
            info["eval_min_tDCF"] if released else None,
            "",
        ),
    }
    title = [
        f"Model: {name}, official checkpoint of {AASIST_REPO} (Jung et al.,",
        "       ICASSP 2022), converted; weights under the MIT licence,",
        "       Copyright (c) 2021-present NAVER Corp. (LICENSE.aasist)",
    ]
    hyperparams = _hyperparams_text(
        title, interface, provenance, constructor_yaml(AASIST, arguments)
    )
    shutil.copyfile(license_file, os.path.join(output, AASIST_LICENSE))
    readme = _official_readme(name, info, source, md5, released, interface)
    _write_folder(output, hyperparams, readme, weights)
    return output


def select_checkpoint(save_folder):
    """The checkpoint a recipe evaluates: the lowest dev ``EER``.

    Uses SpeechBrain's own choice (``find_checkpoint(min_key="EER")``, as
    ``Brain.evaluate(min_key="EER")`` in the recipes).

    Arguments
    ---------
    save_folder : str
        The experiment's ``save`` folder (``CKPT+...`` sub-folders).

    Returns
    -------
    speechbrain.utils.checkpoints.Checkpoint
        ``path``, ``meta`` (``EER``, ``EER_threshold``, ...) and
        ``paramfiles``.

    Raises
    ------
    FileNotFoundError
        No folder, or no checkpoint with an ``EER``.
    """
    if not os.path.isdir(save_folder):
        raise FileNotFoundError(f"checkpoint folder not found: {save_folder}")
    checkpoint = Checkpointer(save_folder).find_checkpoint(min_key="EER")
    if checkpoint is None:
        raise FileNotFoundError(
            f"no checkpoint with a dev EER in {save_folder}"
        )
    return checkpoint


def _read_experiment_yaml(path):
    """The experiment's resolved yaml as a ruamel round-trip tree."""
    with open(path) as f:
        text = f.read()
    origin = re.search(r"^# Generated .* from:\n# (.+)$", text, flags=re.M)
    tree = YAML().load(text)
    return tree, os.path.basename(origin.group(1)) if origin else None


def _model_node_yaml(node):
    """Re-serialises the experiment's ``model`` node on its own."""
    writer = YAML()
    writer.indent(mapping=4, sequence=4, offset=2)
    writer.width = 4096
    stream = io.StringIO()
    writer.dump({"model": node}, stream)
    lines = stream.getvalue().rstrip().split("\n")
    # Trailing comments of the yaml's next section can stick to the node.
    while lines and (not lines[-1].strip() or lines[-1].lstrip()[0] == "#"):
        lines.pop()
    text = "\n".join(lines) + "\n"
    for tag in ("!ref", "!copy", "!PLACEHOLDER"):
        if tag in text:
            raise ValueError(f"the model node still holds {tag}: {text}")
    return text


def _epoch(checkpoint):
    try:
        with open(os.path.join(checkpoint.path, "counter.ckpt")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def export_experiment(experiment, output, overwrite=False):
    """Exports a trained recipe experiment to a model folder.

    Picks the checkpoint with the lowest dev EER in
    ``<experiment>/save`` (the one the recipe evaluated), stores its dev
    EER threshold as ``decision_threshold`` and the backbone's weights
    only. The model definition is the ``model`` node of the experiment's
    ``hyperparams.yaml`` (with every reference resolved), and
    ``sample_rate``, ``segment_samples`` and ``score_type`` are the
    experiment's, so the folder scores files as the recipe's evaluation.

    Arguments
    ---------
    experiment : str
        The recipe's ``output_folder`` (``hyperparams.yaml``, ``save/``).
    output : str
        The folder to write.
    overwrite : bool
        Replace the files of an existing folder (else FileExistsError).

    Returns
    -------
    str
        ``output``, ready for ``SpoofDetector.from_hparams``.

    Raises
    ------
    FileNotFoundError
        No experiment, yaml or checkpoint.
    ValueError
        The yaml lacks ``model`` or has an unknown ``score_type``.
    """
    yaml_path = os.path.join(experiment, "hyperparams.yaml")
    if not os.path.isfile(yaml_path):
        raise FileNotFoundError(
            f"not a recipe experiment (no hyperparams.yaml): {experiment}"
        )
    tree, origin = _read_experiment_yaml(yaml_path)
    if "model" not in tree:
        raise ValueError(f"{yaml_path} defines no 'model'")
    score_type = str(tree.get("score_type", "bonafide_logit"))
    if score_type not in SCORE_TYPES:
        raise ValueError(f"{yaml_path}: unknown score_type {score_type!r}")
    checkpoint = select_checkpoint(os.path.join(experiment, "save"))
    weights = checkpoint.paramfiles.get(
        "model", os.path.join(checkpoint.path, "model.ckpt")
    )
    eer = finite_or_none(checkpoint.meta.get("EER"))
    threshold = finite_or_none(checkpoint.meta.get("EER_threshold"))
    if threshold is None:
        logger.warning(
            "%s has no finite EER_threshold: decisions will be the argmax "
            "of the logits",
            checkpoint.path,
        )
    _prepare_output(output, overwrite)
    name = os.path.splitext(origin)[0] if origin else "experiment"
    interface = {
        "sample_rate": int(tree.get("sample_rate", 16000)),
        "segment_samples": int(tree["segment_samples"]),
        "score_type": score_type,
        "decision_threshold": threshold,
    }
    ckpt_name = os.path.basename(os.path.normpath(checkpoint.path))
    provenance = {
        "model_name": (name, ""),
        "source": ("speechbrain-fica recipe experiment", ""),
        "recipe_hparams": (origin, ""),
        "checkpoint": (ckpt_name, "lowest dev EER"),
        "epoch": (_epoch(checkpoint), ""),
        "dev_EER": (eer, "%, of this checkpoint"),
    }
    title = [
        f"Model: {name}, exported from a speechbrain-fica recipe experiment",
        f"       (checkpoint {ckpt_name}, lowest dev EER)",
    ]
    hyperparams = _hyperparams_text(
        title, interface, provenance, _model_node_yaml(tree["model"])
    )
    readme = _experiment_readme(name, origin, ckpt_name, eer, interface)
    _write_folder(output, hyperparams, readme, weights)
    return output


_USAGE = """## Use

```python
from speechbrain_fica.inference import {imports}

detector = SpoofDetector.from_hparams(source={source})
detector.score_file("utterance.flac")  # float, higher = more bona fide
detector.classify_file("utterance.flac")  # score, decision, threshold
```

or from the command line:

```
python -m speechbrain_fica.score audio_folder/ --model {model} \\
    --output scores.csv
```

Loading is offline: `source` must be an existing folder (never a hub id).
"""

_INPUT = """## Input and scores

- Mono audio at {rate} Hz (files at other rates or with several channels
  are rejected, not resampled).
- The model reads the first {segment:,} samples ({seconds:.2f} s) of each
  file, tile-repeated when the file is shorter, as the recipes' evaluation
  (and the official AASIST evaluation) do.
- Score: `{score_type}` of the two logits (class 1 = bona fide; see
  `speechbrain_fica.metrics.cm_scores.cm_scores`). **Higher scores mean more
  bona fide.** Scores are not calibrated probabilities.{note}
"""

_OFFICIAL_README = """# {name}: official checkpoint, converted for speechbrain-fica

{name} ({parameters} parameters; Jung et al., "AASIST: Audio Anti-Spoofing
using Integrated Spectro-Temporal Graph Attention Networks", ICASSP 2022)
detects spoofed (synthesised or converted) speech. The weights are the
released checkpoint {source}
(md5 `{md5}`), trained by its authors on ASVspoof 2019 LA train.
The conversion changes no value: `model.ckpt` holds exactly the official
tensors under the same names, for
`speechbrain_fica.lobes.AASIST` (`AASIST.from_name("{name}")`).

{results}

{usage}
{input}
## Decision threshold

`decision_threshold` is `null`: no development scores were available to
calibrate one, so `classify_file` / `classify_batch` (and the `decision`
column of the command line) decide by the argmax of the logits: bona fide
iff `logit[1] >= logit[0]`. To decide at a threshold calibrated on your own
development data (e.g. its EER threshold), pass `threshold=...`,
`overrides={{"decision_threshold": ...}}` or `--threshold`. EER and min t-DCF
need no threshold: use the scores.

## Licence

The weights are released by NAVER Corp. under the MIT licence
(`{license}`, Copyright (c) 2021-present NAVER Corp.), which must
accompany them. The rest of speechbrain-fica is under the Apache License 2.0.

## Regenerate

```
python -m speechbrain_fica.inference.export --official {name} \\
    --weights {name}.pth --output speechbrain_fica/pretrained/{name} \\
    --overwrite
```
"""

_EXPERIMENT_README = """# {name}: spoofing countermeasure exported from a recipe

Trained by a speechbrain-fica recipe with the hyperparameters `{origin}`;
checkpoint `{checkpoint}`, selected by the lowest dev EER ({eer}).
`model.ckpt` holds the backbone's weights only (training-only modules such
as the FICA momentum encoder and memory bank are left out).

{usage}
{input}
## Decision threshold

{decision}

## Licence

The weights were trained by the user of the recipe; their terms follow
those of the training data (ASVspoof 2019: Open Data Commons Attribution
License 1.0).
"""


def _input_section(interface, note=""):
    return _INPUT.format(
        rate=interface["sample_rate"],
        segment=interface["segment_samples"],
        seconds=interface["segment_samples"] / interface["sample_rate"],
        score_type=interface["score_type"],
        note=note,
    )


def _official_readme(name, info, source, md5, released, interface):
    """README of a converted official checkpoint."""
    if released:
        results = (
            f"Published results ({AASIST_REPO} README, ASVspoof 2019 LA "
            f"eval):\nEER {info['eval_EER']} %, min t-DCF "
            f"{info['eval_min_tDCF']}."
        )
    else:
        results = "These are not the released weights: no published results."
    usage = _USAGE.format(
        imports="SpoofDetector, pretrained_path",
        source=f'pretrained_path("{name}")',
        model=name,
    )
    note = (
        "\n- `bonafide_logit` is `logits[:, 1]`, the score of the "
        f"{AASIST_REPO}\n  evaluation."
    )
    if released:
        source = (
            f"`models/weights/{name}.pth` of\n{AASIST_REPO} at commit "
            f"{AASIST_COMMIT[:12]}"
        )
    return _OFFICIAL_README.format(
        name=name,
        parameters=info["parameters"],
        source=source,
        md5=md5,
        results=results,
        usage=usage,
        input=_input_section(interface, note),
        license=AASIST_LICENSE,
    )


def _experiment_readme(name, origin, checkpoint, eer, interface):
    """README of an exported recipe experiment."""
    threshold = interface["decision_threshold"]
    if threshold is None:
        decision = (
            "`decision_threshold` is `null` (the checkpoint stored no "
            "finite dev EER\nthreshold): decisions are the argmax of the "
            "logits (bona fide iff\n`logit[1] >= logit[0]`)."
        )
    else:
        decision = (
            f"`decision_threshold` ({threshold!r}) is the dev-set EER "
            "threshold of the\nselected checkpoint: a score `>=` it is "
            "bona fide. At this threshold the dev\nset's miss and false "
            "alarm rates are equal; on other data they differ:\n"
            "recalibrate on matching development data if needed "
            "(`threshold=...`)."
        )
    usage = _USAGE.format(
        imports="SpoofDetector",
        source='"path/to/this/folder"',
        model="path/to/this/folder",
    )
    return _EXPERIMENT_README.format(
        name=name,
        origin=origin,
        checkpoint=checkpoint,
        eer="unknown" if eer is None else f"{eer} %",
        usage=usage,
        input=_input_section(interface),
        decision=decision,
    )


def main(argv=None):
    """Command line: ``python -m speechbrain_fica.inference.export``.

    Arguments
    ---------
    argv : list of str, optional
        ``--official NAME --weights FILE`` or ``--experiment FOLDER``,
        and ``--output FOLDER`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status, 0 (failures raise).
    """
    parser = argparse.ArgumentParser(
        prog="python -m speechbrain_fica.inference.export",
        description=(
            "Write a model folder for SpoofDetector.from_hparams from an "
            "official AASIST checkpoint or a trained recipe experiment."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--official",
        choices=sorted(OFFICIAL),
        help="convert an official clovaai/aasist checkpoint (see --weights)",
    )
    source.add_argument(
        "--experiment",
        help="a recipe output_folder: exports its lowest-dev-EER checkpoint",
    )
    parser.add_argument("--weights", help="the official .pth file")
    parser.add_argument(
        "--license",
        dest="license_file",
        help="LICENSE.aasist (default: beside --weights)",
    )
    parser.add_argument("--output", required=True, help="folder to write")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the files of an existing folder",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    quiet_speechbrain_loggers()
    if args.official:
        if not args.weights:
            parser.error("--official needs --weights")
        export_official(
            args.official,
            args.weights,
            args.output,
            license_file=args.license_file,
            overwrite=args.overwrite,
        )
    else:
        export_experiment(args.experiment, args.output, args.overwrite)
    print(f"model folder written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
