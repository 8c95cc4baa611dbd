// Helper for test_annotations: claims its own autosave file in the folder given as argv[1] (as
// an instance of the app does) and autosaves a changing label map into it again and again,
// printing "saved N" after each write, until it is killed. The test kills it mid-write and
// checks that what is left is an orphan holding a complete, readable snapshot.
#include <QCoreApplication>

#include <cstdio>

#include "medsa/annotations/autosave_folder.h"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc < 2) return 2;
  auto claim = medsa::annotations::AutosaveFolder(QString::fromLocal8Bit(argv[1])).claimNew();
  if (!claim) return 1;
  const medsa::annotations::AutosaveStore store = claim.value()->store();
  medsa::Image labels = medsa::Image::create({256, 256, 64, 1}, 1, medsa::PixelType::U16).value();
  medsa::annotations::AutosaveSnapshot snapshot;
  snapshot.imageId = QStringLiteral("child");
  snapshot.labels.add(QStringLiteral("organ"));
  for (int n = 1;; ++n) {
    // Every write differs, so a torn file could not pass for an older one.
    auto* data = labels.data<std::uint16_t>();
    for (std::size_t i = 0; i < labels.voxelCount(); i += 7)
      data[i] = static_cast<std::uint16_t>(n);
    snapshot.labelImage = labels;
    snapshot.savedAt = QDateTime::currentDateTimeUtc();
    if (!store.write(snapshot)) return 1;
    std::printf("saved %d\n", n);
    std::fflush(stdout);
  }
}
