using System.Collections.Concurrent;

namespace Detector.Node.Metrics;

/// <summary>
/// One Prometheus metric family: its name, HELP, TYPE and series. Instruments that map to the same name and kind
/// share a family. Lookups of existing series are lock-free and allocation-free; only creating a series takes the lock.
/// </summary>
internal sealed class MetricFamily
{
    /// <summary>Series by the measurement's own tag objects, for allocation-free hot-path lookup.</summary>
    private readonly ConcurrentDictionary<LabelSet, MetricSeries> _byTags = new(LabelSetComparer.Instance);

    /// <summary>Span-keyed view of <see cref="_byTags"/>.</summary>
    private readonly ConcurrentDictionary<LabelSet, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;

    /// <summary>Series by rendered labels, so tag values that render alike (1 and "1") share one series; guarded by <see cref="_sync"/>.</summary>
    private readonly Dictionary<string, MetricSeries> _byText = new(StringComparer.Ordinal);

    /// <summary>Serialises series creation and snapshots; no callback ever runs under it.</summary>
    private readonly Lock _sync = new();

    /// <summary>Creates an empty family.</summary>
    public MetricFamily(string name, string help, string typeName, MetricKind kind, bool isObservable, double[] bounds)
    {
        Name = name;
        Help = help;
        TypeName = typeName;
        Kind = kind;
        IsObservable = isObservable;
        Bounds = bounds;
        _lookup = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    /// <summary>Family name as exported.</summary>
    public string Name { get; }

    /// <summary>Unescaped HELP text.</summary>
    public string Help { get; }

    /// <summary>"counter", "gauge" or "histogram".</summary>
    public string TypeName { get; }

    /// <summary>Aggregation of the family's series.</summary>
    public MetricKind Kind { get; }

    /// <summary>True when values are collected at scrape; series not observed in the current scrape are omitted.</summary>
    public bool IsObservable { get; }

    /// <summary>Histogram bucket bounds (empty for other kinds).</summary>
    public double[] Bounds { get; }

    /// <summary>Finds or creates the series for <paramref name="tags"/>.</summary>
    public MetricSeries GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _lookup.TryGetValue(tags, out var series) ? series : AddSeries(tags);

    /// <summary>The series, sorted by rendered labels.</summary>
    public MetricSeries[] Snapshot()
    {
        MetricSeries[] series;
        lock (_sync)
        {
            series = [.. _byText.Values];
        }

        Array.Sort(series, static (a, b) => string.CompareOrdinal(a.Labels.Text, b.Labels.Text));
        return series;
    }

    private MetricSeries AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelSet.Create(tags);
        lock (_sync)
        {
            if (!_byText.TryGetValue(labels.Text, out var series))
            {
                series = Kind switch
                {
                    MetricKind.Sum => new SumSeries(labels),
                    MetricKind.LastValue => new LastValueSeries(labels),
                    _ => new HistogramSeries(labels, Bounds),
                };
                _byText.Add(labels.Text, series);
            }

            _byTags.TryAdd(labels, series);
            return series;
        }
    }
}
