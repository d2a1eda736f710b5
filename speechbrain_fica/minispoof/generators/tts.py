"""Offline text-to-speech engines as MiniSpoof-LA spoof generators.

Unlike the waveform generators of :mod:`.registry`, a text-to-speech (TTS)
voice turns text into speech. The builder collects every text a voice must
speak, synthesises it in batches (:func:`synthesize`: one engine process
per batch, so a voice is loaded once), and the renderer reads the results
back through the same resampler as every other source
(:func:`read_tts_audio`).

Engines (Debian packages, installed by
``speechbrain_fica/minispoof/install_tts_engines.sh``, and the PyPI package
``ttspico`` of the ``demo`` extra):

* ``espeak-ng``: rule-based formant synthesis (and its Klatt variants).
* ``festival``: diphone (residual-excited LPC) and HTS voices, one
  ``festival -b`` process per batch running a Scheme script.
* ``flite``: diphone and clustergen voices, one call per text.
* ``freetts``: the Java diphone engine, one JVM per batch
  (``-dumpMultiAudio`` writes one file per input utterance).
* ``pico``: SVOX Pico through ``ttspico``, in this process.

Every external call has a timeout, stdin closed (FreeTTS waits on an open
stdin), a private PulseAudio setting (:func:`_engine_env`) and a clear
error naming the engine and voice.

Authors
 * speechbrain-fica contributors 2026
"""

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from speechbrain_fica.minispoof.generators.dsp import resample
from speechbrain_fica.minispoof.generators.optional import import_optional

#: Where FreeTTS's Debian package puts the engine.
FREETTS_JAR = Path("/usr/share/java/freetts.jar")
#: What to run when an engine is missing.
INSTALL_HINT = (
    "run speechbrain_fica/minispoof/install_tts_engines.sh (as root; "
    "Debian/Ubuntu) and pip install speechbrain-fica[demo]"
)
#: Seconds allowed per call, plus per text of a batch.
TIMEOUT_S = 60.0
TIMEOUT_PER_TEXT_S = 5.0


class TTSEngineError(RuntimeError):
    """A text-to-speech engine is missing or failed.

    Example
    -------
    >>> _run(TTS_VOICES["tts_espeak_en_us"], ["false"], timeout=5)
    Traceback (most recent call last):
    ...
    speechbrain_fica.minispoof.generators.tts.TTSEngineError: ...
    """


@dataclass(frozen=True)
class TTSVoice:
    """One voice of one offline TTS engine.

    Arguments
    ---------
    engine : str
        ``"espeak-ng"``, ``"festival"``, ``"flite"``, ``"freetts"`` or
        ``"pico"``.
    voice : str
        The engine's name of the voice (espeak-ng: ``language+variant``;
        festival: the ``voice_*`` function without its prefix; pico: the
        language).
    description : str
        One line for the corpus README.

    Example
    -------
    >>> TTS_VOICES["tts_flite_slt"].engine
    'flite'
    >>> TTSVoice("say", "x", "?")
    Traceback (most recent call last):
    ...
    ValueError: unknown TTS engine 'say' ...
    """

    engine: str
    voice: str
    description: str

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ValueError(
                f"unknown TTS engine {self.engine!r} (known: "
                f"{', '.join(ENGINES)})"
            )

    @property
    def label(self):
        """``engine/voice``, as errors and the README name a voice."""
        return f"{self.engine}/{self.voice}"


def _engine_env(private_dir):
    """The environment of an engine call: PulseAudio kept to a private,
    empty folder.

    eSpeak NG opens an audio device even when it writes a file, and the
    PulseAudio client library, when its runtime folder (linked from
    ``~/.config/pulse``) is missing, creates ``/tmp/pulse-<name>``, drawing
    the 12 characters of the name from the C library's ``rand()``. eSpeak NG draws its
    breath noise (variants such as ``+f2``) from the same ``rand()``, so
    the one engine process that (re)creates that folder spoke with other
    noise: the audio depended on machine state outside the build. With an
    explicit runtime folder and server (that does not exist), the client
    library never draws from ``rand()``.

    Arguments
    ---------
    private_dir : str or Path
        An existing folder of this call only.

    Returns
    -------
    dict
        ``os.environ`` with ``PULSE_RUNTIME_PATH`` and ``PULSE_SERVER``
        set.

    Example
    -------
    >>> env = _engine_env("/tmp/x")
    >>> env["PULSE_RUNTIME_PATH"], env["PULSE_SERVER"]
    ('/tmp/x', 'unix:/tmp/x/no-server')
    """
    env = dict(os.environ)
    env["PULSE_RUNTIME_PATH"] = str(private_dir)
    env["PULSE_SERVER"] = f"unix:{Path(private_dir) / 'no-server'}"
    return env


def _run(voice, cmd, timeout, input_text=None):
    """Runs an engine command; errors name the engine, voice and hint."""
    try:
        with tempfile.TemporaryDirectory(prefix="minispoof_tts_") as private:
            result = subprocess.run(
                cmd,
                input=input_text,
                stdin=None if input_text is not None else subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                env=_engine_env(private),
            )
    except FileNotFoundError as err:
        raise TTSEngineError(
            f"TTS engine {voice.label}: {cmd[0]!r} not found; {INSTALL_HINT}"
        ) from err
    except subprocess.TimeoutExpired as err:
        raise TTSEngineError(
            f"TTS engine {voice.label}: {' '.join(cmd[:3])} ... did not "
            f"finish within {timeout:.0f} s"
        ) from err
    if result.returncode != 0:
        raise TTSEngineError(
            f"TTS engine {voice.label} failed (exit {result.returncode}): "
            f"{result.stderr.strip()[-500:]}; if the voice is missing, "
            f"{INSTALL_HINT}"
        )
    return result


def _timeout(items):
    return TIMEOUT_S + TIMEOUT_PER_TEXT_S * len(items)


def _synth_espeak_ng(voice, items, out_dir):
    # one call per text (about 5 ms each); the text goes through stdin, so
    # that it is never read as an option
    for item_id, text in items:
        path = out_dir / f"{item_id}.wav"
        cmd = ["espeak-ng", "-v", voice.voice, "-w", str(path), "--stdin"]
        _run(voice, cmd, TIMEOUT_S, input_text=text)


def _synth_flite(voice, items, out_dir):
    for item_id, text in items:
        path = out_dir / f"{item_id}.wav"
        cmd = ["flite", "-voice", voice.voice, "-t", text, "-o", str(path)]
        _run(voice, cmd, TIMEOUT_S)


def _scheme_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _synth_festival(voice, items, out_dir):
    # one process per batch: the voice is loaded once
    lines = [f"(voice_{voice.voice})"]
    for item_id, text in items:
        path = _scheme_string(str((out_dir / f"{item_id}.wav").resolve()))
        lines += [
            f"(set! utt (Utterance Text {_scheme_string(text)}))",
            "(utt.synth utt)",
            f"(utt.save.wave utt {path} 'riff)",
        ]
    script = out_dir / f"batch_{items[0][0]}.scm"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        _run(voice, ["festival", "-b", str(script)], _timeout(items))
    finally:
        script.unlink()


def _freetts_batch(voice, texts, work_dir):
    """One JVM: the texts, separated by blank lines; returns the files in
    order (one per utterance the engine found)."""
    if not FREETTS_JAR.exists():
        raise TTSEngineError(
            f"TTS engine {voice.label}: {FREETTS_JAR} not found; {INSTALL_HINT}"
        )
    work_dir.mkdir()
    text_file = work_dir / "batch.txt"
    text_file.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    cmd = [
        "java",
        "-jar",
        str(FREETTS_JAR),
        "-voice",
        voice.voice,
        "-file",
        str(text_file),
        "-dumpMultiAudio",
        str(work_dir / "part.wav"),
    ]
    _run(voice, cmd, _timeout(texts))
    parts = list(work_dir.glob("part*.wav"))
    return sorted(parts, key=lambda p: int(p.stem[len("part") :]))


def _synth_freetts(voice, items, out_dir):
    batch_dir = out_dir / f"freetts_{items[0][0]}"
    parts = _freetts_batch(voice, [text for _, text in items], batch_dir)
    if len(parts) == len(items):
        for (item_id, _), part in zip(items, parts):
            part.replace(out_dir / f"{item_id}.wav")
    else:
        # the engine split some text into several utterances: one JVM per
        # text, its parts joined
        for k, (item_id, text) in enumerate(items):
            item_parts = _freetts_batch(voice, [text], batch_dir / str(k))
            _join_wavs(voice, item_parts, out_dir / f"{item_id}.wav")
    shutil.rmtree(batch_dir)


def _join_wavs(voice, paths, target):
    if not paths:
        raise TTSEngineError(f"TTS engine {voice.label} wrote no audio")
    pieces, rates = [], set()
    for path in paths:
        audio, fs = sf.read(str(path), dtype="int16")
        pieces.append(audio)
        rates.add(fs)
    if len(rates) != 1:
        raise TTSEngineError(f"TTS engine {voice.label}: mixed rates {rates}")
    sf.write(str(target), np.concatenate(pieces), rates.pop())


#: Sampling rate of SVOX Pico's output.
PICO_FS = 16000


def _synth_pico(voice, items, out_dir):
    ttspico = import_optional("ttspico")
    for item_id, text in items:
        # a fresh engine per text (under a millisecond): an engine carries
        # state from one text to the next, so a text would sound
        # different depending on what was said before
        try:
            engine = ttspico.TtsEngine(voice.voice)
        except RuntimeError as err:
            raise TTSEngineError(
                f"TTS engine {voice.label}: {err}; {INSTALL_HINT}"
            ) from err
        pcm = engine.speak(text) or b""
        samples = np.frombuffer(pcm, dtype="<i2")
        sf.write(str(out_dir / f"{item_id}.wav"), samples, PICO_FS)


#: Batch synthesis function of every engine.
ENGINES = {
    "espeak-ng": _synth_espeak_ng,
    "festival": _synth_festival,
    "flite": _synth_flite,
    "freetts": _synth_freetts,
    "pico": _synth_pico,
}

#: The voices, by generator name.
TTS_VOICES = {
    "tts_espeak_en_us": TTSVoice(
        "espeak-ng", "en-us", "eSpeak NG formant synthesis, US English"
    ),
    "tts_espeak_en_us_m3": TTSVoice(
        "espeak-ng", "en-us+m3", "eSpeak NG formant synthesis, variant m3"
    ),
    "tts_espeak_en_us_f2": TTSVoice(
        "espeak-ng", "en-us+f2", "eSpeak NG formant synthesis, variant f2"
    ),
    "tts_espeak_en_gb_rp_f4": TTSVoice(
        "espeak-ng",
        "en-gb-x-rp+f4",
        "eSpeak NG formant synthesis, British RP, variant f4",
    ),
    "tts_espeak_en_gb_scotland": TTSVoice(
        "espeak-ng",
        "en-gb-scotland",
        "eSpeak NG formant synthesis, Scottish English",
    ),
    "tts_espeak_en_us_klatt": TTSVoice(
        "espeak-ng",
        "en-us+klatt",
        "eSpeak NG with its Klatt formant synthesiser (variant klatt)",
    ),
    "tts_espeak_en_us_klatt4": TTSVoice(
        "espeak-ng",
        "en-us+klatt4",
        "eSpeak NG with its Klatt formant synthesiser (variant klatt4)",
    ),
    "tts_festival_kal": TTSVoice(
        "festival",
        "kal_diphone",
        "Festival diphone voice kal (residual-excited LPC)",
    ),
    "tts_festival_ked": TTSVoice(
        "festival",
        "ked_diphone",
        "Festival diphone voice ked (residual-excited LPC)",
    ),
    "tts_festival_slt_hts": TTSVoice(
        "festival",
        "cmu_us_slt_arctic_hts",
        "Festival HTS (HMM statistical parametric) voice of ARCTIC slt",
    ),
    "tts_flite_awb": TTSVoice(
        "flite", "awb", "Flite clustergen (statistical parametric), awb"
    ),
    "tts_flite_rms": TTSVoice(
        "flite", "rms", "Flite clustergen (statistical parametric), rms"
    ),
    "tts_flite_slt": TTSVoice(
        "flite", "slt", "Flite clustergen (statistical parametric), slt"
    ),
    "tts_flite_kal16": TTSVoice(
        "flite", "kal16", "Flite diphone voice kal, 16 kHz"
    ),
    "tts_freetts_kevin16": TTSVoice(
        "freetts", "kevin16", "FreeTTS (Java) diphone voice kevin16"
    ),
    "tts_pico_en_us": TTSVoice(
        "pico", "en-US", "SVOX Pico (ttspico), US English"
    ),
    "tts_pico_en_gb": TTSVoice(
        "pico", "en-GB", "SVOX Pico (ttspico), British English"
    ),
}


def get_tts_voice(name):
    """Returns the TTS voice registered under a generator name.

    Arguments
    ---------
    name : str
        A key of :data:`TTS_VOICES`.

    Returns
    -------
    TTSVoice
        The voice.

    Raises
    ------
    KeyError
        No voice has this name (the message lists the known ones).

    Example
    -------
    >>> get_tts_voice("tts_pico_en_gb").voice
    'en-GB'
    """
    try:
        return TTS_VOICES[name]
    except KeyError:
        raise KeyError(
            f"unknown MiniSpoof TTS voice {name!r}; known: "
            f"{', '.join(TTS_VOICES)}"
        ) from None


def _engine_program(engine):
    return {"freetts": "java", "pico": None}.get(engine, engine)


def check_tts_engines(names):
    """Checks that the engines of some voices are installed.

    Arguments
    ---------
    names : iterable of str
        Keys of :data:`TTS_VOICES`.

    Raises
    ------
    TTSEngineError
        Listing every missing program, jar or package, with the hint of
        :data:`INSTALL_HINT`.

    Example
    -------
    >>> check_tts_engines(["tts_espeak_en_us", "tts_pico_en_us"])
    """
    missing = []
    for name in sorted(set(names)):
        voice = get_tts_voice(name)
        program = _engine_program(voice.engine)
        if program is not None and shutil.which(program) is None:
            missing.append(f"{voice.label} (program {program!r})")
        elif voice.engine == "freetts" and not FREETTS_JAR.exists():
            missing.append(f"{voice.label} ({FREETTS_JAR})")
        elif voice.engine == "pico":
            try:
                import_optional("ttspico")
            except ImportError:
                missing.append(f"{voice.label} (pip package 'ttspico')")
    if missing:
        raise TTSEngineError(
            "MiniSpoof TTS engines missing: "
            + "; ".join(missing)
            + f". To install them, {INSTALL_HINT}."
        )


_ITEM_ID = re.compile(r"[A-Za-z0-9_.-]+")


def synthesize(name, items, out_dir):
    """Synthesises texts with one voice, one file per text.

    Arguments
    ---------
    name : str
        A key of :data:`TTS_VOICES`.
    items : list of tuple
        ``(item_id, text)``; ``item_id`` names the file
        (``out_dir/<item_id>.wav``) and has only letters, digits, ``_``,
        ``.`` and ``-``.
    out_dir : str or Path
        Existing folder for the files (native rate of the engine).

    Returns
    -------
    list of Path
        The files, in the order of ``items``.

    Raises
    ------
    TTSEngineError
        The engine is missing, fails, times out, or writes no audio for a
        text.

    Example
    -------
    >>> out = getfixture("tmp_path")
    >>> paths = synthesize("tts_espeak_en_us", [("a1", "Hello there.")], out)
    >>> [p.name for p in paths]
    ['a1.wav']
    """
    voice = get_tts_voice(name)
    out_dir = Path(out_dir)
    for item_id, _ in items:
        if not _ITEM_ID.fullmatch(item_id):
            raise ValueError(f"bad TTS item id {item_id!r}")
    if items:
        ENGINES[voice.engine](voice, list(items), out_dir)
    paths = [out_dir / f"{item_id}.wav" for item_id, _ in items]
    for path, (_, text) in zip(paths, items):
        if not path.exists() or sf.info(str(path)).frames == 0:
            raise TTSEngineError(
                f"TTS engine {voice.label} wrote no audio for {text!r} ({path})"
            )
    return paths


def read_tts_audio(path, fs):
    """Reads an engine's output as mono float64 at the corpus rate.

    Every TTS output goes through :func:`.dsp.resample`, the resampler of
    the other sources.

    Arguments
    ---------
    path : str or Path
        A file written by :func:`synthesize`.
    fs : int
        Target rate.

    Returns
    -------
    numpy.ndarray
        The samples in [-1, 1].

    Example
    -------
    >>> out = getfixture("tmp_path")
    >>> path = synthesize("tts_espeak_en_us", [("a", "Yes.")], out)[0]
    >>> sf.info(str(path)).samplerate, read_tts_audio(path, 16000).ndim
    (22050, 1)
    """
    audio, native_fs = sf.read(str(path), dtype="float64", always_2d=True)
    return resample(audio.mean(axis=1), native_fs, fs)
