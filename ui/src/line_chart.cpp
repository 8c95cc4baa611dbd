#include "medsa/ui/line_chart.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace medsa::ui {

std::vector<double> niceTicks(double low, double high, int count) {
  if (!(high > low) || count < 2) return {low};
  const double raw = (high - low) / (count - 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  // The step whose tick count comes closest to the one asked for.
  double step = power;
  double best = std::numeric_limits<double>::infinity();
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    const double candidate = factor * power;
    const double ticks =
        std::floor(high / candidate + 1e-9) - std::ceil(low / candidate - 1e-9) + 1;
    if (std::abs(ticks - count) < best) {
      best = std::abs(ticks - count);
      step = candidate;
    }
  }
  std::vector<double> ticks;
  const long long first = static_cast<long long>(std::ceil(low / step - 1e-9));
  const long long last = static_cast<long long>(std::floor(high / step + 1e-9));
  // k * step, not a running sum: 0.6, not 0.6000000000000001.
  for (long long k = first; k <= last; ++k)
    ticks.push_back(std::round(static_cast<double>(k) * step / power * 1e6) / 1e6 * power);
  return ticks;
}

LineChart::LineChart(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("lineChart"));
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void LineChart::setTitle(const QString& title) {
  title_ = title;
  update();
}

void LineChart::setAxisTitles(const QString& x, const QString& y) {
  xTitle_ = x;
  yTitle_ = y;
  update();
}

void LineChart::setSeries(std::vector<Series> series) {
  series_ = std::move(series);
  update();
}

void LineChart::setMarkers(std::vector<Marker> markers) {
  markers_ = std::move(markers);
  update();
}

void LineChart::setYRange(double low, double high) {
  fixedY_ = true;
  y_ = {low, high};
  update();
}

void LineChart::setWholeNumberX(bool on) {
  wholeX_ = on;
  update();
}

void LineChart::clearYRange() {
  fixedY_ = false;
  update();
}

LineChart::Range LineChart::xRange() const {
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const Series& s : series_) {
    for (double x : s.x) {
      low = std::min(low, x);
      high = std::max(high, x);
    }
  }
  for (const Marker& m : markers_) {
    low = std::min(low, m.x);
    high = std::max(high, m.x);
  }
  if (!std::isfinite(low)) return {0, 1};
  if (high <= low) return {low - 0.5, high + 0.5};
  return {low, high};
}

LineChart::Range LineChart::yRange() const {
  if (fixedY_) return y_;
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const Series& s : series_) {
    for (double y : s.y) {
      if (!std::isfinite(y)) continue;
      low = std::min(low, y);
      high = std::max(high, y);
    }
  }
  if (!std::isfinite(low)) return {0, 1};
  if (high <= low) return low >= 0 && low < 1 ? Range{0, 1} : Range{low - 0.5, high + 0.5};
  const double pad = (high - low) * 0.05;  // lines off the frame
  return {low - pad, high + pad};
}

void LineChart::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().color(QPalette::Base));
  const QFontMetrics metrics = painter.fontMetrics();
  const int line = metrics.height();
  // The plot area leaves room for the title and legend above, the tick labels and axis titles
  // left and below.
  const QRect plot = rect().adjusted(metrics.horizontalAdvance(QStringLiteral("0.000")) + line + 8,
                                     line * 2 + 6, -10, -(line * 2 + 6));
  if (plot.width() < 20 || plot.height() < 20) return;
  const Range xr = xRange(), yr = yRange();
  const auto toPoint = [&](double x, double y) {
    return QPointF(plot.left() + (x - xr.low) / (xr.high - xr.low) * plot.width(),
                   plot.bottom() - (y - yr.low) / (yr.high - yr.low) * plot.height());
  };
  const QColor text = palette().color(QPalette::Text);
  const QColor grid = palette().color(QPalette::Mid);

  painter.setPen(text);
  painter.drawText(QRect(0, 2, width(), line), Qt::AlignHCenter, title_);
  // Grid and tick labels.
  painter.setPen(QPen(grid, 0, Qt::DotLine));
  for (double t : niceTicks(yr.low, yr.high)) {
    const QPointF p = toPoint(xr.low, t);
    painter.setPen(QPen(grid, 0, Qt::DotLine));
    painter.drawLine(QPointF(plot.left(), p.y()), QPointF(plot.right(), p.y()));
    painter.setPen(text);
    painter.drawText(QRectF(0, p.y() - line / 2.0, plot.left() - 4, line),
                     Qt::AlignRight | Qt::AlignVCenter, QString::number(t, 'g', 3));
  }
  for (double t : niceTicks(xr.low, xr.high)) {
    if (wholeX_ && t != std::round(t)) continue;
    const QPointF p = toPoint(t, yr.low);
    painter.setPen(text);
    painter.drawText(QRectF(p.x() - 30, plot.bottom() + 2, 60, line), Qt::AlignCenter,
                     QString::number(t, 'g', 4));
  }
  painter.setPen(text);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot);
  painter.drawText(QRect(plot.left(), plot.bottom() + line + 2, plot.width(), line),
                   Qt::AlignHCenter, xTitle_);
  // The y title may run past the plot, over the widget's whole height (the plot is centred in
  // it), and is elided beyond that: a short chart cut "clicks / minutes" to "ks / min".
  const int room = height() - 4;
  painter.save();
  painter.translate(line / 2.0 + 2, plot.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-room / 2, -line / 2, room, line), Qt::AlignCenter,
                   metrics.elidedText(yTitle_, Qt::ElideRight, room));
  painter.restore();

  // Markers: a dashed line and its text at the top.
  for (const Marker& m : markers_) {
    const QPointF p = toPoint(m.x, yr.high);
    painter.setPen(QPen(QColor(0x90, 0x90, 0x90), 1, Qt::DashLine));
    painter.drawLine(QPointF(p.x(), plot.top()), QPointF(p.x(), plot.bottom()));
    painter.setPen(text);
    painter.drawText(QPointF(p.x() + 3, plot.top() + line), m.text);
  }

  // The series, clipped to the plot, and the legend above it.
  painter.save();
  painter.setClipRect(plot);
  painter.setRenderHint(QPainter::Antialiasing);
  for (const Series& s : series_) {
    QPainterPath path;
    bool started = false;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      const QPointF p = toPoint(s.x[i], s.y[i]);
      if (started) {
        path.lineTo(p);
      } else {
        path.moveTo(p);
        started = true;
      }
    }
    painter.setPen(QPen(s.colour, 2));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    if (s.dots) {
      painter.setBrush(s.colour);
      for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        if (std::isfinite(s.y[i])) painter.drawEllipse(toPoint(s.x[i], s.y[i]), 3, 3);
    }
  }
  painter.restore();
  int x = plot.left();
  for (const Series& s : series_) {
    painter.fillRect(QRect(x, line + 6, 14, 4), s.colour);
    painter.setPen(text);
    painter.drawText(QPoint(x + 18, line + 4 + metrics.ascent() / 2), s.name);
    x += 30 + metrics.horizontalAdvance(s.name);
  }
}

}  // namespace medsa::ui
