"""Waveform augmentation for training countermeasures.

* :class:`RawBoost` (``rawboost.py``): RawBoost (Tak et al., ICASSP 2022),
  convolutive, impulsive and stationary noise and their official
  combinations.
* :class:`CodecAugmentation` (``codec.py``): lossy codec round trips
  through SpeechBrain's ``CodecAugment`` (soundfile).
* :func:`apply_augmentation` (``pipeline.py``): how
  :class:`~speechbrain_fica.brain.FICABrain` applies a recipe's
  ``augmentation`` (one module or a list) to the training waveforms, before
  the InF masking. Validation and test audio is never augmented.
"""

from speechbrain_fica.augment.codec import CodecAugmentation
from speechbrain_fica.augment.pipeline import apply_augmentation
from speechbrain_fica.augment.rawboost import RawBoost

__all__ = ["CodecAugmentation", "RawBoost", "apply_augmentation"]
