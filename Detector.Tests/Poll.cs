using Xunit;

namespace Detector.Tests;

/// <summary>Waiting in tests for something that happens on other threads, with a bound and a named failure.</summary>
internal static class Poll
{
    /// <summary>
    /// Polls condition until it holds; fails naming what was awaited after timeout, or as soon as one of the running
    /// tasks (the work that should make it hold) has ended.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan timeout, params Task[] running)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            foreach (var run in running)
            {
                Assert.False(run.IsCompleted, $"stopped while waiting for {what}: {run.Exception}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout} waiting for {what}");
            await Task.Delay(50);
        }
    }
}
