using System.Diagnostics;

namespace Detector.Node.Metrics;

/// <summary>
/// Per-bucket counts (not cumulative) updated with Interlocked, made cumulative at scrape. The count written is the
/// sum of the bucket counts read, so <c>le="+Inf"</c> always equals <c>_count</c> within one scrape.
/// </summary>
internal sealed class HistogramSeries : MetricSeries
{
    /// <summary>Upper bounds, finite and strictly increasing; shared by all series of the family.</summary>
    private readonly double[] _bounds;

    /// <summary>Counts per bucket; the last slot is the +Inf bucket.</summary>
    private readonly long[] _counts;

    /// <summary>Rendered <c>le</c> values, with the label prefix, one per bucket including +Inf.</summary>
    private readonly string[] _bucketLabels;

    /// <summary>Sum of all observed values.</summary>
    private double _sum;

    /// <summary>Creates an empty histogram over <paramref name="bounds"/>.</summary>
    public HistogramSeries(LabelSet labels, double[] bounds) : base(labels)
    {
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
        var prefix = labels.Text.Length > 0 ? labels.Text + "," : "";
        _bucketLabels = new string[bounds.Length + 1];
        for (var i = 0; i < bounds.Length; i++)
        {
            _bucketLabels[i] = $"{prefix}le=\"{PrometheusText.FormatValue(bounds[i])}\"";
        }

        _bucketLabels[^1] = $"{prefix}le=\"+Inf\"";
        AssertInvariants();
    }

    /// <inheritdoc/>
    public override void Record(long value) => Record((double)value);

    /// <inheritdoc/>
    public override void Record(double value)
    {
        Interlocked.Increment(ref _counts[BucketIndex(value)]);
        Atomic.Add(ref _sum, value);
    }

    /// <inheritdoc/>
    public override void WriteSamples(TextWriter writer, string name)
    {
        var cumulative = 0L;
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            WriteSample(writer, name + "_bucket", _bucketLabels[i], cumulative);
        }

        WriteSample(writer, name + "_sum", Labels.Text, Volatile.Read(ref _sum));
        WriteSample(writer, name + "_count", Labels.Text, cumulative);
    }

    /// <summary>Index of the first bucket whose bound is ≥ value (le is inclusive); NaN goes to +Inf, as in client_golang.</summary>
    private int BucketIndex(double value)
    {
        if (double.IsNaN(value))
        {
            return _bounds.Length;
        }

        var index = Array.BinarySearch(_bounds, value);
        return index >= 0 ? index : ~index;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_counts.Length == _bounds.Length + 1, "There is one bucket per bound plus the +Inf bucket.");
        for (var i = 1; i < _bounds.Length; i++)
        {
            Debug.Assert(_bounds[i - 1] < _bounds[i], "Bucket bounds must be strictly increasing.");
        }
    }
}
