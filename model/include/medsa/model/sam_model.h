#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/json.h"
#include "medsa/model/adapter_config.h"
#include "medsa/model/processing_profile.h"
#include "medsa/model/sam_config.h"

namespace medsa::model {

enum class Device { Cpu, Cuda };
/// Numeric precision of a part of the model. The prompt encoder and pre/post-processing are
/// always fp32.
enum class Precision { Fp32, Bf16, Fp16 };
/// Whether boxes and correction clicks are answered in a crop around the object.
enum class ZoomIn { Auto, On, Off };

Result<Device> parseDevice(std::string_view name);
Result<Precision> parsePrecision(std::string_view name);
Result<ZoomIn> parseZoomIn(std::string_view name);
std::string_view deviceName(Device device);
std::string_view precisionName(Precision precision);
std::string_view zoomInName(ZoomIn zoom);

struct EngineOptions {
  Device device = Device::Cpu;
  /// bf16 halves the encoder's time on CPUs with bf16 arithmetic (AMX, or AVX512_BF16 as on AMD
  /// Zen 4: 1.8x) and on GPUs; masks agree with fp32 on >= 99.9 % of pixels on the parity
  /// fixtures.
  Precision encoderPrecision = Precision::Fp32;
  /// bf16 makes a click ~1.5x faster on CPU but is less exact (98.6-99.9 % agreement on the
  /// fixtures, IoU within 0.01): an opt-in for slow machines.
  Precision decoderPrecision = Precision::Fp32;
  ProcessingProfile profile = ProcessingProfile::Sam;
  int threads = 0;  ///< CPU threads; 0 = every core
  /// Med-SA adapters to build into the model: fresh (zero-initialised, so outputs equal SAM's)
  /// unless adapterFile provides trained ones, whose own configuration then applies.
  std::optional<AdapterConfig> adapters;
  std::string adapterFile;  ///< an adapter .safetensors written by SamModel::saveAdapters
  /// Boxes and correction clicks (a prompt with a previous mask) answered in a crop around the
  /// object, encoded at the model's full input size: finer masks for objects small in the
  /// picture (model/src/zoom_in.h).
  /// Auto: on for models whose input is at most 512 pixels (the starter model encodes a crop
  /// in tens of milliseconds), off for SAM-sized ones, whose crop costs seconds on a CPU.
  ZoomIn zoomIn = ZoomIn::Auto;
};

/// The encoder precision that goes with a device: bf16 on a GPU (tensor cores; masks agree with
/// fp32 on >= 99.9 % of pixels on the parity fixtures), fp32 on the CPU.
Precision preferredEncoderPrecision(Device device);

/// What the app runs with on this machine: the first GPU when this LibTorch sees one, else the
/// CPU, with preferredEncoderPrecision. Every other option keeps its default.
EngineOptions preferredEngineOptions();

/// Parameters of one part of the model: how many there are and how many training updates.
struct ParameterCount {
  std::string module;  ///< "image_encoder", "image_encoder adapters", "prompt_encoder", ...
  std::int64_t total = 0;
  std::int64_t trainable = 0;
};

/// What an adapter file says about itself (its metadata).
struct AdapterFileInfo {
  std::string baseSha256;  ///< the base checkpoint it was trained on
  SamConfig base;
  ProcessingProfile profile = ProcessingProfile::Sam;
  AdapterConfig adapters;
  bool includesDecoder = false;  ///< also carries fine-tuned mask decoder weights
  std::string created;           ///< ISO 8601, UTC
  Json training;                 ///< the trainer's summary (steps, loss, evaluation)
  std::int64_t tensors = 0, values = 0;
};

/// A tensor's name, shape and dtype, as stored in a checkpoint or held by the model.
struct TensorInfo {
  std::string name;
  std::vector<std::int64_t> shape;
  std::string dtype;
  std::int64_t elements() const;
};

/// A Segment Anything model with loaded weights. Immutable after loading, shared by
/// predictors (and, later, the trainer). Torch stays behind the pimpl.
class SamModel {
 public:
  /// Loads a .pth (torch.save) or .safetensors checkpoint. The geometry is `config` when given,
  /// else the one a saveModel file names in its metadata, else inferred from the tensor shapes.
  /// Every tensor must match (see loadStateDict). While another model of the same file, geometry
  /// and device lives, its base tensors are shared instead of read again (one copy in memory;
  /// trainers copy what they change: checkpoint/shared_base.h).
  static Result<std::shared_ptr<SamModel>> load(const std::string& checkpoint,
                                                const std::optional<SamConfig>& config,
                                                const EngineOptions& options);
  /// A model with seeded random weights (benchmarks, tests).
  static Result<std::shared_ptr<SamModel>> randomWeights(const SamConfig& config,
                                                         const EngineOptions& options,
                                                         std::uint64_t seed = 0);
  ~SamModel();

  const SamConfig& config() const;
  const EngineOptions& options() const;
  /// Identifies these weights in cache keys: checkpoint path, size and time, or "random:<seed>".
  const std::string& version() const;
  /// Every parameter and buffer by its official state_dict key.
  std::vector<TensorInfo> tensors() const;
  /// The adapters built into this model, if any.
  const std::optional<AdapterConfig>& adapters() const;
  /// Differences from the checkpoint's original code that the user should know (reference
  /// Med-SA checkpoints); empty for SAM, MedSAM and our own files.
  const std::vector<std::string>& compatibilityNotes() const;
  /// Parameters per part; trainable = adapters (and the mask decoder when trainDecoder).
  std::vector<ParameterCount> parameterCounts(bool trainDecoder = false) const;
  /// SHA-256 of the base checkpoint file (computed once, on first use); "" for random weights.
  Result<std::string> baseSha256() const;
  /// This model's base checkpoint again, with the adapters (and decoder weights) of an adapter
  /// file: what a hot swap hands to the predictor. The base's tensors are this model's own (as
  /// load shares them); refuses a file trained on another base checkpoint (SHA-256) or
  /// geometry, naming both. Safe on a worker thread while a predictor uses this model.
  Result<std::shared_ptr<SamModel>> withAdapterFile(const std::string& file) const;
  /// This model's base checkpoint again, without adapters.
  Result<std::shared_ptr<SamModel>> baseOnly() const;
  /// The adapter file this model runs ("" = none, or adapters made in memory).
  const std::string& adapterFile() const;
  /// Writes the whole base model (every tensor but the adapters) as .safetensors, atomically:
  /// weights in `precision` (fp16 halves the file; small tables stay fp32), with metadata naming
  /// the geometry (so load() needs no --config), the profile and `training` (e.g. how it was
  /// made). What `medsa pretrain` ships.
  Status saveModel(const std::string& path, Precision precision, const Json& training) const;
  /// Writes the adapter tensors (and the mask decoder's when includeDecoder) as .safetensors with
  /// metadata: base identity and geometry, profile, adapter configuration, time, `training`.
  Status saveAdapters(const std::string& path, const Json& training,
                      bool includeDecoder = false) const;

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  explicit SamModel(std::unique_ptr<Impl> impl);
  static Result<std::shared_ptr<SamModel>> loadUnguarded(const std::string& checkpoint,
                                                         const std::optional<SamConfig>& config,
                                                         const EngineOptions& options);
  static Result<std::shared_ptr<SamModel>> randomWeightsUnguarded(const SamConfig& config,
                                                                  const EngineOptions& options,
                                                                  std::uint64_t seed);
  std::unique_ptr<Impl> impl_;
};

/// Reads an adapter file's metadata and counts its tensors, without a base model.
Result<AdapterFileInfo> inspectAdapterFile(const std::string& path);

/// Lists the tensors of a checkpoint file without building a model.
Result<std::vector<TensorInfo>> inspectCheckpoint(const std::string& checkpoint);

}  // namespace medsa::model
