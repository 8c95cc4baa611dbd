#pragma once
// A restricted unpickler for checkpoints written by torch.save. A checkpoint is an untrusted
// file: this reader executes nothing. It builds only None, booleans, integers, floats,
// strings, bytes, lists, tuples, dicts (including collections.OrderedDict) and tensors, and
// rejects every other global with an error naming it.

#include <functional>
#include <string>
#include <string_view>

#include "checkpoint/pickle_value.h"
#include "medsa/core/error.h"

namespace medsa::model {

/// Supplies the bytes of a tensor storage record ("data/<key>" in the archive).
using StorageLoader = std::function<Result<torch::Tensor>(
    const std::string& key, torch::ScalarType dtype, std::int64_t elements)>;

/// Parses one pickle (protocols 2 to 5). `source` names the file in errors.
Result<PickleValue> unpickle(std::string_view data, const StorageLoader& loadStorage,
                             std::string_view source);

}  // namespace medsa::model
