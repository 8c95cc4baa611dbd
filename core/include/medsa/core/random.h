#pragma once

#include <cstdint>

namespace medsa {

/// A small seeded random generator (xoshiro256**) whose sequence is the same on every platform
/// and standard library: std's distributions are implementation-defined, and a seed must name the
/// same synthetic pictures and simulated prompts everywhere (training runs, held-out sets).
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);
  /// An independent generator for (seed, stream, substream), e.g. (run seed, step, sample):
  /// resumed runs regenerate exactly the data they would have seen.
  static Rng derived(std::uint64_t seed, std::uint64_t stream, std::uint64_t substream = 0);

  std::uint64_t next();
  double uniform();                         ///< [0, 1)
  double uniform(double low, double high);  ///< [low, high)
  int uniformInt(int low, int high);        ///< low..high, both included
  double normal();                          ///< standard normal
  bool bernoulli(double p);

 private:
  std::uint64_t state_[4];
  double spare_ = 0;  // Box-Muller makes normals in pairs
  bool hasSpare_ = false;
};

}  // namespace medsa
