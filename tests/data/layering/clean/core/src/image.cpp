#include <vector>
#include "medsa/core/error.h"
