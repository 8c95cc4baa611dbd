#include "medsa/ui/window_geometry.h"

#include <QGuiApplication>
#include <QMainWindow>
#include <QScreen>
#include <QSettings>

namespace medsa::ui {
namespace {

const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");

}  // namespace

void restoreWindowGeometry(QMainWindow& window) {
  const QSettings settings;
  // restoreGeometry moves a window saved on a screen that is gone back onto one that is here.
  if (window.restoreGeometry(settings.value(kGeometry).toByteArray())) {
    window.restoreState(settings.value(kState).toByteArray());
    return;
  }
  const QScreen* screen = window.screen() ? window.screen() : QGuiApplication::primaryScreen();
  if (!screen) return;
  const QRect available = screen->availableGeometry();
  // The frame (title bar, borders) is not known before the window is shown: leave room for it.
  const QSize size = (available.size() * 0.9).boundedTo(QSize(1600, 1000));
  window.resize(size);
  window.move(available.center() - QPoint(size.width() / 2, size.height() / 2));
}

void rememberWindowGeometry(const QMainWindow& window) {
  QSettings settings;
  settings.setValue(kGeometry, window.saveGeometry());
  settings.setValue(kState, window.saveState());
}

}  // namespace medsa::ui
