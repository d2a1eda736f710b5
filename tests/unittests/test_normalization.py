"""Tests of ``speechbrain_fica.nnet.normalization``.

* Without a process group, :class:`DistributedBatchNorm` is a plain batch
  norm: outputs, gradients and running statistics equal PyTorch's in
  training and evaluation, with the same ``state_dict`` keys.
* The pooling of statistics over processes is checked in one process by
  standing in for the collective: rank 0 receives the statistics of a
  second part of the batch, of another size, and must normalise its part
  exactly as a batch norm over the whole batch does.
* :func:`convert_to_distributed_batchnorm` replaces every batch norm and
  keeps the very same parameters and buffers.

Authors
 * speechbrain-fica contributors 2026
"""

import pytest
import torch

from speechbrain_fica.nnet import normalization
from speechbrain_fica.nnet.normalization import (
    DistributedBatchNorm,
    convert_to_distributed_batchnorm,
)

CASES = {
    # name: (torch batch norm class, input shape)
    "1d-sequence": (torch.nn.BatchNorm1d, (6, 4, 50)),
    "1d-vector": (torch.nn.BatchNorm1d, (8, 4)),
    "2d": (torch.nn.BatchNorm2d, (3, 4, 7, 9)),
}


def random_input(shape, seed):
    generator = torch.Generator().manual_seed(seed)
    # Per-channel offsets and scales, as real features have.
    channels = shape[1]
    view = [1, channels] + [1] * (len(shape) - 2)
    scale = torch.linspace(0.5, 3.0, channels).view(view)
    offset = torch.linspace(-2.0, 2.0, channels).view(view)
    return torch.randn(shape, generator=generator) * scale + offset


def paired(reference_class, momentum=0.1):
    """A torch batch norm with non-trivial affine parameters and our module
    with the same state."""
    reference = reference_class(4, momentum=momentum)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor([1.5, 0.5, -1.0, 2.0]))
        reference.bias.copy_(torch.tensor([0.1, -0.2, 0.3, 0.0]))
    ours = DistributedBatchNorm(4, momentum=momentum)
    ours.load_state_dict(reference.state_dict())
    return reference, ours


@pytest.mark.parametrize("case", list(CASES))
def test_equals_torch_batchnorm_without_process_group(case):
    reference_class, shape = CASES[case]
    reference, ours = paired(reference_class)
    assert list(ours.state_dict()) == list(reference.state_dict())
    for step in range(3):
        x = random_input(shape, seed=step)
        x_ref = x.clone().requires_grad_(True)
        x_ours = x.clone().requires_grad_(True)
        out_ref, out_ours = reference(x_ref), ours(x_ours)
        torch.testing.assert_close(out_ours, out_ref, rtol=0, atol=1e-6)
        weights = torch.linspace(-1, 1, out_ref.numel()).view(out_ref.shape)
        (out_ref * weights).sum().backward()
        (out_ours * weights).sum().backward()
        torch.testing.assert_close(x_ours.grad, x_ref.grad, rtol=0, atol=1e-6)
    torch.testing.assert_close(ours.weight.grad, reference.weight.grad)
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(ours.state_dict()[key], value, msg=key)
    assert int(ours.num_batches_tracked) == 3
    reference.eval(), ours.eval()
    x = random_input(shape, seed=10)
    torch.testing.assert_close(ours(x), reference(x), rtol=0, atol=1e-6)


def test_input_dimension_is_checked():
    with pytest.raises(ValueError, match="at least 2-D"):
        DistributedBatchNorm(4)(torch.randn(4))


def test_pooled_statistics_equal_one_batch_norm(monkeypatch):
    """Rank 0 holds 2 of 7 utterances; the stand-in all_gather returns its
    statistics and those of the other 5 (as rank 1 would send them)."""
    full = random_input((7, 4, 30), seed=3)
    local, remote = full[:2], full[2:]

    def remote_stats(x):
        mean = x.mean([0, 2])
        m2 = (x - mean.view(1, -1, 1)).pow(2).sum([0, 2])
        count = torch.tensor([x.numel() / x.shape[1]])
        return torch.cat([mean, m2, count])

    def all_gather(tensor):
        return (tensor, remote_stats(remote))

    monkeypatch.setattr(normalization, "_distributed", lambda: True)
    monkeypatch.setattr(normalization.dist_fn, "all_gather", all_gather)
    reference, ours = paired(torch.nn.BatchNorm1d, momentum=0.2)
    expected = reference(full)[:2]
    torch.testing.assert_close(ours(local), expected, rtol=0, atol=1e-5)
    # Running statistics as after one batch norm step over all 7.
    torch.testing.assert_close(
        ours.running_mean, reference.running_mean, rtol=0, atol=1e-6
    )
    torch.testing.assert_close(
        ours.running_var, reference.running_var, rtol=1e-5, atol=1e-6
    )
    assert int(ours.num_batches_tracked) == 1
    # In evaluation the running statistics are used, nothing is gathered.
    ours.eval(), reference.eval()
    monkeypatch.setattr(normalization.dist_fn, "all_gather", None)
    torch.testing.assert_close(ours(local), reference(local), atol=1e-6, rtol=0)


class Backbone(torch.nn.Module):
    """Batch norms at several depths, as attributes and in containers."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 3, 3)
        self.bn2d = torch.nn.BatchNorm2d(3)
        self.blocks = torch.nn.Sequential(
            torch.nn.Conv1d(3, 5, 3),
            torch.nn.BatchNorm1d(5, affine=False),
            torch.nn.ReLU(),
        )
        self.head = torch.nn.ModuleDict(
            {"norm": torch.nn.BatchNorm1d(5, track_running_stats=False)}
        )
        self.volume = torch.nn.BatchNorm3d(2)

    def forward(self, x):
        x = self.bn2d(self.conv(x)).mean(2)
        return self.head["norm"](self.blocks(x))


def test_conversion_replaces_every_batch_norm_and_keeps_weights():
    torch.manual_seed(0)
    model = Backbone()
    model.bn2d.eval()
    x = torch.randn(4, 1, 8, 12)
    # A step in training mode moves the running statistics away from
    # their initial values.
    expected = model(x)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    tensors = dict(model.named_parameters())
    tensors.update(model.named_buffers())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    converted = convert_to_distributed_batchnorm(model)
    assert converted is model
    norms = [
        m
        for m in model.modules()
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
    ]
    assert len(norms) == 4
    assert all(type(m) is DistributedBatchNorm for m in norms)
    assert list(model.state_dict()) == list(state)
    for name, value in model.state_dict().items():
        assert torch.equal(value, state[name]), name
    assert not torch.equal(state["blocks.1.running_mean"], torch.zeros(5))
    # The same tensors (moved, not copied): the optimiser built before the
    # conversion still trains the converted model.
    after = dict(model.named_parameters())
    after.update(model.named_buffers())
    assert all(after[name] is tensors[name] for name in tensors)
    assert model.bn2d.training is False and model.blocks[1].training
    assert model.blocks[1].weight is None
    assert model.head["norm"].running_mean is None
    torch.testing.assert_close(model(x), expected, rtol=0, atol=1e-6)
    loss = model(x).pow(2).mean()
    loss.backward()
    optimizer.step()
    assert not torch.equal(model.conv.weight, state["conv.weight"])
    # Converting again changes nothing; a bare batch norm is replaced.
    again = convert_to_distributed_batchnorm(model)
    assert all(a is b for a, b in zip(again.modules(), model.modules()))
    single = torch.nn.BatchNorm1d(3)
    replacement = convert_to_distributed_batchnorm(single)
    assert type(replacement) is DistributedBatchNorm
    assert replacement.weight is single.weight
