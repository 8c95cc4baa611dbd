// Every public test file medsa reads, checked against what pydicom, nibabel and Pillow report
// (tests/data/io/reference.json, made by tests/data/io/make_test_data.py): size, components,
// geometry in LPS, and the values (range, sum, samples) after rescale and colour conversion.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "io_test_support.h"
#include "medsa/io/image_reader.h"

using namespace medsa;
using medsa::test::ioData;

namespace {

// Files decoded by a different library than the reference's, or stored in float32 by the format,
// are compared with a tolerance; the reason is given per entry.
double valueTolerance(const QString& file) {
  if (file == QLatin1String("693_J2KI.dcm")) return 1e-3;  // lossy JPEG 2000: OpenJPEG in both
  return 1e-6;
}

}  // namespace

class TestIoReference : public QObject {
  Q_OBJECT

 private slots:
  void readsLikeTheReferenceLibraries_data() {
    QTest::addColumn<QJsonObject>("entry");
    QFile file(QString::fromStdString(ioData("reference.json")));
    QVERIFY2(file.open(QIODevice::ReadOnly), "tests/data/io/reference.json is missing");
    const QJsonArray entries = QJsonDocument::fromJson(file.readAll()).array();
    QVERIFY(entries.size() > 50);
    for (const QJsonValue& value : entries) {
      const QJsonObject entry = value.toObject();
      QTest::newRow(entry[QLatin1String("file")].toString().toUtf8().constData()) << entry;
    }
  }

  void readsLikeTheReferenceLibraries() {
    QFETCH(QJsonObject, entry);
    const QString name = entry[QLatin1String("file")].toString();
    const Result<Image> read = io::readImage(ioData(name.toStdString()));
    QVERIFY2(read.ok(), test::describe(read));
    const Image& image = read.value();

    QCOMPARE(QString::fromStdString(image.metadata.format),
             entry[QLatin1String("format")].toString());
    const QJsonArray dims = entry[QLatin1String("dims")].toArray();
    for (int axis = 0; axis < 4; ++axis) {
      QCOMPARE(static_cast<qint64>(image.size(axis)), dims[axis].toInteger());
    }
    QCOMPARE(image.components(), entry[QLatin1String("components")].toInt());
    QCOMPARE(QString::fromStdString(image.metadata.modality),
             entry[QLatin1String("modality")].toString());

    // Geometry: DICOM decimal strings and NIfTI float32 fields carry ~7 significant digits.
    const QJsonArray spacing = entry[QLatin1String("spacing")].toArray();
    const QJsonArray origin = entry[QLatin1String("origin")].toArray();
    const QJsonArray direction = entry[QLatin1String("direction")].toArray();
    for (int i = 0; i < 3; ++i) {
      QVERIFY2(test::near(image.geometry.spacing[i], spacing[i].toDouble(), 1e-5),
               qPrintable(QStringLiteral("spacing[%1] %2 vs %3")
                              .arg(i)
                              .arg(image.geometry.spacing[i])
                              .arg(spacing[i].toDouble())));
      QVERIFY2(test::near(image.geometry.origin[i], origin[i].toDouble(), 1e-5),
               qPrintable(QStringLiteral("origin[%1] %2 vs %3")
                              .arg(i)
                              .arg(image.geometry.origin[i])
                              .arg(origin[i].toDouble())));
    }
    for (int i = 0; i < 9; ++i) {
      QVERIFY2(std::abs(image.geometry.direction[i] - direction[i].toDouble()) < 1e-5,
               qPrintable(QStringLiteral("direction[%1] %2 vs %3")
                              .arg(i)
                              .arg(image.geometry.direction[i])
                              .arg(direction[i].toDouble())));
    }

    if (!entry.contains(QLatin1String("min"))) return;  // pixels checked in test_io_dicom
    const double tolerance = valueTolerance(name);
    const auto [lo, hi] = image.valueRange();
    QVERIFY2(test::near(lo, entry[QLatin1String("min")].toDouble(), tolerance),
             qPrintable(QStringLiteral("min %1").arg(lo)));
    QVERIFY2(test::near(hi, entry[QLatin1String("max")].toDouble(), tolerance),
             qPrintable(QStringLiteral("max %1").arg(hi)));
    const double sum = test::pixelSum(image);
    QVERIFY2(test::near(sum, entry[QLatin1String("sum")].toDouble(), tolerance),
             qPrintable(QStringLiteral("sum %1 vs %2")
                            .arg(sum, 0, 'g', 15)
                            .arg(entry[QLatin1String("sum")].toDouble(), 0, 'g', 15)));
    for (const QJsonValue& value : entry[QLatin1String("samples")].toArray()) {
      const QJsonArray s = value.toArray();
      const double v = image.value(s[0].toInteger(), s[1].toInteger(), s[2].toInteger(),
                                   s[3].toInteger(), s[4].toInt());
      QVERIFY2(test::near(v, s[5].toDouble(), tolerance),
               qPrintable(QStringLiteral("value at (%1, %2, %3, %4) c%5: %6 vs %7")
                              .arg(s[0].toInteger())
                              .arg(s[1].toInteger())
                              .arg(s[2].toInteger())
                              .arg(s[3].toInteger())
                              .arg(s[4].toInt())
                              .arg(v)
                              .arg(s[5].toDouble())));
    }
  }
};

QTEST_APPLESS_MAIN(TestIoReference)
#include "test_io_reference.moc"
