// Med-SA adapters: zero-initialised adapters change nothing; the SD-Trans depth branch groups
// tokens by true position; HyP-Adpt depends on the prompt; adapter files round-trip and refuse
// the wrong base; reference-code checkpoints are mapped with their differences reported.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QTest>

#include "checkpoint/checkpoint_reader.h"
#include "medsa/model/predictor.h"
#include "medsa/model/sam_model.h"
#include "parity_fixture.h"
#include "sam/adapter.h"
#include "sam/image_encoder.h"
#include "sam_model_impl.h"

using namespace medsa;
using namespace medsa::model;

namespace {

const QString kDataDir = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity");
const std::string kTiny = (kDataDir + "/tiny.pth").toStdString();

SamConfig tinyConfig() { return test::manifestConfig(kDataDir + "/manifest.json", "tiny"); }

std::shared_ptr<SamModel> tinyWith(std::optional<AdapterConfig> adapters,
                                   std::string adapterFile = {}) {
  EngineOptions options;
  options.adapters = adapters;
  options.adapterFile = std::move(adapterFile);
  return test::loadTiny(options);
}

// Gives every adapter up-projection random weights, as training would.
void perturbAdapters(torch::nn::Module& module, double scale = 0.05) {
  torch::NoGradGuard noGrad;
  for (auto& item : module.named_parameters()) {
    if (item.key().find("adapter") != std::string::npos &&
        item.key().find(".up.") != std::string::npos) {
      item.value().normal_(0, scale);
    }
  }
}

Prediction predictOn(const std::shared_ptr<SamModel>& model, const RgbImage& image,
                     const Prompt& prompt) {
  Predictor predictor(model);
  if (!predictor.setImage(image, {"x"}).ok()) qFatal("setImage failed");
  return predictor.predict(prompt).value();
}

RgbImage picture() {
  RgbImage image(96, 80);
  for (int y = 0; y < 80; ++y) {
    for (int x = 0; x < 96; ++x) {
      std::uint8_t* p = image.pixel(x, y);
      p[0] = static_cast<std::uint8_t>(x * 2);
      p[1] = static_cast<std::uint8_t>(y * 3);
      p[2] = ((x - 50) * (x - 50) + (y - 40) * (y - 40) < 300) ? 220 : 30;
    }
  }
  return image;
}

Prompt pointPrompt() {
  Prompt prompt;
  prompt.points = {{50, 40, true}, {10, 10, false}};
  return prompt;
}

}  // namespace

class TestAdapters : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::manual_seed(7); }

  void freshAdaptersComputeExactlySam() {
    AdapterConfig all;
    all.depth = true;
    const auto plain = predictOn(tinyWith(std::nullopt), picture(), pointPrompt());
    const auto adapted = predictOn(tinyWith(all), picture(), pointPrompt());
    QCOMPARE(adapted.logits, plain.logits);  // bit for bit
    QCOMPARE(adapted.iou, plain.iou);
  }

  void parameterAccountingMatchesTheSpec() {
    // vit_b with ratio 0.25: 2 adapters x 12 blocks x (768*192 + 192 + 192*768 + 768) = 7,100,928.
    EngineOptions options;
    options.adapters = AdapterConfig{};
    options.adapters->decoder = false;
    const auto model = SamModel::randomWeights(SamConfig::preset("vit_b").value(), options).value();
    const auto counts = model->parameterCounts();
    QCOMPARE(counts[1].module, std::string("image_encoder adapters"));
    QCOMPARE(counts[1].total, std::int64_t(7100928));
    QCOMPARE(counts[1].trainable, std::int64_t(7100928));
    QCOMPARE(counts[0].trainable, std::int64_t(0));
    QCOMPARE(counts[0].total + counts[2].total + counts[3].total, std::int64_t(93735472));
  }

  void depthBranchGroupsTokensByTruePosition() {
    SamConfig config = tinyConfig();
    AdapterConfig adapters;
    adapters.depth = true;
    ImageEncoder encoder(config, &adapters);
    perturbAdapters(*encoder, 0.2);
    encoder->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor slices = torch::randn({3, 3, config.imageSize, config.imageSize});
    const torch::Tensor together = encoder->forward(slices, /*depth=*/3);

    // Permuting the slices of a chunk permutes the outputs (windowed and global blocks alike).
    const torch::Tensor order = torch::tensor({2, 0, 1});
    const torch::Tensor permuted = encoder->forward(slices.index_select(0, order), 3);
    QVERIFY(torch::allclose(permuted, together.index_select(0, order), 1e-4, 1e-5));

    // The depth branch is live: changing one slice changes its neighbours' outputs.
    torch::Tensor changed = slices.clone();
    changed[2] = torch::randn_like(changed[2]);
    QVERIFY(!torch::allclose(encoder->forward(changed, 3)[0], together[0], 1e-4, 1e-5));

    // With the depth branch off, slices are independent: a chunk equals its slices alone.
    const torch::Tensor separate = encoder->forward(slices, /*depth=*/1);
    for (int64_t i = 0; i < 3; ++i) {
      QVERIFY(torch::allclose(separate[i], encoder->forward(slices.slice(0, i, i + 1), 1)[0], 1e-4,
                              1e-5));
    }
  }

  // A windowed block runs qkv, proj and the attention adapter on the picture's tokens only (the
  // windows are padded with qkv's bias): the same outputs and gradients as the official order,
  // which pads the normed grid with zeros and runs them on every padded token too. A 16 x 16
  // grid in windows of 5 has 4 rows and columns of padding.
  void windowedBlockSkipsThePaddingExactly() {
    AdapterConfig adapters;
    const int64_t dim = 48, window = 5, side = 16, batch = 2;
    EncoderBlock block(dim, 2, 96, window, side, &adapters);
    perturbAdapters(*block, 0.2);
    {
      torch::NoGradGuard noGrad;
      block->attn->qkv->bias.normal_();  // far from zero, so that the padding's value matters
      block->attn->rel_pos_h.normal_(0, 0.5);
      block->attn->rel_pos_w.normal_(0, 0.5);
    }
    const auto official = [&](const torch::Tensor& x) {
      torch::Tensor windows = block->attn(partitionWindows(block->norm1(x), window));
      windows = windows + block->adapter_attn(windows);
      const torch::Tensor y = x + mergeWindows(windows, window, batch, side, side);
      const torch::Tensor n = block->norm2(y);
      return y + block->mlp(n) + block->mlpScale * block->adapter_mlp(n);
    };
    const torch::Tensor x = torch::randn({batch, side, side, dim});
    const torch::Tensor outputWeights = torch::randn({batch, side, side, dim});
    const auto gradients = [&](const torch::Tensor& out) {
      block->zero_grad();
      (out * outputWeights).sum().backward();
      return std::vector<torch::Tensor>{
          block->attn->qkv->weight.grad().clone(), block->attn->qkv->bias.grad().clone(),
          block->attn->proj->weight.grad().clone(), block->attn->rel_pos_h.grad().clone(),
          block->adapter_attn->up->weight.grad().clone()};
    };
    const torch::Tensor expected = official(x);
    const std::vector<torch::Tensor> expectedGradients = gradients(expected);
    const torch::Tensor got = block->forward(x);
    const std::vector<torch::Tensor> gotGradients = gradients(got);
    QVERIFY((got - expected).abs().max().item<double>() < 1e-5);
    {
      // Without autograd the tiled kernel reads the windows' heads in place (items = windows).
      torch::NoGradGuard noGrad;
      QVERIFY((block->forward(x) - expected).abs().max().item<double>() < 1e-5);
    }
    for (size_t i = 0; i < expectedGradients.size(); ++i) {
      const double scale = expectedGradients[i].abs().max().item<double>();
      QVERIFY2(scale > 0, "a gradient that is zero tests nothing");
      QVERIFY2((gotGradients[i] - expectedGradients[i]).abs().max().item<double>() < 1e-4 * scale,
               qPrintable(QString::number(i)));
    }
  }

  // partitionWindows copies each window's part of the grid into place and fills only the
  // padding: the same windows as padding the grid first and reordering it, with gradients to
  // the grid and to the fill value.
  void windowPartitionEqualsPaddingThenReordering() {
    namespace F = torch::nn::functional;
    const int64_t window = 5, batch = 2, dim = 3;
    for (const auto& [height, width] : {std::pair{16, 13}, std::pair{10, 10}, std::pair{4, 12}}) {
      const torch::Tensor x = torch::randn({batch, height, width, dim}, torch::requires_grad());
      const torch::Tensor fill = torch::randn({dim}, torch::requires_grad());
      const int64_t padH = (window - height % window) % window;
      const int64_t padW = (window - width % window) % window;
      const int64_t rows = (height + padH) / window, cols = (width + padW) / window;
      const auto reordered = [&](const torch::Tensor& padded) {
        return padded.reshape({batch, rows, window, cols, window, dim})
            .permute({0, 1, 3, 2, 4, 5})
            .reshape({-1, window, window, dim});
      };
      torch::Tensor mask = torch::ones({1, height, width, 1});
      mask = F::pad(mask, F::PadFuncOptions({0, 0, 0, padW, 0, padH}));
      const torch::Tensor zeroPadded = F::pad(x, F::PadFuncOptions({0, 0, 0, padW, 0, padH}));
      const torch::Tensor filled = zeroPadded + (1 - mask) * fill;

      const torch::Tensor got = partitionWindows(x, window, fill);
      QVERIFY(torch::equal(got, reordered(filled)));
      QVERIFY(torch::equal(partitionWindows(x, window), reordered(zeroPadded)));
      QVERIFY(torch::equal(mergeWindows(got, window, batch, height, width), x));

      const torch::Tensor weights = torch::randn_like(got);
      const auto gradients = [&](const torch::Tensor& out) {
        x.mutable_grad() = torch::Tensor();
        fill.mutable_grad() = torch::Tensor();
        (out * weights).sum().backward();
        // Without padding the fill is never read and gets no gradient.
        return std::pair{x.grad().clone(),
                         fill.grad().defined() ? fill.grad().clone() : torch::zeros({dim})};
      };
      const auto [expectedX, expectedFill] = gradients(reordered(filled));
      const auto [gotX, gotFill] = gradients(got);
      QVERIFY(torch::allclose(gotX, expectedX));
      QVERIFY(torch::allclose(gotFill, expectedFill, 1e-5, 1e-5));
    }
  }

  void predictorEncodesVolumeChunksWithTheDepthBranch() {
    AdapterConfig config;
    config.depth = true;
    auto model = tinyWith(config);
    perturbAdapters(*model->impl().sam, 0.2);
    model->impl().weightsChanged();
    std::vector<RgbImage> slices;
    std::vector<ImageKey> keys;
    for (int z = 0; z < 3; ++z) {
      RgbImage slice = picture();
      for (auto& value : slice.pixels) value = static_cast<std::uint8_t>(value + 25 * z);
      slices.push_back(slice);
      keys.push_back({"volume", 0, z, 400, 40});
    }
    Predictor chunked(model);
    QVERIFY(chunked.encodeChunk(slices, keys).ok());
    QVERIFY(chunked.setImage(slices[1], keys[1]).ok());
    QVERIFY(chunked.lastSetImageWasCached());  // the chunk filled the cache
    const Prediction inChunk = chunked.predict(pointPrompt()).value();
    Predictor alone(model);
    QVERIFY(alone.setImage(slices[1], keys[1]).ok());
    QVERIFY(!alone.lastSetImageWasCached());
    QVERIFY(alone.predict(pointPrompt()).value().logits != inChunk.logits);  // neighbours matter
    QVERIFY(!chunked.encodeChunk(slices, {keys[0]}).ok());
  }

  void hyperAdapterWeightsComeFromThePrompt() {
    HyperAdapter adapter(32, 8);
    const torch::Tensor tokens = torch::randn({1, 5, 32});
    const torch::Tensor promptA = torch::randn({1, 32}), promptB = torch::randn({1, 32});
    torch::NoGradGuard noGrad;
    QVERIFY(
        torch::equal(adapter(tokens, promptA), torch::zeros({1, 5, 32})));  // zero-initialised up
    adapter->up->weight.normal_(0, 0.1);
    const torch::Tensor a = adapter(tokens, promptA), b = adapter(tokens, promptB);
    QVERIFY(a.abs().max().item<double>() > 1e-3);
    QVERIFY(!torch::allclose(a, b, 1e-4, 1e-5));  // another prompt generates another matrix
    QVERIFY(torch::allclose(a, adapter(tokens, promptA)));
  }

  void adapterFileRoundTrips() {
    AdapterConfig config;
    config.depth = true;
    auto model = tinyWith(config);
    perturbAdapters(*model->impl().sam);
    model->impl().weightsChanged();
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/liver.safetensors").toStdString();
    QVERIFY(model->saveAdapters(path, Json::Object{{"steps", 12}, {"val_dice", 0.81}}).ok());

    const auto info = inspectAdapterFile(path);
    QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
    QCOMPARE(info->baseSha256, model->baseSha256().value());
    QCOMPARE(info->base, tinyConfig());
    QCOMPARE(info->adapters, config);
    QVERIFY(!info->includesDecoder);
    QCOMPARE(info->training.find("steps")->asNumber(), 12.0);
    QVERIFY(info->created.size() == 20 && info->created.back() == 'Z');

    const auto reloaded = tinyWith(std::nullopt, path);
    QCOMPARE(reloaded->adapters(), std::optional<AdapterConfig>(config));
    const auto a = predictOn(model, picture(), pointPrompt());
    const auto b = predictOn(reloaded, picture(), pointPrompt());
    QCOMPARE(b.logits, a.logits);
    QVERIFY(b.logits != predictOn(tinyWith(std::nullopt), picture(), pointPrompt()).logits);
  }

  void adapterFileRefusesAnotherBase() {
    auto model = tinyWith(AdapterConfig{});
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/a.safetensors").toStdString();
    QVERIFY(model->saveAdapters(path, Json()).ok());
    // The same tensors in another file are another base model as far as the hash knows.
    auto loaded = readCheckpoint(kTiny);
    const std::string otherBase = (dir.path() + "/other.safetensors").toStdString();
    auto tensors = loaded->tensors;
    tensors[0].second = tensors[0].second + 1;
    QVERIFY(writeSafetensors(otherBase, tensors, {}).ok());
    EngineOptions options;
    options.adapterFile = path;
    const auto refused = SamModel::load(otherBase, tinyConfig(), options);
    QVERIFY(!refused.ok());
    QVERIFY2(
        refused.error().message.find("trained on another base checkpoint") != std::string::npos,
        refused.error().message.c_str());
  }

  void referenceCheckpointsAreMappedAndExplained() {
    // A reference-code file: SAM keys, Space/MLP/Depth adapters, renamed zero rel-pos tables.
    auto loaded = readCheckpoint(kTiny);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto [name, tensor] : loaded->tensors) {
      const size_t relH = name.find(".attn.rel_pos_h");
      if (relH != std::string::npos) {
        name.replace(relH, 15, ".attn.rel_h");
        tensor = torch::zeros_like(tensor);
      }
      tensors.emplace_back(name, tensor);
    }
    const int64_t dim = tinyConfig().embedDim, hidden = dim / 4;
    for (int block = 0; block < tinyConfig().depth; ++block) {
      const std::string prefix = "image_encoder.blocks." + std::to_string(block) + ".";
      for (const char* adapter : {"Space_Adapter", "MLP_Adapter", "Depth_Adapter"}) {
        tensors.emplace_back(prefix + adapter + ".D_fc1.weight", torch::randn({hidden, dim}) * 0.1);
        tensors.emplace_back(prefix + adapter + ".D_fc1.bias", torch::zeros({hidden}));
        tensors.emplace_back(prefix + adapter + ".D_fc2.weight", torch::randn({dim, hidden}) * 0.1);
        tensors.emplace_back(prefix + adapter + ".D_fc2.bias", torch::zeros({dim}));
      }
    }
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/msa.safetensors").toStdString();
    QVERIFY(writeSafetensors(path, tensors, {}).ok());
    const auto model = SamModel::load(path, tinyConfig(), {});
    QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
    const auto& adapters = model.value()->adapters();
    QVERIFY(adapters && adapters->depth && adapters->padBeforeNorm && !adapters->decoder);
    QCOMPARE(adapters->ratio, 0.25);
    const auto& notes = model.value()->compatibilityNotes();
    QCOMPARE(notes.size(), size_t(4));
    const auto mentions = [&](const char* text) {
      return std::any_of(notes.begin(), notes.end(),
                         [&](const std::string& n) { return n.find(text) != std::string::npos; });
    };
    QVERIFY(mentions("padded before norm1"));
    QVERIFY(mentions("without SAM's mean/std"));
    QVERIFY(mentions("true slice positions"));
    QVERIFY(mentions("relative-position tables are all zero"));
  }

  void referenceDecoderVariantIsRefused() {
    auto loaded = readCheckpoint(kTiny);
    auto tensors = loaded->tensors;
    tensors.emplace_back("mask_decoder.transformer.layers.0.mlp.layers.0.0.weight",
                         torch::zeros({64, 32}));
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/head.safetensors").toStdString();
    QVERIFY(writeSafetensors(path, tensors, {}).ok());
    const auto model = SamModel::load(path, tinyConfig(), {});
    QVERIFY(!model.ok());
    QCOMPARE(model.error().code, ErrorCode::UnsupportedFormat);
    QVERIFY(model.error().message.find("EfficientSAM") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestAdapters)
#include "test_adapters.moc"
