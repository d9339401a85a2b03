namespace Detector.Streams.Pipeline;

/// <summary>
/// One model actor's failures in a row, kept across its restarts (each incarnation of the actor gets the same
/// instance through its Props), and the backoff its next incarnation waits out: <c>min</c> doubled per failure in a
/// row, capped at <c>max</c>, with up to 20% random added so actors that failed together do not retry together.
/// </summary>
internal sealed class RestartBackoff(TimeSpan min, TimeSpan max)
{
    private int _failures;

    /// <summary>Failures since the last batch scored.</summary>
    public int FailuresInARow => Volatile.Read(ref _failures);

    /// <summary>Counts a failure.</summary>
    public void Failed() => Interlocked.Increment(ref _failures);

    /// <summary>A batch was scored: the next failure starts from the minimum backoff again.</summary>
    public void Succeeded() => Volatile.Write(ref _failures, 0);

    /// <summary>The backoff after the failures so far.</summary>
    public TimeSpan Delay()
    {
        var doublings = Math.Clamp(FailuresInARow - 1, 0, 30);
        var ticks = Math.Min(max.Ticks, min.Ticks * (1L << Math.Min(doublings, 20)));
        return TimeSpan.FromTicks((long)(ticks * (1 + 0.2 * Random.Shared.NextDouble())));
    }
}
