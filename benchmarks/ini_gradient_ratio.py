#!/usr/bin/env python3
"""How much each FICA term pulls at initialisation, per InI reduction.

Builds a recipe system (the ASVspoof 2019 yaml through hyperpyyaml, as
``train.py`` does), fills its memory bank to capacity with the momentum
encoder's keys of the training utterances (the initial weights; the keys
are repeated when there are fewer utterances than bank slots), then, for a
few random training batches, runs ``FICABrain.compute_forward`` and
``compute_objectives`` once per ``ini_reduction`` with ``grad_norm_every =
1`` (no optimiser step: the weights stay the initial ones). It prints the
mean over the batches of every ``gnorm_<term>/ce`` the Brain records: the
norm of the gradient of the weighted term with respect to the backbone's
parameters divided by that of the clean cross-entropy.

Audio: the training split of a corpus in the ASVspoof 2019 LA layout
(e.g. MiniSpoof-LA), every file cut or tile-repeated to the yaml's
``segment_samples`` (the first segment), labels from the protocol.

Usage::

    python benchmarks/ini_gradient_ratio.py \\
        recipes/ASVspoof2019/hparams/aasist_fica.yaml MiniSpoof/LA \\
        --batches 3

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import speechbrain as sb
import torch
from hyperpyyaml import load_hyperpyyaml
from speechbrain.dataio.batch import PaddedBatch

from speechbrain_fica.brain import INI_REDUCTIONS, FICABrain
from speechbrain_fica.dataio.audio import crop_or_tile, load_waveform

PROTOCOL = "ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.train.trn.txt"


def training_items(data_folder, n_samples, sample_rate):
    """The training utterances of an ASVspoof 2019 LA layout, cut."""
    items = []
    with open(os.path.join(data_folder, PROTOCOL)) as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            path = os.path.join(
                data_folder,
                "ASVspoof2019_LA_train",
                "flac",
                fields[1] + ".flac",
            )
            wav = load_waveform(path, sample_rate)
            items.append(
                {
                    "id": fields[1],
                    "sig": crop_or_tile(wav, n_samples),
                    "target": torch.LongTensor([fields[-1] == "bonafide"]),
                }
            )
    return items


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("hparams", help="a FICA recipe yaml")
    parser.add_argument("data_folder", help="LA folder (2019 layout)")
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--batch_size", type=int, help="yaml's by default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--overrides", default="", help="extra yaml overrides (yaml text)"
    )
    args = parser.parse_args(argv)
    scratch = tempfile.mkdtemp(prefix="ini_gradient_ratio_")
    overrides = (
        f"data_folder: {args.data_folder}\nseed: {args.seed}\n"
        f"output_folder: {scratch}\n{args.overrides}"
    )
    with open(args.hparams) as f:
        hparams = load_hyperpyyaml(f, overrides)
    hparams["grad_norm_every"] = 1
    batch_size = args.batch_size or hparams["batch_size"]
    items = training_items(
        args.data_folder, hparams["segment_samples"], hparams["sample_rate"]
    )
    brain = FICABrain(
        modules=hparams["modules"],
        opt_class=hparams["opt_class"],
        hparams=hparams,
        run_opts={"device": "cpu"},
    )
    bank = brain.modules.memory_bank
    encoder = brain.modules.momentum_encoder
    encoder.copy_from(brain.modules.model)
    start = time.time()
    keys = []
    for first in range(0, len(items), 16):
        batch = PaddedBatch(items[first : first + 16])
        keys.append(encoder(batch.sig.data, batch.sig.lengths))
    keys = torch.cat(keys)
    labels = torch.cat([item["target"] for item in items])
    while int(bank.count) < bank.size:
        bank.enqueue(keys, labels)
    print(
        f"{len(items)} utterances; bank {bank.class_counts()} "
        f"({time.time() - start:.0f} s)",
        file=sys.stderr,
    )
    brain.modules.train()
    brain.step = 1
    rng = np.random.default_rng(args.seed)
    rows = {name: [] for name in INI_REDUCTIONS}
    for n in range(args.batches):
        chosen = rng.choice(len(items), batch_size, replace=False)
        batch = PaddedBatch([items[i] for i in chosen])
        outputs = brain.compute_forward(batch, sb.Stage.TRAIN)
        for name in INI_REDUCTIONS:
            brain.hparams.ini_reduction = name
            brain.gnorm_sums, brain.gnorm_counts = {}, {}
            brain.compute_objectives(outputs, batch, sb.Stage.TRAIN)
            rows[name].append(brain._gradient_norm_means())
        print(f"batch {n + 1}/{args.batches}", file=sys.stderr)
    weights = brain.loss_weights()
    result = {
        "hparams": os.path.basename(args.hparams),
        "batch_size": batch_size,
        "bank_size": bank.size,
        "segment_samples": hparams["segment_samples"],
        "batches": args.batches,
        "weights": weights,
        "ratios": {
            name: {
                key: float(np.mean([row[key] for row in values]))
                for key in values[0]
            }
            for name, values in rows.items()
        },
    }
    print(json.dumps(result, indent=1))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
