using System.Net;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>The real `detector` program: exit codes, SIGTERM drain, and the offline train → inspect → score path.</summary>
public sealed class NodeProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] LoopbackNode =
    [
        "run", "--http-port", "0", "--set", "Node:HttpAddress=127.0.0.1", "--set", "Source:RecordsPerSecond=20000",
        "--set", "Pipeline:Retraining:WarmUpRows=1000", "--set", "Pipeline:Retraining:Training:Epochs=3", "--set", "Pipeline:ModelActors=1",
    ];

    /// <summary>
    /// A node whose drain cannot finish: alerts go to /dev/full, so every write fails and is retried and what was scored
    /// is never acknowledged. Returned once a write has failed.
    /// </summary>
    private async Task<NodeProcess> StartUndrainableNodeAsync(string shutdownTimeout)
    {
        var node = await NodeProcess.StartNodeAsync([.. LoopbackNode, "--set", "Sinks:Alerts:Path=/dev/full",
            "--set", $"Node:ShutdownTimeout={shutdownTimeout}"], _dir);
        try
        {
            await node.WaitForOutputAsync("failed; retrying", TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    [Theory]
    [InlineData(15, "SIGTERM")]
    [InlineData(2, "SIGINT")]
    public async Task Run_StopSignal_StopsConsumingDrainsAndExitsZeroWithinTheBound(int signal, string name)
    {
        await using var node = await NodeProcess.StartNodeAsync([.. LoopbackNode, "--set", "Node:ShutdownTimeout=00:00:20"], _dir);
        using var http = new HttpClient { BaseAddress = node.Url };
        await node.WaitForOutputAsync("first model v1", TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        node.Signal(signal);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(25));

        Assert.True(code == 0, node.Output);
        Assert.Contains($"stop requested ({name})", node.Output, StringComparison.Ordinal);
        Assert.Matches(@"stopped: consumed (\d+), scored \1, ", node.Output); // drained: everything read was scored
    }

    [Fact]
    public async Task Run_WindowedConvAutoencoderOnFleet_ScoresWindowsAndAlertsNameSensors()
    {
        await using var node = await NodeProcess.StartNodeAsync([.. LoopbackNode, "--set", "Source:Dataset=fleet", "--set", "Source:Records=6000",
            "--set", "Pipeline:Retraining:Model:Kind=ConvolutionalAutoencoder", "--set", "Pipeline:Retraining:Model:WindowSteps=8",
            "--set", "Sinks:Alerts:Path=windowed-alerts.jsonl"], _dir);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(code == 0, node.Output);
        Assert.Matches(@"source finished: consumed 6000, scored 6000, ", node.Output);
        var alerts = File.ReadAllLines(Path.Combine(_dir, "windowed-alerts.jsonl"));
        Assert.NotEmpty(alerts);
        // Per-sensor attribution: the features blamed are the fleet's sensors, not window cells (named sensor@t-k).
        var sensors = Detector.Streams.Generators.RecordGenerators.Create("fleet", 1).Schema.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(alerts, a =>
        {
            using var alert = System.Text.Json.JsonDocument.Parse(a);
            var blamed = alert.RootElement.GetProperty("top_features").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToList();
            Assert.NotEmpty(blamed);
            Assert.All(blamed, name => Assert.Contains(name, sensors));
        });
    }

    [Fact]
    public async Task Run_JsonLogFormat_WritesOneJsonObjectPerLine()
    {
        await using var node = await NodeProcess.StartNodeAsync([.. LoopbackNode, "--log-format", "json"], _dir);
        node.Signal(15);
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(25)));

        // Every line the node printed, none skipped: a text line among them fails to parse.
        var logs = node.Output.Split('\n').ToList();
        Assert.True(logs.Count > 3, node.Output);
        foreach (var line in logs)
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
        }
        Assert.Contains(logs, l => l.Contains("HTTP listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_DrainLongerThanShutdownTimeout_ExitsOne()
    {
        await using var node = await StartUndrainableNodeAsync("00:00:02");

        node.Signal(15);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 1, node.Output);
        Assert.Contains("stop requested (SIGTERM)", node.Output, StringComparison.Ordinal);
        Assert.Contains("drain did not finish within 00:00:02", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Sigterm_ReadyzTurns503WhileDraining()
    {
        // The drain cannot finish and its bound is long: the node stays up, draining.
        await using var node = await StartUndrainableNodeAsync("00:05:00");
        using var http = new HttpClient { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(60) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        node.Signal(15);
        await node.WaitForOutputAsync("stop requested (SIGTERM)", TimeSpan.FromSeconds(60));
        var readyz = await http.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Contains("stopping", await readyz.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Run_SecondSigterm_WhileDraining_EndsTheProcessAtOnce()
    {
        // A drain that cannot finish under a long bound, with the HTTP server up: the operator's second SIGTERM must end
        // the process (no host inside the node may cancel it), not wait out the five minutes.
        await using var node = await StartUndrainableNodeAsync("00:05:00");
        node.Signal(15);
        await node.WaitForOutputAsync("stop requested (SIGTERM)", TimeSpan.FromSeconds(60));

        node.Signal(15);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 128 + 15, $"exit code {code} (expected 143: ended by the second SIGTERM)\n{node.Output}");
        Assert.DoesNotContain("stopped: consumed", node.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "Model:Path")]
    [InlineData("inspect", "artifact")]
    [InlineData("score", "--model")]
    public async Task Command_CorruptedArtifact_ExitsTwoNamingTheArgumentAndTheCorruption(string command, string key)
    {
        var generator = Detector.Streams.Generators.RecordGenerators.Create("cards", 5);
        var data = Path.Combine(_dir, "cards.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 50).Select(_ => System.Text.Encoding.UTF8.GetString(generator.Next().Payload)));
        var schema = new Detector.Models.Scoring.FeatureSchema(generator.Schema.Features.Select(f => f.Name));
        var rows = Enumerable.Range(0, 40 * schema.Count).Select(i => (float)Math.Sin(i)).ToArray();
        var bytes = Detector.Models.Artifacts.ModelArtifact.ToBytes(new Detector.Models.Training.Trainer().Train(rows, 40, schema, new(), new() { Epochs = 1 }));
        bytes[bytes.Length / 2] ^= 0xFF;
        var model = Path.Combine(_dir, "corrupted.dtm");
        File.WriteAllBytes(model, bytes);
        string[] args = command switch
        {
            "run" => ["run", "--http-port", "-1", "--set", $"Model:Path={model}"],
            "inspect" => ["inspect", model],
            _ => ["score", "--model", model, "--input", data, "--dataset", "cards", "--out", Path.Combine(_dir, "scores.csv")],
        };

        var (code, output) = await NodeProcess.RunAsync(args, _dir);

        Assert.True(code == 2, output);
        Assert.Contains($"{key} = '{model}' is invalid", output, StringComparison.Ordinal);
        Assert.Contains("SHA-256 mismatch", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // one clear line, no stack trace
    }

    [Theory]
    [InlineData(new[] { "run", "--set", "Pipeline:Thresholds:Percentile=0" }, "Pipeline:Thresholds:Percentile = 0 is invalid; allowed: (0, 100]")]
    [InlineData(new[] { "run", "--set", "Source:Kind=Kafka" }, "Kafka:BootstrapServers = '' is invalid")]
    [InlineData(new[] { "run", "--no-such-flag" }, "--no-such-flag")]
    [InlineData(new[] { "run", "--config", "absent.json" }, "--config = 'absent.json' is invalid")]
    [InlineData(new[] { "inspect", "absent.dtm" }, "artifact = 'absent.dtm' is invalid")]
    [InlineData(new[] { "bench", "kafka", "--records", "20000", "--python", "none" }, "--records = 20000 is invalid; allowed: >= 50000")]
    public async Task Command_UsageOrConfigurationError_ExitsTwoNamingTheProblem(string[] args, string message)
    {
        var (code, output) = await NodeProcess.RunAsync(args, _dir);

        Assert.True(code == 2, output);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EnvironmentVariable_OverridesTheConfigFile()
    {
        File.WriteAllText(Path.Combine(_dir, "appsettings.json"), """{ "Pipeline": { "Thresholds": { "Percentile": 99 } } }""");

        var (code, output) = await NodeProcess.RunAsync(["run"], _dir, new Dictionary<string, string> { ["DETECTOR__Pipeline__Thresholds__Percentile"] = "250" });

        Assert.True(code == 2, output);
        Assert.Contains("Pipeline:Thresholds:Percentile = 250", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("train")]
    [InlineData("score")]
    [InlineData("inspect")]
    [InlineData("demo")]
    public async Task Help_EveryNodeCommand_ShowsExamples(string command)
    {
        var (code, output) = await NodeProcess.RunAsync([command, "--help"], _dir);

        Assert.Equal(0, code);
        Assert.Contains("Examples:", output, StringComparison.Ordinal);
        Assert.Contains($"./detector {command}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainInspectScore_OnGeneratedRecords_WriteAVerifiedModelAndOneScorePerRecord()
    {
        var data = Path.Combine(_dir, "cards.jsonl");
        var generator = Detector.Streams.Generators.RecordGenerators.Create("cards", 5);
        File.WriteAllLines(data, Enumerable.Range(0, 3_000).Select(_ => System.Text.Encoding.UTF8.GetString(generator.Next().Payload))
            .Append("{\"broken\": ").Append("{\"card\":\"c1\",\"ts\":\"2025-01-01T00:00:00Z\",\"amount\":\"x\"}"));
        var model = Path.Combine(_dir, "models", "cards.dtm");

        var train = await NodeProcess.RunAsync(["train", "--input", data, "--dataset", "cards", "--out", model, "--epochs", "4"], _dir);
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("epoch 4/4", train.Output, StringComparison.Ordinal);
        Assert.Contains("2 rejected", train.Output, StringComparison.Ordinal);

        var inspect = await NodeProcess.RunAsync(["inspect", model, "--json"], _dir);
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        using var document = System.Text.Json.JsonDocument.Parse(inspect.Output);
        Assert.Equal(14, document.RootElement.GetProperty("schema").GetArrayLength());
        Assert.Equal(Detector.Models.Artifacts.ModelArtifact.Checksum(File.ReadAllBytes(model)), document.RootElement.GetProperty("sha256").GetString());
        Assert.Equal("Autoencoder", document.RootElement.GetProperty("architecture").GetProperty("kind").GetString());

        var scores = Path.Combine(_dir, "scores.csv");
        var score = await NodeProcess.RunAsync(["score", "--model", model, "--input", data, "--dataset", "cards", "--out", scores, "--percentile", "99"], _dir);
        Assert.True(score.ExitCode == 0, score.Output);
        var lines = File.ReadAllLines(scores);
        Assert.Equal(3_001, lines.Length);
        Assert.Equal(30, lines.Skip(1).Count(l => l.Split(',')[4] == "true"));
        Assert.Contains("rejected 2", score.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_ModelOfAnotherSchema_ExitsTwo()
    {
        var data = Path.Combine(_dir, "fleet.jsonl");
        var generator = Detector.Streams.Generators.RecordGenerators.Create("fleet", 5);
        File.WriteAllLines(data, Enumerable.Range(0, 200).Select(_ => System.Text.Encoding.UTF8.GetString(generator.Next().Payload)));
        var model = Path.Combine(_dir, "fleet.dtm");
        Assert.Equal(0, (await NodeProcess.RunAsync(["train", "-i", data, "--dataset", "fleet", "-o", model, "--epochs", "1"], _dir)).ExitCode);

        var (code, output) = await NodeProcess.RunAsync(["score", "-m", model, "-i", data, "--dataset", "cards"], _dir);

        Assert.True(code == 2, output);
        Assert.Contains("feature schema mismatch", output, StringComparison.Ordinal);
    }
}
