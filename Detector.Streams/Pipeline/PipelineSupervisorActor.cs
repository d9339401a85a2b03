using Akka.Actor;
using Akka.Pattern;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The parent of one pipeline's actors: the trainer and, each behind a <see cref="BackoffSupervisor"/>, the model
/// actors. It forwards the stream's and the pipeline's messages to them (the sender stays the asker). A model actor
/// that fails is restarted by its backoff supervisor; the trainer failing, or a model actor whose restarts ran out,
/// cannot be handled here: <c>fail</c> is told the reason, which stops the run.
/// </summary>
internal sealed class PipelineSupervisorActor : ReceiveActor
{
    private readonly Props _trainer;
    private readonly IReadOnlyList<Props> _models;
    private readonly Action<Exception> _fail;
    private readonly Func<Exception?> _lastModelFailure;
    private IActorRef[] _modelRefs = [];
    private IActorRef _trainerRef = ActorRefs.Nobody;

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public PipelineSupervisorActor(Props trainer, IReadOnlyList<Props> models, Action<Exception> fail, Func<Exception?> lastModelFailure)
    {
        _lastModelFailure = lastModelFailure;
        _trainer = trainer;
        _models = models;
        _fail = fail;
        Receive<ToModel>(m => _modelRefs[m.Index].Forward(m.Message));
        Receive<ToTrainer>(m => _trainerRef.Forward(m.Message));
        Receive<Terminated>(t => _fail(_lastModelFailure() is { } last
            ? new InvalidOperationException($"{t.ActorRef.Path.Name} stopped: its restarts ran out; last failure: {last.Message}", last)
            : new InvalidOperationException($"{t.ActorRef.Path.Name} stopped: its restarts ran out")));
    }

    /// <summary>
    /// Props of a pipeline's supervisor: model actor k runs as <c>model-k</c> under a backoff supervisor that restarts
    /// it after <paramref name="minBackoff"/> doubling up to <paramref name="maxBackoff"/>, at most
    /// <paramref name="maxRestarts"/> times in a row, and answers <see cref="ModelActor.Restarting"/> while it is down.
    /// </summary>
    public static Props Props(Props trainer, IReadOnlyList<Props> models, TimeSpan minBackoff, TimeSpan maxBackoff, int maxRestarts, Action<Exception> fail, Func<Exception?> lastModelFailure)
    {
        var supervised = models.Select((model, k) => BackoffSupervisor.Props(
            Backoff.OnFailure(model, $"model-{k}", minBackoff, maxBackoff, 0.2, maxRestarts)
                .WithReplyWhileStopped(ModelActor.Restarting.Instance)
                .WithAutoReset(maxBackoff))).ToArray();
        return Akka.Actor.Props.Create(() => new PipelineSupervisorActor(trainer, supervised, fail, lastModelFailure));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _trainerRef = Context.ActorOf(_trainer, "trainer");
        _modelRefs = _models.Select((props, k) => Context.Watch(Context.ActorOf(props, $"model-{k}-supervisor"))).ToArray();
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _fail(e);
        return Directive.Stop;
    });

    /// <summary>Forward to model actor <c>Index</c>.</summary>
    public sealed record ToModel(int Index, object Message);

    /// <summary>Forward to the trainer.</summary>
    public sealed record ToTrainer(object Message);
}
