/* One decoded token's attention, summed in float32, for an engine.OpenSpan: each query head over the S
   keys of its KV head (attend_one); and the span's carried keys roped and written into it (rope_keys).
   infinicli/kernel.py compiles this for one model's shape (G_ query heads per KV head, D_ dimensions a
   head), with KV_HALF for a span kept in float16, and calls them through ctypes.

   q: (H, G_, D_), already scaled; keys transposed, key s of head h at dimension d is
   kt[h * khs + d * kds + s]; values v[h * vhs + s * D_ + d]; out: (H, G_, D_).

   torch's batched products read the keys at a third of the memory's speed here (one query: a 3 x 64
   by 64 x S product per KV head). This reads each key once, in rows: the work is cut into items of
   one KV head and CHUNK keys; an item sweeps the CHUNK keys of DU dimensions at a time (DU rows of the
   transposed keys, read in order) into the scores of all G_ query heads, takes their softmax within
   the item, then sums the values weighted by it. Each item keeps its own maximum and sum, and the
   items of a head are merged at the end as flash attention merges blocks.

   One decoded token over 30 layers of 3,990 keys (samples/speed/attend_isa.py, AMD EPYC, 2 threads):
   a dimension a pass, 8.3 ms in float32 and 7.5 in float16; DU dimensions a pass, 7.0 and 4.1 (an
   AVX2 and F16C build of the same: 7.5 and 4.8). */
#include <float.h>
#include <math.h>
#include <string.h>

#ifndef G_
#define G_ 3
#endif
#ifndef D_
#define D_ 64
#endif
/* Vectors of VW floats: AVX-512F's 16, else AVX2's 8 (with FMA), as most laptops have; the V* macros
   are the few instructions used, for either. DU is the dimensions a pass of the scores takes (item). */
#if defined(__AVX512F__)
#include <immintrin.h>
#define VW 16
#define DU 8
typedef __m512 vf;
#define VLOADH(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p)))
#define VSTOREH(p, x) _mm256_storeu_si256((__m256i *)(p), _mm512_cvtps_ph((x), _MM_FROUND_TO_NEAREST_INT))
#define VSET1 _mm512_set1_ps
#define VFMA _mm512_fmadd_ps
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VZERO _mm512_setzero_ps
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define VW 8
#define DU 4
typedef __m256 vf;
#define VLOADH(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define VSTOREH(p, x) _mm_storeu_si128((__m128i *)(p), _mm256_cvtps_ph((x), _MM_FROUND_TO_NEAREST_INT))
#define VSET1 _mm256_set1_ps
#define VFMA _mm256_fmadd_ps
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VZERO _mm256_setzero_ps
#endif
#ifdef KV_HALF
/* Keys and values kept in half precision (IEEE binary16), widened to float32 in registers (vcvtph2ps:
   AVX-512F's, or F16C's beside AVX2) and summed in float32. */
#if !defined(VW) || (VW == 8 && !defined(__F16C__))
#error "KV_HALF needs AVX-512F, or AVX2 with F16C and FMA"
#endif
typedef _Float16 kv_t;
#define VLOADKV VLOADH
#else
typedef float kv_t;
#define VLOADKV VLOAD
#endif
#define CHUNK 512
#define MAX_ITEMS 4096

static void item(const float *restrict q, const kv_t *restrict kt, long kds, const kv_t *restrict v,
                 long s0, long s1, float *restrict m_out, float *restrict l_out, float *restrict o_out) {
    static __thread float acc[G_][CHUNK];
    long n = s1 - s0;
    for (int g = 0; g < G_; g++)
        for (long s = 0; s < n; s++) acc[g][s] = 0.0f;
#ifdef VW
    /* DU rows (dimensions) a pass, each block of VW keys' scores loaded and stored once for all DU: the
       scores' loads and stores, not the keys' bytes, bounded the one-row-a-pass loop. The sums are the
       same, in the same order. */
    long nv = n / VW * VW;
    for (int d = 0; d < D_; d += DU) {
        vf qv[DU][G_];
        for (int u = 0; u < DU; u++)
            for (int g = 0; g < G_; g++) qv[u][g] = VSET1(q[g * D_ + d + u]);
        const kv_t *restrict row = kt + d * kds + s0;
        for (long s = 0; s < nv; s += VW) {
            vf x[DU];
            for (int u = 0; u < DU; u++) x[u] = VLOADKV(row + u * kds + s);
            for (int g = 0; g < G_; g++) {
                vf a = VLOAD(&acc[g][s]);
                for (int u = 0; u < DU; u++) a = VFMA(qv[u][g], x[u], a);
                VSTORE(&acc[g][s], a);
            }
        }
    }
    for (int d = 0; d < D_; d++) {
        const kv_t *restrict row = kt + d * kds + s0;
        for (long s = nv; s < n; s++) {
            float x = row[s];
            for (int g = 0; g < G_; g++) acc[g][s] += q[g * D_ + d] * x;
        }
    }
#else
    for (int d = 0; d < D_; d++) {
        const kv_t *restrict row = kt + d * kds + s0;
        float qd[G_];
        for (int g = 0; g < G_; g++) qd[g] = q[g * D_ + d];
        for (long s = 0; s < n; s++) {
            float x = row[s];
            for (int g = 0; g < G_; g++) acc[g][s] += qd[g] * x;
        }
    }
#endif
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
#ifdef VW
    vf ov[G_][D_ / VW];
    for (int g = 0; g < G_; g++)
        for (int j = 0; j < D_ / VW; j++) ov[g][j] = VZERO();
    for (long s = 0; s < n; s++) {
        const kv_t *restrict vs = v + (s0 + s) * D_;
        for (int j = 0; j < D_ / VW; j++) {
            vf x = VLOADKV(vs + VW * j);
            for (int g = 0; g < G_; g++) ov[g][j] = VFMA(VSET1(acc[g][s]), x, ov[g][j]);
        }
    }
    for (int g = 0; g < G_; g++)
        for (int j = 0; j < D_ / VW; j++) VSTORE(&o[g][VW * j], ov[g][j]);
#else
    for (int g = 0; g < G_; g++)
        for (int d = 0; d < D_; d++) o[g][d] = 0.0f;
    for (long s = 0; s < n; s++) {
        const kv_t *restrict vs = v + (s0 + s) * D_;
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

/* One decoded token's whole attention in an open span, where the engine made it from several torch
   operators (split, views, RoPE, the span's two writes, the query's scaling): qkv holds the token's H * G_
   queries of D_, then its H keys and H values, none roped; the queries and the key are roped at position
   pos (cs, sn as rope_keys takes them), the key (transposed, as rope_keys writes keys) and the value are
   written at span position n, and attend_one takes the queries, scaled, over the n + 1 keys. What
   attend_one returns. */
int decode_step(const float *qkv, long pos, const float *cs, const float *sn, kv_t *kt, long khs, long kds,
                kv_t *v, long vhs, long n, float scaling, float *out, int H, int threads) {
    float q[H * G_ * D_], y[D_];
    const float *c = cs + pos * D_, *s = sn + pos * D_;
    for (long i = 0; i < H * G_; i++) {
        const float *x = qkv + i * D_;
        for (int d = 0; d < D_ / 2; d++) q[i * D_ + d] = (x[d] * c[d] + x[d + D_ / 2] * s[d]) * scaling;
        for (int d = D_ / 2; d < D_; d++) q[i * D_ + d] = (x[d] * c[d] + x[d - D_ / 2] * s[d]) * scaling;
    }
    const float *keys = qkv + H * G_ * D_, *values = keys + H * D_;
    for (long h = 0; h < H; h++) {
        const float *x = keys + h * D_;
        for (int d = 0; d < D_ / 2; d++) y[d] = x[d] * c[d] + x[d + D_ / 2] * s[d];
        for (int d = D_ / 2; d < D_; d++) y[d] = x[d] * c[d] + x[d - D_ / 2] * s[d];
        for (int d = 0; d < D_; d++) {
            kt[h * khs + d * kds + n] = (kv_t)y[d];
            v[h * vhs + n * D_ + d] = (kv_t)values[h * D_ + d];
        }
    }
    return attend_one(q, kt, khs, kds, v, vhs, out, H, G_, D_, n + 1, threads);
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
                for (int j = 0; j < RB; j += VW) VSTOREH(row + j, VLOAD(yt[d] + j));
                continue;
            }
#endif
            for (long j = 0; j < m; j++) row[j] = (kv_t)yt[d][j];
        }
    }
}
