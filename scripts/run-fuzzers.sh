#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset, clang + ASan) and runs each for SECONDS on a copy of
# its seed corpus (tests/fuzz/corpus/NAME). Exits non-zero when a fuzzer finds a crash; the
# reproducer is left in build-fuzz/findings/NAME/.
# Usage: scripts/run-fuzzers.sh [--ci] [SECONDS] [NAME...]   (default 20 s, every fuzz_* target)
# --ci: a fixed seed and a fixed number of inputs (20,000 per target, SECONDS as a safety limit),
# so a test run is repeatable: it fails only when the code (or corpus) changed, never by luck.
# Without it, each run explores anew for SECONDS; use that for longer fuzzing sessions.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=()
if [ "${1:-}" = "--ci" ]; then
  mode=(-seed=1 -runs=20000)
  shift
fi
seconds="${1:-20}"
shift || true

cmake --preset fuzz > build-fuzz.log 2>&1 || { cat build-fuzz.log; exit 1; }
mapfile -t all < <(sed -n 's/^medsa_add_fuzzer(\(fuzz_[a-z0-9_]*\).*/\1/p' tests/fuzz/CMakeLists.txt)
names=("${@:-${all[@]}}")
cmake --build --preset fuzz --target "${names[@]}"

# Leaks inside LibTorch itself are suppressed (see the file); ours are still reported.
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
status=0
for name in "${names[@]}"; do
  corpus="build-fuzz/corpus/$name"
  findings="build-fuzz/findings/$name"
  mkdir -p "$corpus" "$findings"
  # Start from the committed seeds only, so --ci runs see the same corpus every time.
  [ ${#mode[@]} -gt 0 ] && rm -rf "$corpus" && mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"${name#fuzz_}"/* "$corpus"/ 2>/dev/null || true
  # A dictionary of the format's tokens where one exists (tests/fuzz/NAME.dict).
  dict=()
  [ -f "tests/fuzz/${name#fuzz_}.dict" ] && dict=(-dict="$PWD/tests/fuzz/${name#fuzz_}.dict")
  echo "== $name: ${seconds}s"
  if ! (cd "$findings" && "../../fuzz/$name" -max_total_time="$seconds" "${mode[@]}" "${dict[@]}" \
        -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 "../../corpus/$name" 2>&1 | tail -n 25); then
    echo "!! $name found a problem; reproducer in $findings"
    status=1
  fi
done
exit $status
