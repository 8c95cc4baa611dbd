#include "kidney_project.h"

#include <QDir>

#include "demo_phantom.h"
#include "medsa/annotations/label_map.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "medsa/io/image_writer.h"

namespace medsa::app {

Result<QString> makeKidneyProject(const QString& parent, int cases) {
  const QString images = QDir(parent).filePath(QStringLiteral("images"));
  if (!QDir().mkpath(images))
    return Error{ErrorCode::WriteFailed, "cannot create the folder", images.toStdString()};
  std::shared_ptr<Image> volume = makeDemoPhantom();
  for (int i = 1; i <= cases; ++i) {
    volume->setValue(0, 0, 0, 0, 0, i);  // distinct images
    const std::string path =
        QStringLiteral("%1/phantom_%2.nii.gz").arg(images).arg(i).toStdString();
    if (Status written = io::writeImage(*volume, path); !written) return written.error();
  }
  annotations::LabelSet labels;
  labels.add(QStringLiteral("kidney"));
  auto empty = annotations::LabelMap::createFor(*volume);
  if (!empty) return empty.error();
  // The phantom's kidneys are the voxels of 140-170 HU.
  Image kidneys = empty->image();
  const std::int16_t* hu = volume->data<std::int16_t>();
  std::uint16_t* values = kidneys.data<std::uint16_t>();
  for (std::size_t i = 0; i < volume->voxelCount(); ++i) values[i] = hu[i] >= 140 && hu[i] <= 170;
  auto map = annotations::LabelMap::fromImage(std::move(kidneys));
  if (!map) return map.error();
  const QString folder = QDir(parent).filePath(QStringLiteral("Kidneys"));
  auto store = annotations::ProjectStore::create(folder, QStringLiteral("Kidneys"), labels);
  if (!store) return store.error();
  if (auto imported = annotations::importIntoProject(*store.value(), images); !imported)
    return imported.error();
  auto all = store.value()->cases();
  if (!all) return all.error();
  for (const annotations::CaseRecord& c : all.value()) {
    if (auto saved = store.value()->saveLabels(c.id, map.value(), labels, QStringLiteral("demo"));
        !saved)
      return saved.error();
    if (Status done = store.value()->setStatus(c.id, annotations::CaseStatus::Done); !done)
      return done.error();
  }
  return folder;
}

}  // namespace medsa::app
