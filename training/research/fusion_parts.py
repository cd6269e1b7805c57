"""Research on the fusion parts dumped by training/dump-parts.ts (numpy only).

    python3 training/research/fusion_parts.py standardisation PARTS.jsonl LABELS.csv
    python3 training/research/fusion_parts.py discovery PARTS.jsonl LABELS.csv
    python3 training/research/fusion_parts.py proxy PARTS.jsonl LABELS.csv

standardisation: leave-one-out precision@5 of same-genre neighbours with the parts standardised by
the training statistics (models/synesthete-cnn/metadata.json) or the catalogue's own (shrunk by
n0 pseudo-tracks); discovery: voice-note views against the catalogue, raw, mapped by a 2-fold
ridge map, and with query expansion; proxy: whether a view finding its own track can choose the
part weights without labels. Figures: docs/similarity.md.
"""
import json, sys, numpy as np
meta = json.load(open('models/synesthete-cnn/metadata.json'))
fu = meta['fusion']
W = fu['weight']; sw = fu['style']['weights']; wt = 1 - W - sum(sw)
tm, ts = np.array(fu['timbreMean']), np.array(fu['timbreStd'])
sm, ss = np.array(fu['style']['mean']), np.array(fu['style']['std'])
clip = fu['style'].get('clip')
PART = [(0,40),(40,250),(250,1210)]
def load(path, labels):
    lab = {}
    import csv
    for r in csv.DictReader(open(labels)): lab[r['file']] = r
    rows = [json.loads(l) for l in open(path)]
    rows = [r for r in rows if r['file'] in lab]
    return rows, lab
def unit(x): 
    n = np.linalg.norm(x, axis=1, keepdims=True); n[n==0]=1; return x/n
def fuse(cnn, timbre, style, mt, st, ms_, ss_, weights=None, clipcorr=False):
    w = weights or (W, wt, *sw)
    parts = [np.sqrt(w[0])*unit(cnn)]
    if timbre is not None:
        parts.append(np.sqrt(w[1])*unit((timbre-mt)/np.maximum(st,1e-6)))
    else:
        parts.append(np.zeros((len(cnn),20)))
    for i,(a,b) in enumerate(PART):
        z = (style[:,a:b]-ms_[a:b])/np.maximum(ss_[a:b],1e-6)
        parts.append(np.sqrt(w[2+i])*unit(z))
    return np.hstack(parts)
def p_at5(V, labels, artists=None, Q=None, k=5):
    S = (Q if Q is not None else V) @ V.T
    n = len(V)
    np.fill_diagonal(S, -np.inf)
    if artists is not None:
        same = artists[:,None]==artists[None,:]
        S[same] = -np.inf
    idx = np.argsort(-S, axis=1)[:, :k]
    return (labels[idx]==labels[:,None]).mean()

def run(path, labels, col='genre', n0s=(0, 20, 50, 100), weights=None):
    rows, lab = load(path, labels)
    cnn = np.array([r['cnn'] for r in rows]); tim = np.array([r['timbre'] for r in rows]); sty = np.array([r['style'] for r in rows])
    y = np.array([lab[r['file']][col] for r in rows])
    art = np.array([lab[r['file']].get('artist','') for r in rows]) if 'artist' in lab[rows[0]['file']] else None
    out = {}
    V = fuse(cnn, tim, sty, tm, ts, sm, ss, weights)
    out['train'] = (p_at5(V, y), p_at5(V, y, art) if art is not None else None)
    n = len(rows)
    for n0 in n0s:
        mc_t, sc_t = tim.mean(0), tim.std(0); mc_s, sc_s = sty.mean(0), sty.std(0)
        def shrink(mc, sc, mt_, st_):
            m = (n*mc + n0*mt_)/(n+n0)
            v = (n*sc**2 + n0*st_**2)/(n+n0)
            return m, np.sqrt(v)
        a,b = shrink(mc_t, sc_t, tm, ts); c,d = shrink(mc_s, sc_s, sm, ss)
        V = fuse(cnn, tim, sty, a, b, c, d, weights)
        out[f'cat n0={n0}'] = (p_at5(V, y), p_at5(V, y, art) if art is not None else None)
    return out, n

def fuse_clip(cnn, style, ms_, ss_, weights=None):
    w = weights or (W, wt, *sw)
    z_t = (style - sm)/np.maximum(ss,1e-6)
    if clip:
        z_t = np.array(clip['scale'])*z_t + np.array(clip['offset'])
    raw = z_t*ss + sm
    parts = [np.sqrt(w[0])*unit(cnn), np.zeros((len(cnn),20))]
    for i,(a,b) in enumerate(PART):
        z = (raw[:,a:b]-ms_[a:b])/np.maximum(ss_[a:b],1e-6)
        parts.append(np.sqrt(w[2+i])*unit(z))
    return np.hstack(parts)

def ridge_map(Xc, Yt, lam_frac=0.3):
    # residual ridge, kernel form: Y - X ≈ (X - mx) B + my
    mx = Xc.mean(0); R = Yt - Xc; my = R.mean(0)
    Xz = Xc - mx; K = Xz @ Xz.T; lam = lam_frac*np.mean(np.diag(K))
    A = np.linalg.solve(K + lam*np.eye(len(K)), R - my)
    return lambda Q: Q + (Q - mx) @ Xz.T @ A + my

def discovery(path, labels, col='genre', n0=50, weights=None, use_map=True):
    rows, lab = load(path, labels)
    rows = [r for r in rows if r['view']]
    cnn = np.array([r['cnn'] for r in rows]); tim = np.array([r['timbre'] for r in rows]); sty = np.array([r['style'] for r in rows])
    vc = np.array([r['view']['cnn'] for r in rows]); vs = np.array([r['view']['style'] for r in rows])
    y = np.array([lab[r['file']][col] for r in rows]); n = len(rows)
    res = {}
    stats = {'train': (tm, ts, sm, ss)}
    mc_t, sc_t = tim.mean(0), tim.std(0); mc_s, sc_s = sty.mean(0), sty.std(0)
    sh = lambda mc, sc, mt_, st_: ((n*mc + n0*mt_)/(n+n0), np.sqrt((n*sc**2 + n0*st_**2)/(n+n0)))
    stats['cat'] = (*sh(mc_t, sc_t, tm, ts), *sh(mc_s, sc_s, sm, ss))
    for name, (a,b,c,d) in stats.items():
        V = fuse(cnn, tim, sty, a, b, c, d, weights)
        Q = fuse_clip(vc, vs, c, d, weights)
        loo = p_at5(V, y)
        S = unit(Q) @ V.T
        np.fill_diagonal(S, -np.inf)
        idx = np.argsort(-S, axis=1)[:, :5]
        raw = (y[idx]==y[:,None]).mean()
        if use_map:
            Qm = np.zeros_like(Q)
            ids = np.arange(n)
            for par in (0,1):
                fit = ids%2 != par; f = ridge_map(Q[fit], V[fit]); Qm[~fit] = f(Q[~fit])
            S = unit(Qm) @ V.T; np.fill_diagonal(S, -np.inf)
            idx = np.argsort(-S, axis=1)[:, :5]
            mapped = (y[idx]==y[:,None]).mean()
        res[name] = dict(loo=round(loo,3), clip=round(raw,3), clip_map=round(mapped,3))
    return res


def proxy(path, labels):
    import itertools
    rows, lab = load(path, labels)
    rows = [r for r in rows if r['view']]
    cnn = np.array([r['cnn'] for r in rows]); tim = np.array([r['timbre'] for r in rows]); sty = np.array([r['style'] for r in rows])
    vc = np.array([r['view']['cnn'] for r in rows]); vs = np.array([r['view']['style'] for r in rows])
    y = np.array([lab[r['file']]['genre'] for r in rows])
    res = []
    grid = [0.05, 0.15, 0.3, 0.45]
    for w in itertools.product(grid, [0.0, 0.1, 0.2], grid, grid, grid):
        s = sum(w); w = tuple(x / s for x in w)
        V = fuse(cnn, tim, sty, tm, ts, sm, ss, w)
        Q = unit(fuse_clip(vc, vs, sm, ss, w))
        S = Q @ V.T
        rank = (S > np.diag(S)[:, None]).sum(1)
        res.append((w, p_at5(V, y), np.mean(1 / (1 + rank))))
    p = np.array([r[1] for r in res]); m = np.array([r[2] for r in res])
    print('configs', len(res), 'corr(P@5, MRR)', np.corrcoef(p, m)[0, 1])
    best = max(res, key=lambda r: r[2])
    print('chosen by MRR', [round(x, 2) for x in best[0]], 'P@5', round(best[1], 3))

def expansion(path, labels):
    rows, lab = load(path, labels)
    rows = [r for r in rows if r['view']]
    cnn = np.array([r['cnn'] for r in rows]); tim = np.array([r['timbre'] for r in rows]); sty = np.array([r['style'] for r in rows])
    vc = np.array([r['view']['cnn'] for r in rows]); vs = np.array([r['view']['style'] for r in rows])
    y = np.array([lab[r['file']]['genre'] for r in rows]); n = len(rows); ids = np.arange(n)
    V = fuse(cnn, tim, sty, tm, ts, sm, ss); Q = fuse_clip(vc, vs, sm, ss)
    def p5(Qx):
        S = unit(Qx) @ V.T; np.fill_diagonal(S, -np.inf)
        idx = np.argsort(-S, axis=1)[:, :5]; return (y[idx] == y[:, None]).mean(), S
    Qm = np.zeros_like(Q)
    for par in (0, 1):
        fit = ids % 2 != par; f = ridge_map(Q[fit], V[fit]); Qm[~fit] = f(Q[~fit])
    base, S = p5(Qm)
    print('mapped', round(base, 3))
    for m in (1, 2, 3, 5):
        top = np.argsort(-S, axis=1)[:, :m]
        print('expanded by', m, round(p5(unit(Qm) + unit(V[top].mean(1)))[0], 3))

if __name__ == '__main__':
    cmd, path, labels = sys.argv[1:4]
    if cmd == 'standardisation':
        for w in [None, (0.25, 0, 0.25, 0.25, 0.25), (0.3, 0.05, 0.25, 0.3, 0.1)]:
            o, n = run(path, labels, weights=w, n0s=(0, 50))
            print(w or 'shipped', n, {k: (round(v[0], 3), round(v[1], 3)) for k, v in o.items()})
    elif cmd == 'discovery':
        print(discovery(path, labels))
        expansion(path, labels)
    elif cmd == 'proxy':
        proxy(path, labels)
