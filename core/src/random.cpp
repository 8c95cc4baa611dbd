#include "medsa/core/random.h"

#include <cmath>
#include <numbers>

namespace medsa {
namespace {

std::uint64_t splitMix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (std::uint64_t& s : state_) s = splitMix(seed);
}

Rng Rng::derived(std::uint64_t seed, std::uint64_t stream, std::uint64_t substream) {
  // Mixing each part through SplitMix keeps nearby (stream, substream) pairs uncorrelated.
  std::uint64_t x = seed;
  std::uint64_t mixed = splitMix(x);
  x = mixed ^ (stream * 0xd1b54a32d192ed03ULL);
  mixed = splitMix(x);
  x = mixed ^ (substream * 0x8cb92ba72f3d8dd7ULL);
  return Rng(splitMix(x));
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

int Rng::uniformInt(int low, int high) {
  if (high <= low) return low;
  const std::uint64_t span = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<int>(next() % span);  // bias < 2^-32 for spans we use
}

double Rng::normal() {
  if (hasSpare_) {
    hasSpare_ = false;
    return spare_;
  }
  // Box-Muller; 1 - u keeps the logarithm finite.
  const double u = 1.0 - uniform();
  const double v = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u));
  const double angle = 2.0 * std::numbers::pi * v;
  spare_ = radius * std::sin(angle);
  hasSpare_ = true;
  return radius * std::cos(angle);
}

bool Rng::bernoulli(double p) { return uniform() < p; }

}  // namespace medsa
