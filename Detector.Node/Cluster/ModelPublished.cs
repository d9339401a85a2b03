namespace Detector.Node.Cluster;

/// <summary>A model the trainer published, on its way to every node (distributed pub-sub; binary serializer).</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Epoch">The epoch of the trainer lease under which it was produced (nodes refuse older epochs).</param>
/// <param name="Origin">The node that published it.</param>
/// <param name="Artifact">The checksummed model artifact.</param>
public sealed record ModelPublished(string Name, long Version, long Epoch, string Origin, byte[] Artifact);
