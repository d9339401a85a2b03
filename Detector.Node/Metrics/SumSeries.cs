namespace Detector.Node.Metrics;

/// <summary>Sums deltas: integral ones exactly with Interlocked.Add, floating ones with a CAS loop.</summary>
internal sealed class SumSeries(LabelSet labels) : MetricSeries(labels)
{
    /// <summary>Sum of integral measurements.</summary>
    private long _integral;

    /// <summary>Sum of floating-point measurements.</summary>
    private double _floating;

    /// <inheritdoc/>
    public override void Record(long value) => Interlocked.Add(ref _integral, value);

    /// <inheritdoc/>
    public override void Record(double value) => Atomic.Add(ref _floating, value);

    /// <inheritdoc/>
    public override void WriteSamples(TextWriter writer, string name) =>
        WriteSample(writer, name, Labels.Text, Interlocked.Read(ref _integral) + Volatile.Read(ref _floating));
}
