#!/usr/bin/env bash
# Detection quality on ../shared/datasets, through `detector evaluate` (the production pipeline), one JSON line per
# dataset on stdout: skab, odds/<set> for each of the 17 ODDS sets, fraud-sim. Progress goes to stderr. Each line says
# its "impl": "detector" for ours; after each of ours comes a reference line, "sklearn-iforest", of scikit-learn's
# IsolationForest on the same split and features (eval/iforest.py; IFOREST=0 leaves them out).
#
# Usage: eval/run-all.sh [skab] [odds] [fraud-sim] [skab-lstm]     (default: the first three)
# Environment: DATASETS (default ../shared/datasets), PLOTS=DIR (write an SVG per dataset), ODDS_SETS="cardio wbc …".
# Takes about 5 minutes on two shared cores (skab-lstm: 15 more); it runs at nice 10, one dataset at a time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DATASETS:-$root/../shared/datasets}"
odds_sets="${ODDS_SETS:-arrhythmia cardio glass ionosphere letter lympho mnist musk optdigits pendigits pima satellite satimage-2 shuttle vertebral vowels wbc}"
which=("$@")
[ ${#which[@]} -eq 0 ] && which=(skab odds fraud-sim)

if [ "${IFOREST:-1}" = 1 ]; then "$root/scripts/setup.sh" python3-sklearn; else "$root/scripts/setup.sh"; fi
dotnet build "$root/Detector.Node/Detector.Node.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
detector=(nice -n 10 dotnet "$root/Detector.Node/bin/Release/net10.0/detector.dll" evaluate)

iforest() { if [ "${IFOREST:-1}" = 1 ]; then nice -n 10 /usr/bin/python3 "$root/eval/iforest.py" "$1" "$data" ${2:+"$2"}; fi; }
plot() { [ -n "${PLOTS:-}" ] && mkdir -p "$PLOTS" && echo --plot "$PLOTS/${1//\//-}.svg" || true; }

for dataset in "${which[@]}"; do
  case "$dataset" in
    skab)
      echo "skab: 34 files, each trained on its first 400 records" >&2
      "${detector[@]}" --data "$data/skab/data/valve1" "$data/skab/data/valve2" "$data/skab/data/other" \
        --config "$root/eval/skab.json" --name skab --json $(plot skab)
      iforest skab
      ;;
    skab-lstm)
      echo "skab-lstm: SKAB with the LSTM autoencoder" >&2
      "${detector[@]}" --data "$data/skab/data/valve1" "$data/skab/data/valve2" "$data/skab/data/other" \
        --config "$root/eval/skab-lstm.json" --name skab-lstm --json $(plot skab-lstm)
      ;;
    odds)
      for set in $odds_sets; do
        echo "odds/$set: PyOD protocol, 60/40 random split, mean of 10 runs" >&2
        "${detector[@]}" --data "$data/odds/$set.csv" --config "$root/eval/odds.json" --name "odds/$set" --json $(plot "odds/$set")
        iforest odds "$set"
      done
      ;;
    fraud-sim)
      echo "fraud-sim: days 30-36 train, days 37-60 scored" >&2
      "${detector[@]}" --data "$data/fraud-sim/transactions_2018-04-01_2018-05-31.csv.gz" \
        --config "$root/eval/fraud-sim.json" --name fraud-sim --json $(plot fraud-sim)
      iforest fraud-sim
      ;;
    *)
      echo "run-all: unknown dataset '$dataset' (skab, odds, fraud-sim, skab-lstm)" >&2
      exit 2
      ;;
  esac
done
