using Detector.Node.Configuration;
using Detector.Tests.Node;
using Xunit;

namespace Detector.Tests.Deployment;

/// <summary>
/// docker-compose.yml, the Prometheus and Grafana files it mounts, and the Dockerfile agree with each other and with
/// the node: services, ports, mounted files that exist, configuration keys that exist. No container engine runs here.
/// </summary>
public sealed class ComposeTests
{
    private static readonly Dictionary<string, object?> Compose = Yaml.Map("docker-compose.yml");

    private static Dictionary<string, object?> Service(string name) => Yaml.MapAt(Compose, "services", name);

    private static readonly string[] Nodes = ["detector-1", "detector-2", "detector-3"];

    [Fact]
    public void Compose_HasKafkaInKraftModeThreeNodesReplayPrometheusAndGrafana()
    {
        var services = Yaml.MapAt(Compose, "services").Keys.Order().ToList();

        Assert.Equal(["detector-1", "detector-2", "detector-3", "grafana", "kafka", "kafka-init", "prometheus", "replay"], services);
        var kafka = Yaml.MapAt(Service("kafka"), "environment");
        Assert.Equal("broker,controller", kafka["KAFKA_PROCESS_ROLES"]);
        Assert.True(kafka.ContainsKey("KAFKA_CONTROLLER_QUORUM_VOTERS"), "KRaft needs a controller quorum");
        Assert.DoesNotContain(services, s => s.Contains("zookeeper", StringComparison.Ordinal));
    }

    [Fact]
    public void DetectorNodes_EnvironmentNamesExistingKeys_AndBootstrapMatchesKafka()
    {
        var advertised = Yaml.TextAt(Service("kafka"), "environment", "KAFKA_ADVERTISED_LISTENERS");
        foreach (var name in Nodes)
        {
            var env = Yaml.MapAt(Service(name), "environment").ToDictionary(e => e.Key, e => (string?)e.Value);
            var command = Yaml.ListAt(Service(name), "command").Cast<string>().ToList();
            var config = command[command.IndexOf("--config") + 1];
            Assert.Equal("/etc/detector/", config[..(config.LastIndexOf('/') + 1)]);
            // Strict binding of the config the image ships (config/ is copied to /etc/detector) plus this service's env.
            var options = NodeConfiguration.Load(RepositoryFiles.PathOf($"config/{Path.GetFileName(config)}"), env);
            Assert.Contains(options.Kafka.BootstrapServers, advertised, StringComparison.Ordinal);
        }
        Assert.Equal(Nodes, Nodes.Select(n => Yaml.TextAt(Service(n), "environment", "DETECTOR__Node__Id")));
    }

    /// <summary>The Kafka section the compose nodes run with (they load /etc/detector/fraud.json, i.e. config/fraud.json).</summary>
    private static Detector.Streams.Kafka.KafkaOptions FraudKafka() =>
        NodeConfiguration.Load(RepositoryFiles.PathOf("config/fraud.json"), new Dictionary<string, string?>()).Kafka;

    [Fact]
    public void Replay_CommandParsesAsTheRealCli_AndProducesIntoTheNodesInputTopic()
    {
        var command = Yaml.ListAt(Service("replay"), "command").Cast<string>().ToArray();
        var parsed = Detector.Node.Cli.Build().Parse(command);
        Assert.Empty(parsed.Errors);
        Assert.Contains(command[Array.IndexOf(command, "--bootstrap-servers") + 1], Yaml.TextAt(Service("kafka"), "environment", "KAFKA_ADVERTISED_LISTENERS"), StringComparison.Ordinal);
        Assert.Equal(FraudKafka().InputTopic, command[Array.IndexOf(command, "--topic") + 1]);
    }

    [Fact]
    public void KafkaInit_CreatesEveryTopicTheNodesUse_WithOneControlPartition()
    {
        var script = string.Join("\n", Yaml.ListAt(Service("kafka-init"), "command").Cast<string>());
        var options = FraudKafka();
        foreach (var topic in new[] { options.InputTopic, options.AlertsTopic, options.DeadLetterTopic, options.ModelsTopic })
        {
            Assert.Contains($"--topic {topic} ", script, StringComparison.Ordinal);
        }
        Assert.Contains($"--topic {options.ControlTopic} --partitions 1", script, StringComparison.Ordinal);
        Assert.Contains($"--topic {options.ModelsTopic} --partitions 1 --config cleanup.policy=compact", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Prometheus_ScrapesEveryNodeOnItsHttpPort_AndLoadsTheMountedRules()
    {
        var prometheus = Service("prometheus");
        var mounts = Yaml.ListAt(prometheus, "volumes").Cast<string>().Select(v => v.Split(':')).ToDictionary(p => p[1], p => p[0]);
        var configFile = mounts["/etc/prometheus/prometheus.yml"];
        var config = Yaml.Map(configFile.TrimStart('.', '/'));
        var ruleFile = Yaml.ListAt(config, "rule_files").Cast<string>().Single();

        Assert.True(File.Exists(RepositoryFiles.PathOf(mounts[ruleFile].TrimStart('.', '/'))), $"{mounts[ruleFile]} is mounted but missing");
        var job = Yaml.ListAt(config, "scrape_configs").Cast<Dictionary<string, object?>>().Single();
        Assert.Equal("detector", job["job_name"]);
        var targets = Yaml.ListAt(job, "static_configs", 0, "targets").Cast<string>().ToList();
        foreach (var node in Nodes)
        {
            var port = Yaml.TextAt(Service(node), "environment", "DETECTOR__Node__HttpPort");
            Assert.Contains($"{node}:{port}", targets);
            Assert.Contains(port, Yaml.ListAt(Service(node), "expose").Cast<string>());
        }
    }

    [Fact]
    public void Grafana_ProvisionsThePrometheusDataSourceAndTheDashboardFolder()
    {
        var mounts = Yaml.ListAt(Service("grafana"), "volumes").Cast<string>().Select(v => v.Split(':')).ToDictionary(p => p[1], p => p[0].TrimStart('.', '/'));
        var provider = Yaml.Map($"{mounts["/etc/grafana/provisioning/dashboards"]}/detector.yml");
        var dashboards = Yaml.TextAt(provider, "providers", 0, "options", "path");
        var datasource = Yaml.Map($"{mounts["/etc/grafana/provisioning/datasources"]}/prometheus.yml");

        Assert.True(File.Exists(RepositoryFiles.PathOf($"{mounts[dashboards]}/detector.json")));
        Assert.Equal("http://prometheus:9090", Yaml.TextAt(datasource, "datasources", 0, "url"));
        Assert.Contains("9090:9090", Yaml.ListAt(Service("prometheus"), "ports").Cast<string>());
        var uid = Yaml.TextAt(datasource, "datasources", 0, "uid");
        Assert.All(System.Text.RegularExpressions.Regex.Matches(RepositoryFiles.Read($"{mounts[dashboards]}/detector.json"), "\"uid\": \"([a-z]+)\"")
            .Select(m => m.Groups[1].Value).Where(u => u != "detector"), u => Assert.Equal(uid, u));
    }

    [Fact]
    public void Dockerfile_IsMultiStageNonRootAndInstallsOpenBlasButNotDebiansLibrdkafka()
    {
        var lines = RepositoryFiles.Read("Dockerfile").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var instructions = string.Join('\n', lines);

        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "multi-stage: a build stage and a runtime stage");
        Assert.Contains("COPY --from=build", instructions, StringComparison.Ordinal);
        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        Assert.False(user is "root" or "0", $"USER {user} is root");
        // librdkafka ships in the publish output (librdkafka.redist); Debian's librdkafka1 is not used any more.
        Assert.DoesNotContain("librdkafka1", instructions, StringComparison.Ordinal);
        Assert.Contains("libopenblas0-pthread", instructions, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {new NodeHostOptions().HttpPort}", lines);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/detector.dll\"]", lines);
        Assert.Contains("COPY config/ /etc/detector/", lines);
    }

    [Fact]
    public void Dockerfile_BaseImagesAreBuildArgumentsDefaultingToTheOfficialDotNetImages()
    {
        var lines = RepositoryFiles.Read("Dockerfile").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var global = lines.TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        // ARGs before the first FROM are the ones FROM lines can use; make image-test overrides them with stand-ins.
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble", global);
        Assert.Contains("ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble", global);
        Assert.Contains("FROM ${SDK_IMAGE} AS build", lines);
        Assert.Contains("FROM ${RUNTIME_IMAGE} AS runtime", lines);
        // The default build restores from nuget.org: no restore flags unless a build argument adds them.
        Assert.Contains("ARG RESTORE_ARGS=\"\"", lines);
    }
}
