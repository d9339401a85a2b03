namespace Detector.Streams.Actors;

/// <summary>
/// Restarts a failed actor with a fresh instance after an exponential backoff: the n-th failure within
/// <see cref="Window"/> waits min(<see cref="InitialBackoff"/> · 2^(n−1), <see cref="MaxBackoff"/>). When a failure
/// would be restart number <see cref="MaxRestarts"/> + 1 within the window, the actor is given up on instead:
/// stopped, or escalated when <see cref="WhenExhausted"/> says so. The message that failed is not retried (a poison
/// message would otherwise fail forever); the rest of the mailbox is kept.
/// </summary>
public sealed class RestartWithBackoffStrategy : ISupervisorStrategy
{
    /// <summary>Creates the strategy; the arguments are checked here, so a bad configuration fails at start-up.</summary>
    public RestartWithBackoffStrategy(
        int maxRestarts,
        TimeSpan window,
        TimeSpan initialBackoff,
        TimeSpan maxBackoff,
        SupervisorDirective whenExhausted = SupervisorDirective.Stop)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBackoff, initialBackoff);
        if (whenExhausted == SupervisorDirective.Restart || !Enum.IsDefined(whenExhausted))
        {
            throw new ArgumentOutOfRangeException(nameof(whenExhausted), whenExhausted, "must be Stop or Escalate");
        }
        MaxRestarts = maxRestarts;
        Window = window;
        InitialBackoff = initialBackoff;
        MaxBackoff = maxBackoff;
        WhenExhausted = whenExhausted;
    }

    /// <summary>The default for <see cref="Props"/>: 10 restarts a minute, backoff from 10 ms doubling to 5 s, then stop.</summary>
    public static RestartWithBackoffStrategy Default { get; } =
        new(10, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5));

    /// <summary>Restarts allowed within <see cref="Window"/>.</summary>
    public int MaxRestarts { get; }

    /// <summary>How far back failures are counted.</summary>
    public TimeSpan Window { get; }

    /// <summary>The wait before the first restart in a window.</summary>
    public TimeSpan InitialBackoff { get; }

    /// <summary>The longest wait.</summary>
    public TimeSpan MaxBackoff { get; }

    /// <summary><see cref="SupervisorDirective.Stop"/> or <see cref="SupervisorDirective.Escalate"/> once restarts run out.</summary>
    public SupervisorDirective WhenExhausted { get; }

    /// <inheritdoc/>
    public SupervisorDecision Decide(Exception reason, RestartStatistics statistics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var failures = statistics.FailuresWithin(Window, now);
        if (failures > MaxRestarts)
        {
            return new SupervisorDecision(WhenExhausted, TimeSpan.Zero);
        }
        return SupervisorDecision.Restart(BackoffFor(failures));
    }

    /// <summary>The wait before the restart that follows the n-th failure within the window (n ≥ 1).</summary>
    public TimeSpan BackoffFor(int failures)
    {
        var doublings = Math.Clamp(failures - 1, 0, 62);
        var ticks = InitialBackoff.Ticks * Math.Pow(2, doublings);
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }
}
