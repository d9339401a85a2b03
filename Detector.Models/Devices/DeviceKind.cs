namespace Detector.Models.Devices;

/// <summary>What a configured device names.</summary>
public enum DeviceKind
{
    /// <summary>The CPU backend (OpenBLAS + managed SIMD).</summary>
    Cpu,
    /// <summary>One CUDA device, by ordinal.</summary>
    Cuda,
    /// <summary>Every CUDA device present, or the CPU when there is none.</summary>
    Auto,
}
