"""Label-free ways of combining the six parts of a Synesthete track vector (docs/similarity.md,
"What else was measured and not kept"): distance-space normalisation, Mutual Proximity per part,
rank fusion, shared nearest neighbours, k-reciprocal re-ranking, diffusion, catalogue
standardisation.

    python3 training/research/fusion_rerank.py WORK_DIR 4Q_LABELS_CSV

WORK_DIR holds parts_4q.jsonl, parts_val.jsonl and parts_test.jsonl (from
`node dist/training/dump-parts.js OUT --list LIST`) and val_labels.tsv / test_labels.tsv
(file<TAB>package); 4Q_LABELS_CSV is the labels.csv that ../shared/eval-sets/4q/extract.sh
writes. Writes WORK_DIR/results.json.
Run from the repository root. training/research/fusion_combos.py combines the best of them.

Parts are dumped by the product (node dist/training/dump-parts.js). The fused baseline reproduces
core/model/fusion.ts: each part standardised with metadata.json's training statistics,
L2-normalised, scaled by sqrt(weight); fused cosine = sum_p w_p cos_p.
Labels: 4Q genre (artist for the exclusion), soundtracks' package.
"""
import csv, json, sys, os
import numpy as np

if len(sys.argv) < 3:
    sys.exit(__doc__)
WORK, LABELS_4Q = sys.argv[1], sys.argv[2]
META = json.load(open('models/synesthete-cnn/metadata.json'))
FU = META['fusion']
STYLE_PARTS = [(0, 40), (40, 250), (250, 1210)]  # moments, covariance, modulation (style.ts)
W_CNN = FU['weight']
W_STY = FU['style']['weights']
W_TON = FU['tonality']['weight']
W_TIM = max(0.0, 1 - W_CNN - sum(W_STY) - W_TON)
W_SHIPPED = np.array([W_CNN, W_TIM, *W_STY, W_TON])
PART_NAMES = ['cnn', 'timbre', 'moments', 'covariance', 'modulation', 'tonality']


def unit(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1
    return x / n


def load(path, labels):
    rows = [json.loads(l) for l in open(path)]
    rows = [r for r in rows if r['file'] in labels]
    y = np.array([labels[r['file']][0] for r in rows])
    art = np.array([labels[r['file']][1] for r in rows])
    raw = {
        'cnn': np.array([r['cnn'] for r in rows], float),
        'timbre': np.array([r['timbre'] for r in rows], float),
        'style': np.array([r['style'] for r in rows], float),
        'tonality': np.array([r['tonality'] for r in rows], float),
    }
    return raw, y, art


def parts_from_raw(raw, stats='train', n0=0):
    """The six unit-length parts (before the sqrt(weight) scaling), as fusion.ts standardises them."""
    tm, ts = np.array(FU['timbreMean']), np.array(FU['timbreStd'])
    sm, ss = np.array(FU['style']['mean']), np.array(FU['style']['std'])
    km, ks = np.array(FU['tonality']['mean']), np.array(FU['tonality']['std'])
    if stats == 'catalogue':
        n = len(raw['cnn'])

        def sh(x, mt, st):
            m = (n * x.mean(0) + n0 * mt) / (n + n0)
            v = (n * x.var(0) + n0 * st ** 2) / (n + n0)
            return m, np.sqrt(v)

        tm, ts = sh(raw['timbre'], tm, ts)
        sm, ss = sh(raw['style'], sm, ss)
        km, ks = sh(raw['tonality'], km, ks)
    z = lambda x, m, s: (x - m) / np.maximum(s, 1e-6)
    P = [unit(raw['cnn']), unit(z(raw['timbre'], tm, ts))]
    zs = z(raw['style'], sm, ss)
    P += [unit(zs[:, a:b]) for a, b in STYLE_PARTS]
    P.append(unit(z(raw['tonality'], km, ks)))
    return P


def fused_vector(P, w):
    return np.hstack([np.sqrt(wi) * p for wi, p in zip(w, P)])


# ---------------------------------------------------------------- evaluation
def p_at5(S, y, art=None, k=5):
    return float(per_query(S, y, art, k).mean())


def per_query(S, y, art=None, k=5):
    """Leave-one-out precision@k of a similarity matrix (higher = nearer)."""
    S = S.astype(float).copy()
    np.fill_diagonal(S, -np.inf)
    if art is not None:
        S[art[:, None] == art[None, :]] = -np.inf
    # stable tie-break on index like a sort would
    idx = np.argsort(-S, axis=1, kind='stable')[:, :k]
    return (y[idx] == y[:, None]).mean(1)


# ---------------------------------------------------------------- variants
def offdiag_mask(n):
    return ~np.eye(n, dtype=bool)


def dsn_global(D):
    m = offdiag_mask(len(D))
    v = D[m]
    return (D - v.mean()) / v.std()


def dsn_row(D):
    n = len(D)
    m = offdiag_mask(n)
    Dm = np.where(m, D, np.nan)
    mu = np.nanmean(Dm, 1, keepdims=True)
    sd = np.nanstd(Dm, 1, keepdims=True)
    return (D - mu) / sd


def dsn_sym(D):
    Z = dsn_row(D)
    return 0.5 * (Z + Z.T)


def mp_gauss(D):
    """Mutual Proximity (Gaussian, independent): similarity = P(X > d) P(Y > d)."""
    from math import erf, sqrt
    n = len(D)
    m = offdiag_mask(n)
    Dm = np.where(m, D, np.nan)
    mu = np.nanmean(Dm, 1)
    sd = np.nanstd(Dm, 1)
    import scipy.special as sps  # noqa
    sf_row = 0.5 * sps.erfc((D - mu[:, None]) / (sd[:, None] * np.sqrt(2)))
    sf_col = 0.5 * sps.erfc((D - mu[None, :]) / (sd[None, :] * np.sqrt(2)))
    return sf_row * sf_col


def ranks(S):
    """rank[q, i] = position of i in q's list (0 = nearest), self excluded (put last)."""
    S = S.astype(float).copy()
    np.fill_diagonal(S, -np.inf)
    order = np.argsort(-S, axis=1, kind='stable')
    R = np.empty_like(order)
    n = len(S)
    R[np.arange(n)[:, None], order] = np.arange(n)[None, :]
    return R


def k_reciprocal(Dist, k1=20, k2=6, lam=0.3):
    """Zhong et al. 2017 re-ranking (Jaccard of k-reciprocal sets), distance in; distance out."""
    n = len(Dist)
    original = Dist / np.max(Dist, axis=0)  # as in the reference implementation
    original = original.T
    initial_rank = np.argsort(original, axis=1, kind='stable')
    V = np.zeros((n, n))
    for i in range(n):
        fwd = initial_rank[i, :k1 + 1]
        bwd = initial_rank[fwd, :k1 + 1]
        fi = np.where(bwd == i)[0]
        krec = fwd[fi]
        exp = krec
        for c in krec:
            cf = initial_rank[c, :int(np.around(k1 / 2)) + 1]
            cb = initial_rank[cf, :int(np.around(k1 / 2)) + 1]
            ci = np.where(cb == c)[0]
            cand = cf[ci]
            if len(np.intersect1d(cand, krec)) > 2 / 3 * len(cand):
                exp = np.append(exp, cand)
        exp = np.unique(exp)
        w = np.exp(-original[i, exp])
        V[i, exp] = w / np.sum(w)
    if k2 != 1:
        Vq = np.zeros_like(V)
        for i in range(n):
            Vq[i] = np.mean(V[initial_rank[i, :k2], :], axis=0)
        V = Vq
    inv = [np.where(V[:, i] != 0)[0] for i in range(n)]
    jac = np.zeros((n, n))
    for i in range(n):
        tmin = np.zeros(n)
        nz = np.where(V[i] != 0)[0]
        for j in nz:
            tmin[inv[j]] += np.minimum(V[i, j], V[inv[j], j])
        jac[i] = 1 - tmin / (2 - tmin)
    return jac * (1 - lam) + original * lam


def snn(S, k):
    """Shared-nearest-neighbour count (k nearest, self excluded)."""
    R = ranks(S)
    A = (R < k).astype(float)
    return A @ A.T


def diffusion(S, k=10, alpha=0.8, gamma=3):
    """Manifold ranking on the symmetric kNN graph (Zhou et al. 2004 / Iscen et al. 2017)."""
    n = len(S)
    R = ranks(S)
    Aff = np.where(R < k, np.maximum(S, 0) ** gamma, 0.0)
    Aff = np.minimum(Aff, Aff.T)  # mutual kNN
    d = Aff.sum(1)
    d[d == 0] = 1
    Dn = 1 / np.sqrt(d)
    Sn = Dn[:, None] * Aff * Dn[None, :]
    F = np.linalg.inv(np.eye(n) - alpha * Sn)
    return F


def zero_one(X):
    """Row-wise min-max to [0,1] off the diagonal (for mixing)."""
    m = offdiag_mask(len(X))
    Xm = np.where(m, X, np.nan)
    lo = np.nanmin(Xm, 1, keepdims=True)
    hi = np.nanmax(Xm, 1, keepdims=True)
    return (X - lo) / np.maximum(hi - lo, 1e-12)


def variants(P, raw):
    """name -> similarity matrix (higher = nearer)."""
    n = len(P[0])
    Sp = [p @ p.T for p in P]  # per-part cosine
    Dp = [1 - s for s in Sp]
    out = {}
    wS = W_SHIPPED
    wE = np.ones(6) / 6
    fused = sum(w * s for w, s in zip(wS, Sp))
    out['baseline (shipped fused cosine)'] = fused
    # check against the fused vector of fusion.ts
    V = fused_vector(P, wS)
    assert np.allclose(V @ V.T, fused, atol=1e-6)

    # 1. distance-space normalisation
    for wname, w in (('shipped', wS), ('equal', wE)):
        out[f'DSN global, {wname} w'] = -sum(wi * dsn_global(d) for wi, d in zip(w, Dp))
        out[f'DSN per-query z, {wname} w'] = -sum(wi * dsn_row(d) for wi, d in zip(w, Dp))
        out[f'DSN symmetric z, {wname} w'] = -sum(wi * dsn_sym(d) for wi, d in zip(w, Dp))
    # DSN with weights renormalised by each part's global std (= global DSN; shown via weights)
    out['DSN per-query z of fused cosine'] = -dsn_row(1 - fused)
    out['DSN symmetric z of fused cosine'] = -dsn_sym(1 - fused)
    # per-part MP then weighted sum
    MPp = [mp_gauss(d) for d in Dp]
    for wname, w in (('shipped', wS), ('equal', wE)):
        out[f'MP per part, sum, {wname} w'] = sum(wi * m for wi, m in zip(w, MPp))
    out['MP of fused cosine'] = mp_gauss(1 - fused)
    # mixture: fused cosine + per-part MP (half-half after min-max)
    # 2. rank fusion
    Rp = [ranks(s) for s in Sp]
    for wname, w in (('shipped', wS), ('equal', wE)):
        out[f'Borda, {wname} w'] = -sum(wi * r for wi, r in zip(w, Rp))
        for kk in (5, 20, 60):
            out[f'RRF k={kk}, {wname} w'] = sum(wi / (kk + 1 + r) for wi, r in zip(w, Rp))
    # 3. re-ranking on the fused similarity
    Dist = np.sqrt(np.maximum(2 - 2 * fused, 0))  # Euclidean distance of the unit fused vectors
    for k1, k2, lam in ((20, 6, 0.3), (10, 3, 0.3), (10, 1, 0.3), (5, 1, 0.3), (10, 3, 0.6),
                        (15, 3, 0.5), (20, 6, 0.8)):
        out[f'k-reciprocal k1={k1} k2={k2} lam={lam}'] = -k_reciprocal(Dist, k1, k2, lam)
    for k in (5, 10, 20, 40):
        s = snn(fused, k)
        out[f'SNN k={k} (+cos tie-break)'] = s + 1e-3 * fused
        out[f'SNN k={k} mixed 0.5 with cos'] = 0.5 * zero_one(s) + 0.5 * zero_one(fused)
    # 4. diffusion on the kNN graph
    for k, a in ((10, 0.5), (10, 0.8), (20, 0.8), (20, 0.9), (5, 0.8)):
        F = diffusion(fused, k, a)
        out[f'diffusion k={k} a={a}'] = F + 1e-6 * fused
        out[f'diffusion k={k} a={a} mixed 0.5 with cos'] = 0.5 * zero_one(F) + 0.5 * zero_one(fused)
    # 4b. per-query DSN + SNN / k-reciprocal combos on the DSN similarity
    dsnq = -sum(wi * dsn_row(d) for wi, d in zip(wS, Dp))
    dsns = -sum(wi * dsn_sym(d) for wi, d in zip(wS, Dp))
    # turn the DSN sum into a distance for k-reciprocal
    Dd = dsns - dsns.min()
    Dd = Dd.max() - Dd
    out['DSN sym shipped w + k-reciprocal k1=10 k2=3 lam=0.3'] = -k_reciprocal(Dd, 10, 3, 0.3)
    return out


def variants_catalogue(raw, n0):
    P = parts_from_raw(raw, 'catalogue', n0)
    Sp = [p @ p.T for p in P]
    Dp = [1 - s for s in Sp]
    out = {}
    out[f'catalogue standardisation n0={n0} (baseline of the docs)'] = sum(w * s for w, s in zip(W_SHIPPED, Sp))
    out[f'catalogue n0={n0} + DSN global, shipped w'] = -sum(w * dsn_global(d) for w, d in zip(W_SHIPPED, Dp))
    out[f'catalogue n0={n0} + DSN symmetric z, shipped w'] = -sum(w * dsn_sym(d) for w, d in zip(W_SHIPPED, Dp))
    return out


def parts_centred(raw, stats='train', n0=0):
    """As parts_from_raw, with the CNN embedding centred on the catalogue's mean before normalising."""
    P = parts_from_raw(raw, stats, n0)
    c = unit(raw['cnn'])
    P[0] = unit(c - c.mean(0))
    return P


def variants_extra(raw):
    out = {}
    wE = np.ones(6) / 6
    for label, P in (('train', parts_from_raw(raw)),
                     ('catalogue n0=0', parts_from_raw(raw, 'catalogue', 0)),
                     ('catalogue n0=50', parts_from_raw(raw, 'catalogue', 50)),
                     ('train + CNN centred', parts_centred(raw)),
                     ('catalogue n0=50 + CNN centred', parts_centred(raw, 'catalogue', 50))):
        Sp = [p @ p.T for p in P]
        Dp = [1 - s for s in Sp]
        Rp = [ranks(s) for s in Sp]
        out[f'[{label}] fused cosine, equal w'] = sum(w * s for w, s in zip(wE, Sp))
        if 'centred' in label:
            out[f'[{label}] fused cosine, shipped w'] = sum(w * s for w, s in zip(W_SHIPPED, Sp))
        if label != 'train':
            out[f'[{label}] DSN global, equal w'] = -sum(w * dsn_global(d) for w, d in zip(wE, Dp))
        if 'centred' in label:
            out[f'[{label}] DSN global, shipped w'] = -sum(w * dsn_global(d) for w, d in zip(W_SHIPPED, Dp))
        for wname, w in (('shipped', W_SHIPPED), ('equal', wE)):
            if label in ('train', 'catalogue n0=0'):
                out[f'[{label}] log-rank fusion, {wname} w'] = -sum(wi * np.log1p(r) for wi, r in zip(w, Rp))
            for kk in ((10, 20, 40) if label.startswith('catalogue n0=0') else (20,)):
                out[f'[{label}] RRF k={kk}, {wname} w'] = sum(wi / (kk + 1 + r) for wi, r in zip(w, Rp))
    return out


def labels_4q():
    lab = {}
    for r in csv.DictReader(open(LABELS_4Q)):
        lab[r['file']] = (r['genre'], r['artist'])
    return lab


def labels_tsv(path):
    lab = {}
    for line in open(path):
        f, pkg = line.rstrip('\n').split('\t')
        lab[f] = (pkg, f)  # artist = itself (no exclusion)
    return lab


def main():
    sets = {
        '4q': (WORK + '/parts_4q.jsonl', labels_4q()),
        'val': (WORK + '/parts_val.jsonl', labels_tsv(WORK + '/val_labels.tsv')),
        'test': (WORK + '/parts_test.jsonl', labels_tsv(WORK + '/test_labels.tsv')),
    }
    res = {}
    for name, (path, lab) in sets.items():
        if not os.path.exists(path):
            print('missing', path, file=sys.stderr)
            continue
        raw, y, art = load(path, lab)
        print(name, len(y), 'tracks', file=sys.stderr)
        P = parts_from_raw(raw)
        # single parts, for reference
        for i, pn in enumerate(PART_NAMES):
            S = P[i] @ P[i].T
            res.setdefault(f'part alone: {pn}', {})[name] = p_at5(S, y)
            if name == '4q':
                res[f'part alone: {pn}'][name + '/artist'] = p_at5(S, y, art)
        V = variants(P, raw)
        for n0 in (0, 50):
            V.update(variants_catalogue(raw, n0))
        V.update(variants_extra(raw))
        base = per_query(V['baseline (shipped fused cosine)'], y)
        rng = np.random.default_rng(0)
        boot = rng.integers(0, len(y), (2000, len(y)))
        for vn, S in V.items():
            res.setdefault(vn, {})[name] = p_at5(S, y)
            d = per_query(S, y) - base
            bs = d[boot].mean(1)
            res[vn][name + '/ci'] = (float(np.percentile(bs, 2.5)), float(np.percentile(bs, 97.5)))
            if name == '4q':
                res[vn][name + '/artist'] = p_at5(S, y, art)
    json.dump(res, open(WORK + '/results.json', 'w'), indent=1)
    print(f"| {'variant':60s} | 4Q | 4Q artist excl. | validation | test | 4Q diff 95% CI |")
    print('|---|---|---|---|---|---|')
    for vn, r in res.items():
        f = lambda k: f"{r[k]:.3f}" if k in r else '-'
        ci = f"{r['4q/ci'][0]:+.3f} .. {r['4q/ci'][1]:+.3f}" if '4q/ci' in r else ''
        print(f"| {vn:60s} | {f('4q')} | {f('4q/artist')} | {f('val')} | {f('test')} | {ci} |")


if __name__ == '__main__':
    main()
