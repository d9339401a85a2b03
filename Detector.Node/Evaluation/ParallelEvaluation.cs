using System.Runtime.ExceptionServices;

namespace Detector.Node.Evaluation;

/// <summary>
/// Runs jobs 0 … count−1 of `evaluate` (one stream, one run each: its own model, pipeline and seeds, nothing shared), at
/// most <c>parallelism</c> at a time, started in index order (SemaphoreSlim releases its waiters first come, first
/// served). Each job starts on a thread of its own, because its synchronous part can be long (loading a file, training
/// on a separate training file) and would otherwise hold a thread-pool thread the pipelines need. Results are read by
/// index, so the caller reports them in the files' order whatever order they finish in. The first job to fail cancels
/// the rest; reading any result then throws that failure (the lowest-numbered one), not the cancellations it caused.
/// </summary>
public sealed class ParallelEvaluation<T> : IAsyncDisposable
{
    /// <summary>The jobs' tasks, by index.</summary>
    private readonly Task<T>[] _jobs;

    /// <summary>Free places; a job holds one from its start to its end.</summary>
    private readonly SemaphoreSlim _slots;

    /// <summary>Cancelled by the caller's token, by the first failure, or on dispose.</summary>
    private readonly CancellationTokenSource _stop;

    /// <summary>Starts the jobs (the first <paramref name="parallelism"/> at once, each next one when a place frees).</summary>
    public ParallelEvaluation(int count, int parallelism, Func<int, CancellationToken, Task<T>> job, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _slots = new SemaphoreSlim(parallelism);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _jobs = new Task<T>[count];
        for (var i = 0; i < count; i++)
        {
            _jobs[i] = RunAsync(i, job);
        }
    }

    /// <summary>The result of job <paramref name="index"/>, or the failure that stopped the jobs.</summary>
    public async Task<T> ResultAsync(int index)
    {
        try
        {
            return await _jobs[index].ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Cancelled by another job's failure (or by the caller): wait for every job to end, then report the failure.
            await AllEndedAsync().ConfigureAwait(false);
            if (_jobs.FirstOrDefault(j => j.IsFaulted) is { Exception: { } failure })
            {
                ExceptionDispatchInfo.Throw(failure.InnerException ?? failure);
            }
            throw;
        }
    }

    /// <summary>Cancels jobs still running and waits for them, so nothing runs on after the evaluation.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await AllEndedAsync().ConfigureAwait(false);
        _slots.Dispose();
        _stop.Dispose();
    }

    /// <summary>Completes when every job has ended, however it ended.</summary>
    private Task AllEndedAsync() =>
        Task.WhenAll(_jobs.Select(j => j.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));

    private async Task<T> RunAsync(int index, Func<int, CancellationToken, Task<T>> job)
    {
        await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            return await Task.Factory.StartNew(() => job(index, _stop.Token), _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .Unwrap().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }
}
