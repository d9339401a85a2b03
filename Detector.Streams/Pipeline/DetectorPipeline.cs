using Detector.Models.Devices;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.Actors;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Pipeline;

/// <summary>
/// One node's pipeline: source → decode/batch → route → model actors (one thread each) → threshold → alert sink →
/// offset tracker, with the trainer on the side. <see cref="RunAsync"/> pumps a source through it and returns once
/// every record read has been scored and acknowledged (or dead-lettered). Any unexpected stage failure stops the run
/// with that exception rather than losing records silently.
/// </summary>
public sealed class DetectorPipeline : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly PipelineContext _context;
    private readonly ThresholdTracker _tracker;
    private readonly ActorRef _batcher;
    private readonly ActorRef[] _models;
    private readonly ActorRef _thresholds;
    private readonly ActorRef _alertSink;
    private readonly ActorRef _trainer;
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancelled when a stage escalates a failure: stops the run.</summary>
    private readonly CancellationTokenSource _failure = new();
    private readonly ITimer? _retrainTimer;
    private readonly IRecordDecoder _decoder;

    /// <summary>Each model actor's kernels, by actor index; GPU ones are disposed with the pipeline.</summary>
    private readonly IKernels<float>[] _actorKernels;

    /// <summary>The CPU kernels (given or shared): never disposed here.</summary>
    private readonly IKernels<float> _cpuKernels;

    /// <summary>
    /// Builds the actors. The registry may already hold a model; otherwise the first is trained on warm-up rows.
    /// <paramref name="kernels"/> (default <see cref="CpuKernels.Instance"/>) serve the trainer and every model actor
    /// placed on the CPU; actors placed on a GPU by <see cref="PipelineOptions.Devices"/> get their own kernels from
    /// <paramref name="devices"/> (default: the CUDA probe and backend).
    /// </summary>
    public DetectorPipeline(PipelineOptions options, IRecordDecoder decoder, FeatureSchema schema, IAlertSink alerts,
        IDeadLetterSink deadLetters, ModelRegistry? registry = null, TimeProvider? time = null, ILogger? logger = null,
        Action<RecordBatch>? batchJudged = null, IKernels<float>? kernels = null, ModelDistribution? distribution = null,
        DeviceBackends? devices = null)
    {
        options.Validate();
        _decoder = decoder;
        if (decoder.FeatureCount != schema.Count)
        {
            throw new ArgumentException($"the decoder yields {decoder.FeatureCount} features but the schema has {schema.Count}");
        }
        time ??= TimeProvider.System;
        Registry = registry ?? new ModelRegistry();
        if (Registry.Current is { } model)
        {
            schema.EnsureSame(model.Schema);
        }
        Offsets = new OffsetTracker();
        _tracker = new ThresholdTracker(options.Thresholds, logger);
        var reservoir = new TrainingReservoir(schema.Count, options.Retraining.ReservoirCapacity, options.Retraining.RecentCapacity, options.Retraining.Training.Seed);
        _system = new ActorSystem(time);
        _system.Escalated += (_, e) =>
        {
            _failed.TrySetException(e.Exception);
            _failure.Cancel();
        };
        TrainerActor? trainerActor = null;
        Metrics = new PipelineMetrics(() => _tracker.Snapshot.GlobalThreshold, () => Registry.Version,
            () => Registry.Current is { } m ? (time.GetUtcNow() - m.Metadata.TrainedAt).TotalSeconds : double.NaN,
            _system.GetMailboxDepthsByKind, () => trainerActor?.LastLoss ?? double.NaN);
        var cpu = kernels ?? CpuKernels.Instance;
        devices ??= DeviceBackends.Default;
        (var trainerKernels, TrainerDevice) = ActorPlacement.ForTrainer(options, cpu, devices, logger ?? NullLogger.Instance);
        _context = new PipelineContext(options, schema, alerts, deadLetters, Offsets, Registry, reservoir,
            new RecordBatchPool(options.BatchMaxRows, schema.Count), Metrics, trainerKernels, time,
            logger ?? NullLogger.Instance)
        {
            BatchJudged = batchJudged,
            Distribution = distribution ?? ModelDistribution.Local,
            Writes = new PendingWrites(options.MaxPendingWrites, time, logger ?? NullLogger.Instance),
        };
        var ctx = _context;
        var escalate = EscalateStrategy.Instance;
        _alertSink = _system.Spawn(Props.FromProducer(() => new AlertSinkActor(ctx)).WithName("alert-sink").WithKind("alert-sink")
            .WithMailboxCapacity(options.StageMailboxCapacity).WithSupervisorStrategy(escalate));
        ActorRef? thresholds = null;
        var trainer = trainerActor = new TrainerActor(ctx, () => thresholds!);
        // Supervision escalates rather than restarts, so the one instance is the actor's whole life.
        _trainer = _system.Spawn(Props.FromProducer(() => trainer).WithName("trainer").WithKind("trainer")
            .WithMailboxCapacity(4).WithDedicatedThread().WithSupervisorStrategy(escalate));
        _thresholds = thresholds = _system.Spawn(Props.FromProducer(() => new ThresholdActor(ctx, _tracker, _alertSink, _trainer))
            .WithName("threshold").WithKind("threshold").WithMailboxCapacity(options.StageMailboxCapacity).WithSupervisorStrategy(escalate));
        _cpuKernels = cpu;
        (_actorKernels, ActorDevices) = ActorPlacement.Place(options, cpu, devices, ctx.Logger);
        Metrics.ReportActorDevices(ActorDevices);
        _models = Enumerable.Range(0, options.EffectiveModelActors).Select(k => _system.Spawn(
            Props.FromProducer(() => new ModelActor(ctx, _actorKernels[k], _thresholds)).WithName($"model-{k}").WithKind("model")
                .WithMailboxCapacity(options.ModelMailboxCapacity).WithDedicatedThread().WithSupervisorStrategy(escalate))).ToArray();
        _batcher = _system.Spawn(Props.FromProducer(() => new BatcherActor(ctx, new BatchRouter(_models), _trainer))
            .WithName("batcher").WithKind("batcher").WithMailboxCapacity(options.IngestMailboxCapacity).WithSupervisorStrategy(escalate));
        if (options.Retraining.Interval is { } interval)
        {
            _retrainTimer = time.CreateTimer(_ => _trainer.TryTell(Retrain.WhenDue), null, interval, interval);
        }
    }

    /// <summary>The node's models.</summary>
    public ModelRegistry Registry { get; }

    /// <summary>What has been acknowledged.</summary>
    public OffsetTracker Offsets { get; }

    /// <summary>Counters and instruments.</summary>
    public PipelineMetrics Metrics { get; }

    /// <summary>Where the trainer runs: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string TrainerDevice { get; }

    /// <summary>The device each model actor holds, by actor index.</summary>
    public IReadOnlyList<ActorDevice> ActorDevices { get; }

    /// <summary>The current thresholds (safe to read from any thread).</summary>
    public ThresholdSnapshot Thresholds => _tracker.Snapshot;

    /// <summary>The stage actors, with their processed counts and busy time.</summary>
    public IReadOnlyCollection<ActorRef> Actors => _system.Actors;

    /// <summary>Mailbox depth per actor kind.</summary>
    public IReadOnlyDictionary<string, long> MailboxDepths => _system.GetMailboxDepthsByKind();

    /// <summary>Pumps the source through the pipeline; completes when every record read is acknowledged.</summary>
    public Task RunAsync(IRecordSource source, CancellationToken cancellationToken = default) =>
        PumpAsync(source.Acknowledge, token => ParallelDecoder.PumpAsync(source.ReadAsync(token), _decoder, Environment.ProcessorCount, (chunk, t) =>
        {
            Metrics.RecordsConsumed(chunk.Records.Count);
            return _batcher.TellAsync(new IngestRecords(chunk), t);
        }, token), cancellationToken);

    /// <summary>Pumps an in-process source of ready batches through the pipeline; completes when all are acknowledged.</summary>
    public Task RunAsync(IBatchSource source, CancellationToken cancellationToken = default) =>
        PumpAsync(source.Acknowledge, async token =>
        {
            await foreach (var batch in source.ReadAsync(_context.Pool, token).ConfigureAwait(false))
            {
                Offsets.Register(batch.Positions.AsSpan(0, batch.Count));
                Metrics.RecordsConsumed(batch.Count);
                await _batcher.TellAsync(new IngestBatch(batch), token).ConfigureAwait(false);
            }
        }, cancellationToken);

    /// <summary>Runs pump, drains the batcher, waits for every record's acknowledgement; surfaces stage failures.</summary>
    private async Task PumpAsync(Action<SourcePosition> acknowledge, Func<CancellationToken, Task> pump, CancellationToken cancellationToken)
    {
        Offsets.Acknowledged += acknowledge;
        try
        {
            using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failure.Token);
            try
            {
                await pump(failure.Token).ConfigureAwait(false);
                await _batcher.AskAsync<Drained>(Drain.Instance, TimeSpan.FromHours(1), failure.Token).ConfigureAwait(false);
                await Offsets.WhenIdleAsync().WaitAsync(failure.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_failed.Task.IsFaulted)
            {
                await _failed.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            Offsets.Acknowledged -= acknowledge;
        }
    }

    /// <summary>
    /// Installs a model published by the cluster's trainer: if it is newer than the current one and has this node's
    /// schema, thresholds are recalibrated with its scores of recent rows, then every model actor switches to it at
    /// its next batch.
    /// </summary>
    public Task<ModelInstalled> AcceptClusterModelAsync(ModelSnapshot model, CancellationToken cancellationToken = default) =>
        _trainer.AskAsync<ModelInstalled>(new InstallModel(model, AsNewVersion: false), TimeSpan.FromHours(1), cancellationToken);

    /// <summary>Retrains now (whatever the row count), waiting for the outcome.</summary>
    public Task<RetrainFinished> RetrainAsync(CancellationToken cancellationToken = default) =>
        _trainer.AskAsync<RetrainFinished>(new Retrain(true), TimeSpan.FromHours(1), cancellationToken);

    /// <summary>
    /// Puts <paramref name="model"/> live under the next version, recalibrating the thresholds on its scores of recent
    /// rows first (as a retrain does). Its schema must be the pipeline's; refused before the first model exists, since
    /// the batches held for warm-up training wait for that one.
    /// </summary>
    public Task<ModelInstalled> InstallModelAsync(ModelSnapshot model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        _context.Schema.EnsureSame(model.Schema);
        if (Registry.Current is null)
        {
            throw new InvalidOperationException("no model is live yet: the first one is still being trained on warm-up rows");
        }
        return _trainer.AskAsync<ModelInstalled>(new InstallModel(model, AsNewVersion: true), TimeSpan.FromMinutes(10), cancellationToken);
    }

    /// <summary>
    /// Stops every stage after draining what it holds, upstream first. When <paramref name="cancellationToken"/> fires
    /// (a node whose drain ran out of time), the stages give up on work in flight instead: a sink write being retried
    /// ends, and its records stay unacknowledged (a Kafka source redelivers them).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _retrainTimer?.Dispose();
        await _batcher.StopAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_models.Select(m => m.StopAsync(cancellationToken))).ConfigureAwait(false);
        await _thresholds.StopAsync(cancellationToken).ConfigureAwait(false);
        await _alertSink.StopAsync(cancellationToken).ConfigureAwait(false);
        await _trainer.StopAsync(cancellationToken).ConfigureAwait(false);
        await _system.StopAllAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var gpu in _actorKernels.Append(_context.Kernels).Where(k => !ReferenceEquals(k, _cpuKernels)).OfType<IDisposable>())
        {
            gpu.Dispose();
        }
        _context.Writes.Dispose();
        _failure.Dispose();
    }
}
