namespace Detector.Streams.Kafka;

/// <summary>One record of the models topic.</summary>
/// <param name="Name">The model's name (the record key).</param>
/// <param name="Epoch">The trainer-lease epoch it was published under (header <see cref="ModelsTopic.EpochHeader"/>; 0 when absent).</param>
/// <param name="Artifact">The model artifact, unverified.</param>
/// <param name="Position">Where it was read, as topic[partition]@offset (for log lines).</param>
public sealed record StoredModel(string Name, long Epoch, byte[] Artifact, string Position);
