namespace Detector.Streams.Records;

/// <summary>One record as a source delivered it: the original bytes and its position.</summary>
/// <param name="Payload">The original bytes (a JSON object or one CSV line, without the line terminator).</param>
/// <param name="Position">Partition and offset, for acknowledgement.</param>
/// <param name="ReceivedAt">When the source read it (start of the end-to-end latency); a source may stamp a whole chunk with the time its first record was read.</param>
public sealed record RawRecord(ReadOnlyMemory<byte> Payload, SourcePosition Position, DateTimeOffset ReceivedAt);
