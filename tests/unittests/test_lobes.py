"""Tests of the backbone lobes: official checkpoints, sizes, keys, training.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import numpy as np
import pytest
import torch

from speechbrain_fica.lobes import AASIST, LCNN, MelSincFilterbank, RawNet2
from speechbrain_fica.lobes.frontends import mel_band_edges
from tests.utils.samples import expected_outputs, official_weights

RAWNET2_ICASSP = {
    "n_sinc_filters": 128,
    "sinc_kernel_size": 129,
    "block_channels": [128, 128, 512, 512, 512, 512],
    "unused_top_bands": 2,
}


def load_official(name):
    """AASIST lobe with an official checkpoint loaded strictly."""
    path = official_weights(name)
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = AASIST.from_name(name)
    model.load_state_dict(state, strict=True)
    return model.eval(), state


@pytest.mark.parametrize("name", ["AASIST", "AASIST-L"])
def test_official_checkpoint_reproduces_reference_logits(
    reference_waveforms, name
):
    reference = expected_outputs()["aasist_pretrained_reference_logits"][name]
    model, state = load_official(name)
    assert set(model.state_dict()) == set(state)
    with torch.no_grad():
        logits, embedding = model(reference_waveforms)
    expected = torch.tensor(reference["logits"])
    assert torch.allclose(logits, expected, atol=1e-4, rtol=0)
    sums = torch.tensor(reference["last_hidden_row_sums"])
    assert torch.allclose(embedding.sum(1), sums, atol=1e-3, rtol=0)


def test_discarded_bn1_does_not_change_official_outputs(reference_waveforms):
    model, _ = load_official("AASIST-L")
    x = reference_waveforms[:, :20000]
    with torch.no_grad():
        before, _ = model(x)
        for block in model.encoder[1:]:
            block[0].bn1.weight.mul_(3.0).add_(1.0)
            block[0].bn1.running_mean.add_(5.0)
        after, _ = model(x)
    assert torch.equal(before, after)
    assert not hasattr(model.encoder[0][0], "bn1")


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda: AASIST(), 297866),
        (lambda: AASIST.from_name("AASIST-L"), 85306),
        (
            lambda: AASIST(
                block_channels=[32, 32, 24, 24, 24, 24],
                gat_dims=[24, 32],
                pool_ratios=[0.4, 0.5, 0.7],
            ),
            85306,
        ),
        (lambda: RawNet2(), 17621410),
        (lambda: RawNet2(**RAWNET2_ICASSP), 25433602),
        (lambda: LCNN(), 1650337),
        (lambda: LCNN(stacking="channels"), 272929),
    ],
)
def test_parameter_counts(build, expected):
    assert sum(p.numel() for p in build().parameters()) == expected


def test_unknown_named_configuration_is_a_clear_error():
    with pytest.raises(ValueError, match="AASIST-XL"):
        AASIST.from_name("AASIST-XL")


def test_rawnet2_state_dict_keys():
    keys = set(RawNet2().state_dict())
    assert not any(k.startswith("Sinc_conv") for k in keys)
    prefixes = {k.split(".")[0] for k in keys}
    expected = {f"block{i}" for i in range(6)}
    expected |= {f"fc_attention{i}" for i in range(6)}
    expected |= {"first_bn", "bn_before_gru", "gru", "fc1_gru", "fc2_gru"}
    assert prefixes == expected
    assert {f"gru.weight_ih_l{i}" for i in range(3)} <= keys
    assert "block0.0.bn1.weight" not in keys
    assert {f"block{i}.0.bn1.running_mean" for i in range(1, 6)} <= keys
    assert "block2.0.conv_downsample.weight" in keys
    assert "fc_attention3.0.weight" in keys


def test_lcnn_state_dict_holds_no_feature_parameters():
    model = LCNN()
    assert not any(
        name.startswith("fbank") for name, _ in model.named_parameters()
    )
    # MFM convolutions, BLSTMs and output only; every BatchNorm is affine-free
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(norms) == 6 and not any(m.affine for m in norms)


def test_sinc_band_edges_match_the_official_values():
    aasist = mel_band_edges(70)
    np.testing.assert_allclose(
        aasist[:5], [0, 25.659, 52.259, 79.833, 108.419], atol=1e-3
    )
    np.testing.assert_allclose(
        aasist[-3:], [7395.619, 7692.371, 8000.0], atol=1e-3
    )
    rawnet = mel_band_edges(20)
    np.testing.assert_allclose(rawnet[:4], [0, 94.0, 200.62, 321.55], atol=1e-2)
    assert rawnet[-2] == pytest.approx(6970.05, abs=1e-2)
    icassp = mel_band_edges(128, unused_top_bands=2)
    assert icassp[1] == pytest.approx(13.70, abs=1e-2)
    assert icassp[-1] == pytest.approx(7669.16, abs=1e-2)


def test_sinc_filterbank_is_fixed_and_selects_its_band():
    sinc = MelSincFilterbank(n_filters=20, kernel_size=1024)
    assert sinc.kernel_size == 1025
    assert list(sinc.parameters()) == [] and len(sinc.state_dict()) == 0
    # A 1 kHz tone must come out strongest in the band that contains it.
    t = torch.arange(16000) / 16000
    energy = sinc(torch.sin(2 * np.pi * 1000 * t)[None]).pow(2).mean(-1)[0]
    band = int(np.searchsorted(sinc.band_edges, 1000.0)) - 1
    assert int(energy.argmax()) == band


def _small_backbones():
    return {
        "AASIST-L": (AASIST.from_name("AASIST-L"), 64600),
        "RawNet2": (RawNet2(), 64600),
        "LCNN": (LCNN(), 96000),
        "LCNN-channels": (LCNN(stacking="channels"), 96000),
    }


@pytest.mark.parametrize("name", list(_small_backbones()))
def test_forward_backward_on_designed_length(name, device):
    torch.manual_seed(0)
    model, n_samples = _small_backbones()[name]
    model = model.to(device).train()
    wavs = 0.1 * torch.randn(2, n_samples, device=device)
    logits, embedding = model(wavs, torch.ones(2, device=device))
    assert logits.shape == (2, 2)
    assert embedding.shape == (2, model.embedding_dim)
    loss = torch.nn.functional.cross_entropy(
        logits, torch.tensor([0, 1], device=device)
    )
    loss.backward()
    for param_name, param in model.named_parameters():
        if not param.requires_grad:
            assert ".bn1." in param_name  # the discarded quirk BN only
            continue
        assert param.grad is not None, param_name
        assert torch.isfinite(param.grad).all(), param_name
    assert any(
        p.grad.abs().sum() > 0 for p in model.parameters() if p.grad is not None
    )


@pytest.mark.parametrize("name", list(_small_backbones()))
@pytest.mark.parametrize("n_samples", [12000, 37001])
def test_any_input_length_and_batch_independence(name, n_samples):
    torch.manual_seed(0)
    model = _small_backbones()[name][0].eval()
    wavs = 0.1 * torch.randn(3, n_samples)
    with torch.no_grad():
        logits, embedding = model(wavs)
        single, single_emb = model(wavs[1:2])
    assert torch.isfinite(logits).all()
    assert torch.allclose(logits[1:2], single, atol=1e-4)
    assert torch.allclose(embedding[1:2], single_emb, atol=1e-4)


def test_lcnn_lengths_exclude_padding():
    torch.manual_seed(0)
    model = LCNN(stacking="channels").eval()
    speech = 0.1 * torch.randn(1, 32000)
    padded = torch.cat([speech, torch.zeros(1, 32000)], dim=1)
    with torch.no_grad():
        alone, _ = model(speech)
        with_padding, _ = model(padded, torch.tensor([0.5]))
        ignoring_lengths, _ = model(padded)
    # Padding changes the result only when the lengths are not given.
    assert (alone - with_padding).abs().max() < (
        alone - ignoring_lengths
    ).abs().max()


def _speech(n_samples=16000):
    """One LibriSpeech excerpt shipped with the package, ``[1, T]``."""
    from speechbrain_fica.dataio.audio import crop_or_tile, load_waveform

    folder = os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        "speechbrain_fica",
        "data",
        "minispoof",
        "librispeech",
        "audio",
    )
    path = os.path.join(folder, sorted(os.listdir(folder))[0])
    return crop_or_tile(load_waveform(path), n_samples).unsqueeze(0)


def test_lcnn_features_are_not_normalised_by_default():
    model = LCNN()
    wav = _speech()
    feats = model.feature_maps(wav)
    assert torch.equal(feats, model.fbank(wav))
    normalised = LCNN(mean_norm=True).feature_maps(wav)
    assert normalised.mean(1).abs().max() < 1e-4
    assert feats.mean(1).abs().max() > 1.0


def test_lcnn_spec_augment_masks_training_features_only():
    model = LCNN(spec_augment=True, dropout=0.0)
    wav = _speech().repeat(4, 1)
    clean = model.fbank(wav)
    torch.manual_seed(0)
    masked = model.train().feature_maps(wav)
    zeroed = masked == 0
    assert zeroed.any() and not (clean == 0).any()
    # Untouched features are the clean ones.
    assert torch.equal(masked[~zeroed], clean[~zeroed])
    # Zero-filled blocks: whole frames (time mask) or whole bins over
    # every frame (frequency mask), at most 100 frames and 20 bins.
    frames = zeroed.all(2).sum(1)
    bins = zeroed.all(1).sum(1)
    assert (frames <= 100).all() and (bins <= 20).all()
    assert ((frames > 0) | (bins > 0)).all()
    assert torch.equal(model.eval().feature_maps(wav), clean)
    assert len(model.state_dict()) == len(LCNN().state_dict())


def test_aasist_embedding_is_the_official_post_dropout_readout():
    wav = _speech(16000).repeat(2, 1)
    official = AASIST.from_name("AASIST-L").train()
    before = AASIST.from_name("AASIST-L", embedding_after_dropout=False)
    before.load_state_dict(official.state_dict())
    before.train()
    torch.manual_seed(3)
    logits, embedding = official(wav)
    torch.manual_seed(3)
    logits_before, embedding_before = before(wav)
    # Same dropout draws: same logits; the official embedding is the
    # classifier's input (dropout p = 0.5 zeroes and rescales by 2).
    assert torch.allclose(logits, logits_before)
    assert torch.allclose(logits, official.out_layer(embedding), atol=1e-6)
    kept = embedding != 0
    assert 0.2 < kept.float().mean() < 0.8
    assert torch.allclose(embedding[kept], 2 * embedding_before[kept])
    with torch.no_grad():
        assert torch.allclose(official.eval()(wav)[1], before.eval()(wav)[1])
