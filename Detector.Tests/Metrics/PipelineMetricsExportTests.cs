using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Streams.Telemetry;
using Prometheus;
using Xunit;

namespace Detector.Tests.Metrics;

/// <summary>The pipeline's metrics on prometheus-net: names, types, values, label escaping, OpenMetrics exemplars.</summary>
public sealed class PipelineMetricsExportTests
{
    private static PipelineMetrics Metrics(Func<IReadOnlyDictionary<string, long>>? mailboxes = null) =>
        new(() => 0.5, () => 3, () => 12, mailboxes ?? (() => new Dictionary<string, long> { ["model"] = 1 }), () => 0.1);

    [Fact]
    public void Scrape_PipelineMetrics_ConventionalNamesTypesAndValues()
    {
        var metrics = Metrics();
        metrics.RecordsConsumed(10);
        metrics.DeadLetter(DeadLetterReason.Malformed);
        metrics.BatchScored(10, TimeSpan.FromMilliseconds(2));
        metrics.EndToEnd(TimeSpan.FromMilliseconds(5));
        metrics.Judged(3, 1);
        metrics.TrainingRun("published", TimeSpan.FromSeconds(1));

        var lines = Scrape.Lines(metrics.Registry);

        Assert.Contains("# TYPE detector_records_consumed_total counter", lines);
        Assert.Contains("detector_records_consumed_total 10", lines);
        Assert.Contains("# TYPE detector_records_dead_lettered_total counter", lines);
        Assert.Contains("detector_records_dead_lettered_total{reason=\"Malformed\"} 1", lines);
        Assert.All(Enum.GetValues<DeadLetterReason>(), r => Assert.Contains(lines, l => l.StartsWith($"detector_records_dead_lettered_total{{reason=\"{r}\"}} ", StringComparison.Ordinal)));
        Assert.Contains("detector_anomalies_total 3", lines);
        Assert.Contains("detector_alerts_total 1", lines);
        Assert.Contains("detector_training_runs_total{outcome=\"published\"} 1", lines);
        Assert.Contains("detector_training_runs_total{outcome=\"rejected\"} 0", lines);
        Assert.Contains("# TYPE detector_batch_size histogram", lines);
        Assert.Contains("detector_batch_size_count 1", lines);
        Assert.Contains("# TYPE detector_scoring_latency_seconds histogram", lines);
        Assert.Contains("# TYPE detector_end_to_end_latency_seconds histogram", lines);
        Assert.Contains("detector_end_to_end_latency_seconds_bucket{le=\"0.005\"} 1", lines);
        Assert.Contains("# TYPE detector_training_duration_seconds histogram", lines);
        Assert.Contains("# TYPE detector_score histogram", lines);
        Assert.Contains("detector_threshold{stream=\"default\"} 0.5", lines);
        Assert.Contains("detector_model_version 3", lines);
        Assert.Contains("detector_model_age_seconds 12", lines);
        Assert.Contains("detector_training_loss 0.1", lines);
        Assert.Contains("detector_mailbox_depth{actor=\"model\"} 1", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("# TYPE", StringComparison.Ordinal) && l.Contains("_total gauge", StringComparison.Ordinal));
    }

    [Fact]
    public void Scrape_TwoPipelinesInOneProcess_EachCountsOnlyItsOwn()
    {
        var a = Metrics();
        var b = Metrics();
        a.RecordsConsumed(7);

        Assert.Contains("detector_records_consumed_total 7", Scrape.Lines(a.Registry));
        Assert.Contains("detector_records_consumed_total 0", Scrape.Lines(b.Registry));
    }

    [Fact]
    public void Scrape_OpenMetrics_AnomalyCounterCarriesTheRecordIdAsExemplar()
    {
        var metrics = Metrics();
        metrics.Judged(2, 1, "card-7:\"x\"\\y");

        var lines = Scrape.Lines(metrics.Registry, ExpositionFormat.OpenMetricsText);

        Assert.Contains("# TYPE detector_anomalies counter", lines);
        var sample = Assert.Single(lines, l => l.StartsWith("detector_anomalies_total ", StringComparison.Ordinal));
        // The id's quote and backslash are escaped, so the exemplar's label set parses back to the id.
        Assert.StartsWith("detector_anomalies_total 2.0 # {record_id=\"card-7:\\\"x\\\"\\\\y\"} 2.0 ", sample, StringComparison.Ordinal);
        Assert.Equal("# EOF", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public void Scrape_LabelValueWithQuoteBackslashAndNewline_IsEscaped()
    {
        var metrics = Metrics(() => new Dictionary<string, long> { ["odd\"actor\\\nkind"] = 4 });

        Assert.Contains("detector_mailbox_depth{actor=\"odd\\\"actor\\\\\\nkind\"} 4", Scrape.Lines(metrics.Registry));
    }

    [Fact]
    public void Scrape_LabelSetThatHasGone_IsRemovedNotLeftAtItsLastValue()
    {
        var depths = new Dictionary<string, long> { ["model"] = 1, ["trainer"] = 2 };
        var metrics = Metrics(() => depths);
        metrics.ReportActorDevices([new ActorDevice("model-0", "cpu", "cpu"), new ActorDevice("model-1", "cuda:0", "cuda")]);
        var before = Scrape.Lines(metrics.Registry);
        depths.Remove("trainer");
        metrics.ReportActorDevices([new ActorDevice("model-0", "cpu", "cpu")]);
        var after = Scrape.Lines(metrics.Registry);

        Assert.Contains("detector_mailbox_depth{actor=\"trainer\"} 2", before);
        Assert.Contains("detector_model_actor_info{actor=\"model-1\",device=\"cuda:0\"} 1", before);
        Assert.DoesNotContain(after, l => l.Contains("actor=\"trainer\"", StringComparison.Ordinal));
        Assert.DoesNotContain(after, l => l.Contains("model-1", StringComparison.Ordinal));
        Assert.Contains("detector_model_actor_info{actor=\"model-0\",device=\"cpu\"} 1", after);
    }
    [Fact]
    public void Scores_BatchTalliedPerBucket_ExportsWhatObservingEachScoreWould()
    {
        // Scores on bucket bounds, between them, below the first and above the last, over two batches.
        var random = new Random(7);
        var scores = PipelineMetrics.ScoreBuckets.Select(b => (float)b)
            .Concat(Enumerable.Range(0, 500).Select(_ => (float)Math.Exp(random.NextDouble() * 18 - 9)))
            .Concat([0f, 1e-5f, 6000f, 1e6f]).ToArray();
        var metrics = Metrics();
        var reference = global::Prometheus.Metrics.NewCustomRegistry();
        var histogram = global::Prometheus.Metrics.WithCustomRegistry(reference).CreateHistogram("detector_score", "reference",
            new HistogramConfiguration { Buckets = [.. PipelineMetrics.ScoreBuckets] });

        metrics.Scores(scores.AsSpan(0, 300));
        metrics.Scores(scores.AsSpan(300));
        foreach (var score in scores)
        {
            histogram.Observe(score);
        }

        static Dictionary<string, double> Series(CollectorRegistry registry) => Scrape.Lines(registry)
            .Where(l => l.StartsWith("detector_score_", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var expected = Series(reference);
        var actual = Series(metrics.Registry);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Equal(PipelineMetrics.ScoreBuckets.Count + 3, expected.Count); // the buckets, +Inf, _sum and _count
        foreach (var (series, value) in expected)
        {
            Assert.Equal(value, actual[series], value * 1e-9);
        }
    }
}
