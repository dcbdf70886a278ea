// kigi's int4 matrix-vector product for one-row decode steps (llm/row_kernel.py builds it).
//
// y (1, N) = x (1, K) @ W^T, W in torch's CPU int4 pack (on AVX-512, [N/64][K][32 bytes]: byte
// i of a row holds column n0+i in its low nibble and n0+32+i in its high one), w = (q - 8) * scale
// + zero per group of `gs` inputs; the scale/zero pairs relaid per block of 64 columns
// ([N/64][K/gs][64] pairs of bf16), so a block reads its weights and its scales as two
// straight streams. Torch's own kernel is compute-bound at one row (~8 GB/s a core here);
// this one does two rows k, k+1 per AVX512-BF16 dot product: a 32-bit lane holds the bf16
// pair (128+q[k], 128+q[k+1]) of one column (made from the nibbles by one ternary-logic op)
// and vdpbf16ps multiplies it with the pair (x[k], x[k+1]); 128 * sum(x) is taken off per
// group, then the group's scale and zero applied in fp32. Built with -march=native, on CPUs
// with AVX512-BF16 (this path) or AVX2 + FMA (the next).
//
// On AVX2 (no bf16 dot product: most laptop CPUs) torch's kernel reads ~2-4 GB/s of weights
// at one row. Here x is held in int16 per group (x = s * x16, s = max |x| / 32767: exact to
// 2^-16 of the group's largest value, under bf16's own rounding), the nibbles of rows k, k+1
// are interleaved and widened to 16-bit pairs, and madd_epi16 gives q[k] x16[k] + q[k+1]
// x16[k+1] per column in 32-bit integers, exactly; 8 * sum(x16) comes off per group, then
// s, the scale and the zero apply in fp32. ~20 instructions per 64 weights a row against
// ~30 for fp32 FMAs on nibbles made floats (tried first: 1.35x slower). Torch packs 64 columns
// a block on AVX-512 CPUs but 32 on AVX2 ones; this path reads either (`Pack`).
//
// int4_rows_lora adds an adapter's low-rank update in the same pass: each thread asks for the
// rows of A its blocks use (int8; a few KB, cold) before its blocks, so the lines arrive while
// the weights stream, computes h = A x after them, then adds to each of its blocks its part's
// columns of the scaled B (relaid per block: [N/64][r][64] int8, a scale per row) times
// h[offset, offset + r) (offset -1: none). Int8, not bf16: at one row the pass is bound by
// bytes, and bf16 factors were ~7% of a token's. A x computed first, on one thread, waited
// ~0.3 ms a token on memory.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <immintrin.h>
#include <torch/csrc/inductor/aoti_torch/c/shim.h>
#include <torch/csrc/inductor/aoti_torch/utils.h>
#include <torch/library.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

namespace {

constexpr int64_t kBlock = 64;        // columns per block of torch's pack
constexpr int64_t kPrefetch = 1024;   // bytes of weights ahead: the stream stays ahead of the loads

struct Update {  // a low-rank update in the kernel's layout (int4_rows_lora); no a: none
  const int8_t* a = nullptr;          // [R][K]: every part's A, each padded to `rank` rows, a row's scale in B's
  int64_t rows = 0;                   // R
  const int8_t* b = nullptr;          // [N/64][rank][64]: scaling * B * A's row scale, per block
  const float* b_scales = nullptr;    // [N/64][rank]: one per row of a block's B
  const int32_t* offsets = nullptr;   // [N/64]: the block's first row of A, or -1
  int64_t rank = 0;
};

struct Input {  // the one input row, as each step reads it
  const uint16_t* bf16 = nullptr;     // [K] as given
  const float* floats = nullptr;      // [K] the same values in fp32
  const float* sums = nullptr;        // [K/gs] per group
  // AVX2 only: per group of gs, x = scale * x16 with x16 int16 (see input_forms)
  const int32_t* pairs = nullptr;     // [K/2] (x16[k], x16[k + 1]), one word
  const float* scales = nullptr;      // [K/gs]
  const int32_t* fixed_sums = nullptr;  // [K/gs] sum of x16
};

// Horizontal sums and maximum of 8 lanes (AVX2, on both paths' CPUs)
inline float total_of(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
inline int32_t total_of(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1)));
}
inline float largest_of(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

// The input's forms, per group of gs (a multiple of 16), eight lanes at a time (a scalar loop
// here, on the caller's thread, was ~6% of a decode step). fp32 and each group's sum; with
// `fixed` (AVX2), x in int16 as well: x = scale * x16, scale = max |x| / 32767, off by at most
// 2^-16 of the group's largest value, far under bf16's own rounding of each (2^-9), so two rows
// multiply exactly at once in 16-bit integers (AVX2's madd); x16 rounded to nearest even, as
// lrint would. A group holding inf or NaN gets the scale NaN: so does y.
void input_forms(const uint16_t* bits, int64_t K, int64_t gs, bool fixed, float* floats, float* sums,
                 int32_t* pairs, float* scales, int32_t* fixed_sums) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256i zero = _mm256_setzero_si256();
  for (int64_t g = 0; g < K / gs; ++g) {
    const int64_t first = g * gs;
    __m256 sum = _mm256_setzero_ps(), largest = _mm256_setzero_ps(), unordered = _mm256_setzero_ps();
    for (int64_t k = first; k < first + gs; k += 8) {  // a bf16 is the top half of its fp32
      const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bits + k));
      const __m256 x = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
      _mm256_storeu_ps(floats + k, x);
      sum = _mm256_add_ps(sum, x);
      largest = _mm256_max_ps(largest, _mm256_andnot_ps(sign, x));
      const __m256 difference = _mm256_sub_ps(x, x);  // NaN for inf and NaN
      unordered = _mm256_or_ps(unordered, _mm256_cmp_ps(difference, difference, _CMP_UNORD_Q));
    }
    sums[g] = total_of(sum);
    if (!fixed) continue;
    const bool finite = _mm256_movemask_ps(unordered) == 0;
    const float most = largest_of(largest);
    const float scale = !finite ? NAN : most > 0.0f ? most / 32767.0f : 1.0f;
    const __m256 divisor = _mm256_set1_ps(scale);
    __m256i total = _mm256_setzero_si256();
    for (int64_t k = first; k < first + gs; k += 16) {
      const __m256i a = finite ? _mm256_cvtps_epi32(_mm256_div_ps(_mm256_loadu_ps(floats + k), divisor)) : zero;
      const __m256i b = finite ? _mm256_cvtps_epi32(_mm256_div_ps(_mm256_loadu_ps(floats + k + 8), divisor)) : zero;
      total = _mm256_add_epi32(total, _mm256_add_epi32(a, b));
      // packs works per 128-bit lane: the permute puts the 16 values back in order, two a word
      const __m256i in_order = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(pairs + k / 2), in_order);
    }
    scales[g] = scale;
    fixed_sums[g] = total_of(total);
  }
}

#if defined(__AVX512BF16__) && defined(__AVX512BW__)

constexpr bool kFixedPoint = false;

inline __m512i bf16_of_nibbles(__m512i words) {  // (w & 0xF) | 0x4300: bf16 128 + q, per 16-bit word
  return _mm512_ternarylogic_epi32(words, _mm512_set1_epi16(0x000F), _mm512_set1_epi16(0x4300), 0xEA);
}

// The vocabulary rows_times and add_update (below, once for both paths) are written in
using Floats = __m512;
constexpr int64_t kLanes = 16;
inline Floats zeros() { return _mm512_setzero_ps(); }
inline Floats load(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, Floats v) { _mm512_storeu_ps(p, v); }
inline Floats broadcast(float v) { return _mm512_set1_ps(v); }
inline Floats multiply_add(Floats a, Floats b, Floats c) { return _mm512_fmadd_ps(a, b, c); }
inline float sum_of(Floats v) { return _mm512_reduce_add_ps(v); }
inline Floats int8_to_fp32(const int8_t* p) {  // kLanes int8 values made fp32
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

void block_rows(const Input& in, const uint8_t* packed, const uint32_t* scales, int64_t block, int64_t K, int64_t gs,
                float* out) {  // out: the block's 64 columns
  const int64_t groups = K / gs;
  const uint8_t* rows = packed + block * K * 32;
  const uint32_t* block_scales = scales + block * groups * kBlock;
  // unpack{lo,hi}_epi16 work per 128-bit lane: lane m of the first product holds column
  // 8*(m/4) + m%4, of the second that + 4 (the high nibbles: + 32)
  const __m512i order0 = _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const __m512i order1 = _mm512_setr_epi32(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  const __m512i high_half = _mm512_set1_epi32(static_cast<int>(0xFFFF0000));
  const __m512 eight = _mm512_set1_ps(8.0f), offset = _mm512_set1_ps(128.0f);
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  for (int64_t g = 0; g < groups; ++g) {
    __m512 dot[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    const uint8_t* row = rows + g * gs * 32;
    const uint16_t* xg = in.bf16 + g * gs;
    for (int64_t k = 0; k < gs; k += 2) {
      _mm_prefetch(reinterpret_cast<const char*>(row + k * 32 + kPrefetch), _MM_HINT_T0);
      __m512i r0 = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + k * 32)));
      __m512i r1 = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + k * 32 + 32)));
      __m512i lo0 = bf16_of_nibbles(r0), lo1 = bf16_of_nibbles(r1);
      __m512i hi0 = bf16_of_nibbles(_mm512_srli_epi16(r0, 4)), hi1 = bf16_of_nibbles(_mm512_srli_epi16(r1, 4));
      __m512bh xs = (__m512bh)_mm512_set1_epi32(*reinterpret_cast<const int32_t*>(xg + k));
      dot[0] = _mm512_dpbf16_ps(dot[0], (__m512bh)_mm512_unpacklo_epi16(lo0, lo1), xs);
      dot[1] = _mm512_dpbf16_ps(dot[1], (__m512bh)_mm512_unpackhi_epi16(lo0, lo1), xs);
      dot[2] = _mm512_dpbf16_ps(dot[2], (__m512bh)_mm512_unpacklo_epi16(hi0, hi1), xs);
      dot[3] = _mm512_dpbf16_ps(dot[3], (__m512bh)_mm512_unpackhi_epi16(hi0, hi1), xs);
    }
    const uint32_t* p = block_scales + g * kBlock;  // (scale, zero) bf16 pairs as 32-bit words
    const __m512i lo_a = _mm512_loadu_si512(p), lo_b = _mm512_loadu_si512(p + 16);
    const __m512i hi_a = _mm512_loadu_si512(p + 32), hi_b = _mm512_loadu_si512(p + 48);
    const __m512i pairs[4] = {_mm512_permutex2var_epi32(lo_a, order0, lo_b), _mm512_permutex2var_epi32(lo_a, order1, lo_b),
                              _mm512_permutex2var_epi32(hi_a, order0, hi_b), _mm512_permutex2var_epi32(hi_a, order1, hi_b)};
    const __m512 x_sum = _mm512_set1_ps(in.sums[g]);
    for (int i = 0; i < 4; ++i) {
      const __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(pairs[i], 16));
      const __m512 zero = _mm512_castsi512_ps(_mm512_and_si512(pairs[i], high_half));
      // sum (128 + q) x = dot;  y += scale * (dot - 128 sum x) + (zero - 8 scale) sum x
      acc[i] = _mm512_fmadd_ps(scale, _mm512_fnmadd_ps(offset, x_sum, dot[i]), acc[i]);
      acc[i] = _mm512_fmadd_ps(_mm512_fnmadd_ps(eight, scale, zero), x_sum, acc[i]);
    }
  }
  const __m512i back0 = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  const __m512i back1 = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
  _mm512_storeu_ps(out, _mm512_permutex2var_ps(acc[0], back0, acc[1]));
  _mm512_storeu_ps(out + 16, _mm512_permutex2var_ps(acc[0], back1, acc[1]));
  _mm512_storeu_ps(out + 32, _mm512_permutex2var_ps(acc[2], back0, acc[3]));
  _mm512_storeu_ps(out + 48, _mm512_permutex2var_ps(acc[2], back1, acc[3]));
}

#elif defined(__AVX2__) && defined(__FMA__)

constexpr bool kFixedPoint = true;

inline __m256i load_halves(const void* low, const void* high) {  // 16 bytes from each, one per 128-bit lane
  return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(low))),
                                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(high)), 1);
}

// One step: rows k and k + 1. Their nibbles' bytes interleaved (16 columns a lane), widened
// to 16-bit pairs (8 columns, two vectors) and multiplied with the pair (x16[k], x16[k + 1]):
// q_k x_k + q_k+1 x_k+1 per column in 32 bits, exactly.
inline void pair_products(__m256i byte_pairs, __m256i xs, __m256i& low, __m256i& high) {
  const __m256i zero = _mm256_setzero_si256();
  low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_unpacklo_epi8(byte_pairs, zero), xs));
  high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_unpackhi_epi8(byte_pairs, zero), xs));
}

// Torch packs 64 columns a block of 32 bytes a row where it runs its AVX-512 code (byte i:
// column i, high nibble 32 + i), and on AVX2 two blocks of 32 columns, 16 bytes a row each
// (byte i: column i, high nibble 16 + i). A step loads 16 bytes into each 128-bit lane; the
// first column each (nibble half, lane) then holds:
struct Pack {
  int64_t row_bytes;   // from one row to the next within a lane's stream
  int64_t second;      // from the low lane's bytes to the high lane's
  int first[2][2];     // [low, high nibble][low, high lane]
};

Pack pack_of(int64_t K) {
  static const bool wide = at::get_cpu_capability() == "AVX512";
  if (wide) return Pack{32, 16, {{0, 16}, {32, 48}}};
  return Pack{16, K * 16, {{0, 32}, {16, 48}}};
}

void block_rows(const Input& in, const uint8_t* packed, const uint32_t* scales, int64_t block, int64_t K, int64_t gs,
                float* out) {  // out: the block's 64 columns
  const int64_t groups = K / gs;
  const Pack pack = pack_of(K);
  const uint8_t* rows = packed + block * K * 32;
  const uint32_t* block_scales = scales + block * groups * kBlock;
  const __m256i nibble = _mm256_set1_epi8(0x0F), high_half = _mm256_set1_epi32(static_cast<int>(0xFFFF0000));
  int columns[8][2];  // vector i's first column in each lane (four columns each)
  for (int i = 0; i < 8; ++i)
    for (int lane = 0; lane < 2; ++lane) columns[i][lane] = pack.first[i / 4][lane] + 4 * (i % 4);
  alignas(32) float acc[8][8] = {};  // in the vectors' order, put back in column order at the end
  for (int64_t g = 0; g < groups; ++g) {
    __m256i dot[8];
    for (__m256i& d : dot) d = _mm256_setzero_si256();
    const uint8_t* row = rows + g * gs * pack.row_bytes;
    const int32_t* xg = in.pairs + g * gs / 2;
    for (int64_t k = 0; k < gs; k += 2, row += 2 * pack.row_bytes) {
      if (k % 4 == 0) {  // a cache line of each stream holds 2 (wide pack) or 4 rows
        _mm_prefetch(reinterpret_cast<const char*>(row + kPrefetch), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(row + pack.second + kPrefetch), _MM_HINT_T0);
      }
      const __m256i r0 = load_halves(row, row + pack.second);
      const __m256i r1 = load_halves(row + pack.row_bytes, row + pack.row_bytes + pack.second);
      const __m256i xs = _mm256_set1_epi32(xg[k / 2]);
      const __m256i lo0 = _mm256_and_si256(r0, nibble), lo1 = _mm256_and_si256(r1, nibble);
      const __m256i hi0 = _mm256_and_si256(_mm256_srli_epi16(r0, 4), nibble);
      const __m256i hi1 = _mm256_and_si256(_mm256_srli_epi16(r1, 4), nibble);
      pair_products(_mm256_unpacklo_epi8(lo0, lo1), xs, dot[0], dot[1]);
      pair_products(_mm256_unpackhi_epi8(lo0, lo1), xs, dot[2], dot[3]);
      pair_products(_mm256_unpacklo_epi8(hi0, hi1), xs, dot[4], dot[5]);
      pair_products(_mm256_unpackhi_epi8(hi0, hi1), xs, dot[6], dot[7]);
    }
    const uint32_t* p = block_scales + g * kBlock;  // (scale, zero) bf16 pairs as 32-bit words
    const __m256i eight_sums = _mm256_set1_epi32(8 * in.fixed_sums[g]);
    const __m256 x_scale = _mm256_set1_ps(in.scales[g]), x_sum = _mm256_set1_ps(in.sums[g]);
    for (int i = 0; i < 8; ++i) {
      const __m256i pairs = load_halves(p + columns[i][0], p + columns[i][1]);
      const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(pairs, 16));
      const __m256 zero = _mm256_castsi256_ps(_mm256_and_si256(pairs, high_half));
      // sum (q - 8) x = x_scale (dot - 8 sum x16);  y += scale * that + zero * sum x
      const __m256 centred = _mm256_cvtepi32_ps(_mm256_sub_epi32(dot[i], eight_sums));
      const __m256 a = _mm256_fmadd_ps(_mm256_mul_ps(scale, x_scale), centred, _mm256_load_ps(acc[i]));
      _mm256_store_ps(acc[i], _mm256_fmadd_ps(zero, x_sum, a));
    }
  }
  for (int i = 0; i < 8; ++i) {
    std::memcpy(out + columns[i][0], acc[i], 4 * sizeof(float));
    std::memcpy(out + columns[i][1], acc[i] + 4, 4 * sizeof(float));
  }
}

using Floats = __m256;
constexpr int64_t kLanes = 8;
inline Floats zeros() { return _mm256_setzero_ps(); }
inline Floats load(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, Floats v) { _mm256_storeu_ps(p, v); }
inline Floats broadcast(float v) { return _mm256_set1_ps(v); }
inline Floats multiply_add(Floats a, Floats b, Floats c) { return _mm256_fmadd_ps(a, b, c); }
inline float sum_of(Floats v) { return total_of(v); }
inline Floats int8_to_fp32(const int8_t* p) {  // kLanes int8 values made fp32
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

#else
#error "int4_rows needs AVX512-BF16 or AVX2 with FMA (built with -march=native)"
#endif

void rows_times(const int8_t* rows, int64_t R, const Input& in, int64_t K, float* h) {  // h = A x, fp32
  const int64_t whole = K - K % kLanes;
  for (int64_t r0 = 0; r0 < R; r0 += 4) {  // four rows at once: four independent sums, one load of x
    const int64_t n = std::min<int64_t>(4, R - r0);
    Floats acc[4] = {zeros(), zeros(), zeros(), zeros()};
    for (int64_t k = 0; k < whole; k += kLanes) {
      const Floats xs = load(in.floats + k);
      for (int64_t i = 0; i < n; ++i) acc[i] = multiply_add(int8_to_fp32(rows + (r0 + i) * K + k), xs, acc[i]);
    }
    for (int64_t i = 0; i < n; ++i) {
      float s = sum_of(acc[i]);
      for (int64_t k = whole; k < K; ++k) s += rows[(r0 + i) * K + k] * in.floats[k];
      h[r0 + i] = s;
    }
  }
}

void add_update(const Update& update, const float* h, int64_t block, float* out) {  // out += B h, one block's columns
  const int32_t first = update.offsets[block];
  if (first < 0) return;
  const int8_t* b = update.b + block * update.rank * kBlock;
  const float* b_scales = update.b_scales + block * update.rank;
  constexpr int64_t kParts = kBlock / kLanes;
  Floats result[kParts];
  for (int64_t i = 0; i < kParts; ++i) result[i] = load(out + kLanes * i);
  for (int64_t r = 0; r < update.rank; ++r) {
    const Floats hr = broadcast(h[first + r] * b_scales[r]);
    for (int64_t i = 0; i < kParts; ++i) result[i] = multiply_add(hr, int8_to_fp32(b + r * kBlock + kLanes * i), result[i]);
  }
  for (int64_t i = 0; i < kParts; ++i) store(out + kLanes * i, result[i]);
}

void ask_for(const void* data, int64_t bytes) {  // every cache line of it, without waiting
  const char* start = static_cast<const char*>(data);
  for (int64_t line = 0; line < bytes; line += 64) _mm_prefetch(start + line, _MM_HINT_T0);
}

std::pair<int64_t, int64_t> rows_used(const Update& update, int64_t begin, int64_t end) {  // [first, last) of A
  int64_t first = update.rows, last = 0;
  for (int64_t block = begin; block < end; ++block) {
    const int32_t offset = update.offsets[block];
    if (offset < 0) continue;
    first = std::min<int64_t>(first, offset);
    last = std::max<int64_t>(last, offset + update.rank);
  }
  return {first, std::max(first, last)};
}

// fp32 to bf16 as torch rounds (to nearest even; a NaN stays a quiet NaN), 16 at a time
void store_bf16(const float* values, uint16_t* bf16, int64_t n) {
  const __m256i one = _mm256_set1_epi32(1), half = _mm256_set1_epi32(0x7FFF), nan = _mm256_set1_epi32(0x7FC0);
  auto rounded = [&](__m256 v) {
    const __m256i bits = _mm256_castps_si256(v);
    const __m256i bias = _mm256_add_epi32(half, _mm256_and_si256(_mm256_srli_epi32(bits, 16), one));
    const __m256i top = _mm256_srli_epi32(_mm256_add_epi32(bits, bias), 16);
    return _mm256_blendv_epi8(top, nan, _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
  };
  for (int64_t i = 0; i < n; i += 16) {  // packus works per 128-bit lane: the permute puts them back in order
    const __m256i both = _mm256_packus_epi32(rounded(_mm256_loadu_ps(values + i)), rounded(_mm256_loadu_ps(values + i + 8)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(bf16 + i), _mm256_permute4x64_epi64(both, 0xD8));
  }
}

void blocks_of_one_thread(const Input& in, const uint8_t* weights, const uint32_t* scales, const Update& update,
                          uint16_t* y, int64_t begin, int64_t end, int64_t K, int64_t gs) {
  thread_local std::vector<float> sums_of_blocks;  // fp32 until the blocks are done; grown once, not a call
  sums_of_blocks.resize((end - begin) * kBlock);
  float* out = sums_of_blocks.data();
  const auto [first, last] = update.a != nullptr ? rows_used(update, begin, end) : std::pair<int64_t, int64_t>{0, 0};
  if (last > first) {  // asked for now, used after the blocks: they arrive meanwhile
    ask_for(update.a + first * K, (last - first) * K);
    ask_for(update.b + begin * update.rank * kBlock, (end - begin) * update.rank * kBlock);
    ask_for(update.b_scales + begin * update.rank, (end - begin) * update.rank * 4);
  }
  for (int64_t block = begin; block < end; ++block) block_rows(in, weights, scales, block, K, gs, out + (block - begin) * kBlock);
  if (last > first) {
    thread_local std::vector<float> h;
    h.resize(update.rows);
    rows_times(update.a + first * K, last - first, in, K, h.data() + first);
    for (int64_t block = begin; block < end; ++block) add_update(update, h.data(), block, out + (block - begin) * kBlock);
  }
  store_bf16(out, y + begin * kBlock, (end - begin) * kBlock);
}

at::Tensor rows_pass(const at::Tensor& x, const at::Tensor& packed, int64_t gs, const at::Tensor& block_scales,
                     const Update& update) {
  const int64_t K = x.size(-1), N = packed.size(0);
  TORCH_CHECK(x.numel() == K && x.scalar_type() == at::kBFloat16, "int4_rows: one bf16 row, got ", x.sizes());
  TORCH_CHECK(N % kBlock == 0 && gs % 16 == 0 && K % gs == 0 && packed.numel() == N * K / 2,
              "int4_rows: unsupported shape ", N, "x", K, " group ", gs);
  TORCH_CHECK(block_scales.is_contiguous() && block_scales.numel() == N * (K / gs) * 2,
              "int4_rows: block scales must be [N/64][K/gs][64][2]");
  const uint16_t* bits = reinterpret_cast<const uint16_t*>(x.data_ptr());
  thread_local std::vector<float> floats, sums, scales_of_x;  // the caller's thread's, grown once
  thread_local std::vector<int32_t> pairs, fixed_sums;
  floats.resize(K), sums.resize(K / gs);
  if (kFixedPoint) pairs.resize(K / 2), scales_of_x.resize(K / gs), fixed_sums.resize(K / gs);
  input_forms(bits, K, gs, kFixedPoint, floats.data(), sums.data(), pairs.data(), scales_of_x.data(),
              fixed_sums.data());
  const Input in{bits, floats.data(), sums.data(), pairs.data(), scales_of_x.data(), fixed_sums.data()};
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = N;
  at::Tensor y = at::empty(shape, x.options());
  uint16_t* out = reinterpret_cast<uint16_t*>(y.data_ptr());
  const uint8_t* weights = packed.data_ptr<uint8_t>();
  const uint32_t* scales = reinterpret_cast<const uint32_t*>(block_scales.data_ptr());
  at::parallel_for(0, N / kBlock, 1, [&](int64_t begin, int64_t end) {
    blocks_of_one_thread(in, weights, scales, update, out, begin, end, K, gs);
  });
  return y;
}

at::Tensor int4_rows(const at::Tensor& x, const at::Tensor& packed, int64_t gs, const at::Tensor& block_scales) {
  return rows_pass(x.contiguous(), packed, gs, block_scales, Update{});
}

// The update is one uint8 tensor (llm/row_layout.py, packed_update): a header of 16 int32
// (rows of A, rank, K, blocks, where offsets, B's scales, A and B begin, bytes in all),
// then those four, each at a multiple of 64 bytes.
Update unpacked(const at::Tensor& update, int64_t K, int64_t blocks) {
  TORCH_CHECK(update.scalar_type() == at::kByte && update.is_contiguous() && update.numel() >= 64,
              "int4_rows_lora: the update must be packed bytes (packed_update)");
  const uint8_t* bytes = update.data_ptr<uint8_t>();
  const int32_t* header = reinterpret_cast<const int32_t*>(bytes);
  const int64_t rows = header[0], rank = header[1];
  TORCH_CHECK(header[2] == K && header[3] == blocks && rows > 0 && rank > 0 && header[8] == update.numel() &&
              header[4] >= 64 && header[4] + blocks * 4 <= header[5] && header[5] + blocks * rank * 4 <= header[6] &&
              header[6] + rows * K <= header[7] && header[7] + blocks * rank * kBlock <= header[8] &&
              header[4] % 64 == 0 && header[5] % 64 == 0 && header[6] % 64 == 0 && header[7] % 64 == 0,
              "int4_rows_lora: the update's header does not fit a ", blocks * kBlock, "x", K, " layer");
  const int32_t* offsets = reinterpret_cast<const int32_t*>(bytes + header[4]);
  for (int64_t block = 0; block < blocks; ++block)
    TORCH_CHECK(offsets[block] < 0 || offsets[block] + rank <= rows, "int4_rows_lora: offset out of A");
  return Update{reinterpret_cast<const int8_t*>(bytes + header[6]), rows, reinterpret_cast<const int8_t*>(bytes + header[7]),
                reinterpret_cast<const float*>(bytes + header[5]), offsets, rank};
}

at::Tensor int4_rows_lora(const at::Tensor& x, const at::Tensor& packed, int64_t gs, const at::Tensor& block_scales,
                          const at::Tensor& update) {
  const at::Tensor xc = x.contiguous();
  return rows_pass(xc, packed, gs, block_scales, unpacked(update, xc.size(-1), packed.size(0) / kBlock));
}

}  // namespace

TORCH_LIBRARY(kigi, m) {
  m.def("int4_rows(Tensor x, Tensor packed, int gs, Tensor block_scales) -> Tensor");
  m.def("int4_rows_lora(Tensor x, Tensor packed, int gs, Tensor block_scales, Tensor update) -> Tensor");
}
TORCH_LIBRARY_IMPL(kigi, CPU, m) {
  m.impl("int4_rows", &int4_rows);
  m.impl("int4_rows_lora", &int4_rows_lora);
}

// What a compiled step (AOTInductor) calls directly, without the dispatcher: inductor names a
// custom op's C shim aoti_torch_<device>_<op name> (config.aot_inductor.custom_ops_to_c_shims).
extern "C" AOTITorchError aoti_torch_cpu_int4_rows(AtenTensorHandle x, AtenTensorHandle packed, int64_t gs,
                                                   AtenTensorHandle block_scales, AtenTensorHandle* ret0) {
  AOTI_TORCH_CONVERT_EXCEPTION_TO_ERROR_CODE({
    at::Tensor y = int4_rows(*torch::aot_inductor::tensor_handle_to_tensor_pointer(x),
                             *torch::aot_inductor::tensor_handle_to_tensor_pointer(packed), gs,
                             *torch::aot_inductor::tensor_handle_to_tensor_pointer(block_scales));
    *ret0 = torch::aot_inductor::new_tensor_handle(std::move(y));
  });
}

extern "C" AOTITorchError aoti_torch_cpu_int4_rows_lora(AtenTensorHandle x, AtenTensorHandle packed, int64_t gs,
                                                        AtenTensorHandle block_scales, AtenTensorHandle update,
                                                        AtenTensorHandle* ret0) {
  using torch::aot_inductor::tensor_handle_to_tensor_pointer;
  AOTI_TORCH_CONVERT_EXCEPTION_TO_ERROR_CODE({
    at::Tensor y = int4_rows_lora(*tensor_handle_to_tensor_pointer(x), *tensor_handle_to_tensor_pointer(packed), gs,
                                  *tensor_handle_to_tensor_pointer(block_scales), *tensor_handle_to_tensor_pointer(update));
    *ret0 = torch::aot_inductor::new_tensor_handle(std::move(y));
  });
}
