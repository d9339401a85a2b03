namespace Detector.Streams.Pipeline;

/// <summary>
/// Work done by one stage of the pipeline (<c>decode</c>, <c>model</c>, <c>threshold</c>, <c>alert-sink</c>): items
/// handled and the time spent on them, summed over the stage's workers (the benchmark's per-stage breakdown).
/// </summary>
public sealed class StageTiming(string kind)
{
    private long _processed;
    private long _ticks;

    /// <summary>The stage's name.</summary>
    public string Kind { get; } = kind;

    /// <summary>Items (chunks or batches) handled.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Time spent handling them, summed over the stage's workers.</summary>
    public TimeSpan TotalProcessingTime => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <summary>Counts one item that took <paramref name="elapsed"/>.</summary>
    internal void Add(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _processed);
        Interlocked.Add(ref _ticks, elapsed.Ticks);
    }
}
