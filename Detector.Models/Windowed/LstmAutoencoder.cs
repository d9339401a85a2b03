using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Layers;
using Detector.Models.Networks;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// Sequence-to-sequence LSTM autoencoder over windows of T steps × S sensors (step-major rows, oldest first): an encoder
/// LSTM (S → code, width <see cref="ModelOptions.CodeSize"/>) reads the window and its last hidden state is the code;
/// the code is repeated T times into a decoder LSTM (code → hidden, width HiddenSizes[0], or the code width when
/// HiddenSizes is empty) whose every step is projected to S sensors by one dense layer (linear). SKAB's LSTM-AE baseline
/// is this shape with widths 100/100. The repeat's derivative sums the decoder's input gradient over the T steps into
/// the code. Loss and score are the reconstruction loss over all T·S values; contributions are folded per sensor.
/// </summary>
public sealed class LstmAutoencoder<T> : ReconstructionNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps existing layers.</summary>
    public LstmAutoencoder(ModelOptions options, int inputSize, LstmLayer<T> encoder, LstmLayer<T> decoder, DenseLayer<T> output)
        : base(options, inputSize)
    {
        Steps = options.WindowSteps;
        Sensors = WindowedShape.Sensors(options, inputSize);
        if (encoder.InputSize != Sensors || decoder.InputSize != encoder.HiddenSize || output.InputSize != decoder.HiddenSize || output.OutputSize != Sensors)
        {
            throw new ArgumentException("LSTM autoencoder layers do not fit together");
        }
        Encoder = encoder;
        Decoder = decoder;
        Output = output;
        Parameters = [.. encoder.Parameters(), .. decoder.Parameters(), output.Weights, output.Bias];
    }

    /// <summary>Window length T.</summary>
    public int Steps { get; }

    /// <summary>Sensors per step S.</summary>
    public int Sensors { get; }

    /// <summary>Window → code (its last hidden state).</summary>
    public LstmLayer<T> Encoder { get; }

    /// <summary>Repeated code → hidden sequence.</summary>
    public LstmLayer<T> Decoder { get; }

    /// <summary>Hidden state → S sensors, per step.</summary>
    public DenseLayer<T> Output { get; }

    /// <inheritdoc />
    public override IReadOnlyList<T[]> Parameters { get; }

    /// <summary>A freshly initialised network.</summary>
    public static LstmAutoencoder<T> Create(ModelOptions options, int inputSize, ref Rng rng)
    {
        var sensors = WindowedShape.Sensors(options, inputSize);
        var hidden = options.HiddenSizes.Count > 0 ? options.HiddenSizes[0] : options.CodeSize;
        var encoder = LstmLayer<T>.Create(sensors, options.CodeSize, ref rng);
        var decoder = LstmLayer<T>.Create(options.CodeSize, hidden, ref rng);
        var output = DenseLayer<T>.Create(hidden, sensors, Activation.Identity, T.CreateTruncating(options.LeakySlope), ref rng);
        return new LstmAutoencoder<T>(options, inputSize, encoder, decoder, output);
    }

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() =>
        new LstmAutoencoder<TOut>(Options, InputSize, Encoder.Convert<TOut>(), Decoder.Convert<TOut>(), Output.Convert<TOut>());

    /// <inheritdoc />
    public override NetworkWorkspace<T> CreateWorkspace(int maxRows, bool training) => new Workspace(this, maxRows, training);

    /// <inheritdoc />
    public override double Loss(IKernels<T> k, ReadOnlySpan<T> input, ReadOnlySpan<T> target, int rows,
        NetworkWorkspace<T> ws, ref Rng rng, bool training, IReadOnlyList<T[]>? grads)
    {
        var w = Check<Workspace>(ws, rows);
        var output = Forward(k, input, rows, w);
        ReconstructionLosses.Evaluate(k, Options.Loss, target, output, rows, InputSize, w.Errors, w.RowLoss);
        var loss = ReconstructionLosses.Mean<T>(w.RowLoss, rows);
        if (grads is null)
        {
            return loss;
        }
        ReconstructionLosses.Gradient(k, Options.Loss, target, output, rows, InputSize, T.One, w.DOutput);
        var code = Encoder.HiddenSize;
        var hid = Decoder.HiddenSize;
        var positions = rows * Steps;
        var dDecoded = w.DDecoded.AsSpan(0, positions * hid);
        Output.Backward(k, w.Decoded, w.Reconstruction, w.DOutput, positions, w.Dz, grads[6], grads[7], dDecoded);
        var dRepeated = w.DRepeated.AsSpan(0, positions * code);
        Decoder.Backward(k, w.Repeated, w.Decoded, dDecoded, w.DecoderState, grads, 3, dRepeated);
        // The code fed every decoder step: its gradient is the sum over steps, and it was the encoder's last hidden state.
        var dEncoded = w.DEncoded.AsSpan(0, positions * code);
        dEncoded.Clear();
        for (var r = 0; r < rows; r++)
        {
            var last = dEncoded.Slice((r * Steps + Steps - 1) * code, code);
            for (var t = 0; t < Steps; t++)
            {
                var step = dRepeated.Slice((r * Steps + t) * code, code);
                for (var j = 0; j < code; j++)
                {
                    last[j] += step[j];
                }
            }
        }
        Encoder.Backward(k, input, w.Encoded, dEncoded, w.EncoderState, grads, 0, []);
        return loss;
    }

    /// <inheritdoc />
    public override void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors)
    {
        var w = Check<Workspace>(ws, rows);
        var output = Forward(k, x, rows, w);
        ReconstructionLosses.Evaluate(k, Options.Loss, x, output, rows, InputSize, errors, rowScores);
        SensorAttribution.FoldIntoCurrentStep(errors, rows, Steps, Sensors);
    }

    private ReadOnlySpan<T> Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, Workspace w)
    {
        var code = Encoder.HiddenSize;
        Encoder.Forward(k, x, rows, w.EncoderState, w.Encoded);
        for (var r = 0; r < rows; r++)
        {
            var last = w.Encoded.AsSpan((r * Steps + Steps - 1) * code, code);
            for (var t = 0; t < Steps; t++)
            {
                last.CopyTo(w.Repeated.AsSpan((r * Steps + t) * code, code));
            }
        }
        Decoder.Forward(k, w.Repeated, rows, w.DecoderState, w.Decoded);
        Output.Forward(k, w.Decoded, rows * Steps, w.Reconstruction);
        return w.Reconstruction.AsSpan(0, rows * InputSize);
    }

    /// <summary>Both LSTMs' states, the hidden sequences (kept for backward) and the backward scratch.</summary>
    private sealed class Workspace : NetworkWorkspace<T>
    {
        public Workspace(LstmAutoencoder<T> net, int maxRows, bool training) : base(maxRows, net.InputSize, training)
        {
            var positions = maxRows * net.Steps;
            EncoderState = new LstmWorkspace<T>(net.Encoder, net.Steps, maxRows, training);
            DecoderState = new LstmWorkspace<T>(net.Decoder, net.Steps, maxRows, training);
            Encoded = new T[positions * net.Encoder.HiddenSize];
            Repeated = new T[positions * net.Encoder.HiddenSize];
            Decoded = new T[positions * net.Decoder.HiddenSize];
            Reconstruction = new T[maxRows * net.InputSize];
            Dz = training ? new T[maxRows * net.InputSize] : [];
            DDecoded = training ? new T[positions * net.Decoder.HiddenSize] : [];
            DRepeated = training ? new T[positions * net.Encoder.HiddenSize] : [];
            DEncoded = training ? new T[positions * net.Encoder.HiddenSize] : [];
        }

        public LstmWorkspace<T> EncoderState { get; }

        public LstmWorkspace<T> DecoderState { get; }

        /// <summary>Encoder hidden states [rows, steps, code].</summary>
        public T[] Encoded { get; }

        /// <summary>The code repeated over the steps [rows, steps, code].</summary>
        public T[] Repeated { get; }

        /// <summary>Decoder hidden states [rows, steps, hidden].</summary>
        public T[] Decoded { get; }

        public T[] Reconstruction { get; }

        public T[] Dz { get; }

        public T[] DDecoded { get; }

        public T[] DRepeated { get; }

        public T[] DEncoded { get; }
    }
}
