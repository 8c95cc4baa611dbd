#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and starts Med-SA Studio.
# Without arguments it opens the built-in demo volume; any arguments (an image, --model CKPT,
# --help) are passed to the application instead.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target medsa-studio medsa
if [ "$#" -eq 0 ]; then
  set -- --demo
fi
exec build/bin/medsa-studio "$@"
