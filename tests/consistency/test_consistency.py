"""Consistency checks of the code base, in the spirit of SpeechBrain's.

* every top-level key of every recipe yaml is used (by the recipe script,
  the package, another key's reference, or SpeechBrain's run options);
* every recipe yaml is exercised by a recipe test row;
* every module, public class and public function has a docstring, and every
  public class of the package has a runnable ``Example``;
* no module of the package (nor a recipe) uses a private name (``_x``) of
  another package module (imported, or read as an attribute of an imported
  module);
* no test reads outside the repository (no ``../shared``, no absolute
  ``/work`` paths).

Authors
 * speechbrain-fica contributors 2026
"""

import ast
import csv
import glob
import os
import re
import sys

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


# ---------------------------------------------------------------------------
# Private names stay inside their module
# ---------------------------------------------------------------------------


def _is_private(name):
    return name.startswith("_") and not (
        name.startswith("__") and name.endswith("__")
    )


def _package_module(dotted):
    """Whether ``speechbrain_fica.a.b`` names a module (not a name in one)."""
    parts = dotted.split(".")[1:]
    base = os.path.join(PACKAGE, *parts)
    return os.path.isfile(base + ".py") or os.path.isfile(
        os.path.join(base, "__init__.py")
    )


def _absolute_module(node, path):
    """The dotted module of a ``from ... import`` in the package file
    ``path`` (relative imports resolved), or None outside the package."""
    if node.level == 0:
        module = node.module or ""
        if module == "speechbrain_fica" or module.startswith(
            "speechbrain_fica."
        ):
            return module
        return None
    relative = os.path.relpath(os.path.dirname(path), REPO_ROOT)
    parts = relative.split(os.sep)
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _private_uses(path):
    """``(line, text)`` of every private name of another package module
    that the file ``path`` imports or reads through an imported module."""
    with open(path) as f:
        tree = ast.parse(f.read())
    found, module_aliases = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _absolute_module(node, path)
            if module is None:
                continue
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(
                        (node.lineno, f"from {module} import {alias.name}")
                    )
                elif _package_module(f"{module}.{alias.name}"):
                    module_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("speechbrain_fica"):
                    module_aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and ast.unparse(node.value) in module_aliases
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_module_uses_private_names_of_another():
    offenders = [
        f"{os.path.relpath(path, REPO_ROOT)}:{line}: {text}"
        for path in SOURCES  # the package and the recipes
        for line, text in _private_uses(path)
    ]
    assert not offenders, (
        "private names used outside their module (make them public, or "
        "move the code):\n" + "\n".join(offenders)
    )


def test_private_name_check_finds_uses(tmp_path, monkeypatch):
    # The check itself on a module written for it, placed in the package
    # tree as seen by the check.
    fake_package = tmp_path / "speechbrain_fica"
    (fake_package / "metrics").mkdir(parents=True)
    (fake_package / "metrics" / "det.py").write_text("")
    module = fake_package / "metrics" / "user.py"
    module.write_text(
        "from speechbrain_fica.metrics.det import _check, public\n"
        "from . import det\n"
        "from .det import __all__\n"
        "import speechbrain_fica.metrics.det as det_module\n"
        "det._hidden(det_module._other, public._fine)\n"
    )
    this_module = sys.modules[__name__]
    monkeypatch.setattr(this_module, "PACKAGE", str(fake_package))
    monkeypatch.setattr(this_module, "REPO_ROOT", str(tmp_path))
    texts = sorted(text for _, text in _private_uses(str(module)))
    assert texts == [
        "det._hidden",
        "det_module._other",
        "from speechbrain_fica.metrics.det import _check",
    ]


# ---------------------------------------------------------------------------
# Tests need nothing outside the repository
# ---------------------------------------------------------------------------

TEST_FILES = sorted(
    _python_files(os.path.join(REPO_ROOT, "tests"))
    + [os.path.join(REPO_ROOT, "conftest.py")]
)


def _outside_references(path):
    """``(line, text)`` of string constants of ``path`` that lead out of
    the repository: ``../shared`` (also as separate path parts) or an
    absolute ``/work`` path."""
    with open(path) as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.replace("\\", "/")
            if "../shared" in text or re.search(r"(^|[\s'\"=:])/work\b", text):
                found.add((node.lineno, text.strip()[:80]))
        if isinstance(node, (ast.Call, ast.BinOp, ast.JoinedStr)):
            parts = {
                child.value
                for child in ast.walk(node)
                if isinstance(child, ast.Constant)
            }
            if ".." in parts and "shared" in parts:
                found.add((node.lineno, ast.unparse(node)[:80]))
    return sorted(found)


def test_tests_read_nothing_outside_the_repository():
    this_file = os.path.abspath(__file__)
    offenders = [
        f"{os.path.relpath(path, REPO_ROOT)}:{line}: {text}"
        for path in TEST_FILES
        if os.path.abspath(path) != this_file  # its patterns, not paths
        for line, text in _outside_references(path)
    ]
    assert not offenders, (
        "tests must use tests/samples or package data, not files outside "
        "the repository:\n" + "\n".join(offenders)
    )


def test_outside_reference_check_finds_them(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import os\n"
        "A = '../shared/docs/PAPER.md'\n"
        "B = os.path.join(ROOT, '..', 'shared', 'x')\n"
        "C = '/work/shared/data'\n"
        "D = Path(ROOT) / '..' / 'shared'\n"
        "E = 'network/work/ok'\n"
        "F = os.path.join(ROOT, 'shared')\n"
    )
    lines = [line for line, _ in _outside_references(str(sample))]
    assert lines == [2, 3, 4, 5]
