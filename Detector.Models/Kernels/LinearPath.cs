namespace Detector.Models.Kernels;

/// <summary>Which implementation <see cref="CpuKernels.Linear"/> uses for a dense layer.</summary>
public enum LinearPath
{
    /// <summary>The managed SIMD kernel for small layers and 1–2 rows, OpenBLAS otherwise (what the benchmarks favour).</summary>
    Auto = 0,

    /// <summary>Always OpenBLAS sgemm followed by bias and activation passes.</summary>
    Blas = 1,

    /// <summary>Always the managed SIMD kernel (where the CPU supports it).</summary>
    Managed = 2,
}
