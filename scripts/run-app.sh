#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and starts Med-SA Studio.
# Arguments are passed to the application.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target medsa-studio medsa
exec build/bin/medsa-studio "$@"
