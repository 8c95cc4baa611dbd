// The shipped starter model (models/starter.safetensors): it loads by itself (its metadata names
// the geometry) and segments simple objects from a box and from one click. Its measured quality
// is in docs/models/starter.md; here only "reasonable" is checked, never a timing.
#include <QTest>

#include <cmath>

#include "medsa/core/interactive_evaluation.h"
#include "medsa/core/segmentation_metrics.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/model_evaluation.h"
#include "medsa/model/predictor.h"

using namespace medsa;
using namespace medsa::model;

namespace {

const std::string kStarter = MEDSA_TEST_DATA_DIR "/../../models/starter.safetensors";

// A bright, slightly noisy ellipse on a darker gradient: what any segmenter must get right.
LabeledPicture ellipsePicture() {
  LabeledPicture p;
  p.image = RgbImage(240, 180);
  p.masks.assign(1, std::vector<std::uint8_t>(240 * 180, 0));
  for (int y = 0; y < 180; ++y) {
    for (int x = 0; x < 240; ++x) {
      const double u = (x - 140) / 45.0, v = (y - 80) / 30.0;
      const bool inside = u * u + v * v <= 1;
      const int noise = ((x * 37 + y * 91) % 13) - 6;
      const int value = (inside ? 190 : 50 + x / 8) + noise;
      std::uint8_t* px = p.image.pixel(x, y);
      px[0] = px[1] = px[2] = static_cast<std::uint8_t>(value);
      p.masks[0][y * 240 + x] = inside;
    }
  }
  p.id = "ellipse";
  return p;
}

}  // namespace

class TestStarterModel : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    Result<std::shared_ptr<SamModel>> loaded = SamModel::load(kStarter, std::nullopt, {});
    QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().describe().c_str());
    model_ = loaded.value();
  }

  void hasTheStarterGeometry() {
    QVERIFY(model_->config() == SamConfig::preset("starter").value());
    std::int64_t total = 0;
    for (const ParameterCount& c : model_->parameterCounts()) total += c.total;
    QVERIFY(total > 3'000'000 && total < 6'000'000);
  }

  void segmentsAnEllipseFromABoxAndFromAClick() {
    const LabeledPicture picture = ellipsePicture();
    Predictor predictor(model_);
    QVERIFY(predictor.setImage(picture.image, {"ellipse"}).ok());
    Prompt box;
    box.box = PromptBox{95, 50, 185, 110};
    const Prediction boxed = predictor.predict(box).value();
    QVERIFY2(dice(boxed.masks, picture.masks[0]) > 0.9,
             qPrintable(QString::number(dice(boxed.masks, picture.masks[0]))));

    Prompt click;
    click.points = {{140, 80, true}};
    click.multimask = true;
    const Prediction clicked = predictor.predict(click).value();
    const int best = clicked.best();
    const std::size_t n = picture.masks[0].size();
    const std::vector<std::uint8_t> chosen(clicked.masks.begin() + best * n,
                                           clicked.masks.begin() + (best + 1) * n);
    QVERIFY2(dice(chosen, picture.masks[0]) > 0.8,
             qPrintable(QString::number(dice(chosen, picture.masks[0]))));
  }

  void handlesHeldOutSyntheticPictures() {
    SceneOptions options;
    options.mix = SceneMix::heldOut();
    const std::vector<LabeledPicture> pictures = generateSceneSet(9176, 0, 6, options);
    const InteractiveEvaluation e = evaluateModel(model_, pictures, {.maxClicks = 10}).value();
    // A regression guard well below the model card's figures (a few pictures vary a lot).
    QVERIFY(e.objects >= 6);
    QVERIFY2(e.diceBox > 0.65, qPrintable(QString::number(e.diceBox)));
    QVERIFY2(e.diceClick > 0.55, qPrintable(QString::number(e.diceClick)));
  }

 private:
  std::shared_ptr<SamModel> model_;
};

QTEST_APPLESS_MAIN(TestStarterModel)
#include "test_starter_model.moc"
