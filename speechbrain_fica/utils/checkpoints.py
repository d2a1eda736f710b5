"""Crash-safe checkpoints and loading backbone weights from checkpoints of
several origins.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import math
import os
import pickle
import re
import shutil

import torch
from speechbrain.utils import checkpoints as sb_checkpoints
from speechbrain.utils.distributed import if_main_process

logger = logging.getLogger(__name__)

_PARTIAL_SUFFIX = ".partial"
# Prefixes added by wrappers (DDP, DataParallel, torch.compile).
_WRAPPER_PREFIXES = ("module.", "_orig_mod.")


class Checkpointer(sb_checkpoints.Checkpointer):
    """SpeechBrain's ``Checkpointer``, safe against a kill during a save.

    SpeechBrain writes a checkpoint's ``CKPT.yaml`` first and the
    recoverables after it, so a process killed in the middle of a save
    leaves a folder that looks complete and breaks the resume ("missing a
    load path"). Here ``CKPT.yaml`` is written under a temporary name and
    renamed, atomically, once every recoverable is on disk; folders without
    it are incomplete saves, skipped with a logged warning (and deleted by
    the next :meth:`save_and_keep_only` of the main process). Checkpoints
    are ranked by a ``min_key`` / ``max_key`` with NaN as the worst value
    (see :meth:`find_checkpoints`). The arguments are those of
    ``speechbrain.utils.checkpoints.Checkpointer``.

    Example
    -------
    >>> folder = getfixture("tmpdir").strpath
    >>> layer = torch.nn.Linear(2, 2)
    >>> checkpointer = Checkpointer(folder, recoverables={"layer": layer})
    >>> saved = checkpointer.save_checkpoint(meta={"EER": 0.1})
    >>> checkpointer.find_checkpoint(min_key="EER").meta["EER"]
    0.1
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reported = set()

    def _save_checkpoint_metafile(self, fpath, meta, end_of_epoch):
        partial = fpath.parent / (fpath.name + _PARTIAL_SUFFIX)
        return super()._save_checkpoint_metafile(partial, meta, end_of_epoch)

    def save_checkpoint(self, *args, **kwargs):
        """Saves a checkpoint (see SpeechBrain's ``save_checkpoint``); the
        checkpoint becomes visible only once it is complete.

        Arguments
        ---------
        *args : tuple
            Passed on.
        **kwargs : dict
            Passed on.

        Returns
        -------
        Checkpoint or None
            As SpeechBrain's (None on other processes than the main one).
        """
        checkpoint = super().save_checkpoint(*args, **kwargs)
        if if_main_process():
            final = checkpoint.path / sb_checkpoints.METAFNAME
            partial = final.parent / (final.name + _PARTIAL_SUFFIX)
            os.replace(partial, final)
        return checkpoint

    def incomplete_checkpoint_dirs(self):
        """Checkpoint folders whose save did not finish (no ``CKPT.yaml``).

        Returns
        -------
        list of pathlib.Path
            The folders, which loading ignores.
        """
        return [
            path
            for path in self.checkpoints_dir.iterdir()
            if path.is_dir()
            and path.name.startswith(sb_checkpoints.CKPT_PREFIX)
            and not (path / sb_checkpoints.METAFNAME).exists()
        ]

    def _list_checkpoint_dirs(self):
        for path in self.incomplete_checkpoint_dirs():
            if path not in self._reported:
                self._reported.add(path)
                logger.warning(
                    "skipping %s: an incomplete checkpoint (the run "
                    "stopped while saving it)",
                    path,
                )
        return super()._list_checkpoint_dirs()

    def find_checkpoints(
        self,
        importance_key=None,
        max_key=None,
        min_key=None,
        ckpt_predicate=None,
        max_num_checkpoints=None,
    ):
        """SpeechBrain's ``find_checkpoints`` with a total order on the
        meta values: a ``min_key`` / ``max_key`` value that is NaN or not a
        number ranks below every number (NaN would otherwise break the
        sorting, and with it which checkpoints are kept and loaded).

        Arguments
        ---------
        importance_key : callable, optional
            As SpeechBrain's.
        max_key : str, optional
            Meta key to maximise.
        min_key : str, optional
            Meta key to minimise.
        ckpt_predicate : callable, optional
            As SpeechBrain's.
        max_num_checkpoints : int, optional
            As SpeechBrain's.

        Returns
        -------
        list
            The checkpoints, most important first.

        Example
        -------
        >>> folder = getfixture("tmpdir").strpath
        >>> checkpointer = Checkpointer(folder)
        >>> for eer in (30.0, 25.0, float("nan"), 40.0):
        ...     _ = checkpointer.save_checkpoint(meta={"EER": eer})
        >>> [
        ...     c.meta["EER"]
        ...     for c in checkpointer.find_checkpoints(min_key="EER")
        ... ]
        [25.0, 30.0, 40.0, nan]
        """
        key = min_key or max_key
        if key is None or importance_key is not None or (min_key and max_key):
            return super().find_checkpoints(
                importance_key=importance_key,
                max_key=max_key,
                min_key=min_key,
                ckpt_predicate=ckpt_predicate,
                max_num_checkpoints=max_num_checkpoints,
            )
        sign = -1.0 if min_key else 1.0

        def ranked(checkpoint):
            value = checkpoint.meta[key]
            if isinstance(value, (int, float)) and not math.isnan(value):
                return sign * float(value)
            return -math.inf

        def has_key(checkpoint):
            if key not in checkpoint.meta:
                return False
            return ckpt_predicate is None or ckpt_predicate(checkpoint)

        return super().find_checkpoints(
            importance_key=ranked,
            ckpt_predicate=has_key,
            max_num_checkpoints=max_num_checkpoints,
        )

    def save_and_keep_only(self, *args, **kwargs):
        """:meth:`save_checkpoint`, then deletes old checkpoints (see
        SpeechBrain's ``save_and_keep_only``) and incomplete ones.

        Arguments
        ---------
        *args : tuple
            Passed on.
        **kwargs : dict
            Passed on.
        """
        super().save_and_keep_only(*args, **kwargs)
        if if_main_process():
            for path in self.incomplete_checkpoint_dirs():
                shutil.rmtree(path)
                logger.info("deleted incomplete checkpoint %s", path)


def _state_dict_mismatch(expected, found, shown=3):
    """What differs between two state dicts (keys, shapes), in one line,
    or an empty string."""
    missing = [key for key in expected if key not in found]
    unexpected = [key for key in found if key not in expected]
    shapes = [
        f"{key} has shape {tuple(found[key].shape)} in the file, "
        f"{tuple(expected[key].shape)} in the model"
        for key in expected
        if key in found
        and tuple(found[key].shape) != tuple(expected[key].shape)
    ]
    parts = []
    for label, items in (
        ("missing keys", missing),
        ("unexpected keys", unexpected),
        ("", shapes),
    ):
        if items:
            more = (
                f" (+{len(items) - shown} more)" if len(items) > shown else ""
            )
            text = ", ".join(items[:shown]) + more
            parts.append(f"{label} {text}".strip() if label else text)
    return "; ".join(parts)


def load_backbone_weights(model, path):
    """Loads a backbone ``state_dict`` strictly, with weights-only loading.

    Accepts a plain ``state_dict`` file (e.g. the official AASIST ``.pth``
    checkpoints), a SpeechBrain ``model.ckpt``, or a SpeechBrain checkpoint
    folder (``CKPT+...``, whose ``model.ckpt`` is read). Wrapper prefixes
    (``module.``, ``_orig_mod.``) are removed.

    Arguments
    ---------
    model : torch.nn.Module
        The backbone to fill.
    path : str
        The weights.

    Returns
    -------
    torch.nn.Module
        ``model``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    CheckpointError
        The file is not a tensors-only checkpoint (see
        :func:`load_tensors_only`), or its keys or shapes do not match the
        model (the message names the file and the differing keys).

    Example
    -------
    >>> lin = torch.nn.Linear(2, 2)
    >>> path = getfixture("tmpdir").join("w.pth").strpath
    >>> torch.save(lin.state_dict(), path)
    >>> load_backbone_weights(torch.nn.Linear(2, 2), path).weight.shape
    torch.Size([2, 2])
    >>> load_backbone_weights(torch.nn.Linear(3, 2), path)
    Traceback (most recent call last):
    ...
    speechbrain_fica.utils.checkpoints.CheckpointError: .../w.pth does not fit Linear: weight has shape (2, 2) in the file, (2, 3) in the model
    """
    if os.path.isdir(path):
        path = os.path.join(path, "model.ckpt")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"backbone weights not found: {path}")
    state = load_tensors_only(path)
    cleaned = {}
    for key, value in state.items():
        for prefix in _WRAPPER_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
        cleaned[key] = value
    problems = _state_dict_mismatch(model.state_dict(), cleaned)
    if problems:
        raise CheckpointError(
            f"{path} does not fit {type(model).__name__}: {problems}"
        )
    model.load_state_dict(cleaned, strict=True)
    logger.info("loaded backbone weights from %s", path)
    return model


def check_weights_to_score(hparams):
    """Checks that a test-only run has weights to score, not a random model.

    Arguments
    ---------
    hparams : dict
        A recipe's hyperparameters: ``pretrained_model`` (given weights),
        else a checkpoint with a dev ``EER`` in ``checkpointer``.

    Raises
    ------
    FileNotFoundError
        Neither given weights nor a checkpoint.

    Example
    -------
    >>> save_folder = getfixture("tmpdir").strpath
    >>> check_weights_to_score(
    ...     {
    ...         "pretrained_model": None,
    ...         "checkpointer": Checkpointer(save_folder),
    ...         "save_folder": save_folder,
    ...     }
    ... )
    Traceback (most recent call last):
      ...
    FileNotFoundError: --test_only needs trained weights: no checkpoint in ...
    """
    if hparams["pretrained_model"]:
        return
    if hparams["checkpointer"].find_checkpoint(min_key="EER") is None:
        raise FileNotFoundError(
            "--test_only needs trained weights: no checkpoint in "
            f"{hparams['save_folder']} (point --save_folder or "
            "--output_folder at a trained experiment) and no "
            "--pretrained_model"
        )


class CheckpointError(RuntimeError):
    """A checkpoint that is refused or unreadable (the message names the
    file).

    Example
    -------
    >>> raise CheckpointError("m/model.ckpt: holds Python objects")
    Traceback (most recent call last):
    ...
    speechbrain_fica.utils.checkpoints.CheckpointError: m/model.ckpt: holds Python objects
    """


def load_tensors_only(path):
    """``torch.load(path, weights_only=True)`` on the CPU, with an error
    that names the file when it is refused.

    A pickle that holds other Python objects than tensors and containers
    (e.g. an instance of a custom class) can run code when it is loaded,
    so it is refused, as is a file that is no PyTorch checkpoint.

    Arguments
    ---------
    path : str
        The checkpoint.

    Returns
    -------
    object
        What the file holds (e.g. a ``state_dict``).

    Raises
    ------
    CheckpointError
        The file holds other objects, or is no checkpoint.

    Example
    -------
    >>> path = getfixture("tmpdir").join("bad.ckpt").strpath
    >>> torch.save({"w": torch.zeros(1), "f": print}, path)
    >>> load_tensors_only(path)
    Traceback (most recent call last):
    ...
    speechbrain_fica.utils.checkpoints.CheckpointError: .../bad.ckpt: refused: ... (print), ...
    """
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(error))
        if found:
            raise CheckpointError(
                f"{path}: refused: the checkpoint holds Python objects "
                f"besides tensors ({found.group(1)}), which could run code "
                "when loaded. Only tensors are loaded: save the model's "
                "state_dict (torch.save(model.state_dict(), path)) from a "
                "source you trust"
            ) from None
        raise CheckpointError(
            f"{path}: not a PyTorch checkpoint of tensors (cannot be "
            "unpickled as one)"
        ) from None
    except (RuntimeError, EOFError, OSError) as error:
        raise CheckpointError(
            f"{path}: cannot read the checkpoint ({error})"
        ) from error
