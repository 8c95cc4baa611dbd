// The checkpoint reader treats every file as hostile: it must load the official formats, refuse
// anything that would execute code, report every key problem, and never crash on damaged input.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QTest>

#include <random>

#include "checkpoint/checkpoint_reader.h"
#include "checkpoint/pickle_reader.h"
#include "medsa/core/atomic_file.h"
#include "medsa/model/sam_model.h"
#include "parity_fixture.h"

#include <caffe2/serialize/inline_container.h>

using namespace medsa;
using namespace medsa::model;

namespace {

const QString kDataDir = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity");

std::string tinyPath() { return (kDataDir + "/tiny.pth").toStdString(); }

std::string fileBytes(const std::string& path) { return readWholeFile(path).value(); }

// A torch.save-style zip archive whose data.pkl is `pickle`.
std::string zipWithPickle(const std::string& pickle) {
  std::string out;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
      out.append(static_cast<const char*>(data), size);
      return size;
    });
    writer.writeRecord("data.pkl", pickle.data(), pickle.size());
    writer.writeEndOfFile();
  }
  return out;
}

std::string str(std::initializer_list<unsigned char> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// Protocol-2 pickle: GLOBAL module.name, EMPTY_TUPLE, REDUCE, STOP — "call module.name()".
std::string callGlobal(const std::string& module, const std::string& name) {
  return str({0x80, 2}) + "c" + module + "\n" + name + "\n" + ")R.";
}

// A protocol-2 pickle as torch.save writes it for {"model": OrderedDict(tensors), "epoch": 12},
// in a zip archive with one storage record per tensor.
std::string trainingCheckpoint(const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  const auto unicode = [](const std::string& text) {
    const auto n = static_cast<std::uint32_t>(text.size());
    return "X" + std::string(reinterpret_cast<const char*>(&n), 4) + text;
  };
  const auto small = [](int value) { return "K" + std::string(1, static_cast<char>(value)); };
  std::string pickle = str({0x80, 2}) + "}(" + unicode("model") + "ccollections\nOrderedDict\n)R(";
  std::vector<std::string> records;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const torch::Tensor t = tensors[i].second.contiguous();
    std::string sizes = "(", strides = "(";
    for (int64_t d = 0; d < t.dim(); ++d) {
      sizes += small(static_cast<int>(t.size(d)));
      strides += small(static_cast<int>(t.stride(d)));
    }
    pickle += unicode(tensors[i].first) + "ctorch._utils\n_rebuild_tensor_v2\n((" +
              unicode("storage") + "ctorch\nFloatStorage\n" + unicode(std::to_string(i)) +
              unicode("cpu") + small(static_cast<int>(t.numel())) + "tQ" + small(0) + sizes + "t" +
              strides + "t" + str({0x89}) + "ccollections\nOrderedDict\n)RtR";
    records.emplace_back(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  }
  pickle += "u" + unicode("epoch") + small(12) + "u.";
  std::string out;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
      out.append(static_cast<const char*>(data), size);
      return size;
    });
    writer.writeRecord("data.pkl", pickle.data(), pickle.size());
    for (size_t i = 0; i < records.size(); ++i) {
      writer.writeRecord("data/" + std::to_string(i), records[i].data(), records[i].size());
    }
    writer.writeEndOfFile();
  }
  return out;
}

Result<PickleValue> unpickleBytes(const std::string& data) {
  const StorageLoader noStorage = [](const std::string&, torch::ScalarType,
                                     std::int64_t) -> Result<torch::Tensor> {
    return Error{ErrorCode::CheckpointInvalid, "no storage in this test", {}};
  };
  return unpickle(data, noStorage, "test.pkl");
}

}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT

 private slots:
  void readsOfficialStateDictWithMetadata() {
    // tiny.pth is torch.save(model.state_dict()): an OrderedDict with _metadata, on which
    // LibTorch's own pickle_load aborts.
    const auto loaded = readCheckpoint(tinyPath());
    QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().describe().c_str());
    QCOMPARE(loaded->format, std::string("pth"));
    QCOMPARE(loaded->tensors.size(), size_t(188));
    QCOMPARE(loaded->tensors.front().first, std::string("image_encoder.pos_embed"));
    QCOMPARE(loaded->tensors.front().second.sizes().vec(), (std::vector<int64_t>{1, 16, 16, 48}));
    QVERIFY(loaded->nestedKey.empty());
    QVERIFY(!loaded->strippedModulePrefix);
  }

  void refusesEveryOtherGlobal_data() {
    QTest::addColumn<QString>("module");
    QTest::addColumn<QString>("name");
    QTest::newRow("os.system") << "os"
                               << "system";
    QTest::newRow("builtins.eval") << "builtins"
                                   << "eval";
    QTest::newRow("subprocess.Popen") << "subprocess"
                                      << "Popen";
    QTest::newRow("torch.storage._load_from_bytes") << "torch.storage"
                                                    << "_load_from_bytes";
    QTest::newRow("numpy reconstruct") << "numpy.core.multiarray"
                                       << "_reconstruct";
    QTest::newRow("torch.nn Module") << "torch.nn.modules.linear"
                                     << "Linear";
  }

  void refusesEveryOtherGlobal() {
    QFETCH(QString, module);
    QFETCH(QString, name);
    const auto result = readCheckpointBytes(
        zipWithPickle(callGlobal(module.toStdString(), name.toStdString())), "evil.pth");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::CheckpointInvalid);
    const std::string expected =
        "refusing global '" + module.toStdString() + "." + name.toStdString() + "'";
    QVERIFY2(result.error().message.find(expected) != std::string::npos,
             result.error().message.c_str());
    QCOMPARE(result.error().path, std::string("evil.pth"));
  }

  void refusesStackGlobalToo() {
    // Protocol 4 spells globals as two strings and STACK_GLOBAL.
    const std::string pickle =
        str({0x80, 4}) + str({0x8c, 2}) + "os" + str({0x8c, 6}) + "system" + str({0x93}) + ")R.";
    const auto result = unpickleBytes(pickle);
    QVERIFY(!result.ok());
    QVERIFY(result.error().message.find("refusing global 'os.system'") != std::string::npos);
  }

  void rejectsMalformedPickles_data() {
    QTest::addColumn<QByteArray>("pickle");
    QTest::addColumn<QString>("reason");
    auto bytes = [](const std::string& s) {
      return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
    };
    QTest::newRow("no STOP") << bytes(str({0x80, 2, '}'})) << "without STOP";
    QTest::newRow("missing memo") << bytes(str({0x80, 2, 'h', 7, '.'})) << "memo entry 7 missing";
    QTest::newRow("pop empty") << bytes(str({0x80, 2, '0', '.'})) << "empty stack";
    QTest::newRow("SETITEM on list")
        << bytes(str({0x80, 2, ']', 'K', 1, 'K', 2, 's', '.'})) << "SETITEMS on a list";
    QTest::newRow("string past end")
        << bytes(str({0x80, 2, 'X', 0xff, 0xff, 0, 0, 'a'})) << "truncated";
    QTest::newRow("protocol 9") << bytes(str({0x80, 9, '.'})) << "unsupported pickle protocol 9";
    QTest::newRow("unknown opcode") << bytes(str({0x80, 2, 'i', '.'})) << "unsafe pickle opcode";
    QTest::newRow("two values at STOP")
        << bytes(str({0x80, 2, 'N', 'N', '.'})) << "STOP with 2 values";
    QTest::newRow("OrderedDict with args")
        << bytes(str({0x80, 2}) + "ccollections\nOrderedDict\n" + str({'(', 'K', 1, 't', 'R', '.'}))
        << "OrderedDict built from arguments";
  }

  void rejectsMalformedPickles() {
    QFETCH(QByteArray, pickle);
    QFETCH(QString, reason);
    const auto result = unpickleBytes(pickle.toStdString());
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message.find(reason.toStdString()) != std::string::npos,
             result.error().message.c_str());
  }

  void tensorViewMustStayInsideItsStorage() {
    // _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 4), offset 2, size (3,), stride
    // (1,))
    const std::string pickle = str({0x80, 2}) + "ctorch._utils\n_rebuild_tensor_v2\n(" + "(X" +
                               str({7, 0, 0, 0}) + "storage" + "ctorch\nFloatStorage\n" + "X" +
                               str({1, 0, 0, 0}) + "0" + "X" + str({3, 0, 0, 0}) + "cpu" + "K" +
                               str({4}) + "tQ" + "K" + str({2}) + "K" + str({3, 0x85}) + "K" +
                               str({1, 0x85}) + str({0x89}) + "}tR.";
    const StorageLoader storage = [](const std::string&, torch::ScalarType dtype,
                                     std::int64_t n) -> Result<torch::Tensor> {
      return torch::arange(n, torch::TensorOptions().dtype(dtype));
    };
    const auto result = unpickle(pickle, storage, "view.pkl");
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message.find("reaches past its storage") != std::string::npos,
             result.error().message.c_str());
  }

  void reportsMissingUnexpectedAndMisshapenKeys() {
    auto loaded = readCheckpoint(tinyPath());
    QVERIFY(loaded.ok());
    auto tensors = loaded->tensors;
    tensors.erase(tensors.begin() + 3);                              // one missing
    tensors.emplace_back("image_encoder.extra", torch::zeros({2}));  // one unexpected
    tensors[0].second = torch::zeros({1, 8, 8, 48});                 // one with another shape
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/broken.safetensors").toStdString();
    QVERIFY(writeSafetensors(path, tensors, {}).ok());
    const SamConfig config = test::manifestConfig(kDataDir + "/manifest.json", "tiny");
    const auto model = SamModel::load(path, config, {});
    QVERIFY(!model.ok());
    const std::string& message = model.error().message;
    QCOMPARE(model.error().code, ErrorCode::CheckpointInvalid);
    QVERIFY2(message.find("1 missing:\n    " + loaded->tensors[3].first) != std::string::npos,
             message.c_str());
    QVERIFY2(message.find("1 unexpected:\n    image_encoder.extra [2]") != std::string::npos,
             message.c_str());
    QVERIFY2(message.find("image_encoder.pos_embed: file [1, 8, 8, 48], model [1, 16, 16, 48]") !=
                 std::string::npos,
             message.c_str());
  }

  void wrongGeometryIsReportedNotGuessed() {
    const auto model = SamModel::load(tinyPath(), SamConfig::preset("vit_b").value(), {});
    QVERIFY(!model.ok());
    QVERIFY(model.error().message.find("with another shape") != std::string::npos);
  }

  void nestedCheckpointsAndModulePrefix() {
    // What a training script saves: {"model": OrderedDict of "module."-prefixed tensors, "epoch":
    // 12}.
    const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"module.layer.weight", torch::arange(6, torch::kFloat).reshape({2, 3})},
        {"module.layer.bias", torch::tensor({0.5f, -1.5f})}};
    const auto loaded = readCheckpointBytes(trainingCheckpoint(tensors), "train.pth");
    QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message.c_str());
    QCOMPARE(loaded->nestedKey, std::string("model"));
    QVERIFY(loaded->strippedModulePrefix);
    QCOMPARE(loaded->tensors.size(), size_t(2));
    QCOMPARE(loaded->tensors[0].first, std::string("layer.weight"));
    QVERIFY(torch::equal(loaded->tensors[0].second, tensors[0].second));
    QCOMPARE(loaded->tensors[1].first, std::string("layer.bias"));
    QVERIFY(torch::equal(loaded->tensors[1].second, tensors[1].second));
  }

  void halfPrecisionCheckpointsLoad_data() {
    QTest::addColumn<int>("dtype");
    QTest::newRow("fp16") << static_cast<int>(torch::kHalf);
    QTest::newRow("bf16") << static_cast<int>(torch::kBFloat16);
  }

  void halfPrecisionCheckpointsLoad() {
    QFETCH(int, dtype);
    auto loaded = readCheckpoint(tinyPath());
    QVERIFY(loaded.ok());
    for (auto& [name, tensor] : loaded->tensors)
      tensor = tensor.to(static_cast<torch::ScalarType>(dtype));
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/half.safetensors").toStdString();
    QVERIFY(writeSafetensors(path, loaded->tensors, {{"format", "pt"}}).ok());
    const SamConfig config = test::manifestConfig(kDataDir + "/manifest.json", "tiny");
    const auto model = SamModel::load(path, config, {});
    QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
    for (const TensorInfo& info : model.value()->tensors())
      QCOMPARE(info.dtype, std::string("Float"));
  }

  void safetensorsRoundTrip() {
    auto loaded = readCheckpoint(tinyPath());
    QVERIFY(loaded.ok());
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/tiny.safetensors").toStdString();
    QVERIFY(writeSafetensors(path, loaded->tensors, {{"arch", "tiny"}}).ok());
    const auto back = readCheckpoint(path);
    QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
    QCOMPARE(back->format, std::string("safetensors"));
    QCOMPARE(back->metadata.find("arch")->asString(), std::string("tiny"));
    QCOMPARE(back->tensors.size(), loaded->tensors.size());
    std::map<std::string, torch::Tensor> byName(back->tensors.begin(), back->tensors.end());
    for (const auto& [name, tensor] : loaded->tensors)
      QVERIFY2(torch::equal(byName.at(name), tensor), name.c_str());
  }

  void namesTheFileAndReason_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QByteArray() << int(ErrorCode::Truncated) << "empty";
    QTest::newRow("text") << QByteArray("hello, I am not a model\n")
                          << int(ErrorCode::UnsupportedFormat) << "not a checkpoint";
    QTest::newRow("legacy torch.save")
        << QByteArray("\x80\x02\x8a\x0alz", 6) << int(ErrorCode::UnsupportedFormat) << "legacy";
    QTest::newRow("zip header only")
        << QByteArray("PK\x03\x04garbage", 11) << int(ErrorCode::CheckpointInvalid)
        << "not a readable torch.save archive";
    QTest::newRow("safetensors header too long")
        << QByteArray("\xff\x00\x00\x00\x00\x00\x00\x00{}", 10) << int(ErrorCode::CheckpointInvalid)
        << "exceeds the file";
  }

  void namesTheFileAndReason() {
    QFETCH(QByteArray, content);
    QFETCH(int, code);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/model.pth").toStdString();
    QVERIFY(writeFileAtomically(path, std::string_view(content.constData(), content.size())).ok());
    const auto result = readCheckpoint(path);
    QVERIFY(!result.ok());
    QCOMPARE(int(result.error().code), code);
    QCOMPARE(result.error().path, path);
    QVERIFY2(result.error().message.find(reason.toStdString()) != std::string::npos,
             result.error().message.c_str());
    const auto missing = readCheckpoint(path + ".nope");
    QCOMPARE(missing.error().code, ErrorCode::FileNotFound);
  }

  // The fuzzer's seeds are real files of both formats; its findings stay as regression inputs.
  void fuzzCorpusSeedsAndRegressions() {
    const std::string corpus = MEDSA_TEST_DATA_DIR "/../fuzz/corpus/checkpoint/";
    const auto pth = readCheckpoint(corpus + "small.pth");
    QVERIFY2(pth.ok(), pth.ok() ? "" : pth.error().message.c_str());
    QCOMPARE(pth->nestedKey, std::string("model"));
    QCOMPARE(pth->tensors.front().first, std::string("w"));
    const auto safetensors = readCheckpoint(corpus + "small.safetensors");
    QVERIFY2(safetensors.ok(), safetensors.ok() ? "" : safetensors.error().message.c_str());
    QCOMPARE(safetensors->tensors.size(), size_t(2));
    // A zip whose local header claims more bytes than the file has: LibTorch's own memory
    // adapter read past the buffer here.
    const auto damaged =
        readCheckpointBytes(fileBytes(corpus + "regression-zip-read-past-end"), "regression");
    QVERIFY(!damaged.ok());
  }

  // A deterministic slice of what the libFuzzer target explores: damaged copies of real files
  // must give an answer (a checkpoint or an error), never a crash or a hang.
  void survivesDamagedFiles() {
    auto loaded = readCheckpoint(tinyPath());
    QVERIFY(loaded.ok());
    QTemporaryDir dir;
    const std::string safetensorsPath = (dir.path() + "/t.safetensors").toStdString();
    QVERIFY(writeSafetensors(safetensorsPath, loaded->tensors, {}).ok());
    const std::string originals[] = {fileBytes(tinyPath()), fileBytes(safetensorsPath)};
    std::mt19937 random(1234);
    int errors = 0, successes = 0;
    for (const std::string& original : originals) {
      for (int round = 0; round < 150; ++round) {
        std::string damaged = original;
        if (round % 3 == 0) {
          damaged.resize(random() % damaged.size());  // truncation
        } else {
          // Byte flips, concentrated in the first 64 KiB where headers and the pickle live.
          const int flips = 1 + static_cast<int>(random() % 8);
          for (int i = 0; i < flips; ++i) {
            const size_t limit = std::min<size_t>(damaged.size(), 1 << 16);
            damaged[random() % limit] = static_cast<char>(random());
          }
        }
        const auto result = readCheckpointBytes(std::move(damaged), "damaged");
        result.ok() ? ++successes : ++errors;
        if (!result.ok()) QVERIFY(!result.error().message.empty());
      }
    }
    qInfo("damaged files: %d rejected with an error, %d still readable", errors, successes);
    QVERIFY(errors > 100);
  }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
