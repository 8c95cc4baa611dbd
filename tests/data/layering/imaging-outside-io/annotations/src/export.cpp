#include <itkImageFileWriter.h>
