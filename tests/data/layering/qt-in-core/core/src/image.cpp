#include "medsa/core/error.h"
#include <QString>
