namespace Detector.Streams.Actors;

/// <summary>Delivered first to every actor instance, before any user message: the first one and each restarted one.</summary>
public sealed record Started
{
    private Started()
    {
    }

    /// <summary>The only instance.</summary>
    public static Started Instance { get; } = new();
}
