using Detector.Streams.Actors;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Request/response with a timeout.</summary>
public sealed class AskTests
{
    [Fact]
    public async Task AskAsync_HandlerResponds_ReturnsTheResponse()
    {
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(context =>
        {
            if (context.Message is int n)
            {
                context.Respond(n * 2);
            }
            return Task.CompletedTask;
        }));

        var answer = await actor.AskAsync<int>(21, TimeSpan.FromSeconds(30)).Guarded();

        Assert.Equal(42, answer);
    }

    [Fact]
    public async Task AskAsync_NoResponse_ThrowsTimeoutNamingActorAndMessage()
    {
        var clock = new ManualTimeProvider();
        await using var system = new ActorSystem(clock);
        var actor = system.Spawn(DelegateActor.Props(_ => Task.CompletedTask).WithName("silent"));

        var asking = actor.AskAsync<int>(new ScoreRequest(1), TimeSpan.FromSeconds(5));
        await clock.WaitForActiveTimersAsync(1).Guarded();
        Assert.False(asking.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => asking.Guarded());
        Assert.Contains("silent", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ScoreRequest), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_HandlerThrows_FaultsInsteadOfWaitingForTheTimeout()
    {
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(context =>
            context.Message is int ? throw new FormatException("bad row") : Task.CompletedTask));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => actor.AskAsync<int>(1, Timeout.InfiniteTimeSpan).Guarded());

        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public async Task Respond_SenderIsAnActor_TellsTheSender()
    {
        var received = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var system = new ActorSystem();
        var echo = system.Spawn(DelegateActor.Props(context =>
        {
            if (context.Message is string s)
            {
                context.Respond(s + "!");
            }
            return Task.CompletedTask;
        }));
        var client = system.Spawn(DelegateActor.Props(context =>
        {
            if (context.Message is string)
            {
                received.TrySetResult(context.Message);
            }
            return Task.CompletedTask;
        }));

        await echo.TellAsync("hi", client);

        Assert.Equal("hi!", await received.Task.Guarded());
    }

    /// <summary>A message type whose name the timeout error must carry.</summary>
    private sealed record ScoreRequest(int Id);
}
