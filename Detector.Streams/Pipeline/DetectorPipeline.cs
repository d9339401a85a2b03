using Akka.Actor;
using Akka.Streams;
using Detector.Models.Devices;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using Detector.Streams.Telemetry;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Pipeline;

/// <summary>
/// One node's pipeline on Akka.NET: an Akka.Streams graph (source → ordered parallel decode → micro-batches → model
/// actors → thresholds → alert sink → offset acknowledgement) with the model actors (one pinned thread each, under
/// backoff supervision) and the trainer as actors beside it. <see cref="RunAsync(Sources.IRecordSource, CancellationToken)"/>
/// runs a source through it and returns once every record read has been scored and acknowledged (or dead-lettered).
/// A failure that cannot be handled (a stage throwing, the trainer failing, a model actor whose restarts ran out)
/// stops the run with that exception rather than losing records silently.
/// </summary>
public sealed partial class DetectorPipeline : IAsyncDisposable
{
    private static int s_instances;

    private readonly ActorSystem _system;

    /// <summary>Whether the pipeline created <see cref="_system"/> (and so terminates it).</summary>
    private readonly bool _ownsSystem;
    private readonly ActorMaterializer _materializer;
    private readonly IActorRef _supervisor;
    private readonly ModelActorPool _models;
    private readonly ThresholdStage _thresholds;
    private readonly RetrainRequests _retrain;
    private readonly TrainerStatus _trainerStatus = new();
    private readonly PipelineContext _context;
    private readonly ThresholdTracker _tracker;
    private readonly IRecordDecoder _decoder;
    private readonly ITimer? _retrainTimer;

    /// <summary>Set once by the first failure that cannot be handled.</summary>
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancelled by that failure: ends every run.</summary>
    private readonly CancellationTokenSource _failure = new();

    /// <summary>Cancelled by a stop that ran out of time: sink writes being retried give up.</summary>
    private readonly CancellationTokenSource _stopped = new();

    /// <summary>Each model actor's kernels, by actor index; GPU ones are disposed with the pipeline.</summary>
    private readonly IKernels<float>[] _actorKernels;

    /// <summary>The CPU kernels (given or shared): never disposed here.</summary>
    private readonly IKernels<float> _cpuKernels;
    private readonly StageTiming[] _timings = [new("decode"), new("model"), new("threshold"), new("alert-sink")];

    /// <summary>The kill switch of the run in progress (null between runs): a stop drains through it.</summary>
    private UniqueKillSwitch? _running;

    /// <summary>The stream of the latest run: a stop waits for it to drain before stopping the actors it asks.</summary>
    private Task? _runDone;

    /// <summary>Alert publishes started and not yet confirmed.</summary>
    private int _publishing;
    private long _peakPublishing;
    private Task? _stopping;
    private readonly Lock _stopLock = new();

    /// <summary>
    /// Builds the actors. The registry may already hold a model; otherwise the first is trained on warm-up rows.
    /// <paramref name="kernels"/> (default <see cref="CpuKernels.Instance"/>) serve the trainer and every model actor
    /// placed on the CPU; actors placed on a GPU by <see cref="PipelineOptions.Devices"/> get their own kernels from
    /// <paramref name="devices"/> (default: the CUDA probe and backend). The actors live under
    /// <paramref name="system"/> when it is given (its configuration gets <see cref="PipelineAkkaConfig.Config"/> as a
    /// fallback if it lacks the dispatchers; the pipeline never terminates it), else in a system of the pipeline's own.
    /// </summary>
    public DetectorPipeline(PipelineOptions options, IRecordDecoder decoder, FeatureSchema schema, IAlertSink alerts,
        IDeadLetterSink deadLetters, ModelRegistry? registry = null, TimeProvider? time = null, ILogger? logger = null,
        Action<RecordBatch>? batchJudged = null, IKernels<float>? kernels = null, ModelDistribution? distribution = null,
        DeviceBackends? devices = null, ActorSystem? system = null)
    {
        options.Validate();
        _decoder = decoder;
        if (decoder.FeatureCount != schema.Count)
        {
            throw new ArgumentException($"the decoder yields {decoder.FeatureCount} features but the schema has {schema.Count}");
        }
        time ??= TimeProvider.System;
        logger ??= NullLogger.Instance;
        Registry = registry ?? new ModelRegistry();
        if (Registry.Current is { } model)
        {
            schema.EnsureSame(model.Schema);
        }
        Offsets = new OffsetTracker();
        _tracker = new ThresholdTracker(options.Thresholds, logger);
        var reservoir = new TrainingReservoir(schema.Count, options.Retraining.ReservoirCapacity, options.Retraining.RecentCapacity, options.Retraining.Training.Seed);
        Metrics = new PipelineMetrics(() => _tracker.Snapshot.GlobalThreshold, () => Registry.Version,
            () => Registry.Current is { } m ? (time.GetUtcNow() - m.Metadata.TrainedAt).TotalSeconds : double.NaN,
            () => MailboxDepths, () => _trainerStatus.LastLoss);
        _cpuKernels = kernels ?? CpuKernels.Instance;
        devices ??= DeviceBackends.Default;
        (var trainerKernels, TrainerDevice) = ActorPlacement.ForTrainer(options, _cpuKernels, devices, logger);
        _context = new PipelineContext(options, schema, alerts, deadLetters, Offsets, Registry, reservoir,
            new RecordBatchPool(options.BatchMaxRows, schema.Count), Metrics, trainerKernels, time, logger)
        {
            BatchJudged = batchJudged,
            Distribution = distribution ?? ModelDistribution.Local,
            Writes = new PendingWrites(options.MaxPendingWrites, time, logger),
            Stopped = _stopped.Token,
            BeforeScoring = BeforeScoring,
            ScoringTiming = _timings[1],
        };
        (_actorKernels, ActorDevices) = ActorPlacement.Place(options, _cpuKernels, devices, logger);
        Metrics.ReportActorDevices(ActorDevices);

        _ownsSystem = system is null;
        _system = system ?? ActorSystem.Create("detector", OwnSystemConfig);
        PipelineAkkaConfig.EnsureIn(_system);
        var name = $"detector-pipeline-{Interlocked.Increment(ref s_instances)}";
        _materializer = _system.Materializer(ActorMaterializerSettings.Create(_system).WithInputBuffer(1, 1), namePrefix: name);
        _retrain = new RetrainRequests(message => _supervisor.Tell(new PipelineSupervisorActor.ToTrainer(message)));
        _thresholds = new ThresholdStage(_context, _tracker, _retrain);
        var ctx = _context;
        var modelProps = _actorKernels.Select(k => ModelActor.Props(ctx, k, new RestartBackoff(options.ModelRestartBackoff, options.ModelRestartMaxBackoff))).ToArray();
        _supervisor = _system.ActorOf(PipelineSupervisorActor.Props(TrainerActor.Props(ctx, _thresholds, _retrain, _trainerStatus), modelProps,
            options.ModelMaxRestarts, Fail, () => _models?.LastFailure), name);
        _models = new ModelActorPool(_supervisor, modelProps.Length, options.ModelRestartBackoff, logger);
        if (options.Retraining.Interval is { } interval)
        {
            _retrainTimer = time.CreateTimer(_ => _retrain.TryRequest(), null, interval, interval);
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

    /// <summary>The stages' work: items handled and the time spent on them.</summary>
    public IReadOnlyCollection<StageTiming> Actors => _timings;

    /// <summary>
    /// Work waiting or under way, by stage: batches asked of the model actors, alert publishes awaiting confirmation,
    /// retrains waiting for the trainer (the stream's equivalent of mailbox depths).
    /// </summary>
    public IReadOnlyDictionary<string, long> MailboxDepths => new Dictionary<string, long>
    {
        ["model"] = _models?.Outstanding ?? 0,
        ["alert-sink"] = Volatile.Read(ref _publishing),
        ["trainer"] = _retrain?.Waiting ?? 0,
    };

    /// <summary>Model actor failures answered so far (each batch was then scored again).</summary>
    public int ModelFailures => _models.Failures;

    /// <summary>The most batches asked of the model actors at once so far.</summary>
    internal long PeakBatchesScoring => _models.PeakOutstanding;

    /// <summary>The most alert publishes awaiting confirmation at once so far.</summary>
    internal long PeakPublishing => Interlocked.Read(ref _peakPublishing);

    /// <summary>Called with each batch by a model actor before scoring it (fault injection in tests).</summary>
    internal Action<RecordBatch>? FaultInjection { get; set; }

    /// <summary>The actor system the pipeline's actors live in.</summary>
    internal ActorSystem System => _system;

    /// <summary>The parent of the pipeline's actors.</summary>
    internal IActorRef Supervisor => _supervisor;

    /// <summary>Logging for a system the pipeline owns: warnings and worse, no dead-letter chatter on stdout.</summary>
    private static Akka.Configuration.Config OwnSystemConfig { get; } = Akka.Configuration.ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        """).WithFallback(PipelineAkkaConfig.Config);

    private void BeforeScoring(RecordBatch batch) => FaultInjection?.Invoke(batch);

    /// <summary>
    /// Installs a model published by the cluster's trainer: if it is newer than the current one and has this node's
    /// schema, thresholds are recalibrated with its scores of recent rows, then every model actor switches to it at
    /// its next batch.
    /// </summary>
    public Task<ModelInstalled> AcceptClusterModelAsync(ModelSnapshot model, CancellationToken cancellationToken = default) =>
        AskTrainerAsync<ModelInstalled>(new InstallModel(model, AsNewVersion: false), TimeSpan.FromHours(1), cancellationToken);

    /// <summary>Retrains now (whatever the row count), waiting for the outcome.</summary>
    public Task<RetrainFinished> RetrainAsync(CancellationToken cancellationToken = default) =>
        AskTrainerAsync<RetrainFinished>(new Retrain(true), TimeSpan.FromHours(1), cancellationToken);

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
        return AskTrainerAsync<ModelInstalled>(new InstallModel(model, AsNewVersion: true), TimeSpan.FromMinutes(10), cancellationToken);
    }

    private Task<T> AskTrainerAsync<T>(object message, TimeSpan timeout, CancellationToken cancellationToken) =>
        _supervisor.Ask<T>(new PipelineSupervisorActor.ToTrainer(message), timeout, cancellationToken);

    /// <summary>
    /// Stops the pipeline: a run in progress stops reading and drains what it holds; then the actors stop (a training
    /// run finishes first) and, if the pipeline owns it, the actor system. When <paramref name="cancellationToken"/>
    /// fires (a node whose drain ran out of time), the stages give up on work in flight instead: a sink write being
    /// retried ends, and its records stay unacknowledged (a Kafka source redelivers them).
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stopLock)
        {
            return _stopping ??= StopOnceAsync(cancellationToken);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        _retrainTimer?.Dispose();
        await using var giveUp = cancellationToken.Register(() => _stopped.Cancel());
        Volatile.Read(ref _running)?.Shutdown();
        try
        {
            if (Volatile.Read(ref _runDone) is { } run)
            {
                // Its outcome is the run's to report; here it only has to be over.
                await run.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            await _context.Writes.WhenIdleAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the records still in the stream or being dead-lettered stay unacknowledged.
        }
        try
        {
            await _supervisor.GracefulStop(TimeSpan.FromMinutes(1)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TaskCanceledException or AskTimeoutException)
        {
            _context.Logger.LogWarning("the pipeline's actors did not stop in time: {Reason}", e.Message);
        }
        _materializer.Shutdown();
        if (_ownsSystem)
        {
            await _system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the run with <paramref name="failure"/> (the first one wins); ignored once the pipeline is stopping.</summary>
    private void Fail(Exception failure)
    {
        if (Volatile.Read(ref _stopping) is not null)
        {
            return;
        }
        if (_failed.TrySetException(failure))
        {
            _context.Logger.LogError(failure, "the pipeline's run stops: {Reason}", failure.Message);
        }
        Volatile.Read(ref _running)?.Abort(failure);
        _failure.Cancel();
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
        _stopped.Dispose();
    }
}
