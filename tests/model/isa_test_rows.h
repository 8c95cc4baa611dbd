#pragma once
// Data rows of the hand-written CPU kernels' tests: every case on every instruction set this CPU
// runs (sam/vector_isa.h), as columns "isa" (int) and "shape" (the case), each row named
// "<isa> <the case described>".

#include <QString>
#include <QTest>

#include "sam/vector_isa.h"

namespace medsa::test {

template <class Case, std::size_t N, class Describe>
void addRowsForEachIsa(const Case (&cases)[N], Describe describe) {
  QTest::addColumn<int>("isa");
  QTest::addColumn<Case>("shape");
  using model::VectorIsa;
  for (VectorIsa isa : {VectorIsa::Portable, VectorIsa::Avx2, VectorIsa::Avx512}) {
    if (!model::vectorIsaSupported(isa)) continue;
    for (const Case& c : cases) {
      const QString name =
          QString::fromLatin1(model::vectorIsaName(isa).data()) + QLatin1Char(' ') + describe(c);
      QTest::newRow(qPrintable(name)) << static_cast<int>(isa) << c;
    }
  }
}

}  // namespace medsa::test
