using Detector.Models.Evaluation;

namespace Detector.Node.Evaluation;

/// <summary>
/// Detection quality over one or more evaluated streams, pooled: point-wise and point-adjusted precision, recall and F1
/// (counts summed over streams), AUC-ROC and AUC-PR (each stream's scores divided by its <see cref="StreamOutcome.ScoreScale"/>
/// when there are several, so different models' scores are comparable), alerts per 1,000 records, and detection delay
/// over labelled segments.
/// </summary>
public sealed record DetectionSummary
{
    /// <summary>Records scored (test part).</summary>
    public long Records { get; init; }

    /// <summary>Records labelled anomalous.</summary>
    public long Anomalies { get; init; }

    /// <summary>Records flagged.</summary>
    public long Flagged { get; init; }

    /// <summary>Point-wise precision.</summary>
    public double Precision { get; init; }

    /// <summary>Point-wise recall.</summary>
    public double Recall { get; init; }

    /// <summary>Point-wise F1.</summary>
    public double F1 { get; init; }

    /// <summary>Precision after point adjustment.</summary>
    public double AdjustedPrecision { get; init; }

    /// <summary>Recall after point adjustment.</summary>
    public double AdjustedRecall { get; init; }

    /// <summary>The best point-wise F1 any single threshold on the same (pooled) scores reaches: what the scores allow.</summary>
    public double BestF1 { get; init; }

    /// <summary>False-alarm rate of the verdicts: flagged normal records / normal records.</summary>
    public double FalseAlarmRate { get; init; }

    /// <summary>F1 after point adjustment.</summary>
    public double AdjustedF1 { get; init; }

    /// <summary>Area under the ROC curve of the scores.</summary>
    public double AucRoc { get; init; }

    /// <summary>Average precision (area under the precision–recall curve) of the scores.</summary>
    public double AucPr { get; init; }

    /// <summary>Alerts raised on the scored records.</summary>
    public long Alerts { get; init; }

    /// <summary>Alerts per 1,000 scored records.</summary>
    public double AlertsPer1000 { get; init; }

    /// <summary>Labelled anomaly segments.</summary>
    public int Segments { get; init; }

    /// <summary>Segments with at least one flagged record.</summary>
    public int SegmentsDetected { get; init; }

    /// <summary>Mean delay, in records, from a detected segment's onset to its first flagged record.</summary>
    public double MeanDelayRecords { get; init; }

    /// <summary>Median of the same delays.</summary>
    public double MedianDelayRecords { get; init; }

    /// <summary>Mean delay in seconds of event time (NaN without timestamps).</summary>
    public double MeanDelaySeconds { get; init; }

    /// <summary>Records dead-lettered instead of scored.</summary>
    public long DeadLetters { get; init; }

    /// <summary>Pools the streams' outcomes.</summary>
    public static DetectionSummary Compute(IReadOnlyList<StreamOutcome> streams)
    {
        ArgumentOutOfRangeException.ThrowIfZero(streams.Count);
        long tp = 0, fp = 0, fn = 0, atp = 0, afp = 0, afn = 0, records = 0, anomalies = 0, flaggedCount = 0, alerts = 0, dead = 0;
        var delays = new List<int>();
        var seconds = new List<double>();
        var segments = 0;
        var pooledScores = new List<float>();
        var pooledLabels = new List<bool>();
        var timed = true;
        foreach (var s in streams)
        {
            Count(s.Labels, s.Flagged, ref tp, ref fp, ref fn);
            Count(s.Labels, SegmentMetrics.PointAdjust(s.Labels, s.Flagged), ref atp, ref afp, ref afn);
            records += s.Labels.Length;
            anomalies += s.Labels.Count(l => l);
            flaggedCount += s.Flagged.Count(f => f);
            alerts += s.Alerts;
            dead += s.DeadLetters;
            var found = SegmentMetrics.Segments(s.Labels);
            var d = SegmentMetrics.DetectionDelays(s.Labels, s.Flagged);
            segments += d.Length;
            for (var k = 0; k < d.Length; k++)
            {
                if (d[k] is not { } delay)
                {
                    continue;
                }
                delays.Add(delay);
                if (s.TimesMs is { } times)
                {
                    seconds.Add((times[found[k].Start + delay] - times[found[k].Start]) / 1000.0);
                }
            }
            timed &= s.TimesMs is not null;
            var scale = streams.Count > 1 && s.ScoreScale > 0 ? s.ScoreScale : 1.0;
            for (var i = 0; i < s.Scores.Length; i++)
            {
                // A dead-lettered record has no score: it ranks lowest, as a record the detector never flagged.
                pooledScores.Add(float.IsNaN(s.Scores[i]) ? float.NegativeInfinity : (float)(s.Scores[i] / scale));
                pooledLabels.Add(s.Labels[i]);
            }
        }
        var (p, r, f) = Ratios(tp, fp, fn);
        var (ap, ar, af) = Ratios(atp, afp, afn);
        delays.Sort();
        var scores = pooledScores.ToArray();
        var labels = pooledLabels.ToArray();
        return new DetectionSummary
        {
            Records = records, Anomalies = anomalies, Flagged = flaggedCount,
            Precision = p, Recall = r, F1 = f, AdjustedPrecision = ap, AdjustedRecall = ar, AdjustedF1 = af,
            BestF1 = BestPointwiseF1(scores, labels), FalseAlarmRate = records == anomalies ? double.NaN : (double)fp / (records - anomalies),
            AucRoc = DetectionMetrics.AucRoc(scores, labels), AucPr = DetectionMetrics.AveragePrecision(scores, labels),
            Alerts = alerts, AlertsPer1000 = records == 0 ? double.NaN : 1000.0 * alerts / records,
            Segments = segments, SegmentsDetected = delays.Count,
            MeanDelayRecords = delays.Count == 0 ? double.NaN : delays.Average(),
            MedianDelayRecords = delays.Count == 0 ? double.NaN : delays.Count % 2 == 1 ? delays[delays.Count / 2] : (delays[delays.Count / 2 - 1] + delays[delays.Count / 2]) / 2.0,
            MeanDelaySeconds = !timed || seconds.Count == 0 ? double.NaN : seconds.Average(),
            DeadLetters = dead,
        };
    }

    /// <summary>The mean of each figure over repeated runs (PyOD's protocol averages ten random splits).</summary>
    public static DetectionSummary Mean(IReadOnlyList<DetectionSummary> runs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        if (runs.Count == 1)
        {
            return runs[0];
        }
        double M(Func<DetectionSummary, double> f) => runs.Select(f).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        long L(Func<DetectionSummary, long> f) => (long)Math.Round(runs.Average(f));
        return new DetectionSummary
        {
            Records = L(s => s.Records), Anomalies = L(s => s.Anomalies), Flagged = L(s => s.Flagged),
            Precision = M(s => s.Precision), Recall = M(s => s.Recall), F1 = M(s => s.F1),
            AdjustedPrecision = M(s => s.AdjustedPrecision), AdjustedRecall = M(s => s.AdjustedRecall), AdjustedF1 = M(s => s.AdjustedF1),
            BestF1 = M(s => s.BestF1), FalseAlarmRate = M(s => s.FalseAlarmRate),
            AucRoc = M(s => s.AucRoc), AucPr = M(s => s.AucPr), Alerts = L(s => s.Alerts), AlertsPer1000 = M(s => s.AlertsPer1000),
            Segments = (int)L(s => s.Segments), SegmentsDetected = (int)L(s => s.SegmentsDetected),
            MeanDelayRecords = M(s => s.MeanDelayRecords), MedianDelayRecords = M(s => s.MedianDelayRecords),
            MeanDelaySeconds = M(s => s.MeanDelaySeconds), DeadLetters = L(s => s.DeadLetters),
        };
    }

    /// <summary>
    /// The highest F1 over every threshold "score ≥ s" for s among the scores (ties are flagged together): scores
    /// sorted descending, true and false positives counted as the threshold moves down.
    /// </summary>
    public static double BestPointwiseF1(float[] scores, bool[] labels)
    {
        var positives = labels.LongCount(l => l);
        if (positives == 0)
        {
            return double.NaN;
        }
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(scores.ToArray(), order);
        Array.Reverse(order);
        long tp = 0, flagged = 0;
        var best = 0.0;
        for (var k = 0; k < order.Length; k++)
        {
            tp += labels[order[k]] ? 1 : 0;
            flagged++;
            if (k + 1 < order.Length && scores[order[k + 1]] == scores[order[k]])
            {
                continue;
            }
            best = Math.Max(best, 2.0 * tp / (flagged + positives));
        }
        return best;
    }

    private static void Count(bool[] labels, bool[] flagged, ref long tp, ref long fp, ref long fn)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            if (flagged[i] && labels[i])
            {
                tp++;
            }
            else if (flagged[i])
            {
                fp++;
            }
            else if (labels[i])
            {
                fn++;
            }
        }
    }

    private static (double Precision, double Recall, double F1) Ratios(long tp, long fp, long fn)
    {
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }
}
