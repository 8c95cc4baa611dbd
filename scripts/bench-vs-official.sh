#!/usr/bin/env bash
# The official Segment Anything (PyTorch) and our engine timed side by side on this machine:
# N paired runs, each one official `scripts/bench_official_sam.py` and one `medsa bench` on the
# same picture size, arch, precision and thread count, taking turns at going first; prints every
# run and then the medians with the ratios ours / official (lower is better), as JSON.
#
# Usage: scripts/bench-vs-official.sh [--runs N] [--arch vit_b] [--precision fp32|bf16]
#                                     [--clicks N] [--threads N] [--official-dir DIR]
#                                     [--medsa PATH] [--device cpu|cuda] [--encoder-runs N]
# Needs Debian's python3-torch and python3-torchvision, and a checkout of
# https://github.com/facebookresearch/segment-anything in --official-dir (default
# build/official-sam, which git ignores; it is read, never vendored or installed).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3 arch=vit_b precision=fp32 clicks=20 threads=0 device=cpu encoder_runs=1
official_dir=build/official-sam medsa=build/bin/medsa
python=${PYTHON:-/usr/bin/python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    --clicks) clicks=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --official-dir) official_dir=$2; shift 2 ;;
    --medsa) medsa=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --encoder-runs) encoder_runs=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-vs-official: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$medsa" ] || { echo "bench-vs-official: $medsa is not built" >&2; exit 1; }
[ -f "$official_dir/segment_anything/__init__.py" ] || {
  echo "bench-vs-official: no official checkout in $official_dir (git clone" \
       "https://github.com/facebookresearch/segment-anything $official_dir)" >&2; exit 1; }
[ "$threads" -gt 0 ] || threads=$(nproc)

official() {
  "$python" scripts/bench_official_sam.py --official-dir "$official_dir" --arch "$arch" \
    --precision "$precision" --clicks "$clicks" --threads "$threads" --device "$device" \
    --encoder-runs "$encoder_runs"
}
ours() {  # one line of JSON, as the official script prints
  "$medsa" bench --arch "$arch" --random-weights --precision "$precision" --clicks "$clicks" \
    --threads "$threads" --device "$device" --encoder-runs "$encoder_runs" --json | "$python" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))'
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for run in $(seq "$runs"); do
  if [ $((run % 2)) -eq 1 ]; then a=$(official); b=$(ours); else b=$(ours); a=$(official); fi
  echo "{\"run\": $run, \"official\": $a, \"ours\": $b}" | tee -a "$log"
done

"$python" - "$log" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
summary = {}
for key in ("encoder_ms", "click_ms_p50", "correction_click_ms_p50"):
    official = statistics.median(r["official"][key] for r in runs)
    ours = statistics.median(r["ours"][key] for r in runs)
    ratios = [r["ours"][key] / r["official"][key] for r in runs]
    summary[key] = {"official": round(official, 1), "ours": round(ours, 1),
                    "ratio_of_medians": round(ours / official, 3),
                    "paired_ratios": [round(x, 3) for x in ratios]}
first = runs[0]
summary["runs"] = len(runs)
summary["arch"] = first["ours"]["arch"]
summary["precision"] = first["ours"]["precision"]
summary["device"] = first["ours"]["device"]
summary["threads"] = first["ours"]["threads"]
summary["attention_kernel"] = first["ours"].get("attention_kernel")
summary["peak_rss_mb"] = max(r["ours"]["peak_rss_mb"] for r in runs)
print(json.dumps({"summary": summary}, indent=1))
PY
