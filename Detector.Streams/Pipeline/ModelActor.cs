using System.Diagnostics;
using Akka.Actor;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Scores batches with its own scorer (scratch buffers) over the registry's current model, on the pinned dispatcher
/// (a thread of its own) with the kernels of the device it is placed on (the CPU's, or one CUDA stream's). The model is
/// looked up once per batch, so a hot-swap takes effect between batches and every batch carries the one version that
/// scored all of its rows. A row the model rejects (its score overflows) is dead-lettered and the rest rescored. Any
/// other failure is answered to the asker and thrown as <see cref="ModelActorFailedException"/>: its parent's strategy
/// restarts it, keeping its mailbox, and the new incarnation first waits out a backoff (<see cref="RestartBackoff"/>),
/// answering <see cref="Restarting"/> meanwhile (the stream asks again later).
/// </summary>
internal sealed class ModelActor : ReceiveActor, IWithTimers
{
    private readonly PipelineContext _ctx;
    private readonly IKernels<float> _kernels;
    private readonly RestartBackoff _backoff;
    private ModelSnapshot? _model;
    private Scorer? _scorer;

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public ModelActor(PipelineContext ctx, IKernels<float> kernels, RestartBackoff backoff)
    {
        _ctx = ctx;
        _kernels = kernels;
        _backoff = backoff;
        Scoring();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props on the pinned model dispatcher; every incarnation shares <paramref name="backoff"/>.</summary>
    public static Props Props(PipelineContext ctx, IKernels<float> kernels, RestartBackoff backoff) =>
        Akka.Actor.Props.Create(() => new ModelActor(ctx, kernels, backoff)).WithDispatcher(PipelineAkkaConfig.ModelDispatcher);

    /// <inheritdoc />
    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        Become(BackingOff);
        Timers.StartSingleTimer("backoff", BackoffOver.Instance, _backoff.Delay());
    }

    private void Scoring()
    {
        ReceiveAsync<ScoreBatch>(ScoreAsync);
        Receive<WhereAreYou>(_ => Sender.Tell(new RunningOn(Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread, Context.Props.Dispatcher)));
    }

    private void BackingOff()
    {
        Receive<ScoreBatch>(_ => Sender.Tell(Restarting.Instance));
        Receive<WhereAreYou>(_ => Sender.Tell(Restarting.Instance));
        Receive<BackoffOver>(_ => Become(Scoring));
    }

    private async Task ScoreAsync(ScoreBatch message)
    {
        var (sender, name) = (Sender, Self.Path.Name);
        try
        {
            var batch = message.Batch;
            _ctx.BeforeScoring?.Invoke(batch);
            var model = _ctx.Registry.Current ?? throw new InvalidOperationException("a batch was routed before the first model was published");
            if (!ReferenceEquals(model, _model))
            {
                _model = model;
                // The configured engine computes (Native, or Torch when Detector.Models.Torch registered it); whichever
                // engine trained the model, the weights are the same.
                _scorer = model.OnEngine(_ctx.Options.Retraining.Model.Engine).CreateScorer(_kernels, _ctx.Pool.BatchCapacity);
            }
            var start = Stopwatch.GetTimestamp();
            while (batch.Count > 0)
            {
                try
                {
                    _scorer!.Score(batch.Rows, batch.Count, batch.Scores, batch.Contributions.AsSpan(0, batch.Count * batch.FeatureCount));
                    break;
                }
                catch (InvalidBatchException e) when (e.Row >= 0 && e.Row < batch.Count)
                {
                    var letter = new DeadLetter(batch.Payloads[e.Row], batch.Positions[e.Row], DeadLetterReason.ScoringFailed, e.Message);
                    batch.RemoveAt(e.Row);
                    await _ctx.DeadLetterAsync(letter, _ctx.Stopped); // resumes in the actor's context
                }
            }
            batch.ModelVersion = model.Version;
            var elapsed = Stopwatch.GetElapsedTime(start);
            _ctx.Metrics.BatchScored(batch.Count, elapsed);
            _ctx.ScoringTiming?.Add(elapsed);
            _backoff.Succeeded();
            sender.Tell(new BatchScored(batch));
        }
        catch (Exception e)
        {
            _backoff.Failed();
            sender.Tell(new Status.Failure(e));
            throw new ModelActorFailedException($"{name} failed to score a batch: {e.Message}", e);
        }
    }

    /// <summary>Score this batch with the current model; the reply is <see cref="BatchScored"/>.</summary>
    public sealed record ScoreBatch(RecordBatch Batch);

    /// <summary>The batch, scored, carrying the model version that scored all its rows.</summary>
    public sealed record BatchScored(RecordBatch Batch);

    /// <summary>Sent instead of a reply while the actor is down, waiting out its restart backoff.</summary>
    public sealed record Restarting
    {
        /// <summary>The one instance.</summary>
        public static readonly Restarting Instance = new();
    }

    /// <summary>The restart backoff is over: score again.</summary>
    private sealed record BackoffOver
    {
        public static readonly BackoffOver Instance = new();
    }

    /// <summary>Asks which thread the actor runs on (placement checks).</summary>
    public sealed record WhereAreYou
    {
        /// <summary>The one instance.</summary>
        public static readonly WhereAreYou Instance = new();
    }

    /// <summary>The thread the actor ran <see cref="WhereAreYou"/> on, and its dispatcher.</summary>
    public sealed record RunningOn(int ThreadId, bool IsThreadPoolThread, string Dispatcher);
}
