#include <QTest>

#include "medsa/io/backends.h"

class TestIo : public QObject {
  Q_OBJECT

 private slots:
  void everyBackendReportsAVersion() {
    const auto backends = medsa::io::imageBackends();
    QStringList names;
    for (const auto& backend : backends) {
      names << QString::fromStdString(backend.name);
      QVERIFY2(!backend.version.empty(), backend.name.c_str());
      QVERIFY2(backend.version.front() >= '0' && backend.version.front() <= '9',
               backend.version.c_str());
    }
    QCOMPARE(names, (QStringList{QStringLiteral("ITK"), QStringLiteral("GDCM"),
                                 QStringLiteral("DCMTK"), QStringLiteral("OpenCV")}));
  }
};

QTEST_APPLESS_MAIN(TestIo)
#include "test_io.moc"
