namespace Detector.Streams.Actors;

/// <summary>Delivered once the mailbox is closed and (for a graceful stop) drained, just before <see cref="Stopped"/>.</summary>
public sealed record Stopping
{
    private Stopping()
    {
    }

    /// <summary>The only instance.</summary>
    public static Stopping Instance { get; } = new();
}
