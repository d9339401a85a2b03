using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;
using Detector.Streams.Telemetry;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Pipeline;

/// <summary>What every stage of one pipeline shares: options, schema, sinks, offsets, models, pool, metrics, clock.</summary>
internal sealed record PipelineContext(
    PipelineOptions Options,
    FeatureSchema Schema,
    IAlertSink Alerts,
    IDeadLetterSink DeadLetters,
    OffsetTracker Offsets,
    ModelRegistry Registry,
    TrainingReservoir Reservoir,
    RecordBatchPool Pool,
    PipelineMetrics Metrics,
    IKernels<float> Kernels,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>Called by the threshold stage with every judged batch (evaluation, demo); must not keep the batch.</summary>
    public Action<RecordBatch>? BatchJudged { get; init; }

    /// <summary>Who trains and where trained models go.</summary>
    public ModelDistribution Distribution { get; init; } = ModelDistribution.Local;

    /// <summary>Fires when the pipeline is stopped without a drain: sink writes being retried give up.</summary>
    public CancellationToken Stopped { get; init; }

    /// <summary>The model actors' scoring work (items and busy time), for the benchmark's per-stage breakdown.</summary>
    public StageTiming? ScoringTiming { get; init; }

    /// <summary>Called by a model actor with each batch before scoring it (fault injection in tests).</summary>
    public Action<RecordBatch>? BeforeScoring { get; init; }

    /// <summary>Outstanding sink writes (alerts, dead letters) awaiting confirmation.</summary>
    public required PendingWrites Writes { get; init; }

    /// <summary>Keeps a dead letter and, once the sink confirms it, counts it and acknowledges its record.</summary>
    public ValueTask DeadLetterAsync(DeadLetter letter, CancellationToken cancellationToken) =>
        Writes.StartAsync(token => DeadLetters.WriteAsync(letter, token), () =>
        {
            Metrics.DeadLetter(letter.Reason);
            Offsets.Complete([letter.Position]);
        }, $"dead-lettering {letter.Position}", cancellationToken);
}
