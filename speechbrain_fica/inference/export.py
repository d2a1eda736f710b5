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

The experiment's ``hyperparams.yaml`` is checked like a model folder's
(:mod:`speechbrain_fica.inference.trust`) before any of it is built:
an experiment from someone else whose yaml names code outside the
allow-list needs ``--trust-remote-code``.

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import hashlib
import logging
import os
import re
import shutil
import sys

from ruamel.yaml import YAML

from speechbrain_fica.inference.model_folder import (
    constructor_arguments,
    constructor_node,
    dump_yaml,
    hyperparams_document,
    prepare_output,
    read_template,
    write_model_folder,
)
from speechbrain_fica.inference.spoof_detector import SpoofDetector
from speechbrain_fica.inference.trust import (
    UntrustedCodeError,
    check_hyperparams,
)
from speechbrain_fica.lobes import AASIST
from speechbrain_fica.metrics.cm_scores import SCORE_TYPES
from speechbrain_fica.utils.checkpoints import Checkpointer, CheckpointError
from speechbrain_fica.utils.log_levels import quiet_speechbrain_loggers
from speechbrain_fica.utils.strict_json import finite_or_none

logger = logging.getLogger(__name__)

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


def _md5(path):
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_and_verify(
    output, hyperparams, readme, weights, trust_remote_code=False
):
    """Writes the folder, then loads it as a user would (strict loading
    of the weights)."""
    write_model_folder(output, hyperparams, readme, weights)
    SpoofDetector.from_hparams(
        source=output,
        run_opts={"device": "cpu"},
        trust_remote_code=trust_remote_code,
    )


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
    prepare_output(output, overwrite, (AASIST_LICENSE,))
    arguments = constructor_arguments(AASIST, AASIST.CONFIGS[name])
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
    hyperparams = hyperparams_document(
        title, interface, provenance, constructor_node(AASIST, arguments)
    )
    shutil.copyfile(license_file, os.path.join(output, AASIST_LICENSE))
    readme = _official_readme(name, info, source, md5, released, interface)
    _write_and_verify(output, hyperparams, readme, weights)
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


def _model_node(node):
    """The experiment's ``model`` node, checked to be self-contained."""
    text = dump_yaml({"model": node})
    for tag in ("!ref", "!copy", "!PLACEHOLDER"):
        if tag in text:
            raise ValueError(f"the model node still holds {tag}: {text}")
    # Trailing comments of the yaml's next section can stick to the node.
    node.ca.items.clear()
    node.ca.comment = None
    return node


def _epoch(checkpoint):
    try:
        with open(os.path.join(checkpoint.path, "counter.ckpt")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def export_experiment(
    experiment, output, overwrite=False, trust_remote_code=False
):
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
    trust_remote_code : bool
        Export an experiment whose yaml names code outside the allow-list
        of :mod:`speechbrain_fica.inference.trust` (it runs when the
        folder is verified, and whenever the folder is loaded).

    Returns
    -------
    str
        ``output``, ready for ``SpoofDetector.from_hparams``.

    Raises
    ------
    FileNotFoundError
        No experiment, yaml or checkpoint.
    ValueError
        The yaml lacks ``model`` or has an unknown ``score_type``, or
        ``output`` is the experiment folder (or under its ``save/``).
    FileExistsError
        ``output`` holds a model folder and ``overwrite`` is False.
    speechbrain_fica.inference.trust.UntrustedCodeError
        The yaml names code outside the allow-list, and
        ``trust_remote_code`` is False.
    """
    yaml_path = os.path.join(experiment, "hyperparams.yaml")
    if not os.path.isfile(yaml_path):
        raise FileNotFoundError(
            f"not a recipe experiment (no hyperparams.yaml): {experiment}"
        )
    real_output = os.path.realpath(output)
    real_experiment = os.path.realpath(experiment)
    save = os.path.join(real_experiment, "save")
    if real_output == real_experiment or (
        os.path.commonpath([real_output, save]) == save
    ):
        raise ValueError(
            f"--output {output} is the experiment folder or its save/ "
            "folder; the export would replace the experiment's "
            "hyperparams.yaml or checkpoints (choose another folder, e.g. "
            f"{os.path.join(experiment, 'model')})"
        )
    if not trust_remote_code:
        check_hyperparams(yaml_path, training=True)
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
    prepare_output(output, overwrite)
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
    hyperparams = hyperparams_document(
        title, interface, provenance, _model_node(tree["model"])
    )
    readme = _experiment_readme(name, origin, ckpt_name, eer, interface)
    _write_and_verify(output, hyperparams, readme, weights, trust_remote_code)
    return output


def _input_section(interface, note=""):
    return read_template("input.md.in").format(
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
    usage = read_template("usage.md.in").format(
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
    return read_template("official_README.md.in").format(
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
    usage = read_template("usage.md.in").format(
        imports="SpoofDetector",
        source='"path/to/this/folder"',
        model="path/to/this/folder",
    )
    return read_template("experiment_README.md.in").format(
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
    parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        help=(
            "export an experiment whose hyperparams.yaml names code "
            "outside the allow-list of model folders (that code runs): "
            "only for experiments from an author you trust"
        ),
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    quiet_speechbrain_loggers()
    if args.official and not args.weights:
        parser.error("--official needs --weights")
    try:
        if args.official:
            export_official(
                args.official,
                args.weights,
                args.output,
                license_file=args.license_file,
                overwrite=args.overwrite,
            )
        else:
            export_experiment(
                args.experiment,
                args.output,
                args.overwrite,
                trust_remote_code=args.trust_remote_code,
            )
    except (
        UntrustedCodeError,
        CheckpointError,
        FileExistsError,
        FileNotFoundError,
        ValueError,
    ) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(f"model folder written to {os.path.abspath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
