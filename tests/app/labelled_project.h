#pragma once
// A project of labelled pictures made as a user would (medsa project create/import): tubes in
// ultrasound pictures, where the starter model is weak, for the trainer's tests.

#include <QDir>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "medsa/core/synthetic_scene.h"

namespace medsa::test {

// Tubes in ultrasound pictures (where the starter model is weak), as PNG picture + label map.
inline void writeCase(const QString& folder, int index) {
  medsa::SceneOptions options;
  options.mix = medsa::SceneMix::heldOut();
  options.mix.shapes.fill(0);
  options.mix.shapes[static_cast<int>(medsa::ShapeKind::Tube)] = 1;
  options.mix.styles.fill(0);
  options.mix.styles[static_cast<int>(medsa::SceneStyle::Ultrasound)] = 1;
  const medsa::LabeledPicture p = medsa::generateScene(21, index, options).picture;
  QImage image(p.image.width, p.image.height, QImage::Format_RGB888);
  QImage labels(p.image.width, p.image.height, QImage::Format_Grayscale8);
  labels.fill(0);
  for (int y = 0; y < p.image.height; ++y) {
    std::copy_n(p.image.pixels.data() + static_cast<std::size_t>(y) * p.image.width * 3,
                p.image.width * 3, image.scanLine(y));
    for (int x = 0; x < p.image.width; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * p.image.width + x;
      for (const auto& mask : p.masks)
        if (mask[i]) labels.scanLine(y)[x] = 1;
    }
  }
  const QString name = QStringLiteral("case%1").arg(index);
  QVERIFY(image.save(folder + QLatin1Char('/') + name + QStringLiteral(".png")));
  QVERIFY(labels.save(folder + QLatin1Char('/') + name + QStringLiteral("_labels.png")));
}

inline void importCase(const QString& project, const QString& folder, int index,
                       const char* status) {
  const QString name = folder + QStringLiteral("/case%1").arg(index);
  const Run imported = runMedsa({QStringLiteral("project"), QStringLiteral("import"), project,
                                 name + QStringLiteral(".png"), QStringLiteral("--labels"),
                                 name + QStringLiteral("_labels.png"), QStringLiteral("--status"),
                                 QString::fromLatin1(status)});
  QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
}

inline QString makeProject(const QTemporaryDir& dir, int labelled) {
  const QString project = dir.filePath(QStringLiteral("project"));
  const QString pictures = dir.filePath(QStringLiteral("pictures"));
  QDir().mkpath(pictures);
  const Run made = runMedsa({QStringLiteral("project"), QStringLiteral("create"), project,
                             QStringLiteral("--name"), QStringLiteral("Tubes"),
                             QStringLiteral("--labels"), QStringLiteral("tube")});
  if (made.exitCode != 0) return {};
  for (int i = 0; i < labelled; ++i) {
    writeCase(pictures, i);
    importCase(project, pictures, i, "done");
  }
  return project;
}

}  // namespace medsa::test
