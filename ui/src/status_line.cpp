#include "medsa/ui/status_line.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace medsa::ui {

StatusLine::StatusLine(QStatusBar* bar) : QObject(bar) {
  message_ = new QLabel(bar);
  message_->setObjectName(QStringLiteral("statusMessage"));
  message_->setMinimumWidth(120);
  message_->setTextFormat(Qt::PlainText);
  position_ = new QLabel(bar);
  position_->setObjectName(QStringLiteral("positionLabel"));
  position_->setMinimumWidth(260);
  position_->setTextFormat(Qt::PlainText);
  activity_ = new QLabel(bar);
  activity_->setObjectName(QStringLiteral("embeddingIndicator"));
  activity_->hide();
  progress_ = new QProgressBar(bar);
  progress_->setObjectName(QStringLiteral("loadProgress"));
  progress_->setMaximumWidth(160);
  progress_->setRange(0, 100);
  progress_->hide();
  cancel_ = new QToolButton(bar);
  cancel_->setObjectName(QStringLiteral("cancelOpenButton"));
  cancel_->setText(tr("Cancel"));
  cancel_->hide();
  latency_ = new QLabel(bar);
  latency_->setObjectName(QStringLiteral("latencyLabel"));
  engine_ = new QLabel(bar);
  engine_->setObjectName(QStringLiteral("engineLabel"));
  // All permanent: QStatusBar's own temporary messages would be drawn over normal widgets.
  bar->addPermanentWidget(message_, 1);
  bar->addPermanentWidget(position_);
  bar->addPermanentWidget(activity_);
  bar->addPermanentWidget(progress_);
  bar->addPermanentWidget(cancel_);
  bar->addPermanentWidget(latency_);
  bar->addPermanentWidget(engine_);
  expiry_.setSingleShot(true);
  connect(&expiry_, &QTimer::timeout, this, [this] { clearMessage(); });
}

void StatusLine::showMessage(const QString& text, int milliseconds) {
  text_ = text;
  if (milliseconds > 0)
    expiry_.start(milliseconds);
  else
    expiry_.stop();
  refresh();
}

void StatusLine::clearMessage(const QString& text) {
  if (!text.isEmpty() && text != text_) return;
  text_.clear();
  expiry_.stop();
  refresh();
}

QString StatusLine::message() const { return message_->text(); }

void StatusLine::setHint(const QString& hint) {
  hint_ = hint;
  refresh();
}

void StatusLine::refresh() {
  const bool hinting = text_.isEmpty();
  message_->setText(hinting ? hint_ : text_);
  // A hint reads as one, not as news.
  message_->setStyleSheet(hinting ? QStringLiteral("color: gray") : QString());
}

void StatusLine::setPosition(const QString& text) { position_->setText(text); }

QString StatusLine::position() const { return position_->text(); }

void StatusLine::setActivity(const QString& text, bool foreground) {
  activity_->setText(text);
  activity_->setStyleSheet(foreground ? QStringLiteral("color: #e0a000")
                                      : QStringLiteral("color: gray"));
  activity_->setVisible(!text.isEmpty());
}

void StatusLine::showProgress(bool visible) {
  progress_->setValue(0);
  progress_->setVisible(visible);
  cancel_->setVisible(visible);
}

void StatusLine::setProgress(int percent) { progress_->setValue(percent); }

void StatusLine::setLatency(const QString& text) { latency_->setText(text); }

QString StatusLine::latency() const { return latency_->text(); }

void StatusLine::setEngine(const QString& text) { engine_->setText(text); }

QString StatusLine::engine() const { return engine_->text(); }

}  // namespace medsa::ui
