using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Coordination;
using Akka.DependencyInjection;
using Detector.Node.Cluster;
using Detector.Node.Kafka;
using Detector.Streams.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Cluster;

/// <summary>
/// The Kafka lease in one process on the mock cluster, two owners of one lease: a lease taken ahead of Akka's ask goes
/// back when nobody asked for it, and stays once Akka asked (the resolver's decision, the singleton's start); the next
/// holder takes it only once the first has let go, under a larger epoch.
/// </summary>
public sealed class KafkaLeaseTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly MockCluster _kafka = new(1);
    private readonly ActorSystem _system;

    public KafkaLeaseTests()
    {
        var options = new KafkaOptions { BootstrapServers = _kafka.BootstrapServers, SessionTimeout = TimeSpan.FromSeconds(6) };
        KafkaCommand.CreateDetectorTopics(_kafka, options, 1);
        var services = new ServiceCollection().AddSingleton(new KafkaLeaseContext(options, "t1", NullLoggerFactory.Instance)).BuildServiceProvider();
        var config = ConfigurationFactory.ParseString(ClusterHocon.For(options, new ClusterOptions()));
        _system = ActorSystem.Create("lease-test", BootstrapSetup.Create().WithConfig(config).And(DependencyResolverSetup.Create(services)));
    }

    private KafkaLease Lease(string owner) => (KafkaLease)LeaseProvider.Get(_system).GetLease("t", ClusterHocon.LeaseConfigPath, owner);

    [Fact]
    public async Task AcquireAhead_NobodyAsked_GivenBack_ThenTheNextHolderTakesItUnderALargerEpoch()
    {
        var first = Lease("a");
        var second = Lease("b");
        _ = first.AcquireAhead();
        await Poll.UntilAsync(first.CheckLease, "the lease taken ahead", Patience);

        Assert.True(first.GiveBackAhead(), "a lease taken ahead that Akka never asked for goes back");
        await Poll.UntilAsync(() => !first.CheckLease(), "the first holding to end", Patience);
        _ = second.Acquire();
        await Poll.UntilAsync(second.CheckLease, "the second owner to take the lease once the first let go", Patience);
        Assert.True(second.Epoch > first.Epoch, $"epoch {second.Epoch} after {first.Epoch}");
        Assert.False(first.CheckLease());
    }

    [Fact]
    public async Task AcquireAhead_ThenAkkaAsked_GiveBackKeepsIt()
    {
        var lease = Lease("a");
        _ = lease.AcquireAhead();
        _ = lease.Acquire(_ => { });
        await Poll.UntilAsync(lease.CheckLease, "Akka's own Acquire to find the holding made ahead", Patience);

        Assert.False(lease.GiveBackAhead(), "once Akka asked the holding is Akka's");
        Assert.True(lease.CheckLease());
        await lease.Release();
    }

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(30));
        _kafka.Dispose();
    }
}
