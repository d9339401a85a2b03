using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

public sealed class KafkaOptionsTests
{
    private static readonly KafkaOptions Valid = new() { BootstrapServers = "127.0.0.1:9092" };

    [Fact]
    public void Validate_Defaults_Pass() => Valid.Validate();

    [Theory]
    [InlineData("BootstrapServers")]
    [InlineData("InputTopic")]
    [InlineData("TrainerGroupId")]
    [InlineData("MaxInFlightRecords")]
    [InlineData("SessionTimeout")]
    public void Validate_BadValue_NamesTheKey(string key)
    {
        var options = key switch
        {
            "BootstrapServers" => Valid with { BootstrapServers = " " },
            "InputTopic" => Valid with { InputTopic = "bad topic!" },
            "TrainerGroupId" => Valid with { TrainerGroupId = Valid.GroupId },
            "MaxInFlightRecords" => Valid with { MaxInFlightRecords = 0 },
            _ => Valid with { SessionTimeout = TimeSpan.FromMilliseconds(10) },
        };

        var error = Assert.ThrowsAny<ArgumentException>(() => options.Validate());

        Assert.Contains($"Kafka:{key} = ", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Guarantee_DefaultsToAtLeastOnceBindsExactlyOnceAndRefusesOthersNamingTheKey()
    {
        var config = Path.Combine(Directory.CreateTempSubdirectory("detector-guarantee-").FullName, "config.json");
        File.WriteAllText(config, "{}");
        static Dictionary<string, string?> Env(string value) => new()
        {
            ["DETECTOR__Kafka__Guarantee"] = value, ["DETECTOR__Kafka__BootstrapServers"] = "127.0.0.1:9092", ["DETECTOR__Source__Kind"] = "Kafka",
            ["DETECTOR__Sinks__Alerts__Kind"] = "Kafka", ["DETECTOR__Sinks__DeadLetters__Kind"] = "Kafka",
        };

        Assert.Equal(KafkaGuarantee.AtLeastOnce, Detector.Node.Configuration.NodeConfiguration.Load(config, new Dictionary<string, string?>()).Kafka.Guarantee);
        Assert.Equal(KafkaGuarantee.ExactlyOnce, Detector.Node.Configuration.NodeConfiguration.Load(config, Env("ExactlyOnce")).Kafka.Guarantee);
        var error = Assert.ThrowsAny<Exception>(() => Detector.Node.Configuration.NodeConfiguration.Load(config, Env("AtMostOnce")));
        Assert.Contains("Kafka:Guarantee", error.Message, StringComparison.Ordinal);
        Assert.Contains("ExactlyOnce", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientConfigs_UserPropertiesOverrideDefaults_SecuritySettingsReachEveryClient()
    {
        var options = Valid with { Properties = new Dictionary<string, string> { ["security.protocol"] = "SASL_SSL", ["linger.ms"] = "50" } };

        Assert.Equal("SASL_SSL", KafkaClientConfigs.Consumer(options, "g", "c").Get("security.protocol"));
        Assert.Equal("SASL_SSL", KafkaClientConfigs.Reader(options, "c").Get("security.protocol"));
        Assert.Equal("50", KafkaClientConfigs.Producer(options, "c").Get("linger.ms"));
        Assert.True(KafkaClientConfigs.Producer(options, "c").EnableIdempotence);
        Assert.False(KafkaClientConfigs.Consumer(options, "g", "c").EnableAutoCommit);
    }

    [Fact]
    public void ClientConfigs_StaticMembership_InstanceIdOnlyOnTheInputConsumerWhenGiven()
    {
        Assert.Equal("node-1", KafkaClientConfigs.Consumer(Valid, "g", "node-1", "node-1").GroupInstanceId);
        Assert.Null(KafkaClientConfigs.Consumer(Valid, "g", "node-1").GroupInstanceId);
        Assert.False(Valid.StaticMembership);
    }
}
