namespace Detector.Models.Engines;

/// <summary>What computes a dense model's forward and backward passes. The artifact is the same for both.</summary>
public enum ModelEngine
{
    /// <summary>This project's kernels (managed SIMD, OpenBLAS, CUDA): the default, fastest on small models.</summary>
    Native = 1,

    /// <summary>LibTorch through TorchSharp (Detector.Models.Torch): runs PyTorch models brought by the user.</summary>
    Torch = 2,
}
