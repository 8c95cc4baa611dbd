#pragma once

#include <QMainWindow>

class QLabel;

namespace medsa::ui {

class ViewerArea;

/// The application window: menus, the viewer area and the status bar.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);

  ViewerArea* viewerArea() const { return viewerArea_; }

  /// A short description of the segmentation engine ("LibTorch 1.13.1 · CPU · 2 threads"),
  /// shown permanently at the right of the status bar. The app composes it; the UI never asks
  /// the engine directly.
  void setEngineDescription(const QString& text);
  QString engineDescription() const;

  /// Extra lines for the About box (library versions), supplied by the app.
  void setAboutDetails(const QString& details);

 private:
  void createMenus();
  void showAbout();

  ViewerArea* viewerArea_ = nullptr;
  QLabel* engineLabel_ = nullptr;
  QString aboutDetails_;
};

}  // namespace medsa::ui
