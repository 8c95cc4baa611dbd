#include "medsa/annotations/label_set.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace medsa::annotations {
namespace {

// The first colours match what ITK-SNAP and Slicer users know (red, green, blue, yellow, ...);
// after them the hue advances by the golden angle so any two labels stay apart.
constexpr std::array<QRgb, 8> kPalette = {0xffe6194b, 0xff3cb44b, 0xff4363d8, 0xffffe119,
                                          0xfff58231, 0xff911eb4, 0xff46f0f0, 0xfff032e6};

Error formatError(const QString& reason) {
  return Error{ErrorCode::CorruptData, "label set: " + reason.toStdString(), {}};
}

QJsonObject codeToJson(const LabelCode& code) {
  return QJsonObject{{QStringLiteral("scheme"), code.scheme},
                     {QStringLiteral("value"), code.value},
                     {QStringLiteral("meaning"), code.meaning}};
}

/// A code is all three parts or absent: DICOM requires each of them.
Result<LabelCode> codeFromJson(const QJsonObject& label, const QString& key, double value) {
  const QJsonValue entry = label.value(key);
  if (entry.isUndefined()) return LabelCode{};
  const QJsonObject object = entry.toObject();
  LabelCode code{object.value(QStringLiteral("scheme")).toString(),
                 object.value(QStringLiteral("value")).toString(),
                 object.value(QStringLiteral("meaning")).toString()};
  if (!entry.isObject() || code.scheme.isEmpty() || code.value.isEmpty() ||
      code.meaning.isEmpty()) {
    return formatError(QStringLiteral("label %1: '%2' needs a non-empty scheme, value and meaning")
                           .arg(value)
                           .arg(key));
  }
  return code;
}

}  // namespace

QColor defaultLabelColour(quint16 value) {
  if (value == 0) return QColor(Qt::transparent);
  const int index = value - 1;
  if (index < static_cast<int>(kPalette.size())) return QColor::fromRgba(kPalette[index]);
  const int hue = static_cast<int>(index * 137.508) % 360;
  return QColor::fromHsv(hue, 200, 230);
}

quint16 LabelSet::add(const QString& name) {
  quint16 value = 1;
  for (const Label& label : labels_) {  // sorted: the first gap is the smallest free value
    if (label.value != value) break;
    if (value == std::numeric_limits<quint16>::max()) return 0;
    ++value;
  }
  insert(Label{value, name, defaultLabelColour(value), true, false});
  return value;
}

bool LabelSet::insert(const Label& label) {
  if (label.value == 0) return false;
  auto it = std::lower_bound(labels_.begin(), labels_.end(), label.value,
                             [](const Label& l, quint16 v) { return l.value < v; });
  if (it != labels_.end() && it->value == label.value) {
    *it = label;
  } else {
    labels_.insert(it, label);
  }
  return true;
}

bool LabelSet::remove(quint16 value) {
  return labels_.removeIf([value](const Label& l) { return l.value == value; }) > 0;
}

const Label* LabelSet::find(quint16 value) const {
  auto it = std::find_if(labels_.begin(), labels_.end(),
                         [value](const Label& l) { return l.value == value; });
  return it == labels_.end() ? nullptr : &*it;
}

Label* LabelSet::find(quint16 value) {
  // Non-const iterators: the list detaches first, so a copy's edits never reach the set it was
  // copied from (QList shares its data until one side writes).
  auto it = std::find_if(labels_.begin(), labels_.end(),
                         [value](const Label& l) { return l.value == value; });
  return it == labels_.end() ? nullptr : &*it;
}

bool LabelSet::isLocked(quint16 value) const {
  const Label* label = find(value);
  return label && label->locked;
}

QJsonObject LabelSet::toJson() const {
  QJsonArray array;
  for (const Label& label : labels_) {
    QJsonObject object{{QStringLiteral("value"), label.value},
                       {QStringLiteral("name"), label.name},
                       {QStringLiteral("colour"), label.colour.name(QColor::HexArgb)},
                       {QStringLiteral("visible"), label.visible},
                       {QStringLiteral("locked"), label.locked}};
    if (!label.code.isEmpty()) object.insert(QStringLiteral("code"), codeToJson(label.code));
    if (!label.category.isEmpty()) {
      object.insert(QStringLiteral("category"), codeToJson(label.category));
    }
    array.append(object);
  }
  return QJsonObject{{QStringLiteral("labels"), array}};
}

Result<LabelSet> LabelSet::fromJson(const QJsonObject& json) {
  const QJsonValue labelsValue = json.value(QStringLiteral("labels"));
  if (!labelsValue.isArray()) return formatError(QStringLiteral("'labels' must be an array"));
  LabelSet set;
  for (const QJsonValue& entry : labelsValue.toArray()) {
    if (!entry.isObject()) return formatError(QStringLiteral("each label must be an object"));
    const QJsonObject object = entry.toObject();
    const double value = object.value(QStringLiteral("value")).toDouble(-1);
    if (value < 1 || value > std::numeric_limits<quint16>::max() || value != std::floor(value)) {
      return formatError(QStringLiteral("label value must be an integer in 1..65535"));
    }
    if (set.find(static_cast<quint16>(value))) {
      return formatError(QStringLiteral("label value %1 appears twice").arg(value));
    }
    const QColor colour(object.value(QStringLiteral("colour")).toString());
    if (!colour.isValid()) {
      return formatError(QStringLiteral("label %1 has no valid colour").arg(value));
    }
    Result<LabelCode> code = codeFromJson(object, QStringLiteral("code"), value);
    if (!code) return code.error();
    Result<LabelCode> category = codeFromJson(object, QStringLiteral("category"), value);
    if (!category) return category.error();
    set.insert(Label{static_cast<quint16>(value), object.value(QStringLiteral("name")).toString(),
                     colour, object.value(QStringLiteral("visible")).toBool(true),
                     object.value(QStringLiteral("locked")).toBool(false), std::move(code).value(),
                     std::move(category).value()});
  }
  return set;
}

}  // namespace medsa::annotations
