"""SpeechBrain datasets for countermeasure training and evaluation.

A manifest CSV has at least the columns ``ID, duration, wav, label`` with
``label`` in ``{bonafide, spoof}``; other columns (``attack``, ``speaker``,
``codec``, ...) are passed through. Each item provides ``sig`` (a
fixed-length waveform) and ``target`` (``LongTensor([1])`` for bona fide,
``[0]`` for spoof; batches are ``[B, 1]``).

Authors
 * speechbrain-fica contributors 2026
"""

import torch
from speechbrain.dataio.dataset import DynamicItemDataset
from speechbrain.utils.data_pipeline import provides, takes

from speechbrain_fica.dataio.audio import (
    AudioError,
    crop_or_tile,
    load_waveform,
    random_offset,
)

LABELS = {"spoof": 0, "bonafide": 1}


def label_to_target(label, utt_id="?"):
    """Encodes a ``bonafide``/``spoof`` label (bona fide = 1).

    Arguments
    ---------
    label : str
        ``"bonafide"`` or ``"spoof"``.
    utt_id : str
        Utterance id, named in the error message.

    Returns
    -------
    torch.Tensor
        ``LongTensor([target])``.

    Example
    -------
    >>> label_to_target("bonafide").tolist()
    [1]
    """
    if label not in LABELS:
        raise ValueError(
            f"utterance {utt_id}: label {label!r} is neither 'bonafide' "
            "nor 'spoof'"
        )
    return torch.LongTensor([LABELS[label]])


def require_finite(signal, path):
    """Refuses a waveform with NaN or infinite samples, naming its file.

    The data preparations leave such files out (or stop); this check
    catches a manifest made otherwise, before the samples reach a model.

    Arguments
    ---------
    signal : torch.Tensor
        The samples of ``path``.
    path : str
        The audio file (for the message).

    Returns
    -------
    torch.Tensor
        ``signal``.

    Raises
    ------
    AudioError
        Non-finite samples: the message names the file, their count and
        the first one.

    Example
    -------
    >>> require_finite(torch.zeros(3), "a.wav").shape
    torch.Size([3])
    >>> require_finite(torch.tensor([0.0, float("nan")]), "a.wav")
    Traceback (most recent call last):
      ...
    speechbrain_fica.dataio.audio.AudioError: a.wav: 1 non-finite sample(s) (NaN or inf), the first at sample 1; ...
    """
    bad = ~torch.isfinite(signal)
    if bad.any():
        first = int(bad.nonzero()[0, 0])
        raise AudioError(
            f"{path}: {int(bad.sum())} non-finite sample(s) (NaN or inf), "
            f"the first at sample {first}; leave the file out of the "
            "manifest (the data preparation does so with "
            "on_bad_audio: skip)"
        )
    return signal


def countermeasure_dataset(
    csv_path,
    segment_samples,
    train=False,
    sample_rate=16000,
    seed=0,
    epoch_counter=None,
    output_keys=("id", "sig", "target", "attack"),
):
    """Builds a dataset of fixed-length segments from a manifest CSV.

    Training items are random crops (tile-repeated when shorter) whose
    start is a hash of ``(seed, epoch, ID)``: reproducible across workers
    and resumed runs, different every epoch. Evaluation items are the first
    ``segment_samples`` samples (tile-repeated when shorter), the crop of
    the official AASIST evaluation and of ``SpoofDetector``. A file with
    NaN or infinite samples is an error naming it (see
    :func:`require_finite`).

    Arguments
    ---------
    csv_path : str
        Manifest CSV.
    segment_samples : int
        Samples per item (64,600 for official AASIST, 96,000 for the paper).
    train : bool
        Random crops (True) or first-segment crops (False).
    sample_rate : int
        Required sampling rate of the audio files.
    seed : int
        Seed of the random crops.
    epoch_counter : speechbrain.utils.epoch_loop.EpochCounter, optional
        Its ``current`` epoch varies the crops between epochs.
    output_keys : sequence of str
        Keys of each item; ``attack`` is dropped when the CSV has no such
        column.

    Returns
    -------
    speechbrain.dataio.dataset.DynamicItemDataset
        The dataset.

    Example
    -------
    >>> import os
    >>> from speechbrain.dataio import audio_io
    >>> tmp = getfixture("tmpdir").strpath
    >>> wav = os.path.join(tmp, "a.flac")
    >>> audio_io.save(wav, 0.1 * torch.randn(1, 4000), 16000)
    >>> csv = os.path.join(tmp, "m.csv")
    >>> with open(csv, "w") as f:
    ...     _ = f.write(
    ...         f"ID,duration,wav,label,attack\\nu1,0.25,{wav},spoof,A01\\n"
    ...     )
    >>> dataset = countermeasure_dataset(csv, segment_samples=6000)
    >>> item = dataset[0]
    >>> item["sig"].shape, item["target"].tolist(), item["attack"]
    (torch.Size([6000]), [0], 'A01')
    """
    dataset = DynamicItemDataset.from_csv(csv_path)

    @takes("wav", "id")
    @provides("sig")
    def audio_pipeline(wav, utt_id):
        signal = require_finite(load_waveform(wav, sample_rate), wav)
        offset = 0
        if train:
            epoch = epoch_counter.current if epoch_counter is not None else 0
            offset = random_offset(
                signal.shape[0], segment_samples, seed, epoch, utt_id
            )
        return crop_or_tile(signal, segment_samples, offset)

    @takes("label", "id")
    @provides("target")
    def label_pipeline(label, utt_id):
        return label_to_target(label, utt_id)

    dataset.add_dynamic_item(audio_pipeline)
    dataset.add_dynamic_item(label_pipeline)
    columns = set(next(iter(dataset.data.values()), {}))
    keys = [k for k in output_keys if k != "attack" or "attack" in columns]
    dataset.set_output_keys(keys)
    return dataset


def recipe_datasets(hparams, test_csvs, train=True):
    """The training, validation and test sets of a recipe.

    Every set crops ``segment_samples`` samples at ``sample_rate``: random
    crops for training (seeded by ``seed`` and the ``epoch_counter``),
    first-segment crops for validation and test.

    Arguments
    ---------
    hparams : dict
        The loaded recipe yaml: ``segment_samples``, ``sample_rate``, and
        for training ``train_csv``, ``valid_csv``, ``seed`` and
        ``epoch_counter``.
    test_csvs : dict
        ``{test set name: manifest}``.
    train : bool
        Also build the training and validation sets (a run that only
        scores does not need them).

    Returns
    -------
    train : DynamicItemDataset or None
        Random crops of ``train_csv``.
    valid : DynamicItemDataset or None
        First-segment crops of ``valid_csv``.
    tests : dict
        ``{test set name: DynamicItemDataset}``.

    Example
    -------
    >>> csv = getfixture("tmpdir").join("eval.csv").strpath
    >>> with open(csv, "w") as f:
    ...     _ = f.write("ID,duration,wav,label\\nu1,1.0,u1.flac,spoof\\n")
    >>> hparams = {"segment_samples": 8000, "sample_rate": 16000}
    >>> train, _, tests = recipe_datasets(hparams, {"eval": csv}, train=False)
    >>> train, len(tests["eval"])
    (None, 1)
    """
    common = {
        "segment_samples": hparams["segment_samples"],
        "sample_rate": hparams["sample_rate"],
    }
    train_set = valid_set = None
    if train:
        train_set = countermeasure_dataset(
            hparams["train_csv"],
            train=True,
            seed=hparams["seed"],
            epoch_counter=hparams["epoch_counter"],
            **common,
        )
        valid_set = countermeasure_dataset(hparams["valid_csv"], **common)
    tests = {
        name: countermeasure_dataset(csv, **common)
        for name, csv in test_csvs.items()
    }
    return train_set, valid_set, tests
