namespace Detector.Models.Scoring;

/// <summary>A model and its data (or artifact and expectation) disagree on the features.</summary>
public sealed class SchemaMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException(string message, Exception inner) : base(message, inner)
    {
    }
}
