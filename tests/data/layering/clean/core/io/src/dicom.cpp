#include <gdcmReader.h>
#include <opencv2/imgcodecs.hpp>
