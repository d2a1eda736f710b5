"""The metadata of a MiniSpoof-LA build (``minispoof_meta.json``).

The metadata records the options, counts, attacks, speakers, the
post-processing constants, every utterance's plan, checksums and package
versions. It is written last: a build is complete when it exists, and a
later call with the same options skips the build.

Authors
 * speechbrain-fica contributors 2026
"""

import importlib.metadata
import platform
import shutil
import subprocess
from pathlib import Path

import soundfile as sf

from speechbrain_fica.minispoof import config
from speechbrain_fica.minispoof.attacks import attack_table, family_status
from speechbrain_fica.minispoof.config import (
    ASV_SCORE_FILES,
    BUILDER_VERSION,
    PROTOCOL_FILES,
    SPLITS,
)
from speechbrain_fica.minispoof.generators import TTS_VOICES
from speechbrain_fica.minispoof.plan import BONAFIDE
from speechbrain_fica.minispoof.sources import speaker_map, split_speakers

#: Packages whose versions a build records.
RECORDED_PACKAGES = (
    "numpy",
    "scipy",
    "torch",
    "torchaudio",
    "soundfile",
    "pyworld",
    "pysptk",
)


def package_versions():
    """Versions of Python, libsndfile and the packages that shape the audio.

    Returns
    -------
    dict
        ``{name: version or None}``.

    Example
    -------
    >>> sorted(package_versions())[:3]
    ['libsndfile', 'numpy', 'pysptk']
    """
    versions = {"python": platform.python_version()}
    for pkg in RECORDED_PACKAGES:
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = None
    versions["libsndfile"] = sf.__libsndfile_version__
    version_file = Path(__file__).resolve().parent.parent / "version.txt"
    if version_file.exists():
        versions["speechbrain_fica"] = version_file.read_text().strip()
    return versions


#: Debian packages of the text-to-speech engines whose versions a large
#: build records.
TTS_DEBIAN_PACKAGES = (
    "espeak-ng",
    "festival",
    "festvox-kallpc16k",
    "festvox-kdlpc16k",
    "festvox-us-slt-hts",
    "flite",
    "freetts",
)


def tts_engine_versions():
    """Versions of the text-to-speech engines (Debian packages, ttspico).

    Returns
    -------
    dict
        ``{package: version or None}`` (None where it is not installed or
        ``dpkg-query`` is unavailable).

    Example
    -------
    >>> "ttspico" in tts_engine_versions()
    True
    """
    versions = {}
    dpkg = shutil.which("dpkg-query")
    for pkg in TTS_DEBIAN_PACKAGES:
        versions[pkg] = None
        if dpkg is None:
            continue
        result = subprocess.run(
            [dpkg, "-W", "-f=${Version}", pkg],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if result.returncode == 0 and result.stdout.strip():
            versions[pkg] = result.stdout.strip()
    try:
        versions["ttspico"] = importlib.metadata.version("ttspico")
    except importlib.metadata.PackageNotFoundError:
        versions["ttspico"] = None
    return versions


def build_options(
    seed, n_bonafide, n_per_attack, fsdd_fraction, durations, size="small"
):
    """The options record that identifies a build.

    Arguments
    ---------
    seed : int
        Seed of the build.
    n_bonafide : dict
        Bona fide utterances per split.
    n_per_attack : dict
        Spoofed utterances per attack and split.
    fsdd_fraction : float
        Fraction of FSDD-derived utterances per block.
    durations : tuple of float
        Range of the utterance lengths in seconds.
    size : str
        ``"small"`` or ``"large"`` (recorded for large builds only, so
        that small builds keep their options record).

    Returns
    -------
    dict
        JSON-ready options, with the builder version.

    Example
    -------
    >>> n = {"train": 1, "dev": 1, "eval": 1}
    >>> build_options(1, n, n, 0.4, (2, 4))["duration_range_s"]
    [2.0, 4.0]
    """
    options = {"size": size} if size != "small" else {}
    return {
        "builder_version": BUILDER_VERSION,
        **options,
        "seed": int(seed),
        "n_bonafide": {s: int(n_bonafide[s]) for s in SPLITS},
        "n_spoof_per_attack": {s: int(n_per_attack[s]) for s in SPLITS},
        "fsdd_fraction": float(fsdd_fraction),
        "duration_range_s": [float(durations[0]), float(durations[1])],
    }


def count_utterances(jobs):
    """Utterances per split, system and source.

    Arguments
    ---------
    jobs : dict
        ``{split: [job, ...]}``.

    Returns
    -------
    dict
        ``{split: {"bonafide" or attack id: {"fsdd": n, "libri": n}}}``,
        bona fide first, then the attacks in id order.

    Example
    -------
    >>> jobs = {s: [] for s in SPLITS}
    >>> jobs["dev"] = [
    ...     {"system": "MS02", "source": "fsdd"},
    ...     {"system": "-", "source": "libri"},
    ... ]
    >>> count_utterances(jobs)["dev"]
    {'bonafide': {'fsdd': 0, 'libri': 1}, 'MS02': {'fsdd': 1, 'libri': 0}}
    """
    counts = {}
    for split in SPLITS:
        per = {}
        for job in jobs[split]:
            key = "bonafide" if job["system"] == BONAFIDE else job["system"]
            per.setdefault(key, {"fsdd": 0, "libri": 0})
            per[key][job["source"]] += 1
        order = sorted(per, key=lambda k: (k != "bonafide", k))
        counts[split] = {k: per[k] for k in order}
    return counts


def _postprocessing():
    return {
        "trim_db": config.TRIM_DB,
        "word_fade_s": config.WORD_FADE_S,
        "utterance_fade_s": config.UTT_FADE_S,
        "gap_s": list(config.GAP_S),
        "min_edge_silence_s": config.MIN_EDGE_SILENCE_S,
        "level_dbfs": list(config.LEVEL_DB),
        "peak_limit": config.PEAK_LIMIT,
        "dither_dbfs": config.DITHER_DB,
        "highpass_hz": config.HIGHPASS_HZ,
        "fsdd_chain": "8 kHz -> 16 kHz -> generator -> 8 kHz -> 16 kHz",
        "libri_chain": "16 kHz -> generator -> 16 kHz (full band)",
        "libri_context_s": config.LIBRI_MARGIN_S,
    }


def _postprocessing_large():
    return {
        "trim_db": config.TRIM_DB,
        "word_fade_s": config.WORD_FADE_S,
        "utterance_fade_s": config.UTT_FADE_S,
        "gap_s": list(config.GAP_S),
        "tts_sentence_gap_s": list(config.TTS_GAP_S),
        "padding_s": list(config.PAD_S),
        "speech_slack_s": config.SPEECH_SLACK_S,
        "min_edge_silence_s": config.MIN_EDGE_SILENCE_S,
        "level_dbfs": list(config.LEVEL_DB),
        "peak_limit": config.PEAK_LIMIT,
        "dither_dbfs": config.DITHER_DB,
        "highpass_hz": config.HIGHPASS_HZ,
        "fsdd_chain": (
            "8 kHz (FSDD) or engine rate (TTS digit words) -> 16 kHz -> "
            "generator -> per-word trim -> 8 kHz -> 16 kHz"
        ),
        "libri_chain": (
            "16 kHz excerpt -> generator, or engine rate -> 16 kHz (TTS) -> "
            "trim -> cut to the speech length -> silence padding "
            "(full band)"
        ),
        "libri_context_s": config.LIBRI_MARGIN_S,
    }


def _utterance_record(job):
    record = {
        k: job[k]
        for k in ("system", "speaker", "source", "params", "level_db", "seed")
    }
    if "kind" in job:  # large corpus
        record.update(
            kind=job["kind"],
            n_speech=job["n_speech"],
            n_lead=job["n_lead"],
            n_trail=job["n_trail"],
        )
    if job["source"] == "fsdd":
        record["words"] = job["words"]
    elif job.get("kind") == "tts":
        record.update(
            prompts=job["prompts"], gaps=job["gaps"], offset=job["offset"]
        )
    else:
        record.update(file=job["file"], start=job["start"])
    return record


def _attack_record(attack_id, attack, attacks, size):
    record = {
        "generator": attack.generator,
        "splits": list(attack.splits),
        "description": attack.description,
        "param_sampler": attack.sampler,
    }
    if size != "small":
        record["family"] = attack.family
        record["family_status"] = family_status(attack_id, attacks)
        record["note"] = attack.note
        if attack.is_tts:
            voice = TTS_VOICES[attack.generator]
            record.update(engine=voice.engine, voice=voice.voice)
    return record


def corpus_metadata(options, jobs, protocols_md5, audio_md5, size="small"):
    """The metadata of a build (without the cue EERs).

    Arguments
    ---------
    options : dict
        From :func:`build_options`.
    jobs : dict
        ``{split: [job, ...]}``, as planned.
    protocols_md5 : dict
        md5 of each protocol file's text, by split.
    audio_md5 : str
        md5 over every utterance id and its int16 samples, in plan order.
    size : str
        ``"small"`` or ``"large"``.

    Returns
    -------
    dict
        JSON-ready metadata.
    """
    spk_map = speaker_map(size)
    speakers = split_speakers(size)
    attacks = attack_table(size)
    versions = package_versions()
    if size != "small":
        versions["tts"] = tts_engine_versions()
    return {
        "name": "MiniSpoof-LA",
        "options": options,
        "counts": count_utterances(jobs),
        "attacks": {
            aid: _attack_record(aid, att, attacks, size)
            for aid, att in attacks.items()
        },
        "speakers": {
            spk_map[key]: {"source": key[0], "name": key[1], "split": split}
            for split in SPLITS
            for key in speakers[split]
        },
        "speakers_per_split": {
            split: [spk_map[key] for key in speakers[split]] for split in SPLITS
        },
        "postprocessing": (
            _postprocessing() if size == "small" else _postprocessing_large()
        ),
        "utterances": {
            job["utt"]: _utterance_record(job)
            for split in SPLITS
            for job in jobs[split]
        },
        "checksums": {
            "protocols_md5": protocols_md5,
            "audio_samples_md5": audio_md5,
        },
        "versions": versions,
    }


def is_complete(out_dir, meta):
    """Whether a folder holds every file that its metadata announces.

    Arguments
    ---------
    out_dir : Path
        Output folder of a build.
    meta : dict
        Its metadata.

    Returns
    -------
    bool
        True if the protocols, the ASV score files and as many flac files
        per split as counted are present.
    """
    la = out_dir / "LA"
    for split in SPLITS:
        proto = la / "ASVspoof2019_LA_cm_protocols" / PROTOCOL_FILES[split]
        if not proto.exists():
            return False
        expected = sum(sum(v.values()) for v in meta["counts"][split].values())
        flac_dir = la / f"ASVspoof2019_LA_{split}" / "flac"
        if len(list(flac_dir.glob("*.flac"))) != expected:
            return False
    return all(
        (la / "ASVspoof2019_LA_asv_scores" / name).exists()
        for name in ASV_SCORE_FILES.values()
    )


def build_summary(out_dir, meta, skipped, seconds):
    """What :func:`speechbrain_fica.minispoof.build_minispoof_la` returns.

    Arguments
    ---------
    out_dir : Path
        Output folder of the build.
    meta : dict
        Its metadata.
    skipped : bool
        Whether an existing build was reused.
    seconds : float
        Time taken.

    Returns
    -------
    dict
        ``output_folder``, ``la_folder``, ``protocols``, ``asv_scores``,
        ``counts``, ``cue_eers``, ``skipped`` and ``seconds``.
    """
    la = out_dir / "LA"
    return {
        "output_folder": str(out_dir),
        "la_folder": str(la),
        "protocols": {
            s: str(la / "ASVspoof2019_LA_cm_protocols" / PROTOCOL_FILES[s])
            for s in SPLITS
        },
        "asv_scores": {
            s: str(la / "ASVspoof2019_LA_asv_scores" / name)
            for s, name in ASV_SCORE_FILES.items()
        },
        "counts": meta["counts"],
        "cue_eers": meta.get("cue_eers"),
        "skipped": skipped,
        "seconds": seconds,
    }
