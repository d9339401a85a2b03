namespace Detector.Node.Metrics;

/// <summary>How an instrument's measurements are aggregated into a series.</summary>
internal enum MetricKind
{
    /// <summary>Deltas summed (Counter, UpDownCounter).</summary>
    Sum,

    /// <summary>The last reported value wins (gauges and observable instruments, which report totals).</summary>
    LastValue,

    /// <summary>Cumulative buckets plus sum and count (Histogram).</summary>
    Histogram,
}
