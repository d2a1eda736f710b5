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
    """The torch device the tests run on. On CUDA, TF32 is switched off:
    the tests compare float32 results to 1e-4 and TF32 rounds to ~1e-3."""
    name = request.config.getoption("--device")
    if name.startswith("cuda"):
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    return name


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


@pytest.fixture(scope="session")
def reference_waveforms():
    """The two reference inputs of ``expected_outputs.json`` (a 440 + 3000 Hz
    tone pair and seeded Gaussian noise, 64,600 samples each; see
    MODELS_AND_METRICS.md, section 1.9) as a ``[2, 64600]`` float32 batch.
    """
    import numpy as np
    import torch

    n = np.arange(64600)
    tones = 0.1 * np.sin(2 * np.pi * 440 * n / 16000)
    tones += 0.05 * np.sin(2 * np.pi * 3000 * n / 16000)
    noise = 0.1 * np.random.RandomState(0).randn(len(n))
    return torch.from_numpy(np.stack([tones, noise]).astype(np.float32))
