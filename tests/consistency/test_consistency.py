"""Consistency checks of the code base, in the spirit of SpeechBrain's.

* every top-level key of every recipe yaml is used (by the recipe script,
  the package, another key's reference, or SpeechBrain's run options);
* every recipe yaml is exercised by a recipe test row;
* every module, public class and public function has a docstring, and every
  public class of the package has a runnable ``Example``.

Authors
 * speechbrain-fica contributors 2026
"""

import ast
import csv
import glob
import os
import re

import pytest
from speechbrain.utils.run_opts import RunOptions

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
PACKAGE = os.path.join(REPO_ROOT, "speechbrain_fica")
RECIPES = os.path.join(REPO_ROOT, "recipes")
YAMLS = sorted(glob.glob(os.path.join(RECIPES, "*", "hparams", "*.yaml")))


def _python_files(*folders):
    files = []
    for folder in folders:
        files += glob.glob(os.path.join(folder, "**", "*.py"), recursive=True)
    return sorted(files)


def _top_level_keys(yaml_text):
    return re.findall(r"^([A-Za-z_][\w]*)\s*:", yaml_text, flags=re.M)


def _code_uses(code, key):
    patterns = [
        rf"[\"']{re.escape(key)}[\"']",  # hparams["key"], getattr(.., "key")
        rf"\.{re.escape(key)}\b",  # hparams.key, modules.key
    ]
    return any(re.search(p, code) for p in patterns)


@pytest.mark.parametrize(
    "yaml_path", YAMLS, ids=[os.path.relpath(p, RECIPES) for p in YAMLS]
)
def test_every_yaml_key_is_used(yaml_path):
    with open(yaml_path) as f:
        text = f.read()
    recipe_dir = os.path.dirname(os.path.dirname(yaml_path))
    code = "\n".join(
        open(path).read() for path in _python_files(recipe_dir, PACKAGE)
    )
    run_options = set(RunOptions().keys())
    unused = []
    for key in _top_level_keys(text):
        if key.startswith("__") or key in run_options:
            continue
        referenced = re.search(rf"<{re.escape(key)}>", text)
        if not referenced and not _code_uses(code, key):
            unused.append(key)
    assert not unused, f"{yaml_path}: unused top-level keys {unused}"


def test_every_recipe_yaml_has_a_recipe_test():
    tested = set()
    for csv_path in glob.glob(
        os.path.join(REPO_ROOT, "tests", "recipes", "*.csv")
    ):
        with open(csv_path, newline="") as f:
            tested |= {
                os.path.normpath(row["Hparam_file"])
                for row in csv.DictReader(f)
            }
    missing = [
        os.path.relpath(p, REPO_ROOT)
        for p in YAMLS
        if os.path.relpath(p, REPO_ROOT) not in tested
    ]
    assert not missing, f"recipe yamls without a recipe test: {missing}"


def _definitions(path):
    """The module, and its public top-level and class-level definitions
    (nested helper functions are implementation details)."""
    with open(path) as f:
        tree = ast.parse(f.read())
    yield "module", path, tree
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        if node.name.startswith("_"):
            continue
        yield type(node).__name__, node.name, node
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef) and not (
                    member.name.startswith("_")
                ):
                    yield "method", f"{node.name}.{member.name}", member


SOURCES = _python_files(PACKAGE, RECIPES)


@pytest.mark.parametrize(
    "path", SOURCES, ids=[os.path.relpath(p, REPO_ROOT) for p in SOURCES]
)
def test_public_definitions_have_docstrings(path):
    missing = [
        f"{kind} {name}"
        for kind, name, node in _definitions(path)
        if ast.get_docstring(node) is None
    ]
    assert not missing, f"{path}: no docstring for {missing}"


PACKAGE_SOURCES = _python_files(PACKAGE)


@pytest.mark.parametrize(
    "path",
    PACKAGE_SOURCES,
    ids=[os.path.relpath(p, REPO_ROOT) for p in PACKAGE_SOURCES],
)
def test_public_classes_have_runnable_examples(path):
    lacking = []
    for kind, name, node in _definitions(path):
        if kind != "ClassDef":
            continue
        doc = ast.get_docstring(node) or ""
        if "Example" not in doc or ">>>" not in doc:
            lacking.append(name)
    assert not lacking, f"{path}: classes without a runnable Example {lacking}"
