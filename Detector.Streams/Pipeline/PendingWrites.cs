using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Writes to sinks that confirm asynchronously (a Kafka producer's delivery reports) without waiting for each one in
/// turn: up to <c>capacity</c> writes are outstanding at once (then the caller waits: backpressure), and each write's
/// completion action (acknowledging its records) runs when the sink confirms. A failed write is retried with
/// exponential backoff capped at 5 s until it succeeds or the pipeline stops: records are never acknowledged before
/// their output is confirmed, and never dropped. Completions arrive in any order; the offset tracker handles that.
/// </summary>
internal sealed class PendingWrites(int capacity, TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>Free slots for outstanding writes.</summary>
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    private readonly Lock _lock = new();

    /// <summary>Writes started and not yet confirmed (guarded by <see cref="_lock"/>).</summary>
    private int _outstanding;

    /// <summary>Completed when <see cref="_outstanding"/> next reaches zero.</summary>
    private TaskCompletionSource? _idle;

    /// <summary>Starts a write (waiting for a free slot); onConfirmed runs once the sink has confirmed it.</summary>
    public async ValueTask StartAsync(Func<CancellationToken, ValueTask> write, Action onConfirmed, string what, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var first = Start(write, cancellationToken);
        if (first.IsCompletedSuccessfully)
        {
            _slots.Release();
            onConfirmed();
            return;
        }
        lock (_lock)
        {
            _outstanding++;
        }
        _ = ConfirmAsync(first, write, onConfirmed, what, cancellationToken);
    }

    /// <summary>Completes when no write is outstanding.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return _outstanding == 0 ? Task.CompletedTask : (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    private async Task ConfirmAsync(ValueTask pending, Func<CancellationToken, ValueTask> write, Action onConfirmed, string what, CancellationToken cancellationToken)
    {
        try
        {
            await RetryUntilConfirmedAsync(pending, write, what, time, logger, cancellationToken).ConfigureAwait(false);
            onConfirmed();
        }
        catch (OperationCanceledException)
        {
            // The pipeline is stopping: the records stay unacknowledged and will be read again.
        }
        finally
        {
            _slots.Release();
            TaskCompletionSource? idle = null;
            lock (_lock)
            {
                _outstanding--;
                Debug.Assert(_outstanding >= 0, "more writes confirmed than started");
                if (_outstanding == 0)
                {
                    idle = _idle;
                    _idle = null;
                }
            }
            idle?.TrySetResult();
        }
    }

    /// <summary>Writes, retrying a failed write as <see cref="RetryUntilConfirmedAsync"/> does, until it is confirmed.</summary>
    public static Task WriteUntilConfirmedAsync(Func<CancellationToken, ValueTask> write, string what, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken) =>
        RetryUntilConfirmedAsync(Start(write, cancellationToken), write, what, time, logger, cancellationToken);

    /// <summary>
    /// Awaits <paramref name="pending"/> (the first try of <paramref name="write"/>), retrying a failed write with
    /// exponential backoff from 50 ms capped at 5 s until it succeeds; only the token ends it (with
    /// <see cref="OperationCanceledException"/>).
    /// </summary>
    public static async Task RetryUntilConfirmedAsync(ValueTask pending, Func<CancellationToken, ValueTask> write, string what,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                await pending.ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "{What} failed; retrying in {Backoff}", what, backoff);
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                pending = Start(write, cancellationToken);
            }
        }
    }

    /// <summary>Starts a write; a synchronous throw becomes a faulted write (retried like any other failure).</summary>
    private static ValueTask Start(Func<CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        try
        {
            return write(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();
}
