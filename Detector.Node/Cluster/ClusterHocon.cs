using System.Globalization;
using Akka.Actor;
using Akka.Coordination;
using Detector.Streams.Kafka;

namespace Detector.Node.Cluster;

/// <summary>
/// The Akka settings that are choices rather than addresses: failure detection and split-brain resolution tuned for a
/// trainer takeover of 10–12 s with the leases taken ahead by <see cref="TakeoverLeasesActor"/> (probe in DESIGN.md:
/// 45 s with the defaults; the timeline is in the README), the Kafka lease, and the frame size.
/// </summary>
public static class ClusterHocon
{
    /// <summary>Where the Kafka lease's settings live (the singleton and the split-brain resolver name it).</summary>
    public const string LeaseConfigPath = "detector.kafka-lease";

    /// <summary>The split-brain resolver's lease (the Kafka group is <c>{Kafka:TrainerGroupId}-sbr</c>).</summary>
    public const string ResolverLeaseName = "sbr";

    /// <summary>
    /// This node's instance of the resolver's lease: the one the resolver gets from Akka's <see cref="LeaseProvider"/>
    /// (same name, configuration and owner: the address as <c>system@host:port</c>).
    /// </summary>
    public static Lease ResolverLease(ActorSystem system) =>
        LeaseProvider.Get(system).GetLease(ResolverLeaseName, LeaseConfigPath + "-sbr", Akka.Cluster.Cluster.Get(system).SelfUniqueAddress.Address.HostPort());

    /// <summary>
    /// The configuration. The split-brain resolver keeps the side that takes the Kafka lease (<c>lease-majority</c>):
    /// keep-majority cannot decide a 2-node cluster (the survivor of a crash downs itself). The lease's operation
    /// timeout outlasts a Kafka session, so a survivor waits out a dead holder's expulsion rather than downing itself.
    /// </summary>
    public static string For(KafkaOptions kafka, ClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(cluster);
        var session = (int)kafka.SessionTimeout.TotalMilliseconds;
        var frame = cluster.MaxModelBytes + (1 << 20);
        var lease = string.Create(CultureInfo.InvariantCulture, $"""
              lease-class = "Detector.Node.Cluster.KafkaLease, detector"
              heartbeat-interval = {Math.Max(100, session / 6)}ms
              heartbeat-timeout = {session}ms
              lease-operation-timeout = {2 * session + 5_000}ms
            """);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # The node stops itself on SIGTERM (drain, commit, then leave the cluster): not Akka on process exit.
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            # A downed node must not terminate its ActorSystem at once: the pipeline's actors live in it and drain first
            # (the node stops itself when it sees its own removal, then leaves; see NodeHost.StopWhenRemoved).
            akka.cluster.run-coordinated-shutdown-when-down = off
            akka.remote.dot-netty.tcp {
              maximum-frame-size = {{frame}}b
              send-buffer-size = {{frame}}b
              receive-buffer-size = {{frame}}b
            }
            akka.cluster {
              failure-detector {
                heartbeat-interval = 500ms
                # 3 s rather than the probe's 2 s: on the busy 2-core machine 2 s let healthy nodes be suspected.
                acceptable-heartbeat-pause = 3s
              }
              down-removal-margin = 1s
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver {
                active-strategy = lease-majority
                stable-after = 3s
                # Flapping reachability on a starved machine must not down every node: the lease already keeps two
                # sides from both surviving.
                down-all-when-unstable = off
                lease-majority {
                  lease-implementation = "{{LeaseConfigPath}}-sbr"
                  lease-name = "{{ResolverLeaseName}}"
                  acquire-lease-delay-for-minority = 1s
                }
              }
              singleton.hand-over-retry-interval = 500ms
              # Status gossip starts before the first peer subscribes: no dead letters for that.
              pub-sub.send-to-dead-letters-when-no-subscribers = off
            }
            {{LeaseConfigPath}} {{{lease}}}
            {{LeaseConfigPath}}-sbr {{{lease}}
              hold-until-shutdown = on
            }
            """);
    }
}
