"""Reproducible randomness across data-loader workers, processes and resumes.

* :func:`keyed_uniform` draws a number from a hash of its keys (e.g. seed,
  epoch, utterance id): the random crops and band-pass masks of an
  utterance then do not depend on the worker, the DDP rank that handles it,
  or on whether the run was interrupted and resumed.
* :class:`RandomStateCheckpoint` saves the global random states (torch,
  CUDA, numpy, random) with every checkpoint, as tensors (weights-only
  loading works), so that dropout continues identically after a resume.

Authors
 * speechbrain-fica contributors 2026
"""

import hashlib
import logging
import random

import numpy as np
import torch
from speechbrain.utils import checkpoints

logger = logging.getLogger(__name__)


def keyed_uniform(*keys):
    """A uniform number in ``[0, 1)`` determined by ``keys``.

    Arguments
    ---------
    *keys : object
        Values whose string forms are hashed (SHA-256).

    Returns
    -------
    float
        The number.

    Example
    -------
    >>> keyed_uniform(1234, 3, "utt1") == keyed_uniform(1234, 3, "utt1")
    True
    >>> 0.0 <= keyed_uniform(1234, 4, "utt1") < 1.0
    True
    """
    digest = hashlib.sha256("\x1f".join(map(str, keys)).encode()).digest()
    return int.from_bytes(digest[:8], "little") / 2.0**64


@checkpoints.register_checkpoint_hooks
class RandomStateCheckpoint:
    """Checkpoint recoverable holding the global random states.

    Saved: ``torch.get_rng_state()``, the CUDA states (when CUDA is in use),
    numpy's global MT19937 state and Python's ``random`` state, all as
    tensors. On loading, the states are applied at once and kept until
    :meth:`reapply` is called: the training loop calls it before its first
    step after a resume, because creating a data-loader iterator consumes
    random numbers between recovery and that step.

    Example
    -------
    >>> path = getfixture("tmpdir").join("rng.ckpt").strpath
    >>> states = RandomStateCheckpoint()
    >>> _ = torch.manual_seed(0)
    >>> states.save(path)
    >>> expected = torch.rand(3)
    >>> _ = torch.rand(5)
    >>> states.load(path)
    >>> torch.equal(torch.rand(3), expected)
    True
    """

    def __init__(self):
        self._pending = None

    @staticmethod
    def _capture():
        version, keys, position, has_gauss, cached = np.random.get_state()
        python_version, python_state, python_gauss = random.getstate()
        state = {
            "torch": torch.get_rng_state(),
            "numpy_keys": torch.from_numpy(keys.astype(np.int64)),
            "numpy_extra": torch.tensor(
                [position, has_gauss], dtype=torch.int64
            ),
            "numpy_gauss": torch.tensor([cached], dtype=torch.float64),
            "python_state": torch.tensor(python_state, dtype=torch.int64),
            "python_gauss": torch.tensor(
                [float("nan") if python_gauss is None else python_gauss],
                dtype=torch.float64,
            ),
            "python_version": torch.tensor([python_version]),
        }
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state["cuda"] = torch.stack(torch.cuda.get_rng_state_all())
        return state

    @staticmethod
    def _restore(state):
        torch.set_rng_state(state["torch"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(list(state["cuda"]))
        position, has_gauss = state["numpy_extra"].tolist()
        np.random.set_state(
            (
                "MT19937",
                state["numpy_keys"].numpy().astype(np.uint32),
                position,
                has_gauss,
                float(state["numpy_gauss"][0]),
            )
        )
        gauss = float(state["python_gauss"][0])
        random.setstate(
            (
                int(state["python_version"][0]),
                tuple(state["python_state"].tolist()),
                None if gauss != gauss else gauss,
            )
        )

    @checkpoints.mark_as_saver
    def save(self, path):
        """Saves the current random states to ``path``.

        Arguments
        ---------
        path : str
            Checkpoint file.
        """
        torch.save(self._capture(), path)

    @checkpoints.mark_as_loader
    def load(self, path, end_of_epoch=False):
        """Restores the random states saved in ``path``.

        Arguments
        ---------
        path : str
            Checkpoint file.
        end_of_epoch : bool
            Unused (any checkpoint restores the exact states).
        """
        del end_of_epoch
        self._pending = torch.load(path, weights_only=True)
        self._restore(self._pending)

    def reapply(self):
        """Applies the states of the last :meth:`load` once more, if any.

        Returns
        -------
        bool
            Whether states were applied.
        """
        if self._pending is None:
            return False
        self._restore(self._pending)
        self._pending = None
        logger.info("random states restored from the checkpoint")
        return True
