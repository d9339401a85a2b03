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

    [Fact]
    public async Task Run_Sigterm_StopsConsumingDrainsAndExitsZeroWithinTheBound()
    {
        await using var node = await NodeProcess.StartNodeAsync([.. LoopbackNode, "--set", "Node:ShutdownTimeout=00:00:20"], _dir);
        using var http = new HttpClient { BaseAddress = node.Url };
        await node.WaitForOutputAsync("first model v1", TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        node.Signal(15);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(25));

        Assert.True(code == 0, node.Output);
        Assert.Contains("stop requested (SIGTERM)", node.Output, StringComparison.Ordinal);
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
        // Per-sensor attribution: the features blamed are sensors, not window cells (those are named sensor@t-k).
        Assert.All(alerts, a => Assert.DoesNotContain("@t-", a, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_JsonLogFormat_WritesOneJsonObjectPerLine()
    {
        await using var node = await NodeProcess.StartNodeAsync([.. LoopbackNode, "--log-format", "json"], _dir);
        node.Signal(15);
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(25)));

        var logs = node.Output.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(logs);
        foreach (var line in logs)
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
        }
        Assert.Contains(logs, l => l.Contains("HTTP listening on", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "run", "--set", "Pipeline:Thresholds:Percentile=0" }, "Pipeline:Thresholds:Percentile = 0 is invalid; allowed: (0, 100]")]
    [InlineData(new[] { "run", "--set", "Source:Kind=Kafka" }, "Kafka:BootstrapServers = '' is invalid")]
    [InlineData(new[] { "run", "--no-such-flag" }, "--no-such-flag")]
    [InlineData(new[] { "run", "--config", "absent.json" }, "--config = 'absent.json' is invalid")]
    [InlineData(new[] { "inspect", "absent.dtm" }, "artifact = 'absent.dtm' is invalid")]
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
