/* A few rows of float32 activations times a weight kept as 4-bit codes, for precision.Int4Linear:
   y (m, n) = x (m, k) W^T, each weight w = q * scale + min with q in 0..15, in groups of 32 along the
   input (the GGUF's Q4_1). infinicli/kernel.py compiles this for this machine and calls it through
   ctypes.

   Layout: codes (n, k / 2) bytes, a group's 16 bytes holding its weights j (low nibble) and j + 16
   (high nibble), as Q4_1 does; sm (n, k / 32, 2) float32, each group's scale then minimum.

   torch's 4-bit CPU kernel takes and gives bfloat16, so a decoded token's every projection rounded its
   activations and outputs to 8 bits of mantissa (98.6-98.8 % of next-token choices as float32's). Here
   each group's 16 possible weights are made once (scale * 0..15 + min, in float32: the weights
   themselves, exactly), each code picks its weight from them (one permute for 16 codes), and the
   products are summed in float32: float32's results within rounding. Up to MB activation rows share
   each group's weights. Rows of the weight are split over the threads. Built for AVX-512F, or for AVX2
   with FMA (the weights made by conversions and products, eight at a time). */
#include <math.h>
#include <stdint.h>

#include <immintrin.h>

#define GROUP 32
#define MB 8

#if defined(__AVX512F__)
static inline __attribute__((always_inline)) void row_times(const uint8_t *q, const float *sm, const float *x,
                                                            long k, long groups, float *y, long n, const int mb) {
    const __m512 iota = _mm512_set_ps(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    __m512 lo[MB], hi[MB];
    for (int j = 0; j < mb; j++) lo[j] = hi[j] = _mm512_setzero_ps();
    for (long g = 0; g < groups; g++) {
        __m512i e = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(q + g * 16)));
        __m512 w = _mm512_fmadd_ps(_mm512_set1_ps(sm[2 * g]), iota, _mm512_set1_ps(sm[2 * g + 1]));
        __m512 wl = _mm512_permutexvar_ps(e, w);  /* the index is a lane's low 4 bits: the low nibble */
        __m512 wh = _mm512_permutexvar_ps(_mm512_srli_epi32(e, 4), w);
        for (int j = 0; j < mb; j++) {
            const float *xg = x + j * k + g * GROUP;
            lo[j] = _mm512_fmadd_ps(wl, _mm512_loadu_ps(xg), lo[j]);
            hi[j] = _mm512_fmadd_ps(wh, _mm512_loadu_ps(xg + 16), hi[j]);
        }
    }
    for (int j = 0; j < mb; j++) y[j * n] = _mm512_reduce_add_ps(_mm512_add_ps(lo[j], hi[j]));
}

#elif defined(__AVX2__) && defined(__FMA__)
/* AVX2 (most laptops): a group's 32 weights made as four vectors of 8 (code * scale + min), then the same
   sums. */
static inline __attribute__((always_inline)) void row_times(const uint8_t *q, const float *sm, const float *x,
                                                            long k, long groups, float *y, long n, const int mb) {
    const __m256i low4 = _mm256_set1_epi32(15);
    __m256 lo[MB], hi[MB];
    for (int j = 0; j < mb; j++) lo[j] = hi[j] = _mm256_setzero_ps();
    for (long g = 0; g < groups; g++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(q + g * 16));
        __m256i e0 = _mm256_cvtepu8_epi32(b), e1 = _mm256_cvtepu8_epi32(_mm_srli_si128(b, 8));
        __m256 sc = _mm256_set1_ps(sm[2 * g]), mn = _mm256_set1_ps(sm[2 * g + 1]);
        __m256 w0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(e0, low4)), sc, mn);  /* weights 0..7 */
        __m256 w1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(e1, low4)), sc, mn);  /* 8..15 */
        __m256 w2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(e0, 4)), sc, mn);     /* 16..23 */
        __m256 w3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(e1, 4)), sc, mn);     /* 24..31 */
        for (int j = 0; j < mb; j++) {
            const float *xg = x + j * k + g * GROUP;
            lo[j] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xg), lo[j]);
            hi[j] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xg + 8), hi[j]);
            lo[j] = _mm256_fmadd_ps(w2, _mm256_loadu_ps(xg + 16), lo[j]);
            hi[j] = _mm256_fmadd_ps(w3, _mm256_loadu_ps(xg + 24), hi[j]);
        }
    }
    for (int j = 0; j < mb; j++) {
        __m256 t = _mm256_add_ps(lo[j], hi[j]);
        __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
        u = _mm_add_ps(u, _mm_movehl_ps(u, u));
        u = _mm_add_ss(u, _mm_movehdup_ps(u));
        y[j * n] = _mm_cvtss_f32(u);
    }
}
#else
#error "int4_rows needs AVX-512F, or AVX2 with FMA"
#endif

static void rows_product(const float *x, long m, const uint8_t *codes, const float *sm, float *y, long n, long k,
                         int threads) {
    long groups = k / GROUP;
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (long r = 0; r < n; r++) {
        const uint8_t *q = codes + r * (k / 2);
        const float *s = sm + r * groups * 2;
        for (long i = 0; i < m; i += MB) {
            long left = m - i;
            const float *xi = x + i * k;
            float *yi = y + i * n + r;
            switch (left < MB ? left : MB) {
            case 1: row_times(q, s, xi, k, groups, yi, n, 1); break;
            case 2: row_times(q, s, xi, k, groups, yi, n, 2); break;
            case 3: row_times(q, s, xi, k, groups, yi, n, 3); break;
            case 4: row_times(q, s, xi, k, groups, yi, n, 4); break;
            case 5: row_times(q, s, xi, k, groups, yi, n, 5); break;
            case 6: row_times(q, s, xi, k, groups, yi, n, 6); break;
            case 7: row_times(q, s, xi, k, groups, yi, n, 7); break;
            default: row_times(q, s, xi, k, groups, yi, n, 8); break;
            }
        }
    }
}

/* 0 when done; 1 for an input size that is not a whole number of groups. */
int int4_rows(const float *x, long m, const uint8_t *codes, const float *sm, float *y, long n, long k,
              int threads) {
    if (k % GROUP) return 1;
    rows_product(x, m, codes, sm, y, n, k, threads);
    return 0;
}

/* The same product over the gated MLP's inner activations: x holds m rows of 2k, a gate's k values then
   an up's, and the weight (down) multiplies silu(gate) * up, made here first (precision.GatedMLP's
   act(gate) * up, for SiLU): three torch operators a layer less for a decoded token. 2 for more than
   GLU_ROWS rows. */
#define GLU_ROWS 8
int int4_rows_glu(const float *x, long m, const uint8_t *codes, const float *sm, float *y, long n, long k,
                  int threads) {
    if (k % GROUP) return 1;
    if (m > GLU_ROWS) return 2;
    float inner[GLU_ROWS * k];
    for (long i = 0; i < m; i++)
        for (long j = 0; j < k; j++) {
            float g = x[i * 2 * k + j];
            inner[i * k + j] = g / (1.0f + expf(-g)) * x[i * 2 * k + k + j];
        }
    rows_product(inner, m, codes, sm, y, n, k, threads);
    return 0;
}

/* A Llama RMSNorm of m rows of d: out = x / sqrt(mean(x^2) + eps) * w, in float32. torch's rms_norm took
   about 25 us for one row of 576 (a composite of several operators on this CPU), and a decoded token
   normalises 61 rows one at a time. */
void rms_norm_rows(const float *x, const float *w, float *out, long m, long d, float eps) {
    for (long i = 0; i < m; i++) {
        const float *xi = x + i * d;
        float *oi = out + i * d;
        float ss = 0.0f;
        for (long j = 0; j < d; j++) ss += xi[j] * xi[j];
        float r = 1.0f / sqrtf(ss / (float)d + eps);
        for (long j = 0; j < d; j++) oi[j] = xi[j] * r * w[j];
    }
}

/* The residual stream's step and the next norm in one: x += a (in place), then out = rms_norm_rows of x. A
   decoded token adds each layer's attention and MLP to x, and normalises the sum right after. */
void add_rms_norm_rows(float *x, const float *a, const float *w, float *out, long m, long d, float eps) {
    for (long j = 0; j < m * d; j++) x[j] += a[j];
    rms_norm_rows(x, w, out, m, d, eps);
}
