"""Batch normalisation synchronised across processes, on any device.

PyTorch's ``SyncBatchNorm`` (which SpeechBrain uses under DDP) only runs on
GPUs. :class:`DistributedBatchNorm` computes the batch statistics over all
processes with collective operations on CPU too (gloo), so that a DDP run with a
per-process batch of ``B / n`` normalises exactly like one process with a
batch of ``B``.

Authors
 * speechbrain-fica contributors 2026
"""

import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_fn
import torch.nn as nn


def _distributed():
    return dist.is_available() and dist.is_initialized()


class DistributedBatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNorm whose training statistics are pooled over DDP processes.

    Same parameters, buffers and ``state_dict`` keys as ``BatchNorm1d`` /
    ``BatchNorm2d`` (channel dimension 1). In evaluation, or without a
    process group, it is a plain batch norm. The statistics are pooled with
    a differentiable ``all_gather`` of per-channel counts, means and sums
    of squared deviations (so processes may hold different numbers of
    items).

    Arguments
    ---------
    num_features : int
        Channels.
    eps : float
        Added to the variance.
    momentum : float
        Running-statistics momentum.
    affine : bool
        Learnable scale and shift.
    track_running_stats : bool
        Keep running statistics.

    Example
    -------
    >>> bn = DistributedBatchNorm(4)
    >>> reference = torch.nn.BatchNorm2d(4)
    >>> x = torch.randn(3, 4, 5, 5)
    >>> torch.allclose(bn(x), reference(x), atol=1e-5)
    True
    """

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(
                f"expected at least 2-D input, got {input.dim()}-D"
            )

    def forward(self, x):
        """Normalises ``x`` ``[B, C, ...]`` with statistics over all
        processes (training) or the running statistics (evaluation)."""
        if not (self.training and _distributed()):
            return super().forward(x)
        # Per-process count, mean and sum of squared deviations, combined
        # exactly (Chan et al.): stable where E[x^2] - E[x]^2 is not.
        channels = x.shape[1]
        dims = [0] + list(range(2, x.dim()))
        shape = [1, channels] + [1] * (x.dim() - 2)
        local_mean = x.mean(dims)
        local_m2 = (x - local_mean.view(shape)).pow(2).sum(dims)
        count = torch.full(
            (1,), x.numel() / channels, dtype=x.dtype, device=x.device
        )
        parts = torch.stack(
            dist_fn.all_gather(torch.cat([local_mean, local_m2, count]))
        )
        counts = parts[:, -1:]
        total = counts.sum()
        mean = (parts[:, :channels] * counts).sum(0) / total
        deviation = parts[:, :channels] - mean
        m2 = (parts[:, channels:-1] + counts * deviation.pow(2)).sum(0)
        var = m2 / total
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked += 1
                unbiased = var * total / (total - 1)
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(unbiased.detach(), self.momentum)
        y = (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y


def convert_to_distributed_batchnorm(module):
    """Replaces every ``BatchNorm1d/2d/3d`` inside ``module`` in place.

    Parameters and buffers are moved over (not copied), so optimisers,
    checkpoint recoverables and ``state_dict`` keys are unchanged.

    Arguments
    ---------
    module : torch.nn.Module
        The model.

    Returns
    -------
    torch.nn.Module
        ``module`` (or the replacement, if ``module`` is itself a BN).

    Example
    -------
    >>> net = torch.nn.Sequential(
    ...     torch.nn.Conv1d(1, 2, 3), torch.nn.BatchNorm1d(2)
    ... )
    >>> keys = list(net.state_dict())
    >>> net = convert_to_distributed_batchnorm(net)
    >>> type(net[1]).__name__, list(net.state_dict()) == keys
    ('DistributedBatchNorm', True)
    """
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(
        module, DistributedBatchNorm
    ):
        replacement = DistributedBatchNorm(
            module.num_features,
            module.eps,
            module.momentum,
            module.affine,
            module.track_running_stats,
        )
        if module.affine:
            replacement.weight = module.weight
            replacement.bias = module.bias
        if module.track_running_stats:
            replacement.running_mean = module.running_mean
            replacement.running_var = module.running_var
            replacement.num_batches_tracked = module.num_batches_tracked
        replacement.train(module.training)
        return replacement
    for name, child in module.named_children():
        module._modules[name] = convert_to_distributed_batchnorm(child)
    return module
