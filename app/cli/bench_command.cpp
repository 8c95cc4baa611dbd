// medsa bench: how fast the engine is on this machine: model load, image encoder, and the
// per-click decoder latency that decides whether interaction feels instant.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <ostream>

#include "bench_training.h"
#include "command_registry.h"
#include "medsa/core/json.h"
#include "medsa/model/predictor.h"
#include "medsa/model/runtime.h"
#include "model_options.h"
#include "process_stats.h"

namespace medsa::cli {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double rank = p * (values.size() - 1);
  const size_t low = static_cast<size_t>(std::floor(rank)),
               high = static_cast<size_t>(std::ceil(rank));
  return values[low] + (values[high] - values[low]) * (rank - low);
}

struct ClickTimes {
  std::vector<double> total, decoder, postprocess;
};

// Times `count` clicks made by `prompt(i)`, after two warm-up clicks (i = -2, -1).
Status timeClicks(model::Predictor& predictor, long long count,
                  const std::function<Prompt(long long)>& prompt, ClickTimes& times) {
  for (long long i = -2; i < count; ++i) {
    const Prompt click = prompt(i);
    const auto start = Clock::now();
    Result<Prediction> prediction = predictor.predict(click);
    const double ms = msSince(start);
    if (!prediction.ok()) return prediction.error();
    if (i < 0) continue;
    times.total.push_back(ms);
    times.decoder.push_back(predictor.lastTimings().decoderMs);
    times.postprocess.push_back(predictor.lastTimings().postprocessMs);
  }
  return {};
}

// First clicks: one point, three candidates. Then correction clicks as the app sends them once
// an object has an answer: the first click's point, a negative point, the best candidate's
// low-res logits fed back, one mask.
Status timeFirstAndCorrectionClicks(model::Predictor& predictor, long long count, ClickTimes& first,
                                    ClickTimes& correction) {
  const auto firstClick = [](long long i) {
    Prompt prompt;
    prompt.multimask = true;
    prompt.points.push_back({64.0 + (i * 97) % 384, 64.0 + (i * 61) % 384, true});
    return prompt;
  };
  if (Status s = timeClicks(predictor, count, firstClick, first); !s) return s;
  Prompt object;
  object.points.push_back({300.0, 220.0, true});  // the bright disc's centre
  object.multimask = true;
  Result<Prediction> answer = predictor.predict(object);
  if (!answer.ok()) return answer.error();
  object.multimask = false;
  object.previous = answer->lowRes[static_cast<size_t>(answer->best())];
  const auto correctionClick = [&object](long long i) {
    Prompt prompt = object;
    prompt.points.push_back({160.0 + (i * 53) % 280, 100.0 + (i * 71) % 280, false});
    return prompt;
  };
  return timeClicks(predictor, count, correctionClick, correction);
}

// A synthetic 512 x 512 scan-like picture: a soft gradient with a bright disc to click on.
}  // namespace

RgbImage benchPicture() {
  RgbImage image(512, 512);
  for (int y = 0; y < 512; ++y) {
    for (int x = 0; x < 512; ++x) {
      const double r = std::hypot(x - 300.0, y - 220.0);
      const auto value =
          static_cast<std::uint8_t>(std::clamp(40 + x / 8 + (r < 90 ? 150 : 0), 0, 255));
      std::uint8_t* p = image.pixel(x, y);
      p[0] = p[1] = p[2] = value;
    }
  }
  return image;
}

namespace {

int runBench(CommandContext& context) {
  ArgumentParser parser(context.args);
  Result<ModelOptions> options = ModelOptions::parse(parser);
  const bool json = parser.flag("--json");
  const bool train = parser.flag("--train");
  const bool checkpointing = parser.flag("--checkpointing");
  const std::optional<std::string> trainStepsText = parser.option("--train-steps");
  const std::optional<std::string> clicksText = parser.option("--clicks");
  const std::optional<std::string> encoderRunsText = parser.option("--encoder-runs");
  Status status = parser.finish();
  if (status && !options.ok()) status = options.error();
  const Result<long long> clicks = parseCount(clicksText, 30, 20, "--clicks");
  const Result<long long> encoderRuns = parseCount(encoderRunsText, 1, 1, "--encoder-runs");
  const Result<long long> trainSteps = parseCount(trainStepsText, 2, 1, "--train-steps");
  for (const Result<long long>* count : {&clicks, &encoderRuns, &trainSteps}) {
    if (status && !count->ok()) status = count->error();
  }
  if (status && !options->checkpoint && !options->randomWeights) {
    status = Error{
        ErrorCode::InvalidArgument, "give --model CKPT, or --arch NAME with --random-weights", {}};
  }
  if (!status) {
    context.err << "medsa bench: " << status.error().describe() << '\n';
    return kExitUsage;
  }

  if (train)
    return runTrainingBench(context, options.value(), trainSteps.value(), checkpointing, json);

  const auto loadStart = Clock::now();
  Result<std::shared_ptr<model::SamModel>> model = options->build();
  if (!model.ok()) {
    context.err << "medsa bench: " << model.error().describe() << '\n';
    return kExitFailure;
  }
  const double loadMs = msSince(loadStart);

  model::Predictor predictor(model.value(), {.cacheBytes = 0});  // no cache: measure the encoder
  const RgbImage picture = benchPicture();
  std::vector<double> encoderMs, resizeMs, networkMs;
  for (long long run = 0; run < encoderRuns.value(); ++run) {
    const auto start = Clock::now();
    if (Status s = predictor.setImage(picture, {"bench", 0, static_cast<int>(run), 0, 0}); !s) {
      context.err << "medsa bench: " << s.error().describe() << '\n';
      return kExitFailure;
    }
    encoderMs.push_back(msSince(start));
    resizeMs.push_back(predictor.lastTimings().preprocessMs);
    networkMs.push_back(predictor.lastTimings().encoderMs);
  }

  ClickTimes first, correction;
  if (Status s = timeFirstAndCorrectionClicks(predictor, clicks.value(), first, correction); !s) {
    context.err << "medsa bench: " << s.error().describe() << '\n';
    return kExitFailure;
  }

  const model::RuntimeInfo runtime = model::runtimeInfo();
  const model::EngineOptions& engine = options->engine;
  Json::Object report{
      {"arch", options->archName.empty() ? std::string("inferred") : options->archName},
      {"checkpoint", options->checkpoint.value_or("random-weights")},
      {"device", std::string(model::deviceName(engine.device))},
      {"precision", std::string(model::precisionName(engine.encoderPrecision))},
      {"decoder_precision", std::string(model::precisionName(engine.decoderPrecision))},
      {"threads", runtime.threads},
      {"attention_kernel",
       engine.device == model::Device::Cpu
           ? model::cpuAttentionKernel(engine.encoderPrecision == model::Precision::Bf16)
           : std::string("device")},
      {"encoder_linears",
       engine.device == model::Device::Cpu
           ? model::cpuEncoderLinears(engine.encoderPrecision == model::Precision::Bf16)
           : std::string("device")},
      {"torch", runtime.torchVersion},
      {"image", Json::Array{Json(512), Json(512)}},
      {"load_ms", loadMs},
      {"encoder_ms", percentile(encoderMs, 0.5)},
      {"encoder_runs", static_cast<int>(encoderRuns.value())},
      {"encoder_resize_ms", percentile(resizeMs, 0.5)},
      {"encoder_network_ms", percentile(networkMs, 0.5)},
      {"click_ms_p50", percentile(first.total, 0.5)},
      {"click_ms_p95", percentile(first.total, 0.95)},
      {"clicks", static_cast<int>(clicks.value())},
      {"click_decoder_ms_p50", percentile(first.decoder, 0.5)},
      {"click_postprocess_ms_p50", percentile(first.postprocess, 0.5)},
      {"correction_click_ms_p50", percentile(correction.total, 0.5)},
      {"correction_click_ms_p95", percentile(correction.total, 0.95)},
      {"correction_click_decoder_ms_p50", percentile(correction.decoder, 0.5)},
      {"peak_rss_mb", peakResidentMiB()},
  };
  if (json) {
    context.out << Json(report).dump(2) << '\n';
  } else {
    context.out << "model load   " << loadMs << " ms\n"
                << "encoder      " << percentile(encoderMs, 0.5) << " ms (512 x 512, "
                << model::precisionName(engine.encoderPrecision) << ", " << runtime.threads
                << " threads)\n"
                << "click        p50 " << percentile(first.total, 0.5) << " ms, p95 "
                << percentile(first.total, 0.95) << " ms over " << clicks.value() << " clicks\n"
                << "correction   p50 " << percentile(correction.total, 0.5) << " ms, p95 "
                << percentile(correction.total, 0.95) << " ms over " << clicks.value()
                << " clicks\n"
                << "peak memory  " << peakResidentMiB() << " MiB\n";
  }
  return kExitOk;
}

}  // namespace

void addBenchCommand(CommandRegistry& registry) {
  registry.add(
      {"bench", "time model loading, the image encoder and clicks on this machine",
       std::string(
           "Usage: medsa bench (--model CKPT | --arch NAME --random-weights) [options] [--json]\n"
           "       medsa bench ... --train [--train-steps N] [--checkpointing] [--json]\n\n"
           "Encodes a synthetic 512 x 512 picture and times one-point multimask clicks,\n"
           "then correction clicks as the app sends them (the first point, a negative\n"
           "one and the last answer's low-res logits, one mask); two warm-up clicks of\n"
           "each kind are not counted. With --json prints one object with\n"
           "load_ms, encoder_ms (of it, encoder_resize_ms resizes the picture to the\n"
           "model's input size, encoder_network_ms normalises it and runs the network),\n"
           "click_ms_p50, click_ms_p95, correction_click_ms_p50, correction_click_ms_p95,\n"
           "peak_rss_mb, device and\n"
           "attention_kernel (the CPU attention kernel in use for the encoder's precision;\n"
           "MEDSA_ATTENTION_KERNEL=chunked|portable|avx2|avx512|avx512bf16|amx picks\n"
           "another, for comparisons; MEDSA_MASK_TAIL=off|portable|avx2|avx512 does the\n"
           "same for the fp32 decoder's fused last steps, MEDSA_IMAGE_TO_TOKENS for its\n"
           "fused image-to-token attention and norm4, MEDSA_TOKENS_TO_IMAGE for its fused\n"
           "token-to-image attentions, MEDSA_MASK_EMBEDDING for a correction click's\n"
           "mask prompt embedding, MEDSA_LOW_RANK_UPDATE for the mask's update of the\n"
           "picture's prepared first block, MEDSA_RELPOS_BIAS for the encoder's\n"
           "relative-position terms, MEDSA_WINDOW_ATTENTION=partitioned copies the\n"
           "windowed blocks' windows out of the grid and back instead of reading them\n"
           "in place; on a GPU MEDSA_CUDA_ATTENTION=chunked\n"
           "runs the chunked attention instead of LibTorch's fused one).\n"
           "encoder_linears says what runs the encoder's linear layers (\"onednn\" and\n"
           "its kernel, or \"libtorch\"); MEDSA_ONEDNN_LINEAR=off keeps LibTorch.\n"
           "MEDSA_BUFFER_REUSE=off gives the buffers of an encode and of each training\n"
           "step back to the C library instead of keeping them for the next block or step.\n"
           "With --train it times adapter training steps on the same picture instead\n"
           "(first_step_ms, step_ms, trainable_parameters, peak_rss_mb).\n\n") +
           kModelOptionsHelp +
           "Bench options:\n"
           "  --clicks N           clicks of each kind to time (default 30, at least 20)\n"
           "  --encoder-runs N     encoder runs; the median is reported (default 1)\n"
           "  --train              time adapter training steps instead of clicks\n"
           "  --train-steps N      training steps to time with --train (default 2)\n"
           "  --checkpointing      gradient checkpointing with --train (less memory, slower)\n"
           "  --json               one JSON object on stdout\n",
       runBench});
}

}  // namespace medsa::cli
