using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Prometheus;

namespace Detector.Streams.Telemetry;

/// <summary>
/// The pipeline's metrics, declared once with prometheus-net in the pipeline's own <see cref="Registry"/> (so two
/// pipelines in one process never share a series), whose counters also give the running totals for progress lines and tests. Gauges
/// that mirror state (threshold, model version and age, mailboxes, actor devices) are set just before each scrape.
/// The node serves the registry at /metrics (text format 0.0.4, or OpenMetrics when the scraper asks for it).
/// </summary>
public sealed class PipelineMetrics
{
    /// <summary>Outcomes of a training run, each a label value of detector_training_runs_total.</summary>
    public static IReadOnlyList<string> TrainingOutcomes { get; } = ["published", "rejected", "failed"];

    /// <summary>Score buckets from 0.001 to 5000 in 1-2-5 steps: reconstruction errors span orders of magnitude.</summary>
    public static IReadOnlyList<double> ScoreBuckets { get; } =
        Enumerable.Range(-3, 7).SelectMany(e => new[] { 1.0, 2.0, 5.0 }.Select(m => Math.Round(m * Math.Pow(10, e), 6))).ToArray();

    /// <summary>Latency buckets, 100 µs to 10 s.</summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Batch-size buckets, powers of two from 1 to 65536.</summary>
    public static IReadOnlyList<double> SizeBuckets { get; } = Enumerable.Range(0, 17).Select(e => Math.Pow(2, e)).ToArray();

    /// <summary>Exemplar label naming the record behind an anomaly count.</summary>
    private static readonly Exemplar.LabelKey RecordIdKey = Exemplar.Key("record_id");

    private readonly Counter _consumed;
    private readonly Counter _scored;
    private readonly Counter _deadLettered;
    private readonly Counter _anomalies;
    private readonly Counter _alerts;
    private readonly Histogram _batchSize;
    private readonly Histogram _scoringLatency;
    private readonly Histogram _endToEnd;
    private readonly Counter _trainingRuns;
    private readonly Histogram _trainingDuration;
    private readonly Histogram _score;

    /// <summary>The score histogram's upper bounds, for <see cref="Scores"/>' own bucketing.</summary>
    private readonly double[] _scoreBounds;

    /// <summary>Per-bucket count, sum, min and max of one batch's scores (used by the threshold stage's one thread).</summary>
    private readonly ScoreTally _scoreTally;
    private readonly LabelledGaugeMirror _mailboxDepth;
    private readonly LabelledGaugeMirror _actorInfo;

    /// <summary>The device of each model actor, replaced whole by <see cref="ReportActorDevices"/> (read at each scrape).</summary>
    private volatile IReadOnlyList<ActorDevice> _actorDevices = [];

    /// <summary>Declares the metrics in <paramref name="registry"/> (a new one when null); the gauges read the given callbacks at each scrape.</summary>
    public PipelineMetrics(Func<double> threshold, Func<long> modelVersion, Func<double> modelAgeSeconds,
        Func<IReadOnlyDictionary<string, long>> mailboxDepths, Func<double> lastTrainingLoss, string stream = "default",
        CollectorRegistry? registry = null)
    {
        Registry = registry ?? Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _consumed = factory.CreateCounter("detector_records_consumed_total", "Records read from sources.");
        _scored = factory.CreateCounter("detector_records_scored_total", "Records scored by a model.");
        _deadLettered = factory.CreateCounter("detector_records_dead_lettered_total", "Records sent to the dead-letter sink, by reason.", ["reason"]);
        _anomalies = factory.CreateCounter("detector_anomalies_total", "Records above their threshold (OpenMetrics exemplar: the id of a record counted).");
        _alerts = factory.CreateCounter("detector_alerts_total", "Alerts published (after suppression).");
        _batchSize = factory.CreateHistogram("detector_batch_size", "Rows per scored batch.", new HistogramConfiguration { Buckets = [.. SizeBuckets] });
        _scoringLatency = factory.CreateHistogram("detector_scoring_latency_seconds", "Time to score one batch.", new HistogramConfiguration { Buckets = [.. SecondsBuckets] });
        // The per-record histograms carry no exemplars: prometheus-net would otherwise look up the trace context per observation.
        _endToEnd = factory.CreateHistogram("detector_end_to_end_latency_seconds", "From source to alert decision, per record.",
            new HistogramConfiguration { Buckets = [.. SecondsBuckets], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        _trainingRuns = factory.CreateCounter("detector_training_runs_total", "Training runs, by outcome.", ["outcome"]);
        _trainingDuration = factory.CreateHistogram("detector_training_duration_seconds", "Wall time of a training run.", new HistogramConfiguration { Buckets = [.. SecondsBuckets] });
        _score = factory.CreateHistogram("detector_score", "Anomaly score of each judged record (compare with detector_threshold).",
            new HistogramConfiguration { Buckets = [.. ScoreBuckets], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        _scoreBounds = [.. ScoreBuckets];
        _scoreTally = new ScoreTally(_scoreBounds.Length + 1);
        // Every reason and outcome starts at 0, so rate() and the dead-letter alert see a series before the first one happens.
        foreach (var reason in Enum.GetValues<DeadLetterReason>())
        {
            _deadLettered.WithLabels(reason.ToString());
        }
        foreach (var outcome in TrainingOutcomes)
        {
            _trainingRuns.WithLabels(outcome);
        }
        var thresholdGauge = factory.CreateGauge("detector_threshold", "Current global anomaly threshold.", ["stream"]);
        var versionGauge = factory.CreateGauge("detector_model_version", "Version of the model in use.");
        var ageGauge = factory.CreateGauge("detector_model_age_seconds", "Time since the model in use was trained.");
        var lossGauge = factory.CreateGauge("detector_training_loss", "Validation loss of the last trained model.");
        _mailboxDepth = new LabelledGaugeMirror(factory.CreateGauge("detector_mailbox_depth", "Work waiting or under way, by stage: model = batches asked of the model actors, alert-sink = publishes awaiting confirmation, trainer = due retrains waiting.", ["actor"]));
        _actorInfo = new LabelledGaugeMirror(factory.CreateGauge("detector_model_actor_info",
            "1 for each model actor, labelled with the device it is pinned to (cpu or cuda:N).", ["actor", "device"]));
        Registry.AddBeforeCollectCallback(() =>
        {
            thresholdGauge.WithLabels(stream).Set(threshold());
            versionGauge.Set(modelVersion());
            ageGauge.Set(modelAgeSeconds());
            lossGauge.Set(lastTrainingLoss());
            _mailboxDepth.Mirror(mailboxDepths().Select(kv => (new[] { kv.Key }, (double)kv.Value)));
            _actorInfo.Mirror(_actorDevices.Select(a => (new[] { a.Actor, a.Device }, 1.0)));
        });
    }

    /// <summary>The registry holding this pipeline's metrics (the node adds its source and process metrics to it).</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Raised with a source-to-decision latency and the number of records that had it, on the threshold stage's thread
    /// (the pipeline benchmark's percentiles).
    /// </summary>
    public event Action<TimeSpan, int>? EndToEndMeasured;

    // The running totals for progress lines, /status and tests are the counters' own values (exact below 2^53).

    /// <summary>Records read.</summary>
    public long Consumed => (long)_consumed.Value;

    /// <summary>Records scored.</summary>
    public long Scored => (long)_scored.Value;

    /// <summary>Records dead-lettered.</summary>
    public long DeadLettered => Enum.GetValues<DeadLetterReason>().Sum(DeadLetteredFor);

    /// <summary>Records above threshold.</summary>
    public long Anomalies => (long)_anomalies.Value;

    /// <summary>Alerts published.</summary>
    public long Alerts => (long)_alerts.Value;

    /// <summary>Records dead-lettered for <paramref name="reason"/>.</summary>
    public long DeadLetteredFor(DeadLetterReason reason) => (long)_deadLettered.WithLabels(reason.ToString()).Value;

    /// <summary>Sets the device each model actor holds, for detector_model_actor_info.</summary>
    public void ReportActorDevices(IReadOnlyList<ActorDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        _actorDevices = devices;
    }

    /// <summary>Counts records read.</summary>
    public void RecordsConsumed(int n)
    {
        _consumed.Inc(n);
    }

    /// <summary>Counts a dead letter by reason.</summary>
    public void DeadLetter(DeadLetterReason reason)
    {
        _deadLettered.WithLabels(reason.ToString()).Inc();
    }

    /// <summary>Counts a scored batch and its scoring time.</summary>
    public void BatchScored(int rows, TimeSpan elapsed)
    {
        _scored.Inc(rows);
        _batchSize.Observe(rows);
        _scoringLatency.Observe(elapsed.TotalSeconds);
    }

    /// <summary>Counts anomalies and alerts of a batch; <paramref name="exampleRecordId"/> (one of the anomalous records) becomes the counter's exemplar.</summary>
    public void Judged(int anomalies, int alerts, string? exampleRecordId = null)
    {
        if (anomalies > 0 && exampleRecordId is not null)
        {
            _anomalies.Inc(anomalies, Exemplar.From(RecordIdKey.WithValue(ExemplarValue(exampleRecordId))));
        }
        else
        {
            _anomalies.Inc(anomalies);
        }
        _alerts.Inc(alerts);
    }

    /// <summary>
    /// Records the scores of a judged batch: tallied per bucket here, then one observation per bucket holding any, of
    /// that bucket's mean score with its count. The mean lies in its bucket, so every bucket count, the count and the
    /// sum are those of observing each score (a histogram keeps nothing else), for a few synchronised updates per
    /// batch instead of three per record. Not thread-safe: the threshold stage's one thread calls it.
    /// </summary>
    public void Scores(ReadOnlySpan<float> scores)
    {
        var tally = _scoreTally;
        foreach (var score in scores)
        {
            tally.Add(Bucket(score), score);
        }
        tally.Flush(_score);
    }

    /// <summary>The histogram bucket (index of the first upper bound ≥ the value; the last for +Inf and NaN) of a score.</summary>
    /// <remarks>
    /// A plain binary search over the 21 bounds, inlined into the per-record loop: Array.BinarySearch goes through a
    /// generic comparer per step and was 3.5% of the pipeline's CPU in a perf profile of `bench pipeline`.
    /// </remarks>
    private int Bucket(double value)
    {
        var bounds = _scoreBounds;
        if (double.IsNaN(value))
        {
            return bounds.Length;
        }
        int lo = 0, hi = bounds.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (bounds[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Records the source-to-decision latency of <paramref name="records"/> records that had the same one.</summary>
    public void EndToEnd(TimeSpan latency, int records = 1)
    {
        _endToEnd.Observe(latency.TotalSeconds, records);
        EndToEndMeasured?.Invoke(latency, records);
    }

    /// <summary>Counts a training run and its duration; outcome is published, rejected or failed.</summary>
    public void TrainingRun(string outcome, TimeSpan duration)
    {
        _trainingRuns.WithLabels(outcome).Inc();
        _trainingDuration.Observe(duration.TotalSeconds);
    }

    /// <summary>
    /// An exemplar label value written so the OpenMetrics line stays parseable: prometheus-net 8.2.1 writes exemplar
    /// values without escaping (a record id with a quote would break the scrape), so backslash, quote and newline are
    /// escaped here, and the value is cut to fit OpenMetrics' 128-character limit on an exemplar's labels.
    /// </summary>
    internal static string ExemplarValue(string id)
    {
        const int MaxLength = 100; // 128 minus "record_id" and a margin for the escapes
        var escaped = id.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return escaped.Length <= MaxLength ? escaped : escaped[..MaxLength].TrimEnd('\\');
    }
}
