namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// A row-major GEMM restated for a column-major BLAS (cuBLAS). A row-major matrix is its own transpose read
/// column-major, so row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the first operand is B, the second
/// A, m and n swap, and each operand keeps its own transpose flag and stride.
/// </summary>
/// <param name="TransFirst">Transpose flag of the first operand (B's).</param>
/// <param name="TransSecond">Transpose flag of the second operand (A's).</param>
/// <param name="M">Rows of the column-major result (the row-major n).</param>
/// <param name="N">Columns of the column-major result (the row-major m).</param>
/// <param name="K">The inner dimension.</param>
/// <param name="LdFirst">Stride of the first operand (ldb).</param>
/// <param name="LdSecond">Stride of the second operand (lda).</param>
internal readonly record struct ColumnMajorGemm(bool TransFirst, bool TransSecond, int M, int N, int K, int LdFirst, int LdSecond)
{
    /// <summary>The column-major call computing row-major C = op(A)·op(B) with C: [m, n].</summary>
    public static ColumnMajorGemm FromRowMajor(bool transA, bool transB, int m, int n, int k, int lda, int ldb) =>
        new(transB, transA, n, m, k, ldb, lda);

    /// <summary>
    /// Floats a row-major operand stored as [rows, cols] with stride ld spans: the copy a call makes (the last row is
    /// not padded out to the stride, so a caller's exact-size span is enough).
    /// </summary>
    public static long Extent(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
}
