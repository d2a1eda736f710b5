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
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import soundfile as sf
from tqdm import tqdm

from speechbrain_fica.minispoof.attacks import LARGE_ATTACKS
from speechbrain_fica.minispoof.config import (
    ASV_SCORE_FILES,
    DEFAULT_N_BONAFIDE,
    DEFAULT_N_PER_ATTACK,
    DIGIT_WORDS,
    FS,
    LARGE_DEFAULT_N_BONAFIDE,
    LARGE_DEFAULT_N_PER_ATTACK,
    LARGE_DURATION_RANGE,
    LARGE_FSDD_FRACTION,
    META_FILE,
    PROTOCOL_FILES,
    SIZES,
    SPLITS,
)
from speechbrain_fica.minispoof.cues import cue_eers
from speechbrain_fica.minispoof.generators import (
    check_demo_dependencies,
    check_tts_engines,
    synthesize,
)
from speechbrain_fica.minispoof.metadata import (
    build_options,
    build_summary,
    corpus_metadata,
    is_complete,
)
from speechbrain_fica.minispoof.plan import (
    BONAFIDE,
    plan_jobs,
    plan_large_jobs,
)
from speechbrain_fica.minispoof.readme import render_readme
from speechbrain_fica.minispoof.render import (
    default_workers,
    render_jobs,
    render_large_job,
)
from speechbrain_fica.minispoof.sources import (
    ASV_DIR,
    arctic_prompts,
    check_source_data,
)

logger = logging.getLogger(__name__)

#: Folder inside the output folder where a build is written before it is
#: moved into place.
STAGING_DIR = ".minispoof_build"
#: Texts per engine process when synthesising (batches of a voice can run
#: in parallel).
TTS_BATCH_SIZE = 40

#: Defaults per corpus size: bona fide and spoofed utterances per split,
#: FSDD fraction, length range (small: utterance; large: speech).
SIZE_DEFAULTS = {
    "small": (DEFAULT_N_BONAFIDE, DEFAULT_N_PER_ATTACK, 0.4, (2.0, 4.0)),
    "large": (
        LARGE_DEFAULT_N_BONAFIDE,
        LARGE_DEFAULT_N_PER_ATTACK,
        LARGE_FSDD_FRACTION,
        LARGE_DURATION_RANGE,
    ),
}


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


def _check_options(
    size, n_bonafide, n_spoof_per_attack, fsdd_fraction, durations
):
    """Validates the options; returns the per-split counts, the FSDD
    fraction and the durations (defaults of the size filled in)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}: {size!r}")
    default_bona, default_spoof, default_fsdd, default_dur = SIZE_DEFAULTS[size]
    n_bonafide = _per_split(n_bonafide, default_bona, "n_bonafide")
    n_per_attack = _per_split(
        n_spoof_per_attack, default_spoof, "n_spoof_per_attack"
    )
    if fsdd_fraction is None:
        fsdd_fraction = default_fsdd
    if durations is None:
        durations = default_dur
    if not 0.0 <= fsdd_fraction <= 1.0:
        raise ValueError(f"fsdd_fraction must be in [0, 1]: {fsdd_fraction}")
    checked = (float(durations[0]), float(durations[1]))
    if not 0.5 <= checked[0] <= checked[1] <= 6.0:
        raise ValueError(
            f"duration_range must satisfy 0.5 <= min <= max <= 6 s: {durations}"
        )
    return n_bonafide, n_per_attack, float(fsdd_fraction), checked


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


def _tts_items(jobs):
    """What every TTS voice must say: ``{voice: [(item_id, text), ...]}``
    (ARCTIC prompts and digit words), sorted by item id."""
    prompt_text = dict(arctic_prompts())
    needed = {}
    for split in SPLITS:
        for job in jobs[split]:
            if job.get("kind") != "tts":
                continue
            items = needed.setdefault(job["generator"], {})
            for word in job.get("words", []):
                items[word] = DIGIT_WORDS[int(word.split("_")[1])]
            for prompt_id in job.get("prompts", []):
                items[prompt_id] = prompt_text[prompt_id]
    return {voice: sorted(items.items()) for voice, items in needed.items()}


def _synthesize_tts(jobs, tts_dir, num_workers):
    """Synthesises every text of the TTS jobs into ``tts_dir/<voice>/``.

    Batches of :data:`TTS_BATCH_SIZE` texts run in parallel threads (the
    engines are separate processes, except Pico). Batches depend only on
    the plan, so the audio does not depend on ``num_workers``.
    """
    batches = []
    for voice, items in _tts_items(jobs).items():
        (tts_dir / voice).mkdir(parents=True)
        for k in range(0, len(items), TTS_BATCH_SIZE):
            batches.append((voice, items[k : k + TTS_BATCH_SIZE]))
    if not batches:
        return
    n_texts = sum(len(items) for _, items in batches)
    logger.info(
        "Synthesising %d texts with %d TTS voices",
        n_texts,
        len({voice for voice, _ in batches}),
    )
    t_start = time.perf_counter()
    with ThreadPoolExecutor(max(1, num_workers)) as pool:
        futures = [
            pool.submit(synthesize, voice, items, tts_dir / voice)
            for voice, items in batches
        ]
        for future in futures:
            future.result()
    logger.info("TTS done in %.1f s", time.perf_counter() - t_start)


def _duration_stats(lengths, jobs):
    """Seconds per split and class: count, min, mean, max, total."""
    stats = {}
    for split in SPLITS:
        stats[split] = {}
        for key in ("bonafide", "spoof"):
            seconds = [
                lengths[j["utt"]] / FS
                for j in jobs[split]
                if (j["system"] == BONAFIDE) == (key == "bonafide")
            ]
            if seconds:
                stats[split][key] = {
                    "count": len(seconds),
                    "min_s": round(min(seconds), 3),
                    "mean_s": round(sum(seconds) / len(seconds), 3),
                    "max_s": round(max(seconds), 3),
                    "total_min": round(sum(seconds) / 60, 2),
                }
    return stats


def _write_audio(staging_la, jobs, num_workers, progress, render=None):
    """Renders every job into the staging folder.

    Returns the audio md5 and the length of every utterance (samples).
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
    lengths = {}
    render_args = {} if render is None else {"render": render}
    with tqdm(
        total=len(all_jobs), desc="MiniSpoof-LA", disable=not progress
    ) as bar:
        for utt, samples in render_jobs(all_jobs, num_workers, **render_args):
            path = flac_dirs[split_of[utt]] / f"{utt}.flac"
            sf.write(str(path), samples, FS, format="FLAC", subtype="PCM_16")
            audio_md5.update(utt.encode())
            audio_md5.update(samples.tobytes())
            lengths[utt] = len(samples)
            bar.update(1)
    return audio_md5.hexdigest(), lengths


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


def _finish(out_dir, meta, compute_cues, size):
    """Measures the cues, writes the README, then the metadata (last).

    Small: the cues of eval; large: of every split.
    """
    cue_splits = ("eval",) if size == "small" else SPLITS
    if compute_cues:
        meta["cue_eers"] = {s: cue_eers(out_dir, s) for s in cue_splits}
    readme_meta = dict(meta)
    if size == "small":
        readme_meta["cue_eers"] = (meta.get("cue_eers") or {}).get("eval")
    (out_dir / "LA" / "README.md").write_text(render_readme(readme_meta, size))
    with open(out_dir / META_FILE, "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=False)
        fh.write("\n")


def build_minispoof_la(
    output_folder,
    seed=1234,
    n_bonafide=None,
    n_spoof_per_attack=None,
    fsdd_fraction=None,
    duration_range=None,
    num_workers=None,
    skip_if_exists=True,
    overwrite=False,
    compute_cues=True,
    progress=True,
    size="small",
):
    """Builds MiniSpoof-LA in the ASVspoof 2019 LA layout.

    ``size="small"`` (default) is the corpus of eight waveform generators
    on 50 LibriSpeech and 6 FSDD speakers. ``size="large"`` uses all 251
    LibriSpeech speakers and the 25 attacks of
    :data:`speechbrain_fica.minispoof.attacks.LARGE_ATTACKS` (17 of them
    offline text-to-speech voices), with families absent from train in
    eval.

    Arguments
    ---------
    output_folder : str or Path
        Folder that receives ``LA/`` and ``minispoof_meta.json``.
    seed : int
        Seed of every random choice; the same seed (and package versions)
        gives byte-identical protocols and audio.
    n_bonafide : dict, sequence or int, optional
        Bona fide utterances per split (default small: train 100, dev 50,
        eval 100; large: 200, 67, 68, one LibriSpeech utterance per
        speaker).
    n_spoof_per_attack : dict, sequence or int, optional
        Spoofed utterances per attack and split (default small: train 50,
        dev 25, eval 35; large: 25, 10, 10).
    fsdd_fraction : float, optional
        Fraction of every (split, system) block made from FSDD digits; the
        rest comes from LibriSpeech (default small 0.4, large 0.25).
    duration_range : tuple of float, optional
        Small: utterance lengths are drawn uniformly from this range
        (default 2-4 s). Large: the speech length, before the silence
        padding (default 2-5 s).
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
    size : str
        ``"small"`` or ``"large"``.

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
        ``pyworld``, ``pysptk`` (or, for the large corpus, ``ttspico``) is
        missing (``pip install speechbrain-fica[demo]``).
    speechbrain_fica.minispoof.generators.TTSEngineError
        Large corpus: a text-to-speech engine is missing (run
        ``speechbrain_fica/minispoof/install_tts_engines.sh``) or fails.

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
    n_bonafide, n_per_attack, fsdd_fraction, durations = _check_options(
        size, n_bonafide, n_spoof_per_attack, fsdd_fraction, duration_range
    )
    options = build_options(
        seed, n_bonafide, n_per_attack, fsdd_fraction, durations, size
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
    plan_args = (seed, n_bonafide, n_per_attack, fsdd_fraction, durations)
    if size == "large":
        check_tts_engines(
            a.generator for a in LARGE_ATTACKS.values() if a.is_tts
        )

    logger.info("Building MiniSpoof-LA %s (seed %d) in %s", size, seed, out_dir)
    staging_dir = out_dir / STAGING_DIR
    if staging_dir.exists():
        shutil.rmtree(staging_dir)
    if num_workers is None:
        num_workers = default_workers()
    render = None
    if size == "large":
        jobs = plan_large_jobs(*plan_args)
        tts_dir = staging_dir / "tts"
        _synthesize_tts(jobs, tts_dir, num_workers)
        render = partial(render_large_job, tts_dir=str(tts_dir))
    else:
        jobs = plan_jobs(*plan_args)
    audio_md5, lengths = _write_audio(
        staging_dir / "LA", jobs, num_workers, progress, render
    )
    protocols_md5 = _write_protocols(staging_dir / "LA", jobs)
    _write_asv_scores(staging_dir / "LA")
    meta = corpus_metadata(options, jobs, protocols_md5, audio_md5, size)
    if size == "large":
        meta["durations"] = _duration_stats(lengths, jobs)
    _move_into_place(staging_dir, out_dir)
    _finish(out_dir, meta, compute_cues, size)
    seconds = time.perf_counter() - t_start
    logger.info("MiniSpoof-LA built in %.1f s: %s", seconds, out_dir / "LA")
    return build_summary(out_dir, meta, False, seconds)
