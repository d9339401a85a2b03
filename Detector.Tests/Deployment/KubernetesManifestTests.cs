using System.Text.Json;
using Detector.Node.Configuration;
using Detector.Tests.Node;
using Xunit;

namespace Detector.Tests.Deployment;

/// <summary>
/// The k8s/ manifests parse, and their references hold: labels and selectors, port names and numbers, probe paths,
/// the ConfigMap's configuration and every DETECTOR__ variable against the node's options, the GPU request, the
/// alerting rules against deploy/prometheus/rules.yml. No cluster runs here; these are static checks.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] Files = Directory.GetFiles(RepositoryFiles.PathOf("k8s"), "*.yaml").Select(Path.GetFileName).Order().ToArray()!;

    private static Dictionary<string, object?> Manifest(string kind, string name) =>
        Files.SelectMany(f => Yaml.Documents($"k8s/{f}")).Cast<Dictionary<string, object?>>()
            .Single(d => Yaml.TextAt(d, "kind") == kind && Yaml.TextAt(d, "metadata", "name") == name);

    private static Dictionary<string, object?> Container(Dictionary<string, object?> deployment) =>
        (Dictionary<string, object?>)Yaml.ListAt(deployment, "spec", "template", "spec", "containers").Single()!;

    private static bool Selects(Dictionary<string, object?> selector, Dictionary<string, object?> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var v) && Equals(v, s.Value));

    [Fact]
    public void EveryManifest_ParsesWithKindNameAndTheDetectorNamespace()
    {
        var documents = Files.SelectMany(f => Yaml.Documents($"k8s/{f}")).Cast<Dictionary<string, object?>>().ToList();

        Assert.Equal(
            ["ConfigMap", "Deployment", "Deployment", "Namespace", "PodDisruptionBudget", "PrometheusRule", "Role", "RoleBinding", "ScaledObject", "Secret", "Service", "Service", "ServiceAccount", "ServiceMonitor"],
            documents.Select(d => Yaml.TextAt(d, "kind")).Order());
        foreach (var d in documents.Where(d => Yaml.TextAt(d, "kind") != "Namespace"))
        {
            Assert.Equal("detector", Yaml.TextAt(d, "metadata", "namespace"));
        }
    }

    [Theory]
    [InlineData("detector")]
    [InlineData("detector-gpu")]
    public void Deployment_PodsMatchSelectorServiceAndProbesUseTheHttpPort(string name)
    {
        var deployment = Manifest("Deployment", name);
        var labels = Yaml.MapAt(deployment, "spec", "template", "metadata", "labels");
        var container = Container(deployment);
        var service = Manifest("Service", "detector");

        Assert.True(Selects(Yaml.MapAt(deployment, "spec", "selector", "matchLabels"), labels));
        Assert.True(Selects(Yaml.MapAt(service, "spec", "selector"), labels), "the Service must select these pods");
        var port = (Dictionary<string, object?>)Yaml.ListAt(container, "ports").Single()!;
        Assert.Equal("http", port["name"]);
        Assert.Equal(new NodeHostOptions().HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), port["containerPort"]);
        Assert.Equal("/healthz", Yaml.TextAt(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Yaml.TextAt(container, "readinessProbe", "httpGet", "path"));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            Assert.Equal("http", Yaml.TextAt(container, probe, "httpGet", "port"));
        }
        Assert.NotNull(Yaml.At(container, "resources", "requests", "cpu"));
        Assert.NotNull(Yaml.At(container, "resources", "requests", "memory"));
        var grace = int.Parse(Yaml.TextAt(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture);
        var shutdown = NodeConfiguration.Load(RepositoryFiles.PathOf("config/fraud.json"), new Dictionary<string, string?>()).Node.ShutdownTimeout;
        Assert.True(grace > shutdown.TotalSeconds, "SIGKILL must not come before the drain bound");
    }

    [Fact]
    public void GpuDeployment_RequestsAndLimitsOneNvidiaGpu_CpuDeploymentNone()
    {
        var gpu = Container(Manifest("Deployment", "detector-gpu"));
        var cpu = Container(Manifest("Deployment", "detector"));

        Assert.Equal("1", Yaml.TextAt(gpu, "resources", "limits", "nvidia.com/gpu"));
        Assert.Equal("1", Yaml.TextAt(gpu, "resources", "requests", "nvidia.com/gpu"));
        Assert.False(Yaml.MapAt(cpu, "resources", "requests").ContainsKey("nvidia.com/gpu"));
    }

    [Theory]
    [InlineData("detector")]
    [InlineData("detector-gpu")]
    public void Deployment_ConfigAndEnvironment_NameKeysTheNodeAccepts(string name)
    {
        var deployment = Manifest("Deployment", name);
        var container = Container(deployment);
        var configMap = Manifest("ConfigMap", "detector-config");
        var volume = (Dictionary<string, object?>)Yaml.ListAt(deployment, "spec", "template", "spec", "volumes").Single()!;
        var mount = (Dictionary<string, object?>)Yaml.ListAt(container, "volumeMounts").Single()!;
        var args = Yaml.ListAt(container, "args").Cast<string>().ToList();

        Assert.Equal("detector-config", Yaml.TextAt(volume, "configMap", "name"));
        Assert.Equal(volume["name"], mount["name"]);
        var configPath = args[args.IndexOf("--config") + 1];
        Assert.Equal(Yaml.TextAt(mount, "mountPath"), Path.GetDirectoryName(configPath));
        Assert.True(Yaml.MapAt(configMap, "data").ContainsKey(Path.GetFileName(configPath)));

        var env = Yaml.ListAt(container, "env").Cast<Dictionary<string, object?>>()
            .ToDictionary(e => Yaml.TextAt(e, "name"), e => e.TryGetValue("value", out var v) ? (string?)v : "from-a-reference-0000");
        Assert.All(env.Keys, k => Assert.StartsWith(NodeConfiguration.EnvironmentPrefix, k, StringComparison.Ordinal));
        var file = Path.Combine(Path.GetTempPath(), $"detector-configmap-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, Yaml.TextAt(configMap, "data", Path.GetFileName(configPath)));
        try
        {
            // Binding is strict: an unknown key in the ConfigMap or in an env name fails here, naming it.
            var options = NodeConfiguration.Load(file, env);
            Assert.Equal(SourceKind.Kafka, options.Source.Kind);
        }
        finally
        {
            File.Delete(file);
        }
        var secret = Manifest("Secret", Yaml.TextAt(container, "env", 2, "valueFrom", "secretKeyRef", "name"));
        Assert.True(Yaml.MapAt(secret, "stringData").ContainsKey(Yaml.TextAt(container, "env", 2, "valueFrom", "secretKeyRef", "key")));
    }

    [Fact]
    public void ServiceMonitor_ScrapesTheServicesHttpPortAtMetrics_WithJobDetector()
    {
        var monitor = Manifest("ServiceMonitor", "detector");
        var service = Manifest("Service", "detector");
        var endpoint = (Dictionary<string, object?>)Yaml.ListAt(monitor, "spec", "endpoints").Single()!;

        Assert.True(Selects(Yaml.MapAt(monitor, "spec", "selector", "matchLabels"), Yaml.MapAt(service, "metadata", "labels")));
        Assert.Contains(Yaml.ListAt(service, "spec", "ports").Cast<Dictionary<string, object?>>(), p => Equals(p["name"], endpoint["port"]));
        Assert.Equal("/metrics", endpoint["path"]);
        // jobLabel names a Service label whose value becomes job; the rules select job="detector".
        Assert.Equal("detector", Yaml.TextAt(service, "metadata", "labels", Yaml.TextAt(monitor, "spec", "jobLabel")));
    }

    [Fact]
    public void PodDisruptionBudget_SelectsTheCpuPods()
    {
        var pdb = Manifest("PodDisruptionBudget", "detector");

        Assert.True(Selects(Yaml.MapAt(pdb, "spec", "selector", "matchLabels"),
            Yaml.MapAt(Manifest("Deployment", "detector"), "spec", "template", "metadata", "labels")));
        Assert.Equal("1", Yaml.TextAt(pdb, "spec", "maxUnavailable"));
    }

    [Fact]
    public void ScaledObject_ScalesTheDeploymentOnTheExportedLagGauge()
    {
        var scaled = Manifest("ScaledObject", "detector");
        var trigger = (Dictionary<string, object?>)Yaml.ListAt(scaled, "spec", "triggers").Single()!;

        Assert.Equal("Deployment", Yaml.TextAt(scaled, "spec", "scaleTargetRef", "kind"));
        Assert.Equal("detector", Yaml.TextAt(scaled, "spec", "scaleTargetRef", "name"));
        Assert.Equal("prometheus", trigger["type"]);
        Assert.Contains("detector_consumer_lag", Yaml.TextAt(trigger, "metadata", "query"), StringComparison.Ordinal);
    }

    [Fact]
    public void PrometheusRule_CarriesExactlyTheShippedRuleGroups()
    {
        var rule = Manifest("PrometheusRule", "detector");
        var shipped = Yaml.Map("deploy/prometheus/rules.yml");

        Assert.Equal(JsonSerializer.Serialize(Yaml.At(shipped, "groups")), JsonSerializer.Serialize(Yaml.At(rule, "spec", "groups")));
    }
}
