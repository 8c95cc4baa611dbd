// medsa segment: one SAM / Med-SA prediction on one picture or slice, from the command line.
#include <chrono>
#include <ostream>

#include "command_registry.h"
#include "medsa/core/json.h"
#include "medsa/core/slice.h"
#include "medsa/core/slice_insert.h"
#include "medsa/core/window_level.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"
#include "medsa/model/predictor.h"
#include "model_options.h"

namespace medsa::cli {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Splits "a,b,c" into numbers, naming the option in the error.
Result<std::vector<double>> numbers(const std::string& text, size_t count, const char* option) {
  std::vector<double> values;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    Result<double> value = parseNumber(text.substr(start, comma - start), option);
    if (!value.ok()) return value.error();
    values.push_back(value.value());
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (values.size() != count) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(option) + " expects " + std::to_string(count) +
                     " comma-separated numbers, got '" + text + "'",
                 {}};
  }
  return values;
}

Result<SliceAxis> parseAxis(const std::string& name) {
  if (name == "axial") return SliceAxis::Axial;
  if (name == "coronal") return SliceAxis::Coronal;
  if (name == "sagittal") return SliceAxis::Sagittal;
  return Error{ErrorCode::InvalidArgument, "--axis must be axial, coronal or sagittal", {}};
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Request {
  ModelOptions model;
  std::string image, out;
  std::optional<long long> slice;
  std::optional<SliceAxis> axis;
  std::optional<WindowLevel> window;
  Prompt prompt;
  bool json = false;
};

Result<Request> parseRequest(const std::vector<std::string>& args) {
  ArgumentParser parser(args);
  Result<ModelOptions> model = ModelOptions::parse(parser);
  Request request;
  const std::optional<std::string> image = parser.option("--image");
  const std::optional<std::string> out = parser.option("--out");
  const std::optional<std::string> slice = parser.option("--slice");
  const std::optional<std::string> axis = parser.option("--axis");
  const std::optional<std::string> window = parser.option("--window");
  const std::vector<std::string> points = parser.options("--point");
  const std::optional<std::string> box = parser.option("--box");
  request.prompt.multimask = parser.flag("--multimask");
  request.json = parser.flag("--json");
  if (Status status = parser.finish(); !status) return status.error();
  if (!model.ok()) return model.error();
  request.model = model.value();
  if (!request.model.checkpoint && !request.model.randomWeights) {
    return Error{ErrorCode::InvalidArgument, "--model CKPT is required", {}};
  }
  if (!image) return Error{ErrorCode::InvalidArgument, "--image PATH is required", {}};
  if (!out) return Error{ErrorCode::InvalidArgument, "--out MASK.png|MASK.nii.gz is required", {}};
  if (!endsWith(*out, ".png") && !endsWith(*out, ".nii.gz") && !endsWith(*out, ".nii") &&
      !endsWith(*out, ".nrrd") && !endsWith(*out, ".mha")) {
    return Error{
        ErrorCode::InvalidArgument, "--out must end in .png, .nii.gz, .nii, .nrrd or .mha", {}};
  }
  request.image = *image;
  request.out = *out;
  if (slice) {
    Result<long long> k = parseInteger(*slice, "--slice");
    if (!k.ok()) return k.error();
    if (k.value() < 0) return Error{ErrorCode::InvalidArgument, "--slice must be >= 0", {}};
    request.slice = k.value();
  }
  if (axis) {
    Result<SliceAxis> parsed = parseAxis(*axis);
    if (!parsed.ok()) return parsed.error();
    request.axis = parsed.value();
  }
  if (window) {
    Result<std::vector<double>> cw = numbers(*window, 2, "--window");
    if (!cw.ok()) return cw.error();
    if (cw.value()[1] <= 0)
      return Error{ErrorCode::InvalidArgument, "--window width must be positive", {}};
    request.window = WindowLevel{cw.value()[0], cw.value()[1], false};
  }
  for (const std::string& point : points) {
    Result<std::vector<double>> xyl = numbers(point, 3, "--point");
    if (!xyl.ok()) return xyl.error();
    const double label = xyl.value()[2];
    if (label != 0 && label != 1)
      return Error{
          ErrorCode::InvalidArgument, "--point label must be 1 (object) or 0 (background)", {}};
    request.prompt.points.push_back({xyl.value()[0], xyl.value()[1], label == 1});
  }
  if (box) {
    Result<std::vector<double>> b = numbers(*box, 4, "--box");
    if (!b.ok()) return b.error();
    request.prompt.box = PromptBox{b.value()[0], b.value()[1], b.value()[2], b.value()[3]};
  }
  if (request.prompt.points.empty() && !request.prompt.box) {
    return Error{ErrorCode::InvalidArgument,
                 "give at least one --point x,y,label or a --box x0,y0,x1,y1",
                 {}};
  }
  return request;
}

// The chosen candidate as a u8 mask of the slice (values 0/1 for label files, 0/255 for PNG).
Result<Image> maskImage(const Prediction& prediction, int candidate, const Image& slice,
                        std::uint8_t on) {
  Result<Image> mask = Image::create(
      {static_cast<size_t>(prediction.width), static_cast<size_t>(prediction.height), 1, 1}, 1,
      PixelType::U8);
  if (!mask.ok()) return mask.error();
  mask->geometry = slice.geometry;
  const size_t pixels = static_cast<size_t>(prediction.width) * prediction.height;
  const std::uint8_t* source = prediction.masks.data() + candidate * pixels;
  std::uint8_t* target = mask->data<std::uint8_t>();
  for (size_t i = 0; i < pixels; ++i) target[i] = source[i] ? on : 0;
  return mask;
}

int runSegment(CommandContext& context) {
  Result<Request> request = parseRequest(context.args);
  if (!request.ok()) {
    context.err << "medsa segment: " << request.error().describe() << '\n';
    return kExitUsage;
  }
  const Request& r = request.value();
  const auto fail = [&](const Error& error) {
    context.err << "medsa segment: " << error.describe() << '\n';
    return kExitFailure;
  };

  auto start = Clock::now();
  Result<Image> image = io::readImage(r.image);
  if (!image.ok()) return fail(image.error());
  const double readMs = msSince(start);

  const SliceAxis axis = r.axis.value_or(acquisitionAxis(image.value()));
  const size_t slices = sliceCount(image.value(), axis);
  const size_t sliceIndex = r.slice ? static_cast<size_t>(*r.slice) : slices / 2;
  if (sliceIndex >= slices) {
    return fail(Error{ErrorCode::InvalidArgument,
                      "--slice " + std::to_string(sliceIndex) + " is outside the image (" +
                          std::to_string(slices) + " " + sliceAxisName(axis) + " slices)",
                      r.image});
  }
  Result<Image> slice = extractSlice(image.value(), axis, sliceIndex);
  if (!slice.ok()) return fail(slice.error());
  const WindowLevel window = r.window.value_or(defaultWindow(image.value()));
  Result<RgbImage> picture = toRgb(slice.value(), window);
  if (!picture.ok()) return fail(picture.error());

  start = Clock::now();
  Result<std::shared_ptr<model::SamModel>> model = r.model.build();
  if (!model.ok()) return fail(model.error());
  const double loadMs = msSince(start);

  model::Predictor predictor(model.value());
  start = Clock::now();
  if (Status status = predictor.setImage(
          picture.value(), {r.image, static_cast<int>(axis), static_cast<int>(sliceIndex),
                            window.width, window.center});
      !status) {
    return fail(status.error());
  }
  const double encodeMs = msSince(start);
  start = Clock::now();
  Result<Prediction> prediction = predictor.predict(r.prompt);
  if (!prediction.ok()) return fail(prediction.error());
  const double clickMs = msSince(start);
  const int chosen = prediction->best();

  // A PNG is the slice's mask (0/255); a volume format gets a label map (0/1) on the whole
  // image grid, so it overlays the source in any viewer.
  const bool png = endsWith(r.out, ".png");
  Result<Image> mask = maskImage(prediction.value(), chosen, slice.value(), png ? 255 : 1);
  if (!mask.ok()) return fail(mask.error());
  Image output = std::move(mask.value());
  if (!png && image->dimension() > 2) {
    Result<Image> labels =
        Image::create({image->size(0), image->size(1), image->size(2), 1}, 1, PixelType::U8);
    if (!labels.ok()) return fail(labels.error());
    labels->geometry = image->geometry;
    if (Status status = insertSlice(labels.value(), axis, sliceIndex, output); !status)
      return fail(status.error());
    output = std::move(labels.value());
  }
  if (Status status = io::writeImage(output, r.out); !status) return fail(status.error());

  size_t area = 0;
  const size_t pixels = static_cast<size_t>(prediction->width) * prediction->height;
  for (size_t i = 0; i < pixels; ++i) area += prediction->masks[chosen * pixels + i];
  if (r.json) {
    Json::Array candidates;
    for (int i = 0; i < prediction->count; ++i) {
      size_t candidateArea = 0;
      for (size_t p = 0; p < pixels; ++p) candidateArea += prediction->masks[i * pixels + p];
      candidates.emplace_back(
          Json::Object{{"iou", static_cast<double>(prediction->iou[i])}, {"area", candidateArea}});
    }
    const model::PredictorTimings& t = predictor.lastTimings();
    context.out << Json(
                       Json::Object{
                           {"image", r.image},
                           {"axis", sliceAxisName(axis)},
                           {"slice", sliceIndex},
                           {"size", Json::Array{Json(prediction->width), Json(prediction->height)}},
                           {"window", Json::Array{Json(window.center), Json(window.width)}},
                           {"candidates", candidates},
                           {"chosen", chosen},
                           {"area", area},
                           {"out", r.out},
                           {"timings_ms", Json::Object{{"read", readMs},
                                                       {"load", loadMs},
                                                       {"encode", encodeMs},
                                                       {"click", clickMs},
                                                       {"zoom_encode", t.zoomEncoderMs},
                                                       {"decoder", t.decoderMs},
                                                       {"postprocess", t.postprocessMs}}},
                       })
                       .dump(2)
                << '\n';
  } else {
    context.out << "wrote " << r.out << ": " << area << " pixels, predicted IoU "
                << prediction->iou[chosen] << '\n';
  }
  return kExitOk;
}

}  // namespace

void addSegmentCommand(CommandRegistry& registry) {
  registry.add(
      {"segment", "segment one object on a picture or slice from points and/or a box",
       std::string(
           "Usage: medsa segment --model CKPT --image PATH [--slice K] [--axis PLANE]\n"
           "                     [--point x,y,label]... [--box x0,y0,x1,y1] [--multimask]\n"
           "                     --out MASK.png|MASK.nii.gz [--json]\n\n"
           "Coordinates are pixels of the displayed slice (x right, y down). A point's label is\n"
           "1 (object) or 0 (background). With --multimask the candidate with the highest\n"
           "predicted IoU is written. A PNG is 8-bit (0 background, 255 object) of the slice;\n"
           "NIfTI/NRRD/MHA output is a 0/1 label map on the whole image's grid.\n\n") +
           kModelOptionsHelp +
           "Picture options:\n"
           "  --slice K            slice index along the plane's normal (default: the middle one)\n"
           "  --axis PLANE         axial, coronal or sagittal (default: the acquisition plane)\n"
           "  --window C,W         window center and width (default: the file's first preset)\n"
           "  --json               print the IoU of every candidate and the timings\n",
       runSegment});
}

}  // namespace medsa::cli
