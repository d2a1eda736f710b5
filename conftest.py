"""Shared pytest fixtures for speechbrain-fica.

Everything the tests read is in the repository: ``tests/samples`` (see its
README) and the package's own data. Fixtures of tiny corpora are in
``tests/conftest.py``, helpers in ``tests/utils``.
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
