"""Command line of the figure tools (Fig. 2 and Fig. 3 of the FICA paper).

::

    python -m speechbrain_fica.analysis tsne EXPERIMENT --utterance ID
    python -m speechbrain_fica.analysis masks --experiment EXPERIMENT \\
        --utterance ID --output fig3.png
    python -m speechbrain_fica.analysis masks --audio file.flac \\
        --output fig3.png

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import logging
import os
import sys

from speechbrain_fica.analysis.masks import mask_figure
from speechbrain_fica.analysis.tsne import tsne_figure


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m speechbrain_fica.analysis",
        description="Figures of the FICA paper for trained experiments.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    tsne = commands.add_parser(
        "tsne",
        help="Fig. 2: t-SNE of embeddings with band-masked copies",
        description="t-SNE of a trained experiment's embeddings of N "
        "utterances plus K band-pass-masked copies of one utterance; writes "
        "tsne_<utterance>.png and .csv (needs scikit-learn).",
    )
    tsne.add_argument("experiment", help="the recipe's output_folder")
    tsne.add_argument("--utterance", required=True, help="ID to mask")
    tsne.add_argument(
        "--manifest",
        help="utterances (default <experiment>/save/manifests/eval.csv)",
    )
    tsne.add_argument("--n_utterances", type=int, default=500)
    tsne.add_argument("--n_copies", type=int, default=20)
    tsne.add_argument("--seed", type=int, default=1)
    tsne.add_argument("--perplexity", type=float, default=30.0)
    tsne.add_argument("--batch_size", type=int, default=16)
    tsne.add_argument("--device", default="cpu")
    tsne.add_argument("--output_folder", help="default <experiment>/analysis")

    masks = commands.add_parser(
        "masks",
        help="Fig. 3: LCNN feature maps, band-masked vs SpecAugment",
        description="The LCNN's Fbank, delta and delta-delta maps of one "
        "utterance: clean, InF band-pass-masked and SpecAugment-masked.",
    )
    source = masks.add_mutually_exclusive_group(required=True)
    source.add_argument("--audio", help="a mono 16 kHz audio file")
    source.add_argument("--experiment", help="an LCNN recipe output_folder")
    masks.add_argument("--utterance", help="utterance ID (with --experiment)")
    masks.add_argument("--manifest", help="default: the experiment's eval.csv")
    masks.add_argument("--output", required=True, help="PNG file to write")
    masks.add_argument(
        "--low_edge", type=float, help="InF band's lower edge in Hz"
    )
    masks.add_argument("--seed", type=int, default=1)
    masks.add_argument(
        "--time_mask", type=int, default=60, help="frames; 0 = none"
    )
    masks.add_argument(
        "--freq_mask", type=int, default=20, help="feature bins; 0 = none"
    )
    return parser


def main(argv=None):
    """Runs the command line.

    Arguments
    ---------
    argv : list, optional
        Arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        Exit status.
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "tsne":
        output = args.output_folder or os.path.join(args.experiment, "analysis")
        png, csv = tsne_figure(
            args.experiment,
            args.utterance,
            output,
            manifest=args.manifest,
            n_utterances=args.n_utterances,
            n_copies=args.n_copies,
            seed=args.seed,
            perplexity=args.perplexity,
            device=args.device,
            batch_size=args.batch_size,
        )
        print(png)
        print(csv)
    else:
        png = mask_figure(
            args.output,
            audio=args.audio,
            experiment=args.experiment,
            utterance=args.utterance,
            manifest=args.manifest,
            low_edge=args.low_edge,
            seed=args.seed,
            time_mask=args.time_mask,
            freq_mask=args.freq_mask,
        )
        print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
