"""MiniSpoof-LA: a small offline corpus in the ASVspoof 2019 LA layout.

:func:`build_minispoof_la` writes, from real speech shipped with the package
(a subset of the Free Spoken Digit Dataset and of LibriSpeech), a corpus
with bona fide and spoofed utterances in exactly the ASVspoof 2019 LA
directory layout and protocol format, so that an ASVspoof 2019 LA recipe
runs on it unchanged::

    <out>/LA/ASVspoof2019_LA_{train,dev,eval}/flac/<UTT>.flac
    <out>/LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.train.trn.txt
    <out>/LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.dev.trl.txt
    <out>/LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.eval.trl.txt
    <out>/LA/ASVspoof2019_LA_asv_scores/ASVspoof2019.LA.asv.dev.gi.trl.scores.txt
    <out>/LA/ASVspoof2019_LA_asv_scores/ASVspoof2019.LA.asv.eval.gi.trl.scores.txt
    <out>/LA/README.md
    <out>/minispoof_meta.json

Protocol lines are ``SPEAKER UTT - ATTACK KEY`` (``ATTACK`` is ``-`` for
bona fide, ``KEY`` is ``bonafide`` or ``spoof``), with IDs that are visibly
not ASVspoof ones (``MS_T_0000001``, speakers ``MS_0001``, attacks
``MS01``-``MS08``). The ASV score files are the real ASVspoof 2019 LA ones
(ODC-By 1.0), so a t-DCF computed on MiniSpoof-LA uses the operating point
of the ASVspoof 2019 LA ASV system.

Spoofs come from eight offline, pip-only generators
(:mod:`speechbrain_fica.minispoof.generators`, attack table in
:mod:`speechbrain_fica.minispoof.attacks`): four appear in every split,
four only in eval (unseen attacks). Speakers are disjoint across splits
and every spoof is made from bona fide material of a speaker of the same
split. Both classes go through the same post-processing (per-word
trimming, the same resampling chain per source, high-pass, fades, loudness
normalisation, dither, 16-bit quantisation), and utterance lengths are
drawn from the same distribution, so that single trivial cues do not
separate the classes; :func:`cue_eers` measures this.

The generators need ``pyworld`` and ``pysptk``: ``pip install
speechbrain-fica[demo]``. This package imports without them.

``size="large"`` (``--size large``) builds a larger corpus: all 251
shipped LibriSpeech speakers, and 25 attacks
(:data:`speechbrain_fica.minispoof.attacks.LARGE_ATTACKS`): the eight
generators and 17 offline text-to-speech voices
(:mod:`speechbrain_fica.minispoof.generators.tts`: eSpeak NG, Festival,
Flite, FreeTTS from Debian packages, installed by
``speechbrain_fica/minispoof/install_tts_engines.sh``; SVOX Pico from the
``demo`` extra), with attack families in eval that train does not have.

Modules: :mod:`.config` (constants), :mod:`.attacks`, :mod:`.sources`
(shipped speech, speaker splits), :mod:`.plan` (random choices),
:mod:`.render` (audio), :mod:`.build`, :mod:`.metadata`, :mod:`.readme`,
:mod:`.cues`, :mod:`.cli`.

Example (command line)::

    python -m speechbrain_fica.minispoof --output_folder MiniSpoof
    python -m speechbrain_fica.minispoof --size large --output_folder MSL

Authors
 * speechbrain-fica contributors 2026
"""

from speechbrain_fica.minispoof.attacks import ATTACKS, LARGE_ATTACKS, Attack
from speechbrain_fica.minispoof.build import build_minispoof_la
from speechbrain_fica.minispoof.cli import main
from speechbrain_fica.minispoof.config import (
    ASV_SCORE_FILES,
    DEFAULT_N_BONAFIDE,
    DEFAULT_N_PER_ATTACK,
    META_FILE,
    PROTOCOL_FILES,
    SPLIT_CODES,
    SPLITS,
)
from speechbrain_fica.minispoof.cues import CUES, cue_eers, utterance_cues

__all__ = [
    "ASV_SCORE_FILES",
    "ATTACKS",
    "Attack",
    "LARGE_ATTACKS",
    "CUES",
    "DEFAULT_N_BONAFIDE",
    "DEFAULT_N_PER_ATTACK",
    "META_FILE",
    "PROTOCOL_FILES",
    "SPLITS",
    "SPLIT_CODES",
    "build_minispoof_la",
    "cue_eers",
    "main",
    "utterance_cues",
]
