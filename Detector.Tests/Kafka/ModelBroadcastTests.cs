using System.Collections.Concurrent;
using Confluent.Kafka;
using Detector.Models.Artifacts;
using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Streams.Kafka;
using Detector.Tests.Devices;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>Models arriving on the models topic: verified artifacts are installed in version order; corrupt ones are refused, logged and counted.</summary>
public sealed class ModelBroadcastTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task ModelsTopic_CorruptAndForeignArtifacts_RefusedWithTheReasonCountedNeverInstalled()
    {
        var options = new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, ModelsTopic = "models-corrupt" };
        _cluster.CreateTopic(options.ModelsTopic, 1);
        var schema = FeatureSchema.Numbered(6);
        using var producer = new KafkaProducerHost(options, "test-models");
        var log = new RecordingLogger();
        using var broadcast = new ModelBroadcast(options, producer, "n1", "default", schema, log);
        var installed = new ConcurrentQueue<long>();
        broadcast.Start(model =>
        {
            installed.Enqueue(model.Version);
            return Task.CompletedTask;
        });
        await broadcast.CaughtUp.WaitAsync(Patience);

        await broadcast.PublishAsync(Model(schema, 1), CancellationToken.None);
        var flipped = ModelArtifact.ToBytes(Model(schema, 2));
        flipped[flipped.Length / 2] ^= 0x5A; // one byte of the payload: the checksum no longer matches
        var foreign = ModelArtifact.ToBytes(Model(FeatureSchema.Numbered(7), 3)); // another schema
        await ProduceAsync(producer, options, flipped);
        await ProduceAsync(producer, options, "not an artifact at all"u8.ToArray());
        await ProduceAsync(producer, options, foreign);
        await broadcast.PublishAsync(Model(schema, 4), CancellationToken.None);

        await Poll.UntilAsync(() => installed.Contains(4), "model v4 installed", Patience);
        Assert.Equal([1L, 4L], installed.ToArray());
        Assert.Equal(3, broadcast.CorruptArtifacts);
        var refusals = log.Lines.Where(l => l.Message.Contains(" rejected: ", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.Contains("@1 rejected: corrupted: SHA-256 mismatch", refusals[0], StringComparison.Ordinal);
        Assert.Contains("@2 rejected: not a Detector model artifact", refusals[1], StringComparison.Ordinal);
        Assert.Contains("@3 rejected: ", refusals[2], StringComparison.Ordinal);
        Assert.All(refusals, r => Assert.Contains($"{options.ModelsTopic}[0]@", r, StringComparison.Ordinal));
    }

    private static Task ProduceAsync(KafkaProducerHost producer, KafkaOptions options, byte[] value) =>
        producer.ProduceAsync(options.ModelsTopic, [new Message<byte[]?, byte[]> { Key = "default"u8.ToArray(), Value = value }]).WaitAsync(Patience);

    private static ModelSnapshot Model(FeatureSchema schema, long version) =>
        TestData.Snapshot(new ModelOptions { HiddenSizes = [8], CodeSize = 2 }, schema, "default", version);
}
