"""Tests of ``speechbrain_fica.dataio.datasets`` on real audio: FSDD bona
fide clips and offline spoofs of them (``tests/samples/fsdd_spoofs``),
listed in a hand-written manifest.

* evaluation items are the first ``segment_samples`` samples, tile-repeated
  when the file is shorter;
* training items are random crops whose start is a hash of
  ``(seed, epoch, ID)``: the same whatever the order of access or the
  dataset instance, different between epochs and seeds;
* labels become targets (bona fide = 1), extra columns pass through;
* unreadable or unusable files give an error naming the file.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import numpy as np
import pytest
import soundfile
import torch
from speechbrain.dataio.batch import PaddedBatch
from speechbrain.utils.epoch_loop import EpochCounter

from speechbrain_fica.dataio.audio import AudioError, random_offset
from speechbrain_fica.dataio.datasets import (
    countermeasure_dataset,
    recipe_datasets,
)
from tests.utils.samples import fsdd_clips

SEGMENT = 4500
# (ID, method, clip index, label, attack): clips of 3,840 to 8,560 samples.
ITEMS = [
    ("LA_T_0000001", "bonafide", 0, "bonafide", "-"),  # 4768 samples
    ("LA_T_0000002", "c_griffinlim", 0, "spoof", "A02"),  # 4608
    ("LA_T_0000003", "bonafide", 4, "bonafide", "-"),  # 3906: tiled
    ("LA_T_0000004", "c_griffinlim", 4, "spoof", "A02"),  # 3840: tiled
    ("LA_T_0000005", "bonafide", 1, "bonafide", "-"),  # 8522
    ("LA_T_0000006", "d_espeak", 2, "spoof", "A09"),  # 8560
]


def write_manifest(folder, items=ITEMS, attack_column=True, labels=None):
    """A manifest CSV of real clips; returns (path, {ID: samples})."""
    header = "ID,duration,wav,label" + (",attack" if attack_column else "")
    lines, audio = [header], {}
    for index, (utt, method, clip, label, attack) in enumerate(items):
        path = fsdd_clips(method)[clip]
        samples, rate = soundfile.read(path, dtype="float32")
        audio[utt] = samples
        if labels is not None:
            label = labels[index]
        line = f"{utt},{len(samples) / rate},{path},{label}"
        lines.append(line + (f",{attack}" if attack_column else ""))
    csv = os.path.join(folder, "manifest.csv")
    with open(csv, "w") as stream:
        stream.write("\n".join(lines) + "\n")
    return csv, audio


def tiled(samples, n_samples):
    return np.tile(samples, n_samples // len(samples) + 1)[:n_samples]


@pytest.fixture
def manifest(tmp_path):
    return write_manifest(str(tmp_path))


def test_evaluation_items_are_first_segments(manifest):
    csv, audio = manifest
    dataset = countermeasure_dataset(csv, segment_samples=SEGMENT)
    assert len(dataset) == len(ITEMS)
    n_tiled = 0
    for item in dataset:
        samples = audio[item["id"]]
        assert item["sig"].shape == (SEGMENT,)
        assert item["sig"].dtype == torch.float32
        if len(samples) >= SEGMENT:
            expected = samples[:SEGMENT]
        else:
            n_tiled += 1
            expected = tiled(samples, SEGMENT)
            # The file starts again right after its end.
            assert torch.equal(
                item["sig"][len(samples) :],
                item["sig"][: SEGMENT - len(samples)],
            )
        np.testing.assert_array_equal(item["sig"].numpy(), expected)
    assert n_tiled == 2


def test_training_crops_follow_seed_epoch_and_id(manifest):
    csv, audio = manifest
    counter = EpochCounter(limit=3)
    counter.current = 1
    dataset = countermeasure_dataset(
        csv, SEGMENT, train=True, seed=7, epoch_counter=counter
    )
    crops = {item["id"]: item["sig"] for item in dataset}
    n_cropped_late = 0
    for utt, samples in audio.items():
        if len(samples) < SEGMENT:
            expected = tiled(samples, SEGMENT)
        else:
            offset = random_offset(len(samples), SEGMENT, 7, 1, utt)
            assert 0 <= offset < len(samples) - SEGMENT
            n_cropped_late += offset > 0
            expected = samples[offset : offset + SEGMENT]
        np.testing.assert_array_equal(crops[utt].numpy(), expected)
    assert n_cropped_late >= 3
    # Another instance, items read in reverse: the same crops.
    again = countermeasure_dataset(
        csv, SEGMENT, train=True, seed=7, epoch_counter=counter
    )
    for index in reversed(range(len(again))):
        item = again[index]
        assert torch.equal(item["sig"], crops[item["id"]])
    # Another epoch (read from the counter at access time) or seed: other
    # crops of the long files; short files are tiled the same.
    counter.current = 2
    other_epoch = {item["id"]: item["sig"] for item in dataset}
    other_seed = {
        item["id"]: item["sig"]
        for item in countermeasure_dataset(
            csv, SEGMENT, train=True, seed=8, epoch_counter=counter
        )
    }
    long_ids = [utt for utt, s in audio.items() if len(s) > SEGMENT + 100]
    for others in (other_epoch, other_seed):
        changed = [
            utt for utt in long_ids if not torch.equal(others[utt], crops[utt])
        ]
        assert len(changed) >= len(long_ids) - 1
    short_id = "LA_T_0000003"
    assert torch.equal(other_epoch[short_id], crops[short_id])


def test_targets_and_passed_columns(manifest, tmp_path):
    csv, _ = manifest
    dataset = countermeasure_dataset(csv, segment_samples=SEGMENT)
    items = list(dataset)
    assert [item["target"].tolist() for item in items] == [
        [1] if label == "bonafide" else [0] for *_, label, _ in ITEMS
    ]
    assert [item["attack"] for item in items] == [a for *_, a in ITEMS]
    batch = PaddedBatch(items[:4])
    assert batch.target.data.tolist() == [[1], [0], [1], [0]]
    assert batch.sig.data.shape == (4, SEGMENT)
    # Without an attack column, items have no attack.
    folder = tmp_path / "no_attack"
    folder.mkdir()
    no_attack, _ = write_manifest(str(folder), attack_column=False)
    item = countermeasure_dataset(no_attack, SEGMENT)[0]
    assert set(item) == {"id", "sig", "target"}


def test_bad_label_names_the_utterance(tmp_path):
    labels = ["bonafide", "genuine"] + ["spoof"] * 4
    csv, _ = write_manifest(str(tmp_path), labels=labels)
    dataset = countermeasure_dataset(csv, SEGMENT)
    assert dataset[0]["target"].tolist() == [1]
    with pytest.raises(ValueError, match="LA_T_0000002: label 'genuine'"):
        dataset[1]


def test_unusable_audio_names_the_file(tmp_path):
    csv, _ = write_manifest(str(tmp_path))
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC but not really a flac stream")
    slow = tmp_path / "slow.flac"
    soundfile.write(str(slow), np.zeros(4000, dtype="float32"), 8000)
    with open(csv, "a") as stream:
        stream.write(f"LA_T_0000007,0.5,{broken},spoof,A01\n")
        stream.write(f"LA_T_0000008,0.5,{slow},spoof,A01\n")
    dataset = countermeasure_dataset(csv, SEGMENT, train=True)
    dataset[0]  # the good files still load
    with pytest.raises(AudioError, match="cannot read audio") as error:
        dataset[6]
    assert str(broken) in str(error.value)
    with pytest.raises(AudioError, match="8000 Hz, expected 16000") as error:
        dataset[7]
    assert str(slow) in str(error.value)


def test_recipe_datasets(manifest):
    csv, audio = manifest
    counter = EpochCounter(limit=2)
    counter.current = 1
    hparams = {
        "segment_samples": 6000,
        "sample_rate": 16000,
        "train_csv": csv,
        "valid_csv": csv,
        "seed": 3,
        "epoch_counter": counter,
    }
    train, valid, tests = recipe_datasets(hparams, {"eval": csv})
    utt = "LA_T_0000005"  # 8,522 samples
    index = [item[0] for item in ITEMS].index(utt)
    offset = random_offset(len(audio[utt]), 6000, 3, 1, utt)
    assert offset > 0
    np.testing.assert_array_equal(
        train[index]["sig"].numpy(), audio[utt][offset : offset + 6000]
    )
    for first_segments in (valid, tests["eval"]):
        np.testing.assert_array_equal(
            first_segments[index]["sig"].numpy(), audio[utt][:6000]
        )
