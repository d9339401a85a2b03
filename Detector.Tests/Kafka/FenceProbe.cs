using Confluent.Kafka;
using Detector.Streams.Kafka;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Kafka;

public sealed class FenceProbe(ITestOutputHelper output)
{
    [Fact]
    public async Task Probe()
    {
        using var cluster = new MockCluster(3);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "g", InputTopic = "in", OffsetsTopic = "off", AlertsTopic = "al" };
        cluster.CreateTopic("in", 1); cluster.CreateTopic("off", 1); cluster.CreateTopic("al", 1);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, "g", "c")).Build();
        var log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var tp = new TopicPartition("in", 0);
        using var old = new PartitionTransaction(options, tp, "old", log);
        await old.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [1] }]);
        old.Commit(1, consumer.ConsumerGroupMetadata);
        output.WriteLine("old committed once");
        await old.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [2] }]);
        using var fresh = new PartitionTransaction(options, tp, "new", log);
        output.WriteLine("new initialized");
        try { await old.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [3] }]).WaitAsync(TimeSpan.FromSeconds(20)); output.WriteLine("old produce after fence: ok"); }
        catch (Exception e) { output.WriteLine($"old produce after fence: {e.GetType().Name} {e.Message}"); }
        try { old.Commit(2, consumer.ConsumerGroupMetadata); output.WriteLine("old commit after fence: ok"); }
        catch (KafkaException e) { output.WriteLine($"old commit after fence: {e.GetType().Name} {e.Error.Code} fatal={e.Error.IsFatal} {e.Error.Reason}"); }
        output.WriteLine($"offsets log: {OffsetsLog.ReadNext(options, 0, "r")}");
    
    }

    [Fact]
    public async Task AbortProbe()
    {
        using var cluster = new MockCluster(3);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "g", InputTopic = "in", OffsetsTopic = "off", AlertsTopic = "al" };
        cluster.CreateTopic("in", 1); cluster.CreateTopic("off", 1); cluster.CreateTopic("al", 1);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, "g", "c")).Build();
        var log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        using var txn = new PartitionTransaction(options, new TopicPartition("in", 0), "p", log);
        await txn.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [1] }]);
        txn.Abort();
        await txn.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [2] }]);
        txn.Commit(1, consumer.ConsumerGroupMetadata);
        await txn.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [3] }]);
        cluster.PushRequestErrors(KafkaApi.EndTxn, 59);
        try { txn.Commit(2, consumer.ConsumerGroupMetadata); output.WriteLine("commit with injected 59: ok"); }
        catch (KafkaException e) { output.WriteLine($"commit with injected 59: {e.GetType().Name} {e.Error.Reason}"); txn.Abort(); }
        await txn.ProduceAsync("al", [new Message<byte[]?, byte[]> { Value = [4] }]);
        txn.Commit(3, consumer.ConsumerGroupMetadata);
        var seen = KafkaTopics.ReadAll(options with { Properties = new Dictionary<string, string> { ["isolation.level"] = "read_committed" } }, "al", 1).Select(r => r.Message.Value[0]);
        output.WriteLine($"read_committed sees: {string.Join(",", seen)} (1 cleanly aborted, 3 aborted after an injected EndTxn error)");
    }
}
