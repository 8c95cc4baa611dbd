#include "medsa/ui/case_preloader.h"

#include <QFileInfo>
#include <QtConcurrent>

#include "medsa/core/slice_picture.h"
#include "medsa/ui/polled_progress.h"

namespace medsa::ui {

CasePreloader::CasePreloader(QObject* parent) : QObject(parent) {
  connect(&watcher_, &QFutureWatcher<Result<Image>>::finished, this, [this] {
    if (path_.isEmpty()) return;  // cleared while it was read
    Result<Image> read = watcher_.result();
    if (!read || read->isEmpty()) {
      path_.clear();
      return;
    }
    image_ = std::make_shared<Image>(std::move(read).value());
    emit ready(path_);
  });
}

CasePreloader::~CasePreloader() {
  if (progress_) progress_->cancel();
  watcher_.waitForFinished();
}

bool CasePreloader::preload(const QString& path, Read read) {
  const QFileInfo info(path);
  if (path.isEmpty() || !read || !info.isFile() || info.size() > kMaxFileBytes) return false;
  if (info.absoluteFilePath() == path_) return true;  // already read or under way
  clear();
  path_ = info.absoluteFilePath();
  progress_ = std::make_shared<PolledProgress>();
  watcher_.setFuture(QtConcurrent::run(
      [read = std::move(read), p = path_.toStdString(), progress = progress_]() -> Result<Image> {
        try {
          return read(p, progress.get(), progress->token());
        } catch (...) {
          return Error{ErrorCode::Internal, "reading failed", p};
        }
      }));
  return true;
}

void CasePreloader::clear() {
  // The old read ends early and its result is ignored (a new setFuture stops its signals).
  if (progress_) progress_->cancel();
  progress_.reset();
  path_.clear();
  image_.reset();
}

std::shared_ptr<Image> CasePreloader::take(const QString& path) {
  if (!image_ || QFileInfo(path).absoluteFilePath() != path_) return nullptr;
  path_.clear();
  return std::move(image_);
}

PrefetchItem CasePreloader::firstPicture(std::shared_ptr<const Image> image,
                                         const QString& imageId) {
  const SliceAxis axis = acquisitionAxis(*image);
  const std::size_t slice =
      image->size(static_cast<std::size_t>(sliceNormalAxis(*image, axis))) / 2;
  const WindowLevel window = defaultWindow(*image);
  return slicePrefetchItem(std::move(image), imageId.toStdString(), axis, slice, window);
}

}  // namespace medsa::ui
