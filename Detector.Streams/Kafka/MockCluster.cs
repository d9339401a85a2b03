using System.Runtime.InteropServices;
using System.Text;

namespace Detector.Streams.Kafka;

/// <summary>
/// A real Kafka-protocol cluster in this process: librdkafka's built-in mock brokers, listening on loopback TCP ports,
/// reachable by producers and consumer groups in any process. Supports the fault injection the reliability tests need
/// (brokers down and up, request errors). Each partition keeps only its newest ~5 MiB / 100,000 message sets
/// (hard-coded in librdkafka): producers must not run that far ahead of consumers.
/// </summary>
public sealed class MockCluster : IDisposable
{
    /// <summary>The handle the cluster lives on (a producer that is never used).</summary>
    private nint _handle;

    /// <summary>The mock cluster, owned by <see cref="_handle"/>.</summary>
    private nint _cluster;

    /// <summary>Starts brokerCount brokers (ids 1..brokerCount).</summary>
    public MockCluster(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        KafkaLibrary.EnsureLoaded();
        var errors = new byte[512];
        var conf = MockClusterNative.ConfNew();
        // The owning handle logs nothing of interest; keep it quiet.
        MockClusterNative.ConfSet(conf, "log_level", "3", errors, (nuint)errors.Length);
        _handle = MockClusterNative.New(MockClusterNative.ProducerType, conf, errors, (nuint)errors.Length);
        if (_handle == 0)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(errors).TrimEnd('\0')}");
        }
        _cluster = MockClusterNative.ClusterNew(_handle, brokerCount);
        if (_cluster == 0)
        {
            MockClusterNative.Destroy(_handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.ClusterBootstraps(_cluster))!;
    }

    /// <summary>Brokers in the cluster (ids 1..BrokerCount).</summary>
    public int BrokerCount { get; }

    /// <summary>The brokers' loopback addresses, for `bootstrap.servers`.</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic (replication factor at most the broker count).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        Check(MockClusterNative.TopicCreate(Cluster, topic, partitions, Math.Min(replicationFactor, BrokerCount)), $"create topic {topic}");
    }

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(MockClusterNative.BrokerSetDown(Cluster, brokerId), $"broker {brokerId} down");

    /// <summary>Brings a broker back.</summary>
    public void SetBrokerUp(int brokerId) => Check(MockClusterNative.BrokerSetUp(Cluster, brokerId), $"broker {brokerId} up");

    /// <summary>Makes broker the leader of a partition.</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(MockClusterNative.PartitionSetLeader(Cluster, topic, partition, brokerId), $"leader of {topic}[{partition}] -> {brokerId}");

    /// <summary>Makes broker the coordinator of a consumer group (the mock otherwise picks one by the group id's hash).</summary>
    public void SetGroupCoordinator(string group, int brokerId) =>
        Check(MockClusterNative.CoordinatorSet(Cluster, "group", group, brokerId), $"coordinator of group {group} -> {brokerId}");

    /// <summary>
    /// Makes the cluster's metadata advertise another address for a broker (its listener stays where it is): puts a
    /// proxy in front of it, e.g. a TLS terminator, since the mock brokers speak plaintext only.
    /// </summary>
    public void AdvertiseBrokerAt(int brokerId, string host, int port) =>
        Check(MockClusterNative.BrokerSetHostPort(Cluster, brokerId, host, port), $"broker {brokerId} at {host}:{port}");

    /// <summary>The next requests of an API (e.g. <see cref="KafkaApi.Produce"/>) fail with these errors, one each, in order.</summary>
    public void PushRequestErrors(KafkaApi api, params int[] errors) =>
        MockClusterNative.PushRequestErrors(Cluster, (short)api, (nuint)errors.Length, errors);

    /// <summary>Stops the brokers.</summary>
    public void Dispose()
    {
        if (_cluster != 0)
        {
            MockClusterNative.ClusterDestroy(_cluster);
            _cluster = 0;
        }
        if (_handle != 0)
        {
            MockClusterNative.Destroy(_handle);
            _handle = 0;
        }
    }

    private nint Cluster => _cluster != 0 ? _cluster : throw new ObjectDisposedException(nameof(MockCluster));

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"mock cluster: {what} failed: {Marshal.PtrToStringUTF8(MockClusterNative.ErrorString(error))}");
        }
    }
}
