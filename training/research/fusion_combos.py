"""Combinations: catalogue standardisation + global DSN (a 4Q gain) followed by a neighbourhood
re-ranking (a soundtrack gain). Global DSN is the fused cosine with weights w_p / sigma_p
renormalised (sigma_p: std of part p's cosine distances over the catalogue's pairs), so its output
is a proper cosine that the re-rankers of fuse.py take as is.

    python3 training/research/fusion_combos.py WORK_DIR 4Q_LABELS_CSV   # as fusion_rerank.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fusion_rerank as F  # noqa: E402


def dsn_weights(P, w):
    m = ~np.eye(len(P[0]), dtype=bool)
    sd = np.array([(1 - p @ p.T)[m].std() for p in P])
    v = w / sd
    return v / v.sum()


def variants(raw):
    out = {}
    for label, (stats, n0) in (('train', ('train', 0)), ('catalogue n0=50', ('catalogue', 50)),
                               ('catalogue n0=0', ('catalogue', 0))):
        P = F.parts_from_raw(raw, stats, n0)
        Sp = [p @ p.T for p in P]
        for dsn in (False, True):
            w = dsn_weights(P, F.W_SHIPPED) if dsn else F.W_SHIPPED
            if not dsn and label == 'train':
                pre = '[train] shipped fused cosine'
            else:
                pre = f'[{label}{" + DSN global" if dsn else ""}]'
            S = sum(wi * s for wi, s in zip(w, Sp))
            Dist = np.sqrt(np.maximum(2 - 2 * S, 0))
            out[f'{pre}'] = S
            out[f'{pre} + MP'] = F.mp_gauss(1 - S)
            out[f'{pre} + DSN symmetric z of fused'] = -F.dsn_sym(1 - S)
            out[f'{pre} + k-reciprocal k1=20 k2=6 lam=0.3'] = -F.k_reciprocal(Dist, 20, 6, 0.3)
            out[f'{pre} + k-reciprocal k1=5 k2=1 lam=0.3'] = -F.k_reciprocal(Dist, 5, 1, 0.3)
            out[f'{pre} + diffusion k=20 a=0.8 mixed 0.5'] = (
                0.5 * F.zero_one(F.diffusion(S, 20, 0.8)) + 0.5 * F.zero_one(S))
    return out


def main():
    sets = {
        '4q': (F.WORK + '/parts_4q.jsonl', F.labels_4q()),
        'val': (F.WORK + '/parts_val.jsonl', F.labels_tsv(F.WORK + '/val_labels.tsv')),
        'test': (F.WORK + '/parts_test.jsonl', F.labels_tsv(F.WORK + '/test_labels.tsv')),
    }
    res = {}
    for name, (path, lab) in sets.items():
        raw, y, art = F.load(path, lab)
        V = variants(raw)
        base = F.per_query(V['[train] shipped fused cosine'], y)
        boot = np.random.default_rng(0).integers(0, len(y), (2000, len(y)))
        for vn, S in V.items():
            r = res.setdefault(vn, {})
            q = F.per_query(S, y)
            r[name] = q.mean()
            bs = (q - base)[boot].mean(1)
            r[name + '/ci'] = (np.percentile(bs, 2.5), np.percentile(bs, 97.5))
            if name == '4q':
                r['4q/artist'] = F.p_at5(S, y, art)
    print('| variant | 4Q | 4Q artist excl. | validation | test | 4Q diff 95% CI | test diff 95% CI |')
    print('|---|---|---|---|---|---|---|')
    for vn, r in res.items():
        ci = lambda k: f"{r[k][0]:+.3f} .. {r[k][1]:+.3f}"
        print(f"| {vn} | {r['4q']:.3f} | {r['4q/artist']:.3f} | {r['val']:.3f} | {r['test']:.3f} | "
              f"{ci('4q/ci')} | {ci('test/ci')} |")


if __name__ == '__main__':
    main()
