#!/usr/bin/env bash
# The engine on a GPU machine, in one go: builds the model-only preset against the CUDA LibTorch
# that Python's PyTorch bundles, runs its tests (test_model_gpu on the GPU; the parity, attention
# and predictor tests on that LibTorch's CPU side), then times our engine and the official SAM
# side by side on the GPU (scripts/bench-vs-official.sh --device cuda), bf16 and fp32, and our
# bf16 encoder once more with the chunked attention instead of LibTorch's fused one, the bf16
# decoder, and adapter training steps.
#
# Usage: scripts/gpu-check.sh [--qt-debs DIR] [--out DIR] [--runs N] [--short]
#        scripts/gpu-check.sh --fetch-qt-debs DIR    (on a Debian 12 machine, beforehand)
#   --qt-debs DIR  Debian 12's Qt Core and Test packages (.deb, with their libraries), unpacked
#                  into a temporary prefix for the Qt tests; nothing is installed. Without it only
#                  the CLI is built and `medsa --version` is the only test.
#   --fetch-qt-debs DIR  downloads those packages into DIR (apt-get download) and stops
#   --out DIR      where the logs and results go (default $OUT, else /tmp/gpu-check)
#   --runs N       paired runs per precision (default 3)
#   --short        only the tests and the side-by-side runs
# Needs cmake, ninja, g++ and python3 with a CUDA build of torch; the official SAM checkout in
# build/official-sam (scripts/bench-vs-official.sh).
set -uo pipefail
cd "$(dirname "$0")/.."

qt_debs="" out=${OUT:-/tmp/gpu-check} runs=3 short=0
while [ $# -gt 0 ]; do
  case "$1" in
    --qt-debs) qt_debs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --short) short=1; shift ;;
    --fetch-qt-debs)
      mkdir -p "$2" && cd "$2" || exit 1
      exec apt-get download qt6-base-dev qt6-base-dev-tools qmake6 qmake6-bin libqt6core6 \
        libqt6test6 libicu72 libdouble-conversion3 libb2-1 libpcre2-16-0 libpcre2-8-0 \
        libglib2.0-0 libffi8 libmount1 libblkid1 libselinux1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
step() { echo "== $(date +%T) $*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
nproc
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') || exit 1
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
      torch.cuda.get_device_name(0))'

configure=(-DCMAKE_PREFIX_PATH="$torch_prefix" -DTORCH_CUDA_ARCH_LIST=9.0)
qt_libs=""
if [ -n "$qt_debs" ]; then
  step "Qt from $qt_debs"
  qt=/tmp/medsa-qt
  rm -rf "$qt" && mkdir -p "$qt"
  for deb in "$qt_debs"/*.deb; do
    if command -v dpkg-deb >/dev/null; then
      dpkg-deb -x "$deb" "$qt"
    else
      ar p "$deb" data.tar.xz | tar -xJ -C "$qt"
    fi
  done
  qt_libs="$qt/usr/lib/x86_64-linux-gnu:$qt/lib/x86_64-linux-gnu"
  configure=(-DCMAKE_PREFIX_PATH="$torch_prefix;$qt/usr" -DTORCH_CUDA_ARCH_LIST=9.0
             -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=OFF "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,${qt_libs}")
fi

# moc (a Debian program) and the tests find Qt's libraries there; the benchmarks' Python keeps
# the machine's.
with_qt() { LD_LIBRARY_PATH="${qt_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }

step "configure"
cmake --preset model-only "${configure[@]}" >"$out/configure.log" 2>&1 ||
  { tail -40 "$out/configure.log"; exit 1; }
grep -E "LibTorch|Qt6" "$out/configure.log" | head -5
step "build"
if ! with_qt cmake --build build-model-only -j "$(nproc)" -- -k 0 >"$out/build.log" 2>&1; then
  grep -E "error|Error" "$out/build.log" | head -40
fi
tail -1 "$out/build.log"
[ -x build-model-only/bin/medsa ] || exit 1

step "tests"
with_qt ctest --test-dir build-model-only --output-on-failure -j 4 --timeout 600 \
  >"$out/ctest.log" 2>&1
grep -E "tests passed|Test +#|FAIL|SKIP" "$out/ctest.log" | tail -30
if [ -x build-model-only/tests/test_model_gpu ]; then
  with_qt build-model-only/tests/test_model_gpu -o "$out/test_model_gpu.txt,txt" >/dev/null 2>&1
  grep -E "^(PASS|FAIL|SKIP|Totals)|Loc:|error" "$out/test_model_gpu.txt" | head -40
fi

medsa=build-model-only/bin/medsa
for precision in bf16 fp32; do
  step "side by side, $precision"
  PYTHON=python3 scripts/bench-vs-official.sh --device cuda --precision "$precision" \
    --runs "$runs" --encoder-runs 10 --clicks 50 --medsa "$medsa" | tee "$out/vs-official-$precision.json" |
    python3 -c 'import json,sys; t=sys.stdin.read(); print(t[t.index("{\n"):])'
done

[ "$short" = 1 ] && { step "done"; exit 0; }
step "our bf16 encoder with the chunked attention (MEDSA_CUDA_ATTENTION=chunked)"
MEDSA_CUDA_ATTENTION=chunked "$medsa" bench --arch vit_b --random-weights --device cuda \
  --precision bf16 --encoder-runs 10 --clicks 50 --json | tee "$out/chunked-bf16.json"
step "our bf16 encoder and bf16 decoder"
"$medsa" bench --arch vit_b --random-weights --device cuda --precision bf16 \
  --decoder-precision bf16 --encoder-runs 10 --clicks 50 --json | tee "$out/bf16-decoder.json"
step "adapter training steps on the GPU (bf16 autocast)"
"$medsa" bench --arch vit_b --random-weights --device cuda --train --train-steps 6 --json |
  tee "$out/train.json"
step "done"
