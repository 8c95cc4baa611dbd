// `medsa project` end to end, as a script would use it: create, import (a folder of images, a
// DICOM folder, labels), status --json, set-status, export; bad usage and bad input.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include "cli_runner.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_writer.h"

using medsa::test::runMedsa;

namespace {

medsa::Image disc(std::size_t size, std::size_t depth, int seed) {
  medsa::Image image =
      medsa::Image::create({size, size, depth, 1}, 1, medsa::PixelType::I16).value();
  for (std::size_t z = 0; z < depth; ++z)
    for (std::size_t y = 0; y < size; ++y)
      for (std::size_t x = 0; x < size; ++x)
        image.setValue(x, y, z, 0, 0,
                       std::hypot(x - size / 2.0, y - size / 2.0) < size / 4.0 ? 300 + seed : -700);
  return image;
}

/// The label map of `image`: the disc as label `value`.
QString writeLabels(const QString& path, const medsa::Image& image, quint16 value) {
  medsa::Image labels = medsa::annotations::LabelMap::createFor(image)->image();
  for (std::size_t i = 0; i < image.voxelCount(); ++i)
    if (image.data<std::int16_t>()[i] > 0) labels.data<std::uint16_t>()[i] = value;
  medsa::annotations::LabelSet set;
  set.add(QStringLiteral("liver"));
  const medsa::Status saved = medsa::annotations::saveLabelMap(
      medsa::annotations::LabelMap::fromImage(std::move(labels)).value(), set, path);
  return saved ? QString() : QString::fromStdString(saved.error().describe());
}

QJsonObject lastJson(const QString& out) {
  const QStringList lines = out.trimmed().split(QLatin1Char('\n'));
  return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

}  // namespace

class TestCliProject : public QObject {
  Q_OBJECT

 private slots:
  void aProjectFromTheCommandLine() {
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("liver"));
    auto made = runMedsa({QStringLiteral("project"), QStringLiteral("create"), project,
                          QStringLiteral("--name"), QStringLiteral("Liver"),
                          QStringLiteral("--labels"), QStringLiteral("liver,tumour")});
    QCOMPARE(made.exitCode, 0);

    // A folder of two images and a DICOM folder with one series.
    const QString images = dir.filePath(QStringLiteral("images"));
    QDir().mkpath(images);
    const medsa::Image a = disc(24, 6, 1), b = disc(24, 6, 2);
    QVERIFY(medsa::io::writeImage(a, (images + QStringLiteral("/a.nii.gz")).toStdString()));
    QVERIFY(medsa::io::writeImage(b, (images + QStringLiteral("/b.nii.gz")).toStdString()));
    auto imported = runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, images,
                              QStringLiteral("--json")});
    QCOMPARE(imported.exitCode, 0);
    QCOMPARE(lastJson(imported.out).value(QStringLiteral("added")).toInt(), 2);
    auto again = runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, images,
                           QStringLiteral("--json")});
    QCOMPARE(lastJson(again.out).value(QStringLiteral("added")).toInt(), 0);  // no duplicates
    const QString dicom = dir.filePath(QStringLiteral("dicom"));
    QVERIFY(medsa::io::writeDicomSeries(disc(24, 6, 3), dicom.toStdString()));
    QCOMPARE(
        runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, dicom}).exitCode,
        0);

    // Labels attached to one case, done at once.
    const QString labels = dir.filePath(QStringLiteral("a_labels.nii.gz"));
    QCOMPARE(writeLabels(labels, a, 1), QString());
    auto labelled = runMedsa({QStringLiteral("project"), QStringLiteral("import"), project,
                              images + QStringLiteral("/a.nii.gz"), QStringLiteral("--labels"),
                              labels, QStringLiteral("--status"), QStringLiteral("done")});
    QVERIFY2(labelled.exitCode == 0, qPrintable(labelled.err));

    auto status = runMedsa(
        {QStringLiteral("project"), QStringLiteral("status"), project, QStringLiteral("--json")});
    QCOMPARE(status.exitCode, 0);
    const QJsonObject json = lastJson(status.out);
    QCOMPARE(json.value(QStringLiteral("name")).toString(), QStringLiteral("Liver"));
    QCOMPARE(json.value(QStringLiteral("labels")).toArray().size(), 2);
    const QJsonArray cases = json.value(QStringLiteral("cases")).toArray();
    QCOMPARE(cases.size(), 3);
    for (const char* key : {"id", "image", "status", "labels", "seconds", "clicks"})
      QVERIFY2(cases.first().toObject().contains(QLatin1String(key)), key);
    const QJsonObject first = cases.first().toObject();
    QCOMPARE(first.value(QStringLiteral("status")).toString(), QStringLiteral("done"));
    QVERIFY(
        first.value(QStringLiteral("labels")).toObject().value(QStringLiteral("liver")).toInt() >
        0);
    QCOMPARE(json.value(QStringLiteral("counts")).toObject().value(QStringLiteral("done")).toInt(),
             1);
    QCOMPARE(json.value(QStringLiteral("counts")).toObject().value(QStringLiteral("new")).toInt(),
             2);

    // set-status by name, then by id.
    const QString second = cases.at(1).toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(runMedsa({QStringLiteral("project"), QStringLiteral("set-status"), project, second,
                       QStringLiteral("skipped")})
                 .exitCode,
             0);
    auto bad = runMedsa({QStringLiteral("project"), QStringLiteral("set-status"), project, second,
                         QStringLiteral("finished")});
    QCOMPARE(bad.exitCode, 2);
    auto missing = runMedsa({QStringLiteral("project"), QStringLiteral("set-status"), project,
                             QStringLiteral("nope"), QStringLiteral("done")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains(QStringLiteral("nope")));

    // Export the done case as NIfTI label maps: only it, at OUT.
    const QString out = dir.filePath(QStringLiteral("export"));
    auto exported = runMedsa({QStringLiteral("project"), QStringLiteral("export"), project,
                              QStringLiteral("--format"), QStringLiteral("nifti"),
                              QStringLiteral("--out"), out});
    QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
    QVERIFY(QDir(out).entryList({QStringLiteral("*.nii.gz")}).size() == 1);
    // OUT exists now: a second export there is refused and leaves it as it is.
    auto twice = runMedsa({QStringLiteral("project"), QStringLiteral("export"), project,
                           QStringLiteral("--format"), QStringLiteral("coco"),
                           QStringLiteral("--out"), out});
    QCOMPARE(twice.exitCode, 1);
    QVERIFY(QDir(out).entryList({QStringLiteral("*.nii.gz")}).size() == 1);
    // nnU-Net of the done case.
    auto nnunet = runMedsa({QStringLiteral("project"), QStringLiteral("export"), project,
                            QStringLiteral("--format"), QStringLiteral("nnunet"),
                            QStringLiteral("--out"), dir.filePath(QStringLiteral("nnunet")),
                            QStringLiteral("--dataset-id"), QStringLiteral("7")});
    QVERIFY2(nnunet.exitCode == 0, qPrintable(nnunet.err));
    QVERIFY(
        QFileInfo::exists(dir.filePath(QStringLiteral("nnunet/Dataset007_Liver/dataset.json"))));
  }

  // `medsa project import DIR scans/*.nii.gz`: the shell's list, in one call.
  void importTakesSeveralPaths() {
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("p"));
    QCOMPARE(runMedsa({QStringLiteral("project"), QStringLiteral("create"), project,
                       QStringLiteral("--name"), QStringLiteral("P"), QStringLiteral("--labels"),
                       QStringLiteral("organ")})
                 .out.trimmed(),
             QStringLiteral("created project 'P' in %1 with 1 label").arg(project));
    const QString a = dir.filePath(QStringLiteral("a.nii.gz")),
                  b = dir.filePath(QStringLiteral("b.nii.gz"));
    QVERIFY(medsa::io::writeImage(disc(16, 3, 1), a.toStdString()));
    QVERIFY(medsa::io::writeImage(disc(16, 3, 2), b.toStdString()));
    const auto status = [&] {
      return lastJson(runMedsa({QStringLiteral("project"), QStringLiteral("status"), project,
                                QStringLiteral("--json")})
                          .out)
          .value(QStringLiteral("cases"))
          .toArray()
          .size();
    };

    // One path missing: refused before anything is imported, naming it.
    const QString gone = dir.filePath(QStringLiteral("gone.nii.gz"));
    auto missing =
        runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, a, gone, b});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(gone), qPrintable(missing.err));
    QCOMPARE(status(), 0);
    // --labels belongs to one image.
    auto labelsForTwo = runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, a,
                                  b, QStringLiteral("--labels"), a});
    QCOMPARE(labelsForTwo.exitCode, 2);
    QCOMPARE(status(), 0);

    auto both = runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, a, b});
    QVERIFY2(both.exitCode == 0, qPrintable(both.err));
    QVERIFY2(both.out.endsWith(QStringLiteral("2 of 2 cases added\n")), qPrintable(both.out));
    QCOMPARE(status(), 2);

    // A file that cannot be read stops the import there; what came before stays, and a rerun
    // lists it as present.
    const QString broken = dir.filePath(QStringLiteral("broken.nii.gz"));
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a NIfTI file");
    file.close();
    const QString c = dir.filePath(QStringLiteral("c.nii.gz"));
    QVERIFY(medsa::io::writeImage(disc(16, 3, 3), c.toStdString()));
    auto stopped =
        runMedsa({QStringLiteral("project"), QStringLiteral("import"), project, c, broken});
    QCOMPARE(stopped.exitCode, 1);
    QVERIFY2(stopped.err.contains(broken), qPrintable(stopped.err));
    QVERIFY2(stopped.out.contains(QStringLiteral("1 of 1 cases added before the error")),
             qPrintable(stopped.out));
    QCOMPARE(status(), 3);
  }

  // `medsa-studio PROJECT` opens the project (test_ui_project); a label map goes with an image,
  // not with a project, and is refused before any window shows.
  void theStudioRefusesALabelMapWithAProject() {
    QTemporaryDir dir;
    QCOMPARE(runMedsa({QStringLiteral("project"), QStringLiteral("create"), dir.path(),
                       QStringLiteral("--name"), QStringLiteral("P"), QStringLiteral("--labels"),
                       QStringLiteral("organ")})
                 .exitCode,
             0);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    const auto run = medsa::test::runTool(
        QStringLiteral("medsa-studio"),
        {dir.path(), QStringLiteral("--labels"), dir.filePath("x.nii.gz")}, 60000, env);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("is a project")), qPrintable(run.err));
  }

  void badUsageAndBadInput() {
    QTemporaryDir dir;
    QCOMPARE(runMedsa({QStringLiteral("project")}).exitCode, 2);
    QCOMPARE(runMedsa({QStringLiteral("project"), QStringLiteral("frobnicate")}).exitCode, 2);
    QCOMPARE(runMedsa({QStringLiteral("project"), QStringLiteral("create"), dir.path()}).exitCode,
             2);
    auto notProject = runMedsa({QStringLiteral("project"), QStringLiteral("status"), dir.path()});
    QCOMPARE(notProject.exitCode, 1);
    QVERIFY(notProject.err.contains(QStringLiteral("no project here")));
    QFile damaged(dir.filePath(QStringLiteral("project.medsa")));
    QVERIFY(damaged.open(QIODevice::WriteOnly));
    damaged.write(QByteArray(2048, 'z'));
    damaged.close();
    auto corrupt = runMedsa({QStringLiteral("project"), QStringLiteral("status"), dir.path()});
    QCOMPARE(corrupt.exitCode, 1);
    QVERIFY2(corrupt.err.contains(QStringLiteral("project.medsa")), qPrintable(corrupt.err));
    auto badFormat = runMedsa({QStringLiteral("project"), QStringLiteral("export"), dir.path(),
                               QStringLiteral("--format"), QStringLiteral("jpeg"),
                               QStringLiteral("--out"), dir.filePath(QStringLiteral("x"))});
    QCOMPARE(badFormat.exitCode, 2);
  }
};

QTEST_GUILESS_MAIN(TestCliProject)
#include "test_cli_project.moc"
