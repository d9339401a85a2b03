namespace Detector.Models.Torch;

/// <summary>LibTorch (through TorchSharp) cannot be loaded here; the message names the real cause.</summary>
public sealed class TorchUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchUnavailableException()
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TorchUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause and the original failure.</summary>
    public TorchUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }
}
