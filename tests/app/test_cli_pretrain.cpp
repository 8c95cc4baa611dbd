// `medsa pretrain` end to end on a few steps, `medsa evaluate --synthetic` on its held-out set,
// and `--model starter` as the build tree and an installed package resolve it (relative to the
// executable, not the working directory).
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include "cli_runner.h"

using medsa::test::Run;
using medsa::test::runMedsa;

namespace {

QJsonObject lastLineJson(const QString& out) {
  const QStringList lines = out.trimmed().split(QLatin1Char('\n'));
  return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

Run runProgram(const QString& program, const QStringList& args) {
  QProcess process;
  process.setWorkingDirectory(QDir::tempPath());  // nothing may depend on the working directory
  process.start(program, args);
  Run run;
  if (!process.waitForFinished(120000)) return run;
  run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
  run.out = QString::fromUtf8(process.readAllStandardOutput());
  run.err = QString::fromUtf8(process.readAllStandardError());
  return run;
}

}  // namespace

class TestCliPretrain : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void helpListsPretrain() {
    const Run run = runMedsa({"--help"});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("pretrain")));
  }

  void trainsWritesAndMeasures() {
    model_ = dir_.filePath(QStringLiteral("small.safetensors"));
    const Run run =
        runMedsa({"pretrain", "--synthetic", "--out", model_, "--steps", "2", "--batch", "2",
                  "--held-out", "2", "--threads", "2", "--log-every", "1", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = lastLineJson(run.out);
    QCOMPARE(report["steps"].toInt(), 2);
    QVERIFY(report["seconds"].toDouble() > 0);
    const QJsonObject heldOut = report["held_out"].toObject();
    heldOut_ = heldOut;
    QVERIFY(heldOut["n"].toInt() >= 2);
    for (const char* key : {"dice_box", "dice_click"}) {
      const double value = heldOut[QLatin1String(key)].toDouble(-1);
      QVERIFY2(value >= 0 && value <= 1, key);
    }
    QVERIFY(heldOut["noc90"].toDouble() >= 1 && heldOut["noc90"].toDouble() <= 20);
    QVERIFY(run.err.contains(QStringLiteral("step 2")));  // progress on stderr
    QVERIFY(QFile::exists(model_ + QStringLiteral(".state")));

    // The file names its geometry: it loads without --config.
    const Run info = runMedsa({"model-info", "--model", model_, "--json"});
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    const QJsonObject config =
        QJsonDocument::fromJson(info.out.toUtf8()).object()["config"].toObject();
    QCOMPARE(config["embed_dim"].toInt(), 192);
    QCOMPARE(config["prompt_dim"].toInt(), 128);
  }

  // `medsa evaluate --synthetic` measures a model on the same held-out set: the numbers
  // pretrain reported for its file come back, with the objects split by shape and style.
  void evaluateSyntheticReproducesTheReport() {
    QVERIFY(!model_.isEmpty());
    const Run run = runMedsa({"evaluate", "--synthetic", "--pictures", "2", "--model", model_,
                              "--threads", "2", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject measured = lastLineJson(run.out);
    for (const char* key : {"n", "dice_box", "dice_click", "noc85", "noc90"}) {
      const double a = measured[QLatin1String(key)].toDouble(-1);
      const double b = heldOut_[QLatin1String(key)].toDouble(-2);
      QVERIFY2(std::abs(a - b) < 1e-9,
               qPrintable(QStringLiteral("%1: %2 against %3").arg(key).arg(a).arg(b)));
    }
    for (const char* group : {"by_shape", "by_style"}) {
      int objects = 0;
      const QJsonObject groups = measured[QLatin1String(group)].toObject();
      for (const QString& name : groups.keys()) objects += groups[name].toObject()["n"].toInt();
      QCOMPARE(objects, measured["n"].toInt());
    }
    // Mean IoU after each of the protocol's 20 clicks; the first is the mean after one click.
    const QJsonArray curve = measured["iou_after_click"].toArray();
    QCOMPARE(curve.size(), 20);
    QVERIFY(std::abs(curve.first().toDouble() - measured["iou_click"].toDouble()) < 1e-9);
    const Run text = runMedsa({"evaluate", "--synthetic", "--pictures", "1", "--model", model_});
    QVERIFY2(text.exitCode == 0, qPrintable(text.err));
    QVERIFY(text.out.contains(QStringLiteral("by shape:")));
    QVERIFY(text.out.contains(QStringLiteral("mean IoU after click")));
  }

  void resumeContinuesTheCount() {
    QVERIFY(!model_.isEmpty());
    const Run run = runMedsa({"pretrain", "--synthetic", "--out", model_, "--steps", "3", "--batch",
                              "2", "--held-out", "1", "--resume", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = lastLineJson(run.out);
    QCOMPARE(report["steps"].toInt(), 3);
    QCOMPARE(report["steps_this_run"].toInt(), 1);
    // Another seed than the state's is refused rather than mixed in.
    const Run mixed = runMedsa({"pretrain", "--synthetic", "--out", model_, "--steps", "4",
                                "--batch", "2", "--seed", "5", "--resume"});
    QCOMPARE(mixed.exitCode, 1);
    QVERIFY(mixed.err.contains(QStringLiteral("--seed")));
  }

  // --init starts from a model's weights: the shipped starter's first loss is far below that of
  // random weights (about 1.6 on the same pictures).
  void initStartsFromTheModelsWeights() {
    const auto firstLoss = [](const QString& err) {
      const int at = err.indexOf(QStringLiteral("step 1  loss "));
      return at < 0 ? -1.0 : err.mid(at + 13, 6).toDouble();
    };
    const QString out = dir_.filePath(QStringLiteral("further.safetensors"));
    const QStringList common = {"pretrain", "--synthetic", "--out",       out,          "--steps",
                                "1",        "--batch",     "2",           "--held-out", "1",
                                "--seed",   "3",           "--log-every", "1",          "--json"};
    const Run further =
        runMedsa(common + QStringList{"--init", "starter", "--lr", "1e-4", "--mix", "hard"});
    QVERIFY2(further.exitCode == 0, qPrintable(further.err));
    QCOMPARE(lastLineJson(further.out)["steps"].toInt(), 1);
    QVERIFY(lastLineJson(further.out)["init"].toString().endsWith(
        QStringLiteral("starter.safetensors")));
    // Resumed, the run keeps its learning rate and origin; another rate is refused.
    const QStringList resume = {"pretrain",    "--synthetic", "--out",      out,     "--steps", "2",
                                "--batch",     "2",           "--held-out", "1",     "--seed",  "3",
                                "--log-every", "1",           "--resume",   "--json"};
    const Run otherRate = runMedsa(resume + QStringList{"--lr", "3e-4"});
    QCOMPARE(otherRate.exitCode, 1);
    QVERIFY2(otherRate.err.contains(QStringLiteral("--lr")), qPrintable(otherRate.err));
    // Likewise its untrained clicks (8 by default).
    const Run otherClicks = runMedsa(resume + QStringList{"--extra-clicks", "2"});
    QCOMPARE(otherClicks.exitCode, 1);
    QVERIFY2(otherClicks.err.contains(QStringLiteral("--extra-clicks 8")),
             qPrintable(otherClicks.err));
    // And its pictures' mix.
    const Run otherMix = runMedsa(resume + QStringList{"--mix", "training"});
    QCOMPARE(otherMix.exitCode, 1);
    QVERIFY2(otherMix.err.contains(QStringLiteral("--mix hard")), qPrintable(otherMix.err));
    const Run resumed = runMedsa(resume);
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QCOMPARE(lastLineJson(resumed.out)["mix"].toString(), QStringLiteral("hard"));
    QVERIFY(lastLineJson(resumed.out)["init"].toString().endsWith(
        QStringLiteral("starter.safetensors")));
    // Step 2 of a 100-step warm-up, half way down the cosine: 1.02e-06 at a peak of 1e-4,
    // 4.08e-06 at the default 4e-4.
    const QRegularExpressionMatch rate =
        QRegularExpression(QStringLiteral("step 2 .* lr (\\S+)")).match(resumed.err);
    QVERIFY2(rate.hasMatch(), qPrintable(resumed.err));
    QVERIFY2(rate.captured(1).toDouble() < 2e-6, qPrintable(rate.captured(0)));
    const Run fresh = runMedsa(common);
    QVERIFY2(fresh.exitCode == 0, qPrintable(fresh.err));
    const double trained = firstLoss(further.err), random = firstLoss(fresh.err);
    qInfo("first loss from the starter %.4f, from random weights %.4f", trained, random);
    QVERIFY(trained > 0 && trained < 0.8);
    QVERIFY(random > 1.0);
  }

  void initFromABadModelFails() {
    const QString out = dir_.filePath(QStringLiteral("bad-init.safetensors"));
    const QString missing = dir_.filePath(QStringLiteral("absent.safetensors"));
    const Run run = runMedsa({"pretrain", "--synthetic", "--out", out, "--init", missing});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(missing), qPrintable(run.err));
    const QString notAModel = dir_.filePath(QStringLiteral("notes.safetensors"));
    QFile file(notAModel);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("these are not weights");
    file.close();
    const Run garbage = runMedsa({"pretrain", "--synthetic", "--out", out, "--init", notAModel});
    QCOMPARE(garbage.exitCode, 1);
    QVERIFY2(garbage.err.contains(notAModel), qPrintable(garbage.err));
    QVERIFY(!QFile::exists(out));
  }

  void resumeWithoutStateFails() {
    const QString out = dir_.filePath(QStringLiteral("never.safetensors"));
    const Run run = runMedsa({"pretrain", "--synthetic", "--out", out, "--resume"});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("never.safetensors.state")));
  }

  void badArgumentsAreUsageErrors() {
    const QString out = dir_.filePath(QStringLiteral("x.safetensors"));
    const QList<QPair<QStringList, QString>> cases = {
        {{"pretrain", "--out", out}, "--synthetic"},
        {{"pretrain", "--synthetic"}, "--out"},
        {{"pretrain", "--synthetic", "--out", out, "--steps", "5", "--minutes", "1"}, "--minutes"},
        {{"pretrain", "--synthetic", "--out", out, "--steps", "0"}, "--steps"},
        {{"pretrain", "--synthetic", "--out", out, "--minutes", "-1"}, "--minutes"},
        {{"pretrain", "--synthetic", "--out", out, "--seed", "abc"}, "--seed"},
        {{"pretrain", "--synthetic", "--out", out, "--seed", "9176"}, "held-out"},
        {{"pretrain", "--synthetic", "--out", out, "--batch", "0"}, "--batch"},
        {{"pretrain", "--synthetic", "--out", out, "--frobnicate"}, "--frobnicate"},
        {{"pretrain", "--synthetic", "--out", out, "--init", "starter", "--resume"}, "--init"},
        {{"pretrain", "--synthetic", "--out", out, "--init", ""}, "--init"},
        {{"pretrain", "--synthetic", "--out", out, "--lr", "0"}, "--lr"},
        {{"pretrain", "--synthetic", "--out", out, "--lr", "fast"}, "--lr"},
        {{"pretrain", "--synthetic", "--out", out, "--extra-clicks", "21"}, "--extra-clicks"},
        {{"pretrain", "--synthetic", "--out", out, "--extra-clicks", "-1"}, "--extra-clicks"},
        {{"pretrain", "--synthetic", "--out", out, "--mix", "easy"}, "--mix"},
    };
    const QList<QPair<QStringList, QString>> evaluateCases = {
        {{"evaluate"}, "--synthetic"},
        {{"evaluate", "--synthetic", "--project", out}, "--synthetic"},
        {{"evaluate", "--synthetic", "--held-out"}, "--held-out"},
        {{"evaluate", "--synthetic", "--base"}, "--base"},
        {{"evaluate", "--synthetic", "--pictures", "0"}, "--pictures"},
        {{"evaluate", "--project", out, "--pictures", "3"}, "--pictures"},
    };
    for (const auto& [args, mention] : cases + evaluateCases) {
      const Run run = runMedsa(args);
      QVERIFY2(run.exitCode == 2, qPrintable(args.join(QLatin1Char(' '))));
      QVERIFY2(run.err.contains(mention), qPrintable(run.err));
    }
    QVERIFY(!QFile::exists(out));
  }

  void starterIsShippedInTheBuildTree() {
    // The build copies models/starter.safetensors to build/share/medsa-studio/models/.
    const Run info = runMedsa({"model-info", "--model", "starter", "--json"});
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    const QJsonObject report = QJsonDocument::fromJson(info.out.toUtf8()).object();
    QVERIFY(report["checkpoint"].toString().endsWith(
        QStringLiteral("share/medsa-studio/models/starter.safetensors")));
    QCOMPARE(report["config"].toObject()["img_size"].toInt(), 256);

    const Run bench = runMedsa({"bench", "--model", "starter", "--clicks", "20", "--json"});
    QVERIFY2(bench.exitCode == 0, qPrintable(bench.err));

    // segment: a bright disc on a dark picture, one click in it.
    QImage picture(200, 150, QImage::Format_RGB888);
    for (int y = 0; y < 150; ++y)
      for (int x = 0; x < 200; ++x)
        picture.setPixel(x, y,
                         (x - 120) * (x - 120) + (y - 70) * (y - 70) < 30 * 30 ? qRgb(220, 210, 200)
                                                                               : qRgb(40, 45, 50));
    const QString image = dir_.filePath(QStringLiteral("disc.png"));
    QVERIFY(picture.save(image));
    const QString mask = dir_.filePath(QStringLiteral("disc-mask.png"));
    const Run segment = runMedsa({"segment", "--model", "starter", "--image", image, "--point",
                                  "120,70,1", "--multimask", "--out", mask});
    QVERIFY2(segment.exitCode == 0, qPrintable(segment.err));
    const QImage written(mask);
    QVERIFY(!written.isNull());
    int inside = 0, outside = 0;
    for (int y = 0; y < 150; ++y) {
      for (int x = 0; x < 200; ++x) {
        const bool on = qGray(written.pixel(x, y)) > 127;
        const bool disc = (x - 120) * (x - 120) + (y - 70) * (y - 70) < 30 * 30;
        inside += on && disc;
        outside += on && !disc;
      }
    }
    QVERIFY2(inside > 2000 && outside < 600,
             qPrintable(QStringLiteral("%1 in, %2 out").arg(inside).arg(outside)));
  }

  void starterResolvesBesideAnInstalledExecutable() {
    QVERIFY(!model_.isEmpty());
    // An installed layout: PREFIX/bin/medsa and PREFIX/share/medsa-studio/models/.
    const QString prefix = dir_.filePath(QStringLiteral("prefix"));
    QVERIFY(QDir().mkpath(prefix + QStringLiteral("/bin")));
    const QString medsa = prefix + QStringLiteral("/bin/medsa");
    QVERIFY(QFile::copy(QStringLiteral(MEDSA_BIN_DIR "/medsa"), medsa));
    QFile::setPermissions(medsa, QFile::permissions(medsa) | QFileDevice::ExeOwner);

    const Run missing = runProgram(medsa, {"model-info", "--model", "starter"});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains(QStringLiteral("share/medsa-studio/models/starter.safetensors")),
             qPrintable(missing.err));

    const QString models = prefix + QStringLiteral("/share/medsa-studio/models");
    QVERIFY(QDir().mkpath(models));
    QVERIFY(QFile::copy(model_, models + QStringLiteral("/starter.safetensors")));
    const Run found = runProgram(medsa, {"model-info", "--model", "starter", "--json"});
    QVERIFY2(found.exitCode == 0, qPrintable(found.err));
    const QJsonObject report = QJsonDocument::fromJson(found.out.toUtf8()).object();
    QVERIFY(report["checkpoint"].toString().startsWith(models));
  }

 private:
  QTemporaryDir dir_;
  QString model_;
  QJsonObject heldOut_;  ///< what pretrain reported for model_
};

QTEST_APPLESS_MAIN(TestCliPretrain)
#include "test_cli_pretrain.moc"
