"""Backbones and FICA modules as SpeechBrain lobes.

Every backbone follows one contract, which the FICA strategy relies on:
a waveform batch ``[B, T]`` (and optional relative lengths ``[B]``) in,
``(logits [B, 2], embedding [B, D])`` out, with class 0 = spoof and
class 1 = bona fide. The backbones live in :mod:`speechbrain_fica.lobes.models`
(one module per family) and are exported here.
"""

from speechbrain_fica.lobes.frontends import MelSincFilterbank
from speechbrain_fica.lobes.models.AASIST import AASIST
from speechbrain_fica.lobes.models.LCNN import LCNN
from speechbrain_fica.lobes.models.RawNet2 import RawNet2
from speechbrain_fica.lobes.models.SSL_AASIST import SSL_AASIST

__all__ = ["AASIST", "LCNN", "MelSincFilterbank", "RawNet2", "SSL_AASIST"]
