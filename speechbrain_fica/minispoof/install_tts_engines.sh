#!/usr/bin/env bash
# Installs the offline text-to-speech engines of the large MiniSpoof-LA
# corpus (python -m speechbrain_fica.minispoof --size large) from the
# Debian / Ubuntu archive: eSpeak NG, Festival with three English voices,
# Flite and FreeTTS (which pulls a Java runtime if none is installed).
# SVOX Pico comes from PyPI: pip install speechbrain-fica[demo] (ttspico).
#
# Idempotent: does nothing when every engine is already present. Needs root
# (or sudo) otherwise.
#
# Authors
#  * speechbrain-fica contributors 2026
set -euo pipefail

packages=(
    espeak-ng
    festival
    festvox-kallpc16k
    festvox-kdlpc16k
    festvox-us-slt-hts
    flite
    freetts
)
# Every package installed and the programs on PATH.
present() {
    local pkg
    command -v dpkg-query >/dev/null || return 1
    for pkg in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
            grep -q "install ok installed" || return 1
    done
    command -v espeak-ng >/dev/null &&
        command -v festival >/dev/null &&
        command -v flite >/dev/null &&
        command -v java >/dev/null &&
        [ -f /usr/share/java/freetts.jar ]
}

if present; then
    echo "MiniSpoof TTS engines already installed."
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "error: apt-get not found. Install these Debian/Ubuntu packages" \
        "(or their equivalents) by hand: ${packages[*]}" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo)
else
    echo "error: installing the MiniSpoof TTS engines needs root. Run" \
        "this script as root (or with sudo), or ask an administrator to" \
        "run: apt-get install ${packages[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${packages[@]}"

if ! present; then
    echo "error: apt-get finished, but an engine is still missing" \
        "(expected the packages ${packages[*]}, the programs espeak-ng," \
        "festival, flite and java, and /usr/share/java/freetts.jar)." >&2
    exit 1
fi
echo "MiniSpoof TTS engines installed."
