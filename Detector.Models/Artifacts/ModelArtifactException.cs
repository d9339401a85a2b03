namespace Detector.Models.Artifacts;

/// <summary>A model artifact could not be read: truncated, corrupted, wrong format version or not an artifact.</summary>
public sealed class ModelArtifactException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ModelArtifactException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelArtifactException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelArtifactException(string message, Exception inner) : base(message, inner)
    {
    }
}
