// Parity with the official Segment Anything code: every tensor name and shape of the published
// checkpoints, and the outputs of the reference fixtures (embedding, low-res logits, IoU, masks
// at the original size), from the reference resize and from our own.
#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>
#include <QTest>

#include "medsa/model/predictor.h"
#include "medsa/model/sam_model.h"
#include "parity_fixture.h"
#include "predictor_impl.h"
#include "preprocess.h"
#include "sam/sam.h"

using namespace medsa;
using namespace medsa::model;

namespace {

const QString kDataDir = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity");
const QString kSharedDir = QStringLiteral(MEDSA_SHARED_DIR "/fixtures/sam-parity");

const char* const kCases[] = {"point_pos", "points_pos_neg", "box", "box_points"};

/// The ViT-B layout fixture (44 MB) lives only in ../shared: the files of it that are missing.
QStringList missingVitbFixture() {
  QStringList missing;
  for (const char* name : {"vitb_layout.pth", "vitb_layout_cases.pt", "manifest.json"}) {
    const QString path = kSharedDir + QLatin1Char('/') + QLatin1String(name);
    if (!QFileInfo::exists(path)) missing << QDir::cleanPath(path);
  }
  return missing;
}

Prompt promptFromCase(const std::map<std::string, torch::Tensor>& cases, const std::string& prefix,
                      bool multimask) {
  Prompt prompt;
  prompt.multimask = multimask;
  if (auto it = cases.find(prefix + "in_point_coords"); it != cases.end()) {
    const torch::Tensor coords = it->second.to(torch::kDouble).reshape({-1, 2});
    const torch::Tensor labels =
        cases.at(prefix + "in_point_labels").to(torch::kLong).reshape({-1});
    for (int64_t i = 0; i < coords.size(0); ++i) {
      prompt.points.push_back({coords[i][0].item<double>(), coords[i][1].item<double>(),
                               labels[i].item<int64_t>() == 1});
    }
  }
  if (auto it = cases.find(prefix + "in_box"); it != cases.end()) {
    const torch::Tensor b = it->second.to(torch::kDouble).reshape({4});
    prompt.box = PromptBox{b[0].item<double>(), b[1].item<double>(), b[2].item<double>(),
                           b[3].item<double>()};
  }
  if (auto it = cases.find(prefix + "in_mask_input"); it != cases.end()) {
    const torch::Tensor m = it->second.to(torch::kFloat).contiguous();
    const int size = static_cast<int>(m.size(-1));
    prompt.previous =
        LowResMask{size, std::vector<float>(m.data_ptr<float>(), m.data_ptr<float>() + m.numel()),
                   std::nullopt};
  }
  return prompt;
}

struct CaseResult {
  std::string name;
  double lowResDiff, iouDiff, agreement;
  double confidentAgreement;  // where the reference logit is at least 1 from the threshold
};

// Runs every prompt case on the predictor's current picture and compares with the reference.
std::vector<CaseResult> runCases(Predictor& predictor,
                                 const std::map<std::string, torch::Tensor>& cases) {
  std::vector<std::pair<std::string, bool>> names;
  for (const char* c : kCases) {
    names.emplace_back(std::string(c) + "/multi/", true);
    names.emplace_back(std::string(c) + "/single/", false);
  }
  names.emplace_back("refine/single/", false);
  std::vector<CaseResult> results;
  for (const auto& [prefix, multimask] : names) {
    const Prompt prompt = promptFromCase(cases, prefix, multimask);
    auto decoded = predictor.impl().decode({prompt});
    if (!decoded.ok()) {
      results.push_back({prefix + " failed: " + decoded.error().message, 1e9, 1e9, 0, 0});
      continue;
    }
    const auto& d = decoded->front();
    results.push_back({prefix, test::maxAbsDiff(d.lowRes, cases.at(prefix + "low_res_logits")),
                       test::maxAbsDiff(d.iou, cases.at(prefix + "iou").reshape({-1})),
                       test::maskAgreement(d.logits, cases.at(prefix + "masks_logits")),
                       test::confidentAgreement(d.logits, cases.at(prefix + "masks_logits"), 1.0)});
  }
  return results;
}

void checkResults(const std::vector<CaseResult>& results, double minAgreement) {
  for (const CaseResult& r : results) {
    const QByteArray what = QByteArray::fromStdString(r.name) + " lowres " +
                            QByteArray::number(r.lowResDiff) + " iou " +
                            QByteArray::number(r.iouDiff) + " agreement " +
                            QByteArray::number(r.agreement, 'f', 6);
    qInfo("%s", what.constData());
    QVERIFY2(r.lowResDiff < 1e-3, what.constData());
    QVERIFY2(r.iouDiff < 1e-4, what.constData());
    QVERIFY2(r.agreement >= minAgreement, what.constData());
  }
}

void runParity(const QString& dir, const std::string& name, const EngineOptions& options = {}) {
  const SamConfig config = test::manifestConfig(dir + "/manifest.json", name);
  auto loaded = SamModel::load((dir + "/" + QString::fromStdString(name) + ".pth").toStdString(),
                               config, options);
  QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().describe().c_str());
  std::shared_ptr<SamModel> model = loaded.value();
  const auto cases = test::loadCases(dir + "/" + QString::fromStdString(name) + "_cases.pt");
  QVERIFY(!cases.empty());

  const torch::Tensor image = cases.at("image_u8");
  const torch::Tensor resized = cases.at("resized_u8");
  const int width = static_cast<int>(image.size(1)), height = static_cast<int>(image.size(0));

  // Pre-processing and encoder from the reference resize.
  const torch::Tensor input =
      modelInput(ProcessingProfile::Sam, test::toRgbImage(resized), config.imageSize);
  if (auto it = cases.find("preprocessed"); it != cases.end()) {
    QVERIFY2(test::maxAbsDiff(input, it->second) < 1e-5, "normalisation and padding differ");
  }
  torch::NoGradGuard noGrad;
  const torch::Tensor patches = model->impl().sam->image_encoder->embedPatches(input);
  QVERIFY2(test::maxAbsDiff(patches, cases.at("patch_embed")) < 1e-4, "patch embedding differs");
  const torch::Tensor embedding = model->impl().encode(input);
  const double embeddingDiff = test::maxAbsDiff(embedding, cases.at("embedding"));
  qInfo("embedding max abs diff %g", embeddingDiff);
  QVERIFY2(embeddingDiff < 1e-3, qPrintable(QString::number(embeddingDiff)));

  // Decoder and post-processing, starting from the reference resize.
  Predictor predictor(model);
  predictor.impl().setResized(test::toRgbImage(resized), width, height);
  checkResults(runCases(predictor, cases), 0.999);

  // The whole path from the original picture through our own (PIL-compatible) resize.
  const FrameGeometry frame =
      FrameGeometry::compute(ProcessingProfile::Sam, width, height, config.imageSize);
  QCOMPARE(frame.resizedWidth, static_cast<int>(resized.size(1)));
  QCOMPARE(frame.resizedHeight, static_cast<int>(resized.size(0)));
  const RgbImage ours =
      resizeBilinearAntialiased(test::toRgbImage(image), frame.resizedWidth, frame.resizedHeight);
  const torch::Tensor oursTensor = torch::from_blob(const_cast<std::uint8_t*>(ours.pixels.data()),
                                                    {ours.height, ours.width, 3}, torch::kUInt8);
  const double resizeDiff = test::maxAbsDiff(oursTensor, resized);
  qInfo("own resize vs reference: max abs diff %g", resizeDiff);
  QVERIFY2(resizeDiff <= 1, "our resize differs from PIL's by more than one grey level");
  QVERIFY(predictor.setImage(test::toRgbImage(image), ImageKey{"parity", 0, 0, 0, 0}).ok());
  checkResults(runCases(predictor, cases), 0.999);
}

// The bf16 encoder: the masks must still agree with the fp32 reference.
void runBf16(const QString& dir, const std::string& name) {
  const SamConfig config = test::manifestConfig(dir + "/manifest.json", name);
  EngineOptions options;
  options.encoderPrecision = Precision::Bf16;
  auto loaded = SamModel::load((dir + "/" + QString::fromStdString(name) + ".pth").toStdString(),
                               config, options);
  QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().describe().c_str());
  const auto cases = test::loadCases(dir + "/" + QString::fromStdString(name) + "_cases.pt");
  const torch::Tensor image = cases.at("image_u8");
  Predictor predictor(loaded.value());
  QVERIFY(predictor.setImage(test::toRgbImage(image), ImageKey{"bf16", 0, 0, 0, 0}).ok());
  // bf16 rounding differs between CPUs (AMX on Intel, AVX-512 BF16 on AMD), and it moves
  // logits that sit near the threshold: the raw agreement varies with the machine (0.987 to
  // 0.999 on the randomly initialised ViT-B layout), the agreement where the fp32 reference is
  // clearly inside or outside must not.
  double worst = 1, worstConfident = 1;
  for (const CaseResult& r : runCases(predictor, cases)) {
    qInfo("bf16 %s: mask agreement %.5f (%.5f where |logit| >= 1), IoU diff %.4f", r.name.c_str(),
          r.agreement, r.confidentAgreement, r.iouDiff);
    worst = std::min(worst, r.agreement);
    worstConfident = std::min(worstConfident, r.confidentAgreement);
  }
  QVERIFY2(worst >= 0.98, qPrintable(QString::number(worst)));
  QVERIFY2(worstConfident >= 0.999, qPrintable(QString::number(worstConfident)));
}

}  // namespace

class TestSamParity : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  }

  // A skip is one easily missed line in a passing run; what was not checked is said again last.
  void cleanupTestCase() {
    if (notChecked_.isEmpty()) return;
    qWarning(
        "==== NOT CHECKED in this run (fixture missing): %s. The run passes without them; "
        "ViT-B parity is NOT verified until ../shared/fixtures/sam-parity is present. ====",
        qPrintable(notChecked_.join(QStringLiteral("; "))));
  }

  void keysMatchOfficialCheckpoints_data() {
    QTest::addColumn<QString>("manifestName");
    QTest::addColumn<QString>("arch");
    QTest::newRow("vit_b") << QStringLiteral("official_vit_b") << QStringLiteral("vit_b");
    QTest::newRow("vit_l") << QStringLiteral("official_vit_l") << QStringLiteral("vit_l");
    QTest::newRow("vit_h") << QStringLiteral("official_vit_h") << QStringLiteral("vit_h");
  }

  void keysMatchOfficialCheckpoints() {
    QFETCH(QString, manifestName);
    QFETCH(QString, arch);
    QFile file(kDataDir + "/manifest.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const Result<Json> manifest = parseJson(std::string_view(bytes.constData(), bytes.size()));
    QVERIFY(manifest.ok());
    const Json* keys = manifest->find(manifestName.toStdString())->find("keys");
    QVERIFY(keys && keys->isObject());

    // Shapes only: build the module without paying for the weights' initialisation.
    const SamConfig config = SamConfig::preset(arch.toStdString()).value();
    Sam sam(config);
    std::map<std::string, std::vector<int64_t>> ours;
    for (const auto& [name, tensor] : namedTensors(*sam)) ours[name] = tensor.sizes().vec();
    QCOMPARE(ours.size(), keys->asObject().size());
    for (const auto& [name, shape] : keys->asObject()) {
      auto it = ours.find(name);
      QVERIFY2(it != ours.end(), name.c_str());
      std::vector<int64_t> expected;
      for (const Json& d : shape.asArray()) expected.push_back(static_cast<int64_t>(d.asNumber()));
      QVERIFY2(it->second == expected, name.c_str());
    }
  }

  void tinyMatchesOfficialOutputs() { runParity(kDataDir, "tiny"); }

  void tinyWithFreshAdaptersMatchesOfficialOutputs() {
    // Every Med-SA adapter (encoder, depth, HyP-Adpt, decoder MLP) starts at zero: SAM exactly.
    EngineOptions options;
    options.adapters = AdapterConfig{};
    options.adapters->depth = true;
    runParity(kDataDir, "tiny", options);
  }

  void tinyInBf16AgreesWithFp32() { runBf16(kDataDir, "tiny"); }

  void vitbLayoutInBf16AgreesWithFp32() {
    if (!vitbFixturePresent("ViT-B layout bf16 against fp32")) {
      QSKIP("ViT-B layout bf16 check NOT run: fixture missing (see the warning above)");
    }
    runBf16(kSharedDir, "vitb_layout");
  }

  void vitbLayoutMatchesOfficialOutputs() {
    if (!vitbFixturePresent("ViT-B layout parity with the official outputs")) {
      QSKIP("ViT-B parity NOT checked: fixture missing (see the warning above)");
    }
    runParity(kSharedDir, "vitb_layout");
  }

 private:
  /// False, with a warning naming every missing file, when the ViT-B fixture is absent (a fresh
  /// clone without ../shared).
  bool vitbFixturePresent(const char* check) {
    const QStringList missing = missingVitbFixture();
    if (missing.isEmpty()) return true;
    qWarning(
        "%s was NOT checked: missing %s (the team's shared fixtures; see "
        "tests/data/sam-parity/README.md)",
        check, qPrintable(missing.join(QStringLiteral(", "))));
    notChecked_ << QString::fromLatin1(check);
    return false;
  }

  QStringList notChecked_;
};

QTEST_APPLESS_MAIN(TestSamParity)
#include "test_sam_parity.moc"
