namespace Detector.Models.Evaluation;

/// <summary>Threshold-free and thresholded detection quality of scores against binary labels (1 = anomaly).</summary>
public static class DetectionMetrics
{
    /// <summary>Area under the ROC curve (ties count one half), by the rank-sum formula.</summary>
    public static double AucRoc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        var order = Ranked(scores);
        long positives = 0;
        double rankSum = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }
            var averageRank = (i + j) / 2.0 + 1;
            for (var m = i; m <= j; m++)
            {
                if (labels[order[m]])
                {
                    positives++;
                    rankSum += averageRank;
                }
            }
            i = j + 1;
        }
        var negatives = order.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Average precision (area under the precision–recall curve, step-wise as scikit-learn computes it).</summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        var order = Ranked(scores);
        Array.Reverse(order);
        var positives = 0;
        foreach (var l in labels)
        {
            positives += l ? 1 : 0;
        }
        if (positives == 0)
        {
            return double.NaN;
        }
        double ap = 0, truePositives = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            var hits = labels[order[i]] ? 1 : 0;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
                hits += labels[order[j]] ? 1 : 0;
            }
            truePositives += hits;
            ap += hits / (double)positives * (truePositives / (j + 1));
            i = j + 1;
        }
        return ap;
    }

    /// <summary>Precision, recall and F1 of flagging score &gt; threshold.</summary>
    public static (double Precision, double Recall, double F1) AtThreshold(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, float threshold)
    {
        var flagged = new bool[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            flagged[i] = scores[i] > threshold;
        }
        return PrecisionRecall(flagged, labels);
    }

    /// <summary>Precision, recall and F1 of per-record verdicts against labels.</summary>
    public static (double Precision, double Recall, double F1) PrecisionRecall(ReadOnlySpan<bool> flagged, ReadOnlySpan<bool> labels)
    {
        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < flagged.Length; i++)
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
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    /// <summary>Indices sorted by ascending score.</summary>
    private static int[] Ranked(ReadOnlySpan<float> scores)
    {
        var order = new int[scores.Length];
        var keys = scores.ToArray();
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(keys, order);
        return order;
    }
}
