"""Installs speechbrain-fica, a SpeechBrain plugin for spoofing detection."""

import os

from setuptools import find_namespace_packages, setup

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "speechbrain_fica", "version.txt")) as f:
    version = f.read().strip()
with open(os.path.join(here, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

SSL_REQUIRES = ["transformers>=4.30"]
ANALYSIS_REQUIRES = ["scikit-learn>=1.3"]
# C extensions (built from source) of the offline spoof generators of the
# MiniSpoof-LA demo corpus (ttspico: SVOX Pico text-to-speech of the large
# corpus); speechbrain_fica imports without them.
DEMO_REQUIRES = ["pyworld>=0.3.5", "pysptk>=1.0.1", "ttspico>=0.3.2"]

setup(
    name="speechbrain-fica",
    version=version,
    description=(
        "SpeechBrain plugin for synthetic speech (spoofing / deepfake) "
        "detection with the FICA training strategy"
    ),
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_namespace_packages(
        include=["speechbrain_fica", "speechbrain_fica.*"]
    ),
    include_package_data=True,
    package_data={
        "speechbrain_fica": [
            "version.txt",
            "data/*.md",
            "data/asvspoof2019_asv/*.gz",
            "data/asvspoof2019_asv/*.md",
            "data/minispoof/*.md",
            "data/minispoof/arctic/*.md",
            "data/minispoof/arctic/cmuarctic.data",
            "data/minispoof/fsdd/*.md",
            "data/minispoof/fsdd/recordings/*.flac",
            "data/minispoof/librispeech/*.md",
            "data/minispoof/librispeech/*.tsv",
            "data/minispoof/librispeech/audio/*.flac",
            "minispoof/templates/*.md.in",
            "minispoof/install_tts_engines.sh",
            "inference/templates/*.md.in",
            "pretrained/*/hyperparams.yaml",
            "pretrained/*/model.ckpt",
            "pretrained/*/README.md",
            "pretrained/*/LICENSE.aasist",
        ]
    },
    entry_points={
        "console_scripts": [
            "speechbrain-fica-score = speechbrain_fica.inference.cli:main",
        ]
    },
    install_requires=[
        "speechbrain>=1.1.2,<1.2",
        "torch>=2.7.1",
        "torchaudio>=2.7.1",
        "hyperpyyaml>=1.2.2",
        "sentencepiece>=0.1.91",
        "pandas>=1.5",
        "numpy>=1.23",
        "scipy>=1.10",
        "soundfile>=0.12.1",
        "matplotlib>=3.6",
        "tqdm>=4.42",
    ],
    extras_require={
        "demo": DEMO_REQUIRES,
        # SSL front ends (SSL_AASIST): SpeechBrain's Hugging Face lobes
        "ssl": SSL_REQUIRES,
        # t-SNE figure of speechbrain_fica.analysis
        "analysis": ANALYSIS_REQUIRES,
        # the tests exercise the demo generators, the SSL lobe and figures
        "test": [
            "pytest>=7.4",
            *DEMO_REQUIRES,
            *SSL_REQUIRES,
            *ANALYSIS_REQUIRES,
        ],
        "dev": ["pytest>=7.4", "ruff>=0.12", "yamllint>=1.35"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: Apache Software License",
        "Topic :: Multimedia :: Sound/Audio :: Speech",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
