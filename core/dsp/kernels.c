/*
 * Synesthete's inner DSP loops, compiled to WebAssembly with 128-bit SIMD
 * (scripts/build-dsp-wasm.sh -> core/dsp/kernels-wasm.ts; loaded by core/dsp/kernels.ts).
 *
 * Freestanding C: no libc, no static data, no stack use beyond locals, so the module needs
 * nothing but the memory core/dsp/kernels.ts gives it. Every function takes byte addresses into
 * that memory; lengths are element counts. Nothing is read or written past the extents each
 * function's comment gives (SIMD blocks stop at the last whole block; the rest is scalar).
 *
 * Where the JavaScript these loops replaced computed in double precision, they do too, in the
 * same order, so that their results are bit for bit the same (f64x2: two outputs at a time).
 */
#include <wasm_simd128.h>

/*
 * out[j] = x[2j], j = 0 ... count-1: one phase of a signal for a decimation by two
 * (float32 in, float32 out).
 */
void split2_f32(const float *x, int count, float *out) {
  for (int j = 0; j < count; j++) out[j] = x[2 * j];
}

/* out[j] = (double) x[step·j], j = 0 ... count-1: one phase of a signal for a decimation by step. */
void split_f64(const float *x, int step, int count, double *out) {
  for (int j = 0; j < count; j++) out[j] = (double)x[step * j];
}

/*
 * A half-band low-pass and decimation by two in polyphase form (core/audio/half-band.ts):
 *   y[n] = c[0] e[n] + sum_{p=0}^{pairs-1} c[p+1] (o[n+pairs+p] + o[n+pairs-1-p]),
 * n = 0 ... count-1, in float32, where e holds the signal's samples at the output instants and o
 * the samples halfway between (the odd taps' inputs), o[0] lying `2·pairs − 1` input samples
 * before e[0]. e needs count elements, o count + 2·pairs − 1.
 */
void half_band_f32(const float *e, const float *o, const float *c, int pairs, int count,
                   float *y) {
  int n = 0;
  v128_t c0 = wasm_f32x4_splat(c[0]);
  /* Twelve outputs at a time: three independent chains of additions. */
  for (; n + 12 <= count; n += 12) {
    v128_t acc0 = wasm_f32x4_mul(c0, wasm_v128_load(e + n));
    v128_t acc1 = wasm_f32x4_mul(c0, wasm_v128_load(e + n + 4));
    v128_t acc2 = wasm_f32x4_mul(c0, wasm_v128_load(e + n + 8));
    for (int p = 0; p < pairs; p++) {
      const float *hi = o + n + pairs + p;
      const float *lo = o + n + pairs - 1 - p;
      v128_t cp = wasm_f32x4_splat(c[p + 1]);
      acc0 = wasm_f32x4_add(
          acc0, wasm_f32x4_mul(cp, wasm_f32x4_add(wasm_v128_load(hi), wasm_v128_load(lo))));
      acc1 = wasm_f32x4_add(
          acc1, wasm_f32x4_mul(cp, wasm_f32x4_add(wasm_v128_load(hi + 4), wasm_v128_load(lo + 4))));
      acc2 = wasm_f32x4_add(
          acc2, wasm_f32x4_mul(cp, wasm_f32x4_add(wasm_v128_load(hi + 8), wasm_v128_load(lo + 8))));
    }
    wasm_v128_store(y + n, acc0);
    wasm_v128_store(y + n + 4, acc1);
    wasm_v128_store(y + n + 8, acc2);
  }
  for (; n < count; n++) {
    float acc = c[0] * e[n];
    for (int p = 0; p < pairs; p++) acc += c[p + 1] * (o[n + pairs + p] + o[n + pairs - 1 - p]);
    y[n] = acc;
  }
}

/* The body of firm_f64 (below), inlined with m a constant where it is one. */
static inline __attribute__((always_inline)) void firm_body(const double *phases, int stride,
                                                            int m, const double *h, int taps,
                                                            int count, float *y) {
  int n = 0;
  /* Eight outputs at a time: four independent chains of additions the processor overlaps. */
  for (; n + 8 <= count; n += 8) {
    v128_t acc0 = wasm_f64x2_splat(0.0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int k = 0; k < taps; k++) {
      const double *x = phases + (k % m) * stride + n + k / m;
      v128_t c = wasm_f64x2_splat(h[k]);
      acc0 = wasm_f64x2_add(acc0, wasm_f64x2_mul(c, wasm_v128_load(x)));
      acc1 = wasm_f64x2_add(acc1, wasm_f64x2_mul(c, wasm_v128_load(x + 2)));
      acc2 = wasm_f64x2_add(acc2, wasm_f64x2_mul(c, wasm_v128_load(x + 4)));
      acc3 = wasm_f64x2_add(acc3, wasm_f64x2_mul(c, wasm_v128_load(x + 6)));
    }
    wasm_v128_store64_lane(y + n, wasm_f32x4_demote_f64x2_zero(acc0), 0);
    wasm_v128_store64_lane(y + n + 2, wasm_f32x4_demote_f64x2_zero(acc1), 0);
    wasm_v128_store64_lane(y + n + 4, wasm_f32x4_demote_f64x2_zero(acc2), 0);
    wasm_v128_store64_lane(y + n + 6, wasm_f32x4_demote_f64x2_zero(acc3), 0);
  }
  for (; n < count; n++) {
    double acc = 0.0;
    for (int k = 0; k < taps; k++) acc += h[k] * phases[(k % m) * stride + n + k / m];
    y[n] = (float)acc;
  }
}

/*
 * An FIR filter and decimation by a whole factor m ≥ 1, in double precision (core/dsp/resample.ts):
 *   y[n] = sum_{k=0}^{taps-1} h[k] x[m·n + k],  n = 0 ... count-1,
 * summed from 0 in the order k = 0, 1, ..., with x given as its m phases (split_f64), phase p at
 * `phases + p·stride` holding x[m·j + p] for j = 0 ... count − 1 + (taps − 1 − p) / m (rounded
 * down). Written to y as float32.
 */
void firm_f64(const double *phases, int stride, int m, const double *h, int taps, int count,
              float *y) {
  /* The factors the engine uses, with m a constant the compiler folds into the indexing. */
  if (m == 2) firm_body(phases, stride, 2, h, taps, count, y);
  else if (m == 4) firm_body(phases, stride, 4, h, taps, count, y);
  else firm_body(phases, stride, m, h, taps, count, y);
}

/*
 * Windowed STFT frames (core/features/stft.ts):
 *   out[f·nfft + i] = (float) ((double) x[f·hop + i] · w[i]),  f < frames, i < nfft,
 * from a signal already padded at both ends, with the window in double precision (the product
 * of a float32 sample and a double rounded once to float32). nfft a multiple of 2.
 */
void window_frames(const float *x, int hop, int nfft, int frames, const double *w, float *out) {
  for (int f = 0; f < frames; f++) {
    const float *src = x + f * hop;
    float *dst = out + f * nfft;
    int i = 0;
    for (; i + 4 <= nfft; i += 4) {
      v128_t s = wasm_v128_load(src + i);
      v128_t lo = wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(s), wasm_v128_load(w + i));
      v128_t hi = wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(s, s, 2, 3, 0, 1)),
                                 wasm_v128_load(w + i + 2));
      v128_t lo32 = wasm_f32x4_demote_f64x2_zero(lo);
      v128_t hi32 = wasm_f32x4_demote_f64x2_zero(hi);
      wasm_v128_store(dst + i, wasm_i32x4_shuffle(lo32, hi32, 0, 1, 4, 5));
    }
    for (; i < nfft; i++) dst[i] = (float)((double)src[i] * w[i]);
  }
}

/*
 * Power spectra of PFFFT's ordered real transforms (DC, Nyquist, then re, im of bins
 * 1 ... nfft/2 − 1): power[f·bins + k] = |X_f(k)|² in double precision, bins = nfft/2 + 1.
 */
void power_frames(const float *spectra, int nfft, int frames, double *power) {
  int half = nfft / 2;
  int bins = half + 1;
  for (int f = 0; f < frames; f++) {
    const float *s = spectra + f * nfft;
    double *p = power + f * bins;
    double dc = s[0];
    double nyquist = s[1];
    p[0] = dc * dc;
    p[half] = nyquist * nyquist;
    int k = 1;
    /* Bins k, k+1: squares of (re, im) pairs, then re² + im² of each (as the scalar loop). */
    for (; k + 2 <= half; k += 2) {
      v128_t v = wasm_v128_load(s + 2 * k);
      v128_t a = wasm_f64x2_promote_low_f32x4(v);
      v128_t b = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
      a = wasm_f64x2_mul(a, a);
      b = wasm_f64x2_mul(b, b);
      v128_t sum = wasm_f64x2_add(wasm_i64x2_shuffle(a, b, 0, 2), wasm_i64x2_shuffle(a, b, 1, 3));
      wasm_v128_store(p + k, sum);
    }
    for (; k < half; k++) {
      double re = s[2 * k];
      double im = s[2 * k + 1];
      p[k] = re * re + im * im;
    }
  }
}

/*
 * Mel band energies of power spectra (core/features/log-mel.ts):
 *   out[f·nmels + m] = sum_{k=start[m]}^{end[m]-1} weights[m·bins + k] · power[f·bins + k],
 * f < frames, in double precision (two bins at a time, so summed in another order than one
 * at a time: the same within rounding). power as power_frames writes it; weights float32,
 * band-major; start, end int32 per band (core/features/mel.ts `MelFilterbank`).
 */
void mel_frames(const double *power, int bins, int frames, const float *weights, const int *start,
                const int *end, int nmels, double *out) {
  for (int f = 0; f < frames; f++) {
    const double *p = power + f * bins;
    double *o = out + f * nmels;
    for (int m = 0; m < nmels; m++) {
      const float *w = weights + m * bins;
      int k = start[m];
      int e = end[m];
      v128_t acc = wasm_f64x2_splat(0.0);
      for (; k + 2 <= e; k += 2) {
        v128_t wk = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(w + k));
        acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wk, wasm_v128_load(p + k)));
      }
      double sum = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
      if (k < e) sum += (double)w[k] * p[k];
      o[m] = sum;
    }
  }
}

/*
 * A band of power spectra, shifted (core/fingerprint/peaks.ts):
 *   out[f·width + k] = power[f·bins + from + k] + add,  f < frames, k < width.
 */
void band_f64(const double *power, int bins, int frames, int from, int width, double add,
              double *out) {
  for (int f = 0; f < frames; f++) {
    const double *p = power + f * bins + from;
    double *o = out + f * width;
    for (int k = 0; k < width; k++) o[k] = p[k] + add;
  }
}

/*
 * Sliding maximum of window w = 2·half + 1 along one row, by doubling (each pass takes the
 * maximum of two windows of s values s apart, giving windows of 2s; the last pass covers w with
 * two overlapping windows of the largest s ≤ w). x holds the row at x[half ... half+count-1]
 * with `half` zeros on each side, which never win as the values are > 0; it is overwritten.
 * Writes out[i] = max(row[i-half ... i+half] clipped to the row), i < count, exactly (a maximum
 * does not round). f64x2.pmax(a, b) is (a < b ? b : a).
 */
static void row_max_doubling(double *x, int count, int half, double *out) {
  int w = 2 * half + 1;
  int len = count + 2 * half;
  int s = 1;
  while (2 * s <= w) {
    int m = len - 2 * s + 1; /* x[i] = max(x[i ... i+2s-1]), i < m; in place, ascending */
    int i = 0;
    for (; i + 2 <= m; i += 2) {
      wasm_v128_store(x + i, wasm_f64x2_pmax(wasm_v128_load(x + i), wasm_v128_load(x + i + s)));
    }
    for (; i < m; i++) x[i] = x[i] < x[i + s] ? x[i + s] : x[i];
    s *= 2;
  }
  int d = w - s;
  int i = 0;
  for (; i + 2 <= count; i += 2) {
    wasm_v128_store(out + i, wasm_f64x2_pmax(wasm_v128_load(x + i), wasm_v128_load(x + i + d)));
  }
  for (; i < count; i++) out[i] = x[i] < x[i + d] ? x[i + d] : x[i];
}

/*
 * Candidate spectral peaks (core/fingerprint/peaks.ts `findPeaks`) of spec (frames × width
 * doubles, power + 1e-12, so > 0): the cells within a factor `tie` of the maximum of their
 * neighbourhood of ±half_bins bins and ±half_frames frames (clipped at the edges), in
 * frame-then-bin order. Writes each one's cell index t·width + k to cand and returns how many.
 *
 * Frame by frame: the maximum along bins (row_max, frames × width doubles, left there: the
 * neighbourhood's maximum of cell (t, k) is the largest row_max[u·width + k] for |u − t| ≤
 * half_frames), then the cells within `tie` of it (about 1 in 20), listed without branches; a
 * listed cell of frame t − half_frames, whose later frames' maxima now exist, is kept unless some
 * row_max[u·width + k]·tie in its span of frames exceeds it. A cell below tie × its row's maximum
 * is below tie × the neighbourhood's (the neighbourhood's maximum is larger and multiplying keeps
 * the order), so this keeps the same cells as testing every cell against the full neighbourhood.
 *
 * Scratch: pad, width + 2·half_bins doubles; listed, (half_frames + 1) × (width + 1) ints. cand:
 * room for frames × width.
 */
int peak_candidates(const double *spec, int frames, int width, int half_bins, int half_frames,
                    double tie, double *row_max, double *pad, int *listed, int *cand) {
  int ring = half_frames + 1;
  v128_t vtie = wasm_f64x2_splat(tie);
  int n = 0;
  for (int t = 0; t < frames + half_frames; t++) {
    if (t < frames) {
      const double *row = spec + t * width;
      double *rm = row_max + t * width;
      for (int i = 0; i < half_bins; i++) pad[i] = pad[half_bins + width + i] = 0.0;
      int k = 0;
      for (; k + 2 <= width; k += 2) wasm_v128_store(pad + half_bins + k, wasm_v128_load(row + k));
      for (; k < width; k++) pad[half_bins + k] = row[k];
      row_max_doubling(pad, width, half_bins, rm);
      int *list = listed + (t % ring) * (width + 1);
      int m = 0;
      for (k = 0; k + 2 <= width; k += 2) {
        v128_t below = wasm_f64x2_lt(wasm_v128_load(row + k),
                                     wasm_f64x2_mul(wasm_v128_load(rm + k), vtie));
        int bits = ~wasm_i64x2_bitmask(below) & 3;
        list[m] = k;
        m += bits & 1;
        list[m] = k + 1;
        m += bits >> 1;
      }
      for (; k < width; k++) {
        list[m] = k;
        m += row[k] < rm[k] * tie ? 0 : 1;
      }
      list[width] = m;
    }
    int s = t - half_frames;
    if (s < 0) continue;
    int from = s - half_frames > 0 ? s - half_frames : 0;
    int to = s + half_frames < frames - 1 ? s + half_frames : frames - 1;
    const int *list = listed + (s % ring) * (width + 1);
    const double *row = spec + s * width;
    for (int i = 0, m = list[width]; i < m; i++) {
      int k = list[i];
      double p = row[k];
      int keep = 1;
      for (int u = from; u <= to && keep; u++) keep = !(p < row_max[u * width + k] * tie);
      if (keep) cand[n++] = s * width + k;
    }
  }
  return n;
}

/*
 * Sums over frames of power spectra and of their square roots (core/features/descriptors.ts):
 *   sum_power[k] += power[f·bins + k],  sum_magnitude[k] += sqrt(power[f·bins + k]),
 * f = 0 ... frames-1 in order, so each sum grows as a frame-by-frame loop would add it.
 */
void spectrum_sums(const double *power, int bins, int frames, double *sum_power,
                   double *sum_magnitude) {
  for (int f = 0; f < frames; f++) {
    const double *p = power + f * bins;
    int k = 0;
    for (; k + 2 <= bins; k += 2) {
      v128_t v = wasm_v128_load(p + k);
      wasm_v128_store(sum_power + k, wasm_f64x2_add(wasm_v128_load(sum_power + k), v));
      wasm_v128_store(sum_magnitude + k,
                      wasm_f64x2_add(wasm_v128_load(sum_magnitude + k), wasm_f64x2_sqrt(v)));
    }
    for (; k < bins; k++) {
      sum_power[k] += p[k];
      sum_magnitude[k] += __builtin_sqrt(p[k]);
    }
  }
}

/*
 * Clips x[0 ... count-1] to [-1, 1] in place: x = min(1, max(-1, x)), as JavaScript's
 * Math.min(1, Math.max(-1, x)) (a NaN stays NaN).
 */
void clip_unit_f32(float *x, int count) {
  v128_t lo = wasm_f32x4_splat(-1.0f);
  v128_t hi = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= count; i += 4) {
    wasm_v128_store(x + i, wasm_f32x4_min(hi, wasm_f32x4_max(lo, wasm_v128_load(x + i))));
  }
  for (; i < count; i++) {
    float v = x[i];
    x[i] = v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
  }
}
