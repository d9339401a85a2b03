using System.CommandLine;
using Detector.Node.Commands;
using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Detector.Streams.Kafka;

namespace Detector.Node.Kafka;

/// <summary>`detector kafka …`: tools for trying a cluster without Kafka installed.</summary>
public static class KafkaCommand
{
    /// <summary>Builds `kafka` with `kafka mock` beneath it.</summary>
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "Mock brokers to start.", DefaultValueFactory = _ => 3 };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the input topic.", DefaultValueFactory = _ => 6 };
        var config = new Option<string?>("--config") { Description = "Create the topics named in this node configuration's Kafka section (default: the default names)." };
        var mock = new Command("mock", "Starts librdkafka's mock Kafka cluster on loopback, creates Detector's topics, prints the bootstrap address and stays up until interrupted.\n\n" +
            "Examples:\n  ./detector kafka mock\n  ./detector kafka mock --config config/fraud.json --partitions 12\n  DETECTOR__Kafka__BootstrapServers=<printed address> ./detector run --config config/fraud.json")
        {
            brokers, partitions, config,
        };
        mock.SetAction((r, ct) => CommandGuard.RunAsync(() => RunMockAsync(r.GetValue(brokers), r.GetValue(partitions), r.GetValue(config), ct)));
        return new Command("kafka", "Kafka tools.") { mock };
    }

    /// <summary>Creates the topics a node expects (names from the defaults of <see cref="KafkaOptions"/>).</summary>
    public static void CreateDetectorTopics(MockCluster cluster, KafkaOptions options, int inputPartitions)
    {
        cluster.CreateTopic(options.InputTopic, inputPartitions, 3);
        cluster.CreateTopic(options.AlertsTopic, inputPartitions, 3);
        cluster.CreateTopic(options.DeadLetterTopic, 1, 3);
        cluster.CreateTopic(options.ModelsTopic, 1, 3);
        cluster.CreateTopic(options.ControlTopic, 1, 3);
        // Kafka:Guarantee = ExactlyOnce: one offsets partition per input partition.
        cluster.CreateTopic(options.OffsetsTopic, inputPartitions, 3);
    }

    private static async Task<int> RunMockAsync(int brokers, int partitions, string? config, CancellationToken cancellationToken)
    {
        if (brokers < 1 || partitions < 1)
        {
            await Console.Error.WriteLineAsync("--brokers and --partitions must be >= 1").ConfigureAwait(false);
            return 2;
        }
        var topics = config is null ? new KafkaOptions() : NodeConfiguration.Load(config).Kafka;
        using var cluster = new MockCluster(brokers);
        var options = topics with { BootstrapServers = cluster.BootstrapServers };
        CreateDetectorTopics(cluster, options, partitions);
        Console.WriteLine($"mock Kafka cluster: {brokers} brokers ({KafkaLibrary.Description})");
        Console.WriteLine($"topics: {options.InputTopic} ({partitions} partitions), {options.AlertsTopic} ({partitions}), {options.DeadLetterTopic}, {options.ModelsTopic}, {options.ControlTopic}, {options.OffsetsTopic} ({partitions})");
        Console.WriteLine($"bootstrap.servers={cluster.BootstrapServers}");
        Console.WriteLine("press Ctrl+C to stop");
        using var shutdown = new ShutdownSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine("mock cluster stopped");
        return 0;
    }
}
