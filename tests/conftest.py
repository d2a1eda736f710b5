"""Fixtures shared by the test suites: tiny corpora and a tiny SSL model.

Authors
 * speechbrain-fica contributors 2026
"""

import pytest

from tests.utils.corpora import make_tiny_asvspoof2019, make_tiny_asvspoof2021


@pytest.fixture(scope="session")
def tiny_la2019(tmp_path_factory):
    """A tiny ASVspoof 2019 LA corpus (session-wide, read-only for tests)."""
    root = tmp_path_factory.mktemp("tiny_asvspoof2019")
    return make_tiny_asvspoof2019(str(root))


@pytest.fixture(scope="session")
def tiny_asvspoof2021(tmp_path_factory):
    """A tiny ASVspoof 2021 LA + DF corpus (session-wide, read-only)."""
    root = tmp_path_factory.mktemp("tiny_asvspoof2021")
    return make_tiny_asvspoof2021(str(root))


@pytest.fixture(scope="session")
def tiny_ssl_source(tmp_path_factory):
    """A tiny randomly initialised wav2vec 2.0 model in a local folder: the
    ``ssl_source`` of the SSL recipe rows (nothing is downloaded)."""
    from speechbrain_fica.lobes.models.SSL_AASIST import save_random_ssl_model

    return save_random_ssl_model(tmp_path_factory.mktemp("tiny_ssl") / "w2v")
