namespace Detector.Streams.Kafka;

/// <summary>What one node reports about itself on the status topic.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Role">"trainer", "scorer" or "stopped".</param>
/// <param name="Partitions">Input partitions assigned to it.</param>
/// <param name="ModelVersion">Version of the model it scores with (0 before the first).</param>
/// <param name="Lag">Records on its partitions beyond what it has acknowledged.</param>
/// <param name="Scored">Records it has scored since it started.</param>
/// <param name="At">When it reported.</param>
public sealed record NodeStatus(string NodeId, string Role, IReadOnlyList<int> Partitions, long ModelVersion, long Lag, long Scored, DateTimeOffset At);
