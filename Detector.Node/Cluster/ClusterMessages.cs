namespace Detector.Node.Cluster;

/// <summary>Asks the trainer singleton (through its proxy, from any node) to retrain now.</summary>
/// <param name="From">The node that asked.</param>
public sealed record RequestRetrain(string From);

/// <summary>The pub-sub topics of the cluster.</summary>
public static class ClusterTopics
{
    /// <summary>Models from the trainer to every node.</summary>
    public const string Models = "detector-models";

    /// <summary>Each node's status, to every node.</summary>
    public const string Status = "detector-status";

    /// <summary>Nodes asking the trainer for the current model (a node that missed a publish).</summary>
    public const string Singleton = "trainer";
}
