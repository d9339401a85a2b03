using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Layers;
using Detector.Models.Numerics;

namespace Detector.Models.Networks;

/// <summary>
/// Dense autoencoder: encoder input → hidden… → code, decoder code → hidden… → input (linear output).
/// Loss = reconstruction + λ·(1/rows)·Σ|code| (sparse when λ &gt; 0); ∂/∂code of the penalty = λ·sign(code)/rows.
/// Denoising is the trainer's job: it passes a corrupted input and the clean target.
/// </summary>
public sealed class Autoencoder<T> : ReconstructionNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps existing encoder and decoder stacks.</summary>
    public Autoencoder(ModelOptions options, Mlp<T> encoder, Mlp<T> decoder) : base(options, encoder.InputSize)
    {
        if (encoder.OutputSize != decoder.InputSize || decoder.OutputSize != encoder.InputSize)
        {
            throw new ArgumentException($"encoder {encoder.InputSize}→{encoder.OutputSize} and decoder {decoder.InputSize}→{decoder.OutputSize} do not fit together");
        }
        Encoder = encoder;
        Decoder = decoder;
        Parameters = [.. encoder.Parameters(), .. decoder.Parameters()];
    }

    /// <summary>Input → code.</summary>
    public Mlp<T> Encoder { get; }

    /// <summary>Code → reconstruction.</summary>
    public Mlp<T> Decoder { get; }

    /// <inheritdoc />
    public override IReadOnlyList<T[]> Parameters { get; }

    /// <summary>A freshly initialised AE.</summary>
    public static Autoencoder<T> Create(ModelOptions options, int inputSize, ref Rng rng)
    {
        var slope = T.CreateTruncating(options.LeakySlope);
        var encoder = Mlp<T>.Create(options.EncoderWidths(inputSize), options.HiddenActivation, options.CodeActivation, slope, options.Dropout, ref rng);
        var decoder = Mlp<T>.Create(options.DecoderWidths(inputSize), options.HiddenActivation, Activation.Identity, slope, options.Dropout, ref rng);
        return new Autoencoder<T>(options, encoder, decoder);
    }

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() =>
        new Autoencoder<TOut>(Options, Encoder.Convert<TOut>(), Decoder.Convert<TOut>());

    /// <inheritdoc />
    public override NetworkWorkspace<T> CreateWorkspace(int maxRows, bool training) => new Workspace(this, maxRows, training);

    /// <inheritdoc />
    public override double Loss(IKernels<T> k, ReadOnlySpan<T> input, ReadOnlySpan<T> target, int rows,
        NetworkWorkspace<T> ws, ref Rng rng, bool training, IReadOnlyList<T[]>? grads)
    {
        var w = Check<Workspace>(ws, rows);
        var code = Encoder.Forward(k, input, rows, w.Encoder, training, ref rng);
        var output = Decoder.Forward(k, code, rows, w.Decoder, training, ref rng);
        ReconstructionLosses.Evaluate(k, Options.Loss, target, output, rows, InputSize, w.Errors, w.RowLoss);
        var loss = ReconstructionLosses.Mean<T>(w.RowLoss, rows);
        var lambda = T.CreateTruncating(Options.SparsityWeight);
        var codeLength = rows * Options.CodeSize;
        if (lambda > T.Zero)
        {
            var l1 = 0.0;
            for (var i = 0; i < codeLength; i++)
            {
                l1 += double.CreateTruncating(T.Abs(code[i]));
            }
            loss += Options.SparsityWeight * l1 / rows;
        }
        if (grads is null)
        {
            return loss;
        }
        ReconstructionLosses.Gradient(k, Options.Loss, target, output, rows, InputSize, T.One, w.DOutput);
        var dCode = w.DCode.AsSpan(0, codeLength);
        Decoder.Backward(k, code, w.Decoder, w.DOutput, grads, Encoder.ParameterCount, dCode);
        if (lambda > T.Zero)
        {
            var g = lambda / T.CreateChecked(rows);
            for (var i = 0; i < codeLength; i++)
            {
                dCode[i] += g * T.CreateTruncating(T.Sign(code[i]));
            }
        }
        Encoder.Backward(k, input, w.Encoder, dCode, grads, 0, []);
        return loss;
    }

    /// <inheritdoc />
    public override void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors)
    {
        var w = Check<Workspace>(ws, rows);
        var code = Encoder.Forward(k, x, rows, w.Encoder, false, ref rng);
        var output = Decoder.Forward(k, code, rows, w.Decoder, false, ref rng);
        ReconstructionLosses.Evaluate(k, Options.Loss, x, output, rows, InputSize, errors, rowScores);
    }

    /// <summary>Encoder and decoder buffers plus ∂loss/∂code.</summary>
    private sealed class Workspace(Autoencoder<T> net, int maxRows, bool training)
        : NetworkWorkspace<T>(maxRows, net.InputSize, training)
    {
        public MlpWorkspace<T> Encoder { get; } = new(net.Encoder, maxRows, training);

        public MlpWorkspace<T> Decoder { get; } = new(net.Decoder, maxRows, training);

        public T[] DCode { get; } = training ? new T[maxRows * net.Options.CodeSize] : [];
    }
}
