"""Tests of the SSL-AASIST lobe and of its recipe yamls.

No download: every SSL model is a tiny randomly initialised wav2vec 2.0,
HuBERT or WavLM written to a temporary folder. Checked: the back end's
structure and sizes as in the official code (TakHemlata/SSL_Anti-spoofing,
``model.py``), the node counts for a 64,600-sample crop, freezing and
fine-tuning, the waveform normalisation switch, the parameter groups (and
how FICABrain builds its optimiser from them), and that the SSL recipe
yamls load with the published settings.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import pytest
import torch
from hyperpyyaml import load_hyperpyyaml

from speechbrain_fica.brain import FICABrain
from speechbrain_fica.lobes import LCNN, SSL_AASIST
from speechbrain_fica.lobes.models.SSL_AASIST import save_random_ssl_model

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


@pytest.fixture(scope="module")
def tiny_sources(tmp_path_factory):
    """Tiny random models of the three supported families."""
    root = tmp_path_factory.mktemp("tiny_ssl")
    return {
        kind: save_random_ssl_model(root / kind, model_type=kind)
        for kind in ("wav2vec2", "hubert", "wavlm")
    }


@pytest.fixture(scope="module")
def model(tiny_sources):
    torch.manual_seed(0)
    return SSL_AASIST(tiny_sources["wav2vec2"])


def speech_like(n_utts=2, n_samples=16000):
    t = torch.arange(n_samples) / 16000
    pitch = torch.linspace(110, 220, n_utts)[:, None]
    wavs = sum(torch.sin(2 * torch.pi * k * pitch * t) / k for k in (1, 2, 3))
    return 0.2 * wavs


def test_backend_has_the_official_modules_and_sizes(model):
    """Module names and shapes of the official model's back end."""
    names = {name for name, _ in model.named_children()}
    assert names == {
        "ssl_model", "LL", "first_bn", "encoder", "first_bn1", "attention",
        "GAT_layer_S", "GAT_layer_T", "HtrgGAT_layer_ST11",
        "HtrgGAT_layer_ST12", "HtrgGAT_layer_ST21", "HtrgGAT_layer_ST22",
        "pool_S", "pool_T", "pool_hS1", "pool_hT1", "pool_hS2", "pool_hT2",
        "drop_way", "drop", "out_layer",
    }  # fmt: skip
    assert model.LL.weight.shape == (128, model.ssl_dim)
    assert model.pos_S.shape == (1, 42, 64)  # 128 // 3 spectral nodes
    assert model.master1.shape == model.master2.shape == (1, 1, 64)
    channels = [
        (stage[0].conv1.in_channels, stage[0].conv1.out_channels)
        for stage in model.encoder
    ]
    assert channels == [
        (1, 32),
        (32, 32),
        (32, 64),
        (64, 64),
        (64, 64),
        (64, 64),
    ]
    # No time pooling in the SSL-AASIST encoder.
    assert all(isinstance(s[0].pool, torch.nn.Identity) for s in model.encoder)
    assert [
        m.weight.shape for m in model.attention if hasattr(m, "weight")
    ] == [
        (128, 64, 1, 1),
        (128,),
        (64, 128, 1, 1),
    ]
    assert model.GAT_layer_S.temperature == model.GAT_layer_T.temperature == 2
    assert model.HtrgGAT_layer_ST11.temperature == 100
    ratios = [getattr(model, f"pool_{n}").ratio for n in ("S", "T", "hS1")]
    assert ratios == [0.5, 0.5, 0.5]
    assert model.out_layer.weight.shape == (2, 160)
    assert model.embedding_dim == 160


def test_node_counts_of_a_64600_sample_crop(model):
    """201 SSL frames (20 ms hop) -> 67 temporal nodes; 42 spectral."""
    shapes = {}

    def recorder(name):
        def hook(module, args):
            shapes[name] = tuple(args[0].shape)

        return hook

    hooks = [
        model.GAT_layer_S.register_forward_pre_hook(recorder("S")),
        model.GAT_layer_T.register_forward_pre_hook(recorder("T")),
    ]
    try:
        model.eval()
        with torch.no_grad():
            logits, embedding = model(speech_like(2, 64600))
    finally:
        for hook in hooks:
            hook.remove()
    assert model.ssl_model(speech_like(1, 64600)).shape[1] == 201
    assert shapes == {"S": (2, 42, 64), "T": (2, 67, 64)}
    assert logits.shape == (2, 2) and embedding.shape == (2, 160)
    assert torch.isfinite(logits).all()


def test_fine_tuning_reaches_the_ssl_model(tiny_sources):
    model = SSL_AASIST(tiny_sources["wav2vec2"]).train()
    logits, _ = model(speech_like())
    logits.sum().backward()
    ssl = model.ssl_model.model
    assert ssl.encoder.layers[0].attention.q_proj.weight.grad is not None
    assert ssl.feature_extractor.conv_layers[0].conv.weight.grad is not None
    assert model.LL.weight.grad is not None
    groups = model.parameter_groups(ssl_lr=1e-5, backend_lr=1e-3)
    assert [(g["name"], g["lr"]) for g in groups] == [
        ("ssl", 1e-5),
        ("backend", 1e-3),
    ]
    n_groups = sum(len(g["params"]) for g in groups)
    assert n_groups == len(list(model.parameters())) - sum(
        not p.requires_grad for p in model.parameters()
    )


def test_frozen_ssl_model_stays_fixed_and_in_eval_mode(tiny_sources):
    model = SSL_AASIST(tiny_sources["wav2vec2"], freeze_ssl=True).train()
    assert not model.ssl_model.training and model.LL.training
    logits, _ = model(speech_like())
    logits.sum().backward()
    assert all(p.grad is None for p in model.ssl_model.parameters())
    assert model.LL.weight.grad is not None
    assert [g["name"] for g in model.parameter_groups()] == ["backend"]
    # Only the convolutional feature encoder frozen.
    model = SSL_AASIST(
        tiny_sources["wav2vec2"], freeze_ssl_feature_extractor=True
    )
    extractor = model.ssl_model.model.feature_extractor
    assert not any(p.requires_grad for p in extractor.parameters())
    assert model.ssl_model.model.encoder.layers[0].training


def test_waveform_normalisation_switch(tiny_sources):
    """Raw waveforms by default (official code): the SSL features depend on
    the input's scale; with normalisation they do not."""
    wavs = speech_like(1)
    for normalize, scale_free in ((False, False), (True, True)):
        model = SSL_AASIST(
            tiny_sources["wav2vec2"], normalize_waveform=normalize
        ).eval()
        with torch.no_grad():
            a = model.ssl_model(wavs)
            b = model.ssl_model(3.0 * wavs)
        assert torch.allclose(a, b, atol=1e-4) == scale_free
    follows = SSL_AASIST(tiny_sources["wav2vec2"], normalize_waveform=None)
    assert follows.ssl_model.normalize_wav  # preprocessor_config: True


@pytest.mark.parametrize(
    "kind, lobe", [("hubert", "HuBERT"), ("wavlm", "WavLM")]
)
def test_hubert_and_wavlm_sources(tiny_sources, kind, lobe):
    model = SSL_AASIST(tiny_sources[kind]).eval()
    assert type(model.ssl_model).__name__ == lobe
    with torch.no_grad():
        logits, embedding = model(speech_like())
    assert logits.shape == (2, 2) and torch.isfinite(embedding).all()


def test_bad_inputs_are_refused(tiny_sources, model):
    with pytest.raises(ValueError, match="expects 16000 Hz"):
        SSL_AASIST(tiny_sources["wav2vec2"], sample_rate=8000)
    with pytest.raises(ValueError, match="at least 3"):
        model(torch.randn(1, 700))


def test_brain_optimiser_uses_the_parameter_groups(tiny_sources):
    model = SSL_AASIST(tiny_sources["wav2vec2"])
    brain = FICABrain(
        modules={"model": model},
        opt_class=lambda params: torch.optim.Adam(
            params, lr=1e-6, weight_decay=1e-4
        ),
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "param_groups": {"ssl_lr": 1e-5, "backend_lr": 1e-3},
        },
        run_opts={"device": "cpu"},
    )
    brain.init_optimizers()
    groups = brain.optimizer.param_groups
    assert [(g["name"], g["lr"], g["weight_decay"]) for g in groups] == [
        ("ssl", 1e-5, 1e-4),
        ("backend", 1e-3, 1e-4),
    ]
    ssl_ids = {id(p) for p in model.ssl_model.parameters()}
    assert {id(p) for p in groups[0]["params"]} == ssl_ids
    # A backbone without groups: a clear error.
    brain = FICABrain(
        modules={"model": LCNN(stacking="channels")},
        opt_class=torch.optim.Adam,
        hparams={
            "classification_loss": torch.nn.CrossEntropyLoss(),
            "param_groups": {"ssl_lr": 1e-5},
        },
        run_opts={"device": "cpu"},
    )
    with pytest.raises(ValueError, match="no parameter_groups"):
        brain.init_optimizers()


@pytest.mark.parametrize("name", ["ssl_aasist", "ssl_aasist_fica"])
def test_ssl_recipe_yamls_load_with_the_published_settings(
    tiny_sources, name, tmp_path
):
    overrides = {
        "data_folder": "x",
        "ssl_source": tiny_sources["wav2vec2"],
        "output_folder": str(tmp_path / "2019"),
    }
    path = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019", "hparams")
    with open(os.path.join(path, f"{name}.yaml")) as f:
        hparams = load_hyperpyyaml(f, overrides)
    assert isinstance(hparams["model"], SSL_AASIST)
    assert hparams["segment_samples"] == 64600
    assert hparams["batch_size"] == 14
    assert hparams["param_groups"] == {"ssl_lr": 1e-6, "backend_lr": 1e-6}
    optimizer = hparams["opt_class"](hparams["model"].parameters())
    assert optimizer.defaults["lr"] == 1e-6
    assert optimizer.defaults["weight_decay"] == 1e-4
    weight = hparams["classification_loss"].weight
    assert weight.tolist() == pytest.approx([0.1, 0.9])
    assert hparams["augmentation"].algo == 5
    assert "lr_annealing" not in hparams and "lr_step_scheduler" not in hparams
    fica = name.endswith("fica")
    assert (hparams["lambda_inf"] > 0) == fica == ("masker" in hparams)

    # The ASVspoof 2021 yaml includes the 2019 system, with its SSL source.
    path = os.path.join(REPO_ROOT, "recipes", "ASVspoof2021", "hparams")
    with open(os.path.join(path, f"{name}.yaml")) as f:
        hparams = load_hyperpyyaml(
            f,
            {
                "data_folder": "x",
                "data_folder_2019": "y",
                "ssl_source": tiny_sources["wav2vec2"],
                "output_folder": str(tmp_path / "2021"),
            },
        )
    system = hparams["system"]
    assert isinstance(system["model"], SSL_AASIST)
    assert system["ssl_source"] == tiny_sources["wav2vec2"]
    assert system["score_format"] == "2021"
    assert system["augmentation"].algo == 5
