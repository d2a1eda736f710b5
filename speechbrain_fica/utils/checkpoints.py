"""Loading backbone weights from checkpoints of several origins.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os

import torch

logger = logging.getLogger(__name__)

# Prefixes added by wrappers (DDP, DataParallel, torch.compile).
_WRAPPER_PREFIXES = ("module.", "_orig_mod.")


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
    RuntimeError
        The keys or shapes do not match the model (the message names the
        file and the differing keys).

    Example
    -------
    >>> lin = torch.nn.Linear(2, 2)
    >>> path = getfixture("tmpdir").join("w.pth").strpath
    >>> torch.save(lin.state_dict(), path)
    >>> load_backbone_weights(torch.nn.Linear(2, 2), path).weight.shape
    torch.Size([2, 2])
    """
    if os.path.isdir(path):
        path = os.path.join(path, "model.ckpt")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"backbone weights not found: {path}")
    state = torch.load(path, map_location="cpu", weights_only=True)
    cleaned = {}
    for key, value in state.items():
        for prefix in _WRAPPER_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
        cleaned[key] = value
    try:
        model.load_state_dict(cleaned, strict=True)
    except RuntimeError as error:
        raise RuntimeError(
            f"{path} does not fit {type(model).__name__}: {error}"
        ) from error
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
    >>> from speechbrain.utils.checkpoints import Checkpointer
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
