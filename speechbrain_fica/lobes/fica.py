"""The training-only modules of FICA: InF band-pass masking and InI state.

* :class:`BandPassMasker` (InF) keeps one random 2 kHz band of each
  waveform and attenuates the rest with a Parks-McClellan (Remez) FIR
  band-pass filter (Wang et al., ACML 2024, Sec. 3.1.1).
* :class:`MomentumEncoder` (InI) is an exponential moving average (EMA)
  copy of the backbone that produces memory-bank keys without gradients
  (Eq. 3).
* :class:`MemoryBank` (InI) is a class-labelled FIFO queue of embeddings,
  gathered from every process under DDP.

None of them is used at inference: the deployed model is the backbone.
The momentum encoder and the memory bank hold their state in tensors only,
so SpeechBrain's checkpointer saves and recovers them like any module.

Authors
 * speechbrain-fica contributors 2026
"""

import copy
import logging

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from scipy.signal import remez

from speechbrain_fica.utils.reproducibility import keyed_uniform

logger = logging.getLogger(__name__)


# Convergence test of a Parks-McClellan design with equal band weights: the
# optimum is equiripple, so its peak pass-band and stop-band errors agree.
EQUIRIPPLE_TOLERANCE = 0.1
REMEZ_MAXITER = 200
# Frequency grid of the response checks: 0.49 Hz apart at 16 kHz.
RESPONSE_FFT_SIZE = 32768


def band_pass_responses(
    taps,
    low_edges,
    passband_width=2000.0,
    transition_width=160.0,
    sample_rate=16000,
):
    """Pass-band ripple and stop-band level of band-pass FIR filters.

    Computed from the taps on a 32,768-point frequency grid (0.49 Hz apart
    at 16 kHz), with the bands of :func:`design_band_pass`: pass band
    ``[low, low + width]``, stop bands ``[0, low - transition]`` and
    ``[low + width + transition, fs / 2]``.

    Arguments
    ---------
    taps : numpy.ndarray
        One filter ``[n_taps]`` or a bank ``[n_filters, n_taps]``.
    low_edges : float or numpy.ndarray
        Lower pass-band edge of each filter in Hz.
    passband_width : float
        Pass-band width in Hz.
    transition_width : float
        Width of both transition bands in Hz.
    sample_rate : int
        Sampling rate in Hz.

    Returns
    -------
    dict
        Arrays with one value per filter: ``ripple_db`` (peak-to-peak
        pass-band ripple, ``20 log10(max |H| / min |H|)``), ``stopband_db``
        (highest stop-band gain, ``20 log10(max |H|)``, negative),
        ``passband_error`` (``max ||H| - 1|``) and ``stopband_error``
        (``max |H|``), over the pass band and the stop bands.

    Example
    -------
    >>> spec = band_pass_responses(design_band_pass(3000.0), 3000.0)
    >>> bool(spec["ripple_db"][0] < 0.1), bool(spec["stopband_db"][0] < -45)
    (True, True)
    """
    bank = np.atleast_2d(np.asarray(taps, dtype=np.float64))
    lows = np.broadcast_to(
        np.asarray(low_edges, dtype=np.float64), (len(bank),)
    )
    freqs = np.fft.rfftfreq(RESPONSE_FFT_SIZE, 1.0 / sample_rate)
    out = {
        name: np.empty(len(bank))
        for name in ("ripple_db", "stopband_db", "passband_error")
    }
    out["stopband_error"] = np.empty(len(bank))
    # Chunks keep the [filters, frequencies] arrays small.
    for start in range(0, len(bank), 64):
        stop = start + 64
        gain = np.abs(np.fft.rfft(bank[start:stop], RESPONSE_FFT_SIZE))
        low = lows[start:stop, None]
        high = low + passband_width
        passband = (freqs >= low) & (freqs <= high)
        stopband = (freqs <= low - transition_width) | (
            freqs >= high + transition_width
        )
        pass_max = np.where(passband, gain, -np.inf).max(1)
        pass_min = np.where(passband, gain, np.inf).min(1)
        stop_max = np.where(stopband, gain, -np.inf).max(1)
        out["ripple_db"][start:stop] = 20 * np.log10(pass_max / pass_min)
        out["stopband_db"][start:stop] = 20 * np.log10(stop_max)
        out["passband_error"][start:stop] = np.maximum(
            pass_max - 1.0, 1.0 - pass_min
        )
        out["stopband_error"][start:stop] = stop_max
    return out


def _equiripple(response):
    """Per filter: whether its peak pass- and stop-band errors agree, as in
    a converged equal-weight Parks-McClellan design."""
    ratio = response["stopband_error"] / response["passband_error"]
    return np.abs(np.log(ratio)) <= np.log1p(EQUIRIPPLE_TOLERANCE)


def design_band_pass(
    low_edge,
    passband_width=2000.0,
    transition_width=160.0,
    n_taps=255,
    sample_rate=16000,
    check=True,
):
    """Designs one linear-phase Remez band-pass FIR filter.

    Bands: stop ``[0, low - transition]``, pass ``[low, low + width]``, stop
    ``[low + width + transition, fs / 2]``, with desired gains 0, 1, 0 and
    equal weights.

    The design is checked for convergence: with equal weights the optimal
    (minimax) filter is equiripple, so its peak pass-band error and peak
    stop-band error must agree within 10 %. ``scipy.signal.remez`` neither
    warns nor raises when its exchange iterations stop before convergence,
    and its default of 25 iterations is too few for some edges at 255 taps;
    here it may take up to 200 iterations, and a design that still fails
    the check is repeated on a denser frequency grid before an error is
    raised.

    Arguments
    ---------
    low_edge : float
        Lower passband edge in Hz (at least ``transition_width``).
    passband_width : float
        Passband width in Hz.
    transition_width : float
        Width of both transition bands in Hz.
    n_taps : int
        Filter length.
    sample_rate : int
        Sampling rate in Hz.
    check : bool
        Check the convergence (False: return the first design, for callers
        that check a whole bank at once).

    Returns
    -------
    numpy.ndarray
        The ``n_taps`` filter coefficients (symmetric).

    Raises
    ------
    ValueError
        The bands do not fit below Nyquist.
    RuntimeError
        The design does not converge to an equiripple filter.

    Example
    -------
    >>> h = design_band_pass(3000.0)
    >>> h.shape, bool(np.allclose(h, h[::-1]))
    ((255,), True)
    """
    nyquist = sample_rate / 2
    upper_stop = low_edge + passband_width + transition_width
    if low_edge < transition_width or upper_stop > nyquist:
        raise ValueError(
            f"band-pass with lower edge {low_edge} Hz does not fit in "
            f"[{transition_width}, {nyquist - passband_width - transition_width}]"
            " Hz"
        )
    bands = [
        0.0,
        low_edge - transition_width,
        low_edge,
        low_edge + passband_width,
        upper_stop,
        nyquist,
    ]
    for grid_density in (16, 32, 64):
        taps = remez(
            n_taps,
            bands,
            [0.0, 1.0, 0.0],
            fs=sample_rate,
            maxiter=REMEZ_MAXITER,
            grid_density=grid_density,
        )
        if not check:
            return taps
        response = band_pass_responses(
            taps, low_edge, passband_width, transition_width, sample_rate
        )
        if _equiripple(response).all():
            return taps
    raise RuntimeError(
        f"the Remez design of the {n_taps}-tap band-pass with lower edge "
        f"{low_edge:.1f} Hz did not converge (pass-band error "
        f"{response['passband_error'][0]:.3g}, stop-band error "
        f"{response['stopband_error'][0]:.3g}; equal in an optimal design)"
    )


class BandPassMasker(nn.Module):
    """InF masking: filters each waveform with its own random band-pass.

    For each utterance a lower passband edge ``f_min`` is drawn uniformly
    from ``[min_low_edge, max_low_edge]`` (160-5840 Hz by default, so the
    upper transition band ends at Nyquist) and the waveform is convolved
    with a Remez band-pass keeping ``[f_min, f_min + 2000]`` Hz. Content
    outside the passband is attenuated, not zeroed.

    The filters are designed once, at construction, into a bank of
    ``bank_size`` filters with equally spaced lower edges (about 11 Hz
    apart with the defaults); each utterance draws one of them, so the
    per-step work is one grouped convolution on the model's device.

    Every filter of the bank is checked when the bank is built: its
    pass-band ripple and highest stop-band gain, computed from its taps
    (:func:`band_pass_responses`), must meet ``max_ripple_db`` and
    ``max_stopband_db``, else a ValueError names the failing filters. The
    default spec, at most 0.1 dB of ripple and at most -45 dB in the stop
    bands, is for 255 taps. Other lengths need their own spec, e.g. these,
    which every filter of a 512-filter bank over the default edges meets (the
    test suite checks them on 64-filter banks):

    ======  ===========  ==============
    taps    ripple (dB)  stop band (dB)
    ======  ===========  ==============
    127     1.0          -25
    191     0.3          -35
    255     0.1          -45
    383     0.01         -65
    511     0.002        -84
    ======  ===========  ==============

    Choices the FICA paper (Wang et al., ACML 2024, Sec. 3.1.1) leaves open,
    documented in the recipe READMEs: 255 taps, zero-phase filtering (the
    linear-phase delay of ``(n_taps - 1) / 2`` samples is compensated, the
    output keeps the input length), and a masked copy for every utterance
    (``mask_prob = 1``).

    Arguments
    ---------
    sample_rate : int
        Sampling rate in Hz.
    passband_width : float
        Width of the kept band in Hz.
    transition_width : float
        Width of the transition bands in Hz.
    min_low_edge : float
        Smallest lower passband edge in Hz.
    max_low_edge : float, optional
        Largest lower passband edge in Hz; by default the largest that fits
        below Nyquist (5840 Hz at 16 kHz).
    n_taps : int
        Filter length (odd for zero-phase filtering).
    bank_size : int
        Number of precomputed filters.
    zero_phase : bool
        Compensate the filter delay (True) or filter causally (False).
    mask_prob : float
        Probability that an utterance is masked; the others are returned
        unchanged.
    max_ripple_db : float
        Largest peak-to-peak pass-band ripple allowed for every filter, dB.
    max_stopband_db : float
        Largest stop-band gain allowed for every filter, dB (negative).

    Example
    -------
    >>> masker = BandPassMasker(bank_size=16)
    >>> wavs = torch.randn(4, 16000)
    >>> masker(wavs).shape
    torch.Size([4, 16000])
    >>> len(masker.state_dict())
    0
    >>> bool(masker.ripple_db.max() <= 0.1)
    True
    """

    def __init__(
        self,
        sample_rate=16000,
        passband_width=2000.0,
        transition_width=160.0,
        min_low_edge=160.0,
        max_low_edge=None,
        n_taps=255,
        bank_size=512,
        zero_phase=True,
        mask_prob=1.0,
        max_ripple_db=0.1,
        max_stopband_db=-45.0,
    ):
        super().__init__()
        if max_low_edge is None:
            max_low_edge = sample_rate / 2 - passband_width - transition_width
        if zero_phase and n_taps % 2 == 0:
            raise ValueError(
                "zero-phase masking needs an odd number of taps, "
                f"got n_taps={n_taps}"
            )
        if not 0.0 <= mask_prob <= 1.0:
            raise ValueError(f"mask_prob must be in [0, 1], got {mask_prob}")
        self.sample_rate = sample_rate
        self.passband_width = passband_width
        self.n_taps = n_taps
        self.zero_phase = zero_phase
        self.mask_prob = mask_prob
        low_edges = np.linspace(min_low_edge, max_low_edge, bank_size)
        band = (passband_width, transition_width, n_taps, sample_rate)
        # One design per edge and one check of the whole bank; only the
        # designs that did not converge are redone (and checked) one by one.
        bank = np.stack(
            [design_band_pass(low, *band, check=False) for low in low_edges]
        )
        response = band_pass_responses(bank, low_edges, *band[:2], sample_rate)
        for i in np.flatnonzero(~_equiripple(response)):
            bank[i] = design_band_pass(low_edges[i], *band)
        response = band_pass_responses(bank, low_edges, *band[:2], sample_rate)
        self.ripple_db = response["ripple_db"]
        self.stopband_db = response["stopband_db"]
        self._check_spec(low_edges, max_ripple_db, max_stopband_db)
        # Deterministic functions of the arguments: kept out of checkpoints.
        self.register_buffer(
            "low_edges", torch.tensor(low_edges), persistent=False
        )
        self.register_buffer(
            "filters",
            torch.tensor(bank, dtype=torch.float32),
            persistent=False,
        )

    def _check_spec(self, low_edges, max_ripple_db, max_stopband_db):
        """Raises a ValueError naming the filters outside the spec."""
        failing = np.flatnonzero(
            (self.ripple_db > max_ripple_db)
            | (self.stopband_db > max_stopband_db)
        )
        logger.debug(
            "InF bank: %d filters of %d taps, worst ripple %.3g dB, worst "
            "stop band %.1f dB",
            len(low_edges),
            self.n_taps,
            self.ripple_db.max(),
            self.stopband_db.max(),
        )
        if len(failing) == 0:
            return
        listed = ", ".join(
            f"#{i} ({low_edges[i]:.0f} Hz: {self.ripple_db[i]:.3g} dB "
            f"ripple, {self.stopband_db[i]:.1f} dB stop band)"
            for i in failing[:5]
        )
        raise ValueError(
            f"{len(failing)} of {len(low_edges)} band-pass filters miss the "
            f"spec (ripple <= {max_ripple_db} dB, stop band <= "
            f"{max_stopband_db} dB): {listed}. Use more taps than "
            f"{self.n_taps} or set max_ripple_db / max_stopband_db to what "
            "this length reaches (see BandPassMasker's docstring)."
        )

    def draw(self, batch_size, generator=None, keys=None):
        """Draws one filter index per utterance (``-1`` = not masked).

        Arguments
        ---------
        batch_size : int
            Number of utterances.
        generator : torch.Generator, optional
            CPU random generator; the global one by default.
        keys : list, optional
            One key per utterance (e.g. ``(seed, epoch, utterance_id)``).
            The draws are then hashes of the keys instead of random
            numbers: an utterance gets the same band in a given epoch
            whatever the process, batch or resumption.

        Returns
        -------
        torch.Tensor
            Indices into the filter bank, ``[batch_size]`` (long, CPU).
        """
        if keys is not None:
            if len(keys) != batch_size:
                raise ValueError(f"{len(keys)} keys for {batch_size} items")
            band = torch.tensor([keyed_uniform("band", k) for k in keys])
            mask = torch.tensor([keyed_uniform("mask", k) for k in keys])
        else:
            band = torch.rand(batch_size, generator=generator)
            mask = torch.rand(batch_size, generator=generator)
        index = (band * len(self.filters)).long()
        index[mask >= self.mask_prob] = -1
        return index

    def filter_with(self, wavs, index):
        """Filters ``wavs`` ``[B, T]`` with the bank filters ``index``.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``.
        index : torch.Tensor
            Filter index per utterance, ``-1`` leaves it unchanged.

        Returns
        -------
        torch.Tensor
            Filtered waveforms ``[B, T]``.
        """
        index = index.to(wavs.device)
        taps = self.filters[index.clamp(min=0)].to(wavs.dtype)
        # Identity filter (a centred unit impulse) for unmasked utterances.
        identity = torch.zeros_like(taps)
        identity[:, (self.n_taps - 1) // 2 if self.zero_phase else 0] = 1.0
        taps = torch.where((index >= 0).unsqueeze(1), taps, identity)
        if self.zero_phase:
            pad = ((self.n_taps - 1) // 2, (self.n_taps - 1) // 2)
        else:
            pad = (self.n_taps - 1, 0)
        # conv1d correlates: flip the taps to convolve (x * h).
        filtered = F.conv1d(
            F.pad(wavs.unsqueeze(0), pad),
            taps.flip(-1).unsqueeze(1),
            groups=wavs.shape[0],
        )
        return filtered.squeeze(0)

    def forward(self, wavs, generator=None, keys=None):
        """Masks every utterance of ``wavs`` ``[B, T]`` with a random band.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``.
        generator : torch.Generator, optional
            CPU random generator for the draws.
        keys : list, optional
            Per-utterance keys for reproducible draws (see :meth:`draw`).

        Returns
        -------
        torch.Tensor
            Masked waveforms ``[B, T]``.
        """
        index = self.draw(wavs.shape[0], generator, keys)
        return self.filter_with(wavs, index)


def unwrap_module(module):
    """Returns the plain module inside DDP / DataParallel / compile wrappers.

    Arguments
    ---------
    module : torch.nn.Module
        A module, possibly wrapped.

    Returns
    -------
    torch.nn.Module
        The wrapped module.

    Example
    -------
    >>> lin = torch.nn.Linear(2, 2)
    >>> unwrap_module(torch.nn.DataParallel(lin)) is lin
    True
    """
    while True:
        if hasattr(module, "module"):
            module = module.module
        elif hasattr(module, "_orig_mod"):
            module = module._orig_mod
        else:
            return module


class MomentumEncoder(nn.Module):
    """EMA copy of a backbone that embeds the memory-bank keys (InI, Eq. 3).

    ``theta_k <- momentum * theta_k + (1 - momentum) * theta_q`` after every
    optimiser step, for the parameters and the floating-point buffers
    (BatchNorm statistics), so that the copy can run in evaluation mode:
    keys come without dropout and with the smoothed normalisation
    statistics, and never carry gradients.

    Arguments
    ---------
    model : torch.nn.Module
        The backbone (``(logits, embedding)`` contract). It is deep-copied.
    momentum : float
        EMA coefficient ``a`` in ``[0, 1)`` (MoCo's 0.999 by default).
    key_mode : str
        ``"eval"`` (default) or ``"train"``: the mode the copy runs in when
        it embeds keys (``"train"`` uses batch statistics and dropout, as
        MoCo's key encoder does).

    Example
    -------
    >>> model = torch.nn.Linear(3, 2)
    >>> class Backbone(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.lin = torch.nn.Linear(3, 2)
    ...
    ...     def forward(self, x, lengths=None):
    ...         return self.lin(x), x
    >>> online = Backbone()
    >>> ema = MomentumEncoder(online, momentum=0.9)
    >>> _ = online.lin.weight.data.add_(1.0)
    >>> before = ema.encoder.lin.weight.clone()
    >>> ema.update(online)
    >>> bool(torch.allclose(ema.encoder.lin.weight, before + 0.1))
    True
    >>> int(ema.num_updates)
    1
    """

    def __init__(self, model, momentum=0.999, key_mode="eval"):
        super().__init__()
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        if key_mode not in ("eval", "train"):
            raise ValueError(f"key_mode must be 'eval' or 'train': {key_mode}")
        self.encoder = copy.deepcopy(unwrap_module(model))
        self.encoder.requires_grad_(False)
        self.momentum = momentum
        self.key_mode = key_mode
        self.register_buffer("num_updates", torch.zeros((), dtype=torch.long))

    def _pairs(self, model):
        online = unwrap_module(model)
        ours = dict(self.encoder.named_parameters())
        ours.update(self.encoder.named_buffers())
        theirs = dict(online.named_parameters())
        theirs.update(online.named_buffers())
        if ours.keys() != theirs.keys():
            raise ValueError(
                "the momentum encoder and the model differ in their "
                f"tensors: {sorted(ours.keys() ^ theirs.keys())[:5]}"
            )
        return [(ours[name], theirs[name]) for name in ours]

    @torch.no_grad()
    def copy_from(self, model):
        """Sets the copy to the model's current weights (e.g. pretrained).

        Arguments
        ---------
        model : torch.nn.Module
            The online backbone.
        """
        for mine, theirs in self._pairs(model):
            mine.copy_(theirs)

    @torch.no_grad()
    def update(self, model):
        """One EMA step towards ``model`` (call after the optimiser step).

        Arguments
        ---------
        model : torch.nn.Module
            The online backbone (wrappers are removed).
        """
        for mine, theirs in self._pairs(model):
            if mine.is_floating_point():
                mine.lerp_(theirs.detach().to(mine.dtype), 1.0 - self.momentum)
            else:
                mine.copy_(theirs)
        self.num_updates += 1

    @torch.no_grad()
    def forward(self, wavs, lengths=None):
        """Embeds ``wavs`` ``[B, T]`` with the EMA weights: ``[B, D]``.

        Arguments
        ---------
        wavs : torch.Tensor
            The batch ``[B, T]`` of the online model (or both its views).
        lengths : torch.Tensor, optional
            Their relative lengths ``[B]``, as given to the online model.

        Returns
        -------
        torch.Tensor
            Key embeddings ``[B, D]`` (no gradient).
        """
        was_training = self.encoder.training
        self.encoder.train(self.key_mode == "train")
        _, embedding = self.encoder(wavs, lengths)
        self.encoder.train(was_training)
        return embedding.detach()


def gather_from_all_ranks(tensor):
    """Concatenates ``tensor`` (first dim may differ) from every DDP rank.

    Outside an initialised process group it returns ``tensor`` unchanged.

    Arguments
    ---------
    tensor : torch.Tensor
        Local tensor ``[n, ...]``.

    Returns
    -------
    torch.Tensor
        ``[sum of n over ranks, ...]``, in rank order.

    Example
    -------
    >>> gather_from_all_ranks(torch.ones(2, 3)).shape
    torch.Size([2, 3])
    """
    if not (dist.is_available() and dist.is_initialized()):
        return tensor
    world = dist.get_world_size()
    if world == 1:
        return tensor
    size = torch.tensor([tensor.shape[0]], device=tensor.device)
    sizes = [torch.zeros_like(size) for _ in range(world)]
    dist.all_gather(sizes, size)
    sizes = [int(s) for s in sizes]
    padded = tensor.new_zeros((max(sizes),) + tensor.shape[1:])
    padded[: tensor.shape[0]] = tensor
    parts = [torch.zeros_like(padded) for _ in range(world)]
    dist.all_gather(parts, padded)
    return torch.cat([part[:n] for part, n in zip(parts, sizes)])


class MemoryBank(nn.Module):
    """Class-labelled FIFO memory bank of embeddings (InI).

    Holds up to ``size`` (key, label) pairs; the oldest are overwritten
    first. Under DDP, :meth:`enqueue` gathers the keys of every rank, so all
    ranks hold the same bank. State is four tensors (keys, labels, write
    pointer, fill count), saved and recovered by SpeechBrain's checkpointer.

    Arguments
    ---------
    size : int
        Capacity (number of keys).
    embedding_dim : int
        Key size (the backbone's embedding size).
    normalize : bool
        Store L2-normalised keys (cosine similarity is scale-free either
        way; normalised keys make the bank's scale independent of the
        backbone's).

    Example
    -------
    >>> bank = MemoryBank(size=4, embedding_dim=3)
    >>> bank.enqueue(torch.randn(3, 3), torch.tensor([0, 1, 1]))
    >>> bank.enqueue(torch.randn(2, 3), torch.tensor([0, 0]))
    >>> keys, labels = bank.contents()
    >>> keys.shape, labels.tolist()
    (torch.Size([4, 3]), [1, 1, 0, 0])
    """

    def __init__(self, size=1024, embedding_dim=160, normalize=True):
        super().__init__()
        self.size = size
        self.normalize = normalize
        self.register_buffer("keys", torch.zeros(size, embedding_dim))
        self.register_buffer(
            "labels", torch.full((size,), -1, dtype=torch.long)
        )
        self.register_buffer("pointer", torch.zeros((), dtype=torch.long))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys, labels):
        """Adds keys ``[B, D]`` with labels ``[B]`` (from every DDP rank).

        Arguments
        ---------
        keys : torch.Tensor
            Key embeddings ``[B, D]`` of the momentum encoder.
        labels : torch.Tensor
            Class labels ``[B]`` (0 = spoof, 1 = bona fide).
        """
        keys = keys.detach().to(self.keys.dtype)
        if self.normalize:
            keys = F.normalize(keys, dim=-1)
        keys = gather_from_all_ranks(keys)
        labels = gather_from_all_ranks(labels.to(self.labels.device).long())
        keys, labels = keys[-self.size :], labels[-self.size :]
        slots = (self.pointer + torch.arange(len(keys), device=keys.device)) % (
            self.size
        )
        self.keys[slots] = keys
        self.labels[slots] = labels
        self.pointer.copy_((self.pointer + len(keys)) % self.size)
        self.count.copy_(torch.clamp(self.count + len(keys), max=self.size))

    def contents(self):
        """The stored keys and labels in insertion order (oldest first).

        Returns
        -------
        keys : torch.Tensor
            ``[count, D]``.
        labels : torch.Tensor
            ``[count]``.
        """
        count = int(self.count)
        start = int(self.pointer) - count
        order = torch.arange(start, start + count, device=self.keys.device)
        order = order % self.size
        return self.keys[order], self.labels[order]

    def class_counts(self):
        """Number of stored keys per class, ``{label: count}``.

        Returns
        -------
        dict
            Count of each label present in the bank.
        """
        _, labels = self.contents()
        values, counts = torch.unique(labels, return_counts=True)
        return dict(zip(values.tolist(), counts.tolist()))
