#pragma once
// SAM's decomposed relative-position terms of one encoder attention block, from its unscaled
// queries (spec §1.2):
//   relH[i, t, k] = q[i, t] . Rh[row(t), k]   and   relW[i, t, k] = q[i, t] . Rw[col(t), k]
// for head i, token t of an h x w grid and key grid row (column) k. In inference on the CPU they
// are what the tiled attention kernel reads its bias from, in fp32 also for bf16 queries.
//
// LibTorch's two einsums copied the queries into a batch-first order, multiplied, and left a
// permuted result that the attention kernel copied again. Here the table of each grid line,
// packed once per call, serves every head's tokens on that line from the queries where they
// lie (slices of the qkv output), and the terms are written in the order the kernel reads them.

#include <c10/util/BFloat16.h>

#include <cstdint>

#include "sam/tiled_attention.h"
#include "sam/vector_isa.h"

namespace medsa::model {

struct RelPosBiasInput {
  const float* q;  ///< unscaled queries, laid out as `rows` says
  HeadRows rows;
  const float* rh;  ///< [h][h][d]: Rh[query row][key row]
  const float* rw;  ///< [w][w][d]: Rw[query column][key column]
  std::int64_t heads, h, w, d;
  /// bf16 queries instead of q (then null), laid out the same; widened as they are read, the
  /// terms summed in fp32 all the same.
  const c10::BFloat16* qBf16 = nullptr;
};

/// relH [heads][h * w][h] and relW [heads][h * w][w], contiguous.
void relPosBias(VectorIsa isa, const RelPosBiasInput& input, float* relH, float* relW);

}  // namespace medsa::model
