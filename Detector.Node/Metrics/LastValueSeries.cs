namespace Detector.Node.Metrics;

/// <summary>Keeps the last reported value (gauges, and observable counters which report running totals).</summary>
internal sealed class LastValueSeries(LabelSet labels) : MetricSeries(labels)
{
    /// <summary>The last value written.</summary>
    private double _value;

    /// <inheritdoc/>
    public override void Record(long value) => Record((double)value);

    /// <inheritdoc/>
    public override void Record(double value) => Volatile.Write(ref _value, value);

    /// <inheritdoc/>
    public override void WriteSamples(TextWriter writer, string name) => WriteSample(writer, name, Labels.Text, Volatile.Read(ref _value));
}
