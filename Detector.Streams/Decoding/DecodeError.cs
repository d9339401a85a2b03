using Detector.Streams.DeadLetters;

namespace Detector.Streams.Decoding;

/// <summary>Why a record failed to decode: the counter label and a detail naming the field and value.</summary>
/// <param name="Reason">Reason, as a counter label.</param>
/// <param name="Detail">The field and value at fault, for a person.</param>
public readonly record struct DecodeError(DeadLetterReason Reason, string Detail);
