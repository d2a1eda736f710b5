"""Inference interfaces of speechbrain-fica.

* :class:`SpoofDetector`: a SpeechBrain ``Pretrained`` interface that
  scores and classifies audio files or batches (offline, local folders).
* :func:`pretrained_path`: the folders of the bundled official AASIST and
  AASIST-L models (MIT licence, NAVER Corp.).
* ``python -m speechbrain_fica.inference.export``: writes such a folder from
  an official checkpoint or a trained recipe experiment.
* :mod:`speechbrain_fica.inference.trust`: the check of a folder's
  ``hyperparams.yaml`` (an allow-list of the code it may name) that runs
  before the yaml is loaded; ``trust_remote_code=True`` skips it.

Authors
 * speechbrain-fica contributors 2026
"""

from speechbrain_fica.inference.spoof_detector import (
    PRETRAINED_MODELS,
    SpoofDetector,
    pretrained_path,
)

__all__ = ["PRETRAINED_MODELS", "SpoofDetector", "pretrained_path"]
