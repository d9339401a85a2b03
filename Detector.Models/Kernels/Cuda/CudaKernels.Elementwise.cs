namespace Detector.Models.Kernels.Cuda;

/// <summary>Elementwise kernels, row and column reductions, and the Adam step, each one NVRTC kernel.</summary>
public sealed unsafe partial class CudaKernels
{
    private static readonly int ActivationBackwardEntry = Entry("activation_backward");
    private static readonly int AddColumnSumsEntry = Entry("add_column_sums");
    private static readonly int SquaredErrorEntry = Entry("squared_error");
    private static readonly int BceEntry = Entry("bce_with_logits");
    private static readonly int ScaledDifferenceEntry = Entry("scaled_difference");
    private static readonly int SigmoidDifferenceEntry = Entry("sigmoid_difference");
    private static readonly int StandardizeEntry = Entry("standardize");
    private static readonly int ScaleInPlaceEntry = Entry("scale_in_place");
    private static readonly int SumOfSquaresEntry = Entry("sum_of_squares");
    private static readonly int AdamStepEntry = Entry("adam_step");

    /// <inheritdoc />
    public void ActivationBackward(Activation act, float slope, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        var n = dz.Length;
        lock (_gate)
        {
            Begin(3L * n);
            var dyv = Upload(0, y, n);
            var ddy = Upload(1, dy, n);
            var ddz = _buffers.Get(2, n);
            var a = (int)act;
            void** args = stackalloc void*[] { &a, &slope, &dyv, &ddy, &ddz, &n };
            Launch(ActivationBackwardEntry, n, args);
            Finish(ddz, dz, n);
        }
    }

    /// <inheritdoc />
    public void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums)
    {
        var count = (long)rows * cols;
        lock (_gate)
        {
            Begin(count + 2L * cols);
            var dx = Upload(0, x, count);
            var ds = Upload(1, sums, cols);
            void** args = stackalloc void*[] { &dx, &rows, &cols, &ds };
            Launch(AddColumnSumsEntry, cols, args);
            Finish(ds, sums, cols);
        }
    }

    /// <inheritdoc />
    public void SquaredError(ReadOnlySpan<float> target, ReadOnlySpan<float> recon, int rows, int cols, Span<float> errors, Span<float> rowMeans) =>
        RowLoss(SquaredErrorEntry, target, recon, rows, cols, errors, rowMeans);

    /// <inheritdoc />
    public void BinaryCrossEntropyWithLogits(ReadOnlySpan<float> target, ReadOnlySpan<float> logits, int rows, int cols, Span<float> errors, Span<float> rowMeans) =>
        RowLoss(BceEntry, target, logits, rows, cols, errors, rowMeans);

    private void RowLoss(int entry, ReadOnlySpan<float> target, ReadOnlySpan<float> output, int rows, int cols, Span<float> errors, Span<float> rowMeans)
    {
        var count = (long)rows * cols;
        lock (_gate)
        {
            Begin(3 * count + rows);
            var dt = Upload(0, target, count);
            var dout = Upload(1, output, count);
            var de = _buffers.Get(2, count);
            var dm = _buffers.Get(3, rows);
            void** args = stackalloc void*[] { &dt, &dout, &rows, &cols, &de, &dm };
            Launch(entry, rows, args);
            var stagedErrors = Download(de, count);
            var stagedMeans = Download(dm, rows);
            Synchronize();
            CopyOut(stagedErrors, errors, count);
            CopyOut(stagedMeans, rowMeans, rows);
        }
    }

    /// <inheritdoc />
    public void ScaledDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float s, Span<float> y) =>
        Binary(ScaledDifferenceEntry, a, b, s, y);

    /// <inheritdoc />
    public void SigmoidDifference(ReadOnlySpan<float> z, ReadOnlySpan<float> t, float s, Span<float> y) =>
        Binary(SigmoidDifferenceEntry, z, t, s, y);

    private void Binary(int entry, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float s, Span<float> y)
    {
        var n = y.Length;
        lock (_gate)
        {
            Begin(3L * n);
            var da = Upload(0, a, n);
            var db = Upload(1, b, n);
            var dy = _buffers.Get(2, n);
            void** args = stackalloc void*[] { &da, &db, &s, &dy, &n };
            Launch(entry, n, args);
            Finish(dy, y, n);
        }
    }

    /// <inheritdoc />
    public void Standardize(ReadOnlySpan<float> x, int rows, int cols, ReadOnlySpan<float> center, ReadOnlySpan<float> invScale, Span<float> y)
    {
        var count = (long)rows * cols;
        lock (_gate)
        {
            Begin(2 * count + 2L * cols);
            var dx = Upload(0, x, count);
            var dc = Upload(1, center, cols);
            var di = Upload(2, invScale, cols);
            var dy = _buffers.Get(3, count);
            void** args = stackalloc void*[] { &dx, &rows, &cols, &dc, &di, &dy };
            Launch(StandardizeEntry, count, args);
            Finish(dy, y, count);
        }
    }

    /// <inheritdoc />
    public void ScaleInPlace(Span<float> x, float s)
    {
        var n = x.Length;
        lock (_gate)
        {
            Begin(2L * n);
            var dx = Upload(0, x, n);
            void** args = stackalloc void*[] { &dx, &s, &n };
            Launch(ScaleInPlaceEntry, n, args);
            Finish(dx, x, n);
        }
    }

    /// <inheritdoc />
    public float SumOfSquares(ReadOnlySpan<float> x)
    {
        var n = x.Length;
        lock (_gate)
        {
            Begin(n + 1L);
            var dx = Upload(0, x, n);
            var dr = _buffers.Get(1, 1);
            void** args = stackalloc void*[] { &dx, &n, &dr };
            // One block: the reduction is a single fixed-order tree, so the result is deterministic.
            CudaDriver.Check(CudaDriver.cuLaunchKernel(_functions[SumOfSquaresEntry], 1, 1, 1, CudaKernelSource.BlockSize, 1, 1, 0, _stream, args, null),
                "cuLaunchKernel(sum_of_squares)");
            var staged = Download(dr, 1);
            Synchronize();
            return *staged;
        }
    }

    /// <inheritdoc />
    public void AdamStep(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamStepArgs<float> args)
    {
        var n = param.Length;
        float lr = args.LearningRate, b1 = args.Beta1, b2 = args.Beta2, eps = args.Epsilon, decay = args.WeightDecay;
        float c1 = args.Correction1, c2 = args.Correction2;
        var decoupled = args.Decoupled ? 1 : 0;
        lock (_gate)
        {
            Begin(7L * n);
            var dp = Upload(0, param, n);
            var dg = Upload(1, grad, n);
            var dm = Upload(2, m, n);
            var dv = Upload(3, v, n);
            void** a = stackalloc void*[] { &dp, &dg, &dm, &dv, &n, &lr, &b1, &b2, &eps, &decay, &decoupled, &c1, &c2 };
            Launch(AdamStepEntry, n, a);
            var sp = Download(dp, n);
            var sm = Download(dm, n);
            var sv = Download(dv, n);
            Synchronize();
            CopyOut(sp, param, n);
            CopyOut(sm, m, n);
            CopyOut(sv, v, n);
        }
    }

    /// <summary>Downloads one result, waits for the stream, and copies it out.</summary>
    private void Finish(ulong device, Span<float> host, long count)
    {
        var staged = Download(device, count);
        Synchronize();
        CopyOut(staged, host, count);
    }
}
