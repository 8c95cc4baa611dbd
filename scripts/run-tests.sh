#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything, runs every test;
# then builds the model-only configuration (no Qt, ITK, OpenCV) and runs its tests, so the rule
# that the engine builds without them is exercised, not assumed. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

cmake --preset default
cmake --build --preset default
ctest --preset default

cmake --preset model-only
cmake --build --preset model-only
ctest --preset model-only
