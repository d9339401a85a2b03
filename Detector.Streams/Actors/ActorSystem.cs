using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Detector.Streams.Actors;

/// <summary>
/// Spawns actors and keeps the registry the metrics read: live actors by name, mailbox depth by kind. Holds the clock
/// every actor uses and the optional observer every actor reports to.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    /// <summary>Live actors by name; an actor removes itself when it ends.</summary>
    private readonly ConcurrentDictionary<string, ActorRef> _actors = new(StringComparer.Ordinal);

    /// <summary>Guards <see cref="_stopped"/> against a spawn racing <see cref="StopAllAsync"/>; never held while calling out.</summary>
    private readonly Lock _gate = new();

    /// <summary>Set by <see cref="StopAllAsync"/>: no more spawns.</summary>
    private bool _stopped;

    /// <summary>Source of automatic names.</summary>
    private long _nextId;

    /// <summary>Creates a system on <paramref name="timeProvider"/> (the system clock by default).</summary>
    public ActorSystem(TimeProvider? timeProvider = null, IActorObserver? observer = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        Observer = observer;
    }

    /// <summary>
    /// Raised, on the failed actor's loop and outside any lock, when a failure escalates. Handlers must not block;
    /// exceptions they throw are swallowed.
    /// </summary>
    public event EventHandler<ActorEscalatedEventArgs>? Escalated;

    /// <summary>The clock for backoffs, ask timeouts and processing times.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Receives per-message measurements, or null.</summary>
    public IActorObserver? Observer { get; }

    /// <summary>A snapshot of the live actors.</summary>
    public IReadOnlyCollection<ActorRef> Actors => _actors.Values.ToArray();

    /// <summary>
    /// Creates an instance with <see cref="Props.Producer"/> (a throwing producer fails here) and starts its loop;
    /// the instance receives <see cref="Started"/> before any message. Throws <see cref="InvalidOperationException"/>
    /// when the name is taken or the system has been stopped.
    /// </summary>
    public ActorRef Spawn(Props props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var instance = props.Producer() ?? throw new InvalidOperationException("Props.Producer returned null.");
        var kind = props.Kind ?? instance.GetType().Name;
        var name = props.Name ?? $"{kind}-{Interlocked.Increment(ref _nextId)}";
        var actor = new ActorRef(this, props, name, kind);
        lock (_gate)
        {
            if (_stopped)
            {
                throw new InvalidOperationException($"The actor system is stopped; cannot spawn '{name}'.");
            }
            if (!_actors.TryAdd(name, actor))
            {
                throw new InvalidOperationException($"An actor named '{name}' already exists.");
            }
        }
        actor.Start(instance);
        return actor;
    }

    /// <summary>Finds a live actor by name.</summary>
    public bool TryGetActor(string name, [NotNullWhen(true)] out ActorRef? actor) => _actors.TryGetValue(name, out actor);

    /// <summary>Messages waiting in the mailboxes of all live actors of <paramref name="kind"/>.</summary>
    public long GetMailboxDepth(string kind)
    {
        long depth = 0;
        foreach (var actor in _actors.Values)
        {
            if (string.Equals(actor.Kind, kind, StringComparison.Ordinal))
            {
                depth += actor.MailboxDepth;
            }
        }
        return depth;
    }

    /// <summary>Messages waiting, summed per kind over the live actors.</summary>
    public IReadOnlyDictionary<string, long> GetMailboxDepthsByKind()
    {
        var depths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var actor in _actors.Values)
        {
            depths[actor.Kind] = depths.GetValueOrDefault(actor.Kind) + actor.MailboxDepth;
        }
        return depths;
    }

    /// <summary>
    /// Stops every live actor gracefully and concurrently (each drains its mailbox) and refuses new spawns. Actors
    /// that tell each other while draining should instead be stopped one by one, upstream first.
    /// </summary>
    public async Task StopAllAsync(CancellationToken cancellationToken = default)
    {
        ActorRef[] actors;
        lock (_gate)
        {
            _stopped = true;
            actors = [.. _actors.Values];
        }
        await Task.WhenAll(actors.Select(a => a.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Same as <see cref="StopAllAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAllAsync().ConfigureAwait(false);

    /// <summary>Removes an actor that has ended from the registry.</summary>
    internal void OnEnded(ActorRef actor) => _actors.TryRemove(KeyValuePair.Create(actor.Name, actor));

    /// <summary>Raises <see cref="Escalated"/>; never throws.</summary>
    internal void RaiseEscalated(ActorRef actor, Exception exception)
    {
        try
        {
            Escalated?.Invoke(this, new ActorEscalatedEventArgs(actor, exception));
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the actor from completing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
