#pragma once

#include <cstddef>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa {

/// The three display planes. Each is shown in one documented orientation, whatever order the
/// voxels are stored in (radiological convention, as most viewers):
///   Axial    seen from the feet: patient right on the screen's left, anterior at the top
///            (screen x runs to patient Left, screen y down runs Posterior).
///   Coronal  seen from the front: patient right on the screen's left, superior at the top
///            (screen x runs Left, screen y down runs Inferior).
///   Sagittal seen from the patient's left: anterior on the screen's left, superior at the top
///            (screen x runs Posterior, screen y down runs Inferior).
/// A volume's voxel axes are matched to the patient axes they are closest to (oblique volumes are
/// not resampled), so a 2D photograph or a plain axial CT is shown exactly as stored.
enum class SliceAxis { Axial, Coronal, Sagittal };

/// "axial", "coronal", "sagittal".
const char* sliceAxisName(SliceAxis axis);

/// Which voxel axis (0, 1 or 2) is the normal of the plane: slices are indexed along it, in
/// storage order (index 0 is the first slice in the file).
int sliceNormalAxis(const Image& image, SliceAxis axis);
/// Number of slices along the plane's normal.
std::size_t sliceCount(const Image& image, SliceAxis axis);
/// The plane the image was acquired in: the one whose normal is the voxel z axis (for a 2D image
/// or a single DICOM slice, the plane that shows it whole).
SliceAxis acquisitionAxis(const Image& image);

/// One slice in display orientation: a 2D image (z = t = 1) of the same pixel type and
/// components, with metadata copied and geometry describing where its pixels are (origin = the
/// top-left displayed pixel, direction columns = screen x, screen y, slice normal), so a mask
/// drawn on it can be placed back into the volume.
Result<Image> extractSlice(const Image& image, SliceAxis axis, std::size_t index,
                           std::size_t t = 0);

/// How a plane's display pixels map onto voxels: display (x, y) on slice `s` is the voxel whose
/// index along xAxis is (flipX ? width - 1 - x : x), along yAxis (flipY ? height - 1 - y : y) and
/// along normal s. Lets linked views turn a click in one plane into positions in the others.
struct SliceLayout {
  int normal = 2;
  int xAxis = 0;
  int yAxis = 1;
  bool flipX = false;
  bool flipY = false;
  std::size_t width = 0;   ///< display width (voxels along xAxis)
  std::size_t height = 0;  ///< display height (voxels along yAxis)
};
SliceLayout sliceLayout(const Image& image, SliceAxis axis);

/// Time point t of a 4D image as a 3D image (t = 1) with the same geometry and metadata.
Result<Image> extractVolume(const Image& image, std::size_t t);

}  // namespace medsa
