#pragma once
// Precompiled header of medsa_model (see model/CMakeLists.txt). Only model/src may include Torch.
#include <torch/torch.h>

#include "torch_compat.h"
