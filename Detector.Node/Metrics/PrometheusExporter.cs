using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Detector.Node.Metrics;

/// <summary>
/// Exports System.Diagnostics.Metrics instruments of the configured meters in the Prometheus text format 0.0.4.
/// Counter → <c>_total</c> counter; UpDownCounter and gauges → gauge; Histogram → cumulative buckets, sum and count;
/// observable instruments are collected at each scrape. Output is sorted by family name, then by label set.
/// </summary>
public sealed class PrometheusExporter : IMetricsExporter, IDisposable
{
    /// <summary>Content type of the exposition format written by <see cref="WriteTo"/>.</summary>
    public const string ContentType = PrometheusText.ContentType;

    /// <summary>The listener; measurements arrive on the recording threads.</summary>
    private readonly MeterListener _listener;

    /// <summary>Meters to export.</summary>
    private readonly HashSet<string> _meterNames;

    /// <summary>Validated options.</summary>
    private readonly PrometheusExporterOptions _options;

    /// <summary>Families by exported name.</summary>
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    /// <summary>Scrape counter; observations are stamped with it so a scrape shows only what its own collection saw.</summary>
    private long _generation;

    /// <summary>1 once disposed.</summary>
    private int _disposed;

    /// <summary>Starts listening to the meters named in <paramref name="options"/> (default: meter "Detector").</summary>
    public PrometheusExporter(PrometheusExporterOptions? options = null)
    {
        _options = options ?? new PrometheusExporterOptions();
        Validate(_options.SecondsBuckets);
        Validate(_options.DefaultBuckets);
        foreach (var bounds in _options.BucketsByInstrument.Values)
        {
            Validate(bounds);
        }

        _meterNames = new HashSet<string>(_options.MeterNames, StringComparer.Ordinal);
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<byte>((_, m, tags, state) => RecordLong(m, tags, state));
        _listener.SetMeasurementEventCallback<short>((_, m, tags, state) => RecordLong(m, tags, state));
        _listener.SetMeasurementEventCallback<int>((_, m, tags, state) => RecordLong(m, tags, state));
        _listener.SetMeasurementEventCallback<long>((_, m, tags, state) => RecordLong(m, tags, state));
        _listener.SetMeasurementEventCallback<float>((_, m, tags, state) => RecordDouble(m, tags, state));
        _listener.SetMeasurementEventCallback<double>((_, m, tags, state) => RecordDouble(m, tags, state));
        _listener.SetMeasurementEventCallback<decimal>((_, m, tags, state) => RecordDouble((double)m, tags, state));
        _listener.Start();
    }

    /// <inheritdoc/>
    /// <remarks>An observable instrument whose callback throws is left out of this scrape; the others are written.</remarks>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var generation = Interlocked.Increment(ref _generation);
        var failedCallbacks = 0;
        try
        {
            // Runs the instruments' callbacks on this thread; no lock of ours is held here.
            _listener.RecordObservableInstruments();
        }
        catch (AggregateException e)
        {
            // One broken callback must not blank the whole scrape: the listener has already run the others,
            // and the failed instrument's series are omitted because they were not observed in this generation.
            failedCallbacks = e.InnerExceptions.Count;
        }

        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var series = family.Snapshot();
            if (family.IsObservable)
            {
                series = Array.FindAll(series, s => s.Generation >= generation);
            }

            if (series.Length == 0)
            {
                continue;
            }

            if (family.Help.Length > 0)
            {
                writer.Write($"# HELP {family.Name} {PrometheusText.EscapeHelp(family.Help)}\n");
            }

            writer.Write($"# TYPE {family.Name} {family.TypeName}\n");
            foreach (var s in series)
            {
                s.WriteSamples(writer, family.Name);
            }
        }

        if (failedCallbacks > 0)
        {
            // A plain comment: scrapers ignore it, people reading the page see why a gauge is missing.
            writer.Write($"# {failedCallbacks} observable instrument callback(s) threw during this scrape\n");
        }
    }

    /// <summary>Stops listening; later measurements are ignored and <see cref="WriteTo"/> throws.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _listener.Dispose();
        }
    }

    private void RecordLong(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is MetricFamily family)
        {
            var series = family.GetSeries(tags);
            series.Record(value);
            if (family.IsObservable)
            {
                series.Touch(Volatile.Read(ref _generation));
            }
        }
    }

    private void RecordDouble(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is MetricFamily family)
        {
            var series = family.GetSeries(tags);
            series.Record(value);
            if (family.IsObservable)
            {
                series.Touch(Volatile.Read(ref _generation));
            }
        }
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meterNames.Contains(instrument.Meter.Name) || !instrument.GetType().IsGenericType)
        {
            return;
        }

        var definition = instrument.GetType().GetGenericTypeDefinition();
        (string Type, MetricKind Kind)? shape =
            definition == typeof(Counter<>) ? ("counter", MetricKind.Sum)
            : definition == typeof(UpDownCounter<>) ? ("gauge", MetricKind.Sum)
            : definition == typeof(Histogram<>) ? ("histogram", MetricKind.Histogram)
            : definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>) ? ("gauge", MetricKind.LastValue)
            : definition == typeof(ObservableCounter<>) ? ("counter", MetricKind.LastValue)
            : null;
        if (shape is not { } s)
        {
            return;
        }

        var name = PrometheusText.MetricName(instrument.Name, instrument.Unit, s.Type == "counter");
        var bounds = s.Kind != MetricKind.Histogram ? []
            : _options.BucketsByInstrument.TryGetValue(instrument.Name, out var custom) ? custom.ToArray()
            : instrument.Unit == "s" ? _options.SecondsBuckets.ToArray()
            : _options.DefaultBuckets.ToArray();
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, instrument.Description ?? "", s.Type, s.Kind, instrument.IsObservable, bounds));
        // Two instruments may share a family only if they aggregate alike; otherwise the later one is not exported.
        if (family.Kind == s.Kind && family.TypeName == s.Type && family.IsObservable == instrument.IsObservable)
        {
            listener.EnableMeasurementEvents(instrument, family);
        }
    }

    private static void Validate(IReadOnlyList<double> bounds)
    {
        for (var i = 0; i < bounds.Count; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i - 1] >= bounds[i]))
            {
                throw new ArgumentException("Histogram bounds must be finite and strictly increasing (+Inf is implied).", nameof(bounds));
            }
        }
    }
}
