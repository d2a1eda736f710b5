#!/usr/bin/env bash
# speechbrain-fica in one command: installs the package, builds the
# MiniSpoof-LA demo corpus, trains an LCNN with FICA on the CPU, evaluates
# it and prints EER and min t-DCF.
#
#   bash run_demo.sh [OUTPUT_FOLDER]      (default: demo)
#
# Runs in the active virtual environment, or creates ./.venv. When no torch
# is installed it installs TORCH_SPEC (default: the torch / torchaudio pair
# this project is tested with).
set -euo pipefail
cd "$(dirname "$0")"
output="${1:-demo}"
start=$(date +%s)

if [ -z "${VIRTUAL_ENV:-}" ]; then
    [ -d .venv ] || python3 -m venv .venv
    # shellcheck disable=SC1091
    . .venv/bin/activate
fi
echo "== installing speechbrain-fica"
python -m pip install --quiet --upgrade pip
if ! python -c "import torch, torchaudio" 2>/dev/null; then
    # shellcheck disable=SC2086
    python -m pip install --quiet ${TORCH_SPEC:-torch==2.14.1 torchaudio==2.11.0}
fi
python -m pip install --quiet -e ".[demo]"
installed=$(date +%s)

echo "== building MiniSpoof-LA in $output/MiniSpoof"
python -m speechbrain_fica.minispoof --output_folder "$output/MiniSpoof"

echo "== training and evaluating LCNN + FICA (CPU-sized)"
python recipes/ASVspoof2019/train.py \
    recipes/ASVspoof2019/hparams/minispoof_lcnn_fica.yaml \
    --data_folder "$output/MiniSpoof/LA" \
    --output_folder "$output/minispoof_lcnn_fica"

python - "$output/minispoof_lcnn_fica/eval" "$start" "$installed" <<'PY'
import json, os, sys, time

folder, start, installed = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
with open(os.path.join(folder, "summary_eval.json")) as f:
    summary = json.load(f)
print("\n== MiniSpoof-LA eval (unseen attacks MS05-MS08 included)")
print(f"EER        {summary['EER']:.2f} %")
print(f"min t-DCF  {summary['min_tDCF']:.4f}  (ASVspoof 2019 LA ASV operating point)")
for row in summary.get("per_attack", []):
    print(f"  {row['attack']:<7} EER {row['EER']:6.2f} %")
for name in ("scores_eval.txt", "det_eval.png", "hist_eval.png"):
    print("wrote", os.path.join(folder, name))
now = time.time()
print(f"time: {now - start:.0f} s in all, {now - installed:.0f} s after installing")
PY
