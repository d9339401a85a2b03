using Akka.Actor;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The parent of one pipeline's actors: the trainer and the model actors. It forwards the stream's and the pipeline's
/// messages to them (the sender stays the asker). Its strategy restarts a model actor that failed
/// (<see cref="ModelActorFailedException"/>; the actor keeps its mailbox and waits out a backoff before scoring
/// again), at most <c>maxRestarts</c> times a minute; past that the actor is stopped. The trainer failing, or a model
/// actor stopped, cannot be handled here: <c>fail</c> is told the reason, which stops the run.
/// </summary>
internal sealed class PipelineSupervisorActor : ReceiveActor
{
    private readonly Props _trainer;
    private readonly IReadOnlyList<Props> _models;
    private readonly Action<Exception> _fail;
    private readonly Func<Exception?> _lastModelFailure;
    private readonly int _maxRestarts;
    private IActorRef[] _modelRefs = [];
    private IActorRef _trainerRef = ActorRefs.Nobody;

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public PipelineSupervisorActor(Props trainer, IReadOnlyList<Props> models, Action<Exception> fail, Func<Exception?> lastModelFailure, int maxRestarts)
    {
        _maxRestarts = maxRestarts;
        _lastModelFailure = lastModelFailure;
        _trainer = trainer;
        _models = models;
        _fail = fail;
        Receive<ToModel>(m => _modelRefs[m.Index].Forward(m.Message));
        Receive<ToTrainer>(m => _trainerRef.Forward(m.Message));
        Receive<Terminated>(t => _fail(_lastModelFailure() is { } last
            ? new InvalidOperationException($"{t.ActorRef.Path.Name} stopped: more than {_maxRestarts} restarts in a minute; last failure: {last.Message}", last)
            : new InvalidOperationException($"{t.ActorRef.Path.Name} stopped")));
    }

    /// <summary>Props of a pipeline's supervisor: model actor k runs as <c>model-k</c>, the trainer as <c>trainer</c>.</summary>
    public static Props Props(Props trainer, IReadOnlyList<Props> models, int maxRestarts, Action<Exception> fail, Func<Exception?> lastModelFailure) =>
        Akka.Actor.Props.Create(() => new PipelineSupervisorActor(trainer, models, fail, lastModelFailure, maxRestarts));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _trainerRef = Context.ActorOf(_trainer, "trainer");
        _modelRefs = _models.Select((props, k) => Context.Watch(Context.ActorOf(props, $"model-{k}"))).ToArray();
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_maxRestarts, TimeSpan.FromMinutes(1), e =>
    {
        if (e is ModelActorFailedException)
        {
            return Directive.Restart;
        }
        _fail(e);
        return Directive.Stop;
    });

    /// <summary>Forward to model actor <c>Index</c>.</summary>
    public sealed record ToModel(int Index, object Message);

    /// <summary>Forward to the trainer.</summary>
    public sealed record ToTrainer(object Message);
}
