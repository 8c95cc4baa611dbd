#pragma once
#include <oneapi/dnnl/dnnl.hpp>
