namespace Detector.Models.Kernels.Cuda;

/// <summary>GEMM and dense layers through cuBLAS.</summary>
public sealed unsafe partial class CudaKernels
{
    private static readonly int BiasActivation = Entry("bias_activation");

    /// <inheritdoc />
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        var aCount = transA ? ColumnMajorGemm.Extent(k, m, lda) : ColumnMajorGemm.Extent(m, k, lda);
        var bCount = transB ? ColumnMajorGemm.Extent(n, k, ldb) : ColumnMajorGemm.Extent(k, n, ldb);
        var cCount = ColumnMajorGemm.Extent(m, n, ldc);
        lock (_gate)
        {
            Begin(aCount + bCount + 2 * cCount);
            var da = Upload(0, a, aCount);
            var db = Upload(1, b, bCount);
            // C goes up even when β = 0: the gaps between rows (ldc > n) must come back unchanged.
            var dc = Upload(2, c, cCount);
            RowMajorGemm(transA, transB, m, n, k, alpha, da, lda, db, ldb, beta, dc, ldc);
            var staged = Download(dc, cCount);
            Synchronize();
            CopyOut(staged, c, cCount);
        }
    }

    /// <inheritdoc />
    public void Linear(ReadOnlySpan<float> x, int rows, int inDim, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int outDim,
        Activation act, float slope, Span<float> y)
    {
        if (rows == 0)
        {
            return;
        }
        long xCount = (long)rows * inDim, wCount = (long)inDim * outDim, yCount = (long)rows * outDim;
        lock (_gate)
        {
            Begin(xCount + wCount + outDim + yCount);
            var dx = Upload(0, x, xCount);
            var dw = Upload(1, w, wCount);
            var db = Upload(2, bias, outDim);
            var dy = _buffers.Get(3, yCount);
            RowMajorGemm(false, false, rows, outDim, inDim, 1f, dx, inDim, dw, outDim, 0f, dy, outDim);
            var a = (int)act;
            void** args = stackalloc void*[] { &dy, &db, &rows, &outDim, &a, &slope };
            Launch(BiasActivation, yCount, args);
            var staged = Download(dy, yCount);
            Synchronize();
            CopyOut(staged, y, yCount);
        }
    }

    /// <summary>Row-major C = α·op(A)·op(B) + β·C on column-major cuBLAS, through <see cref="ColumnMajorGemm"/> (B first, A second).</summary>
    private void RowMajorGemm(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, int lda, ulong b, int ldb,
        float beta, ulong c, int ldc)
    {
        var g = ColumnMajorGemm.FromRowMajor(transA, transB, m, n, k, lda, ldb);
        var opFirst = g.TransFirst ? Cublas.OpT : Cublas.OpN;
        var opSecond = g.TransSecond ? Cublas.OpT : Cublas.OpN;
        if (MathMode == CudaMathMode.Bf16)
        {
            // FP32 storage and accumulation; cuBLAS rounds the inputs to BF16 for the tensor cores.
            Cublas.Check(Cublas.cublasGemmEx(_cublas, opFirst, opSecond, g.M, g.N, g.K, &alpha, b, Cublas.R32F, g.LdFirst, a, Cublas.R32F, g.LdSecond,
                &beta, c, Cublas.R32F, ldc, Cublas.Compute32FFast16BF, Cublas.GemmDefault), nameof(Cublas.cublasGemmEx));
            return;
        }
        Cublas.Check(Cublas.cublasSgemm(_cublas, opFirst, opSecond, g.M, g.N, g.K, &alpha, b, g.LdFirst, a, g.LdSecond, &beta, c, ldc),
            nameof(Cublas.cublasSgemm));
    }
}
