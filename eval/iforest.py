#!/usr/bin/python3
"""scikit-learn's IsolationForest on the same splits and features as eval/*.json: the reference lines of
eval/run-all.sh (one JSON line per dataset, impl "sklearn-iforest", the same fields as detector's).

Usage: eval/iforest.py skab DATASETS | fraud-sim DATASETS | odds DATASETS SET
Needs Debian's python3-sklearn (scripts/setup.sh python3-sklearn)."""
import csv, glob, gzip, json, os, sys, time

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def figures(labels, scores, flagged):
    """AUCs and best F1 on the scores; F1 and false-alarm rate of the forest's own verdicts (its predict())."""
    labels = np.asarray(labels, dtype=bool)
    flagged = np.asarray(flagged, dtype=bool)
    p, r, _ = precision_recall_curve(labels, scores)
    best = float(np.max(np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-300), 0)))
    tp = int(np.sum(flagged & labels)); fp = int(np.sum(flagged & ~labels)); fn = int(np.sum(~flagged & labels))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "best_f1": best, "far": fp / max(1, int(np.sum(~labels))),
            "auc_roc": float(roc_auc_score(labels, scores)), "auc_pr": float(average_precision_score(labels, scores)),
            "precision": precision, "recall": recall, "records": int(len(labels)), "anomalies": int(np.sum(labels))}


def forest(train, test, seed):
    scaler = StandardScaler().fit(train)
    model = IsolationForest(random_state=seed).fit(scaler.transform(train))
    x = scaler.transform(test)
    return -model.score_samples(x), model.predict(x) == -1


def emit(dataset, runs, started):
    keys = runs[0].keys()
    line = {"dataset": dataset, "impl": "sklearn-iforest"}
    line.update({k: round(float(np.mean([r[k] for r in runs])), 4) for k in keys})
    for k in ("records", "anomalies"):
        line[k] = int(round(line[k]))
    line.update({"runs": len(runs), "model": "IsolationForest", "seconds": round(time.time() - started, 1)})
    print(json.dumps(line, separators=(",", ":")), flush=True)


def skab(data):
    """Per file: fit on the first 400 records, score the rest; pooled (scores per file over their training 0.99-quantile)."""
    labels, scores, flagged = [], [], []
    for path in sorted(glob.glob(os.path.join(data, "skab/data/valve1/*.csv")) + glob.glob(os.path.join(data, "skab/data/valve2/*.csv"))
                       + glob.glob(os.path.join(data, "skab/data/other/*.csv"))):
        with open(path) as f:
            rows = list(csv.DictReader(f, delimiter=";"))
        features = [c for c in rows[0] if c not in ("datetime", "anomaly", "changepoint")]
        x = np.array([[float(r[c]) for c in features] for r in rows])
        y = np.array([float(r["anomaly"]) > 0 for r in rows])
        s, v = forest(x[:400], x[400:], 0)
        s_train, _ = forest(x[:400], x[:400], 0)
        scale = np.quantile(s_train, 0.99)
        labels += list(y[400:]); scores += list(s / scale); flagged += list(v)
    return [figures(labels, scores, flagged)]


def fraud_split(data):
    """Days 30-36 (67,200 records after skipping 288,062) and days 37-60 of fraud-sim, the handbook's 15 features:
    (training features, test features, test labels, test fraud scenarios 0-3, feature names)."""
    excluded = {"TRANSACTION_ID", "TX_DATETIME", "CUSTOMER_ID", "TERMINAL_ID", "TX_TIME_SECONDS", "TX_TIME_DAYS",
                "TX_FRAUD", "TX_FRAUD_SCENARIO"}
    with gzip.open(os.path.join(data, "fraud-sim/transactions_2018-04-01_2018-05-31.csv.gz"), "rt") as f:
        reader = csv.reader(f)
        header = next(reader)
        keep = [i for i, c in enumerate(header) if c not in excluded]
        label, scenario = header.index("TX_FRAUD"), header.index("TX_FRAUD_SCENARIO")
        rows = [(np.array([float(r[i]) for i in keep]), r[label] == "1", int(r[scenario])) for r in reader]
    x = np.array([r[0] for r in rows[288062:]])
    y = np.array([r[1] for r in rows[288062:]])
    scenarios = np.array([r[2] for r in rows[288062:]])
    return x[:67200], x[67200:], y[67200:], scenarios[67200:], [header[i] for i in keep]


def fraud(data):
    """The forest fitted on days 30-36, scoring days 37-60."""
    train, test, y, _, _ = fraud_split(data)
    s, v = forest(train, test, 0)
    return [figures(y, s, v)]


def odds(data, name):
    """PyOD's protocol: 10 random 60/40 splits, fitted on the 60 % (outliers included), scored on the 40 %."""
    with open(os.path.join(data, f"odds/{name}.csv")) as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = np.array([[float(v) for v in r] for r in reader])
    x, y = rows[:, :-1], rows[:, -1] > 0
    runs = []
    for seed in range(1, 11):
        x_train, x_test, _, y_test = train_test_split(x, y, test_size=0.4, random_state=seed)
        s, v = forest(x_train, x_test, seed)
        runs.append(figures(y_test, s, v))
    return runs


if __name__ == "__main__":
    started = time.time()
    which, data = sys.argv[1], sys.argv[2]
    if which == "skab":
        emit("skab", skab(data), started)
    elif which == "fraud-sim":
        emit("fraud-sim", fraud(data), started)
    elif which == "odds":
        emit(f"odds/{sys.argv[3]}", odds(data, sys.argv[3]), started)
    else:
        sys.exit(f"iforest.py: unknown dataset '{which}' (skab, fraud-sim, odds SET)")
