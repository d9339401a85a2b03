using System.Collections.Concurrent;
using Detector.Streams.Actors;
using Xunit;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Detector.Tests.Actors;

/// <summary>One message at a time, FIFO, bounded capacity and backpressure.</summary>
public sealed class MailboxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReceiveAsync_ManyConcurrentSenders_NeverRunsTwoHandlersAtOnce(bool dedicatedThread)
    {
        const int senders = 8;
        const int perSender = 300;
        var inside = 0;
        var maxInside = 0;
        var handled = 0;
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            if (context.Message is not int)
            {
                return;
            }
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Yield();
            handled++;
            Interlocked.Decrement(ref inside);
        }).WithMailboxCapacity(16).WithDedicatedThread(dedicatedThread));

        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < perSender; i++)
            {
                await actor.TellAsync(i);
            }
        }))).Guarded();
        await actor.StopAsync().Guarded();

        Assert.Equal(1, maxInside);
        Assert.Equal(senders * perSender, handled);
        Assert.Equal(senders * perSender, actor.MessagesProcessed);
    }

    [Fact]
    public async Task ReceiveAsync_DedicatedThread_RunsEveryStepOnOneThread()
    {
        var threads = new ConcurrentDictionary<int, bool>();
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            threads[Environment.CurrentManagedThreadId] = true;
            await Task.Yield();
            threads[Environment.CurrentManagedThreadId] = true;
        }).WithDedicatedThread());

        for (var i = 0; i < 200; i++)
        {
            await actor.TellAsync(i);
        }
        await actor.StopAsync().Guarded();

        Assert.Single(threads);
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads.Keys.Single());
    }

    [Fact]
    public async Task TellAsync_ManySenders_KeepsEachSendersOrder()
    {
        const int senders = 6;
        const int perSender = 500;
        var seen = Enumerable.Range(0, senders).Select(_ => new List<int>()).ToArray();
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(context =>
        {
            if (context.Message is (int sender, int sequence))
            {
                seen[sender].Add(sequence);
            }
            return Task.CompletedTask;
        }).WithMailboxCapacity(8));

        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < perSender; i++)
            {
                await actor.TellAsync((s, i));
            }
        }))).Guarded();
        await actor.StopAsync().Guarded();

        foreach (var list in seen)
        {
            Assert.Equal(Enumerable.Range(0, perSender), list);
        }
    }

    [Fact]
    public void TryTell_RandomCapacitiesAndLoads_NeverExceedsCapacity()
    {
        var property = Prop.ForAll(
            Gen.Choose(1, 32).ToArbitrary(),
            Gen.Choose(0, 100).ToArbitrary(),
            (capacity, messages) => MailboxStaysBounded(capacity, messages));
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(60)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20250101UL, 7UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }

    [Fact]
    public async Task TellAsync_MailboxFull_WaitsUntilTheActorTakesAMessage()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new List<object>();
        await using var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            if (context.Message is "block")
            {
                entered.TrySetResult();
                await gate.Task;
            }
            if (context.Message is string or int)
            {
                handled.Add(context.Message);
            }
        }).WithMailboxCapacity(2));

        Assert.True(actor.TryTell("block"));
        await entered.Task.Guarded();
        Assert.True(actor.TryTell(1));
        Assert.True(actor.TryTell(2));
        Assert.False(actor.TryTell(99));

        var waiting = actor.TellAsync(3);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, actor.MailboxDepth);

        gate.SetResult();
        await waiting.Guarded();
        await actor.StopAsync().Guarded();

        Assert.Equal(new object[] { "block", 1, 2, 3 }, handled);
    }

    [Fact]
    public async Task TellAsync_CancelledWhileFull_ThrowsAndEnqueuesNothing()
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
        }).WithMailboxCapacity(1));
        actor.TryTell("block");
        await entered.Task.Guarded();
        actor.TryTell(1);

        using var cancel = new CancellationTokenSource();
        var waiting = actor.TellAsync(2, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Guarded());
        Assert.Equal(1, actor.MailboxDepth);
        gate.SetResult();
    }

    /// <summary>Blocks the actor on its first message, then offers <paramref name="messages"/> more.</summary>
    private static bool MailboxStaysBounded(int capacity, int messages)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var system = new ActorSystem();
        var actor = system.Spawn(DelegateActor.Props(async context =>
        {
            if (context.Message is "block")
            {
                entered.TrySetResult();
                await gate.Task;
            }
        }).WithMailboxCapacity(capacity));

        actor.TryTell("block");
        entered.Task.Guarded().GetAwaiter().GetResult();
        var accepted = 0;
        var bounded = true;
        for (var i = 0; i < messages; i++)
        {
            accepted += actor.TryTell(i) ? 1 : 0;
            bounded &= actor.MailboxDepth <= capacity;
        }
        var depthWhenBlocked = actor.MailboxDepth;
        gate.SetResult();
        system.StopAllAsync().Guarded().GetAwaiter().GetResult();

        return bounded
            && accepted == Math.Min(messages, capacity)
            && depthWhenBlocked == accepted
            && actor.MessagesProcessed == 1 + accepted;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
