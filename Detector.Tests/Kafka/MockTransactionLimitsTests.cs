using Confluent.Kafka;
using Detector.Streams.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>
/// What librdkafka 2.16's mock cluster does not do for transactions, pinned so that the README's "proven on the mock vs
/// rests on a real broker" stays true: if a librdkafka upgrade makes one of these fail, the mock has learned it and the
/// README (Detector.Streams, "Exactly once") and the ExactlyOnce tests can rely on it. Source: rdkafka_mock_handlers.c,
/// InitProducerId allocates a fresh producer id for a transactional.id it has seen (no epoch bump of the old one), and
/// Fetch answers LastStableOffset = high watermark and no aborted transactions.
/// </summary>
public sealed class MockTransactionLimitsTests : IDisposable
{
    private readonly MockCluster _cluster = new(3);
    private readonly KafkaOptions _options;

    public MockTransactionLimitsTests()
    {
        _options = new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, GroupId = "g", InputTopic = "in", OffsetsTopic = "off", AlertsTopic = "al" };
        _cluster.CreateTopic("in", 1);
        _cluster.CreateTopic("off", 1);
        _cluster.CreateTopic("al", 1);
    }

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void MockCluster_TransactionalIdInitialisedAgain_OldProducerIsNotFenced()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(_options, "g", "c")).Build();
        var input = new TopicPartition("in", 0);
        using var old = new PartitionTransaction(_options, input, "old", NullLogger.Instance);
        old.Add(0, 0, "al", [new Message<byte[]?, byte[]> { Value = [1] }]);
        old.Commit(0, 1, consumer.ConsumerGroupMetadata);

        using var next = new PartitionTransaction(_options, input, "next", NullLogger.Instance); // InitTransactions has completed
        old.Add(0, 1, "al", [new Message<byte[]?, byte[]> { Value = [2] }]);
        old.Commit(0, 2, consumer.ConsumerGroupMetadata); // a real broker refuses this: PRODUCER_FENCED

        Assert.Equal(2, OffsetsLog.ReadNext(_options, 0, "check"));
    }

    [Fact]
    public void MockCluster_AbortedRecords_AreSeenByReadCommittedReaders()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(_options, "g", "c")).Build();
        using var transaction = new PartitionTransaction(_options, new TopicPartition("in", 0), "p", NullLogger.Instance);
        transaction.Add(0, 0, "al", [new Message<byte[]?, byte[]> { Value = [1] }]);
        // The commit's EndTxn fails after its writes reached the brokers (UNKNOWN_PRODUCER_ID: abortable).
        _cluster.PushRequestErrors(KafkaApi.EndTxn, 59);
        Assert.ThrowsAny<KafkaException>(() => transaction.Commit(0, 1, consumer.ConsumerGroupMetadata));
        transaction.Abort();

        var readCommitted = _options with { Properties = new Dictionary<string, string> { ["isolation.level"] = "read_committed" } };
        Assert.Equal([(byte)1], KafkaTopics.ReadAll(readCommitted, "al", 1).Select(r => r.Message.Value[0])); // a real broker shows nothing
    }
}
