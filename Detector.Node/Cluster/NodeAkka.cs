using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Remote.Hosting;
using Detector.Node.Hosting;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Node.Cluster;

/// <summary>
/// The node's ActorSystem, built once through Akka.Hosting on a Generic Host. A node that reads Kafka joins the
/// cluster of its peers (remoting, membership, split-brain resolver with the Kafka lease, the trainer singleton and its
/// proxy, pub-sub for models and status, the binary model serializer); any other node (demo, evaluate, a file or
/// generator source) runs a local ActorSystem: a cluster of one would only add a port and a lease for nothing.
/// </summary>
public static class NodeAkka
{
    /// <summary>The host of a clustered node: start it, then <see cref="ClusterNode.Bind"/> is done and the node joins.</summary>
    public static IHost BuildClustered(ClusterNode node, KafkaOptions kafka, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(kafka);
        var builder = Base(loggers);
        builder.Services.AddSingleton(new KafkaLeaseContext(kafka, node.NodeId, loggers));
        var options = node.Options;
        builder.Services.AddAkka(options.SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(OnlyTheNodesLogging)
                .AddHocon(ClusterHocon.For(kafka, options), HoconAddMode.Prepend)
                .AddHocon(PipelineAkkaConfig.Config, HoconAddMode.Append)
                .WithRemoting(new RemoteOptions
                {
                    HostName = options.Hostname,
                    Port = options.Port,
                    MaxFrameSize = options.MaxModelBytes + (1 << 20),
                })
                .WithClustering(new Akka.Cluster.Hosting.ClusterOptions
                {
                    Roles = ["detector"],
                    SeedNodes = options.Discovery == ClusterDiscovery.Config
                        ? [.. (options.SeedNodes.Count > 0 ? options.SeedAddresses : [$"akka.tcp://{options.SystemName}@{options.Hostname}:{options.Port}"])]
                        : [],
                })
                .WithCustomSerializer("detector-model", [typeof(ModelPublished)], system => new ModelPublishedSerializer(system))
                .WithDistributedPubSub("detector")
                .WithSingleton<TrainerSingletonActor>("trainer", TrainerSingletonActor.Props(node),
                    new ClusterSingletonOptions { Role = "detector" }, createProxyToo: true)
                .WithActors((system, registry, _) =>
                {
                    registry.Register<ModelSubscriberActor>(system.ActorOf(ModelSubscriberActor.Props(node.Inbox, new TaskCompletionSource()), "models"));
                    system.ActorOf(TakeoverLeasesActor.Props(), "takeover-leases");
                    registry.Register<StatusGossipActor>(system.ActorOf(StatusGossipActor.Props(node, kafka.StatusInterval), "status"));
                    node.Bind(system, registry.Get<TrainerSingletonActor>());
                });
            if (options.Discovery == ClusterDiscovery.Kubernetes)
            {
                akka.WithKubernetesDiscovery(k => k.PodLabelSelector = options.PodLabelSelector)
                    .WithAkkaManagement(new AkkaManagementOptions { HostName = options.Hostname, Port = options.ManagementPort })
                    .WithClusterBootstrap(b => b.ContactPointDiscovery.RequiredContactPointsNr = 1);
            }
        });
        return builder.Build();
    }

    /// <summary>
    /// Akka's log events go to the node's logging (stderr) only. Without clearing, Akka's DefaultLogger stays in the
    /// list beside it and prints every event on stdout as well, a second copy mixed into what a command prints there.
    /// </summary>
    private static void OnlyTheNodesLogging(LoggerConfigBuilder loggers) => loggers.ClearLoggers().AddLoggerFactory();

    /// <summary>The host of a node on its own: a local ActorSystem (no remoting, no cluster).</summary>
    public static IHost BuildLocal(string systemName, ILoggerFactory loggers)
    {
        var builder = Base(loggers);
        builder.Services.AddAkka(systemName, (akka, _) => akka.ConfigureLoggers(OnlyTheNodesLogging)
            // As in a cluster: the node drains on SIGTERM first, so Akka must not stop the actors on process exit.
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend)
            // A caller that discards Akka's logs (evaluate, whose stdout is its JSON lines) turns them off: once its
            // loggers have stopped, Akka prints late events (CoordinatedShutdown's INFO line) on stdout instead.
            .AddHocon(loggers == NullLoggerFactory.Instance ? "akka.loglevel = OFF" : "", HoconAddMode.Prepend)
            .AddHocon(PipelineAkkaConfig.Config, HoconAddMode.Append));
        return builder.Build();
    }

    /// <summary>
    /// Builds and starts a node's local host (<see cref="BuildLocal"/>) for a one-process command (demo, evaluate): its
    /// ActorSystem is the one the pipeline's actors live in. Dispose it after the pipeline: that stops the host.
    /// </summary>
    public static async Task<LocalActorSystem> StartLocalAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var host = BuildLocal("detector", loggers);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new LocalActorSystem(host);
    }

    /// <summary>The started host's ActorSystem.</summary>
    public static ActorSystem ActorSystem(this IHost host) => host.Services.GetRequiredService<ActorSystem>();

    private static HostApplicationBuilder Base(ILoggerFactory loggers)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(loggers);
        // The node handles SIGTERM itself (drain first, then leave the cluster): the host must not stop on it.
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        return builder;
    }
}
