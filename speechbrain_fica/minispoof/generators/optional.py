"""Optional C-extension dependencies of the spoof generators.

``pyworld`` (WORLD vocoder) and ``pysptk`` (SPTK) build from source with a
C compiler, so they are not install requirements of speechbrain-fica: the
``demo`` extra (``pip install speechbrain-fica[demo]``) installs them. They
are imported only when a generator needs them, so that
:mod:`speechbrain_fica.minispoof` imports without them.

Authors
 * speechbrain-fica contributors 2026
"""

import importlib
import importlib.metadata
import os
import sys
import types

#: The pip packages that the ``demo`` extra installs.
DEMO_PACKAGES = ("pyworld", "pysptk")


def _pkg_resources_shim():
    """Builds a minimal stand-in for the removed ``pkg_resources`` module.

    ``pyworld`` 0.3.5 and ``pysptk`` 1.0.1 import ``pkg_resources`` at import
    time (only for their version string and an example-file path), which
    setuptools >= 81 no longer provides. The shim provides these two calls.

    Returns
    -------
    types.ModuleType
        Module with ``get_distribution`` and ``resource_filename``.
    """
    shim = types.ModuleType("pkg_resources")

    class _Distribution:
        def __init__(self, name):
            self.project_name = name
            self.version = importlib.metadata.version(name)

    def resource_filename(package, name):
        module = sys.modules.get(package) or importlib.import_module(package)
        return os.path.join(os.path.dirname(module.__file__), name)

    shim.get_distribution = _Distribution
    shim.resource_filename = resource_filename
    return shim


def import_optional(name):
    """Imports an optional generator dependency, with a clear error if absent.

    Arguments
    ---------
    name : str
        Module (and pip package) name, e.g. ``"pyworld"``.

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    ImportError
        The package is not installed; the message says how to install it.

    Example
    -------
    >>> import_optional("math").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != "pkg_resources":
            raise ImportError(
                f"The MiniSpoof spoof generators need the pip package "
                f"'{name}': pip install speechbrain-fica[demo] (or pip "
                f"install {' '.join(DEMO_PACKAGES)}; they build from source "
                f"with gcc/g++)."
            ) from err
    shim = _pkg_resources_shim()
    sys.modules["pkg_resources"] = shim
    try:
        return importlib.import_module(name)
    finally:
        if sys.modules.get("pkg_resources") is shim:
            del sys.modules["pkg_resources"]


def import_pyworld():
    """Imports ``pyworld`` (WORLD vocoder bindings).

    Returns
    -------
    module
        ``pyworld``, whose ``synthesize`` the WORLD generators call.

    Example
    -------
    >>> hasattr(import_pyworld(), "synthesize")
    True
    """
    return import_optional("pyworld")


def import_pysptk():
    """Imports ``pysptk`` (SPTK bindings).

    Returns
    -------
    module
        The ``pysptk`` module.

    Example
    -------
    >>> hasattr(import_pysptk(), "mcep")
    True
    """
    return import_optional("pysptk")


def check_demo_dependencies():
    """Imports every optional generator dependency (to fail early).

    Raises
    ------
    ImportError
        One of :data:`DEMO_PACKAGES` is missing.

    Example
    -------
    >>> check_demo_dependencies()
    """
    for name in DEMO_PACKAGES:
        import_optional(name)
