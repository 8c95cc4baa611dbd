#pragma once

#include <cstddef>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/slice.h"

namespace medsa {

/// Writes a 2D slice (as extractSlice returned it, in display orientation) back into `volume` at
/// plane `axis`, index `index`: the inverse of extractSlice. Both must have the same pixel type
/// and components; the slice's size must match the plane. Voxels are matched through physical
/// space, so any flip or axis permutation that extractSlice applied is undone exactly.
Status insertSlice(Image& volume, SliceAxis axis, std::size_t index, const Image& slice,
                   std::size_t t = 0);

}  // namespace medsa
