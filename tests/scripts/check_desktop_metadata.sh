#!/usr/bin/env bash
# Checks the desktop integration files as a desktop would read them: the desktop entry with
# desktop-file-validate, the AppStream metainfo with appstreamcli validate (its newest release
# must be the project's version), and the shared-mime-info XML compiled by update-mime-database
# beside freedesktop.org's types, so that every file name the desktop entry claims maps to a type
# it lists.
#
#   check_desktop_metadata.sh DESKTOP_FILE METAINFO_FILE MIME_XML VERSION
#
# Exit status: 0 all passed, 1 a check failed, 77 skipped (a tool is missing and CI is not set;
# in CI a missing tool is a failure).
set -euo pipefail

desktop=$1 metainfo=$2 mime=$3 version=$4
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in desktop-file-validate:desktop-file-utils appstreamcli:appstream \
            update-mime-database:shared-mime-info; do
  if ! command -v "${tool%%:*}" > /dev/null; then
    message="${tool%%:*} is not installed (Debian package ${tool##*:}; scripts/install-deps.sh)"
    if [ -n "${CI:-}" ]; then fail "$message"; fi
    echo "SKIP: $message"
    exit 77
  fi
done
for file in "$desktop" "$metainfo" "$mime"; do
  [ -f "$file" ] || fail "$file: no such file"
done

echo "== desktop-file-validate $desktop"
output=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate: $output"
# Hints too: a clean entry has none.
[ -z "$output" ] || fail "desktop-file-validate has remarks: $output"

echo "== appstreamcli validate $metainfo"
appstreamcli validate --no-net "$metainfo" || fail "$metainfo: appstreamcli validate failed"
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -1 | cut -d'"' -f2)
[ "$newest" = "$version" ] ||
  fail "$metainfo: newest release is '$newest', the project is $version (add a <release>)"

echo "== update-mime-database with $mime"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/mime/packages"
cp /usr/share/mime/packages/freedesktop.org.xml "$scratch/mime/packages/"
cp "$mime" "$scratch/mime/packages/org.medsa.Studio.xml"
errors=$(XDG_DATA_DIRS="$scratch" update-mime-database "$scratch/mime" 2>&1) || fail "update-mime-database: $errors"
[ -z "$errors" ] || fail "update-mime-database complains: $errors"
claimed=$(grep '^MimeType=' "$desktop" | cut -d= -f2)
for pair in "*.nii:image/x-nifti" "*.nii.gz:image/x-nifti-gz" "*.nrrd:image/x-nrrd" \
            "*.mha:image/x-metaimage" "*.dcm:application/dicom"; do
  glob=${pair%%:*} type=${pair##*:}
  grep -qxF "50:$type:$glob" "$scratch/mime/globs2" ||
    fail "$glob is not registered as $type by $mime and freedesktop.org.xml"
  case ";$claimed" in
    *";$type;"*) ;;
    *) fail "$desktop: MimeType= does not list $type ($glob)" ;;
  esac
done
echo "desktop entry, metainfo and MIME types: OK"
