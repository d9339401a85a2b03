using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// The compacted models topic, keyed by model name: the durable copy of every published model, with the epoch of the
/// trainer lease it was published under in a header. Live delivery to the nodes is the Akka cluster's (pub-sub); this
/// topic is read once at start, so a node that starts (or a whole cluster that restarts) installs the newest model
/// before it consumes.
/// </summary>
public sealed class ModelsTopic(KafkaOptions options, KafkaProducerHost producer, string nodeId, ILogger logger)
{
    /// <summary>The header that carries the epoch (8 bytes, big-endian).</summary>
    public const string EpochHeader = "detector-epoch";

    /// <summary>Writes one artifact; completes once the brokers have it.</summary>
    public Task WriteAsync(string name, byte[] artifact, long epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var header = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(header, epoch);
        var message = new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(name), Value = artifact, Headers = [new Header(EpochHeader, header)] };
        logger.LogInformation("writing model {Name} ({Bytes} bytes, epoch {Epoch}) to {Topic}", name, artifact.Length, epoch, options.ModelsTopic);
        return producer.ProduceAsync(options.ModelsTopic, [message]).WaitAsync(cancellationToken);
    }

    /// <summary>Reads what the topic holds now, in order, then stops reading.</summary>
    public async Task<IReadOnlyList<StoredModel>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var models = new List<StoredModel>();
        using var follower = new TopicFollower(options, options.ModelsTopic, $"{nodeId}-models", result =>
        {
            if (result.Message.Key is { } key && result.Message.Value is { Length: > 0 } value)
            {
                var epoch = result.Message.Headers?.TryGetLastBytes(EpochHeader, out var bytes) == true && bytes.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(bytes) : 0;
                lock (models)
                {
                    models.Add(new StoredModel(Encoding.UTF8.GetString(key), epoch, value, $"{result.Topic}[{result.Partition.Value}]@{result.Offset.Value}"));
                }
            }
        }, () => { }, logger);
        follower.Start();
        await follower.CaughtUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (models)
        {
            return [.. models];
        }
    }
}
