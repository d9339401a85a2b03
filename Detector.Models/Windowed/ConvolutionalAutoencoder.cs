using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// 1-D convolutional autoencoder over windows of T steps × S sensors (a row is the window flattened step-major, oldest
/// step first). Encoder: strided convolutions with the channel counts of <see cref="ModelOptions.HiddenSizes"/>
/// (T → ⌈T/stride⌉ → …); decoder: transposed convolutions back up the same lengths with the channels mirrored; output:
/// a stride-1 convolution to S channels, linear. The architecture of SKAB's Conv-AE baseline with HiddenSizes [32, 16],
/// kernel 7 and stride 2. Loss and score are the reconstruction loss over all T·S values; contributions are folded per
/// sensor (<see cref="SensorAttribution"/>).
/// </summary>
public sealed class ConvolutionalAutoencoder<T> : ReconstructionNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps existing layers.</summary>
    public ConvolutionalAutoencoder(ModelOptions options, int inputSize, IReadOnlyList<Conv1dLayer<T>> encoder,
        IReadOnlyList<ConvTranspose1dLayer<T>> decoder, Conv1dLayer<T> output) : base(options, inputSize)
    {
        Steps = options.WindowSteps;
        Sensors = WindowedShape.Sensors(options, inputSize);
        if (encoder.Count == 0 || encoder.Count != decoder.Count || encoder[0].InputSize != inputSize
            || output.OutputSize != inputSize || decoder[^1].OutputSize != output.InputSize)
        {
            throw new ArgumentException("convolutional autoencoder layers do not fit together");
        }
        Encoder = encoder.ToArray();
        Decoder = decoder.ToArray();
        Output = output;
        Parameters = [.. Encoder.SelectMany(l => new[] { l.Weights, l.Bias }), .. Decoder.SelectMany(l => new[] { l.Weights, l.Bias }), output.Weights, output.Bias];
    }

    /// <summary>Window length T.</summary>
    public int Steps { get; }

    /// <summary>Sensors per step S.</summary>
    public int Sensors { get; }

    /// <summary>Strided convolutions, input first.</summary>
    public IReadOnlyList<Conv1dLayer<T>> Encoder { get; }

    /// <summary>Transposed convolutions, code first.</summary>
    public IReadOnlyList<ConvTranspose1dLayer<T>> Decoder { get; }

    /// <summary>The stride-1 convolution to S channels.</summary>
    public Conv1dLayer<T> Output { get; }

    /// <inheritdoc />
    public override IReadOnlyList<T[]> Parameters { get; }

    /// <summary>A freshly initialised network.</summary>
    public static ConvolutionalAutoencoder<T> Create(ModelOptions options, int inputSize, ref Rng rng)
    {
        var steps = options.WindowSteps;
        var sensors = WindowedShape.Sensors(options, inputSize);
        if (options.HiddenSizes.Count == 0)
        {
            throw new ArgumentException("a convolutional autoencoder needs at least one encoder layer (HiddenSizes lists their channels)");
        }
        var slope = T.CreateTruncating(options.LeakySlope);
        var encoder = new List<Conv1dLayer<T>>();
        var lengths = new List<int> { steps };
        var channels = sensors;
        foreach (var c in options.HiddenSizes)
        {
            var layer = Conv1dLayer<T>.Create(lengths[^1], channels, c, options.KernelSize, options.Stride, options.HiddenActivation, slope, ref rng);
            encoder.Add(layer);
            lengths.Add(layer.OutLength);
            channels = c;
        }
        var decoder = new List<ConvTranspose1dLayer<T>>();
        for (var l = options.HiddenSizes.Count - 1; l >= 0; l--)
        {
            var c = options.HiddenSizes[l];
            decoder.Add(ConvTranspose1dLayer<T>.Create(lengths[l + 1], channels, lengths[l], c, options.KernelSize, options.Stride,
                options.HiddenActivation, slope, ref rng));
            channels = c;
        }
        var output = Conv1dLayer<T>.Create(steps, channels, sensors, options.KernelSize, 1, Activation.Identity, slope, ref rng);
        return new ConvolutionalAutoencoder<T>(options, inputSize, encoder, decoder, output);
    }

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() =>
        new ConvolutionalAutoencoder<TOut>(Options, InputSize, Encoder.Select(l => l.Convert<TOut>()).ToArray(),
            Decoder.Select(l => l.Convert<TOut>()).ToArray(), Output.Convert<TOut>());

    /// <inheritdoc />
    public override NetworkWorkspace<T> CreateWorkspace(int maxRows, bool training) => new Workspace(this, maxRows, training);

    /// <inheritdoc />
    public override double Loss(IKernels<T> k, ReadOnlySpan<T> input, ReadOnlySpan<T> target, int rows,
        NetworkWorkspace<T> ws, ref Rng rng, bool training, IReadOnlyList<T[]>? grads)
    {
        var w = Check<Workspace>(ws, rows);
        if (grads is null)
        {
            for (var start = 0; start < rows; start += w.ChunkRows)
            {
                var n = Math.Min(w.ChunkRows, rows - start);
                var values = (start * InputSize)..((start + n) * InputSize);
                ReconstructionLosses.Evaluate(k, Options.Loss, target[values], Forward(k, input[values], n, w), n, InputSize,
                    w.Errors.AsSpan(values), w.RowLoss.AsSpan(start, n));
            }
            return ReconstructionLosses.Mean<T>(w.RowLoss, rows);
        }
        if (rows > w.ChunkRows)
        {
            throw new ArgumentException($"gradients need a training workspace for the whole batch ({rows} rows; this one holds {w.ChunkRows} at a time)", nameof(ws));
        }
        var output = Forward(k, input, rows, w);
        ReconstructionLosses.Evaluate(k, Options.Loss, target, output, rows, InputSize, w.Errors, w.RowLoss);
        var loss = ReconstructionLosses.Mean<T>(w.RowLoss, rows);
        ReconstructionLosses.Gradient(k, Options.Loss, target, output, rows, InputSize, T.One, w.DOutput);
        var p = 2 * (Encoder.Count + Decoder.Count);
        var dy = w.NextGradient(rows * Output.InputSize);
        Output.Backward(k, w.DecoderOutputs[^1], w.OutputColumns, w.Reconstruction, w.DOutput, rows, w.Dz, w.DColumns, grads[p], grads[p + 1], dy);
        ReadOnlySpan<T> upstream = dy;
        for (var l = Decoder.Count - 1; l >= 0; l--)
        {
            var layer = Decoder[l];
            ReadOnlySpan<T> x = l == 0 ? w.EncoderOutputs[^1] : w.DecoderOutputs[l - 1];
            var dx = w.NextGradient(rows * layer.InputSize);
            layer.Backward(k, x, w.DecoderOutputs[l], upstream, rows, w.Dz, w.DColumns, grads[2 * (Encoder.Count + l)],
                grads[2 * (Encoder.Count + l) + 1], dx);
            upstream = dx;
        }
        for (var l = Encoder.Count - 1; l >= 0; l--)
        {
            var dx = l == 0 ? [] : w.NextGradient(rows * Encoder[l].InputSize);
            ReadOnlySpan<T> x = l == 0 ? input : w.EncoderOutputs[l - 1];
            Encoder[l].Backward(k, x, w.EncoderColumns[l], w.EncoderOutputs[l], upstream, rows, w.Dz, w.DColumns, grads[2 * l], grads[2 * l + 1], dx);
            upstream = dx;
        }
        return loss;
    }

    /// <inheritdoc />
    public override void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors)
    {
        var w = Check<Workspace>(ws, rows);
        for (var start = 0; start < rows; start += w.ChunkRows)
        {
            var n = Math.Min(w.ChunkRows, rows - start);
            var values = (start * InputSize)..((start + n) * InputSize);
            ReconstructionLosses.Evaluate(k, Options.Loss, x[values], Forward(k, x[values], n, w), n, InputSize, errors[values],
                rowScores.Slice(start, n));
        }
        SensorAttribution.FoldIntoCurrentStep(errors, rows, Steps, Sensors);
    }

    private ReadOnlySpan<T> Forward(IKernels<T> k, ReadOnlySpan<T> input, int rows, Workspace w)
    {
        var x = input;
        for (var l = 0; l < Encoder.Count; l++)
        {
            Encoder[l].Forward(k, x, rows, w.EncoderColumns[l], w.EncoderOutputs[l]);
            x = w.EncoderOutputs[l].AsSpan(0, rows * Encoder[l].OutputSize);
        }
        for (var l = 0; l < Decoder.Count; l++)
        {
            Decoder[l].Forward(k, x, rows, w.Products, w.DecoderOutputs[l]);
            x = w.DecoderOutputs[l].AsSpan(0, rows * Decoder[l].OutputSize);
        }
        Output.Forward(k, x, rows, w.OutputColumns, w.Reconstruction);
        return w.Reconstruction.AsSpan(0, rows * InputSize);
    }

    /// <summary>
    /// Rows a scoring workspace passes through the layers at a time. Rows are independent, so chunking changes no score;
    /// it keeps the layers' buffers (~60 KB a row) cache-sized and small to allocate: a scorer for 1,024 rows held
    /// ~70 MB, zeroed and page-faulted for every model, and scored a window at half the speed of 32 rows.
    /// </summary>
    public const int ScoringChunkRows = 32;

    /// <summary>Every layer's output and im2col columns (kept for backward), plus the backward scratch.</summary>
    private sealed class Workspace : NetworkWorkspace<T>
    {
        private readonly T[][] _gradients;
        private int _next;

        public Workspace(ConvolutionalAutoencoder<T> net, int maxRows, bool training) : base(maxRows, net.InputSize, training)
        {
            // A training workspace holds the whole batch (backward needs every row's activations); scoring goes by chunk.
            ChunkRows = training ? maxRows : Math.Min(maxRows, ScoringChunkRows);
            maxRows = ChunkRows;
            EncoderColumns = net.Encoder.Select(l => new T[l.ScratchSize(maxRows)]).ToArray();
            EncoderOutputs = net.Encoder.Select(l => new T[maxRows * l.OutputSize]).ToArray();
            DecoderOutputs = net.Decoder.Select(l => new T[maxRows * l.OutputSize]).ToArray();
            Products = new T[net.Decoder.Max(l => l.ScratchSize(maxRows))];
            OutputColumns = new T[net.Output.ScratchSize(maxRows)];
            Reconstruction = new T[maxRows * net.InputSize];
            var widest = Math.Max(net.Encoder.Max(l => Math.Max(l.InputSize, l.OutputSize)), net.Decoder.Max(l => l.OutputSize));
            var columns = net.Encoder.Append(net.Output).Select(l => l.BackwardScratchSize(maxRows))
                .Concat(net.Decoder.Select(l => l.BackwardScratchSize(maxRows))).Max();
            Dz = training ? new T[maxRows * widest] : [];
            DColumns = training ? new T[columns] : [];
            _gradients = training ? [new T[maxRows * widest], new T[maxRows * widest]] : [];
        }

        /// <summary>Rows the layer buffers hold: the whole batch when training, else <see cref="ScoringChunkRows"/> at most.</summary>
        public int ChunkRows { get; }

        public T[][] EncoderColumns { get; }

        public T[][] EncoderOutputs { get; }

        public T[][] DecoderOutputs { get; }

        /// <summary>Forward scratch of the transposed convolutions (their stride phases' rows and products).</summary>
        public T[] Products { get; }

        public T[] OutputColumns { get; }

        public T[] Reconstruction { get; }

        /// <summary>dz = dy ⊙ act' scratch.</summary>
        public T[] Dz { get; }

        /// <summary>Backward scratch of every layer (dcols, dp, the stride phases of dx).</summary>
        public T[] DColumns { get; }

        /// <summary>The next of two ping-pong buffers for gradients flowing between layers (a layer never reads and writes one).</summary>
        public Span<T> NextGradient(int length) => _gradients[_next++ & 1].AsSpan(0, length);
    }
}
