"""Every object a shipped yaml builds is named unambiguously.

hyperpyyaml resolves ``!new:``, ``!name:`` and ``!apply:`` targets with
``pydoc.locate``. From Python 3.12 on, ``pydoc.locate("pkg.AASIST")``
returns the *module* ``pkg/AASIST.py`` even when ``pkg/__init__.py``
exports a class of that name, so such a yaml fails there with "should be a
class, but is <module ...>" while it loads on 3.11. The tests check, on
any Python, that no target is also the name of a module.

Authors
 * speechbrain-fica contributors 2026
"""

import glob
import os
import pydoc
import re
import types

import pytest

from speechbrain_fica.augment import CodecAugmentation, RawBoost
from speechbrain_fica.inference.model_folder import constructor_node, dump_yaml
from speechbrain_fica.lobes import AASIST, LCNN, SSL_AASIST, RawNet2
from speechbrain_fica.lobes.fica import BandPassMasker
from speechbrain_fica.utils.hparams import is_module_name

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
TAG = re.compile(r"!(?:new|name|apply):([A-Za-z_][\w.]*)")
YAMLS = sorted(
    glob.glob(os.path.join(REPO_ROOT, "recipes", "*", "hparams", "*.yaml"))
    + glob.glob(
        os.path.join(REPO_ROOT, "speechbrain_fica", "pretrained", "*", "*.yaml")
    )
)


def check_target(target, where):
    assert not is_module_name(target), (
        f"{where}: '{target}' is a module name; write module.Class, as "
        "Python >= 3.12 resolves it to the module"
    )
    located = pydoc.locate(target)
    assert located is not None, f"{where}: '{target}' cannot be imported"
    assert not isinstance(located, types.ModuleType), (where, target)
    assert callable(located), (where, target)


def test_the_shipped_yamls_are_found():
    names = {os.path.basename(path) for path in YAMLS}
    assert {"aasist_fica.yaml", "lcnn.yaml", "hyperparams.yaml"} <= names


@pytest.mark.parametrize(
    "path", YAMLS, ids=lambda p: os.path.relpath(p, REPO_ROOT)
)
def test_yaml_targets_are_classes_or_functions_not_modules(path):
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    targets = TAG.findall(text)
    assert targets or "!include:" in text, f"{path} builds nothing"
    for target in targets:
        check_target(target, path)


def test_a_module_name_is_refused():
    """``pkg.Model`` naming both a module and a class is what breaks."""
    assert is_module_name("speechbrain_fica.lobes.models.AASIST")
    with pytest.raises(AssertionError, match="module name"):
        check_target("speechbrain_fica.lobes.models.AASIST", "example")
    check_target("speechbrain_fica.lobes.models.AASIST.AASIST", "example")


@pytest.mark.parametrize(
    "cls",
    [
        AASIST,
        LCNN,
        RawNet2,
        SSL_AASIST,
        BandPassMasker,
        RawBoost,
        CodecAugmentation,
    ],
)
def test_exported_model_yaml_names_the_class(cls):
    text = dump_yaml({"model": constructor_node(cls, {})})
    (target,) = TAG.findall(text)
    check_target(target, "constructor_node")
    assert pydoc.locate(target) is cls
