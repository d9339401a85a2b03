using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>`Kafka:Guarantee = ExactlyOnce` needs Kafka at both ends: anything else stops start-up with exit 2 naming the key.</summary>
public sealed class ExactlyOnceStartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-eos-startup-").FullName;

    public ExactlyOnceStartupTests() => File.WriteAllText(Path.Combine(_dir, "in.jsonl"), "");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(new[] { "--set", "Source:Kind=Generator" }, "Source:Kind = Generator, Sinks:Alerts:Kind = File, Sinks:DeadLetters:Kind = File")]
    [InlineData(new[] { "--set", "Source:Kind=Kafka", "--set", "Sinks:Alerts:Kind=Kafka", "--set", "Sinks:DeadLetters:Kind=Stdout" }, "but Sinks:DeadLetters:Kind = Stdout")]
    [InlineData(new[] { "--set", "Source:Kind=File", "--set", "Source:Path=in.jsonl", "--set", "Sinks:Alerts:Kind=Kafka", "--set", "Sinks:DeadLetters:Kind=Kafka" }, "but Source:Kind = File")]
    public async Task Run_ExactlyOnceWithASourceOrSinkNotKafka_ExitsTwoNamingTheKeyAndWhatItNeeds(string[] settings, string names)
    {
        var (code, output) = await Detector.Tests.Node.NodeProcess.RunAsync(["run", "--set", "Kafka:Guarantee=ExactlyOnce", "--set", "Kafka:BootstrapServers=127.0.0.1:1", .. settings], _dir);

        Assert.True(code == 2, output);
        Assert.Contains("Kafka:Guarantee = ExactlyOnce is invalid", output, StringComparison.Ordinal);
        Assert.Contains("ExactlyOnce needs Source:Kind, Sinks:Alerts:Kind and Sinks:DeadLetters:Kind all Kafka", output, StringComparison.Ordinal);
        Assert.Contains(names, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
