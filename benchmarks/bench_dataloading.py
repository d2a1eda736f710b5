#!/usr/bin/env python3
"""Data-loading throughput of the recipe's training pipeline.

Writes ``n_files`` 16 kHz mono FLAC files of random durations (2-8 s, like
ASVspoof 2019 LA) to a temporary folder, builds the manifest and
``speechbrain_fica.dataio.datasets.countermeasure_dataset`` (random
training crops of ``segment_samples``), and reads it through a
``torch.utils.data.DataLoader`` with SpeechBrain's ``PaddedBatch`` collate,
for each number of workers. Each pass over the files is timed; the first
pass includes starting the workers, later passes (persistent workers)
show the steady rate (the OS file cache is warm in all passes: this measures decoding, cropping
and collation, not the disk).

Usage::

    python benchmarks/bench_dataloading.py [--n-files 64] [--workers 0 2]

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import numpy as np
import torch
from speechbrain.dataio import audio_io
from speechbrain.dataio.batch import PaddedBatch
from torch.utils.data import DataLoader

from speechbrain_fica.dataio.datasets import countermeasure_dataset

SAMPLE_RATE = 16000


def write_corpus(folder, n_files, seed=0):
    """FLAC files with random durations and a manifest CSV; returns its path.

    Arguments
    ---------
    folder : str
        Where to write.
    n_files : int
        Number of files.
    seed : int
        Seed of the durations and the noise.

    Returns
    -------
    str
        The manifest path (``ID, duration, wav, label``).

    Example
    -------
    >>> csv = write_corpus(getfixture("tmpdir").strpath, 2)
    >>> open(csv).readline().strip()
    'ID,duration,wav,label'
    """
    rng = np.random.default_rng(seed)
    rows = ["ID,duration,wav,label"]
    for index in range(n_files):
        n_samples = int(rng.uniform(2.0, 8.0) * SAMPLE_RATE)
        wav = 0.1 * rng.standard_normal(n_samples).astype(np.float32)
        path = os.path.join(folder, f"utt{index:05d}.flac")
        audio_io.save(path, torch.from_numpy(wav)[None], SAMPLE_RATE)
        label = "bonafide" if index % 2 else "spoof"
        rows.append(f"utt{index:05d},{n_samples / SAMPLE_RATE},{path},{label}")
    csv_path = os.path.join(folder, "manifest.csv")
    with open(csv_path, "w", encoding="utf-8") as stream:
        stream.write("\n".join(rows) + "\n")
    return csv_path


def loader_throughput(csv_path, num_workers, batch_size, segment, passes):
    """Utterances per second of each pass over the dataset.

    Arguments
    ---------
    csv_path : str
        Manifest.
    num_workers : int
        DataLoader workers.
    batch_size : int
        Batch size.
    segment : int
        Samples per training crop.
    passes : int
        Passes over the data (the first one starts the workers).

    Returns
    -------
    list of float
        Utterances per second of each pass.
    """
    dataset = countermeasure_dataset(csv_path, segment, train=True)
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=num_workers,
        collate_fn=PaddedBatch,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
        persistent_workers=num_workers > 0,
    )
    rates = []
    for _ in range(passes):
        start, count = time.perf_counter(), 0
        for batch in loader:
            count += len(batch.id)
        rates.append(count / (time.perf_counter() - start))
    return rates


def run(n_files=64, workers=(0, 2), batch_size=8, segment=96000, passes=3):
    """Runs the benchmark; returns a JSON-serialisable dict.

    Arguments
    ---------
    n_files : int
        Number of generated files.
    workers : sequence of int
        ``num_workers`` values to measure.
    batch_size : int
        Batch size.
    segment : int
        Samples per crop (96,000 = the paper's 6 s).
    passes : int
        Passes over the data per setting.

    Returns
    -------
    dict
        Settings and, per worker count, the rate of each pass.
    """
    results = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = write_corpus(folder, n_files)
        for num_workers in workers:
            rates = loader_throughput(
                csv_path, num_workers, batch_size, segment, passes
            )
            steady = rates[1:] or rates
            results.append(
                {
                    "num_workers": num_workers,
                    "utterances_per_s_per_pass": rates,
                    "first_pass_utterances_per_s": rates[0],
                    "steady_utterances_per_s": statistics.median(steady),
                }
            )
    return {
        "n_files": n_files,
        "batch_size": batch_size,
        "segment_samples": segment,
        "passes": passes,
        "results": results,
    }


def main():
    """Command line: prints one line per worker count and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-files", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--segment-samples", type=int, default=96000)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    report = run(
        args.n_files,
        args.workers,
        args.batch_size,
        args.segment_samples,
        args.passes,
    )
    for row in report["results"]:
        print(
            f"num_workers={row['num_workers']}: "
            f"{row['steady_utterances_per_s']:.1f} utt/s (steady), "
            f"{row['first_pass_utterances_per_s']:.1f} utt/s (first pass)"
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
