namespace Detector.Streams.Actors;

/// <summary>The last message an actor receives; release resources here. <see cref="ActorRef.Completion"/> completes after it.</summary>
public sealed record Stopped
{
    private Stopped()
    {
    }

    /// <summary>The only instance.</summary>
    public static Stopped Instance { get; } = new();
}
