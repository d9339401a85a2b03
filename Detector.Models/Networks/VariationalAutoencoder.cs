using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Layers;
using Detector.Models.Numerics;

namespace Detector.Models.Networks;

/// <summary>
/// Variational autoencoder. Trunk input → hidden…; one linear head gives [μ | log σ²] (2·code wide); z = μ + ε·σ with
/// σ = exp(½·log σ²), ε ~ N(0, 1) (reparameterisation); decoder z → … → input (linear output).
/// Loss = reconstruction + β·KL, KL = (1/rows)·Σ −½(1 + log σ² − μ² − σ²).
/// Derivatives: ∂z/∂μ = 1, ∂z/∂log σ² = ½·ε·σ; ∂KL/∂μ = μ/rows, ∂KL/∂log σ² = ½(σ² − 1)/rows.
/// </summary>
public sealed class VariationalAutoencoder<T> : ReconstructionNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps existing stacks.</summary>
    public VariationalAutoencoder(ModelOptions options, Mlp<T> trunk, Mlp<T> heads, Mlp<T> decoder) : base(options, trunk.InputSize)
    {
        var c = options.CodeSize;
        if (heads.InputSize != trunk.OutputSize || heads.OutputSize != 2 * c || decoder.InputSize != c || decoder.OutputSize != trunk.InputSize)
        {
            throw new ArgumentException("VAE trunk, heads and decoder widths do not fit together");
        }
        Trunk = trunk;
        Heads = heads;
        Decoder = decoder;
        Parameters = [.. trunk.Parameters(), .. heads.Parameters(), .. decoder.Parameters()];
    }

    /// <summary>Input → last hidden layer.</summary>
    public Mlp<T> Trunk { get; }

    /// <summary>Last hidden → [μ | log σ²], linear.</summary>
    public Mlp<T> Heads { get; }

    /// <summary>z → reconstruction.</summary>
    public Mlp<T> Decoder { get; }

    /// <inheritdoc />
    public override IReadOnlyList<T[]> Parameters { get; }

    private int Code => Options.CodeSize;

    /// <summary>A freshly initialised VAE; needs at least one hidden layer.</summary>
    public static VariationalAutoencoder<T> Create(ModelOptions options, int inputSize, ref Rng rng)
    {
        if (options.HiddenSizes.Count == 0)
        {
            throw new ArgumentException("a VAE needs at least one hidden layer (HiddenSizes is empty)");
        }
        var slope = T.CreateTruncating(options.LeakySlope);
        int[] trunkWidths = [inputSize, .. options.HiddenSizes];
        var trunk = Mlp<T>.Create(trunkWidths, options.HiddenActivation, options.HiddenActivation, slope, options.Dropout, ref rng);
        var heads = Mlp<T>.Create([options.HiddenSizes[^1], 2 * options.CodeSize], Activation.Identity, Activation.Identity, slope, 0, ref rng);
        var decoder = Mlp<T>.Create(options.DecoderWidths(inputSize), options.HiddenActivation, Activation.Identity, slope, options.Dropout, ref rng);
        return new VariationalAutoencoder<T>(options, trunk, heads, decoder);
    }

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() =>
        new VariationalAutoencoder<TOut>(Options, Trunk.Convert<TOut>(), Heads.Convert<TOut>(), Decoder.Convert<TOut>());

    /// <inheritdoc />
    public override NetworkWorkspace<T> CreateWorkspace(int maxRows, bool training) => new Workspace(this, maxRows, training);

    /// <inheritdoc />
    public override double Loss(IKernels<T> k, ReadOnlySpan<T> input, ReadOnlySpan<T> target, int rows,
        NetworkWorkspace<T> ws, ref Rng rng, bool training, IReadOnlyList<T[]>? grads)
    {
        var w = Check<Workspace>(ws, rows);
        var h = Trunk.Forward(k, input, rows, w.Trunk, training, ref rng);
        var stats = Heads.Forward(k, h, rows, w.Heads, training, ref rng);
        var n = rows * Code;
        var eps = w.Eps.AsSpan(0, n);
        rng.FillGaussian(eps);
        Sample(stats, eps, rows, w.Z);
        var output = Decoder.Forward(k, w.Z.AsSpan(0, n), rows, w.Decoder, training, ref rng);
        ReconstructionLosses.Evaluate(k, Options.Loss, target, output, rows, InputSize, w.Errors, w.RowLoss);
        var loss = ReconstructionLosses.Mean<T>(w.RowLoss, rows) + Options.Beta * KlSum(stats, rows) / rows;
        if (grads is null)
        {
            return loss;
        }
        ReconstructionLosses.Gradient(k, Options.Loss, target, output, rows, InputSize, T.One, w.DOutput);
        var dz = w.DZ.AsSpan(0, n);
        Decoder.Backward(k, w.Z, w.Decoder, w.DOutput, grads, Trunk.ParameterCount + Heads.ParameterCount, dz);
        var dStats = w.DStats.AsSpan(0, 2 * n);
        var b = T.CreateTruncating(Options.Beta) / T.CreateChecked(rows);
        var half = T.CreateTruncating(0.5);
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < Code; j++)
            {
                var mu = stats[i * 2 * Code + j];
                var logVar = stats[i * 2 * Code + Code + j];
                var std = T.Exp(half * logVar);
                var g = dz[i * Code + j];
                dStats[i * 2 * Code + j] = g + b * mu;
                dStats[i * 2 * Code + Code + j] = g * eps[i * Code + j] * half * std + b * half * (std * std - T.One);
            }
        }
        var dh = w.DH.AsSpan(0, rows * Heads.InputSize);
        Heads.Backward(k, h, w.Heads, dStats, grads, Trunk.ParameterCount, dh);
        Trunk.Backward(k, input, w.Trunk, dh, grads, 0, []);
        return loss;
    }

    /// <inheritdoc />
    public override void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors) => Score(k, x, rows, ws, ref rng, rowScores, errors, Options.ElboSamples);

    /// <summary>
    /// For ranking training rows, the negative ELBO from one sample instead of <see cref="ModelOptions.ElboSamples"/>:
    /// an unbiased estimate of the same score at a fraction of the cost (measured in docs/quality.md).
    /// </summary>
    public override void RankingScore(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors) => Score(k, x, rows, ws, ref rng, rowScores, errors, samples: 1);

    private void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors, int samples)
    {
        var w = Check<Workspace>(ws, rows);
        var h = Trunk.Forward(k, x, rows, w.Trunk, false, ref rng);
        var stats = Heads.Forward(k, h, rows, w.Heads, false, ref rng);
        var n = rows * Code;
        if (Options.Score == VaeScore.Reconstruction)
        {
            var z = w.Z.AsSpan(0, n);
            for (var i = 0; i < rows; i++)
            {
                stats.Slice(i * 2 * Code, Code).CopyTo(z.Slice(i * Code, Code));
            }
            var mean = Decoder.Forward(k, z, rows, w.Decoder, false, ref rng);
            ReconstructionLosses.Evaluate(k, Options.Loss, x, mean, rows, InputSize, errors, rowScores);
            return;
        }
        // Negative ELBO: mean over L samples of the reconstruction loss, plus β·KL of the row. Each row's noise is
        // seeded by the row itself (and the sample index), not drawn from a stream shared by the batch: a record gets the
        // same score whatever batch it arrives in and wherever it sits there.
        var inv = T.One / T.CreateChecked(samples);
        var m = rows * InputSize;
        errors[..m].Clear();
        rowScores[..rows].Clear();
        for (var s = 0; s < samples; s++)
        {
            for (var i = 0; i < rows; i++)
            {
                var rowRng = new Rng(Rng.SeedFrom(x.Slice(i * InputSize, InputSize), (ulong)s));
                rowRng.FillGaussian(w.Eps.AsSpan(i * Code, Code));
            }
            Sample(stats, w.Eps, rows, w.Z);
            var output = Decoder.Forward(k, w.Z.AsSpan(0, n), rows, w.Decoder, false, ref rng);
            ReconstructionLosses.Evaluate(k, Options.Loss, x, output, rows, InputSize, w.Errors, w.RowLoss);
            for (var i = 0; i < m; i++)
            {
                errors[i] += inv * w.Errors[i];
            }
            for (var i = 0; i < rows; i++)
            {
                rowScores[i] += inv * w.RowLoss[i];
            }
        }
        var beta = T.CreateTruncating(Options.Beta);
        for (var i = 0; i < rows; i++)
        {
            rowScores[i] += beta * T.CreateTruncating(KlSum(stats.Slice(i * 2 * Code, 2 * Code), 1));
        }
    }

    /// <summary>z = μ + ε·exp(½·log σ²), row by row.</summary>
    private void Sample(ReadOnlySpan<T> stats, ReadOnlySpan<T> eps, int rows, Span<T> z)
    {
        var half = T.CreateTruncating(0.5);
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < Code; j++)
            {
                var mu = stats[i * 2 * Code + j];
                var logVar = stats[i * 2 * Code + Code + j];
                z[i * Code + j] = mu + eps[i * Code + j] * T.Exp(half * logVar);
            }
        }
    }

    /// <summary>Σ over rows and code of −½(1 + log σ² − μ² − σ²).</summary>
    private double KlSum(ReadOnlySpan<T> stats, int rows)
    {
        var sum = 0.0;
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < Code; j++)
            {
                var mu = double.CreateTruncating(stats[i * 2 * Code + j]);
                var logVar = double.CreateTruncating(stats[i * 2 * Code + Code + j]);
                sum += -0.5 * (1 + logVar - mu * mu - Math.Exp(logVar));
            }
        }
        return sum;
    }

    /// <summary>Trunk, heads and decoder buffers plus the sampling scratch.</summary>
    private sealed class Workspace(VariationalAutoencoder<T> net, int maxRows, bool training)
        : NetworkWorkspace<T>(maxRows, net.InputSize, training)
    {
        public MlpWorkspace<T> Trunk { get; } = new(net.Trunk, maxRows, training);

        public MlpWorkspace<T> Heads { get; } = new(net.Heads, maxRows, training);

        public MlpWorkspace<T> Decoder { get; } = new(net.Decoder, maxRows, training);

        public T[] Eps { get; } = new T[maxRows * net.Code];

        public T[] Z { get; } = new T[maxRows * net.Code];

        public T[] DZ { get; } = training ? new T[maxRows * net.Code] : [];

        public T[] DStats { get; } = training ? new T[maxRows * 2 * net.Code] : [];

        public T[] DH { get; } = training ? new T[maxRows * net.Heads.InputSize] : [];
    }
}
