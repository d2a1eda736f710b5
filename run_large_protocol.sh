#!/usr/bin/env bash
# The paper's ablation protocol on MiniSpoof-LA large, on the CPU: builds
# the corpus (251 LibriSpeech speakers, 25 attacks of which 12 are of
# families never seen in training), then trains LCNN and RawNet2 with
# FICA's rows {baseline, +InF, +InI, +InF+InI} x seeds {1, 100, 1000}
# and writes, per backbone, ablation.md / .csv / .png: EER and min t-DCF
# mean +- std per row, per-attack EER, and each row's difference to the
# baseline with a 95 % paired bootstrap confidence interval.
#
#   bash run_large_protocol.sh [OUTPUT_FOLDER]     (default: evidence)
#
# Resumable: rerun the same command after an interruption. Runs in the
# active virtual environment (see run_demo.sh for the install); the
# text-to-speech engines come from Debian packages
# (speechbrain_fica/minispoof/install_tts_engines.sh, needs root once).
set -euo pipefail
cd "$(dirname "$0")"
output="$(realpath -m "${1:-evidence}")"
start=$(date +%s)

bash speechbrain_fica/minispoof/install_tts_engines.sh
python -m pip install --quiet -e ".[demo]"

echo "== building MiniSpoof-LA large in $output/MiniSpoofLarge"
python -m speechbrain_fica.minispoof --size large \
    --n_spoof_per_attack 25 10 20 \
    --output_folder "$output/MiniSpoofLarge"

cd recipes/ASVspoof2019
for system in lcnn rawnet2; do
    extra=()
    # LCNN: 3 s crops (the demo yaml's 1.5 s suit the small corpus)
    [ "$system" = lcnn ] && extra=(--segment_samples 48000)
    echo "== ablation protocol: $system + FICA"
    python run_ablation.py "hparams/minispoof_${system}_fica.yaml" \
        --output_root "$output/ablation_$system" \
        --data_folder "$output/MiniSpoofLarge/LA" \
        --noprogressbar "${extra[@]}"
done
echo "reports: $output/ablation_lcnn/ablation.md," \
    "$output/ablation_rawnet2/ablation.md"
echo "time: $(( $(date +%s) - start )) s"
