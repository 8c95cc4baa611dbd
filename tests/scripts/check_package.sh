#!/usr/bin/env bash
# Builds the Debian package as a user would (cpack -G DEB in the build folder), unpacks it into a
# temporary root with dpkg-deb -x and runs what it installed: medsa --version, medsa-studio in
# Chinese (the translations are in the program), the model catalogue, and `medsa segment --model
# starter` on a test picture (the starter model found beside the unpacked executable). Checks the
# declared dependencies and, with check_desktop_metadata.sh, the installed desktop entry, AppStream
# metainfo and MIME types.
#
#   check_package.sh CPACK BUILD_DIR SOURCE_DIR VERSION
#
# Exit status: 0 all passed, 1 a check failed, 77 skipped: a tool is missing (outside CI), or
# everything else passed but models/starter.safetensors is not in the repository yet, so the
# segment check could not run.
set -euo pipefail

cpack=$1 build=$2 source=$3 version=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() {
  if [ -n "${CI:-}" ]; then fail "$*"; fi
  echo "SKIP: $*"
  exit 77
}
for tool in dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev; do
  command -v "${tool%%:*}" > /dev/null ||
    skip "${tool%%:*} is not installed (Debian package ${tool##*:}; scripts/install-deps.sh)"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== cpack -G DEB in $build"
(cd "$build" && "$cpack" -G DEB -B "$scratch/out") > "$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; fail "cpack -G DEB failed"; }
debs=("$scratch"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single .deb: ${debs[*]}"
deb=${debs[0]}
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

echo "== dependencies (dpkg-shlibdeps and declared)"
[ "$(dpkg-deb --field "$deb" Package)" = medsa-studio ] || fail "package name"
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || fail "package version is not $version"
depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
for library in libqt6widgets6 libqt6network6 libqt6sql6 libtorch libinsighttoolkit libdcmtk \
               libopencv libc6 libopenblas0-openmp libqt6sql6-sqlite; do
  grep -q "$library" <<< "$depends" || fail "Depends does not name $library"
done

echo "== dpkg-deb -x"
root=$scratch/root
dpkg-deb -x "$deb" "$root"
for file in usr/bin/medsa usr/bin/medsa-studio \
            usr/share/applications/org.medsa.Studio.desktop \
            usr/share/metainfo/org.medsa.Studio.metainfo.xml \
            usr/share/icons/hicolor/scalable/apps/org.medsa.Studio.svg \
            usr/share/mime/packages/org.medsa.Studio.xml; do
  [ -f "$root/$file" ] || fail "the package has no /$file"
done
"$(dirname "$0")/check_desktop_metadata.sh" "$root/usr/share/applications/org.medsa.Studio.desktop" \
  "$root/usr/share/metainfo/org.medsa.Studio.metainfo.xml" \
  "$root/usr/share/mime/packages/org.medsa.Studio.xml" "$version" ||
  fail "the installed desktop integration files do not validate"
exec_name=$(grep '^Exec=' "$root/usr/share/applications/org.medsa.Studio.desktop" | cut -d= -f2 |
            cut -d' ' -f1)
[ -x "$root/usr/bin/$exec_name" ] || fail "the desktop entry runs $exec_name, not in /usr/bin"

echo "== the unpacked programs use system libraries only"
unset LD_LIBRARY_PATH
for program in medsa medsa-studio; do
  links=$(ldd "$root/usr/bin/$program")
  if grep -E "not found|$build" <<< "$links"; then fail "$program needs a library it cannot find"; fi
done
first=$("$root/usr/bin/medsa" --version | head -1)
[ "$first" = "medsa $version" ] || fail "unpacked medsa --version says '$first'"
echo "$first"

export HOME=$scratch/home XDG_CONFIG_HOME=$scratch/home/config XDG_DATA_HOME=$scratch/home/data
mkdir -p "$HOME"
catalogue=$("$root/usr/bin/medsa" models list --json) || fail "unpacked medsa models list failed"
grep -q '"sam-vit-b"' <<< "$catalogue" || fail "unpacked medsa models list has no catalogue"
help=$(LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 QT_QPA_PLATFORM=offscreen \
       "$root/usr/bin/medsa-studio" --help 2>&1) || fail "unpacked medsa-studio --help: $help"
grep -q "交互式医学图像标注" <<< "$help" ||
  fail "unpacked medsa-studio --help is not in Chinese under LANG=zh_CN.UTF-8: $help"
echo "medsa-studio --help speaks Chinese under zh_CN"

echo "== medsa segment --model starter (unpacked)"
if [ ! -f "$source/models/starter.safetensors" ]; then
  skip "models/starter.safetensors is not in the repository yet, so the package has no starter" \
       "model and 'medsa segment --model starter' was not run; every other check passed"
fi
installed=$root/usr/share/medsa-studio/models/starter.safetensors
cmp -s "$source/models/starter.safetensors" "$installed" ||
  fail "the package's /usr/share/medsa-studio/models/starter.safetensors is not the repository's"
picture=$source/tests/data/io/phantom.png
said=$("$root/usr/bin/medsa" segment --model starter --image "$picture" --point 200,200,1 \
       --multimask --out "$scratch/mask.png") || fail "unpacked medsa segment --model starter failed"
echo "$said"
area=$(sed -n 's/^wrote .*: \([0-9]*\) pixels.*/\1/p' <<< "$said")
[ -n "$area" ] && [ "$area" -gt 0 ] || fail "the starter model's mask is empty"
[ -s "$scratch/mask.png" ] || fail "no mask written"
echo "package: OK"
