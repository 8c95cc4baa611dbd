#include "checkpoint/checkpoint_reader.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>

#include "checkpoint/pickle_reader.h"
#include "medsa/core/atomic_file.h"

#include <caffe2/serialize/file_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

namespace medsa::model {
namespace {

using Kind = PickleValue::Kind;

Error invalid(std::string message, const std::string& path) {
  return Error{ErrorCode::CheckpointInvalid, std::move(message), path};
}

// LibTorch's MemoryReadAdapter copies whatever range the zip reader asks for, so a damaged
// archive makes it read past the buffer (found by fuzz_checkpoint). This one stops at the end.
class BoundedMemoryAdapter final : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BoundedMemoryAdapter(const std::string& bytes) : bytes_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buffer, size_t n, const char* /*what*/) const override {
    if (pos >= bytes_.size()) return 0;
    const size_t available = std::min<uint64_t>(n, bytes_.size() - pos);
    std::memcpy(buffer, bytes_.data() + pos, available);
    return available;
  }

 private:
  const std::string& bytes_;
};

// ---- torch.save zip archives ----------------------------------------------------------------

Result<PickleValue> readPickleArchive(caffe2::serialize::PyTorchStreamReader& reader,
                                      const std::string& path) {
  if (!reader.hasRecord("data.pkl")) {
    return invalid(
        "zip archive without data.pkl: not a torch.save checkpoint "
        "(TorchScript archives are not supported)",
        path);
  }
  if (reader.hasRecord("byteorder")) {
    auto [data, size] = reader.getRecord("byteorder");
    if (std::string(static_cast<const char*>(data.get()), size) != "little") {
      return Error{ErrorCode::UnsupportedFormat, "big-endian checkpoints are not supported", path};
    }
  }
  auto [pickleData, pickleSize] = reader.getRecord("data.pkl");
  const std::string_view pickle(static_cast<const char*>(pickleData.get()), pickleSize);

  const StorageLoader loadStorage = [&](const std::string& key, torch::ScalarType dtype,
                                        std::int64_t elements) -> Result<torch::Tensor> {
    const std::string record = "data/" + key;
    if (key.empty() || key.find('/') != std::string::npos || !reader.hasRecord(record)) {
      return invalid("tensor storage '" + key + "' is missing from the archive", path);
    }
    auto [data, size] = reader.getRecord(record);
    const size_t needed = static_cast<size_t>(elements) * c10::elementSize(dtype);
    if (size < needed) {
      return invalid("tensor storage '" + key + "' holds " + std::to_string(size) +
                         " bytes, its header says " + std::to_string(needed) + " (truncated)",
                     path);
    }
    return torch::from_blob(data.get(), {elements}, torch::TensorOptions().dtype(dtype)).clone();
  };
  return unpickle(pickle, loadStorage, path);
}

template <typename MakeReader>
Result<PickleValue> readZip(MakeReader makeReader, const std::string& path) {
  try {
    auto reader = makeReader();
    return readPickleArchive(*reader, path);
  } catch (const std::exception& e) {
    // PyTorchStreamReader reports corrupt zips by throwing c10::Error; keep its first line.
    std::string reason = e.what();
    reason = reason.substr(0, reason.find('\n'));
    return invalid("not a readable torch.save archive: " + reason, path);
  }
}

// Chooses the state dict inside the pickle: the top dict itself, or the one under "model" /
// "state_dict" (training checkpoints), and removes DataParallel's "module." prefix.
Status extractStateDict(const PickleValue& root, LoadedCheckpoint& out, const std::string& path) {
  if (root.kind != Kind::Dict) {
    return invalid(
        std::string("the checkpoint holds a ") + root.kindName() + ", not a dict of tensors", path);
  }
  const PickleValue* dict = &root;
  const auto allTensors = [](const PickleValue& d) {
    return std::all_of(d.pairs->begin(), d.pairs->end(),
                       [](const auto& p) { return p.second.kind == Kind::Tensor; });
  };
  if (!allTensors(root)) {
    for (const char* key : {"model", "state_dict"}) {
      for (const auto& [k, v] : *root.pairs) {
        if (k.isString() && k.text == key && v.kind == Kind::Dict) {
          dict = &v;
          out.nestedKey = key;
          break;
        }
      }
      if (dict != &root) break;
    }
  }
  for (const auto& [key, value] : *dict->pairs) {
    if (!key.isString()) return invalid("state dict with a non-string key", path);
    if (value.kind != Kind::Tensor) {
      return invalid(
          "state dict entry '" + key.text + "' is a " + value.kindName() + ", not a tensor", path);
    }
    out.tensors.emplace_back(key.text, value.tensor);
  }
  if (out.tensors.empty()) return invalid("the checkpoint holds no tensors", path);
  const bool prefixed = std::all_of(out.tensors.begin(), out.tensors.end(),
                                    [](const auto& t) { return t.first.rfind("module.", 0) == 0; });
  if (prefixed) {
    for (auto& [name, tensor] : out.tensors) name.erase(0, 7);
    out.strippedModulePrefix = true;
  }
  return {};
}

// ---- safetensors ------------------------------------------------------------------------------

const std::map<std::string, torch::ScalarType, std::less<>>& safetensorsTypes() {
  static const std::map<std::string, torch::ScalarType, std::less<>> types = {
      {"F64", torch::kDouble},    {"F32", torch::kFloat}, {"F16", torch::kHalf},
      {"BF16", torch::kBFloat16}, {"I64", torch::kLong},  {"I32", torch::kInt},
      {"I16", torch::kShort},     {"I8", torch::kChar},   {"U8", torch::kByte},
      {"BOOL", torch::kBool}};
  return types;
}

std::string safetensorsName(torch::ScalarType type) {
  for (const auto& [name, t] : safetensorsTypes()) {
    if (t == type) return name;
  }
  return {};
}

Result<LoadedCheckpoint> readSafetensors(const std::string& bytes, const std::string& path) {
  constexpr std::uint64_t kMaxHeader = 100u << 20;
  std::uint64_t headerSize = 0;
  std::memcpy(&headerSize, bytes.data(), sizeof headerSize);
  if (headerSize > kMaxHeader || headerSize > bytes.size() - 8) {
    return invalid("safetensors header length " + std::to_string(headerSize) +
                       " exceeds the file (truncated or not a safetensors file)",
                   path);
  }
  Result<Json> header = parseJson(std::string_view(bytes).substr(8, headerSize), path);
  if (!header.ok()) return invalid("safetensors header: " + header.error().message, path);
  if (!header->isObject()) return invalid("safetensors header is not a JSON object", path);

  const size_t dataStart = 8 + headerSize;
  const size_t dataSize = bytes.size() - dataStart;
  struct Entry {
    std::string name;
    torch::ScalarType dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t begin, end;
  };
  std::vector<Entry> entries;
  LoadedCheckpoint out;
  out.format = "safetensors";
  for (const auto& [name, info] : header->asObject()) {
    if (name == "__metadata__") {
      if (!info.isObject()) return invalid("__metadata__ must be an object of strings", path);
      for (const auto& [k, v] : info.asObject()) {
        if (!v.isString()) return invalid("__metadata__ value '" + k + "' is not a string", path);
      }
      out.metadata = info;
      continue;
    }
    const Json* dtype = info.find("dtype");
    const Json* shape = info.find("shape");
    const Json* offsets = info.find("data_offsets");
    if (!dtype || !dtype->isString() || !shape || !shape->isArray() || !offsets ||
        !offsets->isArray() || offsets->asArray().size() != 2) {
      return invalid("tensor '" + name + "' needs dtype, shape and data_offsets", path);
    }
    auto type = safetensorsTypes().find(dtype->asString());
    if (type == safetensorsTypes().end()) {
      return invalid("tensor '" + name + "' has unsupported dtype " + dtype->asString(), path);
    }
    Entry entry{name, type->second, {}, 0, 0};
    double elements = 1;
    for (const Json& d : shape->asArray()) {
      if (!d.isNumber() || d.asNumber() < 0 ||
          d.asNumber() != static_cast<std::int64_t>(d.asNumber())) {
        return invalid("tensor '" + name + "' has an invalid shape", path);
      }
      entry.shape.push_back(static_cast<std::int64_t>(d.asNumber()));
      elements *= d.asNumber();
    }
    const Json& b = offsets->asArray()[0];
    const Json& e = offsets->asArray()[1];
    if (!b.isNumber() || !e.isNumber() || b.asNumber() < 0 || e.asNumber() < b.asNumber() ||
        e.asNumber() > static_cast<double>(dataSize)) {
      return invalid("tensor '" + name + "' has data offsets outside the file (truncated?)", path);
    }
    entry.begin = static_cast<std::uint64_t>(b.asNumber());
    entry.end = static_cast<std::uint64_t>(e.asNumber());
    if (elements * c10::elementSize(entry.dtype) != static_cast<double>(entry.end - entry.begin)) {
      return invalid("tensor '" + name + "' byte size does not match its shape and dtype", path);
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      return invalid("tensors '" + entries[i - 1].name + "' and '" + entries[i].name + "' overlap",
                     path);
    }
  }
  for (const Entry& entry : entries) {
    torch::Tensor tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(entry.dtype));
    if (entry.end > entry.begin) {
      std::memcpy(tensor.data_ptr(), bytes.data() + dataStart + entry.begin,
                  entry.end - entry.begin);
    }
    out.tensors.emplace_back(entry.name, std::move(tensor));
  }
  if (out.tensors.empty()) return invalid("the checkpoint holds no tensors", path);
  return out;
}

bool looksLikeSafetensors(const std::string& bytes) {
  if (bytes.size() < 10) return false;
  std::uint64_t headerSize = 0;
  std::memcpy(&headerSize, bytes.data(), sizeof headerSize);
  return headerSize >= 2 && bytes[8] == '{';
}

bool looksLikeZip(std::string_view bytes) {
  return bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

Result<LoadedCheckpoint> fromPickle(Result<PickleValue> root, const std::string& path) {
  if (!root.ok()) return root.error();
  LoadedCheckpoint out;
  out.format = "pth";
  if (Status status = extractStateDict(root.value(), out, path); !status) return status.error();
  return out;
}

Error unknownFormat(const std::string& bytes, const std::string& path) {
  if (bytes.empty()) return Error{ErrorCode::Truncated, "the file is empty", path};
  if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80) {
    return Error{
        ErrorCode::UnsupportedFormat,
        "legacy (pre-1.6) torch.save format; re-save it with torch.save in a current PyTorch",
        path};
  }
  return Error{
      ErrorCode::UnsupportedFormat,
      "not a checkpoint: expected a torch.save zip archive (.pth/.pt) or a .safetensors file",
      path};
}

}  // namespace

Result<LoadedCheckpoint> readCheckpointBytes(std::string bytes, const std::string& name) {
  if (looksLikeZip(bytes)) {
    const std::string& data = bytes;
    return fromPickle(readZip(
                          [&] {
                            return std::make_unique<caffe2::serialize::PyTorchStreamReader>(
                                std::make_shared<BoundedMemoryAdapter>(data));
                          },
                          name),
                      name);
  }
  if (looksLikeSafetensors(bytes)) return readSafetensors(bytes, name);
  return unknownFormat(bytes, name);
}

Result<LoadedCheckpoint> readCheckpoint(const std::string& path) {
  // Peek at the magic first so that a multi-gigabyte .pth is streamed by the zip reader
  // instead of being read into memory whole.
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Result<std::string> missing = readWholeFile(path);  // for its precise reason
    return missing.ok() ? Error{ErrorCode::ReadFailed, "cannot open", path} : missing.error();
  }
  char magic[4] = {};
  in.read(magic, sizeof magic);
  if (in.gcount() == sizeof magic && looksLikeZip(std::string_view(magic, sizeof magic))) {
    return fromPickle(
        readZip([&] { return std::make_unique<caffe2::serialize::PyTorchStreamReader>(path); },
                path),
        path);
  }
  Result<std::string> bytes = readWholeFile(path);
  if (!bytes.ok()) return bytes.error();
  return readCheckpointBytes(std::move(bytes.value()), path);
}

Status writeSafetensors(const std::string& path,
                        const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                        const Json::Object& metadata) {
  Json::Object header;
  if (!metadata.empty()) header.emplace("__metadata__", metadata);
  std::vector<torch::Tensor> contiguous;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const std::string dtype = safetensorsName(t.scalar_type());
    if (dtype.empty())
      return Error{ErrorCode::InvalidArgument, "tensor '" + name + "' has an unsupported dtype",
                   path};
    Json::Array shape;
    for (auto d : t.sizes()) shape.emplace_back(static_cast<std::int64_t>(d));
    const std::uint64_t bytes = t.numel() * t.element_size();
    header.emplace(
        name, Json::Object{
                  {"dtype", dtype},
                  {"shape", shape},
                  {"data_offsets", Json::Array{Json(static_cast<std::int64_t>(offset)),
                                               Json(static_cast<std::int64_t>(offset + bytes))}}});
    offset += bytes;
    contiguous.push_back(std::move(t));
  }
  std::string headerText = Json(header).dump();
  headerText.append((8 - headerText.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
  std::string file(8, '\0');
  const std::uint64_t headerSize = headerText.size();
  std::memcpy(file.data(), &headerSize, sizeof headerSize);
  file += headerText;
  file.reserve(file.size() + offset);
  for (const torch::Tensor& t : contiguous) {
    file.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  }
  return writeFileAtomically(path, file);
}

}  // namespace medsa::model
