"""Applies the training augmentation of a recipe to a waveform batch.

A recipe's ``augmentation`` is None, one module or a list of modules
applied in order. Each gets the batch ``[B, T]`` and returns a batch of the
same shape: the modules of this package (``RawBoost``,
``CodecAugmentation``) are also given the per-utterance ``keys`` that make
their draws reproducible; other callables (e.g. SpeechBrain's
``AddNoise`` or ``DropFreq``) get the waveforms and, when they take a
second argument, the relative lengths. Augmenters that change the batch
size (SpeechBrain's ``Augmenter`` with ``concat_original`` or parallel
augmentations) do not fit and are refused.

Authors
 * speechbrain-fica contributors 2026
"""

import inspect

import torch


def _parameters(step):
    target = step.forward if isinstance(step, torch.nn.Module) else step
    try:
        return inspect.signature(target).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return {}


def _positional_count(parameters):
    kinds = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    if any(p.kind == p.VAR_POSITIONAL for p in parameters.values()):
        return 2
    return sum(p.kind in kinds for p in parameters.values())


def augmentation_steps(augmentation):
    """The augmentation as a list of steps (empty for None).

    Arguments
    ---------
    augmentation : None, callable or list of callables
        The recipe's ``augmentation``.

    Returns
    -------
    list
        The steps, in order.

    Example
    -------
    >>> augmentation_steps(None)
    []
    >>> len(augmentation_steps([torch.nn.Identity(), torch.nn.Identity()]))
    2
    """
    if augmentation is None:
        return []
    if isinstance(augmentation, (list, tuple, torch.nn.ModuleList)):
        steps = list(augmentation)
    else:
        steps = [augmentation]
    for step in steps:
        if not callable(step):
            raise TypeError(f"augmentation step {step!r} is not callable")
    return steps


def apply_augmentation(augmentation, wavs, lengths=None, keys=None):
    """Runs the augmentation steps on a training batch, in order.

    Arguments
    ---------
    augmentation : None, callable or list of callables
        The recipe's ``augmentation``.
    wavs : torch.Tensor
        Waveforms ``[B, T]``.
    lengths : torch.Tensor, optional
        Relative lengths ``[B]``.
    keys : list, optional
        One key per utterance, passed to the steps that take ``keys``.

    Returns
    -------
    torch.Tensor
        The augmented batch ``[B, T]``.

    Example
    -------
    >>> from speechbrain_fica.augment import RawBoost
    >>> wavs = 0.1 * torch.randn(2, 4000)
    >>> out = apply_augmentation(
    ...     [RawBoost(algo=2), lambda x: 0.5 * x], wavs, keys=["a", "b"]
    ... )
    >>> out.shape
    torch.Size([2, 4000])
    >>> apply_augmentation(lambda x: x[:1], wavs)
    Traceback (most recent call last):
    ...
    ValueError: augmentation step <lambda> returned torch.Size([1, 4000]) from a torch.Size([2, 4000]) batch; steps must keep the shape (augmenters that add copies of the batch do not fit)
    """
    for step in augmentation_steps(augmentation):
        parameters = _parameters(step)
        if "keys" in parameters:
            out = step(wavs, lengths, keys=keys)
        elif _positional_count(parameters) >= 2:
            out = step(wavs, lengths)
        else:
            out = step(wavs)
        name = getattr(step, "__name__", type(step).__name__)
        if not isinstance(out, torch.Tensor):
            raise ValueError(
                f"augmentation step {name} returned {type(out).__name__}, "
                "not a waveform tensor"
            )
        if out.shape != wavs.shape:
            raise ValueError(
                f"augmentation step {name} returned {out.shape} from a "
                f"{wavs.shape} batch; steps must keep the shape "
                "(augmenters that add copies of the batch do not fit)"
            )
        wavs = out
    return wavs
