using System.Collections.Concurrent;
using Detector.Streams.Actors;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Restart with backoff, stop and escalate, driven by a manual clock.</summary>
public sealed class SupervisionTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Restart_HandlerThrows_RecreatesTheInstanceWithFreshStateAfterBackoff()
    {
        var clock = new ManualTimeProvider();
        var probe = new Probe();
        await using var system = new ActorSystem(clock);
        var actor = system.Spawn(probe.Props(new RestartWithBackoffStrategy(3, TimeSpan.FromMinutes(1), Second, 4 * Second)));

        Assert.Equal(1, await actor.AskAsync<int>("count", Timeout.InfiniteTimeSpan).Guarded());
        Assert.Equal(2, await actor.AskAsync<int>("count", Timeout.InfiniteTimeSpan).Guarded());
        await actor.TellAsync("fail");
        await clock.WaitForActiveTimersAsync(1).Guarded();
        clock.Advance(Second - TimeSpan.FromTicks(1));
        Assert.Equal(1, probe.Instances);
        clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(1, await actor.AskAsync<int>("count", Timeout.InfiniteTimeSpan).Guarded());
        Assert.Equal(2, probe.Instances);
        Assert.Equal(["1:Started", "1:Restarting", "2:Started"], probe.Lifecycle);
    }

    [Fact]
    public async Task Restart_RepeatedFailures_DoublesTheBackoffUpToTheCap()
    {
        var clock = new ManualTimeProvider();
        var probe = new Probe();
        await using var system = new ActorSystem(clock);
        var actor = system.Spawn(probe.Props(new RestartWithBackoffStrategy(10, TimeSpan.FromHours(1), Second, 4 * Second)));

        for (var failure = 1; failure <= 4; failure++)
        {
            await actor.TellAsync("fail");
            await clock.WaitForActiveTimersAsync(1).Guarded();
            clock.Advance(4 * Second);
            await probe.WaitForInstancesAsync(failure + 1).Guarded();
        }

        Assert.Equal([Second, 2 * Second, 4 * Second, 4 * Second], probe.Backoffs);
    }

    [Fact]
    public async Task Restart_MoreFailuresThanAllowedWithinWindow_StopsTheActor()
    {
        var clock = new ManualTimeProvider();
        var probe = new Probe();
        var observer = new RecordingObserver();
        await using var system = new ActorSystem(clock, observer);
        var actor = system.Spawn(probe.Props(new RestartWithBackoffStrategy(2, TimeSpan.FromMinutes(1), Second, Second)));

        for (var restart = 1; restart <= 2; restart++)
        {
            await actor.TellAsync("fail");
            await clock.WaitForActiveTimersAsync(1).Guarded();
            clock.Advance(Second);
            await probe.WaitForInstancesAsync(restart + 1).Guarded();
        }
        await actor.TellAsync("fail");
        await actor.Completion.Guarded();

        Assert.Equal(3, probe.Instances);
        Assert.Equal(3, actor.Failures);
        Assert.Equal("3:Stopped", probe.Lifecycle.Last());
        Assert.Equal(
            [SupervisorDirective.Restart, SupervisorDirective.Restart, SupervisorDirective.Stop],
            observer.Failures.Select(f => f.Directive));
    }

    [Fact]
    public async Task Restart_FailuresSpreadBeyondTheWindow_KeepsRestarting()
    {
        var clock = new ManualTimeProvider();
        var probe = new Probe();
        await using var system = new ActorSystem(clock);
        var actor = system.Spawn(probe.Props(new RestartWithBackoffStrategy(1, TimeSpan.FromSeconds(10), Second, Second)));

        for (var restart = 1; restart <= 4; restart++)
        {
            await actor.TellAsync("fail");
            await clock.WaitForActiveTimersAsync(1).Guarded();
            clock.Advance(TimeSpan.FromSeconds(11));
            await probe.WaitForInstancesAsync(restart + 1).Guarded();
        }

        Assert.False(actor.Completion.IsCompleted);
        Assert.Equal(1, await actor.AskAsync<int>("count", Timeout.InfiniteTimeSpan).Guarded());
    }

    [Fact]
    public async Task Restart_ExhaustedWithEscalate_FaultsCompletion()
    {
        var clock = new ManualTimeProvider();
        var probe = new Probe();
        await using var system = new ActorSystem(clock);
        var actor = system.Spawn(probe.Props(
            new RestartWithBackoffStrategy(0, TimeSpan.FromMinutes(1), Second, Second, SupervisorDirective.Escalate)));

        await actor.TellAsync("fail");

        await Assert.ThrowsAsync<ProbeFailure>(() => actor.Completion.Guarded());
        Assert.Equal(1, probe.Instances);
    }

    [Fact]
    public async Task Escalate_HandlerThrows_RaisesEscalatedAndFaultsCompletionWithTheException()
    {
        var probe = new Probe();
        var escalated = new TaskCompletionSource<ActorEscalatedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var system = new ActorSystem();
        system.Escalated += (_, e) => escalated.TrySetResult(e);
        var actor = system.Spawn(probe.Props(EscalateStrategy.Instance));

        await actor.TellAsync("fail");

        var args = await escalated.Task.Guarded();
        var thrown = await Assert.ThrowsAsync<ProbeFailure>(() => actor.Completion.Guarded());
        Assert.Same(actor, args.Actor);
        Assert.Same(thrown, args.Exception);
        Assert.Equal("1:Stopped", probe.Lifecycle.Last());
    }

    [Fact]
    public async Task Stop_HandlerThrowsWithMessagesQueued_DropsThemAsDeadLetters()
    {
        var probe = new Probe();
        await using var system = new ActorSystem();
        var actor = system.Spawn(probe.Props(StopStrategy.Instance));
        actor.TryTell("block");
        await probe.Blocked.Task.Guarded();
        actor.TryTell("fail");
        actor.TryTell("count");
        var pendingAsk = actor.AskAsync<int>("count", Timeout.InfiniteTimeSpan);

        probe.Gate.SetResult();
        await actor.Completion.Guarded();

        Assert.True(actor.Completion.IsCompletedSuccessfully);
        Assert.Equal(2, actor.DeadLetters);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pendingAsk.Guarded());
    }

    [Fact]
    public async Task StopAsync_DuringBackoff_DoesNotWaitTheBackoffOut()
    {
        var clock = new ManualTimeProvider();
        var probe = new Probe();
        await using var system = new ActorSystem(clock);
        var actor = system.Spawn(probe.Props(new RestartWithBackoffStrategy(5, TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromHours(1))));
        await actor.TellAsync("fail");
        await clock.WaitForActiveTimersAsync(1).Guarded();

        await actor.StopAsync().Guarded();

        Assert.True(actor.Completion.IsCompletedSuccessfully);
        Assert.Equal("2:Stopped", probe.Lifecycle.Last());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(60, 10)]
    public void BackoffFor_NthFailure_DoublesFromInitialUpToMax(int failures, int expectedSeconds)
    {
        var strategy = new RestartWithBackoffStrategy(100, TimeSpan.FromMinutes(1), Second, 10 * Second);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), strategy.BackoffFor(failures));
    }

    [Fact]
    public void Constructor_RestartAsExhaustedDirective_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new RestartWithBackoffStrategy(1, Second, Second, Second, SupervisorDirective.Restart));
    }

    /// <summary>The exception the probe actor throws on "fail".</summary>
    private sealed class ProbeFailure() : Exception("probe failure");

    /// <summary>
    /// Makes numbered actor instances that count "count" messages (state that a restart must reset), throw on
    /// "fail", block on "block", and log lifecycle messages as "instance:Message".
    /// </summary>
    private sealed class Probe
    {
        private readonly ConcurrentQueue<string> _lifecycle = new();
        private readonly ConcurrentQueue<TimeSpan> _backoffs = new();
        private readonly ConcurrentQueue<(int Count, TaskCompletionSource Signal)> _instanceWaiters = new();
        private int _instances;

        public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Instances => Volatile.Read(ref _instances);

        public string[] Lifecycle => [.. _lifecycle];

        public TimeSpan[] Backoffs => [.. _backoffs];

        public Props Props(ISupervisorStrategy strategy) =>
            Streams.Actors.Props.FromProducer(Create).WithKind("probe").WithSupervisorStrategy(strategy);

        /// <summary>Completes once <paramref name="count"/> instances exist and the latest has started.</summary>
        public Task WaitForInstancesAsync(int count)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _instanceWaiters.Enqueue((count, signal));
            CheckWaiters();
            return signal.Task;
        }

        private IActor Create()
        {
            var number = Interlocked.Increment(ref _instances);
            var count = 0;
            return new DelegateActor(async context =>
            {
                switch (context.Message)
                {
                    case Started or Stopping or Stopped:
                        _lifecycle.Enqueue($"{number}:{context.Message.GetType().Name}");
                        if (context.Message is Started)
                        {
                            CheckWaiters();
                        }
                        break;
                    case Restarting restarting:
                        _backoffs.Enqueue(restarting.Backoff);
                        _lifecycle.Enqueue($"{number}:Restarting");
                        break;
                    case "count":
                        context.Respond(++count);
                        break;
                    case "fail":
                        throw new ProbeFailure();
                    case "block":
                        Blocked.TrySetResult();
                        await Gate.Task;
                        break;
                }
            });
        }

        private void CheckWaiters()
        {
            var started = _lifecycle.Count(l => l.EndsWith(":Started", StringComparison.Ordinal));
            foreach (var (count, signal) in _instanceWaiters)
            {
                if (started >= count)
                {
                    signal.TrySetResult();
                }
            }
        }
    }
}
