#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

#include "medsa/annotations/label_set.h"

using namespace medsa;
using namespace medsa::annotations;

class TestAnnotations : public QObject {
  Q_OBJECT

 private slots:
  void addUsesSmallestFreeValueAndDistinctColours() {
    LabelSet set;
    QCOMPARE(set.add(QStringLiteral("liver")), quint16(1));
    QCOMPARE(set.add(QStringLiteral("spleen")), quint16(2));
    QCOMPARE(set.add(QStringLiteral("kidney")), quint16(3));
    QVERIFY(set.remove(2));
    QCOMPARE(set.add(QStringLiteral("pancreas")), quint16(2));  // fills the gap
    QCOMPARE(set.find(2)->name, QStringLiteral("pancreas"));
    QVERIFY(set.find(1)->colour != set.find(2)->colour);
    QVERIFY(set.find(2)->colour != set.find(3)->colour);
  }

  void paletteStaysDistinctBeyondItsFirstColours() {
    QSet<QRgb> colours;
    for (quint16 value = 1; value <= 40; ++value) colours.insert(defaultLabelColour(value).rgb());
    QVERIFY2(colours.size() >= 38, qPrintable(QString::number(colours.size())));
  }

  void backgroundIsNeverALabel() {
    LabelSet set;
    QVERIFY(!set.insert(Label{0, QStringLiteral("background"), Qt::black}));
    QVERIFY(set.isEmpty());
  }

  void lockIsReported() {
    LabelSet set;
    set.insert(Label{5, QStringLiteral("tumour"), Qt::red, true, true});
    QVERIFY(set.isLocked(5));
    QVERIFY(!set.isLocked(4));  // absent labels are not locked
  }

  void jsonRoundTrip() {
    LabelSet set;
    set.add(QStringLiteral("optic disc"));
    set.insert(Label{7, QStringLiteral("cup \u00e9"), QColor(10, 20, 30, 128), false, true});
    const Result<LabelSet> back = LabelSet::fromJson(set.toJson());
    QVERIFY(back.ok());
    QCOMPARE(back.value(), set);
  }

  // Plain escaped strings: Qt 6.4's moc mis-parses raw string literals and drops the class.
  void malformedJsonIsAnError_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("no labels") << QByteArray("{}");
    QTest::newRow("labels not array") << QByteArray("{\"labels\": 3}");
    QTest::newRow("entry not object") << QByteArray("{\"labels\": [1]}");
    QTest::newRow("value zero") << QByteArray(
        "{\"labels\": [{\"value\": 0, \"colour\": \"#ff0000\"}]}");
    QTest::newRow("value too big")
        << QByteArray("{\"labels\": [{\"value\": 70000, \"colour\": \"#ff0000\"}]}");
    QTest::newRow("value fractional")
        << QByteArray("{\"labels\": [{\"value\": 1.5, \"colour\": \"#ff0000\"}]}");
    QTest::newRow("duplicate") << QByteArray(
        "{\"labels\": [{\"value\": 1, \"colour\": \"#ff0000\"},"
        " {\"value\": 1, \"colour\": \"#00ff00\"}]}");
    QTest::newRow("bad colour") << QByteArray(
        "{\"labels\": [{\"value\": 1, \"colour\": \"reddish\"}]}");
  }

  void malformedJsonIsAnError() {
    QFETCH(QByteArray, json);
    const Result<LabelSet> result = LabelSet::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::CorruptData);
    QVERIFY(result.error().message.starts_with("label set: "));
  }
};

QTEST_APPLESS_MAIN(TestAnnotations)
#include "test_annotations.moc"
