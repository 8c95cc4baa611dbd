#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;

namespace medsa::ui {

/// The window's status bar and its rules. Every part has a place of its own, so nothing is
/// drawn over anything else: the message (left, stretching), the position readout under the
/// mouse, the background-work indicator, the open progress with its Cancel button, the last
/// click's latency and the engine description (right). A message lasts its time, or until the
/// work it describes ends; without one, a hint says what the user can do next.
class StatusLine : public QObject {
  Q_OBJECT

 public:
  explicit StatusLine(QStatusBar* bar);

  /// A message for `milliseconds` (0: until replaced or cleared).
  void showMessage(const QString& text, int milliseconds = 6000);
  /// Clears the message when it is still `text` (work that ended takes its note along).
  void clearMessage(const QString& text = {});
  QString message() const;
  /// What is shown while there is no message: what the user can do next.
  void setHint(const QString& hint);
  QString hint() const { return hint_; }

  void setPosition(const QString& text);
  QString position() const;
  /// Background work (embeddings, model loading); an empty text hides it.
  void setActivity(const QString& text, bool foreground);
  void showProgress(bool visible);
  void setProgress(int percent);
  /// The last click's latency, shown until the prompt it belongs to is gone.
  void setLatency(const QString& text);
  QString latency() const;
  void setEngine(const QString& text);
  QString engine() const;
  QToolButton* cancelButton() const { return cancel_; }

 private:
  void refresh();

  QLabel* message_;
  QLabel* position_;
  QLabel* activity_;
  QProgressBar* progress_;
  QToolButton* cancel_;
  QLabel* latency_;
  QLabel* engine_;
  QString text_;
  QString hint_;
  QTimer expiry_;
};

}  // namespace medsa::ui
