#!/usr/bin/env bash
# Markdown tables of our figures (the JSON lines of eval/run-all.sh) next to the published ones, which are read from
# the dataset folders themselves: SKAB's leaderboard in skab/README.md, PyOD's ROC table odds/pyod_benchmark_roc.csv,
# the card handbook's figures in datasets/README.md.
# Usage: eval/table.sh eval/results.jsonl [more.jsonl …] > table.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DATASETS:-$root/../shared/datasets}"
[ $# -ge 1 ] || { echo "usage: eval/table.sh RESULTS.jsonl [MORE.jsonl …]" >&2; exit 2; }
results=("$@")

# field NAME LINE: a number or string field of one flat JSON object.
field() { echo "$2" | sed -n "s/.*\"$1\":\(\"[^\"]*\"\|[-0-9.eE]*\|null\).*/\1/p" | tr -d '"'; }
line() { cat "${results[@]}" | grep "\"dataset\":\"$1\"" | grep -v '"impl":"sklearn-iforest"' | head -1 || true; }
iforest() { cat "${results[@]}" | grep "\"dataset\":\"$1\"" | grep '"impl":"sklearn-iforest"' | head -1 || true; }
f3() { [ -z "$1" ] || [ "$1" = null ] && echo "–" || awk -v v="$1" 'BEGIN{printf "%.3f", v}'; }
f4() { [ -z "$1" ] || [ "$1" = null ] && echo "–" || awk -v v="$1" 'BEGIN{printf "%.4f", v}'; }

echo "### SKAB (outlier detection, point-wise F1 on the test part)"
echo
skab="$(line skab)"
echo "| | F1 | FAR, % | MAR, % |"
echo "|---|---|---|---|"
for ours in "$skab" "$(line skab-lstm)"; do
  [ -n "$ours" ] || continue
  p=$(field precision "$ours"); r=$(field recall "$ours"); n=$(field records "$ours"); a=$(field anomalies "$ours")
  # FAR = FP / negatives, MAR = FN / positives, from precision, recall and the counts.
  awk -v f="$(field f1 "$ours")" -v p="$p" -v r="$r" -v n="$n" -v a="$a" -v m="$(field model "$ours")" \
    'BEGIN{tp=r*a; fp=(p>0)?tp*(1-p)/p:0; printf "| **Detector, %s (ours)** | **%.3f** | %.2f | %.2f |\n", m, f, 100*fp/(n-a), 100*(1-r)}'
done
grep -E '^\|(Conv-AE|LSTM-AE|LSTM-VAE|Vanilla AE|Isolation forest|MSET|T-squared\+Q \(PCA-based\)) *\|' "$data/skab/README.md" | head -7 \
  | awk -F'|' '{gsub(/^ +| +$/,"",$2); gsub(/ /,"",$3); gsub(/ /,"",$4); gsub(/ /,"",$5); printf "| %s (leaderboard) | %s | %s | %s |\n", $2, $3, $4, $5}'
echo

echo "### ODDS (AUC-ROC, PyOD protocol: 60/40 random split, mean of 10 runs)"
echo
echo "| set | Detector (ours) | Isolation Forest (PyOD table) | IsolationForest (sklearn, our splits) | best PyOD detector | ours > IForest |"
echo "|---|---|---|---|---|---|"
wins=0; sets=0
while IFS=, read -r name samples dims perc abod cblof fb hbos iforest knn lof mcd ocsvm pca; do
  [ "$name" = Data ] && continue
  l="$(line "odds/$name")"
  ours=$(field auc_roc "$l")
  best=$(printf '%s\n' "ABOD $abod" "CBLOF $cblof" "FB $fb" "HBOS $hbos" "IForest $iforest" "KNN $knn" "LOF $lof" "MCD $mcd" "OCSVM $ocsvm" "PCA $pca" | sort -k2 -g | tail -1)
  win=$(awk -v o="${ours:-0}" -v i="$iforest" 'BEGIN{print (o+0>i+0)?"yes":"no"}')
  sets=$((sets + 1)); [ "$win" = yes ] && wins=$((wins + 1))
  echo "| $name | $(f4 "$ours") | $iforest | $(f4 "$(field auc_roc "$(iforest "odds/$name")")") | ${best#* } (${best% *}) | $win |"
done < "$data/odds/pyod_benchmark_roc.csv"
echo
echo "Ahead of Isolation Forest on $wins of $sets sets."
echo

echo "### fraud-sim (simulated card transactions)"
echo
fraud="$(line fraud-sim)"
echo "| | AUC-ROC | average precision |"
echo "|---|---|---|"
[ -n "$fraud" ] && echo "| **Detector, $(field model "$fraud") (ours)** | **$(f3 "$(field auc_roc "$fraud")")** | **$(f3 "$(field auc_pr "$fraud")")** |"
ref="$(iforest fraud-sim)"
[ -n "$ref" ] && echo "| scikit-learn IsolationForest (same split and features) | $(f3 "$(field auc_roc "$ref")") | $(f3 "$(field auc_pr "$ref")") |"
tr '\n' ' ' < "$data/README.md" | sed -n 's/.*unsupervised autoencoder on the later months, AUC-ROC \([0-9.]*\) and average precision \([0-9.]*\) (Isolation Forest.*/\1 \2/p' \
  | awk '{printf "| handbook autoencoder | %s | %s |\n", $1, $2}'
tr '\n' ' ' < "$data/README.md" | sed -n 's/.*(Isolation Forest *\([0-9.]*\) *\/ *\([0-9.]*\)).*/\1 \2/p' | awk '{printf "| handbook Isolation Forest | %s | %s |\n", $1, $2}'
echo

echo "### Own threshold against what the scores allow (point-wise)"
echo
echo "| dataset | impl | F1, own threshold | best F1 | own / best | false-alarm rate | AUC-ROC |"
echo "|---|---|---|---|---|---|---|"
cat "${results[@]}" | grep '"best_f1"' | while IFS= read -r l; do
  f=$(field f1 "$l"); b=$(field best_f1 "$l")
  ratio=$(awk -v f="${f:-0}" -v b="${b:-0}" 'BEGIN{ if (b > 0) printf "%.2f", f / b; else printf "–" }')
  echo "| $(field dataset "$l") | $(field impl "$l") | $(f3 "$f") | $(f3 "$b") | $ratio | $(f3 "$(field far "$l")") | $(f3 "$(field auc_roc "$l")") |"
done
