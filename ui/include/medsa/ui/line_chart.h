#pragma once

#include <QColor>
#include <QString>
#include <QWidget>

#include <vector>

namespace medsa::ui {

/// A small line chart of our own, drawn with QPainter: the trainer's loss and held-out Dice, the
/// effort per case. (Debian's Qt Charts is GPL-3 only and would make our Apache-2.0 package a
/// GPL one.) Several series share the x axis; each has its colour and its own y range or the
/// chart's; vertical markers name events on the x axis (an adapter version going live).
class LineChart : public QWidget {
  Q_OBJECT

 public:
  struct Series {
    QString name;
    QColor colour;
    std::vector<double> x, y;
    bool dots = false;  ///< draw each point (few points), else a line only
  };
  struct Marker {
    double x = 0;
    QString text;
  };

  explicit LineChart(QWidget* parent = nullptr);

  void setTitle(const QString& title);
  void setAxisTitles(const QString& x, const QString& y);
  /// Replaces the series (their points are copied).
  void setSeries(std::vector<Series> series);
  void setMarkers(std::vector<Marker> markers);
  /// A fixed y range ([0, 1] for Dice); without one the range follows the data.
  void setYRange(double low, double high);
  void clearYRange();
  /// Ticks on the x axis only at whole numbers (versions, case numbers).
  void setWholeNumberX(bool on);
  const std::vector<Series>& series() const { return series_; }

  QSize sizeHint() const override { return {360, 200}; }
  QSize minimumSizeHint() const override { return {200, 120}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  struct Range {
    double low = 0, high = 1;
  };
  Range xRange() const;
  Range yRange() const;

  QString title_, xTitle_, yTitle_;
  std::vector<Series> series_;
  std::vector<Marker> markers_;
  bool fixedY_ = false;
  bool wholeX_ = false;
  Range y_;
};

/// Round numbers for an axis from `low` to `high`: about `count` ticks at 1, 2 or 5 times a
/// power of ten.
std::vector<double> niceTicks(double low, double high, int count = 5);

}  // namespace medsa::ui
