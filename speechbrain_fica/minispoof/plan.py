"""Job planning: every random choice of a MiniSpoof-LA build.

The main process draws, from the seed, the complete plan of the corpus
(one job per utterance: system, speaker, source material, length, level,
generator parameters and a seed for the rendering), so that the rendering
in worker processes cannot change the result.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np

from speechbrain_fica.minispoof.attacks import ATTACKS, LARGE_ATTACKS
from speechbrain_fica.minispoof.config import (
    DIGIT_WORDS,
    FS,
    LEVEL_DB,
    LIBRI_MARGIN_S,
    N_WORD_CANDIDATES,
    PAD_S,
    SPEECH_SLACK_S,
    SPLIT_CODES,
    SPLITS,
    TRIM_DB,
    TTS_CHARS_PER_S,
    TTS_GAP_S,
)
from speechbrain_fica.minispoof.generators import get_param_sampler
from speechbrain_fica.minispoof.generators.postprocess import trim_silence
from speechbrain_fica.minispoof.sources import (
    LIBRI_AUDIO_DIR,
    arctic_prompts,
    fsdd_recordings,
    libri_excerpt_lengths,
    libri_speakers,
    load_audio,
    speaker_map,
    split_speakers,
)

#: System name of bona fide utterances in plans and protocols.
BONAFIDE = "-"


def split_systems(split, n_bonafide, n_per_attack, attacks=ATTACKS):
    """The systems of one split with their utterance counts, in plan order.

    Arguments
    ---------
    split : str
        ``"train"``, ``"dev"`` or ``"eval"``.
    n_bonafide : dict
        Bona fide utterances per split.
    n_per_attack : dict
        Spoofed utterances per attack and split.
    attacks : dict
        The attack table (:data:`ATTACKS` or :data:`LARGE_ATTACKS`).

    Returns
    -------
    list of tuple
        ``(system, count)``, bona fide (``"-"``) first, then the attacks of
        the split in the order of ``attacks``.

    Example
    -------
    >>> split_systems("eval", {"eval": 4}, {"eval": 2})[:3]
    [('-', 4), ('MS01', 2), ('MS04', 2)]
    """
    return [(BONAFIDE, n_bonafide[split])] + [
        (attack_id, n_per_attack[split])
        for attack_id, attack in attacks.items()
        if split in attack.splits
    ]


def _speaker_sequence(rng, pool, count):
    """``count`` speakers of ``pool``: whole random permutations, cut."""
    order = []
    while len(order) < count:
        order += [pool[i] for i in rng.permutation(len(pool))]
    return order[:count]


def plan_jobs(seed, n_bonafide, n_per_attack, fsdd_fraction, durations):
    """Draws every random choice of the corpus from ``seed``.

    Each split has its own random stream (``[seed, split_index]``), so the
    content of a split does not depend on the sizes of the other splits.
    In every (split, system) block, a fraction ``fsdd_fraction`` of the
    utterances is made from FSDD digits, the rest from LibriSpeech.

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

    Returns
    -------
    dict
        ``{split: [job, ...]}``, jobs sorted by utterance id.

    Example
    -------
    >>> counts = {"train": 1, "dev": 1, "eval": 2}
    >>> jobs = plan_jobs(1234, counts, counts, 0.5, (2.0, 4.0))
    >>> len(jobs["eval"]), jobs["eval"][0]["utt"]
    (14, 'MS_E_0000001')
    """
    speakers = split_speakers()
    spk_ids = speaker_map()
    libri_rows = {r["speaker"]: r for r in libri_speakers()}
    libri_lengths = libri_excerpt_lengths()
    jobs = {}
    for split_index, split in enumerate(SPLITS):
        rng = np.random.default_rng([int(seed), split_index])
        split_jobs = []
        for system, count in split_systems(split, n_bonafide, n_per_attack):
            n_fsdd = int(round(count * fsdd_fraction))
            for source, n_src in (("fsdd", n_fsdd), ("libri", count - n_fsdd)):
                pool = [n for n in speakers[split] if n[0] == source]
                for key in _speaker_sequence(rng, pool, n_src):
                    job = plan_utterance(
                        rng, system, key, durations, libri_rows, libri_lengths
                    )
                    job.update(split=split, speaker=spk_ids[key])
                    split_jobs.append(job)
        jobs[split] = _number_jobs(rng, split, split_jobs)
    return jobs


def plan_utterance(rng, system, key, durations, libri_rows, libri_lengths):
    """Plans one utterance: source material, length, level, parameters.

    Arguments
    ---------
    rng : numpy.random.Generator
        The random stream of the split.
    system : str
        ``"-"`` (bona fide) or an attack id.
    key : tuple
        ``(source, name)`` of the source speaker.
    durations : tuple of float
        Range of the utterance length in seconds.
    libri_rows : dict
        Rows of the LibriSpeech speaker table by speaker.
    libri_lengths : dict
        Samples of every LibriSpeech excerpt by speaker.

    Returns
    -------
    dict
        The job, without ``split``, ``speaker`` and ``utt``.

    Raises
    ------
    ValueError
        A LibriSpeech excerpt is too short for the planned segment.
    """
    source, name = key
    if system == BONAFIDE:
        generator, params = "identity", {}
    else:
        attack = ATTACKS[system]
        generator = attack.generator
        params = {}
        if attack.sampler is not None:
            params = get_param_sampler(attack.sampler)(rng)
    n_samples = int(round(rng.uniform(*durations) * FS))
    job = {
        "system": system,
        "source": source,
        "source_speaker": name,
        "generator": generator,
        "params": params,
        "n_samples": n_samples,
        "level_db": float(rng.uniform(*LEVEL_DB)),
    }
    if source == "fsdd":
        files = fsdd_recordings(name)
        idx = rng.choice(len(files), size=N_WORD_CANDIDATES, replace=False)
        job["words"] = [files[i] for i in idx]
    else:
        stretch = params.get("time_ratio", 1.0)
        need = int(np.ceil(n_samples / stretch + 2 * LIBRI_MARGIN_S * FS))
        available = libri_lengths[name]
        if need > available:
            raise ValueError(
                f"LibriSpeech excerpt of speaker {name} is too short "
                f"({available} < {need} samples)"
            )
        job["file"] = libri_rows[name]["file"]
        job["start"] = int(rng.integers(0, available - need + 1))
        job["n_in"] = need
    job["seed"] = int(rng.integers(0, 2**63 - 1))
    return job


def _number_jobs(rng, split, split_jobs):
    """Shuffles, then numbers: utterance ids do not reveal the system."""
    perm = rng.permutation(len(split_jobs))
    split_jobs = [split_jobs[i] for i in perm]
    for k, job in enumerate(split_jobs):
        job["utt"] = f"MS_{SPLIT_CODES[split]}_{k + 1:07d}"
    return sorted(split_jobs, key=lambda j: j["utt"])


def plan_large_jobs(seed, n_bonafide, n_per_attack, fsdd_fraction, durations):
    """Draws every random choice of the large corpus from ``seed``.

    As :func:`plan_jobs`, with the attacks of
    :data:`speechbrain_fica.minispoof.attacks.LARGE_ATTACKS` and the
    speakers of the large split. Every utterance is speech of a planned
    length (``durations``) between two planned silences
    (:data:`config.PAD_S`), the same for both classes. In the FSDD part,
    text-to-speech attacks speak digit words; in the LibriSpeech part,
    they read CMU ARCTIC prompts, and their SPEAKER is a nominal target:
    a speaker of the split, drawn as for the other systems.

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
        Range of the speech length in seconds.

    Returns
    -------
    dict
        ``{split: [job, ...]}``, jobs sorted by utterance id.

    Example
    -------
    >>> counts = {"train": 1, "dev": 1, "eval": 1}
    >>> jobs = plan_large_jobs(1234, counts, counts, 0.5, (2.0, 4.0))
    >>> len(jobs["train"]), len(jobs["eval"])
    (9, 20)
    >>> sorted({j["kind"] for j in jobs["eval"]})
    ['bonafide', 'dsp', 'tts']
    """
    speakers = split_speakers("large")
    spk_ids = speaker_map("large")
    context = {
        "libri_rows": {r["speaker"]: r for r in libri_speakers("large")},
        "libri_lengths": libri_excerpt_lengths("large"),
        "prompts": arctic_prompts(),
        "durations": durations,
    }
    jobs = {}
    for split_index, split in enumerate(SPLITS):
        rng = np.random.default_rng([int(seed), split_index])
        split_jobs = []
        systems = split_systems(split, n_bonafide, n_per_attack, LARGE_ATTACKS)
        for system, count in systems:
            n_fsdd = int(round(count * fsdd_fraction))
            for source, n_src in (("fsdd", n_fsdd), ("libri", count - n_fsdd)):
                pool = [n for n in speakers[split] if n[0] == source]
                for key in _speaker_sequence(rng, pool, n_src):
                    job = plan_large_utterance(rng, system, key, context)
                    job.update(split=split, speaker=spk_ids[key])
                    split_jobs.append(job)
        jobs[split] = _number_jobs(rng, split, split_jobs)
    return jobs


def _plan_prompts(rng, prompts, seconds):
    """Consecutive prompts (from a random one) with enough text."""
    first = int(rng.integers(len(prompts)))
    chosen, chars = [], 0
    while chars < seconds * TTS_CHARS_PER_S:
        prompt_id, text = prompts[(first + len(chosen)) % len(prompts)]
        chosen.append(prompt_id)
        chars += len(text)
    return chosen


#: Random window starts tried per LibriSpeech-part utterance.
MAX_WINDOW_TRIES = 20


def _window_start(rng, audio, need, n_speech):
    """A random window start where the bona fide speech, trimmed as the
    renderer trims, lasts ``n_speech`` samples (windows that end in a
    long pause would otherwise give short utterances); else the start,
    of :data:`MAX_WINDOW_TRIES` tries, with the most speech."""
    margin = int(round(LIBRI_MARGIN_S * FS))
    best = None
    for _ in range(MAX_WINDOW_TRIES):
        start = int(rng.integers(0, len(audio) - need + 1))
        inner = audio[start + margin : start + need - margin]
        n_trimmed = len(trim_silence(inner, FS, TRIM_DB))
        if n_trimmed >= n_speech:
            return start
        if best is None or n_trimmed > best[0]:
            best = (n_trimmed, start)
    return best[1]


def plan_large_utterance(rng, system, key, context):
    """Plans one utterance of the large corpus.

    Arguments
    ---------
    rng : numpy.random.Generator
        The random stream of the split.
    system : str
        ``"-"`` (bona fide) or an attack id of ``LARGE_ATTACKS``.
    key : tuple
        ``(source, name)`` of the (nominal) source speaker.
    context : dict
        ``libri_rows``, ``libri_lengths``, ``prompts`` and ``durations``
        (see :func:`plan_large_jobs`).

    Returns
    -------
    dict
        The job, without ``split``, ``speaker`` and ``utt``: ``kind``
        (``"bonafide"``, ``"dsp"`` or ``"tts"``), ``n_speech``,
        ``n_lead``, ``n_trail`` (samples), the source material and the
        seed of the rendering.

    Raises
    ------
    ValueError
        A LibriSpeech excerpt is too short for any speech.
    """
    source, name = key
    params = {}
    if system == BONAFIDE:
        generator, kind = "identity", "bonafide"
    else:
        attack = LARGE_ATTACKS[system]
        generator = attack.generator
        kind = "tts" if attack.is_tts else "dsp"
        if attack.sampler is not None:
            params = get_param_sampler(attack.sampler)(rng)
    speech_s = float(rng.uniform(*context["durations"]))
    job = {
        "system": system,
        "kind": kind,
        "source": source,
        "source_speaker": name,
        "generator": generator,
        "params": params,
        "n_lead": int(round(rng.uniform(*PAD_S) * FS)),
        "n_trail": int(round(rng.uniform(*PAD_S) * FS)),
        "level_db": float(rng.uniform(*LEVEL_DB)),
    }
    if source == "fsdd":
        job["n_speech"] = int(round(speech_s * FS))
        if kind == "tts":
            digits = rng.integers(0, len(DIGIT_WORDS), N_WORD_CANDIDATES)
            job["words"] = [f"digit_{d}" for d in digits]
        else:
            files = fsdd_recordings(name)
            idx = rng.choice(len(files), size=N_WORD_CANDIDATES, replace=False)
            job["words"] = [files[i] for i in idx]
    else:
        available = context["libri_lengths"][name]
        # the speech fits the speaker's excerpt, whatever the class, so
        # that short excerpts shorten both classes alike
        usable_s = available / FS - 2 * LIBRI_MARGIN_S - SPEECH_SLACK_S
        if usable_s <= 0.2:
            raise ValueError(
                f"LibriSpeech excerpt of speaker {name} is too short "
                f"({available} samples)"
            )
        speech_s = min(speech_s, usable_s)
        job["n_speech"] = int(round(speech_s * FS))
        window_s = speech_s + SPEECH_SLACK_S
        if kind == "tts":
            job["prompts"] = _plan_prompts(rng, context["prompts"], window_s)
            job["gaps"] = [
                int(round(rng.uniform(*TTS_GAP_S) * FS))
                for _ in job["prompts"][1:]
            ]
            job["offset"] = float(rng.uniform())
        else:
            stretch = params.get("time_ratio", 1.0)
            need = int(np.ceil(window_s * FS / stretch))
            need = min(need + int(2 * LIBRI_MARGIN_S * FS), available)
            job["file"] = context["libri_rows"][name]["file"]
            audio, _ = load_audio(LIBRI_AUDIO_DIR / job["file"])
            job["start"] = _window_start(rng, audio, need, job["n_speech"])
            job["n_in"] = need
    job["seed"] = int(rng.integers(0, 2**63 - 1))
    return job
