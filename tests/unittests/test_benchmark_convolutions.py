"""The convolution floor of ``benchmarks/bench_models.py`` records and
replays exactly the convolutions of an AASIST training forward.

Authors
 * speechbrain-fica contributors 2026
"""

import importlib.util
import os

import pytest
import torch

from speechbrain_fica.lobes import AASIST

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
BENCH_MODELS = os.path.join(REPO_ROOT, "benchmarks", "bench_models.py")


@pytest.fixture(scope="module")
def bench_models():
    spec = importlib.util.spec_from_file_location("bench_models", BENCH_MODELS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("implementation", ["fast", "faithful"])
def test_recorder_sees_every_convolution(bench_models, implementation):
    model = AASIST(implementation=implementation).train()
    recorder = bench_models.ConvolutionRecorder()
    with recorder:
        model(torch.randn(2, 8000))
    calls = recorder.calls
    convs = [m for m in model.encoder.modules() if type(m) is torch.nn.Conv2d]
    # the sinc front end (conv1d) and every Conv2d of the encoder, once
    assert len(calls) == 1 + len(convs) == 15
    assert calls[0]["function"] is torch.conv1d
    # the front end has fixed filters and a waveform input: no gradient
    assert not any(grad for _, _, grad in calls[0]["tensors"].values())
    # the encoder's first convolution reads the trainable first_bn output
    assert all(c["tensors"]["input"][2] for c in calls[1:])
    assert all(c["tensors"]["weight"][2] for c in calls[1:])
    # the fast path runs the encoder channels-last, the faithful one not
    layout = torch.channels_last if implementation == "fast" else None
    for call in calls[1:]:
        shape, stride, _ = call["tensors"]["input"]
        if shape[1] > 1:  # one channel: both layouts have the same strides
            expected = torch.empty(shape).contiguous(
                memory_format=layout or torch.contiguous_format
            )
            assert stride == expected.stride(), shape


def test_replay_counts_the_passes_it_times(bench_models):
    recorder = bench_models.ConvolutionRecorder()
    conv = torch.nn.Conv2d(4, 8, (2, 3), padding=(0, 1))
    x = torch.randn(2, 4, 5, 30, requires_grad=True)
    with recorder:
        conv(x)
        conv(x.detach())
    with_input_grad, weight_grad_only = (
        bench_models.replay_convolution(call, "cpu", torch.float32, 1)
        for call in recorder.calls
    )
    forward_gflop = 2 * (2 * 8 * 4 * 30) * (4 * 2 * 3) / 1e9
    assert with_input_grad["gflop"] == pytest.approx(3 * forward_gflop)
    assert weight_grad_only["gflop"] == pytest.approx(2 * forward_gflop)
    assert with_input_grad["input"] == [2, 4, 5, 30]
    assert with_input_grad["weight"] == [8, 4, 2, 3]
    assert with_input_grad["forward_s"] > 0
    assert with_input_grad["backward_s"] > 0


def test_string_padding_is_refused_by_name(bench_models):
    conv = torch.nn.Conv1d(1, 2, 3, padding="same")
    with pytest.raises(ValueError, match="string padding 'same'"):
        with bench_models.ConvolutionRecorder():
            conv(torch.randn(1, 1, 10))
