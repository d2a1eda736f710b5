"""Builds MiniSpoof-LA in the ASVspoof 2019 LA layout.

:func:`build_minispoof_la` checks its options, reuses or refuses to touch
an existing build, plans every utterance (:mod:`.plan`), renders the audio
(:mod:`.render`) into a staging folder next to the target, writes the
protocols and ASV score files, moves everything into place and writes the
README and, last, the metadata that marks the build complete.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip
import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path

import soundfile as sf
from tqdm import tqdm

from speechbrain_fica.minispoof.config import (
    ASV_SCORE_FILES,
    DEFAULT_N_BONAFIDE,
    DEFAULT_N_PER_ATTACK,
    FS,
    META_FILE,
    PROTOCOL_FILES,
    SPLITS,
)
from speechbrain_fica.minispoof.cues import cue_eers
from speechbrain_fica.minispoof.generators import check_demo_dependencies
from speechbrain_fica.minispoof.metadata import (
    build_options,
    build_summary,
    corpus_metadata,
    is_complete,
)
from speechbrain_fica.minispoof.plan import BONAFIDE, plan_jobs
from speechbrain_fica.minispoof.readme import render_readme
from speechbrain_fica.minispoof.render import default_workers, render_jobs
from speechbrain_fica.minispoof.sources import ASV_DIR, check_source_data

logger = logging.getLogger(__name__)

#: Folder inside the output folder where a build is written before it is
#: moved into place.
STAGING_DIR = ".minispoof_build"


def _per_split(value, default, name):
    """Reads a per-split count given as None, an int, a dict or 3 values."""
    if value is None:
        return dict(default)
    if isinstance(value, int):
        return {s: int(value) for s in SPLITS}
    if isinstance(value, dict):
        missing = [s for s in SPLITS if s not in value]
        if missing:
            raise ValueError(f"{name} is missing splits {missing}")
        result = {s: int(value[s]) for s in SPLITS}
    else:
        result = dict(zip(SPLITS, (int(v) for v in value)))
        if len(result) != 3:
            raise ValueError(f"{name} needs three values (train, dev, eval)")
    if any(v < 1 for v in result.values()):
        raise ValueError(f"{name} must be >= 1 for every split: {result}")
    return result


def _check_options(n_bonafide, n_spoof_per_attack, fsdd_fraction, durations):
    """Validates the options; returns the per-split counts and durations."""
    n_bonafide = _per_split(n_bonafide, DEFAULT_N_BONAFIDE, "n_bonafide")
    n_per_attack = _per_split(
        n_spoof_per_attack, DEFAULT_N_PER_ATTACK, "n_spoof_per_attack"
    )
    if not 0.0 <= fsdd_fraction <= 1.0:
        raise ValueError(f"fsdd_fraction must be in [0, 1]: {fsdd_fraction}")
    checked = (float(durations[0]), float(durations[1]))
    if not 0.5 <= checked[0] <= checked[1] <= 6.0:
        raise ValueError(
            f"duration_range must satisfy 0.5 <= min <= max <= 6 s: {durations}"
        )
    return n_bonafide, n_per_attack, checked


def _read_metadata(out_dir):
    meta_path = out_dir / META_FILE
    if not meta_path.exists():
        return None
    with open(meta_path) as fh:
        return json.load(fh)


def _check_replaceable(out_dir, old_meta, options, overwrite):
    """Refuses to replace a foreign folder, or another build unasked."""
    la_dir = out_dir / "LA"
    if not la_dir.exists():
        return
    if old_meta is None:
        raise FileExistsError(
            f"{la_dir} exists but is not a MiniSpoof-LA build (no "
            f"{META_FILE}); refusing to touch it. Choose another "
            "output_folder."
        )
    if old_meta.get("options") != options and not overwrite:
        raise FileExistsError(
            f"{out_dir} holds a MiniSpoof-LA build with other options "
            f"({old_meta.get('options')}); pass overwrite=True to "
            "replace it, or choose another output_folder."
        )


def _write_audio(staging_la, jobs, num_workers, progress):
    """Renders every job into the staging folder; returns the audio md5.

    The md5 runs over every utterance id and its int16 samples, in plan
    order (train, dev, eval, by utterance id).
    """
    all_jobs = [job for split in SPLITS for job in jobs[split]]
    flac_dirs = {}
    for split in SPLITS:
        flac_dirs[split] = staging_la / f"ASVspoof2019_LA_{split}" / "flac"
        flac_dirs[split].mkdir(parents=True)
    split_of = {job["utt"]: job["split"] for job in all_jobs}
    if num_workers is None:
        num_workers = default_workers()
    num_workers = min(int(num_workers), len(all_jobs))
    logger.info(
        "Rendering %d utterances with %d workers",
        len(all_jobs),
        max(num_workers, 1),
    )
    audio_md5 = hashlib.md5()
    with tqdm(
        total=len(all_jobs), desc="MiniSpoof-LA", disable=not progress
    ) as bar:
        for utt, samples in render_jobs(all_jobs, num_workers):
            path = flac_dirs[split_of[utt]] / f"{utt}.flac"
            sf.write(str(path), samples, FS, format="FLAC", subtype="PCM_16")
            audio_md5.update(utt.encode())
            audio_md5.update(samples.tobytes())
            bar.update(1)
    return audio_md5.hexdigest()


def _write_protocols(staging_la, jobs):
    """Writes the CM protocols; returns the md5 of each, by split."""
    proto_dir = staging_la / "ASVspoof2019_LA_cm_protocols"
    proto_dir.mkdir()
    protocols_md5 = {}
    for split in SPLITS:
        text = "".join(
            f"{j['speaker']} {j['utt']} - {j['system']} "
            f"{'bonafide' if j['system'] == BONAFIDE else 'spoof'}\n"
            for j in jobs[split]
        )
        (proto_dir / PROTOCOL_FILES[split]).write_text(text)
        protocols_md5[split] = hashlib.md5(text.encode()).hexdigest()
    return protocols_md5


def _write_asv_scores(staging_la):
    """Unpacks the shipped ASVspoof 2019 LA ASV score files."""
    asv_dir = staging_la / "ASVspoof2019_LA_asv_scores"
    asv_dir.mkdir()
    for name in ASV_SCORE_FILES.values():
        with gzip.open(ASV_DIR / f"{name}.gz", "rb") as src:
            (asv_dir / name).write_bytes(src.read())


def _move_into_place(staging_dir, out_dir):
    """Replaces ``out_dir/LA`` (and drops the old metadata) by the staging
    build."""
    meta_path = out_dir / META_FILE
    la_dir = out_dir / "LA"
    if meta_path.exists():
        meta_path.unlink()
    if la_dir.exists():
        shutil.rmtree(la_dir)
    os.replace(staging_dir / "LA", la_dir)
    shutil.rmtree(staging_dir)


def _finish(out_dir, meta, compute_cues):
    """Measures the cues, writes the README, then the metadata (last)."""
    if compute_cues:
        meta["cue_eers"] = {"eval": cue_eers(out_dir, "eval")}
    readme_meta = dict(meta)
    readme_meta["cue_eers"] = (meta.get("cue_eers") or {}).get("eval")
    (out_dir / "LA" / "README.md").write_text(render_readme(readme_meta))
    with open(out_dir / META_FILE, "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=False)
        fh.write("\n")


def build_minispoof_la(
    output_folder,
    seed=1234,
    n_bonafide=None,
    n_spoof_per_attack=None,
    fsdd_fraction=0.4,
    duration_range=(2.0, 4.0),
    num_workers=None,
    skip_if_exists=True,
    overwrite=False,
    compute_cues=True,
    progress=True,
):
    """Builds MiniSpoof-LA in the ASVspoof 2019 LA layout.

    Arguments
    ---------
    output_folder : str or Path
        Folder that receives ``LA/`` and ``minispoof_meta.json``.
    seed : int
        Seed of every random choice; the same seed (and package versions)
        gives byte-identical protocols and audio.
    n_bonafide : dict, sequence or int, optional
        Bona fide utterances per split (default train 100, dev 50,
        eval 100).
    n_spoof_per_attack : dict, sequence or int, optional
        Spoofed utterances per attack and split (default train 50,
        dev 25, eval 35).
    fsdd_fraction : float
        Fraction of every (split, system) block made from FSDD digits; the
        rest comes from LibriSpeech.
    duration_range : tuple of float
        Utterance lengths are drawn uniformly from this range (seconds).
    num_workers : int, optional
        Worker processes (default: available CPUs, at most 8). The output
        does not depend on it. 0 or 1 runs in this process.
    skip_if_exists : bool
        If the folder already holds a complete build with the same
        options, return at once.
    overwrite : bool
        Replace an existing MiniSpoof build made with other options
        (folders without ``minispoof_meta.json`` are never deleted).
    compute_cues : bool
        Measure the single-cue EERs on eval
        (:func:`speechbrain_fica.minispoof.cues.cue_eers`) and record
        them in the metadata and README.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict
        ``output_folder``, ``la_folder``, ``protocols``, ``asv_scores``,
        ``counts`` (per split, system and source), ``cue_eers``,
        ``skipped`` and ``seconds``.

    Raises
    ------
    ValueError
        An option is out of range.
    FileExistsError
        ``output_folder/LA`` exists and is not a MiniSpoof-LA build, or is
        one with other options and ``overwrite`` is False.
    ImportError
        ``pyworld`` or ``pysptk`` is missing
        (``pip install speechbrain-fica[demo]``).

    Example
    -------
    >>> out = getfixture("tmpdir")
    >>> info = build_minispoof_la(
    ...     str(out),
    ...     n_bonafide=2,
    ...     n_spoof_per_attack=1,
    ...     num_workers=0,
    ...     compute_cues=False,
    ...     progress=False,
    ... )
    >>> sorted(info["counts"]["eval"])
    ['MS01', 'MS04', 'MS05', 'MS06', 'MS07', 'MS08', 'bonafide']
    >>> build_minispoof_la(
    ...     str(out),
    ...     n_bonafide=2,
    ...     n_spoof_per_attack=1,
    ...     num_workers=0,
    ...     compute_cues=False,
    ... )["skipped"]
    True
    """
    t_start = time.perf_counter()
    out_dir = Path(output_folder)
    n_bonafide, n_per_attack, durations = _check_options(
        n_bonafide, n_spoof_per_attack, fsdd_fraction, duration_range
    )
    options = build_options(
        seed, n_bonafide, n_per_attack, fsdd_fraction, durations
    )
    old_meta = _read_metadata(out_dir)
    if (
        skip_if_exists
        and old_meta is not None
        and old_meta.get("options") == options
        and is_complete(out_dir, old_meta)
    ):
        logger.info("MiniSpoof-LA already built in %s, skipping", out_dir)
        seconds = time.perf_counter() - t_start
        return build_summary(out_dir, old_meta, True, seconds)
    _check_replaceable(out_dir, old_meta, options, overwrite)
    # fail early on missing data or optional packages
    check_source_data()
    check_demo_dependencies()

    logger.info("Building MiniSpoof-LA (seed %d) in %s", seed, out_dir)
    jobs = plan_jobs(seed, n_bonafide, n_per_attack, fsdd_fraction, durations)
    staging_dir = out_dir / STAGING_DIR
    if staging_dir.exists():
        shutil.rmtree(staging_dir)
    audio_md5 = _write_audio(staging_dir / "LA", jobs, num_workers, progress)
    protocols_md5 = _write_protocols(staging_dir / "LA", jobs)
    _write_asv_scores(staging_dir / "LA")
    meta = corpus_metadata(options, jobs, protocols_md5, audio_md5)
    _move_into_place(staging_dir, out_dir)
    _finish(out_dir, meta, compute_cues)
    seconds = time.perf_counter() - t_start
    logger.info("MiniSpoof-LA built in %.1f s: %s", seconds, out_dir / "LA")
    return build_summary(out_dir, meta, False, seconds)
