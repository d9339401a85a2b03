using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;
using Detector.Models.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>
/// The row-major → column-major restatement the CUDA backend hands to cuBLAS, checked without a GPU: the same
/// column-major call through OpenBLAS must give the oracle's row-major product, for every transpose and padded strides,
/// reading no more of each operand than the extent the backend copies to the device.
/// </summary>
public sealed class ColumnMajorGemmTests
{
    [Fact]
    public void FromRowMajor_ThroughColumnMajorBlas_MatchesRowMajorOracle()
    {
        var shapes = (from m in Gen.Choose(1, 19)
                      from n in Gen.Choose(1, 23)
                      from k in Gen.Choose(1, 17)
                      from pad in Gen.Choose(0, 3)
                      from seed in Gen.Choose(0, int.MaxValue)
                      select (m, n, k, pad, seed)).ToArbitrary();
        Prop.ForAll(shapes, shape =>
        {
            var (m, n, k, pad, seed) = shape;
            var rng = new Rng((ulong)seed);
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                // Row-major strides with padding: A is [m, k] (or [k, m] when transposed), B is [k, n] (or [n, k]).
                var lda = (ta ? m : k) + pad;
                var ldb = (tb ? k : n) + pad;
                var ldc = n + pad;
                var a = TestData.Floats(ref rng, (ta ? k : m) * lda);
                var b = TestData.Floats(ref rng, (tb ? n : k) * ldb);
                var c = TestData.Floats(ref rng, m * ldc);
                var expected = TestData.ToDouble(c);
                // The oracle reads the operands cut to the extents the CUDA backend copies: too short would throw.
                var aCut = TestData.ToDouble(a)[..(int)(ta ? ColumnMajorGemm.Extent(k, m, lda) : ColumnMajorGemm.Extent(m, k, lda))];
                var bCut = TestData.ToDouble(b)[..(int)(tb ? ColumnMajorGemm.Extent(n, k, ldb) : ColumnMajorGemm.Extent(k, n, ldb))];
                Assert.Equal(m * ldc - pad, ColumnMajorGemm.Extent(m, n, ldc));
                ReferenceKernels<double>.Instance.Gemm(ta, tb, m, n, k, 0.5, aCut, lda, bCut, ldb, 0.25, expected, ldc);

                var g = ColumnMajorGemm.FromRowMajor(ta, tb, m, n, k, lda, ldb);
                OpenBlas.SgemmColumnMajor(g.TransFirst, g.TransSecond, g.M, g.N, g.K, 0.5f, b, g.LdFirst, a, g.LdSecond, 0.25f, c, ldc);

                for (var i = 0; i < m; i++)
                {
                    for (var j = 0; j < ldc; j++) // the padding too: it must come back untouched
                    {
                        var expect = expected[i * ldc + j];
                        var actual = c[i * ldc + j];
                        Assert.True(Math.Abs(expect - actual) <= 1e-4 + 1e-4 * Math.Abs(expect),
                            $"m={m} n={n} k={k} pad={pad} ta={ta} tb={tb}: C[{i},{j}] is {actual}, expected {expect}");
                    }
                }
            }
        }).QuickCheckThrowOnFailure();
    }
}
