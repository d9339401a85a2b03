using System.Text;
using System.Text.Json;

namespace Detector.Streams.Kafka;

/// <summary>
/// One record of the offsets topic (ExactlyOnce), keyed by input partition: where the partition's next unprocessed
/// record is, written inside the transaction that carries the outputs of the records before it.
/// </summary>
/// <param name="Next">The input partition's next offset to read (−1: none committed yet; start from the group's position).</param>
/// <param name="Epoch">The owner's claim number on the partition: each new owner writes the newest epoch + 1 before it reads.</param>
/// <param name="Owner">The node (client id) that wrote it.</param>
/// <param name="Transaction">The transaction it was written in; every alert and dead letter of that transaction carries it in the <see cref="Header"/> header.</param>
public sealed record OffsetsRecord(long Next, long Epoch, string Owner, string Transaction)
{
    /// <summary>The header naming the transaction an exactly-once output was written in.</summary>
    public const string Header = "detector-txn";

    /// <summary>As JSON bytes.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("next", Next);
            w.WriteNumber("epoch", Epoch);
            w.WriteString("owner", Owner);
            w.WriteString("txn", Transaction);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Parses a record's value; a value that is not one is refused naming what is wrong.</summary>
    public static OffsetsRecord Decode(ReadOnlySpan<byte> value)
    {
        try
        {
            var root = JsonDocument.Parse(value.ToArray()).RootElement;
            return new OffsetsRecord(root.GetProperty("next").GetInt64(), root.GetProperty("epoch").GetInt64(),
                root.GetProperty("owner").GetString() ?? "", root.GetProperty("txn").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"not an offsets record ({{\"next\",\"epoch\",\"owner\",\"txn\"}}): '{Encoding.UTF8.GetString(value)}' ({e.Message})", e);
        }
    }
}
