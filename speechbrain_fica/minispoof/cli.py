"""Command line of the MiniSpoof-LA builder.

Example::

    python -m speechbrain_fica.minispoof --output_folder MiniSpoof
    python -m speechbrain_fica.minispoof --size large --output_folder MiniSpoofL

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
            ", from FSDD and LibriSpeech audio shipped with the package. "
            "small: eight pip-only spoof generators (they need pyworld and "
            "pysptk: pip install speechbrain-fica[demo]). large: 251 "
            "LibriSpeech speakers, the eight generators and 17 offline "
            "text-to-speech voices, with unseen attack families in eval "
            "(also needs the engines: run "
            "speechbrain_fica/minispoof/install_tts_engines.sh)."
        ),
    )
    parser.add_argument(
        "--output_folder", required=True, help="folder that receives LA/"
    )
    parser.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help="corpus size (default small)",
    )
    parser.add_argument(
        "--seed", type=int, default=1234, help="random seed (default 1234)"
    )
    # One count per split.
    per_split = {"type": int, "nargs": 3, "metavar": ("TRAIN", "DEV", "EVAL")}
    parser.add_argument(
        "--n_bonafide",
        help=(
            "bona fide utterances per split (default small 100 50 100, "
            "large 200 67 68)"
        ),
        **per_split,
    )
    parser.add_argument(
        "--n_spoof_per_attack",
        help=(
            "spoofed utterances per attack and split (default small "
            "50 25 35, large 25 10 10)"
        ),
        **per_split,
    )
    parser.add_argument(
        "--fsdd_fraction",
        type=float,
        default=None,
        help=(
            "fraction of each block made from FSDD digits (default small "
            "0.4, large 0.25)"
        ),
    )
    parser.add_argument(
        "--duration_range",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        default=None,
        help=(
            "seconds: small, utterance length (default 2 4); large, speech "
            "length before the silence padding (default 2 5)"
        ),
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
        duration_range=args.duration_range,
        num_workers=args.num_workers,
        skip_if_exists=not args.no_skip,
        overwrite=args.overwrite,
        compute_cues=not args.no_cues,
        size=args.size,
    )
    for split in SPLITS:
        n = sum(sum(v.values()) for v in info["counts"][split].values())
        print(f"{split}: {n} utterances -> {info['protocols'][split]}")
    for split, eers in (info["cue_eers"] or {}).items():
        print(
            f"single-cue EERs on {split}: "
            + ", ".join(f"{k} {100 * v:.1f} %" for k, v in eers.items())
        )
    print(f"done in {info['seconds']:.1f} s ({info['la_folder']})")
    return info
