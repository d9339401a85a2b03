using System.Collections.Concurrent;

namespace Detector.Streams.DeadLetters;

/// <summary>Keeps dead letters in memory, in arrival order, for tests and the demo. Thread-safe.</summary>
public sealed class InMemoryDeadLetterSink : IDeadLetterSink
{
    /// <summary>Letters in arrival order; a concurrent queue so writers never block one another.</summary>
    private readonly ConcurrentQueue<DeadLetter> _letters = new();

    /// <summary>A snapshot of the letters kept so far, oldest first.</summary>
    public IReadOnlyList<DeadLetter> Letters => _letters.ToArray();

    /// <summary>How many letters are kept.</summary>
    public int Count => _letters.Count;

    /// <summary>How many letters were kept for <paramref name="reason"/>.</summary>
    public int CountBy(DeadLetterReason reason) => _letters.Count(l => l.Reason == reason);

    /// <inheritdoc />
    /// <remarks>Copies the payload: a source may reuse its buffer once the write completes.</remarks>
    public ValueTask WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        _letters.Enqueue(letter with { Payload = letter.Payload.ToArray() });
        return ValueTask.CompletedTask;
    }
}
