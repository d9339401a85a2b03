namespace Detector.Models.Kernels.Cuda;

/// <summary>A CUDA driver, cuBLAS or NVRTC call failed; the message names the call and the library's error text.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> returning <paramref name="code"/>.</summary>
    public CudaException(string call, int code, string detail)
        : base($"{call} failed: {detail} (code {code})")
    {
        Call = call;
        Code = code;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public CudaException(string message) : base(message)
    {
        Call = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public CudaException(string message, Exception innerException) : base(message, innerException)
    {
        Call = "";
    }

    /// <summary>Creates an empty exception (for serializers and analyzers).</summary>
    public CudaException() : this("a CUDA call failed")
    {
    }

    /// <summary>The function that failed.</summary>
    public string Call { get; }

    /// <summary>The library's status code.</summary>
    public int Code { get; }
}
