"""Backbones and FICA modules as SpeechBrain lobes.

Every backbone follows one contract, which the FICA strategy relies on:
a waveform batch ``[B, T]`` (and optional relative lengths ``[B]``) in,
``(logits [B, 2], embedding [B, D])`` out, with class 0 = spoof and
class 1 = bona fide.
"""

from speechbrain_fica.lobes.AASIST import AASIST
from speechbrain_fica.lobes.frontends import MelSincFilterbank
from speechbrain_fica.lobes.LCNN import LCNN
from speechbrain_fica.lobes.RawNet2 import RawNet2

__all__ = ["AASIST", "LCNN", "MelSincFilterbank", "RawNet2"]
