"""AASIST and AASIST-L: spectro-temporal graph attention on raw waveforms.

A port of Jung et al., "AASIST: Audio Anti-Spoofing using Integrated
Spectro-Temporal Graph Attention Networks", ICASSP 2022. Module and
parameter names follow the official implementation (clovaai/aasist, MIT) so
that its checkpoints load with ``strict=True`` and give its outputs.

Two implementations of the same function share the parameters (see
:class:`AASIST`): ``"faithful"`` follows the official code line by line;
``"fast"`` (the default) computes the same outputs faster (a training step
1.35x on a 2-core CPU, 1.5x on an H200 in bf16; see ``benchmarks/``) by
running the encoder in channels-last memory format, pooling the sinc
front end without materialising its absolute value, computing SELU with
``exp`` instead of the slow ``expm1`` kernel and doing in place what
autograd allows.

Authors
 * speechbrain-fica contributors 2026
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from speechbrain_fica.lobes.frontends import MelSincFilterbank

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class _InplaceSELU(torch.autograd.Function):
    """SELU computed in place from ``exp``, in cache-sized chunks (CPU).

    On CPU, ``F.selu`` evaluates ``expm1`` element by element, about ten
    times slower than the vectorised ``exp``; on the encoder's feature maps
    that made SELU a fifth of a training step. ``exp(x) - 1`` differs from
    ``expm1(x)`` by about 1e-7 absolute. The five elementwise passes run on
    chunks that stay in cache, with one small scratch buffer instead of a
    temporary as large as the map. The backward pass is PyTorch's own SELU
    gradient, computed from the output.
    """

    CHUNK = 1 << 18

    @staticmethod
    def forward(ctx, x):
        # x is dense (checked by _selu_): its storage, in memory order.
        flat = x.as_strided((x.numel(),), (1,))
        scratch = x.new_empty(min(_InplaceSELU.CHUNK, x.numel()))
        for part in flat.split(_InplaceSELU.CHUNK):
            negative = scratch[: len(part)]
            torch.clamp(part, max=0, out=negative).exp_().sub_(1)
            part.clamp_(min=0).add_(negative, alpha=SELU_ALPHA)
            part.mul_(SELU_SCALE)
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return torch.ops.aten.elu_backward(
            grad, SELU_ALPHA, SELU_SCALE, 1.0, True, y
        )


def _selu_(x):
    """SELU of a tensor that nothing else uses, overwriting it."""
    dense = x.is_contiguous() or x.is_contiguous(
        memory_format=torch.channels_last
    )
    if x.device.type == "cpu" and dense and not torch.compiler.is_compiling():
        return _InplaceSELU.apply(x)
    return F.selu(x, inplace=True)  # one fused kernel on GPU / compiled


def _conv_channels_last(conv, x):
    """Applies ``conv`` (a ``Conv2d``) in channels-last memory format.

    oneDNN's direct convolutions take channels-last tensors as they are,
    while channels-first ones are reordered on every call; channels-last
    also suits cuDNN. A one-channel map is ambiguous (both formats have the
    same strides) and would fall back to channels-first: a zero channel,
    with zero weights, makes the choice explicit at no real cost.
    """
    weight = conv.weight
    if x.shape[1] == 1:
        x, weight = F.pad(x, (0, 0, 0, 0, 0, 1)), F.pad(weight, (0,) * 5 + (1,))
    return F.conv2d(
        x.contiguous(memory_format=torch.channels_last),
        weight.contiguous(memory_format=torch.channels_last),
        conv.bias,
        conv.stride,
        conv.padding,
    )


@torch.no_grad()
def _pooled_sinc_bands(sinc, wavs):
    """``max_pool2d(|sinc(wavs)|, (3, 3))`` as ``[B, 1, F // 3, T' // 3]``.

    The front end has no gradient (fixed filters, waveform input), so it
    runs without autograd. The filters the pooling drops (the last
    ``F % 3``) are not computed, and ``|.|`` is taken in place.
    """
    n_bands = sinc.n_filters // 3
    bands = F.conv1d(
        wavs.unsqueeze(1), sinc.filters[: 3 * n_bands].to(wavs.dtype)
    )
    n_frames = bands.shape[-1] // 3
    bands = bands[..., : 3 * n_frames].abs_()
    bands = bands.view(len(wavs), n_bands, 3, n_frames, 3)
    return bands.amax(dim=4).amax(dim=2).unsqueeze(1)


def _batch_norm_nodes(bn, x):
    """Applies a BatchNorm1d over all nodes of a ``[B, N, D]`` graph."""
    return bn(x.reshape(-1, x.shape[-1])).view_as(x)


def _pairwise_products(x):
    """Element-wise products of all node pairs: ``[B, N, D] -> [B, N, N, D]``."""
    return x.unsqueeze(2) * x.unsqueeze(1)


class GraphAttentionLayer(nn.Module):
    """Graph attention layer of AASIST (GAT-S / GAT-T).

    Attention logits come from element-wise products of node pairs,
    ``tanh(att_proj(x_i * x_j)) . att_weight / temperature``, normalised by a
    softmax over the neighbours ``j``.

    Arguments
    ---------
    in_dim : int
        Node feature size.
    out_dim : int
        Output node feature size.
    temperature : float
        Softmax temperature of the attention map.

    Example
    -------
    >>> layer = GraphAttentionLayer(64, 32, temperature=2.0)
    >>> layer(torch.randn(4, 23, 64)).shape
    torch.Size([4, 23, 32])
    """

    def __init__(self, in_dim, out_dim, temperature=1.0):
        super().__init__()
        self.att_proj = nn.Linear(in_dim, out_dim)
        self.att_weight = nn.Parameter(torch.empty(out_dim, 1))
        nn.init.xavier_normal_(self.att_weight)
        self.proj_with_att = nn.Linear(in_dim, out_dim)
        self.proj_without_att = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)
        self.input_drop = nn.Dropout(p=0.2)
        self.temperature = temperature

    def forward(self, x):
        """Updates the nodes ``x`` ``[B, N, in_dim]`` -> ``[B, N, out_dim]``."""
        x = self.input_drop(x)
        scores = torch.tanh(self.att_proj(_pairwise_products(x)))
        scores = (scores @ self.att_weight).squeeze(-1) / self.temperature
        attention = torch.softmax(scores, dim=-1)
        x = self.proj_with_att(attention @ x) + self.proj_without_att(x)
        return F.selu(_batch_norm_nodes(self.bn, x))


class HtrgGraphAttentionLayer(nn.Module):
    """Heterogeneous stacking graph attention layer (HS-GAL) with master node.

    Temporal and spectral nodes are projected to a common space and joined in
    one graph. Pairs inside the temporal set, inside the spectral set and
    across the two sets have their own attention vectors. A master node
    attends to all nodes.

    Arguments
    ---------
    in_dim : int
        Node feature size of both node types.
    out_dim : int
        Output node feature size.
    temperature : float
        Softmax temperature of both attention maps.

    Example
    -------
    >>> layer = HtrgGraphAttentionLayer(64, 32, temperature=100.0)
    >>> temporal, spectral = torch.randn(2, 20, 64), torch.randn(2, 11, 64)
    >>> master = torch.randn(1, 1, 64)
    >>> [o.shape[1:] for o in layer(temporal, spectral, master)]
    [torch.Size([20, 32]), torch.Size([11, 32]), torch.Size([1, 32])]
    """

    def __init__(self, in_dim, out_dim, temperature=1.0):
        super().__init__()
        self.proj_type1 = nn.Linear(in_dim, in_dim)
        self.proj_type2 = nn.Linear(in_dim, in_dim)
        self.att_proj = nn.Linear(in_dim, out_dim)
        self.att_projM = nn.Linear(in_dim, out_dim)
        for name in ("11", "22", "12", "M"):
            weight = nn.Parameter(torch.empty(out_dim, 1))
            nn.init.xavier_normal_(weight)
            self.register_parameter("att_weight" + name, weight)
        self.proj_with_att = nn.Linear(in_dim, out_dim)
        self.proj_without_att = nn.Linear(in_dim, out_dim)
        self.proj_with_attM = nn.Linear(in_dim, out_dim)
        self.proj_without_attM = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)
        self.input_drop = nn.Dropout(p=0.2)
        self.temperature = temperature

    def forward(self, temporal, spectral, master):
        """Updates temporal ``[B, Nt, D]``, spectral ``[B, Ns, D]`` and master
        ``[B or 1, 1, D]`` nodes; returns the three updated tensors."""
        n_temporal = temporal.shape[1]
        x = torch.cat(
            [self.proj_type1(temporal), self.proj_type2(spectral)], dim=1
        )
        x = self.input_drop(x)
        master = self._update_master(x, master)

        hidden = torch.tanh(self.att_proj(_pairwise_products(x)))
        vectors = torch.cat(
            [self.att_weight11, self.att_weight22, self.att_weight12], dim=1
        )
        # Which attention vector scores each pair: 0 = T-T, 1 = S-S, 2 = T-S.
        n_nodes = x.shape[1]
        block = torch.full(
            (n_nodes, n_nodes), 2, dtype=torch.long, device=x.device
        )
        block[:n_temporal, :n_temporal] = 0
        block[n_temporal:, n_temporal:] = 1
        scores = (hidden @ vectors).gather(
            -1, block.expand(x.shape[0], -1, -1).unsqueeze(-1)
        )
        attention = torch.softmax(scores.squeeze(-1) / self.temperature, -1)

        x = self.proj_with_att(attention @ x) + self.proj_without_att(x)
        x = F.selu(_batch_norm_nodes(self.bn, x))
        return x[:, :n_temporal], x[:, n_temporal:], master

    def _update_master(self, x, master):
        scores = torch.tanh(self.att_projM(x * master)) @ self.att_weightM
        attention = torch.softmax(scores / self.temperature, dim=1)
        pooled = attention.transpose(1, 2) @ x
        return self.proj_with_attM(pooled) + self.proj_without_attM(master)


class GraphPool(nn.Module):
    """Graph pooling: keeps the top-scoring ``ratio`` of the nodes.

    Node scores are ``sigmoid(proj(dropout(h)))``; the kept nodes are scaled
    by their score and ordered by descending score.

    Arguments
    ---------
    ratio : float
        Fraction of nodes kept (at least one node is kept).
    in_dim : int
        Node feature size.
    dropout : float
        Dropout applied before scoring.

    Example
    -------
    >>> pool = GraphPool(0.5, 32)
    >>> pool(torch.randn(3, 23, 32)).shape
    torch.Size([3, 11, 32])
    """

    def __init__(self, ratio, in_dim, dropout=0.3):
        super().__init__()
        self.ratio = ratio
        self.proj = nn.Linear(in_dim, 1)
        self.drop = nn.Dropout(p=dropout) if dropout > 0 else nn.Identity()

    def forward(self, h):
        """Pools ``h`` ``[B, N, D]`` to ``[B, max(int(N * ratio), 1), D]``."""
        scores = torch.sigmoid(self.proj(self.drop(h)))
        n_keep = max(int(h.shape[1] * self.ratio), 1)
        _, index = torch.topk(scores, n_keep, dim=1)
        return torch.gather(h * scores, 1, index.expand(-1, -1, h.shape[2]))


class ResidualBlock2d(nn.Module):
    """Residual block of the AASIST encoder.

    ``conv1 (2x3) -> BN -> SELU -> conv2 (2x3)``, plus the identity (through
    a 1x3 convolution when the channel count changes), then max-pooling over
    time by 3 (unless ``pool_time`` is False, as in the encoder of
    SSL-AASIST, which keeps the frame rate of its SSL features).

    The official blocks other than the first also hold a ``bn1`` whose
    output the forward pass discards (``conv1`` reads the raw input). It has
    no effect on the output, so it is kept only as a frozen module for
    ``state_dict`` compatibility and is not computed.

    Arguments
    ---------
    in_channels : int
        Input channels.
    out_channels : int
        Output channels.
    first : bool
        True for the first block of the encoder (no ``bn1``).
    pool_time : bool
        Max-pool over time by 3 at the end of the block.

    Example
    -------
    >>> block = ResidualBlock2d(32, 64)
    >>> block(torch.randn(2, 32, 23, 90)).shape
    torch.Size([2, 64, 23, 30])
    >>> ResidualBlock2d(32, 64, pool_time=False)(
    ...     torch.randn(2, 32, 23, 90)
    ... ).shape
    torch.Size([2, 64, 23, 90])
    """

    def __init__(self, in_channels, out_channels, first=False, pool_time=True):
        super().__init__()
        if not first:
            self.bn1 = nn.BatchNorm2d(in_channels).requires_grad_(False)
        self.conv1 = nn.Conv2d(
            in_channels, out_channels, kernel_size=(2, 3), padding=(1, 1)
        )
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(
            out_channels, out_channels, kernel_size=(2, 3), padding=(0, 1)
        )
        if in_channels != out_channels:
            self.conv_downsample = nn.Conv2d(
                in_channels, out_channels, kernel_size=(1, 3), padding=(0, 1)
            )
        self.pool = nn.MaxPool2d((1, 3)) if pool_time else nn.Identity()

    def forward(self, x, fast=False):
        """``[B, C_in, F, T] -> [B, C_out, F, T // 3]`` (``T`` without time
        pooling); ``fast`` selects the channels-last, in-place computation
        of the same function."""
        if not fast:
            out = self.conv2(F.selu(self.bn2(self.conv1(x))))
            if hasattr(self, "conv_downsample"):
                x = self.conv_downsample(x)
            return self.pool(out + x)
        # In place where autograd keeps no copy: the BatchNorm output and
        # the convolution output are not saved for the backward pass.
        out = _selu_(self.bn2(_conv_channels_last(self.conv1, x)))
        out = _conv_channels_last(self.conv2, out)
        if hasattr(self, "conv_downsample"):
            x = _conv_channels_last(self.conv_downsample, x)
        return self.pool(out.add_(x))


class AASIST(nn.Module):
    """AASIST spoofing countermeasure (waveform in, logits and embedding out).

    Pipeline: fixed mel sinc filterbank -> ``|.|`` -> 3x3 max-pool -> BN ->
    SELU -> six residual blocks -> spectral (max over time) and temporal
    (max over frequency) graphs with graph attention and pooling -> two
    parallel heterogeneous stacking graph branches with master nodes ->
    element-wise max of the branches -> readout ``[max|T|, mean T, max|S|,
    mean S, master]`` -> dropout -> linear.

    The defaults build AASIST (297,866 parameters). AASIST-L (85,306) is
    ``AASIST.from_name("AASIST-L")`` or, explicitly,
    ``AASIST(block_channels=[32, 32, 24, 24, 24, 24], gat_dims=[24, 32],
    pool_ratios=[0.4, 0.5, 0.7])``.

    Designed for 64,600 samples (about 4 s at 16 kHz, the official setting);
    the FICA paper uses 96,000 (6 s). Any length of at least a few thousand
    samples works: only the number of temporal nodes depends on it.

    Arguments
    ---------
    n_sinc_filters : int
        Filters of the sinc front end. Their count divided by 3 is the
        number of spectral nodes (70 -> 23).
    sinc_kernel_size : int
        Sinc filter length (even values are raised by one).
    block_channels : list of int
        Output channels of the six residual blocks.
    gat_dims : list of int
        Output sizes of the GAT layers and of the HS-GAL layers.
    pool_ratios : list of float
        Kept node ratios of the spectral pool, the temporal pool and the
        four HS-GAL pools.
    temperatures : list of float
        Attention temperatures of GAT-S, GAT-T and the HS-GAL layers.
    n_classes : int
        Output classes (class 0 = spoof, class 1 = bona fide).
    sample_rate : int
        Sampling rate of the input in Hz.
    implementation : str
        ``"fast"`` (default) or ``"faithful"``: how the sinc front end and
        the residual encoder are computed. Both give the same outputs and
        gradients up to float32 rounding (logits within 1e-4) from the same
        parameters and ``state_dict``. ``"faithful"`` is the official code's
        sequence of operations; ``"fast"`` trains 1.35x faster on a
        2-core CPU and 1.5x on an H200 in bf16 (channels-last convolutions,
        fused front-end pooling, ``exp``-based in-place SELU, in-place
        residual sums; see ``benchmarks/``). The
        attribute can be changed after construction.
    embedding_after_dropout : bool
        Return the readout after the output dropout (p = 0.5, active in
        training only) as the embedding, as the official code returns its
        ``last_hidden`` (True, default), or before it (False). The logits
        are computed from the dropped-out readout either way; in
        evaluation mode both embeddings are equal.

    Example
    -------
    >>> model = AASIST.from_name("AASIST-L").eval()
    >>> logits, embedding = model(torch.randn(2, 16000))
    >>> logits.shape, embedding.shape
    (torch.Size([2, 2]), torch.Size([2, 160]))
    >>> sum(p.numel() for p in AASIST().parameters())
    297866
    >>> reference = AASIST.from_name("AASIST-L", implementation="faithful")
    >>> _ = reference.load_state_dict(model.state_dict())
    >>> wavs = torch.randn(2, 16000)
    >>> with torch.no_grad():
    ...     gap = (reference.eval()(wavs)[0] - model(wavs)[0]).abs().max()
    >>> bool(gap < 1e-4)
    True
    """

    CONFIGS = {
        "AASIST": {},
        "AASIST-L": {
            "block_channels": [32, 32, 24, 24, 24, 24],
            "gat_dims": [24, 32],
            "pool_ratios": [0.4, 0.5, 0.7],
        },
    }

    def __init__(
        self,
        n_sinc_filters=70,
        sinc_kernel_size=129,
        block_channels=[32, 32, 64, 64, 64, 64],
        gat_dims=[64, 32],
        pool_ratios=[0.5, 0.7, 0.5],
        temperatures=[2.0, 2.0, 100.0],
        n_classes=2,
        sample_rate=16000,
        implementation="fast",
        embedding_after_dropout=True,
    ):
        super().__init__()
        self.embedding_after_dropout = embedding_after_dropout
        if implementation not in ("fast", "faithful"):
            raise ValueError(
                "implementation must be 'fast' or 'faithful', got "
                f"{implementation!r}"
            )
        self.implementation = implementation
        self.sinc = MelSincFilterbank(
            n_sinc_filters, sinc_kernel_size, sample_rate
        )
        self.first_bn = nn.BatchNorm2d(1)
        channels = [1] + list(block_channels)
        self.encoder = nn.Sequential(
            *[
                nn.Sequential(ResidualBlock2d(c_in, c_out, first=i == 0))
                for i, (c_in, c_out) in enumerate(zip(channels, channels[1:]))
            ]
        )
        enc_dim, gat_dim, hs_dim = channels[-1], gat_dims[0], gat_dims[1]
        self.pos_S = nn.Parameter(torch.randn(1, n_sinc_filters // 3, enc_dim))
        self.master1 = nn.Parameter(torch.randn(1, 1, gat_dim))
        self.master2 = nn.Parameter(torch.randn(1, 1, gat_dim))
        t_gat, t_hs = temperatures[1], temperatures[2]
        self.GAT_layer_S = GraphAttentionLayer(
            enc_dim, gat_dim, temperatures[0]
        )
        self.GAT_layer_T = GraphAttentionLayer(enc_dim, gat_dim, t_gat)
        self.HtrgGAT_layer_ST11 = HtrgGraphAttentionLayer(gat_dim, hs_dim, t_hs)
        self.HtrgGAT_layer_ST12 = HtrgGraphAttentionLayer(hs_dim, hs_dim, t_hs)
        self.HtrgGAT_layer_ST21 = HtrgGraphAttentionLayer(gat_dim, hs_dim, t_hs)
        self.HtrgGAT_layer_ST22 = HtrgGraphAttentionLayer(hs_dim, hs_dim, t_hs)
        self.pool_S = GraphPool(pool_ratios[0], gat_dim)
        self.pool_T = GraphPool(pool_ratios[1], gat_dim)
        self.pool_hS1 = GraphPool(pool_ratios[2], hs_dim)
        self.pool_hT1 = GraphPool(pool_ratios[2], hs_dim)
        self.pool_hS2 = GraphPool(pool_ratios[2], hs_dim)
        self.pool_hT2 = GraphPool(pool_ratios[2], hs_dim)
        self.drop_way = nn.Dropout(0.2)
        self.drop = nn.Dropout(0.5)
        self.embedding_dim = 5 * hs_dim
        self.out_layer = nn.Linear(self.embedding_dim, n_classes)

    @classmethod
    def from_name(cls, name, **overrides):
        """Builds a named configuration: ``"AASIST"`` or ``"AASIST-L"``.

        Arguments
        ---------
        name : str
            Key of ``AASIST.CONFIGS``.
        **overrides
            Constructor arguments that replace the configuration's.

        Returns
        -------
        AASIST
            The model.

        Example
        -------
        >>> model = AASIST.from_name("AASIST-L")
        >>> sum(p.numel() for p in model.parameters())
        85306
        """
        if name not in cls.CONFIGS:
            raise ValueError(
                f"unknown AASIST configuration {name!r}; "
                f"choose one of {sorted(cls.CONFIGS)}"
            )
        return cls(**{**cls.CONFIGS[name], **overrides})

    def encode(self, wavs):
        """Sinc front end and residual encoder: ``[B, T] -> [B, C, F, T']``."""
        if self.implementation == "faithful":
            x = self.sinc(wavs).abs().unsqueeze(1)
            x = F.selu(self.first_bn(F.max_pool2d(x, (3, 3))))
            return self.encoder(x)
        x = _selu_(self.first_bn(_pooled_sinc_bands(self.sinc, wavs)))
        for stage in self.encoder:
            x = stage[0](x, fast=True)
        return x

    def _hs_branch(self, temporal, spectral, master, layers, pools):
        """One HS-GAL branch: layer, pooling, second layer with residual."""
        t, s, m = layers[0](temporal, spectral, master)
        s, t = pools[0](s), pools[1](t)
        t_aug, s_aug, m_aug = layers[1](t, s, m)
        return t + t_aug, s + s_aug, m + m_aug

    def forward(self, wavs, lengths=None):
        """Scores a waveform batch.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]`` at ``sample_rate``.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]``; unused (AASIST reads fixed-length
            crops), accepted for the common backbone interface.

        Returns
        -------
        logits : torch.Tensor
            ``[B, n_classes]``; class 1 is bona fide.
        embedding : torch.Tensor
            ``[B, 5 * gat_dims[1]]``, the readout after the output dropout
            (the official ``last_hidden``) or before it (see
            ``embedding_after_dropout``).
        """
        e = self.encode(wavs).abs()
        spectral = e.amax(dim=3).transpose(1, 2) + self.pos_S
        temporal = e.amax(dim=2).transpose(1, 2)
        spectral = self.pool_S(self.GAT_layer_S(spectral))
        temporal = self.pool_T(self.GAT_layer_T(temporal))

        t1, s1, m1 = self._hs_branch(
            temporal,
            spectral,
            self.master1,
            (self.HtrgGAT_layer_ST11, self.HtrgGAT_layer_ST12),
            (self.pool_hS1, self.pool_hT1),
        )
        t2, s2, m2 = self._hs_branch(
            temporal,
            spectral,
            self.master2,
            (self.HtrgGAT_layer_ST21, self.HtrgGAT_layer_ST22),
            (self.pool_hS2, self.pool_hT2),
        )
        t1, t2, s1, s2, m1, m2 = map(self.drop_way, (t1, t2, s1, s2, m1, m2))
        temporal = torch.maximum(t1, t2)
        spectral = torch.maximum(s1, s2)
        master = torch.maximum(m1, m2)

        embedding = torch.cat(
            [
                temporal.abs().amax(dim=1),
                temporal.mean(dim=1),
                spectral.abs().amax(dim=1),
                spectral.mean(dim=1),
                master.squeeze(1),
            ],
            dim=1,
        )
        dropped = self.drop(embedding)
        if self.embedding_after_dropout:
            embedding = dropped
        return self.out_layer(dropped), embedding
