using Akka.Dispatch;
using Detector.Streams.Pipeline;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>The model dispatcher's executor: one thread of its own, work in order, queued work finished on shutdown.</summary>
public sealed class DedicatedThreadExecutorTests
{
    private sealed class Step(Action action) : IRunnable
    {
        public void Run() => action();

        public void Execute() => action();
    }

    [Fact]
    public void Execute_ManyItemsThenShutdown_RunsEachInOrderOnOneNamedThreadThenRejects()
    {
        var executor = new DedicatedThreadExecutor("test-dispatcher");
        var seen = new List<(int Item, int Thread, string? Name, bool Pool)>();
        using var done = new ManualResetEventSlim();
        for (var i = 0; i < 1_000; i++)
        {
            var item = i;
            executor.Execute(new Step(() => seen.Add((item, Environment.CurrentManagedThreadId, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread))));
        }
        executor.Execute(new Step(done.Set));
        executor.Shutdown();

        Assert.True(done.Wait(TimeSpan.FromMinutes(1)), "the queued work did not finish after shutdown");
        Assert.Equal(Enumerable.Range(0, 1_000), seen.Select(s => s.Item));
        Assert.Single(seen.Select(s => s.Thread).Distinct());
        Assert.All(seen, s => Assert.Equal("test-dispatcher", s.Name));
        Assert.All(seen, s => Assert.False(s.Pool));
        Assert.NotEqual(Environment.CurrentManagedThreadId, seen[0].Thread);
        Assert.Throws<RejectedExecutionException>(() => executor.Execute(new Step(() => { })));
    }
}
