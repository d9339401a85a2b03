namespace Detector.Streams.DeadLetters;

/// <summary>How many records went to the dead-letter sink, per reason. Thread-safe and lock-free.</summary>
public sealed class DeadLetterCounters
{
    private static readonly DeadLetterReason[] Reasons = Enum.GetValues<DeadLetterReason>();

    /// <summary>One count per reason, indexed by the reason's value; only touched through <see cref="Interlocked"/>.</summary>
    private readonly long[] _counts = new long[Reasons.Max(r => (int)r) + 1];

    /// <summary>Counts one more dead letter for <paramref name="reason"/>.</summary>
    public void Increment(DeadLetterReason reason) => Interlocked.Increment(ref _counts[Index(reason)]);

    /// <summary>The count for <paramref name="reason"/> so far.</summary>
    public long Get(DeadLetterReason reason) => Interlocked.Read(ref _counts[Index(reason)]);

    /// <summary>The sum over all reasons.</summary>
    public long Total => Reasons.Sum(Get);

    /// <summary>Every reason with its count (zeros included), each read atomically; the set is not one atomic cut.</summary>
    public IReadOnlyDictionary<DeadLetterReason, long> Snapshot() => Reasons.ToDictionary(r => r, Get);

    private static int Index(DeadLetterReason reason) =>
        Enum.IsDefined(reason) ? (int)reason : throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a dead-letter reason");
}
