// Helper for test_project_store: opens the project in argv[1] and saves label versions of one
// case again and again (adding a case now and then), printing "saved N" after each, until it is
// killed. The test kills it at a random moment and checks the project stays consistent.
#include <QCoreApplication>

#include <cstdio>

#include "medsa/annotations/project_store.h"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc < 2) return 2;
  auto store = medsa::annotations::ProjectStore::open(QString::fromLocal8Bit(argv[1]));
  if (!store) return 1;
  medsa::annotations::NewCase added;
  added.name = QStringLiteral("child");
  added.imagePath = QStringLiteral("/data/child.nii.gz");
  added.contentHash = QStringLiteral("child");
  auto record = store.value()->addCase(added);
  if (!record) return 1;
  const medsa::Image image = medsa::Image::create({96, 96, 48, 1}, 1, medsa::PixelType::U8).value();
  medsa::Image labels = medsa::annotations::LabelMap::createFor(image)->image();
  medsa::annotations::LabelSet set;
  set.add(QStringLiteral("organ"));
  for (int n = 1;; ++n) {
    for (std::size_t i = static_cast<std::size_t>(n) % 5; i < labels.voxelCount(); i += 5)
      labels.data<std::uint16_t>()[i] = 1;
    auto map = medsa::annotations::LabelMap::fromImage(labels).value();
    if (!store.value()->saveLabels(record->record.id, map, set, QStringLiteral("child"))) return 1;
    if (n % 3 == 0) {
      added.name = QStringLiteral("extra%1").arg(n);
      added.contentHash = added.name;
      if (!store.value()->addCase(added)) return 1;
    }
    std::printf("saved %d\n", n);
    std::fflush(stdout);
  }
}
