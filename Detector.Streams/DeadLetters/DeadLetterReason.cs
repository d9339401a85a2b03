namespace Detector.Streams.DeadLetters;

/// <summary>Why a record could not be scored (one counter per reason).</summary>
public enum DeadLetterReason
{
    /// <summary>Not parseable as the configured format (bad JSON, unbalanced CSV quotes, not UTF-8).</summary>
    Malformed = 1,

    /// <summary>A feature, entity or timestamp field is absent.</summary>
    MissingField = 2,

    /// <summary>A feature field is not a number, or a timestamp/label cannot be read.</summary>
    NonNumeric = 3,

    /// <summary>A feature is NaN or ±Infinity.</summary>
    NonFinite = 4,

    /// <summary>A CSV line has the wrong number of columns.</summary>
    WrongArity = 5,

    /// <summary>Larger than the configured maximum record size.</summary>
    Oversized = 6,

    /// <summary>The model rejected the row (its score came out non-finite).</summary>
    ScoringFailed = 7,
}
