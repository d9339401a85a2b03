using System.CommandLine;
using Detector.Node.Commands;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;

namespace Detector.Node.Kafka;

/// <summary>`detector replay`: produces a file or a generator into a topic at a given rate.</summary>
public static class ReplayCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var bootstrap = new Option<string>("--bootstrap-servers") { Description = "Kafka bootstrap servers (host:port,…).", Required = true };
        var topic = new Option<string>("--topic") { Description = "Topic to produce into.", DefaultValueFactory = _ => new KafkaOptions().InputTopic };
        var file = new Option<string?>("--file") { Description = "JSON lines or CSV file to replay (one record per line)." };
        var header = new Option<bool>("--csv-header") { Description = "The file's first line is a CSV header (skipped)." };
        var generator = new Option<string?>("--generator") { Description = "Embedded generator instead of a file: cards or fleet." };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 1 };
        var count = new Option<long>("--count") { Description = "Records to produce from a generator.", DefaultValueFactory = _ => 100_000 };
        var rate = new Option<double>("--rate") { Description = "Records per second; 0 = as fast as the brokers take them.", DefaultValueFactory = _ => 0 };
        var throttle = new Option<string?>("--throttle-group") { Description = "Wait while this consumer group is more than --max-lag records behind on a partition." };
        var maxLag = new Option<long>("--max-lag") { Description = "Records a partition may run ahead of --throttle-group.", DefaultValueFactory = _ => 20_000 };
        var command = new Command("replay", "Produces a CSV/JSONL file, or an embedded generator, into a Kafka topic at a given rate; exits once every record is acknowledged.\n\n" +
            "Examples:\n  ./detector replay --bootstrap-servers 127.0.0.1:9092 --generator cards --count 1000000 --rate 50000\n" +
            "  ./detector replay --bootstrap-servers 127.0.0.1:9092 --file data.csv --csv-header --topic detector-input")
        {
            bootstrap, topic, file, header, generator, seed, count, rate, throttle, maxLag,
        };
        command.SetAction((r, ct) => CommandGuard.RunAsync(async () =>
        {
            var path = r.GetValue(file);
            var name = r.GetValue(generator);
            if ((path is null) == (name is null))
            {
                await Console.Error.WriteLineAsync("replay: give exactly one of --file or --generator").ConfigureAwait(false);
                return 2;
            }
            if (path is not null && !File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"replay: --file {path} does not exist").ConfigureAwait(false);
                return 2;
            }
            IRecordGenerator? source;
            try
            {
                source = name is null ? null : RecordGenerators.Create(name, r.GetValue(seed));
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"replay: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            var records = source is not null ? ReplayRecords.FromGenerator(source, r.GetValue(count)) : ReplayRecords.FromFile(path!, r.GetValue(header));
            var options = new KafkaOptions { BootstrapServers = r.GetValue(bootstrap)! };
            var replay = new ReplayOptions { RecordsPerSecond = r.GetValue(rate), ThrottleGroup = r.GetValue(throttle), MaxLagPerPartition = r.GetValue(maxLag) };
            try
            {
                options.Validate();
                replay.Validate();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"replay: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            var result = await new KafkaReplay(options, r.GetValue(topic)!).RunAsync(records, replay, ct).ConfigureAwait(false);
            Console.WriteLine($"replayed {result.Produced:N0} records into {r.GetValue(topic)} in {result.Elapsed.TotalSeconds:F1}s " +
                $"({result.Produced / Math.Max(result.Elapsed.TotalSeconds, 1e-3):N0} records/s); failed {result.Failed:N0}");
            return result.Failed == 0 ? 0 : 1;
        }));
        return command;
    }
}
