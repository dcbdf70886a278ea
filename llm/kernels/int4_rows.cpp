// kigi's int4 matrix-vector product for one-row decode steps (llm/row_kernel.py builds it).
//
// y (1, N) = x (1, K) @ W^T, W in torch's CPU int4 pack ([N/64][K][32 bytes]: byte i of a
// row holds column n0+i in its low nibble and n0+32+i in its high one), w = (q - 8) * scale
// + zero per group of `gs` inputs; the scale/zero pairs relaid per block of 64 columns
// ([N/64][K/gs][64] pairs of bf16), so a block reads its weights and its scales as two
// straight streams. Torch's own kernel is compute-bound at one row (~8 GB/s a core here);
// this one does two rows k, k+1 per AVX512-BF16 dot product: a 32-bit lane holds the bf16
// pair (128+q[k], 128+q[k+1]) of one column (made from the nibbles by one ternary-logic op)
// and vdpbf16ps multiplies it with the pair (x[k], x[k+1]); 128 * sum(x) is taken off per
// group, then the group's scale and zero applied in fp32. Built with -march=native only on
// CPUs with AVX512-BF16.
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
#include <immintrin.h>
#include <torch/csrc/inductor/aoti_torch/c/shim.h>
#include <torch/csrc/inductor/aoti_torch/utils.h>
#include <torch/library.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace {

constexpr int64_t kBlock = 64;        // columns per block of torch's pack
constexpr int64_t kPrefetch = 1024;   // bytes of weights ahead: the stream stays ahead of the loads

inline __m512i bf16_of_nibbles(__m512i words) {  // (w & 0xF) | 0x4300: bf16 128 + q, per 16-bit word
  return _mm512_ternarylogic_epi32(words, _mm512_set1_epi16(0x000F), _mm512_set1_epi16(0x4300), 0xEA);
}

struct Update {  // a low-rank update in the kernel's layout (int4_rows_lora); no a: none
  const int8_t* a = nullptr;          // [R][K]: every part's A, each padded to `rank` rows, a row's scale in B's
  int64_t rows = 0;                   // R
  const int8_t* b = nullptr;          // [N/64][rank][64]: scaling * B * A's row scale, per block
  const float* b_scales = nullptr;    // [N/64][rank]: one per row of a block's B
  const int32_t* offsets = nullptr;   // [N/64]: the block's first row of A, or -1
  int64_t rank = 0;
};

inline __m512 int8_to_fp32(const int8_t* p) {  // 16 int8 values made fp32
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

inline __m512 bf16_to_fp32(const uint16_t* p) {  // 16 bf16 values made fp32 (shifted into the high half)
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))), 16));
}

inline float bf16_value(uint16_t bits) {
  const uint32_t word = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &word, sizeof value);
  return value;
}

void block_rows(const uint16_t* x, const float* x_sums, const uint8_t* packed, const uint32_t* scales,
                float* y, int64_t block, int64_t K, int64_t gs) {
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
    const uint16_t* xg = x + g * gs;
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
    const __m512 x_sum = _mm512_set1_ps(x_sums[g]);
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
  float* out = y + block * kBlock;
  _mm512_storeu_ps(out, _mm512_permutex2var_ps(acc[0], back0, acc[1]));
  _mm512_storeu_ps(out + 16, _mm512_permutex2var_ps(acc[0], back1, acc[1]));
  _mm512_storeu_ps(out + 32, _mm512_permutex2var_ps(acc[2], back0, acc[3]));
  _mm512_storeu_ps(out + 48, _mm512_permutex2var_ps(acc[2], back1, acc[3]));
}

void ask_for(const void* data, int64_t bytes) {  // every cache line of it, without waiting
  const char* start = static_cast<const char*>(data);
  for (int64_t line = 0; line < bytes; line += 64) _mm_prefetch(start + line, _MM_HINT_T0);
}

void rows_times(const int8_t* rows, int64_t R, const uint16_t* x, int64_t K, float* h) {  // h = A x, fp32
  const int64_t whole = K - K % 16;
  for (int64_t r0 = 0; r0 < R; r0 += 4) {  // four rows at once: four independent sums, one load of x
    const int64_t n = std::min<int64_t>(4, R - r0);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int64_t k = 0; k < whole; k += 16) {
      const __m512 xs = bf16_to_fp32(x + k);
      for (int64_t i = 0; i < n; ++i) acc[i] = _mm512_fmadd_ps(int8_to_fp32(rows + (r0 + i) * K + k), xs, acc[i]);
    }
    for (int64_t i = 0; i < n; ++i) {
      float s = _mm512_reduce_add_ps(acc[i]);
      for (int64_t k = whole; k < K; ++k) s += rows[(r0 + i) * K + k] * bf16_value(x[k]);
      h[r0 + i] = s;
    }
  }
}

void add_update(const Update& update, const float* h, float* y, int64_t block) {  // y += B h, one block's columns
  const int32_t first = update.offsets[block];
  if (first < 0) return;
  const int8_t* b = update.b + block * update.rank * kBlock;
  const float* b_scales = update.b_scales + block * update.rank;
  float* out = y + block * kBlock;
  __m512 result[4] = {_mm512_loadu_ps(out), _mm512_loadu_ps(out + 16), _mm512_loadu_ps(out + 32), _mm512_loadu_ps(out + 48)};
  for (int64_t r = 0; r < update.rank; ++r) {
    const __m512 hr = _mm512_set1_ps(h[first + r] * b_scales[r]);
    for (int i = 0; i < 4; ++i) result[i] = _mm512_fmadd_ps(hr, int8_to_fp32(b + r * kBlock + 16 * i), result[i]);
  }
  for (int i = 0; i < 4; ++i) _mm512_storeu_ps(out + 16 * i, result[i]);
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

void blocks_of_one_thread(const uint16_t* x, const float* x_sums, const uint8_t* weights, const uint32_t* scales,
                          const Update& update, float* y, int64_t begin, int64_t end, int64_t K, int64_t gs) {
  const auto [first, last] = update.a != nullptr ? rows_used(update, begin, end) : std::pair<int64_t, int64_t>{0, 0};
  if (last > first) {  // asked for now, used after the blocks: they arrive meanwhile
    ask_for(update.a + first * K, (last - first) * K);
    ask_for(update.b + begin * update.rank * kBlock, (end - begin) * update.rank * kBlock);
    ask_for(update.b_scales + begin * update.rank, (end - begin) * update.rank * 4);
  }
  for (int64_t block = begin; block < end; ++block) block_rows(x, x_sums, weights, scales, y, block, K, gs);
  if (last <= first) return;
  thread_local std::vector<float> h;  // grown once, not allocated a call
  h.resize(update.rows);
  rows_times(update.a + first * K, last - first, x, K, h.data() + first);
  for (int64_t block = begin; block < end; ++block) add_update(update, h.data(), y, block);
}

at::Tensor rows_pass(const at::Tensor& x, const at::Tensor& packed, int64_t gs, const at::Tensor& block_scales,
                     const Update& update) {
  const int64_t K = x.size(-1), N = packed.size(0);
  TORCH_CHECK(x.numel() == K && x.scalar_type() == at::kBFloat16, "int4_rows: one bf16 row, got ", x.sizes());
  TORCH_CHECK(N % kBlock == 0 && gs % 2 == 0 && K % gs == 0 && packed.numel() == N * K / 2,
              "int4_rows: unsupported shape ", N, "x", K, " group ", gs);
  TORCH_CHECK(block_scales.is_contiguous() && block_scales.numel() == N * (K / gs) * 2,
              "int4_rows: block scales must be [N/64][K/gs][64][2]");
  const uint16_t* xv = reinterpret_cast<const uint16_t*>(x.data_ptr());
  std::vector<float> x_sums(K / gs);
  const at::BFloat16* xb = x.data_ptr<at::BFloat16>();
  for (int64_t g = 0; g < K / gs; ++g) {
    float s = 0.0f;
    for (int64_t k = 0; k < gs; ++k) s += static_cast<float>(xb[g * gs + k]);
    x_sums[g] = s;
  }
  at::Tensor y = at::empty({N}, x.options().dtype(at::kFloat));
  float* out = y.data_ptr<float>();
  const uint8_t* weights = packed.data_ptr<uint8_t>();
  const uint32_t* scales = reinterpret_cast<const uint32_t*>(block_scales.data_ptr());
  at::parallel_for(0, N / kBlock, 1, [&](int64_t begin, int64_t end) {
    blocks_of_one_thread(xv, x_sums.data(), weights, scales, update, out, begin, end, K, gs);
  });
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = N;
  return y.to(x.scalar_type()).reshape(shape);
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
