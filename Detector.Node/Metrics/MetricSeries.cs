namespace Detector.Node.Metrics;

/// <summary>The aggregate of one instrument family for one label set; recording is thread-safe and lock-free.</summary>
internal abstract class MetricSeries(LabelSet labels)
{
    /// <summary>Scrape generation of the last observation (observable instruments only); raised with a CAS so it never goes back.</summary>
    private long _generation;

    /// <summary>The series' labels.</summary>
    public LabelSet Labels { get; } = labels;

    /// <summary>Scrape generation of the last observation.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Records an integral measurement.</summary>
    public abstract void Record(long value);

    /// <summary>Records a floating-point measurement.</summary>
    public abstract void Record(double value);

    /// <summary>Marks the series as observed in scrape <paramref name="generation"/>.</summary>
    public void Touch(long generation) => Atomic.Max(ref _generation, generation);

    /// <summary>Writes the series' sample lines.</summary>
    public abstract void WriteSamples(TextWriter writer, string name);

    /// <summary>Writes one sample line: <c>name{labels} value</c>.</summary>
    protected static void WriteSample(TextWriter writer, string name, string labels, double value)
    {
        writer.Write(name);
        if (labels.Length > 0)
        {
            writer.Write('{');
            writer.Write(labels);
            writer.Write('}');
        }

        writer.Write(' ');
        writer.Write(PrometheusText.FormatValue(value));
        writer.Write('\n');
    }
}
