#include "medsa/ui/main_window.h"
