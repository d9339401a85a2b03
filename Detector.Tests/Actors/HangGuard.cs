namespace Detector.Tests.Actors;

/// <summary>
/// A generous real-time limit on awaiting a signal. It only turns a hang into a failure; no test relies on how long
/// anything takes.
/// </summary>
public static class HangGuard
{
    /// <summary>The limit.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>Awaits <paramref name="task"/>, failing with a TimeoutException after <see cref="Limit"/>.</summary>
    public static Task Guarded(this Task task) => task.WaitAsync(Limit);

    /// <summary>Awaits <paramref name="task"/>, failing with a TimeoutException after <see cref="Limit"/>.</summary>
    public static Task<T> Guarded<T>(this Task<T> task) => task.WaitAsync(Limit);

    /// <summary>Awaits <paramref name="task"/>, failing with a TimeoutException after <see cref="Limit"/>.</summary>
    public static Task Guarded(this ValueTask task) => task.AsTask().WaitAsync(Limit);
}
