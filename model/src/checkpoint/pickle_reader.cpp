#include "checkpoint/pickle_reader.h"

#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>

namespace medsa::model {
namespace {

using Kind = PickleValue::Kind;

// Bounds that keep a hostile file from exhausting memory through the parser itself.
constexpr size_t kMaxStack = 1u << 24;
constexpr size_t kMaxMemo = 1u << 24;

const std::map<std::string, torch::ScalarType, std::less<>>& storageTypes() {
  static const std::map<std::string, torch::ScalarType, std::less<>> types = {
      {"torch.FloatStorage", torch::kFloat},       {"torch.HalfStorage", torch::kHalf},
      {"torch.BFloat16Storage", torch::kBFloat16}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.LongStorage", torch::kLong},         {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort},       {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},         {"torch.BoolStorage", torch::kBool}};
  return types;
}

// The callables a state_dict pickle needs; anything else is refused at GLOBAL time.
bool isAllowedGlobal(std::string_view name) {
  return name == "collections.OrderedDict" || name == "torch._utils._rebuild_tensor_v2" ||
         name == "torch._utils._rebuild_parameter" || storageTypes().count(name) > 0;
}

class Unpickler {
 public:
  Unpickler(std::string_view data, const StorageLoader& loader, std::string_view source)
      : data_(data), loader_(loader), source_(source) {}

  Result<PickleValue> run() {
    while (true) {
      if (!error_.empty()) return fail();
      if (pos_ >= data_.size()) {
        error_ = "pickle ends without STOP (truncated)";
        return fail(ErrorCode::Truncated);
      }
      const size_t opcodePos = pos_;
      const unsigned char op = static_cast<unsigned char>(data_[pos_++]);
      if (op == '.') {  // STOP
        if (stack_.size() != 1 || !marks_.empty()) {
          error_ = "malformed pickle: STOP with " + std::to_string(stack_.size()) +
                   " values on the stack";
          return fail();
        }
        return stack_.back();
      }
      step(op);
      if (!error_.empty())
        error_ += " (opcode 0x" + hex(op) + " at byte " + std::to_string(opcodePos) + ")";
    }
  }

 private:
  static std::string hex(unsigned char c) {
    static const char* digits = "0123456789abcdef";
    return {digits[c >> 4], digits[c & 15]};
  }

  Error fail(ErrorCode code = ErrorCode::CheckpointInvalid) const {
    return Error{code, "checkpoint pickle: " + error_, std::string(source_)};
  }

  bool need(size_t bytes) {
    if (bytes > data_.size() - pos_) {
      if (error_.empty()) error_ = "unexpected end of pickle data (truncated)";
      return false;
    }
    return true;
  }
  template <typename T>
  bool readLE(T& value) {
    if (!need(sizeof(T))) return false;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));  // x86-64 and aarch64 are little-endian
    pos_ += sizeof(T);
    return true;
  }
  bool readBytes(size_t length, std::string& out) {
    if (!need(length)) return false;
    out.assign(data_.data() + pos_, length);
    pos_ += length;
    return true;
  }
  bool readLine(std::string& out) {
    const size_t end = data_.find('\n', pos_);
    if (end == std::string_view::npos) {
      error_ = "unterminated text line (truncated)";
      return false;
    }
    out.assign(data_.data() + pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }

  void push(PickleValue value) {
    if (stack_.size() >= kMaxStack) {
      error_ = "pickle stack too deep";
      return;
    }
    stack_.push_back(std::move(value));
  }
  bool pop(PickleValue& out) {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) {
      error_ = "malformed pickle: pop from an empty stack";
      return false;
    }
    out = std::move(stack_.back());
    stack_.pop_back();
    return true;
  }
  PickleValue* top() {
    if (stack_.empty()) {
      error_ = "malformed pickle: empty stack";
      return nullptr;
    }
    return &stack_.back();
  }
  bool popToMark(std::vector<PickleValue>& items) {
    if (marks_.empty()) {
      error_ = "malformed pickle: no MARK";
      return false;
    }
    const size_t mark = marks_.back();
    marks_.pop_back();
    items.assign(std::make_move_iterator(stack_.begin() + mark),
                 std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return true;
  }

  void memoPut(std::uint32_t index) {
    if (stack_.empty()) {
      error_ = "malformed pickle: memoize with an empty stack";
      return;
    }
    if (memo_.size() >= kMaxMemo && !memo_.count(index)) {
      error_ = "pickle memo too large";
      return;
    }
    memo_[index] = stack_.back();
  }
  void memoGet(std::uint32_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) {
      error_ = "malformed pickle: memo entry " + std::to_string(index) + " missing";
      return;
    }
    push(it->second);
  }

  void pushString(std::string text, Kind kind = Kind::String) {
    PickleValue v;
    v.kind = kind;
    v.text = std::move(text);
    push(std::move(v));
  }
  void pushInt(std::int64_t value) {
    PickleValue v;
    v.kind = Kind::Int;
    v.integer = value;
    push(std::move(v));
  }

  void pushGlobal(const std::string& module, const std::string& name) {
    const std::string full = module + "." + name;
    if (!isAllowedGlobal(full)) {
      error_ = "refusing global '" + full +
               "': a checkpoint may hold only tensors, numbers, strings, lists, tuples and dicts";
      return;
    }
    pushString(full, Kind::Global);
  }

  void setItems(std::vector<PickleValue>& items) {
    PickleValue* target = top();
    if (!target) return;
    if (target->kind != Kind::Dict || items.size() % 2 != 0) {
      error_ = "malformed pickle: SETITEMS on a " + std::string(target->kindName());
      return;
    }
    for (size_t i = 0; i < items.size(); i += 2) {
      target->pairs->emplace_back(std::move(items[i]), std::move(items[i + 1]));
    }
  }

  void appendItems(std::vector<PickleValue>& items) {
    PickleValue* target = top();
    if (!target) return;
    if (target->kind != Kind::List) {
      error_ = "malformed pickle: APPEND to a " + std::string(target->kindName());
      return;
    }
    for (auto& item : items) target->items->push_back(std::move(item));
  }

  static bool toIntList(const PickleValue& value, std::vector<std::int64_t>& out) {
    if (value.kind != Kind::Tuple && value.kind != Kind::List) return false;
    for (const PickleValue& item : *value.items) {
      if (item.kind != Kind::Int) return false;
      out.push_back(item.integer);
    }
    return true;
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])
  void rebuildTensor(const PickleValue& args) {
    const auto& a = *args.items;
    std::vector<std::int64_t> sizes, strides;
    if (a.size() < 4 || a[0].kind != Kind::Storage || a[1].kind != Kind::Int ||
        !toIntList(a[2], sizes) || !toIntList(a[3], strides) || sizes.size() != strides.size()) {
      error_ = "malformed tensor record (expected storage, offset, size, stride)";
      return;
    }
    const PickleValue& storage = a[0];
    const std::int64_t offset = a[1].integer;
    // The view must stay inside its storage: check before touching any data.
    std::int64_t last = offset;
    bool empty = false;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] < 0 || strides[i] < 0 || sizes[i] > (std::int64_t{1} << 40) ||
          strides[i] > (std::int64_t{1} << 40)) {
        error_ = "tensor with a negative or absurd size/stride";
        return;
      }
      if (sizes[i] == 0)
        empty = true;
      else
        last += (sizes[i] - 1) * strides[i];
    }
    if (offset < 0 || (!empty && last >= storage.storageElements)) {
      error_ = "tensor view reaches past its storage (" + std::to_string(storage.storageElements) +
               " elements)";
      return;
    }
    Result<torch::Tensor> data = storageData(storage);
    if (!data.ok()) {
      error_ = data.error().message;
      return;
    }
    PickleValue v;
    v.kind = Kind::Tensor;
    v.tensor = empty ? torch::empty(sizes, torch::TensorOptions().dtype(storage.dtype))
                     : data.value().as_strided(sizes, strides, offset).clone();
    push(std::move(v));
  }

  Result<torch::Tensor> storageData(const PickleValue& storage) {
    auto it = storages_.find(storage.text);
    if (it != storages_.end()) return it->second;
    Result<torch::Tensor> loaded = loader_(storage.text, storage.dtype, storage.storageElements);
    if (loaded.ok()) storages_.emplace(storage.text, loaded.value());
    return loaded;
  }

  void reduce() {
    PickleValue args, callable;
    if (!pop(args) || !pop(callable)) return;
    if (callable.kind != Kind::Global || args.kind != Kind::Tuple) {
      error_ = "malformed pickle: REDUCE on a " + std::string(callable.kindName());
      return;
    }
    if (callable.text == "collections.OrderedDict") {
      PickleValue dict = PickleValue::makeDict();
      if (!args.items->empty()) {
        error_ = "OrderedDict built from arguments is not supported";
        return;
      }
      push(std::move(dict));
    } else if (callable.text == "torch._utils._rebuild_tensor_v2") {
      rebuildTensor(args);
    } else if (callable.text == "torch._utils._rebuild_parameter") {
      // (tensor, requires_grad, backward_hooks): a Parameter is its tensor for us.
      if (args.items->empty() || (*args.items)[0].kind != Kind::Tensor) {
        error_ = "malformed parameter record";
        return;
      }
      push((*args.items)[0]);
    } else {
      error_ = "global '" + callable.text + "' cannot be called";
    }
  }

  // BINPERSID: ('storage', <storage type>, key, location, numel)
  void persistentLoad() {
    PickleValue pid;
    if (!pop(pid)) return;
    if (pid.kind != Kind::Tuple || pid.items->size() < 5 || !(*pid.items)[0].isString() ||
        (*pid.items)[0].text != "storage" || (*pid.items)[1].kind != Kind::Global ||
        !(*pid.items)[2].isString() || (*pid.items)[4].kind != Kind::Int) {
      error_ = "malformed persistent id (expected a tensor storage reference)";
      return;
    }
    const auto& items = *pid.items;
    auto type = storageTypes().find(items[1].text);
    if (type == storageTypes().end()) {
      error_ = "'" + items[1].text + "' is not a storage type";
      return;
    }
    if (items[4].integer < 0) {
      error_ = "storage with a negative size";
      return;
    }
    PickleValue v;
    v.kind = Kind::Storage;
    v.text = items[2].text;
    v.dtype = type->second;
    v.storageElements = items[4].integer;
    push(std::move(v));
  }

  void step(unsigned char op) {
    std::vector<PickleValue> items;
    PickleValue a, b;
    std::string text;
    switch (op) {
      case 0x80: {  // PROTO
        std::uint8_t version = 0;
        if (readLE(version) && (version < 2 || version > 5))
          error_ = "unsupported pickle protocol " + std::to_string(version);
        break;
      }
      case 0x95: {  // FRAME: a length hint only
        std::uint64_t length = 0;
        readLE(length);
        break;
      }
      case '(':
        marks_.push_back(stack_.size());
        break;  // MARK
      case '0':
        pop(a);
        break;  // POP
      case '1':
        popToMark(items);
        break;  // POP_MARK
      case '2':
        if (PickleValue* t = top()) push(*t);
        break;  // DUP
      case 'N':
        push(PickleValue{});
        break;  // NONE
      case 0x88:
      case 0x89: {  // NEWTRUE, NEWFALSE
        PickleValue v;
        v.kind = Kind::Bool;
        v.boolean = op == 0x88;
        push(std::move(v));
        break;
      }
      case 'K': {
        std::uint8_t v = 0;
        if (readLE(v)) pushInt(v);
        break;
      }  // BININT1
      case 'M': {
        std::uint16_t v = 0;
        if (readLE(v)) pushInt(v);
        break;
      }  // BININT2
      case 'J': {
        std::int32_t v = 0;
        if (readLE(v)) pushInt(v);
        break;
      }             // BININT
      case 0x8a: {  // LONG1: little-endian two's complement, at most 8 bytes for us
        std::uint8_t length = 0;
        if (!readLE(length) || !readBytes(length, text)) break;
        if (length > 8) {
          error_ = "integer too large";
          break;
        }
        std::uint64_t value = 0;
        for (size_t i = 0; i < length; ++i)
          value |= std::uint64_t(static_cast<unsigned char>(text[i])) << (8 * i);
        if (length > 0 && length < 8 && (static_cast<unsigned char>(text[length - 1]) & 0x80))
          value |= ~std::uint64_t{0} << (8 * length);  // sign-extend
        pushInt(static_cast<std::int64_t>(value));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian double
        std::uint64_t bits = 0;
        if (!readLE(bits)) break;
        bits = __builtin_bswap64(bits);
        PickleValue v;
        v.kind = Kind::Float;
        std::memcpy(&v.number, &bits, sizeof bits);
        push(std::move(v));
        break;
      }
      case 'X': {
        std::uint32_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text));
        break;
      }  // BINUNICODE
      case 0x8c: {
        std::uint8_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text));
        break;
      }  // SHORT_BINUNICODE
      case 0x8d: {
        std::uint64_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text));
        break;
      }  // BINUNICODE8
      case 'T': {
        std::uint32_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text));
        break;
      }  // BINSTRING
      case 'U': {
        std::uint8_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text));
        break;
      }  // SHORT_BINSTRING
      case 'B': {
        std::uint32_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text), Kind::Bytes);
        break;
      }  // BINBYTES
      case 'C': {
        std::uint8_t n = 0;
        if (readLE(n) && readBytes(n, text)) pushString(std::move(text), Kind::Bytes);
        break;
      }  // SHORT_BINBYTES
      case ']':
        push(PickleValue::makeList(Kind::List));
        break;  // EMPTY_LIST
      case ')':
        push(PickleValue::makeList(Kind::Tuple));
        break;  // EMPTY_TUPLE
      case '}':
        push(PickleValue::makeDict());
        break;  // EMPTY_DICT
      case 't':
      case 'l': {  // TUPLE, LIST
        if (!popToMark(items)) break;
        PickleValue v = PickleValue::makeList(op == 't' ? Kind::Tuple : Kind::List);
        *v.items = std::move(items);
        push(std::move(v));
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        const size_t n = op - 0x84;
        if (stack_.size() < n + (marks_.empty() ? 0 : marks_.back())) {
          error_ = "malformed pickle: TUPLE with too few values";
          break;
        }
        PickleValue v = PickleValue::makeList(Kind::Tuple);
        v.items->assign(std::make_move_iterator(stack_.end() - n),
                        std::make_move_iterator(stack_.end()));
        stack_.resize(stack_.size() - n);
        push(std::move(v));
        break;
      }
      case 'd': {  // DICT
        if (!popToMark(items)) break;
        push(PickleValue::makeDict());
        setItems(items);
        break;
      }
      case 's':  // SETITEM
        if (pop(b) && pop(a)) {
          items = {std::move(a), std::move(b)};
          setItems(items);
        }
        break;
      case 'u':
        if (popToMark(items)) setItems(items);
        break;  // SETITEMS
      case 'a':
        if (pop(a)) {
          items = {std::move(a)};
          appendItems(items);
        }
        break;  // APPEND
      case 'e':
        if (popToMark(items)) appendItems(items);
        break;  // APPENDS
      case 'q': {
        std::uint8_t i = 0;
        if (readLE(i)) memoPut(i);
        break;
      }  // BINPUT
      case 'r': {
        std::uint32_t i = 0;
        if (readLE(i)) memoPut(i);
        break;
      }  // LONG_BINPUT
      case 0x94:
        memoPut(static_cast<std::uint32_t>(memo_.size()));
        break;  // MEMOIZE
      case 'h': {
        std::uint8_t i = 0;
        if (readLE(i)) memoGet(i);
        break;
      }  // BINGET
      case 'j': {
        std::uint32_t i = 0;
        if (readLE(i)) memoGet(i);
        break;
      }            // LONG_BINGET
      case 'c': {  // GLOBAL "module\nname\n"
        std::string module, name;
        if (readLine(module) && readLine(name)) pushGlobal(module, name);
        break;
      }
      case 0x93:  // STACK_GLOBAL
        if (pop(b) && pop(a)) {
          if (!a.isString() || !b.isString())
            error_ = "malformed STACK_GLOBAL";
          else
            pushGlobal(a.text, b.text);
        }
        break;
      case 'R':
        reduce();
        break;  // REDUCE
      case 'Q':
        persistentLoad();
        break;     // BINPERSID
      case 'b': {  // BUILD: sets attributes, e.g. OrderedDict._metadata
        if (!pop(a)) break;
        PickleValue* target = top();
        if (target && target->kind != Kind::Dict && target->kind != Kind::Tensor) {
          error_ = "BUILD on a " + std::string(target->kindName()) + " is not supported";
        }
        break;  // the state (module versions in _metadata) carries no tensor: dropped
      }
      default:
        error_ = "unsupported or unsafe pickle opcode 0x" + hex(op);
    }
  }

  std::string_view data_;
  const StorageLoader& loader_;
  std::string_view source_;
  size_t pos_ = 0;
  std::vector<PickleValue> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<std::uint32_t, PickleValue> memo_;
  std::unordered_map<std::string, torch::Tensor> storages_;
  std::string error_;
};

}  // namespace

const char* PickleValue::kindName() const {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::Bytes:
      return "bytes";
    case Kind::List:
      return "list";
    case Kind::Tuple:
      return "tuple";
    case Kind::Dict:
      return "dict";
    case Kind::Global:
      return "global";
    case Kind::Storage:
      return "storage";
    case Kind::Tensor:
      return "tensor";
  }
  return "?";
}

Result<PickleValue> unpickle(std::string_view data, const StorageLoader& loadStorage,
                             std::string_view source) {
  return Unpickler(data, loadStorage, source).run();
}

}  // namespace medsa::model
