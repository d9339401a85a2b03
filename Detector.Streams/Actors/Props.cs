namespace Detector.Streams.Actors;

/// <summary>
/// How to make and run an actor: an immutable recipe, shared freely; each <c>With*</c> method returns a copy.
/// </summary>
public sealed record Props
{
    /// <summary>The mailbox capacity unless <see cref="WithMailboxCapacity"/> says otherwise.</summary>
    public const int DefaultMailboxCapacity = 1024;

    private Props(Func<IActor> producer)
    {
        Producer = producer;
    }

    /// <summary>Makes a fresh actor instance: once at spawn and once per restart.</summary>
    public Func<IActor> Producer { get; private init; }

    /// <summary>The actor's unique name in its system; null lets the system name it "{Kind}-{n}".</summary>
    public string? Name { get; private init; }

    /// <summary>The metrics label shared by actors of one role; null means the actor type's name.</summary>
    public string? Kind { get; private init; }

    /// <summary>How many user messages the mailbox holds before <see cref="ActorRef.TellAsync(object, CancellationToken)"/> waits.</summary>
    public int MailboxCapacity { get; private init; } = DefaultMailboxCapacity;

    /// <summary>What happens when the handler throws.</summary>
    public ISupervisorStrategy SupervisorStrategy { get; private init; } = RestartWithBackoffStrategy.Default;

    /// <summary>
    /// Whether the actor owns a dedicated thread that runs every step of its loop and the synchronous part of each
    /// handler (a CPU model actor keeps its thread-local workspaces warm); otherwise it runs on the thread pool.
    /// </summary>
    public bool DedicatedThread { get; private init; }

    /// <summary>Props for actors made by <paramref name="producer"/>.</summary>
    public static Props FromProducer(Func<IActor> producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return new Props(producer);
    }

    /// <summary>A copy with another name.</summary>
    public Props WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return this with { Name = name };
    }

    /// <summary>A copy with another metrics kind.</summary>
    public Props WithKind(string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        return this with { Kind = kind };
    }

    /// <summary>A copy with another mailbox capacity (at least 1).</summary>
    public Props WithMailboxCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return this with { MailboxCapacity = capacity };
    }

    /// <summary>A copy with another supervisor strategy.</summary>
    public Props WithSupervisorStrategy(ISupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return this with { SupervisorStrategy = strategy };
    }

    /// <summary>A copy that runs on a dedicated thread (or, with false, on the thread pool).</summary>
    public Props WithDedicatedThread(bool dedicated = true) => this with { DedicatedThread = dedicated };
}
