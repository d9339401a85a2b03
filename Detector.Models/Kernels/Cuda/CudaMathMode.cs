namespace Detector.Models.Kernels.Cuda;

/// <summary>How cuBLAS multiplies: exact FP32, or tensor cores at reduced input precision (FP32 storage and accumulation throughout).</summary>
public enum CudaMathMode
{
    /// <summary>IEEE FP32 SGEMM (cuBLAS default math). Parity with the CPU within 1e-4 relative.</summary>
    Fp32,
    /// <summary>TF32 tensor cores (10-bit mantissa inputs, FP32 accumulate), via cublasSetMathMode. Parity within ~1e-2 relative.</summary>
    Tf32,
    /// <summary>BF16 tensor cores (8-bit mantissa inputs, FP32 accumulate), via cublasGemmEx with CUBLAS_COMPUTE_32F_FAST_16BF. Parity within ~5e-2 relative.</summary>
    Bf16,
}
