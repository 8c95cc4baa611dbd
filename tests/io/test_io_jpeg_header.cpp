// The JPEG header walk that guards GDCM (core/io/src/jpeg_colour.h), on hand-made headers: it
// refuses exactly what makes libjpeg warn (GDCM asserts on a warning) and lets through what
// libjpeg reads silently, and it tells RGB from YCbCr streams by libjpeg's rules.
#include <QTest>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "jpeg_colour.h"  // white-box

using medsa::io::JpegColour;
using medsa::io::JpegFrame;
using Bytes = std::vector<std::uint8_t>;

namespace {

/// A marker segment: FF, the marker, the length (payload + 2), the payload.
Bytes segment(std::uint8_t marker, const std::string& payload) {
  const std::size_t length = payload.size() + 2;
  Bytes bytes{0xff, marker, std::uint8_t(length >> 8), std::uint8_t(length & 0xff)};
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

std::string adobe(std::size_t bytes, std::uint8_t transform) {
  std::string payload("Adobe\0\x64\0\0\0\0", 11);
  payload += static_cast<char>(transform);
  return payload.substr(0, bytes);
}

std::string jfif(std::size_t bytes, std::uint8_t major) {
  std::string payload("JFIF\0", 5);
  payload += static_cast<char>(major);
  payload += std::string("\x02\x00\x00\x01\x00\x01\x00\x00", 8);
  return payload.substr(0, bytes);
}

/// SOF0 of a 16 x 8 picture, 8 bits, one component per id.
std::string frameHeader(std::initializer_list<char> ids) {
  std::string payload{8, 0, 8, 0, 16, static_cast<char>(ids.size())};
  for (char id : ids) payload += {id, 0x11, 0};
  return payload;
}

/// SOI, the given segments, then a scan header: the part of a stream jpegFrame reads.
Bytes stream(std::initializer_list<Bytes> segments) {
  Bytes bytes{0xff, 0xd8};
  for (const Bytes& s : segments) bytes.insert(bytes.end(), s.begin(), s.end());
  const Bytes scan = segment(0xda, std::string("\x01\x01\x00\x00\x3f\x00", 6));
  bytes.insert(bytes.end(), scan.begin(), scan.end());
  return bytes;
}

bool readsFrame(const Bytes& bytes, JpegFrame* frame = nullptr) {
  JpegFrame ignored;
  return medsa::io::jpegFrame(bytes.data(), bytes.size(), frame ? frame : &ignored);
}

JpegColour colourOf(const Bytes& bytes) {
  return medsa::io::jpegColour(bytes.data(), bytes.size());
}

const Bytes kRgbFrame = segment(0xc0, frameHeader({'R', 'G', 'B'}));
const Bytes kYcbcrFrame = segment(0xc0, frameHeader({1, 2, 3}));
const Bytes kGreyFrame = segment(0xc0, frameHeader({1}));

}  // namespace

class TestIoJpegHeader : public QObject {
  Q_OBJECT

 private slots:
  void theFrameHeaderIsRead() {
    JpegFrame frame;
    QVERIFY(readsFrame(stream({segment(0xee, adobe(12, 0)), kRgbFrame}), &frame));
    QCOMPARE(frame.width, 16);
    QCOMPARE(frame.height, 8);
    QCOMPARE(frame.components, 3);
    QCOMPARE(frame.precision, 8);
  }

  void segmentsTooShortForLibjpegAreSkipped() {
    // libjpeg takes an Adobe APP14 from 12 bytes on, a JFIF APP0 from 14: shorter ones are only
    // traced and skipped, whatever they hold.
    for (std::size_t bytes : {5, 6, 10, 11}) {
      QVERIFY2(readsFrame(stream({segment(0xee, adobe(bytes, 7)), kRgbFrame})),
               qPrintable(QString::number(bytes)));
      QCOMPARE(colourOf(stream({segment(0xee, adobe(bytes, 1)), kRgbFrame})), JpegColour::Rgb);
      QCOMPARE(colourOf(stream({segment(0xee, adobe(bytes, 0)), kYcbcrFrame})), JpegColour::YCbCr);
    }
    for (std::size_t bytes : {5, 6, 7, 13}) {
      QVERIFY2(readsFrame(stream({segment(0xe0, jfif(bytes, 3)), kRgbFrame})),
               qPrintable(QString::number(bytes)));
      QCOMPARE(colourOf(stream({segment(0xe0, jfif(bytes, 1)), kRgbFrame})), JpegColour::Rgb);
    }
  }

  void whatMakesLibjpegWarnIsRefused() {
    // An Adobe transform other than RGB (0) or YCbCr (1) for three components, without JFIF.
    QVERIFY(readsFrame(stream({segment(0xee, adobe(12, 0)), kRgbFrame})));
    QVERIFY(readsFrame(stream({segment(0xee, adobe(12, 1)), kYcbcrFrame})));
    QVERIFY(!readsFrame(stream({segment(0xee, adobe(12, 2)), kYcbcrFrame})));
    QVERIFY(!readsFrame(stream({kYcbcrFrame, segment(0xee, adobe(12, 9))})));  // after SOF too
    // A JFIF major version other than 1.
    QVERIFY(readsFrame(stream({segment(0xe0, jfif(14, 1)), kYcbcrFrame})));
    QVERIFY(!readsFrame(stream({segment(0xe0, jfif(14, 2)), kYcbcrFrame})));
    // Stray bytes between segments, a second SOI, a second frame, an end before the scan.
    Bytes stray = stream({kRgbFrame});
    stray.insert(stray.begin() + 2, 0x00);
    QVERIFY(!readsFrame(stray));
    QVERIFY(!readsFrame(stream({Bytes{0xff, 0xd8}, kRgbFrame})));
    QVERIFY(!readsFrame(stream({kRgbFrame, kRgbFrame})));
    QVERIFY(!readsFrame(stream({Bytes{0xff, 0xd9}, kRgbFrame})));
  }

  void whatLibjpegReadsSilentlyPasses() {
    // The Adobe transform means nothing for one component, and JFIF decides before Adobe.
    QVERIFY(readsFrame(stream({segment(0xee, adobe(12, 9)), kGreyFrame})));
    QVERIFY(
        readsFrame(stream({segment(0xe0, jfif(14, 1)), segment(0xee, adobe(12, 9)), kYcbcrFrame})));
    // Restart markers and TEM have no length; libjpeg skips them before the first scan.
    QVERIFY(readsFrame(stream({Bytes{0xff, 0x01}, Bytes{0xff, 0xd3}, kRgbFrame})));
    // Fill bytes before a marker.
    QVERIFY(readsFrame(stream({Bytes{0xff, 0xff}, kRgbFrame})));
  }

  void colourFollowsLibjpeg() {
    QCOMPARE(colourOf(stream({segment(0xe0, jfif(14, 1)), kRgbFrame})), JpegColour::YCbCr);
    QCOMPARE(colourOf(stream({segment(0xee, adobe(12, 0)), kYcbcrFrame})), JpegColour::Rgb);
    QCOMPARE(colourOf(stream({segment(0xee, adobe(12, 1)), kRgbFrame})), JpegColour::YCbCr);
    QCOMPARE(colourOf(stream({kRgbFrame})), JpegColour::Rgb);
    QCOMPARE(colourOf(stream({kYcbcrFrame})), JpegColour::YCbCr);
    QCOMPARE(colourOf(stream({Bytes{0xff, 0x01}, kRgbFrame})), JpegColour::Rgb);
    QCOMPARE(colourOf(stream({kGreyFrame})), JpegColour::Unknown);
  }
};

QTEST_APPLESS_MAIN(TestIoJpegHeader)
#include "test_io_jpeg_header.moc"
