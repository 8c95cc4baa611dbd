#!/usr/bin/env bash
# Installs every Debian 12 package that Med-SA Studio needs to build, test and run.
# Idempotent and non-interactive: packages already present are skipped, so a second run is quick.
set -euo pipefail

packages=(
  # Toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # Qt 6 (widgets, SQL with SQLite, tests, translations). Not Qt Charts: Debian's is GPL-3 only,
  # which would make the Apache-2.0 package GPL; the trainer panel draws its own charts.
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
  libqt6sql6-sqlite libgl-dev
  # Team projects on PostgreSQL: QtSql's driver, libpq, and the server the store tests run
  libqt6sql6-psql libpq-dev postgresql
  # LibTorch (CPU) and an optimised BLAS: without libopenblas0-openmp Torch falls back to the
  # reference BLAS, several times slower.
  libtorch-dev libopenblas0-openmp
  # oneDNN's headers: the encoder's linear layers call its matmul directly (LibTorch links the
  # same library)
  libdnnl-dev
  # Medical and photographic image IO
  libinsighttoolkit5-dev libgdcm-dev libdcmtk-dev libopencv-dev
  # Header-only JSON for the CLI and model configs
  nlohmann-json3-dev
  # GUI tests and screenshots
  xvfb xauth imagemagick
  # Public test data (pydicom, nibabel and scikit-image test files) and DICOM validation
  python3-pydicom python3-nibabel python3-skimage dicom3tools
  # Independent read-back of dataset exports (tests/scripts/check_exports.py)
  python3-numpy
  # The Debian package (cpack -G DEB; dpkg-shlibdeps) and its desktop files' validators
  dpkg-dev desktop-file-utils appstream shared-mime-info
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
