"""A two-process FICA training in which one process meets non-finite
batches.

Run by ``tests/integration/test_faults_training.py`` under torchrun (gloo,
CPU)::

    torchrun --standalone --nproc_per_node=2 -m tests.utils.ddp_faults OUT

Twelve real clips (bona fide and spoof alternating) in manifest order with
a batch of 2 per process: process 0 gets items 0, 2, 4, ... and process 1
items 1, 3, 5, ..., three batches each.

* Batch 1: item 3 (process 1) holds a NaN sample. The BatchNorm statistics
  pooled over the processes carry the NaN into process 0's outputs too.
* Batch 2: the loss of process 1 only is made infinite (item 7), after the
  forward: process 0 sees finite values.
* Batch 3: finite everywhere.

Each process saves its training state to ``OUT/rank<r>.pt`` and its
counters to ``OUT/rank<r>.json``.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import os
import sys

import speechbrain as sb
import torch
import torch.distributed as dist
from speechbrain.dataio.dataset import DynamicItemDataset
from speechbrain.utils.data_pipeline import provides, takes
from speechbrain.utils.epoch_loop import EpochCounter

from speechbrain_fica.brain import FICABrain
from speechbrain_fica.dataio.audio import crop_or_tile, load_waveform
from speechbrain_fica.lobes import LCNN
from speechbrain_fica.lobes.fica import (
    BandPassMasker,
    MemoryBank,
    MomentumEncoder,
    unwrap_module,
)
from tests.utils.samples import fsdd_clips

N_ITEMS = 12
NAN_ITEM = 3
INF_LOSS_ID = "utt7"
SEGMENT = 8000


class InfLossBrain(FICABrain):
    """FICABrain whose training loss is infinite on the batch holding
    ``INF_LOSS_ID``."""

    def compute_objectives(self, predictions, batch, stage):
        loss = super().compute_objectives(predictions, batch, stage)
        if stage == sb.Stage.TRAIN and INF_LOSS_ID in batch.id:
            loss = loss + float("inf")
        return loss


def fault_dataset():
    """Twelve clips, bona fide and spoof alternating; item 3 has a NaN."""
    bonafide, spoof = fsdd_clips("bonafide"), fsdd_clips("a_world_resynth")
    data = {}
    for i in range(N_ITEMS):
        path = (bonafide if i % 2 == 0 else spoof)[i]
        data[f"utt{i}"] = {
            "wav": path,
            "label": 1 if i % 2 == 0 else 0,
            "nan": i == NAN_ITEM,
        }
    dataset = DynamicItemDataset(data)

    @takes("wav", "nan")
    @provides("sig")
    def audio(wav, nan):
        signal = crop_or_tile(load_waveform(wav), SEGMENT).clone()
        if nan:
            signal[100] = float("nan")
        return signal

    @takes("label")
    @provides("target")
    def target(label):
        return torch.LongTensor([label])

    dataset.add_dynamic_item(audio)
    dataset.add_dynamic_item(target)
    dataset.set_output_keys(["id", "sig", "target"])
    return dataset


def main(out):
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)  # the same initial model in both processes
    model = LCNN(stacking="channels")
    modules = {
        "model": model,
        "masker": BandPassMasker(bank_size=16),
        "momentum_encoder": MomentumEncoder(model, 0.9),
        "memory_bank": MemoryBank(size=16, embedding_dim=model.embedding_dim),
    }
    brain = InfLossBrain(
        modules=modules,
        opt_class=lambda params: torch.optim.Adam(params, lr=1e-3),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "weight_masked_ce": 1.0,
            "lambda_inf": 0.1,
            "lambda_ini": 1.0,
            "sorting": "none",
        },
        run_opts={
            "device": "cpu",
            "distributed_backend": "gloo",
            "noprogressbar": True,
            "nonfinite_patience": 3,
        },
    )
    brain.fit(
        EpochCounter(1),
        fault_dataset(),
        train_loader_kwargs={"batch_size": 2, "shuffle": False},
    )
    state = {
        name: {
            key: value.detach().clone()
            for key, value in unwrap_module(brain.modules[name])
            .state_dict()
            .items()
        }
        for name in ("model", "momentum_encoder", "memory_bank")
    }
    state["optimizer"] = brain.optimizer.state_dict()
    torch.save(state, os.path.join(out, f"rank{rank}.pt"))
    with open(os.path.join(out, f"rank{rank}.json"), "w") as stream:
        json.dump(
            {
                "nonfinite_batches": brain.nonfinite_batches,
                "optimizer_steps": brain.optimizer_step,
            },
            stream,
        )
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
