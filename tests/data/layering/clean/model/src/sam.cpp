#include <torch/torch.h>
#include "medsa/model/runtime.h"
