#!/usr/bin/env python3
"""Enforces the dependency arrows of docs/architecture.md on a source tree.

Scans the #include lines of every source file and the target_link_libraries() calls of every
CMakeLists.txt under the layer folders, and prints one line per violation:

    violation [RULE] path:line: explanation

Exit status 0 when the tree is clean, 1 when it is not. With --expect RULE the meaning flips for
the planted-violation fixtures in tests/data/layering: exit 0 only if RULE, and nothing else,
was reported.
"""
import argparse
import re
import sys
from pathlib import Path

# Folder prefix -> layer; the longest prefix wins (core/io/ is medsa_io, not medsa_core).
LAYER_DIRS = [
    ("core/io/", "io"),
    ("core/", "core"),
    ("model/", "model"),
    ("annotations/", "annotations"),
    ("ui/", "ui"),
    ("app/", "app"),
]

# Which layers' headers (medsa/<layer>/...) each layer may include.
ALLOWED_PROJECT_INCLUDES = {
    "core": {"core"},
    "io": {"core", "io"},
    "model": {"core", "model"},
    "annotations": {"core", "io", "annotations"},
    "ui": {"core", "annotations", "ui"},
    "app": {"core", "io", "model", "annotations", "ui"},
}

# Which link items each layer's CMakeLists may name (regular expressions, matched whole).
ALLOWED_LINKS = {
    "core": [],
    "io": [r"medsa_core", r"\$\{ITK_LIBRARIES\}", r"ITK\w*", r"gdcm\w+", r"\$\{OpenCV_LIBS\}",
           r"opencv_\w+", r"DCMTK::\w+"],
    # The OpenMP runtime Torch uses, for the kernels' at::parallel_for, and the oneDNN that
    # Debian's Torch links, for the encoder's linears (model/CMakeLists.txt).
    "model": [r"medsa_core", r"torch", r"\$\{TORCH_LIBRARIES\}", r"\$<LINK_ONLY:OpenMP::OpenMP_CXX>",
              r"medsa_dnnl"],
    # libpq only for PQstatus (whether a PostgreSQL connection is alive); queries go through QtSql.
    "annotations": [r"medsa_core", r"medsa_io", r"Qt6::(Core|Gui|Sql)", r"PkgConfig::LIBPQ"],
    "ui": [r"medsa_annotations", r"medsa_core", r"Qt6::(Core|Gui|Widgets|Concurrent|Network|Svg)"],
    "app": [r".+"],
}

SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc", ".cxx", ".in", ".inc"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
QT_HEADER_RE = re.compile(r"^(Q[A-Z]\w*|Qt\w*/.*)$")
TORCH_HEADER_RE = re.compile(r"^(torch|ATen|c10|caffe2)/")
ONEDNN_HEADER_RE = re.compile(r"^oneapi/dnnl/")
IMAGING_HEADER_RE = re.compile(r"^(itk\w*\.h|gdcm\w*\.h|opencv2/.*|dcmtk/.*|vnl/.*|vcl_\w+\.h)$")
PROJECT_HEADER_RE = re.compile(r"^medsa/(\w+)/")
KEYWORDS = {"PUBLIC", "PRIVATE", "INTERFACE"}


def layer_of(relative: str):
    for prefix, layer in LAYER_DIRS:
        if relative.startswith(prefix):
            return layer
    return None


def check_includes(root: Path, path: Path, layer: str, report):
    relative = path.relative_to(root).as_posix()
    public_header = layer == "model" and relative.startswith("model/include/")
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        match = INCLUDE_RE.match(line)
        if not match:
            continue
        header = match.group(2).strip()
        where = f"{relative}:{number}"
        if layer in ("core", "io", "model") and QT_HEADER_RE.match(header):
            report(f"qt-in-{layer}", where, f"Qt header <{header}> in medsa_{layer}")
        if TORCH_HEADER_RE.match(header):
            if layer != "model":
                report("torch-outside-model", where, f"Torch header <{header}> outside model/")
            elif public_header:
                report("torch-in-model-public-header", where,
                       f"Torch header <{header}> in a public header of medsa_model")
        # oneDNN is what Debian's Torch runs on: the engine's sources may call it, nothing else.
        if ONEDNN_HEADER_RE.match(header) and (layer != "model" or public_header):
            report("onednn-outside-model-sources", where,
                   f"oneDNN header <{header}> outside medsa_model's sources")
        if IMAGING_HEADER_RE.match(header) and layer != "io":
            report("imaging-outside-io", where,
                   f"ITK/GDCM/OpenCV/DCMTK header <{header}> outside core/io/")
        project = PROJECT_HEADER_RE.match(header)
        if project and project.group(1) not in ALLOWED_PROJECT_INCLUDES[layer]:
            report("layer-arrow", where,
                   f"medsa_{layer} includes a header of medsa_{project.group(1)}")


def link_calls(text: str):
    """Yields (line number, [tokens]) for every target_link_libraries(...) call."""
    for match in re.finditer(r"target_link_libraries\s*\(", text, re.IGNORECASE):
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        body = re.sub(r"#[^\n]*", "", text[match.end():end - 1])
        yield text.count("\n", 0, match.start()) + 1, body.split()


def check_links(root: Path, path: Path, layer: str, report):
    relative = path.relative_to(root).as_posix()
    allowed = [re.compile(pattern) for pattern in ALLOWED_LINKS[layer]]
    for number, tokens in link_calls(path.read_text(errors="replace")):
        where = f"{relative}:{number}"
        if len(tokens) < 2 or tokens[1] not in KEYWORDS:
            report("unkeyworded-link", where, "target_link_libraries without PUBLIC/PRIVATE/INTERFACE")
        for item in tokens[1:]:
            if item in KEYWORDS:
                continue
            if not any(pattern.fullmatch(item) for pattern in allowed):
                rule = "ui-links-torch" if layer == "ui" and "torch" in item.lower() else "link-arrow"
                report(rule, where, f"medsa_{layer} links {item}, which its layer may not use")


def scan(root: Path):
    violations = []

    def report(rule, where, message):
        violations.append((rule, where, message))

    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        layer = layer_of(relative)
        if layer is None:
            continue
        if path.name == "CMakeLists.txt":
            check_links(root, path, layer, report)
        elif path.suffix in SOURCE_SUFFIXES:
            check_includes(root, path, layer, report)
    return violations


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--expect", help="rule that must be reported (planted-violation fixtures)")
    args = parser.parse_args()
    root = args.root.resolve()
    if not any((root / prefix).is_dir() for prefix, _ in LAYER_DIRS):
        print(f"check_layering: {root}: no layer folders (core/, model/, ...) found", file=sys.stderr)
        return 2
    violations = scan(root)
    for rule, where, message in violations:
        print(f"violation [{rule}] {where}: {message}")
    if args.expect:
        # A fixture plants exactly one kind of violation: anything else is a false positive.
        rules = {rule for rule, _, _ in violations}
        exact = rules == {args.expect}
        print(f"check_layering: expected only [{args.expect}], got {sorted(rules) or 'none'}")
        return 0 if exact else 1
    print(f"check_layering: {len(violations)} violation(s) in {root}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
