#pragma once
// The only values our restricted unpickler can build: Python's plain data types plus tensors.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace medsa::model {

struct PickleValue {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    List,
    Tuple,
    Dict,
    Global,
    Storage,
    Tensor
  };
  using Items = std::vector<PickleValue>;
  using Pairs = std::vector<std::pair<PickleValue, PickleValue>>;

  Kind kind = Kind::None;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;              ///< String, Bytes; Global: "module.name"; Storage: record key
  std::shared_ptr<Items> items;  ///< List, Tuple (shared: the pickle memo aliases them)
  std::shared_ptr<Pairs> pairs;  ///< Dict, insertion-ordered
  torch::ScalarType dtype = torch::kFloat;  ///< Storage
  std::int64_t storageElements = 0;         ///< Storage
  torch::Tensor tensor;

  static PickleValue makeList(Kind kind) {
    PickleValue v;
    v.kind = kind;
    v.items = std::make_shared<Items>();
    return v;
  }
  static PickleValue makeDict() {
    PickleValue v;
    v.kind = Kind::Dict;
    v.pairs = std::make_shared<Pairs>();
    return v;
  }
  bool isString() const { return kind == Kind::String; }
  const char* kindName() const;
};

}  // namespace medsa::model
