using System.Runtime.InteropServices;

namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// P/Invoke into cuBLAS (v2 API): handle, stream, math mode, SGEMM and GemmEx. Column-major, device pointers, host
/// scalars (the default pointer mode). Status 0 is success.
/// </summary>
internal static unsafe partial class Cublas
{
    private const string Library = "cublas";

    /// <summary>CUBLAS_OP_N.</summary>
    public const int OpN = 0;

    /// <summary>CUBLAS_OP_T.</summary>
    public const int OpT = 1;

    /// <summary>CUBLAS_DEFAULT_MATH: FP32 SGEMM stays FP32.</summary>
    public const int DefaultMath = 0;

    /// <summary>CUBLAS_TF32_TENSOR_OP_MATH: FP32 SGEMM may use TF32 tensor cores.</summary>
    public const int Tf32TensorOpMath = 3;

    /// <summary>CUDA_R_32F.</summary>
    public const int R32F = 0;

    /// <summary>CUBLAS_COMPUTE_32F_FAST_16BF: FP32 in and out, inputs rounded to BF16 for tensor cores, FP32 accumulation.</summary>
    public const int Compute32FFast16BF = 75;

    /// <summary>CUBLAS_GEMM_DEFAULT.</summary>
    public const int GemmDefault = -1;

    static Cublas()
    {
        NativeLibraries.Register(Library, CudaLibraryPaths.Candidates("libcublas.so.12", "libcublas.so.11", "libcublas.so"));
    }

    /// <summary>True when a cuBLAS library could be loaded.</summary>
    public static bool IsAvailable => NativeLibraries.Handle(Library) != 0;

    /// <summary>Throws a <see cref="CudaException"/> unless <paramref name="status"/> is CUBLAS_STATUS_SUCCESS.</summary>
    public static void Check(int status, string call)
    {
        if (status != 0)
        {
            throw new CudaException(call, status, $"cublasStatus_t {status}");
        }
    }

    [LibraryImport(Library, EntryPoint = "cublasCreate_v2")]
    public static partial int cublasCreate(out nint handle);

    [LibraryImport(Library, EntryPoint = "cublasDestroy_v2")]
    public static partial int cublasDestroy(nint handle);

    [LibraryImport(Library, EntryPoint = "cublasSetStream_v2")]
    public static partial int cublasSetStream(nint handle, nint stream);

    [LibraryImport(Library)]
    public static partial int cublasSetMathMode(nint handle, int mode);

    [LibraryImport(Library, EntryPoint = "cublasSgemm_v2")]
    public static partial int cublasSgemm(nint handle, int transA, int transB, int m, int n, int k, float* alpha,
        ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(Library)]
    public static partial int cublasGemmEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha,
        ulong a, int aType, int lda, ulong b, int bType, int ldb, void* beta, ulong c, int cType, int ldc, int computeType, int algo);
}
