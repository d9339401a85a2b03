using Detector.Streams.Actors;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Lifecycle messages and graceful stop.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task ReceiveAsync_NormalRun_StartedFirstAndStoppedLast()
    {
        var log = new List<object>();
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(context =>
        {
            log.Add(context.Message);
            return Task.CompletedTask;
        }));

        await actor.TellAsync("a");
        await actor.TellAsync("b");
        await actor.StopAsync().Guarded();

        Assert.Equal(new object[] { Started.Instance, "a", "b", Stopping.Instance, Stopped.Instance }, log);
        Assert.True(actor.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StopAsync_MessagesQueued_HandlesEveryOneBeforeStopped()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new List<object>();
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            log.Add(context.Message);
            if (context.Message is "block")
            {
                entered.TrySetResult();
                await gate.Task;
            }
        }).WithMailboxCapacity(64));
        actor.TryTell("block");
        await entered.Task.Guarded();
        for (var i = 0; i < 20; i++)
        {
            Assert.True(actor.TryTell(i));
        }

        var stopping = actor.StopAsync();
        Assert.False(stopping.IsCompleted);
        Assert.True(actor.IsStopping);
        gate.SetResult();
        await stopping.Guarded();

        object[] expected = [Started.Instance, "block", .. Enumerable.Range(0, 20).Cast<object>(), Stopping.Instance, Stopped.Instance];
        Assert.Equal(expected, log);
        Assert.Equal(0, actor.DeadLetters);
    }

    [Fact]
    public async Task TellAsync_AfterStop_ThrowsInvalidOperationNamingTheActor()
    {
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(_ => Task.CompletedTask).WithName("scorer-7"));
        await actor.StopAsync().Guarded();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => actor.TellAsync("late").Guarded());

        Assert.Contains("scorer-7", error.Message, StringComparison.Ordinal);
        Assert.Contains("String", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryTell_AfterStopRequested_ReturnsFalse()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            if (context.Message is "block")
            {
                entered.TrySetResult();
                await gate.Task;
            }
        }));
        actor.TryTell("block");
        await entered.Task.Guarded();

        var stopping = actor.StopAsync();
        var accepted = actor.TryTell("late");
        gate.SetResult();
        await stopping.Guarded();

        Assert.False(accepted);
        Assert.False(actor.TryTell("later"));
    }

    [Fact]
    public async Task StopAsync_CallerGivesUp_CancelsTheHandlersToken()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            if (context.Message is "hang")
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
            }
        }).WithSupervisorStrategy(StopStrategy.Instance));
        actor.TryTell("hang");
        await entered.Task.Guarded();

        using var giveUp = new CancellationTokenSource();
        var stopping = actor.StopAsync(giveUp.Token);
        await giveUp.CancelAsync();
        await stopping.Guarded();

        Assert.True(actor.Completion.IsCompleted);
    }

    [Fact]
    public async Task StopAllAsync_SeveralActors_StopsAllAndRefusesNewSpawns()
    {
        await using var system = new ActorSystem();
        var actors = Enumerable.Range(0, 5).Select(_ => system.Spawn(DelegateActor.Props(_ => Task.CompletedTask))).ToArray();

        await system.StopAllAsync().Guarded();

        Assert.All(actors, a => Assert.True(a.Completion.IsCompletedSuccessfully));
        Assert.Empty(system.Actors);
        Assert.Throws<InvalidOperationException>(() => system.Spawn(DelegateActor.Props(_ => Task.CompletedTask)));
    }

    [Fact]
    public async Task Spawn_DuplicateName_Throws()
    {
        await using var system = new ActorSystem();
        system.Spawn(DelegateActor.Props(_ => Task.CompletedTask).WithName("only"));

        var error = Assert.Throws<InvalidOperationException>(() => system.Spawn(DelegateActor.Props(_ => Task.CompletedTask).WithName("only")));

        Assert.Contains("only", error.Message, StringComparison.Ordinal);
        Assert.True(system.TryGetActor("only", out _));
    }
}
