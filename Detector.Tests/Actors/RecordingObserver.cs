using System.Collections.Concurrent;
using Detector.Streams.Actors;

namespace Detector.Tests.Actors;

/// <summary>Counts what actors report, per kind.</summary>
public sealed class RecordingObserver : IActorObserver
{
    /// <summary>Messages processed, per actor kind.</summary>
    public ConcurrentDictionary<string, int> Processed { get; } = new();

    /// <summary>Failures seen, with the supervisor's directive.</summary>
    public ConcurrentQueue<(string Kind, string Name, Exception Exception, SupervisorDirective Directive)> Failures { get; } = new();

    /// <inheritdoc/>
    public void OnMessageProcessed(string actorKind, TimeSpan elapsed) => Processed.AddOrUpdate(actorKind, 1, (_, n) => n + 1);

    /// <inheritdoc/>
    public void OnFailure(string actorKind, string actorName, Exception exception, SupervisorDirective directive) =>
        Failures.Enqueue((actorKind, actorName, exception, directive));
}
