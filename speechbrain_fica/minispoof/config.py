"""Constants of the MiniSpoof-LA corpus: layout, sizes, post-processing.

Authors
 * speechbrain-fica contributors 2026
"""

#: Version of the corpus content; a build records it in its options, so
#: that a change of content invalidates existing builds.
BUILDER_VERSION = 1
#: Sampling rate of the corpus.
FS = 16000
#: Sampling rate of the FSDD recordings.
FSDD_FS = 8000
SPLITS = ("train", "dev", "eval")
#: Split letter in the utterance ids (``MS_T_0000001``).
SPLIT_CODES = {"train": "T", "dev": "D", "eval": "E"}
#: CM protocol file names, as in ASVspoof 2019 LA.
PROTOCOL_FILES = {
    "train": "ASVspoof2019.LA.cm.train.trn.txt",
    "dev": "ASVspoof2019.LA.cm.dev.trl.txt",
    "eval": "ASVspoof2019.LA.cm.eval.trl.txt",
}
#: ASV score file names, as in ASVspoof 2019 LA.
ASV_SCORE_FILES = {
    split: f"ASVspoof2019.LA.asv.{split}.gi.trl.scores.txt"
    for split in ("dev", "eval")
}
#: Metadata file of a build, written last (it marks a complete build).
META_FILE = "minispoof_meta.json"

#: FSDD speakers per split (6 male speakers, two per split).
FSDD_SPEAKERS = {
    "train": ("jackson", "yweweler"),
    "dev": ("lucas", "nicolas"),
    "eval": ("george", "theo"),
}
#: LibriSpeech speakers per split: (female, male) counts, taken in order of
#: speaker id from ``librispeech/speakers.tsv`` (25 F + 25 M).
LIBRI_SPLIT_SIZES = {"train": (10, 10), "dev": (5, 5), "eval": (10, 10)}

DEFAULT_N_BONAFIDE = {"train": 100, "dev": 50, "eval": 100}
DEFAULT_N_PER_ATTACK = {"train": 50, "dev": 25, "eval": 35}

# Post-processing constants (identical for both classes)
TRIM_DB = 40.0
WORD_FADE_S = 0.005
UTT_FADE_S = 0.01
GAP_S = (0.06, 0.25)
MIN_EDGE_SILENCE_S = 0.1
LEVEL_DB = (-32.0, -24.0)
PEAK_LIMIT = 0.97
DITHER_DB = -66.0
HIGHPASS_HZ = 50.0
LIBRI_MARGIN_S = 0.1
#: FSDD words drawn per utterance; as many as fit are used, in order.
N_WORD_CANDIDATES = 16

# ---------------------------------------------------------------------------
# The large corpus (``size="large"``)

#: Corpus sizes of the builder.
SIZES = ("small", "large")
#: LibriSpeech speakers per split in the large corpus, (female, male).
LARGE_LIBRI_SPLIT_SIZES = {"train": (75, 75), "dev": (25, 25), "eval": (25, 26)}
#: One bona fide LibriSpeech utterance per speaker with the default
#: FSDD fraction (e.g. train: 200 - round(200 x 0.25) = 150).
LARGE_DEFAULT_N_BONAFIDE = {"train": 200, "dev": 67, "eval": 68}
LARGE_DEFAULT_N_PER_ATTACK = {"train": 25, "dev": 10, "eval": 10}
LARGE_FSDD_FRACTION = 0.25
#: Range of the speech length (seconds) before the silence padding.
LARGE_DURATION_RANGE = (2.0, 5.0)
#: Silence added before and after the trimmed speech (each, seconds).
PAD_S = (0.05, 0.3)
#: Extra speech taken before trimming, so that the trimmed speech can be
#: cut to the planned length.
SPEECH_SLACK_S = 0.5
#: Pauses between the sentences that a text-to-speech attack reads.
TTS_GAP_S = (0.15, 0.5)
#: Characters of prompt text planned per second of speech needed (about
#: twice what the engines speak, so that the text always suffices).
TTS_CHARS_PER_S = 30.0
#: Digit words spoken by the TTS attacks for the FSDD part of the corpus.
DIGIT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)
