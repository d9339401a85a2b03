using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Detector.Node.Metrics;
using Xunit;

namespace Detector.Tests.Metrics;

/// <summary>The Prometheus exporter's text: naming, aggregation, escaping, scrape-time collection and concurrency.</summary>
public sealed partial class PrometheusExporterTests : IDisposable
{
    private readonly Meter _meter = new($"Detector.Tests.{Guid.NewGuid():N}");
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _exporter = new PrometheusExporter(new PrometheusExporterOptions().WithMeters(_meter.Name));
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    private string[] Scrape()
    {
        using var writer = new StringWriter();
        _exporter.WriteTo(writer);
        var text = writer.ToString();
        Assert.EndsWith("\n", text);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void WriteTo_CounterWithoutTags_WritesHelpTypeAndTotal()
    {
        var counter = _meter.CreateCounter<long>("detector_records_consumed", "{record}", "Records read from sources.");
        counter.Add(3);
        counter.Add(4);

        Assert.Equal(
            [
                "# HELP detector_records_consumed_total Records read from sources.",
                "# TYPE detector_records_consumed_total counter",
                "detector_records_consumed_total 7",
            ],
            Scrape());
    }

    [Fact]
    public void WriteTo_CounterWithTags_OneSeriesPerLabelSetSortedByKeyAndValue()
    {
        var counter = _meter.CreateCounter<long>("detector_records_dead_lettered", "{record}");
        counter.Add(1, new("reason", "Undecodable"), new("stream", "b"));
        counter.Add(2, new("stream", "b"), new("reason", "Undecodable"));
        counter.Add(5, new KeyValuePair<string, object?>("reason", "Malformed"), new("stream", "a"));

        Assert.Equal(
            [
                "# TYPE detector_records_dead_lettered_total counter",
                "detector_records_dead_lettered_total{reason=\"Malformed\",stream=\"a\"} 5",
                "detector_records_dead_lettered_total{reason=\"Undecodable\",stream=\"b\"} 3",
            ],
            Scrape());
    }

    [Fact]
    public void WriteTo_CounterNameAlreadyEndingInTotal_DoesNotDoubleSuffix()
    {
        _meter.CreateCounter<int>("requests_total").Add(1);

        Assert.Contains("requests_total 1", Scrape());
    }

    [Fact]
    public void WriteTo_UpDownCounter_IsGaugeWithoutTotal()
    {
        var counter = _meter.CreateUpDownCounter<int>("detector_in_flight", "{batch}");
        counter.Add(5);
        counter.Add(-2);

        Assert.Equal(["# TYPE detector_in_flight gauge", "detector_in_flight 3"], Scrape());
    }

    [Fact]
    public void WriteTo_Histogram_BucketsAreCumulativeWithInfSumAndCount()
    {
        using var exporter = new PrometheusExporter(new PrometheusExporterOptions
        {
            MeterNames = [_meter.Name],
            BucketsByInstrument = new Dictionary<string, IReadOnlyList<double>> { ["detector_batch_size"] = [1, 4, 16] },
        });
        var histogram = _meter.CreateHistogram<int>("detector_batch_size", "{record}", "Rows per scored batch.");
        foreach (var v in new[] { 1, 2, 4, 5, 16, 100 })
        {
            histogram.Record(v, new KeyValuePair<string, object?>("stream", "s"));
        }

        using var writer = new StringWriter();
        exporter.WriteTo(writer);

        Assert.Equal(
            [
                "# HELP detector_batch_size Rows per scored batch.",
                "# TYPE detector_batch_size histogram",
                "detector_batch_size_bucket{stream=\"s\",le=\"1\"} 1",
                "detector_batch_size_bucket{stream=\"s\",le=\"4\"} 3",
                "detector_batch_size_bucket{stream=\"s\",le=\"16\"} 5",
                "detector_batch_size_bucket{stream=\"s\",le=\"+Inf\"} 6",
                "detector_batch_size_sum{stream=\"s\"} 128",
                "detector_batch_size_count{stream=\"s\"} 6",
            ],
            writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void WriteTo_HistogramInSeconds_AddsSecondsSuffixOnceAndUsesLatencyBounds()
    {
        _meter.CreateHistogram<double>("detector_scoring_latency", "s").Record(0.003);
        _meter.CreateHistogram<double>("detector_wait_seconds", "s").Record(0.5);

        var lines = Scrape();

        Assert.Contains("# TYPE detector_scoring_latency_seconds histogram", lines);
        Assert.Contains("detector_scoring_latency_seconds_bucket{le=\"0.0001\"} 0", lines);
        Assert.Contains("detector_scoring_latency_seconds_bucket{le=\"0.0025\"} 0", lines);
        Assert.Contains("detector_scoring_latency_seconds_bucket{le=\"0.005\"} 1", lines);
        Assert.Contains("detector_scoring_latency_seconds_bucket{le=\"10\"} 1", lines);
        Assert.Contains("detector_scoring_latency_seconds_sum 0.003", lines);
        Assert.Contains("# TYPE detector_wait_seconds histogram", lines);
        Assert.DoesNotContain(lines, l => l.Contains("seconds_seconds", StringComparison.Ordinal));
    }

    [Fact]
    public void WriteTo_HistogramWithoutUnit_UsesPowersOfTwo()
    {
        _meter.CreateHistogram<int>("detector_batch_size", "{record}").Record(3);

        var lines = Scrape();

        Assert.Contains("detector_batch_size_bucket{le=\"2\"} 0", lines);
        Assert.Contains("detector_batch_size_bucket{le=\"4\"} 1", lines);
        Assert.Contains("detector_batch_size_bucket{le=\"65536\"} 1", lines);
    }

    [Fact]
    public void WriteTo_ObservableGauges_AreCalledAtEachScrape()
    {
        var calls = 0;
        var depths = new Dictionary<string, long> { ["model"] = 3, ["alert"] = 0 };
        _meter.CreateObservableGauge("detector_threshold", () =>
        {
            Interlocked.Increment(ref calls);
            return new Measurement<double>(0.75, new KeyValuePair<string, object?>("stream", "default"));
        }, description: "Current global anomaly threshold.");
        _meter.CreateObservableGauge("detector_mailbox_depth", () => depths.Select(
            kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("actor", kv.Key))), "{message}");

        var first = Scrape();
        depths.Remove("alert");
        depths["model"] = 9;
        var second = Scrape();

        Assert.Equal(2, calls);
        Assert.Equal(
            [
                "# TYPE detector_mailbox_depth gauge",
                "detector_mailbox_depth{actor=\"alert\"} 0",
                "detector_mailbox_depth{actor=\"model\"} 3",
                "# HELP detector_threshold Current global anomaly threshold.",
                "# TYPE detector_threshold gauge",
                "detector_threshold{stream=\"default\"} 0.75",
            ],
            first);
        // A series the callback no longer reports disappears rather than showing a stale value.
        Assert.Contains("detector_mailbox_depth{actor=\"model\"} 9", second);
        Assert.DoesNotContain("detector_mailbox_depth{actor=\"alert\"} 0", second);
    }

    [Fact]
    public void WriteTo_ObservableCounter_IsCounterWithLastReportedTotal()
    {
        var total = 10L;
        _meter.CreateObservableCounter("detector_bytes_read", () => total, "By");

        Scrape();
        total = 25;

        Assert.Contains("detector_bytes_read_bytes_total 25", Scrape());
    }

    [Fact]
    public void WriteTo_LabelValuesAndHelp_AreEscaped()
    {
        _meter.CreateCounter<long>("detector.odd-name", description: "Line one\nback\\slash \"quoted\"")
            .Add(1, new KeyValuePair<string, object?>("path", "C:\\dir\n\"x\""));

        Assert.Equal(
            [
                "# HELP detector_odd_name_total Line one\\nback\\\\slash \"quoted\"",
                "# TYPE detector_odd_name_total counter",
                "detector_odd_name_total{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1",
            ],
            Scrape());
    }

    [Fact]
    public void WriteTo_SpecialValues_AreNaNAndSignedInf()
    {
        var value = double.NaN;
        _meter.CreateObservableGauge("g", () => new[]
        {
            new Measurement<double>(value, new KeyValuePair<string, object?>("k", "a")),
            new Measurement<double>(double.PositiveInfinity, new KeyValuePair<string, object?>("k", "b")),
            new Measurement<double>(double.NegativeInfinity, new KeyValuePair<string, object?>("k", "c")),
        });

        var lines = Scrape();

        Assert.Contains("g{k=\"a\"} NaN", lines);
        Assert.Contains("g{k=\"b\"} +Inf", lines);
        Assert.Contains("g{k=\"c\"} -Inf", lines);
    }

    [Fact]
    public void WriteTo_TagValuesThatRenderAlike_ShareOneSeries()
    {
        var counter = _meter.CreateCounter<long>("shards");
        counter.Add(1, new KeyValuePair<string, object?>("shard", 1));
        counter.Add(2, new KeyValuePair<string, object?>("shard", "1"));

        Assert.Equal(["# TYPE shards_total counter", "shards_total{shard=\"1\"} 3"], Scrape());
    }

    [Fact]
    public void Record_EightThreadsTenThousandEach_TotalIsExact()
    {
        var counter = _meter.CreateCounter<long>("detector_records_scored", "{record}");
        var histogram = _meter.CreateHistogram<double>("detector_scoring_latency", "s");
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var tag = new KeyValuePair<string, object?>("stream", t % 2 == 0 ? "even" : "odd");
            for (var i = 0; i < 10_000; i++)
            {
                counter.Add(1);
                counter.Add(1, tag);
                histogram.Record(0.001);
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var lines = Scrape();

        Assert.Contains("detector_records_scored_total 80000", lines);
        Assert.Contains("detector_records_scored_total{stream=\"even\"} 40000", lines);
        Assert.Contains("detector_records_scored_total{stream=\"odd\"} 40000", lines);
        Assert.Contains("detector_scoring_latency_seconds_count 80000", lines);
        Assert.Contains("detector_scoring_latency_seconds_bucket{le=\"+Inf\"} 80000", lines);
    }

    [Fact]
    public void Record_ExistingSeriesWithThreeTags_AllocatesNothing()
    {
        var counter = _meter.CreateCounter<long>("detector_alerts", "{alert}");
        var histogram = _meter.CreateHistogram<double>("detector_end_to_end_latency", "s");
        KeyValuePair<string, object?> a = new("stream", "default"), b = new("actor", "model"), c = new("reason", "Late");
        counter.Add(1, a, b, c);
        histogram.Record(0.01, a, b, c);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            counter.Add(1, c, b, a);
            histogram.Record(0.01, a, b, c);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains("detector_alerts_total{actor=\"model\",reason=\"Late\",stream=\"default\"} 1001", Scrape());
    }

    [Fact]
    public void WriteTo_ObservableCallbackThrows_OtherInstrumentsAreStillWritten()
    {
        Func<double> broken = () => throw new InvalidOperationException("boom");
        _meter.CreateObservableGauge("broken", broken);
        _meter.CreateObservableGauge("detector_model_version", () => 4L);
        _meter.CreateCounter<long>("detector_anomalies", "{record}").Add(2);

        var lines = Scrape();

        Assert.Contains("detector_model_version 4", lines);
        Assert.Contains("detector_anomalies_total 2", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("broken", StringComparison.Ordinal) || l.Contains(" broken ", StringComparison.Ordinal));
        Assert.Equal("# 1 observable instrument callback(s) threw during this scrape", lines[^1]);
    }

    [Fact]
    public void WriteTo_AfterDispose_Throws()
    {
        _exporter.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _exporter.WriteTo(TextWriter.Null));
    }

    [Fact]
    public void Constructor_UnsortedBounds_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PrometheusExporter(new PrometheusExporterOptions { DefaultBuckets = [2, 1] }));
    }

    [Fact]
    public void WriteTo_EveryLine_MatchesExpositionGrammarWithOneTypePerFamilyBeforeSamples()
    {
        _meter.CreateCounter<long>("detector_records_consumed", "{record}", "Records read.").Add(2);
        _meter.CreateCounter<long>("detector_records_dead_lettered", "{record}").Add(1, new KeyValuePair<string, object?>("reason", "a \"b\"\n"));
        _meter.CreateUpDownCounter<long>("detector_in_flight").Add(-1);
        _meter.CreateHistogram<double>("detector_scoring_latency", "s", "Latency.").Record(0.2, new KeyValuePair<string, object?>("stream", "x"));
        _meter.CreateHistogram<int>("detector_batch_size", "{record}").Record(64);
        _meter.CreateObservableGauge("detector_threshold", () => double.NaN);
        _meter.CreateObservableGauge("detector_model_age", () => 12.5, "s");

        var typed = new Dictionary<string, string>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in Scrape())
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Assert.Matches(HelpLine(), line);
                continue;
            }

            var type = TypeLine().Match(line);
            if (type.Success)
            {
                current = type.Groups["name"].Value;
                Assert.True(typed.TryAdd(current, type.Groups["type"].Value), $"Second TYPE line for {current}.");
                Assert.DoesNotContain(current, sampled);
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"Not a valid sample line: {line}");
            var name = sample.Groups["name"].Value;
            var family = typed.Keys.SingleOrDefault(f => name == f || (typed[f] == "histogram" && name is var n
                && (n == f + "_bucket" || n == f + "_sum" || n == f + "_count")));
            Assert.True(family is not null, $"Sample {name} has no TYPE line before it.");
            Assert.Equal(current, family);
            sampled.Add(family);
        }

        Assert.Equal(typed.Keys.Order(StringComparer.Ordinal), typed.Keys);
        Assert.Equal(7, typed.Count);
    }

    [GeneratedRegex("""^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* ([^\\\n]|\\\\|\\n)*$""")]
    private static partial Regex HelpLine();

    [GeneratedRegex("""^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$""")]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\\\|\\"|\\n)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\\\|\\"|\\n)*")*\})? (NaN|[+-]Inf|[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$""")]
    private static partial Regex SampleLine();
}
