using Akka.Actor;

namespace Detector.Node.Cluster;

/// <summary>A member as <see cref="TakeoverLeases"/> sees it: its address and whether this node reaches it.</summary>
/// <param name="Address">The member's address.</param>
/// <param name="Reachable">Whether this node's failure detector reaches it.</param>
public readonly record struct Peer(Address Address, bool Reachable);

/// <summary>What this node should do about the split-brain resolver's lease now.</summary>
public enum ResolverLeaseStep
{
    /// <summary>Nothing: no member is unreachable, or another node decides for this side.</summary>
    None,

    /// <summary>Take it now: this node decides for its side, and its side is not the minority.</summary>
    Now,

    /// <summary>Take it once the side has been the minority for the resolver's <c>acquire-lease-delay-for-minority</c>.</summary>
    AfterMinorityDelay,
}

/// <summary>
/// Which leases a node takes ahead of a takeover, while Akka is still deciding (the rules; <see cref="TakeoverLeasesActor"/>
/// applies them). Each rule names the one node that Akka will ask for that lease next, so taking it early changes who
/// waits, never who holds: the Kafka group still referees every holding.
/// </summary>
public static class TakeoverLeases
{
    /// <summary>
    /// The trainer lease: when the oldest member (the singleton's node) is unreachable, the oldest member this node
    /// still reaches is where the singleton moves once the resolver has downed it — that node, and only it, starts
    /// taking the lease. <paramref name="byAge"/>: the Up and Leaving members, oldest first.
    /// </summary>
    public static bool TakeTrainerLease(IReadOnlyList<Peer> byAge, Address self)
    {
        ArgumentNullException.ThrowIfNull(byAge);
        return byAge.Count > 1 && !byAge[0].Reachable && byAge.FirstOrDefault(p => p.Reachable).Address == self;
    }

    /// <summary>
    /// The resolver's lease (<c>lease-majority</c>): when a member is unreachable the resolver of the side's leader
    /// will take it once the side is stable; that leader starts now, or, on the minority side, after the resolver's
    /// minority delay as the resolver itself would (<c>lease-majority</c> counts a side of exactly half as the minority
    /// unless it holds the lowest address). <paramref name="members"/>: the Up and Leaving members.
    /// </summary>
    public static ResolverLeaseStep TakeResolverLease(IReadOnlyCollection<Peer> members, Address self, Address? leader)
    {
        ArgumentNullException.ThrowIfNull(members);
        var unreachable = members.Count(p => !p.Reachable);
        if (unreachable == 0 || leader is null || !leader.Equals(self))
        {
            return ResolverLeaseStep.None;
        }
        var lowest = members.OrderBy(p => p.Address, Akka.Cluster.Member.AddressOrdering).First();
        var minority = unreachable * 2 > members.Count || (unreachable * 2 == members.Count && !lowest.Reachable);
        return minority ? ResolverLeaseStep.AfterMinorityDelay : ResolverLeaseStep.Now;
    }
}
