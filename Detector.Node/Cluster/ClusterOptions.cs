using System.Globalization;
using Detector.Models.Validation;

namespace Detector.Node.Cluster;

/// <summary>
/// The <c>Cluster</c> section: how a node that reads a Kafka input joins the Akka cluster of its peers. Nodes without
/// a Kafka source run a local ActorSystem and ignore it.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>The ActorSystem's name: every node of one cluster uses the same.</summary>
    public string SystemName { get; init; } = "detector";

    /// <summary>Address other nodes reach this one at (the pod IP on Kubernetes; 127.0.0.1 for processes on one machine).</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>Remoting port (0 picks a free one: only for a node no one else needs to find).</summary>
    public int Port { get; init; } = 4053;

    /// <summary>Where to join, as host:port (or full akka.tcp://system@host:port) addresses; empty: this node starts a cluster of its own.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>Config (SeedNodes) or Kubernetes (Akka.Management bootstrap from the pods matching PodLabelSelector).</summary>
    public ClusterDiscovery Discovery { get; init; } = ClusterDiscovery.Config;

    /// <summary>Kubernetes discovery: the label selector of the node pods.</summary>
    public string PodLabelSelector { get; init; } = "app=detector";

    /// <summary>Kubernetes discovery: the Akka.Management HTTP port the bootstrap probes.</summary>
    public int ManagementPort { get; init; } = 8558;

    /// <summary>Largest model artifact a node accepts from the cluster (remoting's frame size is set just above it).</summary>
    public int MaxModelBytes { get; init; } = 64 << 20;

    /// <summary>The seed nodes as Akka addresses.</summary>
    public IReadOnlyList<string> SeedAddresses => [.. SeedNodes.Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"akka.tcp://{SystemName}@{s}")];

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public ClusterOptions Validate()
    {
        OptionCheck.Require(SystemName.Length > 0 && SystemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), nameof(SystemName), SystemName,
            "letters, digits, - and _");
        OptionCheck.Require(Hostname.Length > 0 && Uri.CheckHostName(Hostname) != UriHostNameType.Unknown, nameof(Hostname), Hostname, "a host name or IP address");
        OptionCheck.Require(Port is >= 0 and <= 65_535, nameof(Port), Port, "[0, 65535]");
        for (var i = 0; i < SeedNodes.Count; i++)
        {
            OptionCheck.Require(IsSeed(SeedNodes[i]), $"{nameof(SeedNodes)}:{i.ToString(CultureInfo.InvariantCulture)}", SeedNodes[i],
                $"host:port or akka.tcp://{SystemName}@host:port");
        }
        OptionCheck.Require(Enum.IsDefined(Discovery), nameof(Discovery), Discovery, "Config, Kubernetes");
        OptionCheck.Require(Discovery != ClusterDiscovery.Kubernetes || PodLabelSelector.Length > 0, nameof(PodLabelSelector), PodLabelSelector, "a label selector such as app=detector");
        OptionCheck.Require(ManagementPort is > 0 and <= 65_535, nameof(ManagementPort), ManagementPort, "[1, 65535]");
        OptionCheck.Require(MaxModelBytes is >= 1 << 16 and <= 1 << 30, nameof(MaxModelBytes), MaxModelBytes, "[65536, 1073741824]");
        return this;
    }

    private bool IsSeed(string seed)
    {
        var text = seed.Contains("://", StringComparison.Ordinal) ? seed : $"akka.tcp://{SystemName}@{seed}";
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == "akka.tcp" && uri.UserInfo == SystemName && uri.Port > 0
            && uri.AbsolutePath is "" or "/";
    }
}
