namespace Detector.Node.Cluster;

/// <summary>What one node tells the others about itself (pub-sub, every <c>Kafka:StatusInterval</c>).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Address">Its Akka address.</param>
/// <param name="Role">"trainer" or "scorer".</param>
/// <param name="Partitions">Input partitions assigned to it.</param>
/// <param name="ModelVersion">Version of the model it scores with (0 before the first).</param>
/// <param name="ModelEpoch">Trainer epoch of that model (0 when it did not come from the cluster).</param>
/// <param name="Lag">Records on its partitions beyond what it has acknowledged.</param>
/// <param name="Scored">Records it has scored since it started.</param>
/// <param name="At">When it reported.</param>
public sealed record NodeStatus(string NodeId, string Address, string Role, int[] Partitions, long ModelVersion, long ModelEpoch, long Lag, long Scored, DateTimeOffset At);
