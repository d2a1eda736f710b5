"""Command line of the MiniSpoof-LA builder.

Example::

    python -m speechbrain_fica.minispoof --output_folder MiniSpoof

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import logging

from speechbrain_fica.minispoof.build import build_minispoof_la
from speechbrain_fica.minispoof.config import SPLITS


def main(argv=None):
    """Command-line entry point (see ``--help``).

    Arguments
    ---------
    argv : list of str, optional
        ``--output_folder`` and the build options (default:
        ``sys.argv[1:]``).

    Returns
    -------
    dict
        The summary returned by :func:`build_minispoof_la`.
    """
    parser = argparse.ArgumentParser(
        prog="python -m speechbrain_fica.minispoof",
        description=(
            "Build MiniSpoof-LA, a small offline spoofing-detection corpus "
            "in the exact ASVspoof 2019 LA layout and protocol format "
            "(LA/ASVspoof2019_LA_{train,dev,eval}/flac, "
            "LA/ASVspoof2019_LA_cm_protocols, LA/ASVspoof2019_LA_asv_scores)"
            ", from FSDD and LibriSpeech audio shipped with the package and "
            "eight pip-only spoof generators (they need pyworld and pysptk: "
            "pip install speechbrain-fica[demo])."
        ),
    )
    parser.add_argument(
        "--output_folder", required=True, help="folder that receives LA/"
    )
    parser.add_argument(
        "--seed", type=int, default=1234, help="random seed (default 1234)"
    )
    # One count per split.
    per_split = {"type": int, "nargs": 3, "metavar": ("TRAIN", "DEV", "EVAL")}
    parser.add_argument(
        "--n_bonafide",
        help="bona fide utterances per split (default 100 50 100)",
        **per_split,
    )
    parser.add_argument(
        "--n_spoof_per_attack",
        help="spoofed utterances per attack and split (default 50 25 35)",
        **per_split,
    )
    parser.add_argument(
        "--fsdd_fraction",
        type=float,
        default=0.4,
        help="fraction of each block made from FSDD digits (default 0.4)",
    )
    parser.add_argument(
        "--num_workers",
        type=int,
        default=None,
        help="worker processes (default: CPUs, at most 8; 0 = in-process)",
    )
    parser.add_argument(
        "--no_skip",
        action="store_true",
        help="rebuild even if an identical build exists",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing MiniSpoof-LA build made with other options",
    )
    parser.add_argument(
        "--no_cues",
        action="store_true",
        help="do not measure the single-cue EERs after building",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    info = build_minispoof_la(
        args.output_folder,
        seed=args.seed,
        n_bonafide=args.n_bonafide,
        n_spoof_per_attack=args.n_spoof_per_attack,
        fsdd_fraction=args.fsdd_fraction,
        num_workers=args.num_workers,
        skip_if_exists=not args.no_skip,
        overwrite=args.overwrite,
        compute_cues=not args.no_cues,
    )
    for split in SPLITS:
        n = sum(sum(v.values()) for v in info["counts"][split].values())
        print(f"{split}: {n} utterances -> {info['protocols'][split]}")
    if info["cue_eers"]:
        eers = info["cue_eers"]["eval"]
        print(
            "single-cue EERs on eval: "
            + ", ".join(f"{k} {100 * v:.1f} %" for k, v in eers.items())
        )
    print(f"done in {info['seconds']:.1f} s ({info['la_folder']})")
    return info
