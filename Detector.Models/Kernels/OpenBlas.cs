using System.Runtime.InteropServices;

namespace Detector.Models.Kernels;

/// <summary>
/// P/Invoke into OpenBLAS (Debian's libopenblas0-pthread: libopenblas.so.0). Only sgemm/dgemm and the thread
/// pool size are used; everything else is ours.
/// </summary>
public static unsafe partial class OpenBlas
{
    private const string Library = "openblas";
    private const int RowMajor = 101;
    private const int ColumnMajor = 102;
    private const int NoTrans = 111;
    private const int Trans = 112;

    /// <summary>Where the library is looked for, in order.</summary>
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
    ];

    static OpenBlas()
    {
        NativeLibraries.Register(Library, Candidates);
    }

    /// <summary>True when libopenblas.so.0 could be loaded.</summary>
    public static bool IsAvailable => NativeLibraries.Handle(Library) != 0;

    /// <summary>The message to show when OpenBLAS is missing.</summary>
    public const string MissingMessage =
        "OpenBLAS (libopenblas.so.0) was not found: install it with 'apt-get install libopenblas0-pthread' (or run 'make demo' as root, which installs it).";

    /// <summary>Throws with <see cref="MissingMessage"/> when the library is absent.</summary>
    public static void EnsureAvailable()
    {
        if (!IsAvailable)
        {
            throw new DllNotFoundException(MissingMessage);
        }
    }

    /// <summary>Sets the size of OpenBLAS's own thread pool (process-wide).</summary>
    public static void SetThreads(int threads)
    {
        EnsureAvailable();
        openblas_set_num_threads(threads);
    }

    /// <summary>The size of OpenBLAS's own thread pool.</summary>
    public static int GetThreads()
    {
        EnsureAvailable();
        return openblas_get_num_threads();
    }

    /// <summary>Row-major sgemm: C = α·op(A)·op(B) + β·C.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            cblas_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>
    /// Column-major sgemm (the Fortran BLAS and cuBLAS convention): the CPU stand-in on which the tests check the
    /// row-major → column-major restatement the CUDA backend hands to cuBLAS.
    /// </summary>
    internal static void SgemmColumnMajor(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        EnsureAvailable();
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            cblas_sgemm(ColumnMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>Row-major dgemm: C = α·op(A)·op(B) + β·C.</summary>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
        {
            cblas_dgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static partial void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static partial int openblas_get_num_threads();
}
