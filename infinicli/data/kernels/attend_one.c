/* One decoded token's attention, summed in float32, for an engine.OpenSpan: each query head over the S
   keys of its KV head (attend_one); and the span's carried keys roped and written into it (rope_keys).
   infinicli/kernel.py compiles this for one model's shape (G_ query heads per KV head, D_ dimensions a
   head), with KV_HALF for a span kept in float16, and calls them through ctypes.

   q: (H, G_, D_), already scaled; keys transposed, key s of head h at dimension d is
   kt[h * khs + d * kds + s]; values v[h * vhs + s * D_ + d]; out: (H, G_, D_).

   torch's batched products read the keys at a third of the memory's speed here (one query: a 3 x 64
   by 64 x S product per KV head). This reads each key once, in rows: the work is cut into items of
   one KV head and CHUNK keys; an item sweeps the CHUNK keys of one dimension at a time (a row of the
   transposed keys, read in order) into the scores of all G_ query heads, takes their softmax within
   the item, then sums the values weighted by it. Each item keeps its own maximum and sum, and the
   items of a head are merged at the end as flash attention merges blocks. */
#include <float.h>
#include <math.h>
#include <string.h>

#ifndef G_
#define G_ 3
#endif
#ifndef D_
#define D_ 64
#endif
#ifdef KV_HALF
/* Keys and values kept in half precision (IEEE binary16), widened to float32 in registers (AVX-512F's
   vcvtph2ps, 16 at a time) and summed in float32. */
#include <immintrin.h>
typedef _Float16 kv_t;
#else
typedef float kv_t;
#endif
#define CHUNK 512
#define MAX_ITEMS 4096

static void item(const float *restrict q, const kv_t *restrict kt, long kds, const kv_t *restrict v,
                 long s0, long s1, float *restrict m_out, float *restrict l_out, float *restrict o_out) {
    static __thread float acc[G_][CHUNK];
    long n = s1 - s0;
    for (int g = 0; g < G_; g++)
        for (long s = 0; s < n; s++) acc[g][s] = 0.0f;
    for (int d = 0; d < D_; d++) {
        const kv_t *restrict row = kt + d * kds + s0;
        float qd[G_];
        for (int g = 0; g < G_; g++) qd[g] = q[g * D_ + d];
        long s = 0;
#ifdef KV_HALF
        __m512 qv[G_];
        for (int g = 0; g < G_; g++) qv[g] = _mm512_set1_ps(qd[g]);
        for (; s + 16 <= n; s += 16) {
            __m512 x = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(row + s)));
            for (int g = 0; g < G_; g++)
                _mm512_storeu_ps(&acc[g][s], _mm512_fmadd_ps(qv[g], x, _mm512_loadu_ps(&acc[g][s])));
        }
#endif
        for (; s < n; s++) {
            float x = row[s];
            for (int g = 0; g < G_; g++) acc[g][s] += qd[g] * x;
        }
    }
    for (int g = 0; g < G_; g++) {
        float m = -FLT_MAX;
        for (long s = 0; s < n; s++) m = acc[g][s] > m ? acc[g][s] : m;
        float l = 0.0f;
        for (long s = 0; s < n; s++) {
            float e = expf(acc[g][s] - m);
            acc[g][s] = e;
            l += e;
        }
        m_out[g] = m;
        l_out[g] = l;
    }
    float o[G_][D_];
#ifdef KV_HALF
    __m512 ov[G_][D_ / 16];
    for (int g = 0; g < G_; g++)
        for (int j = 0; j < D_ / 16; j++) ov[g][j] = _mm512_setzero_ps();
    for (long s = 0; s < n; s++) {
        const kv_t *restrict vs = v + (s0 + s) * D_;
        for (int j = 0; j < D_ / 16; j++) {
            __m512 x = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(vs + 16 * j)));
            for (int g = 0; g < G_; g++) ov[g][j] = _mm512_fmadd_ps(_mm512_set1_ps(acc[g][s]), x, ov[g][j]);
        }
    }
    for (int g = 0; g < G_; g++)
        for (int j = 0; j < D_ / 16; j++) _mm512_storeu_ps(&o[g][16 * j], ov[g][j]);
#else
    for (int g = 0; g < G_; g++)
        for (int d = 0; d < D_; d++) o[g][d] = 0.0f;
    for (long s = 0; s < n; s++) {
        const float *restrict vs = v + (s0 + s) * D_;
        for (int g = 0; g < G_; g++) {
            float p = acc[g][s];
            for (int d = 0; d < D_; d++) o[g][d] += p * vs[d];
        }
    }
#endif
    memcpy(o_out, o, sizeof(o));
}

/* 0 when done; 1 for another shape than compiled, 2 for more keys than MAX_ITEMS items hold. Not
   reentrant: the items' results are kept in static buffers (the engine decodes one token at a time). */
int attend_one(const float *q, const kv_t *kt, long khs, long kds, const kv_t *v, long vhs,
               float *out, int H, int G, int D, long S, int threads) {
    static float m[MAX_ITEMS * G_], l[MAX_ITEMS * G_], part[MAX_ITEMS * G_ * D_];
    if (G != G_ || D != D_) return 1;
    long chunks = (S + CHUNK - 1) / CHUNK;
    long items = H * chunks;
    if (S < 1 || items > MAX_ITEMS) return 2;
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (long it = 0; it < items; it++) {
        long h = it / chunks, c = it % chunks;
        long s0 = c * CHUNK, s1 = s0 + CHUNK < S ? s0 + CHUNK : S;
        item(q + h * G_ * D_, kt + h * khs, kds, v + h * vhs, s0, s1, m + it * G_, l + it * G_,
             part + it * G_ * D_);
    }
    for (long h = 0; h < H; h++) {
        for (int g = 0; g < G_; g++) {
            float top = -FLT_MAX, sum = 0.0f, acc[D_];
            for (long c = 0; c < chunks; c++) {
                float x = m[(h * chunks + c) * G_ + g];
                top = x > top ? x : top;
            }
            for (int d = 0; d < D_; d++) acc[d] = 0.0f;
            for (long c = 0; c < chunks; c++) {
                long it = h * chunks + c;
                float w = expf(m[it * G_ + g] - top);
                sum += w * l[it * G_ + g];
                const float *src = part + (it * G_ + g) * D_;
                for (int d = 0; d < D_; d++) acc[d] += w * src[d];
            }
            float *dst = out + (h * G_ + g) * D_;
            for (int d = 0; d < D_; d++) dst[d] = acc[d] / sum;
        }
    }
    return 0;
}

/* Keys roped and written transposed into an open span (engine.OpenSpan), one pass over them: key s of
   KV head h is src[h * shs + s * D_ + d] (rows of D_ floats, not roped), at span position a + s; cs and
   sn are (positions, D_) rows of cos and of sin with rotate_half's sign folded in (engine._rope); it
   goes to dst[h * dhs + d * dds + a + s]. RB keys at a time are roped in rows, then written out as RB
   runs, one per dimension. */
#define RB 16
void rope_keys(const float *src, long shs, long n, const float *cs, const float *sn, long a, kv_t *dst,
               long dhs, long dds, int H, int threads) {
    long blocks = (n + RB - 1) / RB;
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (long it = 0; it < H * blocks; it++) {
        long h = it / blocks, b = (it % blocks) * RB, m = n - b < RB ? n - b : RB;
        float yt[D_][RB];
        for (long j = 0; j < m; j++) {
            const float *x = src + h * shs + (b + j) * D_, *c = cs + (a + b + j) * D_, *s = sn + (a + b + j) * D_;
            for (int d = 0; d < D_ / 2; d++) yt[d][j] = x[d] * c[d] + x[d + D_ / 2] * s[d];
            for (int d = D_ / 2; d < D_; d++) yt[d][j] = x[d] * c[d] + x[d - D_ / 2] * s[d];
        }
        for (int d = 0; d < D_; d++) {
            kv_t *row = dst + h * dhs + d * dds + a + b;
#ifdef KV_HALF
            if (m == RB) {
                _mm256_storeu_si256((__m256i *)row, _mm512_cvtps_ph(_mm512_loadu_ps(yt[d]), _MM_FROUND_TO_NEAREST_INT));
                continue;
            }
#endif
            for (long j = 0; j < m; j++) row[j] = (kv_t)yt[d][j];
        }
    }
}
