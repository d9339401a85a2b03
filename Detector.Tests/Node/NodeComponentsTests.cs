using System.Text;
using Detector.Models.Validation;
using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Generators;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>Sources and sinks come from factories keyed by kind; a kind a build lacks is a configuration error naming the key.</summary>
public sealed class NodeComponentsTests
{
    [Fact]
    public void Source_KindWithoutFactory_ThrowsNamingTheKeyAndTheKindsAvailable()
    {
        var components = new NodeComponents().WithSource(SourceKind.Generator, BuiltInComponents.GeneratorSource);

        var error = Assert.Throws<InvalidOptionException>(() => components.Source(SourceKind.Kafka));

        Assert.Equal("Source:Kind", error.Key);
        Assert.Equal("Generator (Kafka is not available in this build)", error.Allowed);
    }

    [Fact]
    public void Sinks_KindWithoutFactory_NameTheirOwnKeys()
    {
        var components = new NodeComponents();

        Assert.Equal("Sinks:Alerts:Kind", Assert.Throws<InvalidOptionException>(() => components.AlertSink(SinkKind.Kafka)).Key);
        Assert.Equal("Sinks:DeadLetters:Kind", Assert.Throws<InvalidOptionException>(() => components.DeadLetterSink(SinkKind.Stdout)).Key);
    }

    [Fact]
    public async Task BuiltIn_EachFactory_BuildsWhatTheOptionsName()
    {
        var dir = Directory.CreateTempSubdirectory("detector-components-").FullName;
        try
        {
            var input = Path.Combine(dir, "in.jsonl");
            var generator = RecordGenerators.Create("fleet", 9);
            var expected = Enumerable.Range(0, 300).Select(_ => generator.Next().Payload).ToList();
            File.WriteAllLines(input, expected.Take(3).Select(p => Encoding.UTF8.GetString(p)));
            var options = NodeConfiguration.Load(null, new Dictionary<string, string>(), new Dictionary<string, string?>
            {
                ["Source:Dataset"] = "fleet", ["Source:Seed"] = "9", ["Source:Records"] = "300", ["Source:RecordsPerSecond"] = "0", ["Source:Path"] = input,
                ["Sinks:Alerts:Path"] = Path.Combine(dir, "out", "alerts.jsonl"), ["Sinks:DeadLetters:Path"] = Path.Combine(dir, "out", "dead.jsonl"),
            });
            var context = new NodeContext(options, options.EffectiveSchema, NullLoggerFactory.Instance, new NodeState("components"), TimeProvider.System);
            var components = NodeComponents.BuiltIn();

            // Sources: the configured generator (dataset, seed, count) and the configured file, each reporting one partition.
            var generated = components.Source(SourceKind.Generator)(context, null!);
            Assert.Equal(expected.Select(p => p.ToArray()), await ReadAllAsync(generated));
            Assert.Equal("generator:fleet", Assert.Single(((ISourceStatus)generated).Partitions).Topic);
            var file = components.Source(SourceKind.File)(context, null!);
            Assert.Equal(expected.Take(3).Select(p => p.ToArray()), await ReadAllAsync(file));
            Assert.Equal("file:in.jsonl", Assert.Single(((ISourceStatus)file).Partitions).Topic);

            // File sinks: JSON lines at the configured paths (the folder is created).
            var alerts = components.AlertSink(SinkKind.File)(context);
            await alerts.PublishAsync([new Alert("r-1", "v-1", DateTimeOffset.UnixEpoch, 2f, 1f, 3, [], null)], CancellationToken.None);
            await ((IAsyncDisposable)alerts).DisposeAsync();
            var alert = Assert.Single(File.ReadAllLines(Path.Combine(dir, "out", "alerts.jsonl")));
            Assert.Contains("\"record_id\":\"r-1\"", alert, StringComparison.Ordinal);
            var deadLetters = components.DeadLetterSink(SinkKind.File)(context);
            await deadLetters.WriteAsync(new DeadLetter("{\"x\""u8.ToArray(), new SourcePosition(0, 41), DeadLetterReason.Malformed, "cut short"), CancellationToken.None);
            await ((IAsyncDisposable)deadLetters).DisposeAsync();
            var letter = Assert.Single(File.ReadAllLines(Path.Combine(dir, "out", "dead.jsonl")));
            Assert.Contains("Malformed", letter, StringComparison.Ordinal);
            Assert.Contains("cut short", letter, StringComparison.Ordinal);

            // Standard output cannot be captured in-process: the stdout sinks are the JSON-lines sinks.
            Assert.IsType<JsonLinesAlertSink>(components.AlertSink(SinkKind.Stdout)(context));
            Assert.IsType<JsonLinesDeadLetterSink>(components.DeadLetterSink(SinkKind.Stdout)(context));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<List<byte[]>> ReadAllAsync(IRecordSource source)
    {
        var payloads = new List<byte[]>();
        await foreach (var chunk in source.ReadAsync(CancellationToken.None))
        {
            payloads.AddRange(chunk.Select(r => r.Payload.ToArray()));
        }
        return payloads;
    }
}
