using System.Diagnostics.Metrics;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;

namespace Detector.Streams.Telemetry;

/// <summary>
/// The pipeline's instruments on System.Diagnostics.Metrics (meter "Detector"), exported by the node in the
/// Prometheus text format, plus plain running totals for progress lines and tests. Names follow Prometheus conventions.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "Detector";

    /// <summary>Name of the per-record score histogram (exporters give it score-shaped buckets).</summary>
    public const string ScoreInstrument = "detector_score";

    /// <summary>Outcomes of a training run, each a label value of detector_training_runs_total.</summary>
    public static IReadOnlyList<string> TrainingOutcomes { get; } = ["published", "rejected", "failed"];

    private readonly Meter _meter;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _scored;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _anomalies;
    private readonly Counter<long> _alerts;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _scoringLatency;
    private readonly Histogram<double> _endToEnd;
    private readonly Counter<long> _trainingRuns;
    private readonly Histogram<double> _trainingDuration;
    private readonly Histogram<float> _score;
    /// <summary>The device of each model actor, replaced whole by <see cref="ReportActorDevices"/> (read by the info gauge).</summary>
    private volatile IReadOnlyList<ActorDevice> _actorDevices = [];
    private long _consumedTotal;
    private long _scoredTotal;
    private long _deadLetteredTotal;

    /// <summary>The dead letters by reason, beside the labelled counter (which only an exporter can read back).</summary>
    private readonly DeadLetterCounters _deadLetteredByReason = new();
    private long _anomaliesTotal;
    private long _alertsTotal;

    /// <summary>Creates the instruments; observable gauges read the given callbacks.</summary>
    public PipelineMetrics(Func<double> threshold, Func<long> modelVersion, Func<double> modelAgeSeconds,
        Func<IReadOnlyDictionary<string, long>> mailboxDepths, Func<double> lastTrainingLoss, string stream = "default")
    {
        _meter = new Meter(MeterName);
        var streamTag = new KeyValuePair<string, object?>("stream", stream);
        _consumed = _meter.CreateCounter<long>("detector_records_consumed", "{record}", "Records read from sources.");
        _scored = _meter.CreateCounter<long>("detector_records_scored", "{record}", "Records scored by a model.");
        _deadLettered = _meter.CreateCounter<long>("detector_records_dead_lettered", "{record}", "Records sent to the dead-letter sink, by reason.");
        _anomalies = _meter.CreateCounter<long>("detector_anomalies", "{record}", "Records above their threshold.");
        _alerts = _meter.CreateCounter<long>("detector_alerts", "{alert}", "Alerts published (after suppression).");
        _batchSize = _meter.CreateHistogram<int>("detector_batch_size", "{record}", "Rows per scored batch.");
        _scoringLatency = _meter.CreateHistogram<double>("detector_scoring_latency", "s", "Time to score one batch.");
        _endToEnd = _meter.CreateHistogram<double>("detector_end_to_end_latency", "s", "From source to alert decision, per record.");
        _trainingRuns = _meter.CreateCounter<long>("detector_training_runs", "{run}", "Training runs, by outcome.");
        _trainingDuration = _meter.CreateHistogram<double>("detector_training_duration", "s", "Wall time of a training run.");
        _score = _meter.CreateHistogram<float>(ScoreInstrument, "", "Anomaly score of each judged record (compare with detector_threshold).");
        // Every reason and outcome starts at 0, so rate() and the dead-letter alert see a series before the first one happens.
        foreach (var reason in Enum.GetValues<DeadLetterReason>())
        {
            _deadLettered.Add(0, new KeyValuePair<string, object?>("reason", reason.ToString()));
        }
        foreach (var outcome in TrainingOutcomes)
        {
            _trainingRuns.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }
        _meter.CreateObservableGauge("detector_threshold", () => new Measurement<double>(threshold(), streamTag), description: "Current global anomaly threshold.");
        _meter.CreateObservableGauge("detector_model_version", () => modelVersion(), description: "Version of the model in use.");
        _meter.CreateObservableGauge("detector_model_age", modelAgeSeconds, "s", "Time since the model in use was trained.");
        _meter.CreateObservableGauge("detector_training_loss", lastTrainingLoss, description: "Validation loss of the last trained model.");
        _meter.CreateObservableGauge("detector_mailbox_depth", () => mailboxDepths().Select(
            kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("actor", kv.Key))), "{message}", "Messages waiting, by actor kind.");
        _meter.CreateObservableGauge("detector_model_actor_info", () => _actorDevices.Select(a => new Measurement<int>(1,
            new KeyValuePair<string, object?>("actor", a.Actor), new KeyValuePair<string, object?>("device", a.Device))),
            description: "1 for each model actor, labelled with the device it is pinned to (cpu or cuda:N).");
    }

    /// <summary>Sets the device each model actor holds, for detector_model_actor_info.</summary>
    public void ReportActorDevices(IReadOnlyList<ActorDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        _actorDevices = devices;
    }

    /// <summary>Records read.</summary>
    public long Consumed => Interlocked.Read(ref _consumedTotal);

    /// <summary>Records scored.</summary>
    public long Scored => Interlocked.Read(ref _scoredTotal);

    /// <summary>Records dead-lettered.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLetteredTotal);

    /// <summary>Records dead-lettered, by reason.</summary>
    public DeadLetterCounters DeadLetteredByReason => _deadLetteredByReason;

    /// <summary>Records above threshold.</summary>
    public long Anomalies => Interlocked.Read(ref _anomaliesTotal);

    /// <summary>Alerts published.</summary>
    public long Alerts => Interlocked.Read(ref _alertsTotal);

    /// <summary>Counts records read.</summary>
    public void RecordsConsumed(int n)
    {
        Interlocked.Add(ref _consumedTotal, n);
        _consumed.Add(n);
    }

    /// <summary>Counts a dead letter by reason.</summary>
    public void DeadLetter(DeadLetterReason reason)
    {
        _deadLetteredByReason.Increment(reason);
        Interlocked.Increment(ref _deadLetteredTotal);
        _deadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
    }

    /// <summary>Counts a scored batch and its scoring time.</summary>
    public void BatchScored(int rows, TimeSpan elapsed)
    {
        Interlocked.Add(ref _scoredTotal, rows);
        _scored.Add(rows);
        _batchSize.Record(rows);
        _scoringLatency.Record(elapsed.TotalSeconds);
    }

    /// <summary>Counts anomalies and alerts of a batch.</summary>
    public void Judged(int anomalies, int alerts)
    {
        Interlocked.Add(ref _anomaliesTotal, anomalies);
        Interlocked.Add(ref _alertsTotal, alerts);
        _anomalies.Add(anomalies);
        _alerts.Add(alerts);
    }

    /// <summary>Records the scores of a judged batch.</summary>
    public void Scores(ReadOnlySpan<float> scores)
    {
        foreach (var score in scores)
        {
            _score.Record(score);
        }
    }

    /// <summary>Records one record's source-to-decision latency.</summary>
    public void EndToEnd(TimeSpan latency) => _endToEnd.Record(latency.TotalSeconds);

    /// <summary>Counts a training run and its duration; outcome is published, rejected or failed.</summary>
    public void TrainingRun(string outcome, TimeSpan duration)
    {
        _trainingRuns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _trainingDuration.Record(duration.TotalSeconds);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
