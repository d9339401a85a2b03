using Detector.Streams.Records;

namespace Detector.Streams.DeadLetters;

/// <summary>A record that could not be scored, with the original bytes and the reason.</summary>
/// <param name="Payload">The original bytes, untouched.</param>
/// <param name="Position">Where it came from (it is acknowledged once the dead-letter sink accepts it).</param>
/// <param name="Reason">Why, as a counter label.</param>
/// <param name="Detail">Why, for a person: the field and the value at fault.</param>
public sealed record DeadLetter(ReadOnlyMemory<byte> Payload, SourcePosition Position, DeadLetterReason Reason, string Detail);
