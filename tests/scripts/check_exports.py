#!/usr/bin/env python3
"""Reads back what export_fixture_writer exported, with readers that share no code with medsa:
nibabel (NIfTI), pydicom and dciodvfy (DICOM SEG), and small readers written here from the
format specifications (PNG, NRRD, COCO RLE). Compares every label map with the ground truth.

    check_exports.py DIR        (DIR as written by export_fixture_writer)

Exit status: 0 all checks passed, 1 a check failed, 77 skipped (a reader is not installed and CI
is not set; in CI a missing reader is a failure).
"""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

SKIP = 77


def skip_or_fail(reason):
    if os.environ.get("CI"):
        print(f"FAIL: {reason} (required in CI)")
        sys.exit(1)
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


try:
    import numpy as np
    import nibabel
    import pydicom
except ImportError as error:  # Debian: python3-numpy, python3-nibabel, python3-pydicom
    skip_or_fail(f"{error.name} is not installed (python3-{error.name}); exports not read back")

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}")
    return condition


# --- PNG (ISO/IEC 15948): non-interlaced grey, grey+alpha, RGB, RGBA; 8 or 16 bits ------------
def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if interlace != 0 or colour == 3 or depth not in (8, 16):
        raise ValueError(f"{path}: PNG variant not read here")
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    bpp = channels * depth // 8
    stride = width * bpp
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    dtype = np.uint8 if depth == 8 else np.dtype(">u2")
    return np.frombuffer(b"".join(rows), dtype=dtype).reshape(height, width, channels)


# --- NRRD (teem's format definition): attached data, raw or gzip ------------------------------
NRRD_TYPES = {"unsigned char": np.uint8, "uchar": np.uint8, "uint8": np.uint8,
              "unsigned short": np.uint16, "ushort": np.uint16, "uint16": np.uint16,
              "short": np.int16, "int16": np.int16}


def read_nrrd(path):
    data = open(path, "rb").read()
    end = data.index(b"\n\n")
    fields = {}
    for line in data[:end].decode("ascii").splitlines()[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        fields[key.strip()] = value.strip().lstrip("=").strip()
    payload = data[end + 2:]
    if fields.get("encoding") in ("gzip", "gz"):
        payload = gzip.decompress(payload)
    dtype = np.dtype(NRRD_TYPES[fields["type"]])
    if fields.get("endian", "little") == "big":
        dtype = dtype.newbyteorder(">")
    sizes = [int(s) for s in fields["sizes"].split()]
    # The first axis is the fastest: reverse for numpy, then index as [x, y, z].
    return np.frombuffer(payload, dtype=dtype).reshape(sizes[::-1]).transpose()


# --- COCO RLE (cocoapi maskApi.c): column-major runs, 6-bit characters ---------------------------
def rle_counts(text):
    counts, p = [], 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            c = ord(text[p]) - 48
            if not 0 <= c < 64:
                raise ValueError(f"character {p} out of range")
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p, k = p + 1, k + 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_string(counts):
    out = []
    for i, count in enumerate(counts):
        x = count - counts[i - 2] if i > 2 else count
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr((c | (0x20 if more else 0)) + 48))
    return "".join(out)


def rle_decode(counts, height, width):
    flat = np.zeros(height * width, dtype=np.uint8)
    pos, value = 0, 0
    for count in counts:
        if count < 0:
            raise ValueError("negative count")
        flat[pos:pos + count] = value
        pos, value = pos + count, 1 - value
    if pos != height * width:
        raise ValueError(f"counts cover {pos} pixels, not {height * width}")
    return flat.reshape(width, height).T  # column-major: t = x * height + y


def rle_encode(mask):
    counts, run, value = [], 0, 0
    for pixel in mask.T.reshape(-1):
        if pixel != value:
            counts.append(run)
            run, value = 0, pixel
        run += 1
    counts.append(run)
    return counts


# --- The checks ---------------------------------------------------------------------------------
def load_truth(root):
    truth = json.load(open(os.path.join(root, "truth", "truth.json")))
    arrays = {}
    for case, info in truth["cases"].items():
        w, h, d = info["size"]
        raw = np.fromfile(os.path.join(root, "truth", case + ".raw"), dtype="<u2")
        arrays[case] = raw.reshape(d, h, w).transpose()  # [x, y, z]
    return truth, arrays


def check_label_set(path, truth):
    labels = json.load(open(path))["labels"]
    names = {entry["value"]: entry["name"] for entry in labels}
    check(names == {e["value"]: e["name"] for e in truth["labels"]}, f"{path}: label set differs")


def check_nifti(truth, arrays):
    job = truth["exports"]["nifti"]
    for case in job["cases"]:
        path = os.path.join(job["folder"], case + ".nii.gz")
        image = nibabel.load(path)
        data = np.asanyarray(image.dataobj)
        check(data.shape == arrays[case].shape and (data == arrays[case]).all(),
              f"nibabel: {path} voxels differ from the label map")
        zooms = image.header.get_zooms()[:3]
        check(np.allclose(zooms, truth["cases"][case]["spacing"], atol=1e-4),
              f"nibabel: {path} spacing {zooms}")
        check_label_set(os.path.join(job["folder"], case + ".labels.json"), truth)


def check_nrrd(truth, arrays):
    job = truth["exports"]["nrrd"]
    for case in job["cases"]:
        path = os.path.join(job["folder"], case + ".nrrd")
        data = read_nrrd(path)
        check(data.shape == arrays[case].shape and (data == arrays[case]).all(),
              f"NRRD: {path} voxels differ")
        check_label_set(os.path.join(job["folder"], case + ".labels.json"), truth)


def check_png(truth, arrays):
    job = truth["exports"]["png"]
    for case in job["cases"]:
        path = os.path.join(job["folder"], case + ".png")
        data = read_png(path)
        check(data.shape[2] == 1 and (data[:, :, 0].T == arrays[case][:, :, 0]).all(),
              f"PNG: {path} differs")
        check_label_set(os.path.join(job["folder"], case + ".labels.json"), truth)


def check_coco(truth, arrays):
    folder = truth["exports"]["coco"]["folder"]
    coco = json.load(open(os.path.join(folder, "annotations.json")))
    values = {e["value"]: e["name"] for e in truth["labels"]}
    check({c["id"]: c["name"] for c in coco["categories"]} == values, "COCO: categories")
    images = {image["id"]: image for image in coco["images"]}
    found = {}
    for a in coco["annotations"]:
        image = images[a["image_id"]]
        h, w = a["segmentation"]["size"]
        check((h, w) == (image["height"], image["width"]), f"COCO: size is [h, w] for {a['id']}")
        counts_text = a["segmentation"]["counts"]
        check(all(48 <= ord(ch) <= 111 for ch in counts_text), f"COCO: characters of {a['id']}")
        mask = rle_decode(rle_counts(counts_text), h, w)
        found[(a["image_id"], a["category_id"])] = mask
        check(a["area"] == int(mask.sum()), f"COCO: area of annotation {a['id']}")
        ys, xs = np.nonzero(mask)
        box = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
               int(ys.max() - ys.min() + 1)]
        check(a["bbox"] == box, f"COCO: bbox of annotation {a['id']}: {a['bbox']} != {box}")
        check(a["iscrowd"] == 0, f"COCO: iscrowd of annotation {a['id']}")
        # The exact string pycocotools would write for this mask.
        check(rle_string(rle_encode(mask)) == counts_text, f"COCO: counts string of {a['id']}")
    cases_seen = set()
    for image_id, image in images.items():
        path = os.path.join(folder, image["file_name"])
        check(image["file_name"].startswith("images/") and os.path.isfile(path),
              f"COCO: {image['file_name']} is not a file under OUT/images")
        picture = read_png(path)
        check(picture.shape[:2] == (image["height"], image["width"]), f"COCO: size of {path}")
        case = image["medsa_case"]
        cases_seen.add(case)
        # The fixture's volumes are axial with no flip: display slice k is stored slice k.
        z = image["medsa_slice"]["index"] if "medsa_slice" in image else 0
        labels = arrays[case][:, :, z].T  # rows = y
        for value in values:
            expected = (labels == value).astype(np.uint8)
            got = found.get((image_id, value))
            if expected.any():
                check(got is not None and (got == expected).all(),
                      f"COCO: mask of label {value} in {image['file_name']}")
            else:
                check(got is None, f"COCO: empty label {value} annotated in {image['file_name']}")
    for case in truth["exports"]["coco"]["cases"]:
        check(case in cases_seen, f"COCO: case {case} has no image")
        if truth["cases"][case]["kind"] == "volume":
            labelled = [z for z in range(arrays[case].shape[2]) if arrays[case][:, :, z].any()]
            slices = sorted(i["medsa_slice"]["index"] for i in images.values()
                            if i["medsa_case"] == case)
            check(slices == labelled, f"COCO: {case} slices {slices} != labelled {labelled}")


def check_nnunet(truth, arrays, job_name, two_d):
    job = truth["exports"][job_name]
    roots = [d for d in os.listdir(job["folder"]) if d.startswith("Dataset")]
    check(len(roots) == 1 and len(roots[0]) > 11 and roots[0][7:10].isdigit() and
          roots[0][10] == "_", f"nnU-Net: dataset folder {roots}")
    root = os.path.join(job["folder"], roots[0])
    meta = json.load(open(os.path.join(root, "dataset.json")))
    for key in ("channel_names", "labels", "numTraining", "file_ending"):
        check(key in meta, f"nnU-Net: dataset.json lacks {key}")
    ending = meta["file_ending"]
    check(ending == (".png" if two_d else ".nii.gz"), f"nnU-Net: file_ending {ending}")
    labels = meta["labels"]
    check(labels.get("background") == 0, "nnU-Net: background is not 0")
    values = sorted(labels.values())
    check(values == list(range(len(values))), f"nnU-Net: label values {values} not consecutive")
    label_files = sorted(f for f in os.listdir(os.path.join(root, "labelsTr")) if f.endswith(ending))
    check(meta["numTraining"] == len(label_files), "nnU-Net: numTraining != label files")
    source = meta["medsa_source_label_values"]
    remap = np.zeros(65536, dtype=np.int64)
    for name, original in source.items():
        remap[original] = labels[name]
    channels = len(meta["channel_names"])
    for case in job["cases"]:
        label_path = os.path.join(root, "labelsTr", case + ending)
        expected = remap[arrays[case]]
        if two_d:
            image = read_png(os.path.join(root, "imagesTr", case + "_0000.png"))
            check(image.shape[2] == channels, f"nnU-Net: {case} has {image.shape[2]} channels")
            label = read_png(label_path)
            check(label.shape[2] == 1, f"nnU-Net: {label_path} is not single-channel")
            check(image.shape[:2] == label.shape[:2], f"nnU-Net: {case} image/label shapes")
            check((label[:, :, 0].T == expected[:, :, 0]).all(), f"nnU-Net: {label_path} values")
            continue
        label = nibabel.load(label_path)
        data = np.asanyarray(label.dataobj)
        check((data == expected).all(), f"nnU-Net: {label_path} values")
        check(set(np.unique(data)) <= set(values), f"nnU-Net: {label_path} has unlisted values")
        for c in range(channels):
            image = nibabel.load(os.path.join(root, "imagesTr", f"{case}_{c:04d}{ending}"))
            check(image.shape == label.shape, f"nnU-Net: {case} channel {c} shape")
            check(np.allclose(image.affine, label.affine), f"nnU-Net: {case} affine differs")
            check(np.allclose(image.header.get_zooms(), label.header.get_zooms()),
                  f"nnU-Net: {case} spacing differs")


def check_seg(truth, arrays):
    job = truth["exports"]["seg"]
    names = [e["name"] for e in sorted(truth["labels"], key=lambda e: e["value"])]
    label_values = sorted(e["value"] for e in truth["labels"])
    dciodvfy = shutil.which("dciodvfy")
    if not dciodvfy:
        skip_or_fail("dciodvfy (package dicom3tools) is not installed")
    for case in job["cases"]:
        path = os.path.join(job["folder"], case + ".dcm")
        report = subprocess.run([dciodvfy, path], capture_output=True, text=True)
        errors = [l for l in (report.stdout + report.stderr).splitlines() if l.startswith("Error")]
        check(not errors, f"dciodvfy: {path}: {errors}")

        ds = pydicom.dcmread(path)
        check(ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4", "SEG: SOP class")
        check(ds.Modality == "SEG" and ds.SegmentationType == "BINARY", "SEG: type")
        check(ds.BitsAllocated == 1, "SEG: Bits Allocated")
        w, h, d = arrays[case].shape
        check((ds.Rows, ds.Columns) == (h, w), "SEG: frame size")
        segments = ds.SegmentSequence
        check([int(s.SegmentNumber) for s in segments] == list(range(1, len(names) + 1)),
              "SEG: segment numbers are not 1..N")
        check([s.SegmentLabel for s in segments] == names, "SEG: segment labels")
        check(segments[0].SegmentedPropertyTypeCodeSequence[0].CodeValue == "10200004",
              "SEG: the liver's code")
        check(all(len(s.RecommendedDisplayCIELabValue) == 3 for s in segments), "SEG: colours")

        # The source series, read here.
        folder = truth["cases"][case]["source"]
        sources = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
        by_uid = {s.SOPInstanceUID: s for s in sources}
        row = np.array(sources[0].ImageOrientationPatient[:3], dtype=float)
        col = np.array(sources[0].ImageOrientationPatient[3:], dtype=float)
        normal = np.cross(row, col)
        order = sorted(sources, key=lambda s: float(np.dot(normal, np.array(s.ImagePositionPatient, dtype=float))))
        z_of = {s.SOPInstanceUID: z for z, s in enumerate(order)}
        check(ds.FrameOfReferenceUID == sources[0].FrameOfReferenceUID, "SEG: Frame of Reference")
        check(ds.StudyInstanceUID == sources[0].StudyInstanceUID, "SEG: study")
        check(ds.PatientID == sources[0].PatientID, "SEG: patient")
        referenced = ds.ReferencedSeriesSequence[0]
        check(referenced.SeriesInstanceUID == sources[0].SeriesInstanceUID, "SEG: referenced series")
        listed = {i.ReferencedSOPInstanceUID for i in referenced.ReferencedInstanceSequence}
        check(listed <= set(by_uid), "SEG: references instances outside the series")

        frames = int(ds.NumberOfFrames)
        bits = np.unpackbits(np.frombuffer(ds.PixelData, dtype=np.uint8), bitorder="little")
        pixels = bits[:frames * h * w].reshape(frames, h, w)
        try:
            check((ds.pixel_array.reshape(frames, h, w) == pixels).all(),
                  "SEG: pydicom's pixel_array disagrees with the bit stream")
        except Exception as error:  # a pydicom without 1-bit support: the unpacking above stands
            print(f"note: pydicom could not decode the pixels ({error})")
        rebuilt = np.zeros((w, h, d), dtype=np.int64)
        used = set()
        for f, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
            number = int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
            position = np.array(item.PlanePositionSequence[0].ImagePositionPatient, dtype=float)
            source_uid = (item.DerivationImageSequence[0].SourceImageSequence[0]
                          .ReferencedSOPInstanceUID)
            used.add(source_uid)
            source = by_uid[source_uid]
            check(np.allclose(position, np.array(source.ImagePositionPatient, dtype=float)),
                  f"SEG: frame {f + 1} lies elsewhere than its source image")
            z = z_of[source_uid]
            mask = pixels[f].T.astype(bool)
            check(not (rebuilt[:, :, z][mask] != 0).any(), f"SEG: frame {f + 1} overlaps another")
            rebuilt[:, :, z][mask] = label_values[number - 1]
        check(listed == used, "SEG: Referenced Series Sequence lists other instances than the frames")
        check((rebuilt == arrays[case]).all(), f"SEG: {path} voxels differ from the label map")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    truth, arrays = load_truth(sys.argv[1])
    check_nifti(truth, arrays)
    check_nrrd(truth, arrays)
    check_png(truth, arrays)
    check_coco(truth, arrays)
    check_nnunet(truth, arrays, "nnunet3d", False)
    check_nnunet(truth, arrays, "nnunet2d", True)
    check_seg(truth, arrays)
    if failures:
        print(f"{len(failures)} checks failed")
        return 1
    print("every export read back and matched the label maps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
