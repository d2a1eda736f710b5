"""Job planning: every random choice of a MiniSpoof-LA build.

The main process draws, from the seed, the complete plan of the corpus
(one job per utterance: system, speaker, source material, length, level,
generator parameters and a seed for the rendering), so that the rendering
in worker processes cannot change the result.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np

from speechbrain_fica.minispoof.attacks import ATTACKS
from speechbrain_fica.minispoof.config import (
    FS,
    LEVEL_DB,
    LIBRI_MARGIN_S,
    N_WORD_CANDIDATES,
    SPLIT_CODES,
    SPLITS,
)
from speechbrain_fica.minispoof.generators import get_param_sampler
from speechbrain_fica.minispoof.sources import (
    fsdd_recordings,
    libri_excerpt_lengths,
    libri_speakers,
    speaker_map,
    split_speakers,
)

#: System name of bona fide utterances in plans and protocols.
BONAFIDE = "-"


def split_systems(split, n_bonafide, n_per_attack):
    """The systems of one split with their utterance counts, in plan order.

    Arguments
    ---------
    split : str
        ``"train"``, ``"dev"`` or ``"eval"``.
    n_bonafide : dict
        Bona fide utterances per split.
    n_per_attack : dict
        Spoofed utterances per attack and split.

    Returns
    -------
    list of tuple
        ``(system, count)``, bona fide (``"-"``) first, then the attacks of
        the split in the order of ``ATTACKS``.

    Example
    -------
    >>> split_systems("eval", {"eval": 4}, {"eval": 2})[:3]
    [('-', 4), ('MS01', 2), ('MS04', 2)]
    """
    return [(BONAFIDE, n_bonafide[split])] + [
        (attack_id, n_per_attack[split])
        for attack_id, attack in ATTACKS.items()
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
        # shuffle, then number: utterance ids do not reveal the system
        perm = rng.permutation(len(split_jobs))
        split_jobs = [split_jobs[i] for i in perm]
        for k, job in enumerate(split_jobs):
            job["utt"] = f"MS_{SPLIT_CODES[split]}_{k + 1:07d}"
        jobs[split] = sorted(split_jobs, key=lambda j: j["utt"])
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
