namespace Detector.Tests.Actors;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>: timers created through it (Task.Delay,
/// CancellationTokenSource timeouts) fire then, on the caller's thread, outside the provider's lock.
/// <see cref="WaitForActiveTimersAsync"/> lets a test wait until the code under test has armed a timer, so no test
/// ever has to guess how long to sleep.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>Guards every field below; never held while a timer callback or waiter runs.</summary>
    private readonly Lock _lock = new();

    /// <summary>Every timer not yet disposed.</summary>
    private readonly List<ManualTimer> _timers = [];

    /// <summary>Tests waiting for at least this many armed timers.</summary>
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

    /// <summary>The current time.</summary>
    private DateTimeOffset _now;

    /// <summary>Starts the clock at <paramref name="start"/> (a fixed date by default).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Timers armed now (a finite due time, not disposed).</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_lock)
            {
                return CountActive();
            }
        }
    }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once at least <paramref name="count"/> timers are armed.</summary>
    public Task WaitForActiveTimersAsync(int count)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (CountActive() >= count)
            {
                return Task.CompletedTask;
            }
            _waiters.Add((count, signal));
        }
        return signal.Task;
    }

    /// <summary>Moves the clock forward and fires, in due order, every timer that has come due.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        List<ManualTimer> due;
        lock (_lock)
        {
            _now += by;
            due = [.. _timers.Where(t => t.DueAt <= _now).OrderBy(t => t.DueAt)];
            foreach (var timer in due)
            {
                timer.DueAt = timer.Period > TimeSpan.Zero ? _now + timer.Period : DateTimeOffset.MaxValue;
            }
        }
        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private int CountActive() => _timers.Count(t => t.DueAt != DateTimeOffset.MaxValue);

    private void Changed()
    {
        List<TaskCompletionSource> ready = [];
        lock (_lock)
        {
            var active = CountActive();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= active)
                {
                    ready.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }
        foreach (var signal in ready)
        {
            signal.TrySetResult();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; } = DateTimeOffset.MaxValue;

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }
            owner.Changed();
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
            owner.Changed();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
