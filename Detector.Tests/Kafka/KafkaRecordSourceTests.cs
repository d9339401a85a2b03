using Confluent.Kafka;
using Detector.Streams.Kafka;
using Detector.Streams.Sources;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>The input consumer's view of its partitions, on the mock cluster.</summary>
public sealed class KafkaRecordSourceTests : IDisposable
{
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    /// <summary>Options for group name-group on a new two-partition input topic name-input.</summary>
    private KafkaOptions Options(string name, TimeSpan commitInterval, TimeSpan sessionTimeout)
    {
        var options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = $"{name}-group",
            InputTopic = $"{name}-input",
            CommitInterval = commitInterval,
            SessionTimeout = sessionTimeout,
        };
        _cluster.CreateTopic(options.InputTopic, 2);
        return options;
    }

    /// <summary>
    /// The rebalance case of issue 13: a partition taken over from a node that had committed everything reported
    /// committed offset 0 and the whole partition as lag until new records arrived (a quiet topic then looks ~300k
    /// records behind after every rebalance). At assignment, before a record is read, the status must already say
    /// where the group is and how far behind.
    /// </summary>
    [Fact]
    public async Task Assigned_PartitionsTheGroupHadCommitted_ReportCommittedOffsetAndTrueLagFromTheAssignment()
    {
        var options = Options("lag", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(6));
        KafkaTopics.ProduceToEach(options, options.InputTopic, 2, 100);
        // The previous owner: all of partition 0 handled, partition 1 up to offset 60.
        using (var previous = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, options.GroupId, "previous-owner")).Build())
        {
            previous.Commit([new TopicPartitionOffset(options.InputTopic, 0, 100), new TopicPartitionOffset(options.InputTopic, 1, 60)]);
        }
        Assert.Equal(new Dictionary<int, long> { [0] = 100, [1] = 60 }, KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2));

        var source = new KafkaRecordSource(options, "new-owner");
        IReadOnlyList<PartitionStatus>? atAssignment = null;
        source.AssignmentChanged += () => atAssignment ??= source.Partitions.Count > 0 ? source.Partitions : null;
        // Reads without acknowledging anything: only the assignment can move the status.
        await using (var reader = new SourceReader(source, hold: true))
        {
            await Poll.UntilAsync(() => Volatile.Read(ref atAssignment) is not null, "the assignment", TimeSpan.FromSeconds(60), reader.Run);

            Assert.Equal([new PartitionStatus(options.InputTopic, 0, 100, 0), new PartitionStatus(options.InputTopic, 1, 60, 40)], atAssignment!);
            await Poll.UntilAsync(() => source.Consumed >= 40, "partition 1's unacknowledged records read", TimeSpan.FromSeconds(30), reader.Run);
            await Poll.UntilAsync(() => source.Partitions.SequenceEqual(atAssignment!), "the status after reading without acknowledging",
                TimeSpan.FromSeconds(10), reader.Run);
        }
        Assert.Equal(new Dictionary<int, long> { [0] = 100, [1] = 60 }, KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2));
    }

    /// <summary>
    /// The group coordinator's broker down (found by the broker-outage cluster test under load): the interval commit
    /// waited for the coordinator on the consume thread, which then read nothing and served no client event until the
    /// broker was back. The partitions led by the other brokers must keep flowing, and the commits catch up after.
    /// </summary>
    [Fact]
    public async Task CoordinatorDown_PartitionsOnOtherBrokersKeepFlowing_CommitsCatchUpOnceItIsBack()
    {
        // A long session timeout: the outage must not end the membership.
        var options = Options("coordinator", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
        _cluster.SetPartitionLeader(options.InputTopic, 0, 1);
        _cluster.SetPartitionLeader(options.InputTopic, 1, 3);
        _cluster.SetGroupCoordinator(options.GroupId, 2);
        KafkaTopics.ProduceToEach(options, options.InputTopic, 2, 100);

        var source = new KafkaRecordSource(options, "reader");
        await using var reader = new SourceReader(source, hold: false);
        await Poll.UntilAsync(() => KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2).Values.All(c => c == 100),
            "the first 200 records committed", TimeSpan.FromSeconds(60), reader.Run);
        _cluster.SetBrokerDown(2);
        try
        {
            // Records read and acknowledged now wait for a commit the coordinator cannot take; after a few commit
            // intervals of that, the next records must still be read.
            KafkaTopics.ProduceToEach(options, options.InputTopic, 2, 50);
            await Poll.UntilAsync(() => source.Consumed >= 300, "the first records produced during the outage read", TimeSpan.FromSeconds(60), reader.Run);
            await Task.Delay(TimeSpan.FromMilliseconds(500)); // they are acknowledged at once; several commit intervals pass
            KafkaTopics.ProduceToEach(options, options.InputTopic, 2, 50);
            await Poll.UntilAsync(() => source.Consumed >= 400, "the records produced after a commit had to wait for the coordinator read",
                TimeSpan.FromSeconds(60), reader.Run);
        }
        finally
        {
            _cluster.SetBrokerUp(2);
        }
        await Poll.UntilAsync(() => KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2).Values.All(c => c == 200),
            "every record committed once the coordinator is back", TimeSpan.FromSeconds(60), reader.Run);
    }
}
