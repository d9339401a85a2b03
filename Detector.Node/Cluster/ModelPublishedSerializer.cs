using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace Detector.Node.Cluster;

/// <summary>
/// <see cref="ModelPublished"/> as bytes: name, version, epoch, origin, then the artifact as is (Akka's default JSON
/// serializer would base64 a multi-megabyte array). The artifact carries its own checksum, verified by the receiver.
/// </summary>
public sealed class ModelPublishedSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id (Akka's own ids are below 100).</summary>
    public const int SerializerId = 5101;

    private const string ManifestName = "MP";

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var message = obj as ModelPublished ?? throw new ArgumentException($"cannot serialize {obj?.GetType().Name}", nameof(obj));
        using var stream = new MemoryStream(message.Artifact.Length + 256);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(message.Name);
            writer.Write(message.Version);
            writer.Write(message.Epoch);
            writer.Write(message.Origin);
            writer.Write(message.Artifact.Length);
            writer.Write(message.Artifact);
        }
        return stream.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var name = reader.ReadString();
        var version = reader.ReadInt64();
        var epoch = reader.ReadInt64();
        var origin = reader.ReadString();
        var length = reader.ReadInt32();
        var artifact = reader.ReadBytes(length);
        if (artifact.Length != length)
        {
            throw new System.Runtime.Serialization.SerializationException($"model message truncated: {artifact.Length} of {length} artifact bytes");
        }
        return new ModelPublished(name, version, epoch, origin, artifact);
    }

    /// <inheritdoc />
    public override string Manifest(object o) => ManifestName;
}
