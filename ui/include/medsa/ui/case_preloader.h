#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"
#include "medsa/ui/engine_controller.h"

namespace medsa::ui {

class PolledProgress;

/// Reads the next case in the background while the user works on this one, so "Next Case" opens
/// at once and its first picture can be embedded before it is shown. One case at a time; a new
/// preload cancels the previous one. Failures are silent here: opening the case reports them.
class CasePreloader : public QObject {
  Q_OBJECT

 public:
  using Read = std::function<Result<Image>(const std::string& path, ProgressSink* progress,
                                           CancellationToken cancel)>;

  /// Files larger than this are not preloaded: holding two big volumes is not worth a faster
  /// switch.
  static constexpr qint64 kMaxFileBytes = qint64(512) << 20;

  explicit CasePreloader(QObject* parent = nullptr);
  ~CasePreloader() override;

  /// Starts reading `path` (a file) with `read`; returns false when it is not worth it (a
  /// folder, a missing or too large file) and nothing starts.
  bool preload(const QString& path, Read read);
  /// Drops what was read or is being read.
  void clear();
  /// The image read, while the preloader holds it (null before it is ready).
  std::shared_ptr<const Image> image() const { return image_; }
  /// The image read for `path`, once ready; the preloader forgets it.
  std::shared_ptr<Image> take(const QString& path);

  /// The picture a user sees first when `image` opens (the acquisition plane's middle slice in
  /// the default window) and its cache key, as Document and ViewerArea will make them.
  static PrefetchItem firstPicture(std::shared_ptr<const Image> image, const QString& imageId);

 signals:
  void ready(const QString& path);

 private:
  QFutureWatcher<Result<Image>> watcher_;
  std::shared_ptr<PolledProgress> progress_;
  QString path_;
  std::shared_ptr<Image> image_;
};

}  // namespace medsa::ui
