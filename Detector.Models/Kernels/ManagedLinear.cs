using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Detector.Models.Kernels;

/// <summary>
/// y = act(x·W + b) in managed SIMD, with bias and ReLU/LeakyReLU fused into the register tile. It beats a BLAS call
/// on the small layers of the default models (weights resident in L1, no call overhead, no second pass), and at
/// batch 1. Register tile: 4 rows × 16 columns (8 accumulators; 8 rows × 8 columns for layers of at most 8 columns);
/// x is broadcast, W rows are read contiguously.
/// Column tails use AVX masked loads/stores; without AVX the caller uses the reference path.
/// </summary>
internal static unsafe class ManagedLinear
{
    /// <summary>Whether this CPU runs the kernel (AVX for masked tails; FMA is used where present).</summary>
    public static bool IsSupported => Avx.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>x: [rows, inDim], w: [inDim, outDim], bias: [outDim], y: [rows, outDim].</summary>
    public static void Run(float* x, int rows, int inDim, float* w, float* bias, int outDim, Activation act, float slope, float* y)
    {
        var i = 0;
        if (outDim <= 8)
        {
            // A narrow layer (a convolution to few channels) fills one vector per row: take 8 rows per tile so each W
            // load feeds 8 FMAs instead of the 4 (of which half masked off) the 16-column tile would.
            for (; i + 8 <= rows; i += 8)
            {
                Tile8Narrow(x + i * inDim, inDim, w, bias, outDim, act, slope, y + i * outDim);
            }
        }
        for (; i + 4 <= rows; i += 4)
        {
            for (var j = 0; j < outDim; j += 16)
            {
                Tile4(x + i * inDim, inDim, w + j, bias + j, outDim, Math.Min(16, outDim - j), act, slope, y + i * outDim + j);
            }
        }
        for (; i < rows; i++)
        {
            var j = 0;
            for (; j + 64 <= outDim; j += 64)
            {
                Tile1Wide(x + i * inDim, inDim, w + j, bias + j, outDim, act, slope, y + i * outDim + j);
            }
            for (; j < outDim; j += 16)
            {
                Tile1(x + i * inDim, inDim, w + j, bias + j, outDim, Math.Min(16, outDim - j), act, slope, y + i * outDim + j);
            }
        }
    }

    /// <summary>Lane mask for the first <paramref name="count"/> lanes (count in 0..8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask(int count) =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : Avx.Add(Avx.Multiply(a, b), c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Activate(Vector256<float> v, Activation act, Vector256<float> slope) => act switch
    {
        Activation.Relu => Vector256.Max(v, Vector256<float>.Zero),
        Activation.LeakyRelu => Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, v * slope),
        _ => v, // Identity here; Tanh and Sigmoid are applied by the caller in a second pass.
    };

    /// <summary>Four rows, up to 16 columns starting at w/bias/y.</summary>
    private static void Tile4(float* x, int inDim, float* w, float* bias, int ldw, int width, Activation act, float slope, float* y)
    {
        var s = Vector256.Create(slope);
        if (width == 16)
        {
            var b0 = Avx.LoadVector256(bias);
            var b1 = Avx.LoadVector256(bias + 8);
            Vector256<float> a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            for (var k = 0; k < inDim; k++)
            {
                var w0 = Avx.LoadVector256(w + k * ldw);
                var w1 = Avx.LoadVector256(w + k * ldw + 8);
                var x0 = Vector256.Create(x[k]);
                var x1 = Vector256.Create(x[inDim + k]);
                var x2 = Vector256.Create(x[2 * inDim + k]);
                var x3 = Vector256.Create(x[3 * inDim + k]);
                a00 = Fma(x0, w0, a00); a01 = Fma(x0, w1, a01);
                a10 = Fma(x1, w0, a10); a11 = Fma(x1, w1, a11);
                a20 = Fma(x2, w0, a20); a21 = Fma(x2, w1, a21);
                a30 = Fma(x3, w0, a30); a31 = Fma(x3, w1, a31);
            }
            Avx.Store(y, Activate(a00, act, s)); Avx.Store(y + 8, Activate(a01, act, s));
            Avx.Store(y + ldw, Activate(a10, act, s)); Avx.Store(y + ldw + 8, Activate(a11, act, s));
            Avx.Store(y + 2 * ldw, Activate(a20, act, s)); Avx.Store(y + 2 * ldw + 8, Activate(a21, act, s));
            Avx.Store(y + 3 * ldw, Activate(a30, act, s)); Avx.Store(y + 3 * ldw + 8, Activate(a31, act, s));
            return;
        }
        var m0 = Mask(Math.Min(width, 8));
        var m1 = Mask(Math.Max(width - 8, 0));
        var c0 = Avx.MaskLoad(bias, m0);
        var c1 = Avx.MaskLoad(bias + 8, m1);
        Vector256<float> t00 = c0, t01 = c1, t10 = c0, t11 = c1, t20 = c0, t21 = c1, t30 = c0, t31 = c1;
        for (var k = 0; k < inDim; k++)
        {
            var w0 = Avx.MaskLoad(w + k * ldw, m0);
            var w1 = Avx.MaskLoad(w + k * ldw + 8, m1);
            var x0 = Vector256.Create(x[k]);
            var x1 = Vector256.Create(x[inDim + k]);
            var x2 = Vector256.Create(x[2 * inDim + k]);
            var x3 = Vector256.Create(x[3 * inDim + k]);
            t00 = Fma(x0, w0, t00); t01 = Fma(x0, w1, t01);
            t10 = Fma(x1, w0, t10); t11 = Fma(x1, w1, t11);
            t20 = Fma(x2, w0, t20); t21 = Fma(x2, w1, t21);
            t30 = Fma(x3, w0, t30); t31 = Fma(x3, w1, t31);
        }
        Avx.MaskStore(y, m0, Activate(t00, act, s)); Avx.MaskStore(y + 8, m1, Activate(t01, act, s));
        Avx.MaskStore(y + ldw, m0, Activate(t10, act, s)); Avx.MaskStore(y + ldw + 8, m1, Activate(t11, act, s));
        Avx.MaskStore(y + 2 * ldw, m0, Activate(t20, act, s)); Avx.MaskStore(y + 2 * ldw + 8, m1, Activate(t21, act, s));
        Avx.MaskStore(y + 3 * ldw, m0, Activate(t30, act, s)); Avx.MaskStore(y + 3 * ldw + 8, m1, Activate(t31, act, s));
    }

    /// <summary>Eight rows of a layer with at most 8 columns; per row the same operations as <see cref="Tile1"/>.</summary>
    private static void Tile8Narrow(float* x, int inDim, float* w, float* bias, int outDim, Activation act, float slope, float* y)
    {
        var s = Vector256.Create(slope);
        var m = Mask(outDim);
        var c = Avx.MaskLoad(bias, m);
        Vector256<float> t0 = c, t1 = c, t2 = c, t3 = c, t4 = c, t5 = c, t6 = c, t7 = c;
        for (var k = 0; k < inDim; k++)
        {
            var wk = Avx.MaskLoad(w + k * outDim, m);
            t0 = Fma(Vector256.Create(x[k]), wk, t0);
            t1 = Fma(Vector256.Create(x[inDim + k]), wk, t1);
            t2 = Fma(Vector256.Create(x[2 * inDim + k]), wk, t2);
            t3 = Fma(Vector256.Create(x[3 * inDim + k]), wk, t3);
            t4 = Fma(Vector256.Create(x[4 * inDim + k]), wk, t4);
            t5 = Fma(Vector256.Create(x[5 * inDim + k]), wk, t5);
            t6 = Fma(Vector256.Create(x[6 * inDim + k]), wk, t6);
            t7 = Fma(Vector256.Create(x[7 * inDim + k]), wk, t7);
        }
        Avx.MaskStore(y, m, Activate(t0, act, s));
        Avx.MaskStore(y + outDim, m, Activate(t1, act, s));
        Avx.MaskStore(y + 2 * outDim, m, Activate(t2, act, s));
        Avx.MaskStore(y + 3 * outDim, m, Activate(t3, act, s));
        Avx.MaskStore(y + 4 * outDim, m, Activate(t4, act, s));
        Avx.MaskStore(y + 5 * outDim, m, Activate(t5, act, s));
        Avx.MaskStore(y + 6 * outDim, m, Activate(t6, act, s));
        Avx.MaskStore(y + 7 * outDim, m, Activate(t7, act, s));
    }

    /// <summary>
    /// One row, 64 columns: each column gets exactly the operations of <see cref="Tile1"/> and <see cref="Tile4"/> (bias,
    /// then one FMA per k in order), so results are bit for bit the same; eight independent accumulator chains instead of
    /// two hide the FMA latency, and each k reads 256 contiguous bytes of W instead of 64. At batch 1 on large layers
    /// (ae2048's 2048×512) the two-chain tile was latency-bound: `bench models --models ae2048 --batches 1`.
    /// </summary>
    private static void Tile1Wide(float* x, int inDim, float* w, float* bias, int ldw, Activation act, float slope, float* y)
    {
        var s = Vector256.Create(slope);
        var a0 = Avx.LoadVector256(bias);
        var a1 = Avx.LoadVector256(bias + 8);
        var a2 = Avx.LoadVector256(bias + 16);
        var a3 = Avx.LoadVector256(bias + 24);
        var a4 = Avx.LoadVector256(bias + 32);
        var a5 = Avx.LoadVector256(bias + 40);
        var a6 = Avx.LoadVector256(bias + 48);
        var a7 = Avx.LoadVector256(bias + 56);
        for (var k = 0; k < inDim; k++)
        {
            var xa = Vector256.Create(x[k]);
            var row = w + k * ldw;
            a0 = Fma(xa, Avx.LoadVector256(row), a0);
            a1 = Fma(xa, Avx.LoadVector256(row + 8), a1);
            a2 = Fma(xa, Avx.LoadVector256(row + 16), a2);
            a3 = Fma(xa, Avx.LoadVector256(row + 24), a3);
            a4 = Fma(xa, Avx.LoadVector256(row + 32), a4);
            a5 = Fma(xa, Avx.LoadVector256(row + 40), a5);
            a6 = Fma(xa, Avx.LoadVector256(row + 48), a6);
            a7 = Fma(xa, Avx.LoadVector256(row + 56), a7);
        }
        Avx.Store(y, Activate(a0, act, s));
        Avx.Store(y + 8, Activate(a1, act, s));
        Avx.Store(y + 16, Activate(a2, act, s));
        Avx.Store(y + 24, Activate(a3, act, s));
        Avx.Store(y + 32, Activate(a4, act, s));
        Avx.Store(y + 40, Activate(a5, act, s));
        Avx.Store(y + 48, Activate(a6, act, s));
        Avx.Store(y + 56, Activate(a7, act, s));
    }

    /// <summary>
    /// One row, up to 16 columns, with exactly the operations <see cref="Tile4"/> applies to each of its rows (bias,
    /// then one FMA per k in order): a row's result never depends on how many rows share its call, so a record scores
    /// the same at batch 1 and batch 4096. A second accumulator chain over odd k would hide FMA latency at batch 1, but
    /// sums in another order and so changes the last bits.
    /// </summary>
    private static void Tile1(float* x, int inDim, float* w, float* bias, int ldw, int width, Activation act, float slope, float* y)
    {
        var s = Vector256.Create(slope);
        if (width == 16)
        {
            var a0 = Avx.LoadVector256(bias);
            var a1 = Avx.LoadVector256(bias + 8);
            for (var k = 0; k < inDim; k++)
            {
                var xa = Vector256.Create(x[k]);
                a0 = Fma(xa, Avx.LoadVector256(w + k * ldw), a0);
                a1 = Fma(xa, Avx.LoadVector256(w + k * ldw + 8), a1);
            }
            Avx.Store(y, Activate(a0, act, s));
            Avx.Store(y + 8, Activate(a1, act, s));
            return;
        }
        var m0 = Mask(Math.Min(width, 8));
        var m1 = Mask(Math.Max(width - 8, 0));
        var t0 = Avx.MaskLoad(bias, m0);
        var t1 = Avx.MaskLoad(bias + 8, m1);
        for (var k = 0; k < inDim; k++)
        {
            var xa = Vector256.Create(x[k]);
            t0 = Fma(xa, Avx.MaskLoad(w + k * ldw, m0), t0);
            t1 = Fma(xa, Avx.MaskLoad(w + k * ldw + 8, m1), t1);
        }
        Avx.MaskStore(y, m0, Activate(t0, act, s));
        Avx.MaskStore(y + 8, m1, Activate(t1, act, s));
    }
}
