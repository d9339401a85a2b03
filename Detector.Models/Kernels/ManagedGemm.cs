using System.Numerics.Tensors;

namespace Detector.Models.Kernels;

/// <summary>
/// C = α·op(A)·op(B) + β·C for small shapes in managed SIMD: op(A) is read in place through strides (a transposed
/// view costs nothing), a transposed op(B) is packed row-major into per-thread scratch, the product comes from the
/// <see cref="ManagedLinear"/> register tiles, and is combined into C. For the small layers'
/// backward passes this beats a BLAS call (no call overhead, no thread handoff) and lets concurrent training shards run
/// without sharing BLAS state.
/// </summary>
internal static unsafe class ManagedGemm
{
    /// <summary>Per-thread scratch: op(B) packed [k, n] when B is transposed, the product [m, n], a zero bias [n].</summary>
    [ThreadStatic]
    private static float[]? t_b, t_y, t_zero;

    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        var y = Scratch(ref t_y, m * n);
        var zero = Scratch(ref t_zero, n);
        Array.Clear(zero, 0, n);
        // op(A) is read in place through strides; op(B) must be row-major, so a transposed B (small: weights) is packed.
        ReadOnlySpan<float> rowMajorB = b;
        var ldOpB = ldb;
        if (transB)
        {
            var packed = Scratch(ref t_b, k * n);
            for (var j = 0; j < n; j++)
            {
                var column = b.Slice(j * ldb, k);
                for (var p = 0; p < k; p++)
                {
                    packed[p * n + j] = column[p];
                }
            }
            rowMajorB = packed;
            ldOpB = n;
        }
        fixed (float* pa = a)
        fixed (float* pb = rowMajorB)
        fixed (float* pz = zero)
        fixed (float* py = y)
        {
            if (transA)
            {
                ManagedLinear.Run(pa, 1, lda, m, k, pb, ldOpB, pz, n, Activation.Identity, 0f, py, n);
            }
            else
            {
                ManagedLinear.Run(pa, lda, 1, m, k, pb, ldOpB, pz, n, Activation.Identity, 0f, py, n);
            }
        }
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            var product = y.AsSpan(i * n, n);
            if (beta == 0f)
            {
                TensorPrimitives.Multiply(product, alpha, row);
            }
            else
            {
                // row = α·product + β·row
                TensorPrimitives.Multiply(row, beta, row);
                TensorPrimitives.MultiplyAdd(product, alpha, row, row);
            }
        }
    }

    private static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[Math.Max(length, 1024)];
        }
        return buffer;
    }
}
