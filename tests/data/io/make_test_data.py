#!/usr/bin/python3
"""Builds tests/data/io: copies the public test files medsa's IO tests read, writes a few small
generated DICOM/NIfTI/photo files, and records in reference.json what pydicom, nibabel and Pillow
report for each file (geometry in LPS, value range, sum and sample values after rescale).

Run once with Debian's Python (python3-pydicom, python3-nibabel, python3-numpy, python3-pil):
    /usr/bin/python3 tests/data/io/make_test_data.py
The tests never run Python; they compare against the committed reference.json.
"""
import gzip
import io
import json
import os
import shutil

import nibabel as nib
import numpy as np
import pydicom
from PIL import Image, ImageOps
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate, generate_pixel_data_frame
from pydicom.pixel_data_handlers.util import apply_modality_lut, convert_color_space
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian
from pydicom.uid import generate_uid as random_uid

_uid_counter = [0]


def generate_uid():
    """Deterministic UIDs, so rebuilding the data does not change every file."""
    _uid_counter[0] += 1
    return random_uid(entropy_srcs=["medsa test data", str(_uid_counter[0])])

HERE = os.path.dirname(os.path.abspath(__file__))
PYDICOM = "/usr/lib/python3/dist-packages/pydicom/data/test_files"
NIBABEL = "/usr/lib/python3/dist-packages/nibabel/tests/data"
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"

DICOM_FILES = [
    "CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm",
    "MR_small_expb.dcm", "MR_small_implicit.dcm", "MR_small_jp2klossless.dcm",
    "MR_small_jpeg_ls_lossless.dcm", "MR_small_padded.dcm", "MR_truncated.dcm",
    "ExplVR_BigEnd.dcm", "image_dfl.dcm", "JPEG-lossy.dcm", "JPGExtended.dcm", "JPEG2000.dcm",
    "JPEG2000-embedded-sequence-delimiter.dcm", "693_J2KI.dcm", "SC_rgb_rle.dcm",
    "SC_rgb_rle_2frame.dcm", "SC_rgb_rle_16bit.dcm", "SC_rgb_rle_32bit.dcm",
    "SC_rgb_small_odd.dcm", "SC_rgb_jpeg_gdcm.dcm", "SC_rgb_gdcm_KY.dcm",
    "SC_rgb_dcmtk_+eb+cr.dcm", "SC_rgb_dcmtk_+eb+cy+n1.dcm", "SC_rgb_dcmtk_+eb+cy+np.dcm",
    "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_jpeg_lossy_gdcm.dcm", "SC_ybr_full_422_uncompressed.dcm",
    "rtdose.dcm", "rtdose_1frame.dcm", "rtdose_expb.dcm", "liver_1frame.dcm", "rtplan.dcm",
    "rtplan_truncated.dcm",
]
NIFTI_FILES = ["anatomical.nii", "example4d.nii.gz", "example_nifti2.nii.gz", "functional.nii",
               "standard.nii.gz", "reoriented_anat_moved.nii"]
PHOTO_FILES = ["retina.jpg", "microaneurysms.png", "phantom.png", "truncated.jpg",
               "chessboard_GRAY_U16.tif", "palette_color.png"]

# Files whose pixels pydicom cannot decode here, or decodes with a different JPEG library
# (lossy colour): geometry only; the tests check their pixels another way.
NO_PIXEL_REFERENCE = {"MR_small_jpeg_ls_lossless.dcm", "JPEG-lossy.dcm", "JPGExtended.dcm",
                      "SC_rgb_dcmtk_+eb+cy+n1.dcm", "SC_rgb_dcmtk_+eb+cy+np.dcm",
                      "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_jpeg_lossy_gdcm.dcm",
                      "SC_rgb_dcmtk_+eb+cr.dcm", "SC_rgb_gdcm_KY.dcm",
                      "SC_rgb_jpeg_short_adobe.dcm", "SC_rgb_jpeg_short_jfif.dcm"}

# Variants of SC_rgb_dcmtk_+eb+cr.dcm's JPEG stream (RGB, Adobe APP14, transform 0, component
# ids 'R' 'G' 'B') with APPn segments too short for libjpeg to read them: it skips such a segment
# (a trace message, not a warning) and decodes the same pixels. See jpeg_marker_variants().
JPEG_MARKER_SOURCE = "SC_rgb_dcmtk_+eb+cr.dcm"
JPEG_MARKER_VARIANTS = ["SC_rgb_jpeg_short_adobe.dcm", "SC_rgb_jpeg_short_jfif.dcm"]
JPEG_MARKER_ERROR = "SC_rgb_jpeg_adobe_ycck.dcm"


def out(name):
    return os.path.join(HERE, name)


def stats(volume):
    """volume indexed [t, z, y, x, c]; returns min, max, sum and 6 samples (x, y, z, t, c, v)."""
    v = volume.astype(np.float64)
    t, z, y, x, c = v.shape
    samples = []
    for i, f in enumerate(np.linspace(0, v.size - 1, 6).astype(np.int64)):
        ti, zi, yi, xi, ci = np.unravel_index(f, v.shape)
        samples.append([int(xi), int(yi), int(zi), int(ti), int(ci), float(v[ti, zi, yi, xi, ci])])
    return {"min": float(np.nanmin(v)), "max": float(np.nanmax(v)), "sum": float(np.nansum(v)),
            "samples": samples}


def functional_group(ds, sequence, key):
    """A value from the shared or first per-frame functional group (enhanced objects)."""
    for groups in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        if groups in ds and sequence in ds[groups][0] and key in ds[groups][0][sequence][0]:
            return ds[groups][0][sequence][0][key].value
    return None


def dicom_geometry(ds, frames):
    ipp = ds.get("ImagePositionPatient") or functional_group(ds, "PlanePositionSequence",
                                                             "ImagePositionPatient") or [0, 0, 0]
    iop = ds.get("ImageOrientationPatient") or functional_group(
        ds, "PlaneOrientationSequence", "ImageOrientationPatient") or [1, 0, 0, 0, 1, 0]
    ipp, iop = [float(x) for x in ipp], [float(x) for x in iop]
    ps = ds.get("PixelSpacing") or functional_group(ds, "PixelMeasuresSequence", "PixelSpacing") \
        or ds.get("ImagerPixelSpacing", [1, 1])
    row, col = np.array(iop[:3]), np.array(iop[3:])
    normal = np.cross(row, col)
    dz = float(ds.get("SpacingBetweenSlices", 0) or ds.get("SliceThickness", 0) or
               functional_group(ds, "PixelMeasuresSequence", "SpacingBetweenSlices") or
               functional_group(ds, "PixelMeasuresSequence", "SliceThickness") or 1)
    if "GridFrameOffsetVector" in ds and len(ds.GridFrameOffsetVector) == frames and frames > 1:
        dz = float(ds.GridFrameOffsetVector[1]) - float(ds.GridFrameOffsetVector[0])
    direction = np.stack([row, col, normal], axis=1)
    return {"spacing": [float(ps[1]), float(ps[0]), dz], "origin": ipp,
            "direction": [float(v) for v in direction.reshape(-1)]}


def dicom_reference(name, path):
    ds = pydicom.dcmread(path)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.SamplesPerPixel)
    entry = {"file": name, "format": "DICOM", "modality": str(ds.get("Modality", "")),
             "dims": [int(ds.Columns), int(ds.Rows), frames, 1], "components": spp}
    entry.update(dicom_geometry(ds, frames))
    if name in NO_PIXEL_REFERENCE:
        return entry
    try:
        arr = ds.pixel_array
    except RuntimeError:
        print("no pixel reference (pydicom cannot decode):", name)
        return entry
    if spp == 1:
        arr = apply_modality_lut(arr, ds).astype(np.float64)
        if "DoseGridScaling" in ds:
            arr = arr * float(ds.DoseGridScaling)
    elif ds.PhotometricInterpretation in ("YBR_FULL", "YBR_FULL_422"):
        arr = convert_color_space(arr, ds.PhotometricInterpretation, "RGB")
    arr = arr.reshape(frames, int(ds.Rows), int(ds.Columns), spp)[None]  # t z y x c
    entry.update(stats(arr))
    return entry


def itk_affine(header):
    """The affine ITK 5.2 uses (checked on files with every qform/sform code combination)."""
    qcode, scode = int(header["qform_code"]), int(header["sform_code"])
    zooms = np.array(header.get_zooms()[:3], dtype=np.float64)
    use_s = scode == 1 or (scode > 0 and qcode <= 0)
    if use_s:
        s = header.get_sform()
        m = s[:3, :3] / zooms
        if np.allclose(m.T @ m, np.eye(3), atol=1e-4):
            return m, s[:3, 3]
    if qcode > 0:
        # The NIfTI quaternion formula in float64 (nibabel's get_qform loses ~1e-4 in float32).
        b, c, d = (float(header[k]) for k in ("quatern_b", "quatern_c", "quatern_d"))
        a = np.sqrt(max(0.0, 1.0 - (b * b + c * c + d * d)))
        r = np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])
        if float(header["pixdim"][0]) < 0:
            r[:, 2] *= -1
        offset = np.array([float(header[k]) for k in ("qoffset_x", "qoffset_y", "qoffset_z")])
        return r, offset
    return None, None


def nifti_reference(name, path, version):
    img = nib.load(path)
    h = img.header
    data = np.asanyarray(img.dataobj)
    shape = list(data.shape) + [1] * (4 - data.ndim)
    m, offset = itk_affine(h)
    if m is None:
        direction, origin = np.eye(3), np.zeros(3)
    else:
        flip = np.diag([-1.0, -1.0, 1.0])
        direction, origin = flip @ m, flip @ offset
    zooms = h.get_zooms()
    entry = {"file": name, "format": version, "modality": "", "dims": [int(s) for s in shape[:4]],
             "components": 1, "spacing": [float(z) for z in zooms[:3]],
             "origin": [float(v) for v in origin],
             "direction": [float(v) for v in direction.reshape(-1)]}
    vol = data.reshape(shape[:4]).transpose(3, 2, 1, 0)[..., None]  # t z y x c
    entry.update(stats(vol))
    return entry


def photo_reference(name, path):
    im = ImageOps.exif_transpose(Image.open(path))
    if im.mode in ("P", "RGBA", "LA", "CMYK"):
        im = im.convert("RGB")
    arr = np.array(im)
    comps = 1 if arr.ndim == 2 else arr.shape[2]
    arr = arr.reshape(arr.shape[0], arr.shape[1], comps)[None, None]  # t z y x c
    ext = os.path.splitext(name)[1].lower()
    fmt = {".jpg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".bmp": "BMP"}[ext]
    entry = {"file": name, "format": fmt, "modality": "",
             "dims": [int(arr.shape[3]), int(arr.shape[2]), 1, 1], "components": comps,
             "spacing": [1.0, 1.0, 1.0], "origin": [0.0, 0.0, 0.0],
             "direction": [1.0, 0, 0, 0, 1.0, 0, 0, 0, 1.0]}
    entry.update(stats(arr))
    return entry


# ---------------------------------------------------------------- generated files


def new_dataset(path, sop_class, modality, rows, cols, **tags):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.Rows, ds.Columns = modality, rows, cols
    ds.PatientName, ds.PatientID = "Test^Phantom", "0"
    ds.StudyInstanceUID = tags.pop("StudyInstanceUID", generate_uid())
    ds.SeriesInstanceUID = tags.pop("SeriesInstanceUID", generate_uid())
    for key, value in tags.items():
        setattr(ds, key, value)
    return ds


def grey(ds, array, signed=False):
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, ds.get("PhotometricInterpretation",
                                                                  "MONOCHROME2")
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit, ds.PixelRepresentation = 15, 1 if signed else 0
    ds.PixelData = array.astype(np.int16 if signed else np.uint16).tobytes()


def make_generated():
    rng = np.random.default_rng(3)
    ct = "1.2.840.10008.5.1.4.1.1.2"

    # Enhanced MR, 4 frames stored in reverse order along the normal; shared rescale and window.
    ds = new_dataset(out("enhanced_mr_4frames.dcm"), "1.2.840.10008.5.1.4.1.1.4.1", "MR", 6, 8,
                     NumberOfFrames=4, SeriesDescription="enhanced phantom")
    frames = rng.integers(0, 1000, size=(4, 6, 8))
    grey(ds, frames)
    shared = Dataset()
    orient, measures, transform, voi = Dataset(), Dataset(), Dataset(), Dataset()
    orient.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]  # sagittal
    measures.PixelSpacing, measures.SliceThickness = [0.5, 0.75], 3
    transform.RescaleSlope, transform.RescaleIntercept, transform.RescaleType = 2, -100, "US"
    voi.WindowCenter, voi.WindowWidth = 600, 1200
    shared.PlaneOrientationSequence = Sequence([orient])
    shared.PixelMeasuresSequence = Sequence([measures])
    shared.PixelValueTransformationSequence = Sequence([transform])
    shared.FrameVOILUTSequence = Sequence([voi])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    per_frame = []
    for k in range(4):
        item, pos = Dataset(), Dataset()
        pos.ImagePositionPatient = [3.0 * k, -20.0, 30.0]  # the normal is -x: reverse order
        item.PlanePositionSequence = Sequence([pos])
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    ds.save_as(ds.filename, write_like_original=False)

    # Ultrasound cine: 3 RGB frames, Frame Time 40 ms: frames are the t axis.
    ds = new_dataset(out("us_cine_rgb.dcm"), "1.2.840.10008.5.1.4.1.1.3.1", "US", 4, 6,
                     NumberOfFrames=3, FrameTime=40.0, FrameIncrementPointer=(0x0018, 0x1063))
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit, ds.PixelRepresentation = 7, 0
    ds.PixelData = rng.integers(0, 256, size=(3, 4, 6, 3)).astype(np.uint8).tobytes()
    ds.save_as(ds.filename, write_like_original=False)

    # Palette colour, 8-bit indices, 16-bit tables; and the same with 8-bit tables.
    for bits, name in ((16, "palette_16bit_lut.dcm"), (8, "palette_8bit_lut.dcm")):
        ds = new_dataset(out(name), "1.2.840.10008.5.1.4.1.1.7", "OT", 4, 6)
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "PALETTE COLOR"
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit, ds.PixelRepresentation = 7, 0
        ds.PixelData = rng.integers(0, 256, size=(4, 6)).astype(np.uint8).tobytes()
        top = 65535 if bits == 16 else 255
        ramp = np.linspace(0, top, 256).astype(np.uint16)
        for c, table in enumerate((ramp, ramp[::-1].copy(), (ramp // 2).astype(np.uint16))):
            setattr(ds, ("Red", "Green", "Blue")[c] + "PaletteColorLookupTableDescriptor",
                    [256, 0, bits])
            setattr(ds, ("Red", "Green", "Blue")[c] + "PaletteColorLookupTableData",
                    table.astype("<u2").tobytes())
        ds.save_as(ds.filename, write_like_original=False)

    # MONOCHROME1 with two window presets.
    ds = pydicom.dcmread(os.path.join(PYDICOM, "MR_small.dcm"))
    ds.PhotometricInterpretation = "MONOCHROME1"
    ds.WindowCenter, ds.WindowWidth = [1000, 500], [2000, 800]
    ds.WindowCenterWidthExplanation = ["WIDE", "NARROW"]
    ds.save_as(out("mr_monochrome1.dcm"))

    # Folders (series): oblique shuffled series + a second series + a non-DICOM file; a series
    # with a gap and a duplicate; 3 positions x 2 times; no positions; inconsistent bits.
    def series(folder, count, positions, rows=6, cols=8, orientation=(1, 0, 0, 0, 1, 0), **extra):
        os.makedirs(out(folder), exist_ok=True)
        uid = extra.pop("SeriesInstanceUID", generate_uid())
        study = generate_uid()
        names = []
        for i in range(count):
            name = extra.get("names", lambda j: f"img{j:03d}.dcm")(i)
            tags = {k: (v(i) if callable(v) else v) for k, v in extra.items() if k != "names"}
            ds = new_dataset(out(os.path.join(folder, name)), ct, "CT", rows, cols,
                             SeriesInstanceUID=uid, StudyInstanceUID=study,
                             ImageOrientationPatient=list(orientation), PixelSpacing=[0.8, 0.6],
                             SliceThickness=2.5, RescaleSlope=1, RescaleIntercept=-1024,
                             **tags)
            if positions is not None:
                ds.ImagePositionPatient = [float(v) for v in positions(i)]
            grey(ds, (np.arange(rows * cols).reshape(rows, cols) + 100 * i) % 4096)
            ds.save_as(ds.filename, write_like_original=False)
            names.append(name)
        return uid

    c, s = np.cos(np.deg2rad(30)), np.sin(np.deg2rad(30))
    row, col = np.array([c, s, 0.0]), np.array([-s * 0.8, c * 0.8, 0.6])
    normal = np.cross(row, col)
    order = [3, 0, 5, 1, 4, 2]  # file i holds the slice at position order[i]
    series("series_folder", 6, lambda i: np.array([10.0, -5.0, 20.0]) + 2.5 * order[i] * normal,
           orientation=tuple(row) + tuple(col), InstanceNumber=lambda i: order[i] + 1,
           SeriesNumber=3, SeriesDescription="oblique",
           names=lambda i: f"slice_{(i * 7) % 6}.dcm")
    series("series_folder/other", 3, lambda i: (0.0, 0.0, 5.0 * i), rows=4, cols=4,
           SeriesNumber=4, SeriesDescription="small", InstanceNumber=lambda i: i + 1)
    with open(out("series_folder/notes.txt"), "w") as f:
        f.write("not a DICOM file\n")

    zs = [0.0, 2.0, 4.0, 4.0, 10.0, 12.0]  # a duplicate at 4 and a gap from 4 to 10
    series("series_gap", 6, lambda i: (0.0, 0.0, zs[i]), InstanceNumber=lambda i: i + 1)
    series("series_4d", 6, lambda i: (0.0, 0.0, 3.0 * (i % 3)), InstanceNumber=lambda i: i + 1,
           TriggerTime=lambda i: 100.0 * (i // 3))
    series("series_no_position", 3, None, InstanceNumber=lambda i: 3 - i)
    series("series_inconsistent", 3, lambda i: (0.0, 0.0, 2.0 * i), InstanceNumber=lambda i: i + 1)
    # One file with 8-bit samples makes the series inconsistent.
    bad = pydicom.dcmread(out("series_inconsistent/img001.dcm"))
    bad.BitsAllocated = bad.BitsStored = 8
    bad.HighBit = 7
    bad.PixelData = np.zeros((6, 8), np.uint8).tobytes()
    bad.save_as(out("series_inconsistent/img001.dcm"))

    # NIfTI with every qform/sform code combination (geometry rules of ITK 5.2), in NIfTI-1 and
    # the same headers as NIfTI-2.
    def rot(axis, deg):
        t = np.deg2rad(deg)
        r = np.eye(3)
        i, j = [(1, 2), (0, 2), (0, 1)][axis]
        r[i, i] = r[j, j] = np.cos(t)
        r[i, j], r[j, i] = -np.sin(t), np.sin(t)
        return r

    def affine(r, zooms, offset):
        a = np.eye(4)
        a[:3, :3], a[:3, 3] = r @ np.diag(zooms), offset
        return a

    data = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6)
    qa = affine(rot(0, 20), [1, 2, 3], [10, 20, 30])
    sb = affine(rot(1, 30), [1, 2, 3], [-5, -6, -7])
    shear = sb.copy()
    shear[0, 1] += 0.7
    os.makedirs(out("nifti_codes"), exist_ok=True)
    for name, (q, qc, s_, sc) in {"q1s1": (qa, 1, sb, 1), "q0s1": (qa, 0, sb, 1),
                                  "q1s0": (qa, 1, sb, 0), "q0s0": (qa, 0, sb, 0),
                                  "q2s1": (qa, 2, sb, 1), "q2s2": (qa, 2, sb, 2),
                                  "q1shear1": (qa, 1, shear, 1)}.items():
        for cls, suffix in ((nib.Nifti1Image, "n1"), (nib.Nifti2Image, "n2")):
            img = cls(data, None)
            img.header.set_qform(q, qc)
            img.header.set_sform(s_, sc)
            nib.save(img, out(f"nifti_codes/{name}_{suffix}.nii"))
    shear_only = nib.Nifti2Image(data, None)
    shear_only.header.set_qform(qa, 0)
    shear_only.header.set_sform(shear, 1)
    nib.save(shear_only, out("nifti_codes/q0shear1_n2.nii"))

    # Photographs: an asymmetric picture with each EXIF orientation (PNG eXIf and JPEG APP1).
    os.makedirs(out("exif"), exist_ok=True)
    pic = np.zeros((6, 10, 3), np.uint8)
    pic[..., 0] = np.arange(10)[None, :] * 25
    pic[..., 1] = np.arange(6)[:, None] * 40
    pic[0, 0] = [255, 255, 255]
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        Image.fromarray(pic).save(out(f"exif/orientation{o}.png"), exif=exif.tobytes())
    exif = Image.Exif()
    exif[0x0112] = 6
    big = np.kron(pic, np.ones((8, 8, 1), np.uint8))  # blocks survive JPEG
    Image.fromarray(big).save(out("exif/orientation6.jpg"), quality=95, exif=exif.tobytes())
    rgba = np.dstack([pic, np.full((6, 10), 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(out("rgba.png"))
    Image.fromarray((np.arange(60, dtype=np.uint16).reshape(6, 10) * 1000)).save(out("grey16.png"))
    Image.fromarray(pic).save(out("picture.bmp"))


def jpeg_marker_variants():
    """Streams that libjpeg decodes but our header check refused:
    - short_adobe: the APP14 "Adobe" segment has length 12 instead of 14 (no transform flag);
    - short_jfif: a 7-byte JFIF APP0 (libjpeg needs 14 to take it as JFIF) in its place, which
      must not make the RGB stream count as YCbCr.
    libjpeg (through Pillow) must decode each to exactly the pixels of the source stream. (pydicom
    2.3's Pillow handler cannot check this itself: for RGB streams without an Adobe transform it
    asks libjpeg for YCbCr output, which libjpeg refuses for RGB data.)"""
    source = pydicom.dcmread(out(JPEG_MARKER_SOURCE))
    stream = next(generate_pixel_data_frame(source.PixelData))
    adobe = stream.index(b"\xff\xee\x00\x0eAdobe")
    segment = stream[adobe:adobe + 16]
    replacements = {
        "SC_rgb_jpeg_short_adobe.dcm": b"\xff\xee\x00\x0c" + segment[4:14],
        "SC_rgb_jpeg_short_jfif.dcm": b"\xff\xe0\x00\x09JFIF\x00\x01\x01",
    }

    def decode(jpeg):
        picture = Image.open(io.BytesIO(jpeg))
        assert picture.mode == "RGB"
        return np.array(picture)

    expected = decode(stream)
    # And an error case: transform 2 (YCCK) for three components makes libjpeg warn, and GDCM
    # aborted the process on that warning: it must be refused before GDCM sees it.
    replacements[JPEG_MARKER_ERROR] = segment[:15] + b"\x02"
    for name, replacement in replacements.items():
        variant = stream[:adobe] + replacement + stream[adobe + 16:]
        if name != JPEG_MARKER_ERROR:
            assert np.array_equal(decode(variant), expected), name + ": other pixels"
        ds = pydicom.dcmread(out(JPEG_MARKER_SOURCE))
        ds.PixelData = encapsulate([variant])
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.save_as(out(name))


def enhanced_reference(name):
    """Frames sorted along the normal, shared rescale applied (pydicom 2.3 does neither)."""
    ds = pydicom.dcmread(out(name))
    shared = ds.SharedFunctionalGroupsSequence[0]
    iop = [float(v) for v in shared.PlaneOrientationSequence[0].ImageOrientationPatient]
    row, col = np.array(iop[:3]), np.array(iop[3:])
    normal = np.cross(row, col)
    positions = [np.array([float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient])
                 for f in ds.PerFrameFunctionalGroupsSequence]
    order = np.argsort([p @ normal for p in positions])
    t = shared.PixelValueTransformationSequence[0]
    arr = ds.pixel_array[order].astype(np.float64) * float(t.RescaleSlope) + float(
        t.RescaleIntercept)
    ps = shared.PixelMeasuresSequence[0].PixelSpacing
    steps = np.diff([positions[i] @ normal for i in order])
    entry = {"file": name, "format": "DICOM", "modality": "MR", "dims": [8, 6, 4, 1],
             "components": 1, "spacing": [float(ps[1]), float(ps[0]), float(steps[0])],
             "origin": [float(v) for v in positions[order[0]]],
             "direction": [float(v) for v in np.stack([row, col, normal], 1).reshape(-1)]}
    entry.update(stats(arr.reshape(1, 4, 6, 8, 1)))
    return entry


def cine_reference(name):
    ds = pydicom.dcmread(out(name))
    arr = ds.pixel_array  # frames, rows, cols, 3
    entry = {"file": name, "format": "DICOM", "modality": "US", "dims": [6, 4, 1, 3],
             "components": 3, "spacing": [1.0, 1.0, 1.0], "origin": [0.0, 0.0, 0.0],
             "direction": [1.0, 0, 0, 0, 1.0, 0, 0, 0, 1.0]}
    entry.update(stats(arr.reshape(3, 1, 4, 6, 3)))
    return entry


def write_text_volumes():
    """NRRD and MetaImage written by hand (not by ITK), oblique, with their LPS reference."""
    rot = np.array([[np.cos(0.3), -np.sin(0.3), 0.0], [np.sin(0.3), np.cos(0.3), 0.0],
                    [0.0, 0.0, 1.0]])
    spacing = np.array([0.8, 1.2, 2.5])
    origin = np.array([10.0, -20.0, 30.0])
    data = (np.arange(5 * 4 * 3, dtype=np.int16) * 37 - 900).reshape(3, 4, 5)  # z y x
    axes = rot * spacing  # column j: axis j in LPS, scaled
    entries = []

    def vec(v):
        return "(" + ",".join(repr(float(x)) for x in v) + ")"

    def entry(name, fmt):
        e = {"file": name, "format": fmt, "modality": "", "dims": [5, 4, 3, 1], "components": 1,
             "spacing": [float(x) for x in spacing], "origin": [float(x) for x in origin],
             "direction": [float(x) for x in rot.reshape(-1)]}
        e.update(stats(data.reshape(1, 3, 4, 5, 1)))
        return e

    # NRRD in LPS, raw; the same volume described in RAS, gzip-compressed; a detached header.
    header = ("NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
              "sizes: 5 4 3\nspace directions: {} {} {}\nkinds: domain domain domain\n"
              "endian: little\nencoding: {}\nspace origin: {}\n")
    with open(out("text_lps.nrrd"), "wb") as f:
        f.write((header.format(*(vec(axes[:, j]) for j in range(3)), "raw", vec(origin))
                 + "\n").encode())
        f.write(data.astype("<i2").tobytes())
    entries.append(entry("text_lps.nrrd", "NRRD"))
    flip = np.diag([-1.0, -1.0, 1.0])
    ras_axes, ras_origin = flip @ axes, flip @ origin
    with open(out("text_ras.nrrd"), "wb") as f:
        f.write((header.replace("left-posterior-superior", "right-anterior-superior").format(
            *(vec(ras_axes[:, j]) for j in range(3)), "gzip", vec(ras_origin)) + "\n").encode())
        f.write(gzip.compress(data.astype("<i2").tobytes(), mtime=0))
    entries.append(entry("text_ras.nrrd", "NRRD"))
    with open(out("text_detached.nhdr"), "w") as f:
        f.write(header.format(*(vec(axes[:, j]) for j in range(3)), "raw", vec(origin))
                + "data file: text_detached.raw\n")
    data.astype("<i2").tofile(out("text_detached.raw"))
    entries.append(entry("text_detached.nhdr", "NRRD"))

    # MetaImage: TransformMatrix lists each axis' direction in turn.
    meta = ("ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
            "CompressedData = False\nTransformMatrix = {}\nOffset = {}\nElementSpacing = {}\n"
            "DimSize = 5 4 3\nElementType = MET_SHORT\nElementDataFile = {}\n")
    fields = (" ".join(repr(float(x)) for x in rot.T.reshape(-1)),
              " ".join(repr(float(x)) for x in origin), " ".join(repr(float(x)) for x in spacing))
    with open(out("text_local.mha"), "wb") as f:
        f.write(meta.format(*fields, "LOCAL").encode())
        f.write(data.astype("<i2").tobytes())
    entries.append(entry("text_local.mha", "MetaImage"))
    with open(out("text_detached.mhd"), "w") as f:
        f.write(meta.format(*fields, "text_detached_mhd.raw"))
    data.astype("<i2").tofile(out("text_detached_mhd.raw"))
    entries.append(entry("text_detached.mhd", "MetaImage"))
    return entries


def main():
    for name in DICOM_FILES:
        shutil.copy(os.path.join(PYDICOM, name), out(name))
    for name in NIFTI_FILES:
        shutil.copy(os.path.join(NIBABEL, name), out(name))
    for name in PHOTO_FILES:
        shutil.copy(os.path.join(SKIMAGE, name), out(name))
    make_generated()
    jpeg_marker_variants()

    reference = []
    for name in DICOM_FILES + ["enhanced_mr_4frames.dcm", "mr_monochrome1.dcm",
                               "palette_16bit_lut.dcm", "palette_8bit_lut.dcm"] + \
            JPEG_MARKER_VARIANTS:
        if name in ("MR_truncated.dcm", "JPEG2000-embedded-sequence-delimiter.dcm", "rtplan.dcm",
                    "rtplan_truncated.dcm"):
            continue  # error cases
        if name == "enhanced_mr_4frames.dcm":
            reference.append(enhanced_reference(name))
            continue
        entry = dicom_reference(name, out(name))
        if name.startswith("palette"):
            ds = pydicom.dcmread(out(name))
            from pydicom.pixel_data_handlers.util import apply_color_lut
            rgb = apply_color_lut(ds.pixel_array, ds)
            entry["components"] = 3
            entry.update(stats(rgb.reshape(1, 1, 4, 6, 3)))
        reference.append(entry)
    reference.append(cine_reference("us_cine_rgb.dcm"))
    for name in NIFTI_FILES:
        version = "NIfTI-2" if "nifti2" in name else "NIfTI-1"
        reference.append(nifti_reference(name, out(name), version))
    for name in sorted(os.listdir(out("nifti_codes"))):
        if name == "q0shear1_n2.nii":
            continue  # no usable orientation: an error case
        reference.append(nifti_reference("nifti_codes/" + name, out("nifti_codes/" + name),
                                         "NIfTI-2" if name.endswith("_n2.nii") else "NIfTI-1"))
    reference.extend(write_text_volumes())
    for name in PHOTO_FILES + ["exif/orientation%d.png" % o for o in range(1, 9)] + [
            "rgba.png", "grey16.png", "picture.bmp"]:
        if name == "truncated.jpg":
            continue
        reference.append(photo_reference(name, out(name)))
    with open(out("reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
