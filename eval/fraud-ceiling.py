#!/usr/bin/python3
"""How far the fraud-sim features let any detector go: AUC-ROC and average precision on days 37-60 (the split of
eval/fraud-sim.json), overall and per fraud scenario, for unsupervised references fitted on days 30-36 and for a
supervised ceiling that is given the labels (scikit-learn's HistGradientBoostingClassifier fitted on one half of the
scored days, in time order, scoring the other half, both ways). One JSON line per method.

Scenarios of the simulator (Le Borgne et al.): 1, amounts over 220; 2, compromised terminals (every transaction at
the terminal for 28 days is a fraud; the terminal-risk features see it only once the simulated 7-day feedback delay
has passed); 3, compromised customers (a third of their transactions for 14 days at 5x the amount).

Usage: eval/fraud-ceiling.py DATASETS [DETECTOR_SCORES.csv]
(the scores file is `detector evaluate … --config eval/fraud-sim.json --scores FILE`; its scores are added as "detector").
Needs Debian's python3-sklearn (scripts/setup.sh python3-sklearn)."""
import csv, json, sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

from iforest import forest, fraud_split


def line(method, y, scenarios, scores, **extra):
    out = {"method": method, "auc_roc": round(float(roc_auc_score(y, scores)), 4),
           "auc_pr": round(float(average_precision_score(y, scores)), 4)}
    for k in (1, 2, 3):
        keep = (scenarios == k) | ~y
        out[f"auc_roc_scenario_{k}"] = round(float(roc_auc_score(y[keep], scores[keep])), 4)
    out.update(extra)
    print(json.dumps(out, separators=(",", ":")), flush=True)


def main(data, detector_scores=None):
    train, test, y, scenarios, names = fraud_split(data)
    risk = np.array([i for i, n in enumerate(names) if n.startswith("TERMINAL_ID_RISK")])
    no_risk = (test[:, risk] == 0).all(axis=1)
    print(json.dumps({"records": int(len(y)), "frauds": int(y.sum()),
                      **{f"scenario_{k}": int((scenarios == k).sum()) for k in (1, 2, 3)},
                      "scenario_2_without_terminal_risk": round(float(no_risk[scenarios == 2].mean()), 4),
                      "normal_without_terminal_risk": round(float(no_risk[~y].mean()), 4)}, separators=(",", ":")))
    if detector_scores:
        with open(detector_scores) as f:
            ours = np.array([float(r["score"]) for r in csv.DictReader(f)])
        if len(ours) != len(y):
            sys.exit(f"fraud-ceiling.py: {detector_scores} has {len(ours)} scores; the scored days hold {len(y)} records")
        line("detector", y, scenarios, ours)
    line("sklearn-iforest", y, scenarios, forest(train, test, 0)[0])
    mean, std = train.mean(axis=0), train.std(axis=0) + 1e-9
    z_train, z = (train - mean) / std, (test - mean) / std
    inverse = np.linalg.inv(np.cov(z_train.T) + 1e-6 * np.eye(z.shape[1]))
    line("mahalanobis", y, scenarios, np.einsum("ij,jk,ik->i", z, inverse, z))
    components = np.linalg.svd(z_train, full_matrices=False)[2][:8].T  # a linear autoencoder: PCA, 8 of 15 components
    line("pca-residual-8", y, scenarios, ((z - z @ components @ components.T) ** 2).sum(axis=1))
    half = len(y) // 2
    first, second = slice(0, half), slice(half, None)
    for name, fit, score in (("supervised-first-half-scores-second", first, second), ("supervised-second-half-scores-first", second, first)):
        model = HistGradientBoostingClassifier(max_iter=300, random_state=0).fit(test[fit], y[fit])
        line(name, y[score], scenarios[score], model.predict_proba(test[score])[:, 1], labels_seen=int(y[fit].sum()))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
