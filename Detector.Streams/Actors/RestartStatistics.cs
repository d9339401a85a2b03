namespace Detector.Streams.Actors;

/// <summary>
/// The failure history of one actor, kept by its loop and read by its supervisor strategy. Only the most recent
/// <see cref="MaxRemembered"/> failure times are kept, so memory stays bounded however often an actor fails.
/// Not thread-safe: only the actor's own loop touches it.
/// </summary>
public sealed class RestartStatistics
{
    /// <summary>How many failure times are remembered.</summary>
    public const int MaxRemembered = 256;

    /// <summary>Failure times, oldest first.</summary>
    private readonly Queue<DateTimeOffset> _failureTimes = new();

    /// <summary>Failures since the actor was spawned.</summary>
    public long TotalFailures { get; private set; }

    /// <summary>Failures at or after <paramref name="now"/> − <paramref name="window"/> (at most <see cref="MaxRemembered"/>).</summary>
    public int FailuresWithin(TimeSpan window, DateTimeOffset now)
    {
        var since = now - window;
        var count = 0;
        foreach (var time in _failureTimes)
        {
            if (time >= since)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Records a failure at <paramref name="now"/>.</summary>
    internal void RecordFailure(DateTimeOffset now)
    {
        TotalFailures++;
        if (_failureTimes.Count == MaxRemembered)
        {
            _failureTimes.Dequeue();
        }
        _failureTimes.Enqueue(now);
    }
}
