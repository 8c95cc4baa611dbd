// medsa_core's JSON reader and writer. It reads untrusted text (safetensors headers, adapter
// metadata, model configs), so every refusal is checked with its message and byte offset, and
// what it accepts is checked value by value.
// (No raw string literals: Qt 6.4's moc misreads the ones that hold a backslash.)
#include <QTest>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "medsa/core/json.h"

using namespace medsa;

namespace {

Json mustParse(std::string_view text) {
  Result<Json> json = parseJson(text);
  if (!json) qFatal("%s", json.error().describe().c_str());
  return std::move(json).value();
}

/// The message of a refused text, or "accepted".
std::string refusal(std::string_view text) {
  Result<Json> json = parseJson(text);
  return json ? std::string("accepted") : json.error().message;
}

std::string nested(int depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += open;
  text += inner;
  for (int i = 0; i < depth; ++i) text += close;
  return text;
}

}  // namespace

class TestJson : public QObject {
  Q_OBJECT

 private slots:
  void readsEveryKindOfValue() {
    const Json json = mustParse(
        " \t\r\n{\"null\": null, \"yes\": true, \"no\": false, \"int\": -12, \"real\": 2.5e-1,"
        " \"text\": \"a\\\"b\", \"list\": [1, [], {}, \"x\"], \"object\": {\"inner\": [true]}}"
        " \n");
    QVERIFY(json.isObject());
    QCOMPARE(json.asObject().size(), std::size_t(8));
    QVERIFY(json.find("null")->isNull());
    QCOMPARE(json.find("yes")->asBool(), true);
    QCOMPARE(json.find("no")->asBool(), false);
    QCOMPARE(json.find("int")->asNumber(), -12.0);
    QCOMPARE(json.find("real")->asNumber(), 0.25);
    QCOMPARE(json.find("text")->asString(), std::string("a\"b"));
    const Json::Array& list = json.find("list")->asArray();
    QCOMPARE(list.size(), std::size_t(4));
    QVERIFY(list[1].isArray() && list[1].asArray().empty());
    QVERIFY(list[2].isObject() && list[2].asObject().empty());
    QVERIFY(json.find("object")->find("inner")->asArray()[0].asBool());
    QCOMPARE(json.find("missing"), nullptr);
    QCOMPARE(list[0].find("anything"), nullptr);  // not an object
  }

  void readsAScalarDocument_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("dumped");
    QTest::newRow("null") << QByteArray("null") << QByteArray("null");
    QTest::newRow("true") << QByteArray(" true ") << QByteArray("true");
    QTest::newRow("zero") << QByteArray("0") << QByteArray("0");
    QTest::newRow("negative zero") << QByteArray("-0") << QByteArray("0");
    QTest::newRow("exponent") << QByteArray("1E+2") << QByteArray("100");
    QTest::newRow("fraction") << QByteArray("-0.5e-3") << QByteArray("-5e-04");
    QTest::newRow("string") << QByteArray("\"x\"") << QByteArray("\"x\"");
  }
  void readsAScalarDocument() {
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, dumped);
    QCOMPARE(QByteArray::fromStdString(mustParse(text.toStdString()).dump()), dumped);
  }

  void readsASafetensorsHeader() {
    const Json header = mustParse(
        "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],"
        "\"data_offsets\":[0,24]}}");
    const Json* w = header.find("w");
    QVERIFY(w);
    QCOMPARE(w->find("dtype")->asString(), std::string("F32"));
    QCOMPARE(w->find("shape")->asArray()[1].asInteger(), std::optional<std::int64_t>(3));
    QCOMPARE(w->find("data_offsets")->asArray()[1].asInteger(), std::optional<std::int64_t>(24));
    QCOMPARE(header.find("__metadata__")->find("format")->asString(), std::string("pt"));
  }

  void everyRefusalNamesItsReasonAndByte_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("message");
    const auto row = [](const char* name, QByteArray text, const char* message) {
      QTest::newRow(name) << text << QByteArray(message);
    };
    row("empty", "", "invalid JSON at byte 0: unexpected end of text");
    row("only space", "  \n", "invalid JSON at byte 3: unexpected end of text");
    row("a word", "nul", "invalid JSON at byte 0: expected a value");
    row("a BOM", "\xEF\xBB\xBF{}", "invalid JSON at byte 0: expected a value");
    row("NaN", "NaN", "invalid JSON at byte 0: expected a value");
    row("Infinity", "-Infinity", "invalid JSON at byte 1: expected a value");
    row("a plus sign", "+1", "invalid JSON at byte 0: expected a value");
    row("a bare fraction", ".5", "invalid JSON at byte 0: expected a value");
    row("a bare minus", "-", "invalid JSON at byte 1: expected a value");
    row("no fraction digits", "1.", "invalid JSON at byte 2: digits expected after '.'");
    row("no exponent digits", "1e+", "invalid JSON at byte 3: digits expected in exponent");
    row("a leading zero", "01", "invalid JSON at byte 1: unexpected data after the JSON value");
    row("too large", "1e309", "invalid JSON at byte 0: number out of range");
    row("too large, negative", "[0, -1e400]", "invalid JSON at byte 4: number out of range");
    row("two values", "1 2", "invalid JSON at byte 2: unexpected data after the JSON value");
    row("trailing garbage", "{} x", "invalid JSON at byte 3: unexpected data after the JSON value");
    row("a trailing NUL", QByteArray("{}\0", 3),
        "invalid JSON at byte 2: unexpected data after the JSON value");
    row("trailing comma in array", "[1,]", "invalid JSON at byte 3: expected a value");
    row("missing comma", "[1 2]", "invalid JSON at byte 3: expected ',' or ']'");
    row("unterminated array", "[1", "invalid JSON at byte 2: unterminated array");
    row("open brace", "{", "invalid JSON at byte 1: expected a member name");
    row("unquoted name", "{a:1}", "invalid JSON at byte 1: expected a member name");
    row("trailing comma in object", "{\"a\":1,}", "invalid JSON at byte 7: expected a member name");
    row("missing colon", "{\"a\" 1}", "invalid JSON at byte 5: expected ':'");
    row("missing comma in object", "{\"a\":1 \"b\":2}",
        "invalid JSON at byte 7: expected ',' or '}'");
    row("unterminated object", "{\"a\":1", "invalid JSON at byte 6: unterminated object");
    row("duplicate name", "{\"a\":1,\"a\":2}",
        "invalid JSON at byte 7: duplicate member name \"a\"");
    row("unterminated string", "\"abc", "invalid JSON at byte 4: unterminated string");
    row("unterminated escape", "\"a\\", "invalid JSON at byte 3: unterminated string");
    row("unknown escape", "\"a\\x\"", "invalid JSON at byte 2: invalid escape");
    row("bad hex digit", "\"\\u12G4\"", "invalid JSON at byte 5: invalid \\u escape");
    row("short escape", "\"\\u12\"", "invalid JSON at byte 5: invalid \\u escape");
    row("cut escape", "\"\\u12", "invalid JSON at byte 5: truncated \\u escape");
    row("lone high surrogate", "\"\\ud800\"", "invalid JSON at byte 1: unpaired surrogate");
    row("high then not low", "\"x\\uD800\\u0041\"", "invalid JSON at byte 2: unpaired surrogate");
    row("high then text", "\"\\ud800abc\"", "invalid JSON at byte 1: unpaired surrogate");
    row("lone low surrogate", "\"\\udc00\"", "invalid JSON at byte 1: unpaired surrogate");
    row("raw tab", "\"a\tb\"", "invalid JSON at byte 2: control character in string");
    row("raw newline", "\"a\nb\"", "invalid JSON at byte 2: control character in string");
    row("raw NUL", QByteArray("\"a\0\"", 4), "invalid JSON at byte 2: control character in string");
  }
  void everyRefusalNamesItsReasonAndByte() {
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, message);
    QCOMPARE(QByteArray::fromStdString(refusal(std::string_view(text.constData(), text.size()))),
             message);
  }

  void theErrorNamesTheSource() {
    Result<Json> json = parseJson("[", "adapter.json");
    QVERIFY(!json);
    QCOMPARE(json.error().code, ErrorCode::CorruptData);
    QCOMPARE(json.error().path, std::string("adapter.json"));
    QCOMPARE(json.error().describe(),
             std::string("adapter.json: invalid JSON at byte 1: unexpected end of text"));
  }

  void stringsMustBeUtf8_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("e acute") << QByteArray("\xC3\xA9") << true;
    QTest::newRow("CJK") << QByteArray("\xE4\xB8\xAD") << true;
    QTest::newRow("U+FFFF") << QByteArray("\xEF\xBF\xBF") << true;
    QTest::newRow("emoji") << QByteArray("\xF0\x9F\x98\x80") << true;
    QTest::newRow("U+10FFFF") << QByteArray("\xF4\x8F\xBF\xBF") << true;
    QTest::newRow("DEL") << QByteArray("\x7F") << true;
    QTest::newRow("lone continuation") << QByteArray("\x80") << false;
    QTest::newRow("0xFF") << QByteArray("\xFF") << false;
    QTest::newRow("overlong slash") << QByteArray("\xC0\xAF") << false;
    QTest::newRow("overlong 3 bytes") << QByteArray("\xE0\x80\xAF") << false;
    QTest::newRow("overlong 4 bytes") << QByteArray("\xF0\x80\x80\xAF") << false;
    QTest::newRow("encoded surrogate") << QByteArray("\xED\xA0\x80") << false;
    QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << false;
    QTest::newRow("cut 3-byte sequence") << QByteArray("\xE2\x82") << false;
    QTest::newRow("cut 4-byte sequence") << QByteArray("\xF0\x9F\x98") << false;
    QTest::newRow("lead then ASCII") << QByteArray("\xC3\x41") << false;
  }
  void stringsMustBeUtf8() {
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    const std::string text = "[\"ab" + bytes.toStdString() + "\"]";
    if (valid) {
      QCOMPARE(mustParse(text).asArray()[0].asString(), "ab" + bytes.toStdString());
    } else {
      QCOMPARE(refusal(text), std::string("invalid JSON at byte 4: invalid UTF-8 in string"));
    }
    // The same bytes as a member name.
    const std::string member = "{\"" + bytes.toStdString() + "\": 1}";
    QCOMPARE(refusal(member) == "accepted", valid);
  }

  void escapesBecomeTheirCharacters() {
    const Json json = mustParse(
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u4E2D\", \"\\ud83d\\ude00\", \"a\\u0000b\", "
        "\"\\uFFFF\"]");
    const Json::Array& strings = json.asArray();
    QCOMPARE(strings[0].asString(), std::string("\"\\/\b\f\n\r\t"));
    QCOMPARE(strings[1].asString(), std::string("\xC3\xA9\xE4\xB8\xAD"));
    QCOMPARE(strings[2].asString(), std::string("\xF0\x9F\x98\x80"));  // a surrogate pair
    QCOMPARE(strings[3].asString(), std::string("a\0b", 3));
    QCOMPARE(strings[4].asString(), std::string("\xEF\xBF\xBF"));
  }

  void nestingStopsAt128_data() {
    QTest::addColumn<QByteArray>("open");
    QTest::addColumn<QByteArray>("empty");
    QTest::addColumn<QByteArray>("close");
    QTest::newRow("arrays") << QByteArray("[") << QByteArray("[]") << QByteArray("]");
    QTest::newRow("objects") << QByteArray("{\"a\":") << QByteArray("{}") << QByteArray("}");
  }
  void nestingStopsAt128() {
    QFETCH(QByteArray, open);
    QFETCH(QByteArray, empty);
    QFETCH(QByteArray, close);
    const std::string o = open.toStdString(), e = empty.toStdString(), c = close.toStdString();
    // 128 levels are read whatever the innermost value is; a 129th opening is refused.
    QCOMPARE(refusal(nested(127, o, e, c)), std::string("accepted"));
    QCOMPARE(refusal(nested(128, o, "1", c)), std::string("accepted"));
    QCOMPARE(
        refusal(nested(128, o, e, c)),
        "invalid JSON at byte " + std::to_string(128 * o.size()) + ": nesting deeper than 128");
    // A hostile header of a million openings is refused, not a stack overflow.
    QCOMPARE(refusal(std::string(1000000, '[')),
             std::string("invalid JSON at byte 128: nesting deeper than 128"));
  }

  void numbersAtTheEdgesOfADouble() {
    QCOMPARE(mustParse("1.7976931348623157e308").asNumber(), 1.7976931348623157e308);
    QCOMPARE(mustParse("-1.7976931348623157e308").asNumber(), -1.7976931348623157e308);
    QCOMPARE(mustParse("5e-324").asNumber(), 5e-324);  // the smallest subnormal
    QCOMPARE(mustParse("2.2250738585072014e-308").asNumber(), 2.2250738585072014e-308);
    // Below the smallest double: zero with its sign, as other readers do.
    QCOMPARE(mustParse("1e-400").asNumber(), 0.0);
    QVERIFY(std::signbit(mustParse("-1e-400").asNumber()));
    QCOMPARE(mustParse("0.0000000000000000000001e-310").asNumber(), 0.0);
    QCOMPARE(mustParse("1e-99999999999999999999").asNumber(), 0.0);
    // ...but a long number whose digits make it large is still too large.
    QCOMPARE(refusal("1e99999999999999999999"),
             std::string("invalid JSON at byte 0: number out of range"));
    QCOMPARE(refusal(std::string(400, '9')),
             std::string("invalid JSON at byte 0: number out of range"));
    QCOMPARE(refusal("0." + std::string(400, '0') + "1e800"),
             std::string("invalid JSON at byte 0: number out of range"));
    QCOMPARE(mustParse("123456789012345678901234567890").asNumber(), 1.2345678901234568e29);
    QCOMPARE(mustParse("0." + std::string(1000, '0') + "1e1000").asNumber(), 0.1);
  }

  void integersAreReadOnlyWhenExact() {
    QCOMPARE(mustParse("24").asInteger(), std::optional<std::int64_t>(24));
    QCOMPARE(mustParse("-7").asInteger(), std::optional<std::int64_t>(-7));
    QCOMPARE(mustParse("1e3").asInteger(), std::optional<std::int64_t>(1000));
    QCOMPARE(mustParse("-9223372036854775808").asInteger(), std::optional<std::int64_t>(INT64_MIN));
    QCOMPARE(mustParse("9223372036854775808").asInteger(), std::nullopt);  // 2^63
    QCOMPARE(mustParse("1e300").asInteger(), std::nullopt);
    QCOMPARE(mustParse("-1e300").asInteger(), std::nullopt);
    QCOMPARE(mustParse("1.5").asInteger(), std::nullopt);
    QCOMPARE(mustParse("\"3\"").asInteger(), std::nullopt);
    QCOMPARE(mustParse("null").asInteger(), std::nullopt);
    // Numbers are doubles: beyond 2^53 integers arrive rounded.
    QCOMPARE(mustParse("9007199254740993").asInteger(),
             std::optional<std::int64_t>(9007199254740992));
  }

  void duplicateNamesAreRefusedAnywhere() {
    QCOMPARE(refusal("{\"a\":{\"b\":1,\"c\":2,\"b\":3}}"),
             std::string("invalid JSON at byte 18: duplicate member name \"b\""));
    // The same name in sibling objects is no duplicate; escapes are compared as characters.
    QCOMPARE(refusal("[{\"a\":1},{\"a\":2}]"), std::string("accepted"));
    QCOMPARE(refusal("{\"a\":1,\"\\u0061\":2}"),
             std::string("invalid JSON at byte 7: duplicate member name \"a\""));
  }

  void dumpWritesWhatParseReads() {
    const std::string text =
        "{\"b\":[1,2.5,-0.001,1e+300,5e-324,\"x\\n\\\"\\\\\"],\"a\":null,\"c\":{\"t\":true,\"f\":"
        "false}}";
    const Json json = mustParse(text);
    const std::string compact = json.dump();
    QCOMPARE(compact, std::string("{\"a\":null,\"b\":[1,2.5,-0.001,1e+300,5e-324,\"x\\n\\\"\\\\\"],"
                                  "\"c\":{\"f\":false,\"t\":true}}"));
    QCOMPARE(mustParse(compact).dump(), compact);
    const std::string pretty = json.dump(2);
    QVERIFY(pretty.find("\n  \"a\": null") != std::string::npos);
    QCOMPARE(mustParse(pretty).dump(), compact);
  }

  void dumpEscapesControlCharactersAndReplacesBytesThatAreNotUtf8() {
    QCOMPARE(Json(std::string("a\x01\x1f\t", 4)).dump(), std::string("\"a\\u0001\\u001f\\t\""));
    QCOMPARE(Json(std::string("\xC3\xA9")).dump(), std::string("\"\xC3\xA9\""));
    // A name in another encoding (Latin-1 e acute) still gives valid JSON.
    const std::string dumped = Json(std::string("caf\xE9.nii")).dump();
    QCOMPARE(dumped, std::string("\"caf\xEF\xBF\xBD.nii\""));
    QCOMPARE(mustParse(dumped).asString(), std::string("caf\xEF\xBF\xBD.nii"));
    QCOMPARE(Json(std::nan("")).dump(), std::string("null"));
    QCOMPARE(Json(HUGE_VAL).dump(), std::string("null"));
  }
};

QTEST_GUILESS_MAIN(TestJson)
#include "test_json.moc"
