namespace Detector.Node.Evaluation;

/// <summary>
/// Detection quality for labelled anomaly segments (the collective anomalies of telemetry benchmarks): segments,
/// point-adjusted verdicts, and detection delay.
/// </summary>
public static class SegmentMetrics
{
    /// <summary>The maximal runs of true labels, in order.</summary>
    public static IReadOnlyList<LabelledSegment> Segments(ReadOnlySpan<bool> labels)
    {
        var segments = new List<LabelledSegment>();
        var i = 0;
        while (i < labels.Length)
        {
            if (!labels[i])
            {
                i++;
                continue;
            }
            var start = i;
            while (i < labels.Length && labels[i])
            {
                i++;
            }
            segments.Add(new LabelledSegment(start, i));
        }
        return segments;
    }

    /// <summary>
    /// Point adjustment (Xu et al., 2018, as used across the time-series anomaly literature): when any record of a
    /// labelled segment is flagged, every record of that segment counts as flagged; records outside segments keep
    /// their verdict.
    /// </summary>
    public static bool[] PointAdjust(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> flagged)
    {
        CheckLengths(labels, flagged);
        var adjusted = flagged.ToArray();
        foreach (var s in Segments(labels))
        {
            if (flagged[s.Start..s.End].Contains(true))
            {
                adjusted.AsSpan(s.Start, s.Length).Fill(true);
            }
        }
        return adjusted;
    }

    /// <summary>
    /// For each labelled segment, the delay from its first record to the first flagged record inside it, in records
    /// (0 = flagged at onset), or null when no record of the segment is flagged (missed).
    /// </summary>
    public static int?[] DetectionDelays(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> flagged)
    {
        CheckLengths(labels, flagged);
        var segments = Segments(labels);
        var delays = new int?[segments.Count];
        for (var k = 0; k < segments.Count; k++)
        {
            var s = segments[k];
            var first = flagged[s.Start..s.End].IndexOf(true);
            delays[k] = first < 0 ? null : first;
        }
        return delays;
    }

    private static void CheckLengths(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> flagged)
    {
        if (labels.Length != flagged.Length)
        {
            throw new ArgumentException($"{labels.Length} labels but {flagged.Length} verdicts");
        }
    }
}
