"""SSL-AASIST: a self-supervised front end with the AASIST graph back end.

The system of Tak et al., "Automatic speaker verification spoofing and
deepfake detection using wav2vec 2.0 and data augmentation", Speaker
Odyssey 2022 (official code: TakHemlata/SSL_Anti-spoofing, ``model.py``):
a pretrained wav2vec 2.0 model (XLS-R 300M in the paper), fine-tuned with
the rest, feeds an AASIST back end adapted to its features.

The front end is SpeechBrain's Hugging Face lobe
(``speechbrain.integrations.huggingface``, formerly
``speechbrain.lobes.models.huggingface_transformers``), so any wav2vec 2.0,
XLS-R, HuBERT or WavLM checkpoint on the Hub, or a local folder holding
one, can serve as ``ssl_source``. It needs the ``transformers`` package
(``pip install speechbrain-fica[ssl]``), imported only when a model is
built.

Back end, as in the official code (module names follow it, so that its
back-end weights map by name; its SSL weights are in fairseq's layout, not
Hugging Face's, and are not converted here):

* ``LL``: linear projection of the SSL features (1024 -> 128 for XLS-R
  300M);
* the projected features as a one-channel image ``[B, 1, 128, frames]``,
  3 x 3 max-pooling, BatchNorm, SELU;
* six residual blocks of AASIST without their time pooling (32, 32, 64,
  64, 64, 64 channels), then BatchNorm and SELU;
* a self-attentive aggregation instead of AASIST's max-pooling: two 1 x 1
  convolutions give attention logits; a softmax over time weights the
  spectral nodes (plus a learnt position embedding), a softmax over the
  feature axis the temporal nodes;
* AASIST's graph attention, graph pooling (ratios 0.5), two parallel
  heterogeneous stacking graph branches with master nodes, readout,
  dropout and a linear output (class 0 = spoof, class 1 = bona fide).

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from speechbrain_fica.lobes.models.AASIST import (
    GraphAttentionLayer,
    GraphPool,
    HtrgGraphAttentionLayer,
    ResidualBlock2d,
)

logger = logging.getLogger(__name__)

INSTALL_HINT = (
    "SSL front ends need the transformers package: "
    "pip install 'speechbrain-fica[ssl]'"
)
# SpeechBrain's lobe for each Hugging Face model type; the others (e.g.
# wav2vec2-conformer, data2vec-audio) load through its generic Wav2Vec2
# lobe, which builds any model with transformers' AutoModel.
SSL_LOBES = {
    "hubert": ("speechbrain.integrations.huggingface.hubert", "HuBERT"),
    "wavlm": ("speechbrain.integrations.huggingface.wavlm", "WavLM"),
}
DEFAULT_SSL_LOBE = ("speechbrain.integrations.huggingface.wav2vec2", "Wav2Vec2")


def _import_transformers():
    try:
        import transformers
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return transformers


def _default_save_path():
    """The Hugging Face cache folder (where the Hub downloads by default)."""
    from huggingface_hub import constants

    cache = getattr(constants, "HF_HUB_CACHE", None)  # older: the name below
    return str(cache or constants.HUGGINGFACE_HUB_CACHE)


def build_ssl_lobe(
    source,
    save_path=None,
    freeze=False,
    freeze_feature_extractor=False,
):
    """SpeechBrain's Hugging Face lobe for the model type of ``source``.

    Arguments
    ---------
    source : str
        A Hugging Face Hub name (e.g. ``facebook/wav2vec2-xls-r-300m``,
        downloaded on first use) or a local folder with ``config.json``,
        ``preprocessor_config.json`` and the weights (no network access).
    save_path : str, optional
        Download folder for Hub names (default: the Hugging Face cache).
    freeze : bool
        Frozen model (no gradients, evaluation mode).
    freeze_feature_extractor : bool
        Frozen convolutional feature encoder only (when ``freeze`` is
        False).

    Returns
    -------
    torch.nn.Module
        The lobe: ``lobe(wavs [B, T], lengths [B]) -> [B, frames, dim]``;
        the Hugging Face model is ``lobe.model``.

    Example
    -------
    >>> folder = save_random_ssl_model(getfixture("tmpdir") / "w2v")
    >>> lobe = build_ssl_lobe(folder, freeze=True)
    >>> type(lobe).__name__, lobe(torch.randn(1, 16000)).shape
    ('Wav2Vec2', torch.Size([1, 49, 32]))
    """
    transformers = _import_transformers()
    source = str(source)
    save_path = str(save_path) if save_path else _default_save_path()
    config = transformers.AutoConfig.from_pretrained(
        source, cache_dir=save_path
    )
    module_name, class_name = SSL_LOBES.get(config.model_type, DEFAULT_SSL_LOBE)
    try:
        module = __import__(module_name, fromlist=[class_name])
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return getattr(module, class_name)(
        source=source,
        save_path=save_path,
        freeze=freeze,
        freeze_feature_extractor=freeze_feature_extractor,
    )


def save_random_ssl_model(
    folder,
    model_type="wav2vec2",
    hidden_size=32,
    num_layers=2,
    seed=0,
):
    """Writes a tiny randomly initialised SSL model in the Hugging Face
    layout (config, weights, feature-extractor config) to ``folder``.

    For smoke tests without downloads: the architecture of wav2vec 2.0
    (XLS-R's stable layer norm variant), HuBERT or WavLM with few and
    narrow layers. Its convolutional encoder has the geometry of the real
    models (kernels and strides of wav2vec 2.0: a 400-sample window every
    320 samples), so it gives as many frames. Its outputs mean nothing.

    Arguments
    ---------
    folder : str or path-like
        Output folder (created).
    model_type : str
        ``"wav2vec2"``, ``"hubert"`` or ``"wavlm"``.
    hidden_size : int
        Transformer width (the SSL feature size).
    num_layers : int
        Transformer layers.
    seed : int
        Seed of the random weights.

    Returns
    -------
    str
        The folder, to be given as ``ssl_source``.

    Example
    -------
    >>> folder = save_random_ssl_model(getfixture("tmpdir") / "tiny")
    >>> sorted(os.listdir(folder))
    ['config.json', 'model.safetensors', 'preprocessor_config.json']
    """
    transformers = _import_transformers()
    classes = {
        "wav2vec2": (transformers.Wav2Vec2Config, transformers.Wav2Vec2Model),
        "hubert": (transformers.HubertConfig, transformers.HubertModel),
        "wavlm": (transformers.WavLMConfig, transformers.WavLMModel),
    }
    if model_type not in classes:
        raise ValueError(
            f"model_type must be one of {sorted(classes)}: {model_type!r}"
        )
    config_class, model_class = classes[model_type]
    config = config_class(
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        conv_dim=(hidden_size,) * 7,
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
    )
    folder = str(folder)
    os.makedirs(folder, exist_ok=True)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model_class(config).save_pretrained(folder)
    finally:
        torch.random.set_rng_state(state)
    transformers.Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=16000,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=True,
    ).save_pretrained(folder)
    return folder


class SSL_AASIST(nn.Module):
    """SSL front end + AASIST back end (Tak et al., Odyssey 2022).

    Waveforms ``[B, T]`` (16 kHz) and optional relative lengths in,
    ``(logits [B, 2], embedding [B, 5 * gat_dims[1]])`` out; class 1 is
    bona fide. The defaults are those of the official code
    (TakHemlata/SSL_Anti-spoofing): XLS-R 300M fine-tuned as a whole,
    projection to 128, encoder channels ``[32, 32, 64, 64, 64, 64]``, GAT
    sizes ``[64, 32]``, pooling ratios 0.5, temperatures 2, 2 and 100, and
    raw (not layer-normalised) waveforms into the SSL model. The official
    recipe trains on 64,600-sample crops; the number of temporal nodes is
    the only thing that depends on the length.

    The SSL model is the ``ssl_model`` submodule (SpeechBrain's Hugging
    Face lobe); :meth:`parameter_groups` separates its parameters from the
    back end's so that they can have their own learning rate. A frozen SSL
    model stays in evaluation mode (no dropout) when the whole model is put
    in training mode.

    Arguments
    ---------
    ssl_source : str
        Hugging Face Hub name (e.g. ``facebook/wav2vec2-xls-r-300m``, the
        paper's XLS-R 300M; downloaded on first use) or a local folder (no
        network access). wav2vec 2.0 / XLS-R, HuBERT and WavLM models load.
    ssl_save_path : str, optional
        Download folder for Hub names (default: the Hugging Face cache).
    freeze_ssl : bool
        Keep the SSL model fixed (the paper fine-tunes it: False).
    freeze_ssl_feature_extractor : bool
        Keep only its convolutional feature encoder fixed.
    normalize_waveform : bool or None
        Layer-normalise each waveform before the SSL model. False (the
        official code feeds raw waveforms); None follows the checkpoint's
        ``preprocessor_config.json`` (``do_normalize``, SpeechBrain's
        default).
    projection_dim : int
        Size of the linear projection of the SSL features. Its third is
        the number of spectral nodes (128 -> 42).
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
        Sampling rate of the input; must be the SSL model's.

    Example
    -------
    >>> folder = save_random_ssl_model(getfixture("tmpdir") / "tiny_w2v")
    >>> model = SSL_AASIST(folder).eval()
    >>> logits, embedding = model(torch.randn(2, 16000))
    >>> logits.shape, embedding.shape
    (torch.Size([2, 2]), torch.Size([2, 160]))
    >>> model.pos_S.shape  # 128 // 3 spectral nodes
    torch.Size([1, 42, 64])
    >>> [g["name"] for g in model.parameter_groups(ssl_lr=1e-6)]
    ['ssl', 'backend']
    """

    def __init__(
        self,
        ssl_source,
        ssl_save_path=None,
        freeze_ssl=False,
        freeze_ssl_feature_extractor=False,
        normalize_waveform=False,
        projection_dim=128,
        block_channels=[32, 32, 64, 64, 64, 64],
        gat_dims=[64, 32],
        pool_ratios=[0.5, 0.5, 0.5],
        temperatures=[2.0, 2.0, 100.0],
        n_classes=2,
        sample_rate=16000,
    ):
        super().__init__()
        self.ssl_model = build_ssl_lobe(
            ssl_source,
            ssl_save_path,
            freeze=freeze_ssl,
            freeze_feature_extractor=freeze_ssl_feature_extractor,
        )
        ssl_rate = getattr(
            self.ssl_model.feature_extractor, "sampling_rate", sample_rate
        )
        if ssl_rate != sample_rate:
            raise ValueError(
                f"{ssl_source} expects {ssl_rate} Hz audio, the model is "
                f"set to {sample_rate} Hz"
            )
        if normalize_waveform is not None:
            self.ssl_model.normalize_wav = bool(normalize_waveform)
        self.freeze_ssl = freeze_ssl
        self.ssl_dim = self.ssl_model.model.config.hidden_size
        self.LL = nn.Linear(self.ssl_dim, projection_dim)

        self.first_bn = nn.BatchNorm2d(1)
        channels = [1] + list(block_channels)
        self.encoder = nn.Sequential(
            *[
                nn.Sequential(
                    ResidualBlock2d(c_in, c_out, first=i == 0, pool_time=False)
                )
                for i, (c_in, c_out) in enumerate(zip(channels, channels[1:]))
            ]
        )
        enc_dim, gat_dim, hs_dim = channels[-1], gat_dims[0], gat_dims[1]
        self.first_bn1 = nn.BatchNorm2d(enc_dim)
        self.attention = nn.Sequential(
            nn.Conv2d(enc_dim, 2 * enc_dim, kernel_size=(1, 1)),
            nn.SELU(),
            nn.BatchNorm2d(2 * enc_dim),
            nn.Conv2d(2 * enc_dim, enc_dim, kernel_size=(1, 1)),
        )
        self.pos_S = nn.Parameter(torch.randn(1, projection_dim // 3, enc_dim))
        self.master1 = nn.Parameter(torch.randn(1, 1, gat_dim))
        self.master2 = nn.Parameter(torch.randn(1, 1, gat_dim))
        t_hs = temperatures[2]
        self.GAT_layer_S = GraphAttentionLayer(
            enc_dim, gat_dim, temperatures[0]
        )
        self.GAT_layer_T = GraphAttentionLayer(
            enc_dim, gat_dim, temperatures[1]
        )
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

    def train(self, mode=True):
        """Sets the training mode; a frozen SSL model stays in evaluation
        mode (its dropout and layer drop off, as SpeechBrain sets it).

        Arguments
        ---------
        mode : bool
            Training (True) or evaluation mode.

        Returns
        -------
        SSL_AASIST
            The model.
        """
        super().train(mode)
        if self.freeze_ssl:
            self.ssl_model.eval()
        return self

    def parameter_groups(self, ssl_lr=None, backend_lr=None):
        """The trainable parameters as optimiser groups ``ssl`` and
        ``backend`` (a group without trainable parameters is left out).

        Arguments
        ---------
        ssl_lr : float, optional
            Learning rate of the SSL model (None: the optimiser's).
        backend_lr : float, optional
            Learning rate of everything else (None: the optimiser's).

        Returns
        -------
        list of dict
            ``{"name", "params"[, "lr"]}`` per group, for ``torch.optim``.

        Example
        -------
        >>> folder = save_random_ssl_model(getfixture("tmpdir") / "w2v")
        >>> model = SSL_AASIST(folder, freeze_ssl=True)
        >>> [g["name"] for g in model.parameter_groups(1e-6, 1e-4)]
        ['backend']
        """
        ssl_ids = {id(p) for p in self.ssl_model.parameters()}
        ssl = [p for p in self.ssl_model.parameters() if p.requires_grad]
        backend = [
            p
            for p in self.parameters()
            if p.requires_grad and id(p) not in ssl_ids
        ]
        groups = []
        for name, params, lr in (
            ("ssl", ssl, ssl_lr),
            ("backend", backend, backend_lr),
        ):
            if params:
                group = {"name": name, "params": params}
                if lr is not None:
                    group["lr"] = float(lr)
                groups.append(group)
        return groups

    def encode(self, wavs, lengths=None):
        """SSL features, projection and residual encoder:
        ``[B, T] -> [B, C, projection_dim // 3, frames // 3]``."""
        features = self.ssl_model(wavs, lengths)
        if features.shape[1] < 3:
            raise ValueError(
                f"{wavs.shape[-1]} samples give {features.shape[1]} SSL "
                "frames; SSL-AASIST needs at least 3 (about 1,000 samples "
                "at 16 kHz)"
            )
        x = self.LL(features).transpose(1, 2).unsqueeze(1)
        x = F.selu(self.first_bn(F.max_pool2d(x, (3, 3))))
        x = self.encoder(x)
        return F.selu(self.first_bn1(x))

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
            Relative lengths ``[B]`` (the SSL model's padding mask).

        Returns
        -------
        logits : torch.Tensor
            ``[B, n_classes]``; class 1 is bona fide.
        embedding : torch.Tensor
            ``[B, 5 * gat_dims[1]]``, the readout before dropout.
        """
        x = self.encode(wavs, lengths)
        # Self-attentive aggregation: weights over time for the spectral
        # nodes, over the feature axis for the temporal nodes.
        weights = self.attention(x)
        spectral = (x * torch.softmax(weights, dim=-1)).sum(dim=-1)
        spectral = spectral.transpose(1, 2) + self.pos_S
        temporal = (x * torch.softmax(weights, dim=-2)).sum(dim=-2)
        temporal = temporal.transpose(1, 2)
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
        return self.out_layer(self.drop(embedding)), embedding
