// Zoom-in for boxes and correction clicks (model/src/zoom_in.h): the crop's geometry, the previous
// logits moved between frames, and the predictor answering in crops, on the shipped starter model.
// The gain it was built for is checked as a property (fewer clicks on held-out synthetic pictures),
// never as a timing.
#include <torch/torch.h>  // before Qt: Qt's `slots` macro breaks LibTorch's headers

#include <QTest>

#include <algorithm>
#include <limits>

#include "medsa/core/interactive_evaluation.h"
#include "medsa/core/prompt_simulation.h"
#include "medsa/core/segmentation_metrics.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/model_evaluation.h"
#include "medsa/model/predictor.h"
#include "predictor_impl.h"
#include "zoom_in.h"

using namespace medsa;
using namespace medsa::model;

namespace {

const std::string kStarter = MEDSA_TEST_DATA_DIR "/../../models/starter.safetensors";

std::shared_ptr<SamModel> starter(ZoomIn zoom) {
  EngineOptions options;
  options.zoomIn = zoom;
  options.threads = 2;
  Result<std::shared_ptr<SamModel>> loaded = SamModel::load(kStarter, std::nullopt, options);
  if (!loaded.ok()) qFatal("%s", loaded.error().describe().c_str());
  return loaded.value();
}

FrameGeometry samFrame(PixelRect region, int modelSize = 256) {
  return FrameGeometry::compute(ProcessingProfile::Sam, region.width(), region.height(), modelSize);
}

// A held-out synthetic picture whose first object is small: zoom-in has work to do.
SyntheticScene smallObjectScene() {
  SceneOptions options;
  options.mix = SceneMix::heldOut();
  for (std::uint64_t i = 0; i < 200; ++i) {
    SyntheticScene scene = generateScene(kSyntheticHeldOutSeed, i, options);
    if (scene.picture.masks.empty()) continue;
    const std::optional<PromptBox> box = boxFromMask(
        MaskView(scene.picture.masks[0], scene.picture.image.width, scene.picture.image.height));
    if (box && box->x1 - box->x0 < 60 && box->y1 - box->y0 < 60) return scene;
  }
  qFatal("no small object in the first 200 held-out scenes");
}

// A first click at the object's centre, then the correction click the evaluation would make.
Prompt correctionPrompt(Predictor& predictor, const LabeledPicture& picture) {
  const MaskView target(picture.masks[0], picture.image.width, picture.image.height);
  Prompt prompt;
  prompt.points.push_back(*centralClick(target));
  prompt.multimask = true;
  Result<Prediction> first = predictor.predict(prompt);
  if (!first.ok()) qFatal("%s", first.error().describe().c_str());
  const int best = first->best();
  const std::size_t n = static_cast<std::size_t>(picture.image.width) * picture.image.height;
  const std::vector<std::uint8_t> mask(first->masks.begin() + best * n,
                                       first->masks.begin() + (best + 1) * n);
  const std::optional<PromptPoint> next = correctionClick(
      target, MaskView(mask, picture.image.width, picture.image.height), prompt.points);
  if (next) prompt.points.push_back(*next);
  prompt.multimask = false;
  prompt.previous = first->lowRes[static_cast<std::size_t>(best)];
  return prompt;
}

}  // namespace

class TestZoomIn : public QObject {
  Q_OBJECT

 private slots:
  void regionGrowsTheObjectAndStaysInThePicture() {
    // 20 x 10 object: 40 x 20 grown, each side at least an eighth of 256 (32) and half the other.
    QCOMPARE(zoomRegion({100, 100, 120, 110}, 256, 256), (PixelRect{90, 89, 130, 121}));
    // A big object: twice its size around its centre.
    QCOMPARE(zoomRegion({60, 70, 160, 130}, 256, 256), (PixelRect{10, 40, 210, 160}));
    // At an edge the crop moves inside the picture and keeps its size; larger than the picture,
    // it is the picture.
    QCOMPARE(zoomRegion({0, 0, 30, 30}, 256, 200), (PixelRect{0, 0, 60, 60}));
    QCOMPARE(zoomRegion({230, 180, 250, 200}, 256, 200), (PixelRect{216, 160, 256, 200}));
    QCOMPARE(zoomRegion({10, 10, 240, 190}, 256, 200), (PixelRect{0, 0, 256, 200}));
    // A thin object gets context across it: at most 2:1.
    QCOMPARE(zoomRegion({100, 100, 200, 104}, 256, 256), (PixelRect{50, 52, 250, 152}));
  }

  void aCropIsKeptWhileTheObjectFitsInIt() {
    const PixelRect current{40, 40, 140, 140};
    // The object grew a little: still inside with a margin, the crop stays.
    QVERIFY(keepsRegion(current, {60, 60, 120, 120}, {30, 30, 150, 150}));
    // It reaches the crop's border: no margin left, a new crop.
    QVERIFY(!keepsRegion(current, {45, 60, 120, 120}, {7, 30, 157, 150}));
    // It shrank to a corner: the crop it would get covers a quarter of this one.
    QVERIFY(!keepsRegion(current, {50, 50, 75, 75}, {37, 37, 87, 87}));
  }

  void positiveCellsGiveTheExtentInPicturePixels() {
    // A 128 x 64 picture in a 256 frame: scale 2, so a 4-pixel cell is 2 picture pixels.
    const PixelRect whole{0, 0, 128, 64};
    std::vector<float> logits(64 * 64, -3.0f);
    for (int gx = 10; gx <= 12; ++gx) logits[5 * 64 + gx] = 2.0f;
    const std::optional<PixelRect> extent = positiveExtent(logits, 64, whole, samFrame(whole));
    QVERIFY(extent);
    QCOMPARE(*extent, (PixelRect{20, 10, 26, 12}));
    // In a crop the extent is offset by the crop's origin.
    const PixelRect crop{30, 20, 94, 84};  // 64 x 64: scale 4, a cell is 1 picture pixel
    const std::optional<PixelRect> inCrop = positiveExtent(logits, 64, crop, samFrame(crop));
    QCOMPARE(*inCrop, (PixelRect{40, 25, 43, 26}));
    QVERIFY(!positiveExtent(std::vector<float>(64 * 64, -1.0f), 64, whole, samFrame(whole)));
  }

  void logitsResampledIntoTheSameFrameAreUnchanged() {
    const PixelRect region{0, 0, 200, 100};  // scale 1.28: rows 0..31 hold the picture
    std::vector<float> logits(64 * 64);
    for (std::size_t i = 0; i < logits.size(); ++i) logits[i] = static_cast<float>(i % 97) - 40;
    const std::vector<float> same =
        resampleLowRes(logits, 64, region, samFrame(region), region, samFrame(region), -99.0f);
    for (int gy = 0; gy < 64; ++gy) {
      for (int gx = 0; gx < 64; ++gx) {
        const float got = same[static_cast<std::size_t>(gy) * 64 + gx];
        const bool inPicture = (gy + 0.5) * 4 < 128;  // the frame's rows below are padding
        const float expected = inPicture ? logits[static_cast<std::size_t>(gy) * 64 + gx] : -99.0f;
        QVERIFY(std::abs(got - expected) < 1e-3f);
      }
    }
  }

  void logitsMoveIntoACrop() {
    // The whole 256-pixel picture, logits rising by 1 per cell to the right (4 pixels).
    const PixelRect whole{0, 0, 256, 256}, crop{64, 64, 128, 128};
    std::vector<float> ramp(64 * 64);
    for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i % 64);
    const std::vector<float> zoomed =
        resampleLowRes(ramp, 64, whole, samFrame(whole), crop, samFrame(crop), -99.0f);
    // Crop cell gx is picture x = 64 + gx + 0.5, i.e. source cell (x / 4 - 0.5).
    for (int gx : {0, 17, 40, 63}) {
      const double expected = (64 + gx + 0.5) / 4 - 0.5;
      QVERIFY(std::abs(zoomed[static_cast<std::size_t>(30) * 64 + gx] - expected) < 1e-4);
    }
    // And back: the crop's cells cover picture x 64..127 only; elsewhere `outside`.
    const std::vector<float> back =
        resampleLowRes(zoomed, 64, crop, samFrame(crop), whole, samFrame(whole), -99.0f);
    QCOMPARE(back[static_cast<std::size_t>(20) * 64 + 5], -99.0f);
    QVERIFY(std::abs(back[static_cast<std::size_t>(20) * 64 + 24] - 24.0f) < 0.2f);
  }

  void promptsMoveIntoTheCrop() {
    Prompt prompt;
    prompt.points = {{50.5, 60.5, true}, {5.5, 5.5, false}, {70.5, 80.5, false}};
    prompt.box = PromptBox{40, 50, 90, 100};
    const Prompt local = promptInRegion(prompt, {30, 40, 130, 140});
    // The negative click outside the crop is left out.
    QCOMPARE(local.points.size(), std::size_t(2));
    QCOMPARE(local.points[0], (PromptPoint{20.5, 20.5, true}));
    QCOMPARE(local.points[1], (PromptPoint{40.5, 40.5, false}));
    QCOMPARE(*local.box, (PromptBox{10, 10, 60, 60}));
  }

  void autoZoomsSmallModelsOnly() {
    QVERIFY(zoomInEnabled(*starter(ZoomIn::Auto)));
    QVERIFY(zoomInEnabled(*starter(ZoomIn::On)));
    QVERIFY(!zoomInEnabled(*starter(ZoomIn::Off)));
    SamConfig big = SamConfig::preset("starter").value();
    big.imageSize = 1024;  // SAM's input: a crop would cost a full encoder run on a CPU
    Result<std::shared_ptr<SamModel>> sam = SamModel::randomWeights(big, {}, 1);
    QVERIFY(sam.ok());
    QVERIFY(!zoomInEnabled(*sam.value()));
    QCOMPARE(parseZoomIn("on").value(), ZoomIn::On);
    QVERIFY(!parseZoomIn("sometimes").ok());
  }

  void aCorrectionClickIsAnsweredInACrop() {
    const SyntheticScene scene = smallObjectScene();
    const LabeledPicture& picture = scene.picture;
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(picture.image, {"small"}).ok());
    const Prompt prompt = correctionPrompt(predictor, picture);
    Result<Prediction> answer = predictor.predict(prompt);
    QVERIFY2(answer.ok(), answer.ok() ? "" : answer.error().describe().c_str());
    QCOMPARE(answer->width, picture.image.width);
    QCOMPARE(answer->height, picture.image.height);
    QVERIFY(answer->lowRes[0].region);
    const PixelRect region = *answer->lowRes[0].region;
    QVERIFY(region.width() < picture.image.width || region.height() < picture.image.height);
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(1));
    // Nothing outside the crop is the object.
    for (int y = 0; y < picture.image.height; ++y) {
      for (int x = 0; x < picture.image.width; ++x) {
        const bool inside = x >= region.x0 && x < region.x1 && y >= region.y0 && y < region.y1;
        if (!inside) QCOMPARE(answer->masks[static_cast<std::size_t>(y) * answer->width + x], 0);
      }
    }
    // The same click again: the crop's embedding is reused and the answer is the same.
    Result<Prediction> again = predictor.predict(prompt);
    QVERIFY(again.ok());
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(1));
    QCOMPARE(again->masks, answer->masks);
    // The next correction starts from the crop's logits (their region rides along).
    Prompt next = prompt;
    next.previous = answer->lowRes[0];
    next.points.push_back({prompt.points[0].x, prompt.points[0].y, true});
    QVERIFY(predictor.predict(next).ok());
  }

  // While the user looks at an answer, the crop its next correction is answered in is encoded
  // (and its decoder side prepared) ahead: the correction finds it ready (no encoding in the
  // click) and answers as it would have without the work ahead.
  void theNextCorrectionsCropIsEncodedAhead() {
    const SyntheticScene scene = smallObjectScene();
    const LabeledPicture& picture = scene.picture;
    const MaskView target(picture.masks[0], picture.image.width, picture.image.height);
    Predictor ahead(starter(ZoomIn::On)), plain(starter(ZoomIn::On));
    QVERIFY(ahead.setImage(picture.image, {"p"}).ok());
    QVERIFY(plain.setImage(picture.image, {"p"}).ok());
    Prompt first;
    first.points.push_back(*centralClick(target));
    first.multimask = true;
    Result<Prediction> shown = ahead.predict(first);
    QVERIFY(shown.ok() && plain.predict(first).ok());
    QVERIFY(!shown->lowRes[0].region);  // a lone click: the whole picture
    QVERIFY(ahead.workAhead().ok());
    QCOMPARE(ahead.zoomCropsEncoded(), std::size_t(1));
    // The crop's decoder side is made ahead with it: the correction finds both ready.
    QVERIFY(ahead.impl().ahead && ahead.impl().ahead->prepared);
    QVERIFY(ahead.workAhead().ok());  // done already: nothing more
    QCOMPARE(ahead.zoomCropsEncoded(), std::size_t(1));
    // A negative click far from the object never widens it: its crop is the one made ahead.
    Prompt correction = first;
    correction.multimask = false;
    correction.points.push_back({0.5, 0.5, false});
    correction.previous = shown->lowRes[static_cast<std::size_t>(shown->best())];
    Result<Prediction> fast = ahead.predict(correction);
    Result<Prediction> expected = plain.predict(correction);
    QVERIFY(fast.ok() && expected.ok());
    QVERIFY(fast->lowRes[0].region);
    QCOMPARE(ahead.zoomCropsEncoded(), std::size_t(1));
    QCOMPARE(ahead.lastTimings().zoomEncoderMs, 0.0);
    QVERIFY(plain.lastTimings().zoomEncoderMs > 0);
    QCOMPARE(fast->lowRes[0].region, expected->lowRes[0].region);
    QCOMPARE(fast->masks, expected->masks);
    QCOMPARE(fast->lowRes[0].logits, expected->lowRes[0].logits);
  }

  // The work ahead stops when its sink says so; the correction then encodes its crop itself.
  // A new picture, or a model that does not zoom, leaves nothing to do ahead.
  void workAheadStopsAndForgetsTheOldPicture() {
    struct StopAtOnce : ProgressSink {
      bool report(double, std::string_view) override { return false; }
    } stop;
    const SyntheticScene scene = smallObjectScene();
    const LabeledPicture& picture = scene.picture;
    const MaskView target(picture.masks[0], picture.image.width, picture.image.height);
    Prompt first;
    first.points.push_back(*centralClick(target));
    first.multimask = true;
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(picture.image, {"p"}).ok());
    Result<Prediction> shown = predictor.predict(first);
    QVERIFY(shown.ok());
    const Status stopped = predictor.workAhead(&stop);
    QCOMPARE(stopped.error().code, ErrorCode::Cancelled);
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(0));
    Prompt correction = first;
    correction.multimask = false;
    correction.points.push_back({0.5, 0.5, false});
    correction.previous = shown->lowRes[static_cast<std::size_t>(shown->best())];
    QVERIFY(predictor.predict(correction).ok());
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(1));
    QVERIFY(predictor.lastTimings().zoomEncoderMs > 0);

    QVERIFY(predictor.predict(first).ok());  // plans a crop of this picture
    RgbImage other = picture.image;
    for (std::uint8_t& v : other.pixels) v = static_cast<std::uint8_t>(255 - v);
    QVERIFY(predictor.setImage(other, {"other"}).ok());
    QVERIFY(predictor.workAhead().ok());
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(1));

    Predictor unzoomed(starter(ZoomIn::Off));
    QVERIFY(unzoomed.setImage(picture.image, {"p"}).ok());
    QVERIFY(unzoomed.predict(first).ok());
    QVERIFY(unzoomed.workAhead().ok());
    QCOMPARE(unzoomed.zoomCropsEncoded(), std::size_t(0));
  }

  void aBoxIsAnsweredInACropAndALoneClickInThePicture() {
    const SyntheticScene scene = smallObjectScene();
    const LabeledPicture& picture = scene.picture;
    const MaskView target(picture.masks[0], picture.image.width, picture.image.height);
    Predictor predictor(starter(ZoomIn::Auto));
    QVERIFY(predictor.setImage(picture.image, {"small"}).ok());
    Prompt box;
    box.box = boxFromMask(target);
    Result<Prediction> boxed = predictor.predict(box);
    QVERIFY(boxed.ok());
    QVERIFY(boxed->lowRes[0].region);
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(1));
    Prompt click;
    click.points.push_back(*centralClick(target));
    Result<Prediction> clicked = predictor.predict(click);
    QVERIFY(clicked.ok());
    QVERIFY(!clicked->lowRes[0].region);
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(1));
  }

  void aNewPictureNeverUsesTheOldCrop() {
    const SyntheticScene scene = smallObjectScene();
    const LabeledPicture& picture = scene.picture;
    RgbImage other = picture.image;
    for (std::uint8_t& v : other.pixels) v = static_cast<std::uint8_t>(255 - v);
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(picture.image, {"a"}).ok());
    const Prompt prompt = correctionPrompt(predictor, picture);
    QVERIFY(predictor.predict(prompt).ok());
    QVERIFY(predictor.setImage(other, {"b"}).ok());
    Result<Prediction> onOther = predictor.predict(prompt);
    QVERIFY(onOther.ok());
    QCOMPARE(predictor.zoomCropsEncoded(), std::size_t(2));  // encoded from the new picture
    Predictor fresh(starter(ZoomIn::On));
    QVERIFY(fresh.setImage(other, {"b"}).ok());
    Result<Prediction> expected = fresh.predict(prompt);
    QVERIFY(expected.ok());
    QCOMPARE(onOther->masks, expected->masks);
  }

  void zoomOffAnswersInThePicture() {
    const SyntheticScene scene = smallObjectScene();
    Predictor zoomed(starter(ZoomIn::On)), plain(starter(ZoomIn::Off));
    QVERIFY(zoomed.setImage(scene.picture.image, {"p"}).ok());
    QVERIFY(plain.setImage(scene.picture.image, {"p"}).ok());
    const Prompt prompt = correctionPrompt(plain, scene.picture);
    Result<Prediction> answer = plain.predict(prompt);
    QVERIFY(answer.ok());
    QVERIFY(!answer->lowRes[0].region);
    QCOMPARE(plain.zoomCropsEncoded(), std::size_t(0));
    // A mask answered in a crop, fed to an engine that does not zoom, is moved back into the
    // picture's frame; the batch path does the same.
    Result<Prediction> cropped = zoomed.predict(prompt);
    QVERIFY(cropped.ok() && cropped->lowRes[0].region);
    Prompt next = prompt;
    next.previous = cropped->lowRes[0];
    Result<Prediction> single = plain.predict(next);
    QVERIFY(single.ok());
    QVERIFY(!single->lowRes[0].region);
    Result<std::vector<Prediction>> batch = plain.predictBatch({next, prompt});
    QVERIFY(batch.ok());
    QCOMPARE(batch->at(0).masks, single->masks);
    QCOMPARE(batch->at(1).masks, answer->masks);
  }

  void batchedCorrectionsEqualSingleOnes() {
    const SyntheticScene scene = smallObjectScene();
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(scene.picture.image, {"p"}).ok());
    const Prompt prompt = correctionPrompt(predictor, scene.picture);
    Prompt firstClick;
    firstClick.points = {prompt.points[0]};
    Prompt box;
    box.box = boxFromMask(
        MaskView(scene.picture.masks[0], scene.picture.image.width, scene.picture.image.height));
    Result<Prediction> single = predictor.predict(prompt);
    Result<Prediction> plainClick = predictor.predict(firstClick);
    Result<Prediction> boxed = predictor.predict(box);
    Result<std::vector<Prediction>> batch = predictor.predictBatch({prompt, firstClick, box});
    QVERIFY(single.ok() && plainClick.ok() && boxed.ok() && batch.ok());
    QCOMPARE(batch->at(0).masks, single->masks);
    QCOMPARE(batch->at(0).lowRes[0].region, single->lowRes[0].region);
    QCOMPARE(batch->at(1).masks, plainClick->masks);
    QCOMPARE(batch->at(2).masks, boxed->masks);
    QVERIFY(batch->at(2).lowRes[0].region);
  }

  void previousLogitsThatAreNotNumbersAreRefused() {
    const SyntheticScene scene = smallObjectScene();
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(scene.picture.image, {"p"}).ok());
    Prompt prompt = correctionPrompt(predictor, scene.picture);
    prompt.previous->logits[100] = std::numeric_limits<float>::quiet_NaN();
    Result<Prediction> refused = predictor.predict(prompt);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
  }

  void aBatchIsCheckedBeforeItsCropsAreChosen() {
    // Choosing a crop reads the previous mask: a mask of another size must be refused first.
    const SyntheticScene scene = smallObjectScene();
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(scene.picture.image, {"p"}).ok());
    Prompt prompt = correctionPrompt(predictor, scene.picture);
    prompt.previous->size = 128;  // claims more logits than it holds
    Result<std::vector<Prediction>> refused = predictor.predictBatch({prompt});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
  }

  void aRegionOutsideThePictureIsRefused() {
    const SyntheticScene scene = smallObjectScene();
    Predictor predictor(starter(ZoomIn::On));
    QVERIFY(predictor.setImage(scene.picture.image, {"p"}).ok());
    Prompt prompt = correctionPrompt(predictor, scene.picture);
    for (const PixelRect bad : {PixelRect{0, 0, scene.picture.image.width + 5, 40},
                                PixelRect{-1, 0, 20, 20}, PixelRect{30, 30, 30, 60}}) {
      prompt.previous->region = bad;
      Result<Prediction> refused = predictor.predict(prompt);
      QVERIFY(!refused.ok());
      QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
      QVERIFY(QString::fromStdString(refused.error().message).contains("region"));
    }
  }

  void zoomInTakesFewerClicksOnHeldOutPictures() {
    // The first 12 held-out pictures of `medsa evaluate --synthetic`: the full set measured box
    // Dice 0.919 and NoC@90 8.03 without, 0.948 and 4.06 with zoom-in (docs/models/starter.md).
    SceneOptions options;
    options.mix = SceneMix::heldOut();
    const std::vector<LabeledPicture> pictures =
        generateSceneSet(kSyntheticHeldOutSeed, 0, 12, options);
    Result<InteractiveEvaluation> off = evaluateModel(starter(ZoomIn::Off), pictures);
    Result<InteractiveEvaluation> on = evaluateModel(starter(ZoomIn::On), pictures);
    QVERIFY(off.ok() && on.ok());
    qInfo("box Dice %.3f -> %.3f, NoC@90 %.2f -> %.2f, never 0.90: %.2f -> %.2f", off->diceBox,
          on->diceBox, off->noc90, on->noc90, off->failed90, on->failed90);
    QCOMPARE(on->diceClick, off->diceClick);  // a lone first click is never zoomed
    QVERIFY(on->diceBox > off->diceBox);
    QVERIFY(on->noc90 < off->noc90 - 1.0);
    QVERIFY(on->failed90 < off->failed90);
  }
};

QTEST_GUILESS_MAIN(TestZoomIn)
#include "test_zoom_in.moc"
