using Detector.Models.Scoring;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>Two nodes in one process on the mock cluster: group spread, one trainer, model broadcast, takeover.</summary>
public sealed class KafkaClusterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task TwoNodes_SharedInput_OneTrainerBothOnItsModelAndTakeoverWhenItLeaves()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            CommitInterval = TimeSpan.FromMilliseconds(200),
            SessionTimeout = TimeSpan.FromSeconds(3),
            StatusInterval = TimeSpan.FromMilliseconds(300),
        };
        _cluster.CreateTopic(options.InputTopic, 4);
        foreach (var topic in new[] { options.AlertsTopic, options.DeadLetterTopic, options.ModelsTopic, options.ControlTopic, options.StatusTopic })
        {
            _cluster.CreateTopic(topic, 1);
        }
        var generator = RecordGenerators.Create("cards", 9);
        var schema = new FeatureSchema(generator.Schema.Features.Select(f => f.Name));
        var pipeline = new PipelineOptions
        {
            ModelActors = 1,
            Thresholds = new ThresholdOptions { Percentile = 99, WindowSize = 2_000, WarmUp = 200 },
            Retraining = new RetrainingOptions
            {
                WarmUpRows = 1_500, EveryRows = 0, ReservoirCapacity = 3_000, RecentCapacity = 1_000,
                Training = new Detector.Models.Training.TrainingOptions { Epochs = 2, Threads = 1 },
            },
        };
        var logs = new Dictionary<string, Detector.Tests.Devices.RecordingLogger> { ["a"] = new(), ["b"] = new() };
        KafkaNode Node(string id) => new(options, id, pipeline, RecordDecoder.Create(generator.Schema), schema, logs[id]);
        try
        {
            var replay = await new KafkaReplay(options, options.InputTopic).RunAsync(ReplayRecords.FromGenerator(generator, 12_000), new ReplayOptions(), CancellationToken.None);
            var total = replay.HighWatermarks.Values.Sum();

            await using var a = Node("a");
            await using var b = Node("b");
            using var stopA = new CancellationTokenSource();
            using var stopB = new CancellationTokenSource();
            var runA = a.RunAsync(stopA.Token);
            var runB = b.RunAsync(stopB.Token);
            // The group settles after a rebalance or two (the first node to join holds all four partitions for a while).
            await Poll.UntilAsync(() => a.Pipeline.Metrics.Scored + b.Pipeline.Metrics.Scored >= total && a.Source.Partitions.Count == 2 && b.Source.Partitions.Count == 2,
                "both nodes scoring all records, two partitions each", Patience, runA, runB);

            // The election settles after the group's rebalances: wait for it, then exactly one node trains.
            await Poll.UntilAsync(() => a.Cluster.Election.IsTrainer ^ b.Cluster.Election.IsTrainer, "one trainer", Patience, runA, runB);
            Assert.Equal(a.Pipeline.Registry.Version, b.Pipeline.Registry.Version);
            Assert.Equal(1, a.Pipeline.Registry.Version);
            await Poll.UntilAsync(() => a.Cluster.Board.Nodes.Count == 2 && b.Cluster.Board.Nodes.Count == 2 && b.Cluster.Board.Nodes.Any(n => n.NodeId == "a" && n.ModelVersion == 1)
                && a.Cluster.Board.Nodes.Any(n => n.NodeId == "b" && n.ModelVersion == 1 && n.Partitions.Count == 2)
                && a.Cluster.Board.Nodes.Count(n => n.Role == "trainer") == 1, "status of both nodes, one trainer, on both boards", Patience, runA, runB);

            // A retrain requested from the scorer is done by the trainer and reaches both nodes.
            var (trainer, scorer, stopTrainer, runTrainer, runScorer) = a.Cluster.Election.IsTrainer ? (a, b, stopA, runA, runB) : (b, a, stopB, runB, runA);
            await scorer.Cluster.RequestRetrainAsync();
            await Poll.UntilAsync(() => scorer.Pipeline.Registry.Version >= 2 && trainer.Pipeline.Registry.Version >= 2, "retrained model on both nodes", Patience, runA, runB);

            // The trainer leaves: the scorer takes over the role and all partitions.
            stopTrainer.Cancel();
            await runTrainer.WaitAsync(TimeSpan.FromSeconds(30));
            await trainer.DisposeAsync();
            await Poll.UntilAsync(() => scorer.Cluster.Election.IsTrainer && scorer.Source.Partitions.Count == 4, "takeover", Patience, runScorer);
            var more = await new KafkaReplay(options, options.InputTopic).RunAsync(ReplayRecords.FromGenerator(generator, 2_000), new ReplayOptions(), CancellationToken.None);
            var end = more.HighWatermarks.Values.Sum();
            await Poll.UntilAsync(() => scorer.Source.Partitions.Sum(p => p.CommittedOffset) >= end, "records after takeover scored", Patience, runScorer);
            var committed = KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 4);
            stopA.Cancel();
            stopB.Cancel();
            await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(30));
            committed = KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 4);
            Assert.Equal(end, committed.Values.Sum());
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            // What each node logged says why a wait ran out (a rejected retrain, a role that moved, a rebalance).
            var lines = logs.SelectMany(l => l.Value.Lines.Select(x => $"{l.Key} {x.Level}: {x.Message}"));
            throw new TimeoutException($"{e.Message}\nnode logs:\n{string.Join('\n', lines)}", e);
        }
    }

    [Fact]
    public async Task StartAsync_ControlTopicWithSeveralPartitions_RefusesNamingTheKey()
    {
        var options = new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, ControlTopic = "control-6" };
        _cluster.CreateTopic(options.ControlTopic, 6);
        _cluster.CreateTopic(options.InputTopic, 1);
        var generator = RecordGenerators.Create("cards", 1);
        var schema = new FeatureSchema(generator.Schema.Features.Select(f => f.Name));
        await using var node = new KafkaNode(options, "x", new PipelineOptions(), RecordDecoder.Create(generator.Schema), schema);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => node.RunAsync(CancellationToken.None));
        Assert.Contains("Kafka:ControlTopic 'control-6' has 6 partitions", error.Message, StringComparison.Ordinal);
    }
}
