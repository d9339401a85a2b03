using Akka.Actor;
using Detector.Node.Cluster;
using Xunit;

namespace Detector.Tests.Cluster;

/// <summary>
/// The rules that pick the one node that starts taking a lease before Akka asks for it: the singleton's next node for
/// the trainer lease, the side's leader (after the minority delay on the smaller side) for the resolver's lease.
/// </summary>
public sealed class TakeoverLeasesTests
{
    private static readonly Address A = Node(2551);
    private static readonly Address B = Node(2552);
    private static readonly Address C = Node(2553);

    private static Address Node(int port) => new("akka.tcp", "detector", "127.0.0.1", port);

    [Fact]
    public void TrainerLease_OldestUnreachable_OnlyTheOldestReachableMemberTakesIt()
    {
        Peer[] byAge = [new(A, false), new(B, true), new(C, true)];
        Assert.True(TakeoverLeases.TakeTrainerLease(byAge, B));
        Assert.False(TakeoverLeases.TakeTrainerLease(byAge, C));
    }

    [Fact]
    public void TrainerLease_OldestReachable_NobodyTakesIt()
    {
        // A younger member being unreachable does not move the singleton.
        Peer[] byAge = [new(A, true), new(B, false), new(C, true)];
        Assert.False(TakeoverLeases.TakeTrainerLease(byAge, A));
        Assert.False(TakeoverLeases.TakeTrainerLease(byAge, C));
    }

    [Fact]
    public void TrainerLease_TwoNodes_TheSurvivorTakesIt_AndAClusterOfOneNever()
    {
        Assert.True(TakeoverLeases.TakeTrainerLease([new(A, false), new(B, true)], B));
        Assert.False(TakeoverLeases.TakeTrainerLease([new(B, true)], B));
    }

    [Fact]
    public void ResolverLease_NothingUnreachable_OrNotTheLeader_None()
    {
        Assert.Equal(ResolverLeaseStep.None, TakeoverLeases.TakeResolverLease([new(A, true), new(B, true), new(C, true)], A, A));
        Assert.Equal(ResolverLeaseStep.None, TakeoverLeases.TakeResolverLease([new(A, false), new(B, true), new(C, true)], C, B));
        Assert.Equal(ResolverLeaseStep.None, TakeoverLeases.TakeResolverLease([new(A, false), new(B, true)], B, null));
    }

    [Fact]
    public void ResolverLease_MajoritySide_TakesItNow()
    {
        Assert.Equal(ResolverLeaseStep.Now, TakeoverLeases.TakeResolverLease([new(A, false), new(B, true), new(C, true)], B, B));
    }

    [Fact]
    public void ResolverLease_MinoritySide_WaitsTheMinorityDelay()
    {
        Assert.Equal(ResolverLeaseStep.AfterMinorityDelay, TakeoverLeases.TakeResolverLease([new(A, false), new(B, false), new(C, true)], C, C));
    }

    [Fact]
    public void ResolverLease_HalfAndHalf_TheSideWithTheLowestAddressIsTheMajority()
    {
        // As lease-majority decides: of two equal sides, the one holding the lowest address goes first.
        Assert.Equal(ResolverLeaseStep.Now, TakeoverLeases.TakeResolverLease([new(B, false), new(A, true)], A, A));
        Assert.Equal(ResolverLeaseStep.AfterMinorityDelay, TakeoverLeases.TakeResolverLease([new(A, false), new(B, true)], B, B));
    }
}
