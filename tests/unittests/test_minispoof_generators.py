"""Tests of the MiniSpoof-LA spoof generators and their post-processing.

Authors
 * speechbrain-fica contributors 2026
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from speechbrain_fica.minispoof import ATTACKS, generators
from speechbrain_fica.minispoof.generators import optional, postprocess

REPO_ROOT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)


def test_missing_optional_package_message():
    with pytest.raises(ImportError, match="pip install") as err:
        optional.import_optional("surely_not_an_installed_module_xyz")
    assert "speechbrain-fica[demo]" in str(err.value)


def test_package_imports_without_demo_dependencies(tmp_path):
    """Without pyworld / pysptk the package imports, torch-only generators
    run, and a WORLD generator says how to install what it needs."""
    script = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("pyworld", "pysptk"):
                    raise ModuleNotFoundError(f"No module named {name!r}",
                                              name=name)
                return None

        sys.meta_path.insert(0, Block())
        import numpy as np
        import speechbrain_fica.minispoof as ms
        from speechbrain_fica.minispoof import generators as g

        x = g.synthetic_vowel(0.25)
        rng = np.random.default_rng(0)
        assert g.get_generator("griffin_lim")(x, 16000, rng).shape == x.shape
        for name in ("world_resynthesis", "mlsa_vocoder"):
            try:
                g.get_generator(name)(x, 16000, rng)
            except ImportError as err:
                print(name, err)
            else:
                raise AssertionError(f"{name} ran without its package")
        try:
            ms.build_minispoof_la(sys.argv[1], progress=False)
        except ImportError as err:
            print("build", err)
        """
    )
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    out_dir = str(tmp_path / "never_built")
    result = subprocess.run(
        [sys.executable, "-c", script, out_dir],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "world_resynthesis",
        "mlsa_vocoder",
        "build",
    ]
    assert "'pyworld'" in lines[0] and "'pysptk'" in lines[1]
    for line in lines:
        assert "pip install speechbrain-fica[demo]" in line
    assert not os.path.exists(out_dir)


def test_registry_covers_every_attack():
    for attack in ATTACKS.values():
        assert callable(generators.get_generator(attack.generator))
        if attack.sampler is not None:
            params = generators.get_param_sampler(attack.sampler)(
                np.random.default_rng(0)
            )
            assert isinstance(params, dict) and params
    with pytest.raises(KeyError, match="griffin_lim"):
        generators.get_generator("no_such_generator")
    with pytest.raises(ValueError, match="unknown generator"):
        type(ATTACKS["MS01"])("no_such_generator", ("eval",), "?")


@pytest.mark.parametrize(
    "name",
    [
        "world_resynthesis",
        "world_voice_conversion",
        "mlsa_vocoder",
        "griffin_lim",
        "lpc_vocoder",
        "harmonic_plus_noise",
        "world_coded",
    ],
)
def test_generators_keep_length_and_change_signal(name):
    generate = generators.get_generator(name)
    x = generators.synthetic_vowel(0.5)
    y = generate(x, 16000, np.random.default_rng(0))
    assert y.shape == x.shape
    assert np.isfinite(y).all()
    assert np.std(y) > 0
    assert not np.allclose(y / np.std(y), x / np.std(x), atol=1e-3)
    # seeded -> reproducible
    y2 = generate(x, 16000, np.random.default_rng(0))
    np.testing.assert_array_equal(y, y2)


def test_postprocessing_removes_digital_silence():
    x = np.zeros(16000)
    x[4000:12000] = generators.synthetic_vowel(0.5)
    y = postprocess.normalize_rms(postprocess.band_limit(x), -28.0)
    q = postprocess.dither_and_quantize(y, np.random.default_rng(0))
    assert np.mean(q == 0) < 0.05
    windows = np.lib.stride_tricks.sliding_window_view(np.abs(q), 20)
    assert windows.max(axis=1).min() > 0
