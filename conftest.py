"""Shared pytest fixtures for speechbrain-fica.

The reference material (official checkpoints, real ASVspoof metadata and
audio) lives in a shared folder beside the repository. Its location is
``$FICA_SHARED_DIR`` or ``../shared``. Tests that need it skip when it is
absent, except under CI (``$CI`` set), where its absence is an error.
"""

import os

import pytest

REPO_ROOT = os.path.dirname(os.path.abspath(__file__))


def pytest_addoption(parser):
    """Adds ``--device`` (as in SpeechBrain's own test suite)."""
    parser.addoption("--device", action="store", default="cpu")


@pytest.fixture
def device(request):
    """The torch device the tests run on."""
    return request.config.getoption("--device")


def _shared_dir():
    default = os.path.join(REPO_ROOT, os.pardir, "shared")
    return os.path.abspath(os.environ.get("FICA_SHARED_DIR", default))


@pytest.fixture(scope="session")
def shared_dir():
    """Path of the shared reference folder; skips (or fails under CI)."""
    path = _shared_dir()
    if not os.path.isdir(path):
        message = (
            f"shared reference folder not found at {path}; "
            "set FICA_SHARED_DIR to run this test"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
