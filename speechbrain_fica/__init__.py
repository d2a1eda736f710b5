"""speechbrain-fica: synthetic speech detection with the FICA strategy.

FICA (frequency-instance correlations, Wang et al., ACML 2024) trains any
spoofing countermeasure with two training-only modules: band-pass masking of
the waveform with a Jensen-Shannon consistency loss (InF), and a momentum
encoder with a class-labelled memory bank (InI).

Authors
 * speechbrain-fica contributors 2026
"""

import os

_here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_here, "version.txt"), encoding="utf-8") as _f:
    __version__ = _f.read().strip()

__all__ = ["__version__"]
