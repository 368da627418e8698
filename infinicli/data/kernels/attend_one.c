/* One decoded token's attention, in float32, for an engine.OpenSpan: each query head over the S keys
   of its KV head. infinicli/kernel.py compiles this for one model's shape (G_ query heads per KV head,
   D_ dimensions a head) and calls attend_one through ctypes.

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
#define CHUNK 512
#define MAX_ITEMS 4096

static void item(const float *restrict q, const float *restrict kt, long kds, const float *restrict v,
                 long s0, long s1, float *restrict m_out, float *restrict l_out, float *restrict o_out) {
    static __thread float acc[G_][CHUNK];
    long n = s1 - s0;
    for (int g = 0; g < G_; g++)
        for (long s = 0; s < n; s++) acc[g][s] = 0.0f;
    for (int d = 0; d < D_; d++) {
        const float *restrict row = kt + d * kds + s0;
        float qd[G_];
        for (int g = 0; g < G_; g++) qd[g] = q[g * D_ + d];
        for (long s = 0; s < n; s++) {
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
    for (int g = 0; g < G_; g++)
        for (int d = 0; d < D_; d++) o[g][d] = 0.0f;
    for (long s = 0; s < n; s++) {
        const float *restrict vs = v + (s0 + s) * D_;
        for (int g = 0; g < G_; g++) {
            float p = acc[g][s];
            for (int d = 0; d < D_; d++) o[g][d] += p * vs[d];
        }
    }
    memcpy(o_out, o, sizeof(o));
}

/* 0 when done; 1 for another shape than compiled, 2 for more keys than MAX_ITEMS items hold. Not
   reentrant: the items' results are kept in static buffers (the engine decodes one token at a time). */
int attend_one(const float *q, const float *kt, long khs, long kds, const float *v, long vhs,
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
