using System.Collections.Concurrent;

namespace Detector.Streams.Actors;

/// <summary>
/// Runs posted continuations on the one thread that calls <see cref="RunUntilComplete"/>, so an actor loop that
/// awaits with a captured context never leaves its dedicated thread. Continuations posted after the loop has ended
/// (a stray await that captured this context) run on the thread pool rather than being lost.
/// </summary>
internal sealed class DedicatedThreadSynchronizationContext : SynchronizationContext, IDisposable
{
    /// <summary>Posted work, in order; completed for adding when the loop ends.</summary>
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();

    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            _queue.Add((d, state));
            return;
        }
        catch (InvalidOperationException)
        {
            // Completed for adding (or disposed, a subclass): the loop is over.
        }
        ThreadPool.QueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send onto an actor thread could deadlock; use Post.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Lets <see cref="RunUntilComplete"/> return once the queued work is done.</summary>
    public void Complete() => _queue.CompleteAdding();

    /// <summary>Runs posted work on the calling thread until <see cref="Complete"/>.</summary>
    public void RunUntilComplete()
    {
        foreach (var (callback, state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }

    public void Dispose() => _queue.Dispose();
}
