// Optional DICOM/SNOMED codes on labels (what DICOM SEG says a segment is): they survive the
// label set's JSON, are all-or-nothing, and a set without codes writes the same JSON as before.
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "medsa/annotations/label_set.h"

using namespace medsa;
using namespace medsa::annotations;

class TestLabelCodes : public QObject {
  Q_OBJECT

 private slots:
  void codesRoundTripThroughJson() {
    LabelSet set;
    Label liver{3, QStringLiteral("liver"), QColor(200, 100, 50)};
    liver.code = {QStringLiteral("SCT"), QStringLiteral("10200004"), QStringLiteral("Liver")};
    liver.category = {QStringLiteral("SCT"), QStringLiteral("123037004"),
                      QStringLiteral("Anatomical Structure")};
    set.insert(liver);
    Label tumour{4, QStringLiteral("tumour"), Qt::red};
    tumour.code = {QStringLiteral("SCT"), QStringLiteral("108369006"), QStringLiteral("Tumor")};
    set.insert(tumour);
    set.add(QStringLiteral("other"));

    const Result<LabelSet> back = LabelSet::fromJson(set.toJson());
    QVERIFY(back.ok());
    QCOMPARE(back.value(), set);
    QCOMPARE(back->find(3)->category.meaning, QStringLiteral("Anatomical Structure"));
    QVERIFY(back->find(4)->category.isEmpty());
    QVERIFY(back->find(1)->code.isEmpty());
  }

  void labelsWithoutCodesWriteNoCodeKeys() {
    LabelSet set;
    set.add(QStringLiteral("optic disc"));
    const QJsonObject label = set.toJson().value(QStringLiteral("labels")).toArray()[0].toObject();
    QVERIFY(!label.contains(QStringLiteral("code")));
    QVERIFY(!label.contains(QStringLiteral("category")));
    QCOMPARE(label.keys().size(), 5);
  }

  void incompleteCodesAreRefused_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("code not object") << QByteArray(
        "{\"labels\": [{\"value\": 1, \"colour\": \"#ff0000\", \"code\": \"10200004\"}]}");
    QTest::newRow("code without meaning") << QByteArray(
        "{\"labels\": [{\"value\": 1, \"colour\": \"#ff0000\","
        " \"code\": {\"scheme\": \"SCT\", \"value\": \"10200004\"}}]}");
    QTest::newRow("category without scheme") << QByteArray(
        "{\"labels\": [{\"value\": 2, \"colour\": \"#ff0000\","
        " \"category\": {\"value\": \"123037004\", \"meaning\": \"Anatomical Structure\"}}]}");
  }

  void incompleteCodesAreRefused() {
    QFETCH(QByteArray, json);
    const Result<LabelSet> result = LabelSet::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::CorruptData);
    QVERIFY2(result.error().message.find("needs a non-empty scheme, value and meaning") !=
                 std::string::npos,
             result.error().message.c_str());
  }
};

QTEST_APPLESS_MAIN(TestLabelCodes)
#include "test_label_codes.moc"
