namespace Detector.Node.Cluster;

/// <summary>How a node finds the cluster it joins.</summary>
public enum ClusterDiscovery
{
    /// <summary>The seed nodes listed in <c>Cluster:SeedNodes</c> (laptop, docker-compose); none: the node forms a cluster of its own.</summary>
    Config,

    /// <summary>Akka.Management cluster bootstrap over Kubernetes pod listing (label selector <c>Cluster:PodLabelSelector</c>).</summary>
    Kubernetes,
}
