using System.Diagnostics;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>`detector kafka mock` and `detector replay` as a user runs them: separate processes.</summary>
[Collection(ClusterProcesses.Name)]
public sealed class KafkaToolTests
{
    [Fact]
    public async Task KafkaMock_ThenReplay_RecordsLandOnTheCreatedTopicAndMockStopsOnSigterm()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "detector.dll");
        var mock = Process.Start(new ProcessStartInfo("dotnet") { ArgumentList = { dll, "kafka", "mock", "--partitions", "3" }, RedirectStandardOutput = true })!;
        try
        {
            string? bootstrap = null;
            using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (bootstrap is null && await mock.StandardOutput.ReadLineAsync(startup.Token) is { } line)
            {
                bootstrap = line.StartsWith("bootstrap.servers=", StringComparison.Ordinal) ? line["bootstrap.servers=".Length..] : null;
            }
            Assert.NotNull(bootstrap);

            using var replay = Process.Start(new ProcessStartInfo("dotnet")
            {
                ArgumentList = { dll, "replay", "--bootstrap-servers", bootstrap, "--generator", "fleet", "--count", "5000", "--rate", "20000" },
                RedirectStandardOutput = true,
            })!;
            string said;
            try
            {
                using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                said = await replay.StandardOutput.ReadToEndAsync(replayed.Token);
                await replay.WaitForExitAsync(replayed.Token);
            }
            finally
            {
                if (!replay.HasExited)
                {
                    replay.Kill(entireProcessTree: true);
                }
            }
            Assert.Equal(0, replay.ExitCode);
            Assert.Contains("replayed 5,000 records", said, StringComparison.Ordinal);

            var options = new KafkaOptions { BootstrapServers = bootstrap };
            var records = KafkaTopics.ReadAll(options, options.InputTopic, 3);
            Assert.Equal(5_000, records.Count);
            Assert.Equal(3, records.Select(r => r.Partition.Value).Distinct().Count());
            var first = RecordGenerators.Create("fleet", 1).Next();
            Assert.Contains(records, r => r.Message.Value.AsSpan().SequenceEqual(first.Payload));

            NodeProcess.Terminate(mock.Id);
            await mock.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, mock.ExitCode);
        }
        finally
        {
            if (!mock.HasExited)
            {
                mock.Kill(entireProcessTree: true);
            }
            mock.Dispose();
        }
    }
}
