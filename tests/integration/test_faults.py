"""Fault injection at inference: bad inputs on purpose, exact outcomes.

Each test feeds the scoring command line or ``SpoofDetector`` one kind of
bad input (an output path that is an input, an unusable output, foreign
code in a model folder, a pickled checkpoint, non-finite, silent, short,
long or converted audio) and checks what must happen: the audio file is
intact, nothing runs, the file is named, the flag is set, only the scored
samples are read. The bundled AASIST-L serves as the model, with a 1 s
segment where the length does not matter.

Authors
 * speechbrain-fica contributors 2026
"""

import csv
import hashlib
import logging
import os
import re
import shlex
import shutil

import numpy as np
import pytest
import soundfile
import torch
import torchaudio

import speechbrain_fica.inference.cli as score_cli
from speechbrain_fica.dataio.audio import AudioError, resample_input_length
from speechbrain_fica.inference import SpoofDetector, export, pretrained_path
from speechbrain_fica.inference.trust import UntrustedCodeError
from speechbrain_fica.metrics.det import compute_eer
from speechbrain_fica.utils.checkpoints import (
    CheckpointError,
    load_backbone_weights,
)
from tests.utils.samples import real_asvspoof_files

CPU = {"device": "cpu"}
SEGMENT = 16000  # 1 s: fast, long enough for AASIST-L
PROG = "python -m speechbrain_fica.score"


class NotATensor:
    """An object a weights-only load must refuse (pickled by reference)."""

    def __init__(self):
        self.payload = "anything"


def md5(path):
    """Digest of a file's bytes."""
    with open(path, "rb") as f:
        return hashlib.md5(f.read(), usedforsecurity=False).hexdigest()


def copy_model(destination, segment_samples=SEGMENT, extra_yaml=""):
    """A copy of the bundled AASIST-L folder with a shorter segment and
    optional extra yaml lines; returns (folder, line of the first extra
    line)."""
    shutil.copytree(pretrained_path("AASIST-L"), destination)
    yaml_path = os.path.join(destination, "hyperparams.yaml")
    with open(yaml_path) as f:
        text = f.read()
    text = re.sub(
        r"^segment_samples: \d+",
        f"segment_samples: {segment_samples}",
        text,
        flags=re.M,
    )
    first_extra_line = text.count("\n") + 1
    with open(yaml_path, "w") as f:
        f.write(text + extra_yaml)
    return str(destination), first_extra_line


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """AASIST-L with a 1 s segment, in a folder."""
    return copy_model(tmp_path_factory.mktemp("faults") / "aasist_l_1s")[0]


@pytest.fixture
def speech(tmp_path):
    """A real ASVspoof 2019 LA file (bona fide or spoof), copied."""
    files, _ = real_asvspoof_files()
    path = str(tmp_path / "speech.flac")
    shutil.copy(files[0], path)
    return path


def write(path, samples, rate=16000, subtype=None):
    """Writes ``samples`` ([T] or [T, C]) with soundfile; returns path."""
    soundfile.write(str(path), np.asarray(samples), rate, subtype=subtype)
    return str(path)


def noise(seconds, rate=16000, channels=None, seed=0):
    """Gaussian noise at 0.1 of full scale."""
    shape = (int(seconds * rate),) + ((channels,) if channels else ())
    return (0.1 * np.random.RandomState(seed).randn(*shape)).astype("float32")


def run_cli(argv, capsys):
    """Runs the command line; returns (exit status, stderr)."""
    try:
        status = score_cli.main(argv + ["--device", "cpu", "--noprogressbar"])
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err


def read_rows(path):
    """The rows of a score CSV as dicts."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def no_model_loading(monkeypatch):
    """Fails the test if the command line starts loading a model."""

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(score_cli.SpoofDetector, "from_hparams", refuse)


# ---------------------------------------------------------------------------
# The score CLI's output file
# ---------------------------------------------------------------------------
def test_cli_never_overwrites_an_input_audio_file(
    speech, model, tmp_path, capsys, no_model_loading
):
    before = md5(speech)
    link = tmp_path / "link.csv"
    link.symlink_to(speech)
    hard_link = tmp_path / "hard.csv"
    os.link(speech, hard_link)
    model_file = os.path.join(model, "model.ckpt")
    model_md5 = md5(model_file)
    for output in (speech, str(link), str(hard_link), model_file):
        status, err = run_cli(
            [str(tmp_path), "--model", model, "--output", output], capsys
        )
        assert status == 2, err
        (line,) = err.strip().splitlines()
        assert line.startswith(f"{PROG}: error: --output {output} is an input")
    assert md5(speech) == before
    assert md5(model_file) == model_md5
    assert sorted(os.listdir(tmp_path)) == [
        "hard.csv",
        "link.csv",
        "speech.flac",
    ]


def test_cli_keeps_existing_csv_when_nothing_scored(
    speech, model, tmp_path, capsys, monkeypatch
):
    csv_path = tmp_path / "scores.csv"
    csv_path.write_text("path,score,decision,note\nold.flac,1.0,bonafide,\n")
    before = csv_path.read_text()
    bad = write(tmp_path / "nan.wav", np.full(800, np.nan), subtype="FLOAT")
    status, err = run_cli(
        [bad, "--model", model, "--output", str(csv_path)], capsys
    )
    assert status == 1
    assert f"nothing scored: {csv_path} left as it was" in err
    assert csv_path.read_text() == before

    # an interrupted run leaves it too, and no temporary file
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(score_cli, "score_files", interrupt)
    with pytest.raises(KeyboardInterrupt):
        score_cli.main([speech, "--model", model, "--output", str(csv_path)])
    assert csv_path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == [
        "nan.wav",
        "scores.csv",
        "speech.flac",
    ]


def test_cli_refuses_unusable_output_before_loading_the_model(
    speech, model, tmp_path, capsys, no_model_loading
):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    cases = {
        str(folder): "is a folder",
        f"{speech}/scores.csv": f"{speech} is not a folder",
        f"{speech}/deeper/scores.csv": f"{speech} is not a folder",
        # a folder to be, by its trailing separator
        str(tmp_path / "new_folder") + os.sep: "is a folder",
    }
    if getattr(os, "geteuid", lambda: -1)() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        cases[str(locked / "scores.csv")] = "cannot write in"
    for output, reason in cases.items():
        status, err = run_cli(
            [speech, "--model", model, "--output", output], capsys
        )
        assert status == 2, output
        (line,) = err.strip().splitlines()
        assert line.startswith(f"{PROG}: error: --output {output}")
        assert reason in line
    status, err = run_cli(
        [speech, "--model", str(tmp_path / "nope"), "--output", "x.csv"], capsys
    )
    assert status == 2
    assert "no such model folder" in err and "AASIST-L" in err
    assert md5(speech) == md5(real_asvspoof_files()[0][0])


def test_cli_refuses_unusable_arguments_in_one_line(
    speech, model, tmp_path, capsys, no_model_loading
):
    output = str(tmp_path / "s.csv")
    cases = {
        ("--threshold", "nan"): "--threshold must be a finite number",
        ("--threshold=-inf",): "--threshold must be a finite number",
        ("--device", "gpu"): "--device gpu: not a torch device",
        # no such CUDA device, with or without CUDA on the machine
        ("--device", "cuda:99"): "--device cuda:99: ",
    }
    for option, reason in cases.items():
        with pytest.raises(SystemExit) as exit_:
            score_cli.main(
                [speech, "--model", model, "--output", output, *option]
            )
        assert exit_.value.code == 2
        (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
        assert reason in line, line
    assert not os.path.exists(output)


def test_model_folder_without_weights_or_with_other_shapes_is_refused(
    tmp_path, speech, capsys
):
    # No pretrainer: SpeechBrain would score with random weights.
    folder, _ = copy_model(tmp_path / "no_pretrainer")
    yaml_path = os.path.join(folder, "hyperparams.yaml")
    with open(yaml_path) as f:
        text = f.read()
    text = re.sub(r"^pretrainer:.*?(?=^\S|\Z)", "", text, flags=re.M | re.S)
    with open(yaml_path, "w") as f:
        f.write(text)
    with pytest.raises(CheckpointError, match="defines no 'pretrainer'"):
        SpoofDetector.from_hparams(source=folder, run_opts=CPU)
    # Weights of another shape: one line naming the file and the tensor.
    other = copy_model(tmp_path / "other_shape")[0]
    ckpt = os.path.join(other, "model.ckpt")
    state = torch.load(ckpt, weights_only=True)
    state["out_layer.weight"] = torch.zeros(
        3, state["out_layer.weight"].shape[1]
    )
    torch.save(state, ckpt)
    for source, reason in (
        (folder, "defines no 'pretrainer'"),
        (other, f"{ckpt} does not fit AASIST: out_layer.weight has shape"),
    ):
        output = tmp_path / "s.csv"
        status, err = run_cli(
            [speech, "--model", source, "--output", str(output)], capsys
        )
        assert status == 2
        (line,) = err.strip().splitlines()
        assert reason in line, line
        assert not output.exists()


def test_export_errors_are_one_line(tmp_path, capsys):
    bundled = pretrained_path("AASIST-L")
    argv = [
        "--official",
        "AASIST-L",
        "--weights",
        os.path.join(bundled, "model.ckpt"),
        "--license",
        os.path.join(bundled, "LICENSE.aasist"),
        "--output",
        str(tmp_path / "out"),
    ]
    assert export.main(argv) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        export.main(argv)  # the folder exists now
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "already holds" in line and "--overwrite" in line
    # The experiment's own folder, or its save/, is never the output.
    experiment = tmp_path / "experiment"
    (experiment / "save").mkdir(parents=True)
    (experiment / "hyperparams.yaml").write_text(
        "model: !new:speechbrain_fica.lobes.LCNN\n"
    )
    before = (experiment / "hyperparams.yaml").read_text()
    for output in (experiment, experiment / "save", experiment / "save" / "m"):
        with pytest.raises(SystemExit) as exit_:
            export.main(
                ["--experiment", str(experiment), "--output", str(output)]
            )
        assert exit_.value.code == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert "is the experiment folder or its save/ folder" in line
    assert (experiment / "hyperparams.yaml").read_text() == before
    assert sorted(os.listdir(experiment)) == ["hyperparams.yaml", "save"]


def test_cli_strict_mode_fails_on_skips(speech, model, tmp_path, capsys):
    stereo = write(tmp_path / "stereo.wav", noise(0.5, channels=2))
    csv_path = str(tmp_path / "out" / "scores.csv")
    argv = [speech, stereo, "--model", model, "--output", csv_path]
    status, err = run_cli(argv, capsys)
    assert status == 0
    assert f"skipped {stereo}: 2 channels, expected mono" in err
    status, err = run_cli(argv + ["--strict"], capsys)
    assert status == 1
    assert "--strict: 1 input(s) skipped" in err
    assert f"scores written to {os.path.abspath(csv_path)}" in err
    assert [row["path"] for row in read_rows(csv_path)] == [speech]
    status, _ = run_cli(
        [speech, "--model", model, "--output", csv_path, "--strict"], capsys
    )
    assert status == 0


def test_bundled_name_wins_over_local_folder_with_a_warning(
    model, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(model, "AASIST-L")  # a different model, same name
    loaded = []
    original = score_cli.SpoofDetector.from_hparams.__func__

    def spy(cls, source, **kwargs):
        loaded.append(os.path.abspath(source))
        return original(cls, source, **kwargs)

    monkeypatch.setattr(
        score_cli.SpoofDetector, "from_hparams", classmethod(spy)
    )
    # the input is skipped: the test is about which model loads
    stereo = write(tmp_path / "stereo.wav", noise(0.1, channels=2))
    status, err = run_cli(
        [stereo, "--model", "AASIST-L", "--output", "a.csv"], capsys
    )
    assert status == 1
    assert loaded == [pretrained_path("AASIST-L")]
    assert (
        "warning: --model AASIST-L: using the bundled model AASIST-L, not the "
        f"local folder AASIST-L{os.sep} (to score with that folder, pass "
        f"--model .{os.sep}AASIST-L)"
    ) in err
    status, err = run_cli(
        [stereo, "--model", f".{os.sep}AASIST-L", "--output", "b.csv"], capsys
    )
    assert status == 1 and "warning" not in err
    assert loaded[1] == str(tmp_path / "AASIST-L")


# ---------------------------------------------------------------------------
# Foreign code in model folders, pickled checkpoints
# ---------------------------------------------------------------------------
def test_untrusted_yaml_is_refused_and_nothing_runs(
    tmp_path, speech, capsys, caplog
):
    marker = tmp_path / "marker"
    touch = shlex.quote(f"touch {marker}")
    attempts = {
        "apply": f'pwn: !apply:os.system ["touch {marker}"]\n',
        # a path through an allowed module that imports os
        "traversal": (
            "pwn: !apply:speechbrain_fica.utils.checkpoints.os.system "
            f'["touch {marker}"]\n'
        ),
        "pyyaml": f"pwn: !!python/object/apply:os.system [{touch}]\n",
        "shell": (
            "pwn: !apply:speechbrain.utils.superpowers.run_shell "
            f'["touch {marker}"]\n'
        ),
        # a method of an allowed class that writes a file
        "method": (
            "pwn: !apply:speechbrain.nnet.schedulers.NewBobScheduler.save\n"
            f"    - !ref <scheduler>\n    - {marker}\n"
            "scheduler: !new:speechbrain.nnet.schedulers.NewBobScheduler\n"
            "    initial_value: 1.0\n"
        ),
        # a training helper that writes files is no part of a model
        "writer": (
            "pwn: !new:speechbrain.utils.train_logger.FileTrainLogger "
            f'["{marker}"]\n'
        ),
    }
    for name, line_text in attempts.items():
        folder, line = copy_model(tmp_path / name, extra_yaml=line_text)
        tag = line_text.split()[1]
        with pytest.raises(UntrustedCodeError) as error:
            SpoofDetector.from_hparams(source=folder, run_opts=CPU)
        message = str(error.value)
        yaml_path = os.path.realpath(os.path.join(folder, "hyperparams.yaml"))
        assert f"{yaml_path}:{line}: {tag}" in message, message
        assert "trust_remote_code=True" in message
        status, err = run_cli(
            [speech, "--model", folder, "--output", str(tmp_path / "s.csv")],
            capsys,
        )
        assert status == 2
        assert f"{yaml_path}:{line}: {tag}" in err
        assert "--trust-remote-code" in err
    # export --experiment checks the experiment's yaml the same way
    experiment = tmp_path / "experiment"
    experiment.mkdir()
    (experiment / "hyperparams.yaml").write_text(attempts["apply"])
    with pytest.raises(SystemExit) as exit_:
        export.main(
            ["--experiment", str(experiment), "--output", str(tmp_path / "o")]
        )
    assert exit_.value.code == 2
    assert "hyperparams.yaml:1: !apply:os.system" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "o")
    assert not marker.exists()
    assert not os.path.exists(tmp_path / "s.csv")


def test_trusted_yaml_runs_with_trust_remote_code(tmp_path, speech, caplog):
    marker = tmp_path / "marker"
    folder, line = copy_model(
        tmp_path / "model",
        extra_yaml=f'side_effect: !apply:os.system ["touch {marker}"]\n',
    )
    with caplog.at_level(logging.WARNING):
        detector = SpoofDetector.from_hparams(
            source=folder, run_opts=CPU, trust_remote_code=True
        )
    assert marker.exists()
    assert f"hyperparams.yaml:{line}: !apply:os.system" in caplog.text
    result = detector.classify_file(speech)
    assert np.isfinite(result["score"]) and result["note"] == ""
    # the method call refused without trust does write its file
    written = tmp_path / "scheduler.ckpt"
    folder, _ = copy_model(
        tmp_path / "method",
        extra_yaml=(
            "side_effect: !apply:speechbrain.nnet.schedulers."
            f"NewBobScheduler.save\n    - !ref <scheduler>\n    - {written}\n"
            "scheduler: !new:speechbrain.nnet.schedulers.NewBobScheduler\n"
            "    initial_value: 1.0\n"
        ),
    )
    SpoofDetector.from_hparams(
        source=folder, run_opts=CPU, trust_remote_code=True
    )
    assert written.exists()


def test_pickle_checkpoint_rejected_names_the_file(tmp_path, speech, capsys):
    folder, _ = copy_model(tmp_path / "model")
    ckpt = os.path.join(folder, "model.ckpt")
    state = torch.load(ckpt, weights_only=True)
    state["extra"] = NotATensor()
    torch.save(state, ckpt)
    with pytest.raises(CheckpointError) as error:
        load_backbone_weights(torch.nn.Linear(1, 1), ckpt)
    message = str(error.value)
    assert message.startswith(f"{ckpt}: refused")
    assert "NotATensor" in message
    assert "weights_only" not in message
    with pytest.raises(CheckpointError, match="model.ckpt: refused"):
        SpoofDetector.from_hparams(source=folder, run_opts=CPU)
    status, err = run_cli(
        [speech, "--model", folder, "--output", str(tmp_path / "s.csv")],
        capsys,
    )
    assert status == 2
    (line,) = err.strip().splitlines()
    assert "model.ckpt: refused" in line and "weights_only" not in line


# ---------------------------------------------------------------------------
# Questionable audio
# ---------------------------------------------------------------------------
def test_nonfinite_audio_is_skipped_with_its_name(
    model, speech, tmp_path, capsys
):
    signal = noise(1.0)
    with_nan, with_inf = signal.copy(), signal.copy()
    with_nan[[10, 500]] = np.nan
    with_inf[20] = -np.inf
    nan_path = write(tmp_path / "nan.wav", with_nan, subtype="FLOAT")
    inf_path = write(tmp_path / "inf.wav", with_inf, subtype="FLOAT")
    csv_path = str(tmp_path / "scores.csv")
    status, err = run_cli(
        [nan_path, speech, inf_path, "--model", model, "--output", csv_path],
        capsys,
    )
    assert status == 0
    assert (
        f"skipped {nan_path}: 2 NaN and 0 infinite sample value(s) among "
        "the 16000 samples read"
    ) in err
    assert f"skipped {inf_path}: 0 NaN and 1 infinite" in err
    assert f"scored 1 file, skipped 2: {nan_path}, {inf_path}" in err
    rows = read_rows(csv_path)
    assert [row["path"] for row in rows] == [speech]
    assert np.isfinite(float(rows[0]["score"]))

    detector = SpoofDetector.from_hparams(source=model, run_opts=CPU)
    with pytest.raises(AudioError, match=re.escape(nan_path)):
        detector.classify_file(nan_path)
    batch = torch.from_numpy(np.stack([signal, with_nan]))
    with pytest.raises(ValueError, match="signal 1 of the batch: .* 2 NaN"):
        detector.score_batch(batch)


def test_short_and_silent_inputs_are_flagged(
    model, speech, tmp_path, capsys, caplog
):
    files = {
        "silence.wav": np.zeros(16000),
        "one_sample.wav": np.array([0.5]),
        "clip.wav": noise(0.1),
        "quiet_tail.wav": np.concatenate([noise(0.3), np.zeros(16000)]),
    }
    notes = {
        "silence.wav": "digital silence (no sample above 2^-15 of full scale)",
        "one_sample.wav": "short: 0.00 s of signal (less than 0.5 s)",
        "clip.wav": "short: 0.10 s of signal (less than 0.5 s)",
        "quiet_tail.wav": "short: 0.30 s of signal (less than 0.5 s)",
    }
    paths = [write(tmp_path / name, x) for name, x in files.items()]
    csv_path = str(tmp_path / "scores.csv")
    with caplog.at_level(logging.WARNING):
        status, _ = run_cli(
            [*paths, speech, "--model", model, "--output", csv_path], capsys
        )
    assert status == 0
    rows = {os.path.basename(r["path"]): r for r in read_rows(csv_path)}
    assert {name: rows[name]["note"] for name in files} == notes
    assert rows["speech.flac"]["note"] == ""
    assert all(np.isfinite(float(row["score"])) for row in rows.values())
    for path in paths:
        assert f"{path}: " in caplog.text
    detector = SpoofDetector.from_hparams(source=model, run_opts=CPU)
    result = detector.classify_file(paths[0])
    assert result["note"] == notes["silence.wav"]
    assert result["decision"] in ("bonafide", "spoof")


def test_only_the_scored_segment_is_read(model, tmp_path, monkeypatch):
    # 60 s whose samples after the first second are NaN: read whole, the
    # file would be refused
    long = noise(60.0)
    long[SEGMENT:] = np.nan
    path = write(tmp_path / "long.wav", long, subtype="FLOAT")
    reads = []
    original = soundfile.SoundFile.read

    def spy(self, frames=-1, *args, **kwargs):
        data = original(self, frames, *args, **kwargs)
        reads.append(len(data))
        return data

    monkeypatch.setattr(soundfile.SoundFile, "read", spy)
    detector = SpoofDetector.from_hparams(source=model, run_opts=CPU)
    result = detector.classify_file(path)
    assert np.isfinite(result["score"]) and result["note"] == ""
    assert reads == [SEGMENT]
    # resampling reads just enough more for an exact first segment
    path48 = write(tmp_path / "long48.wav", noise(60.0, rate=48000), rate=48000)
    reads.clear()
    detector.classify_file(path48, resample=True)
    assert reads == [resample_input_length(SEGMENT, 48000, 16000)]
    assert reads[0] < 3 * SEGMENT + 100


def test_resample_and_downmix_opt_in(model, tmp_path, capsys):
    stereo = noise(2.0, rate=48000, channels=2)
    stereo[:, 1] *= 0.3  # channels differ
    path = write(tmp_path / "stereo48.wav", stereo, rate=48000)
    detector = SpoofDetector.from_hparams(source=model, run_opts=CPU)
    with pytest.raises(AudioError, match="48000 Hz, expected 16000 Hz"):
        detector.score_file(path)
    csv_path = str(tmp_path / "scores.csv")
    argv = [path, "--model", model, "--output", csv_path]
    status, err = run_cli(argv, capsys)
    assert status == 1 and "--resample" in err

    result = detector.classify_file(path, resample=True)
    assert result["note"] == "resampled from 48000 Hz; 2 channels averaged"
    as_stored, _ = soundfile.read(path, dtype="float32")  # 16-bit PCM
    by_hand = torchaudio.functional.resample(
        torch.from_numpy(as_stored).mean(dim=1), 48000, 16000
    )[:SEGMENT]
    expected = float(detector.score_batch(by_hand)[0])
    assert result["score"] == pytest.approx(expected, abs=1e-4)
    status, err = run_cli(argv + ["--resample"], capsys)
    assert status == 0
    (row,) = read_rows(csv_path)
    assert row["note"] == "resampled from 48000 Hz; 2 channels averaged"
    assert float(row["score"]) == pytest.approx(expected, abs=1e-4)


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------
def test_missing_scores_are_not_reported_as_nan():
    with pytest.raises(ValueError) as error:
        compute_eer([0.9, None, 0.7], [0.1, 0.2])
    assert str(error.value) == (
        "bonafide_scores has 1 missing value(s) (None) out of 3"
    )
    with pytest.raises(ValueError, match="1 NaN"):
        compute_eer([0.9, float("nan"), 0.7], [0.1, 0.2])
