"""A run stopped while it saves a checkpoint must still resume.

SpeechBrain's own Checkpointer writes ``CKPT.yaml`` before the
recoverables: a kill in between leaves a folder that it takes for a
checkpoint and then cannot load. The plugin's Checkpointer publishes a
checkpoint only once it is complete.

A ``--test_only`` run needs weights to score: given ones or a trained
experiment's checkpoint (``check_weights_to_score``).

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os

import pytest
import torch
from hyperpyyaml import load_hyperpyyaml
from speechbrain.utils import checkpoints as sb_checkpoints

from speechbrain_fica.utils.checkpoints import (
    Checkpointer,
    check_weights_to_score,
)
from tests.utils.samples import REPO_ROOT


@sb_checkpoints.register_checkpoint_hooks
class Flaky:
    """A recoverable whose save can be made to fail, like a process killed
    in the middle of writing a checkpoint."""

    def __init__(self):
        self.value = 0
        self.fail = False

    @sb_checkpoints.mark_as_saver
    def save(self, path):
        if self.fail:
            raise KeyboardInterrupt("stopped while saving")
        with open(path, "w") as stream:
            stream.write(str(self.value))

    @sb_checkpoints.mark_as_loader
    def load(self, path, end_of_epoch=True):
        with open(path) as stream:
            self.value = int(stream.read())


def with_recoverables(checkpointer_class, folder, layer, flaky):
    """A checkpointer of ``layer`` and ``flaky``, added as the Brain adds
    its own recoverables."""
    checkpointer = checkpointer_class(folder)
    checkpointer.add_recoverable("layer", layer)
    checkpointer.add_recoverable("flaky", flaky)
    return checkpointer


def interrupted_save(folder, checkpointer_class):
    """A complete checkpoint (weights 1, value 7), then a save of other
    state (weights 2, value 8) stopped after the weights were written."""
    layer, flaky = torch.nn.Linear(2, 2), Flaky()
    checkpointer = with_recoverables(checkpointer_class, folder, layer, flaky)
    with torch.no_grad():
        layer.weight.fill_(1.0)
    flaky.value = 7
    checkpointer.save_checkpoint(meta={"EER": 0.2})
    with torch.no_grad():
        layer.weight.fill_(2.0)
    flaky.value, flaky.fail = 8, True
    with pytest.raises(KeyboardInterrupt):
        checkpointer.save_checkpoint(meta={"EER": 0.1})
    dirs = [d for d in os.listdir(folder) if d.startswith("CKPT")]
    assert len(dirs) == 2
    return layer, flaky


def test_stock_checkpointer_cannot_resume_an_interrupted_save(tmp_path):
    interrupted_save(tmp_path, sb_checkpoints.Checkpointer)
    checkpointer = with_recoverables(
        sb_checkpoints.Checkpointer, tmp_path, torch.nn.Linear(2, 2), Flaky()
    )
    with pytest.raises(RuntimeError, match="missing a load path"):
        checkpointer.recover_if_possible(min_key="EER")


def test_interrupted_save_is_skipped_and_resume_uses_the_last_complete(
    tmp_path, caplog
):
    interrupted_save(tmp_path, Checkpointer)
    layer, flaky = torch.nn.Linear(2, 2), Flaky()
    checkpointer = with_recoverables(Checkpointer, tmp_path, layer, flaky)
    with caplog.at_level(logging.WARNING):
        found = checkpointer.recover_if_possible(min_key="EER")
    assert found.meta["EER"] == 0.2
    assert torch.equal(layer.weight, torch.ones(2, 2))
    assert flaky.value == 7
    incomplete = [r for r in caplog.records if "incomplete" in r.message]
    assert incomplete and "CKPT" in incomplete[0].getMessage()
    assert len(checkpointer.list_checkpoints()) == 1

    # The next save publishes a complete checkpoint and removes the rest.
    flaky.value = 9
    checkpointer.save_and_keep_only(meta={"EER": 0.05}, min_keys=["EER"])
    dirs = [d for d in os.listdir(tmp_path) if d.startswith("CKPT")]
    assert len(dirs) == 1
    assert os.path.isfile(os.path.join(tmp_path, dirs[0], "CKPT.yaml"))
    assert not any(
        name.endswith(".partial")
        for name in os.listdir(os.path.join(tmp_path, dirs[0]))
    )


def test_checkpoints_stay_readable_by_speechbrain(tmp_path):
    layer = torch.nn.Linear(2, 2)
    Checkpointer(tmp_path, recoverables={"layer": layer}).save_checkpoint(
        meta={"EER": 0.3}
    )
    stock = sb_checkpoints.Checkpointer(tmp_path)
    assert stock.find_checkpoint(min_key="EER").meta["EER"] == 0.3


def test_test_only_needs_weights(tmp_path):
    with open(
        os.path.join(
            REPO_ROOT, "recipes", "ASVspoof2021", "hparams", "lcnn.yaml"
        )
    ) as f:
        hparams = load_hyperpyyaml(
            f,
            {
                "data_folder": "x",
                "data_folder_2019": "y",
                "output_folder": str(tmp_path),
            },
        )
    system = hparams["system"]
    with pytest.raises(FileNotFoundError, match="--test_only needs"):
        check_weights_to_score(system)
    # A trained experiment (a checkpoint with a dev EER) is enough.
    system["checkpointer"].save_checkpoint(meta={"EER": 10.0})
    check_weights_to_score(system)
