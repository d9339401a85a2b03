namespace Detector.Models.Scoring;

/// <summary>A batch was rejected before reaching a kernel: wrong arity or a non-finite value.</summary>
public sealed class InvalidBatchException : ArgumentException
{
    /// <summary>Creates the exception for a row (and feature, when one is to blame).</summary>
    public InvalidBatchException(string message, int row, string? feature) : base(message)
    {
        Row = row;
        Feature = feature;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidBatchException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidBatchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidBatchException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Index of the offending row within the batch (−1 when the batch as a whole is wrong).</summary>
    public int Row { get; } = -1;

    /// <summary>Name of the offending feature, when one is to blame.</summary>
    public string? Feature { get; }
}
