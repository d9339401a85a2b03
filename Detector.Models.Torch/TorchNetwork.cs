using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Layers;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Detector.Models.Torch;

/// <summary>
/// The AE or the VAE computed by LibTorch: the same architecture, losses, sparsity and KL terms as the native
/// networks (see <see cref="Autoencoder{T}"/> and <see cref="VariationalAutoencoder{T}"/> for the formulas), on the
/// same parameter arrays (W [in, out], b [out]), so the artifact, the trainer and the optimizer are shared.
/// Training passes run LibTorch's autograd and add ∂loss/∂θ into the trainer's gradient arrays; dropout masks and the
/// VAE's ε are drawn from the trainer's generator in the native order, so both engines train the same model.
/// A frozen instance (a snapshot's) keeps its weights as tensors; a training instance reads the arrays every pass.
/// </summary>
public sealed class TorchNetwork : ReconstructionNetwork<float>, IEngineBoundNetwork
{
    private readonly ReconstructionNetwork<float> _native;
    private readonly Mlp<float>[] _stacks;
    private readonly long[][] _shapes;
    private readonly Tensor[]? _frozen;
    private readonly Tensor _half = TorchOps.Constant(0.5);
    private readonly Tensor _minusHalf = TorchOps.Constant(-0.5);
    private readonly Tensor _one = TorchOps.Constant(1);
    private readonly Tensor _beta;
    private readonly Tensor _inverseSamples;
    private readonly Tensor[] _slopes;

    /// <summary>Wraps a native AE or VAE; frozen means its weights never change again.</summary>
    internal TorchNetwork(ReconstructionNetwork<float> native, bool frozen) : base(native.Options, native.InputSize)
    {
        _native = native;
        _stacks = native switch
        {
            Autoencoder<float> ae => [ae.Encoder, ae.Decoder],
            VariationalAutoencoder<float> vae => [vae.Trunk, vae.Heads, vae.Decoder],
            _ => throw new NotSupportedException($"the Torch engine runs the Autoencoder and the VariationalAutoencoder, not {native.Options.Kind}"),
        };
        _beta = TorchOps.Constant(Options.Beta);
        _inverseSamples = TorchOps.Constant(1.0 / Options.ElboSamples);
        _slopes = _stacks.Select(s => TorchOps.Constant(s.Layers[0].Slope)).ToArray();
        _shapes = _stacks.SelectMany(s => s.Layers).SelectMany(l => new[] { new long[] { l.InputSize, l.OutputSize }, new long[] { l.OutputSize } }).ToArray();
        if (frozen)
        {
            _frozen = native.Parameters.Select((p, i) => torch.tensor(p, _shapes[i])).ToArray();
        }
    }

    /// <inheritdoc />
    public ModelEngine Engine => ModelEngine.Torch;

    /// <inheritdoc />
    public ReconstructionNetwork<float>? Portable => _native;

    /// <inheritdoc />
    public override IReadOnlyList<float[]> Parameters => _native.Parameters;

    private bool IsVae => _stacks.Length == 3;

    private int Code => Options.CodeSize;

    /// <inheritdoc />
    public override NetworkWorkspace<float> CreateWorkspace(int maxRows, bool training) => new TorchWorkspace(maxRows, InputSize, training);

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() => typeof(TOut) == typeof(float)
        ? (ReconstructionNetwork<TOut>)(object)new TorchNetwork(_native.Convert<float>(), frozen: true)
        : _native.Convert<TOut>();

    /// <inheritdoc />
    public override double Loss(IKernels<float> k, ReadOnlySpan<float> input, ReadOnlySpan<float> target, int rows,
        NetworkWorkspace<float> ws, ref Rng rng, bool training, IReadOnlyList<float[]>? grads)
    {
        TorchThreads.Apply();
        using var scope = NewDisposeScope();
        var wantGrad = grads is not null;
        var p = Parameters.Select((a, i) => torch.tensor(a, _shapes[i], requires_grad: wantGrad)).ToArray();
        var x = FromSpan(input, rows, InputSize);
        var t = FromSpan(target, rows, InputSize);
        Tensor loss;
        if (!IsVae)
        {
            var code = Run(0, x, p, training, ref rng);
            var output = Run(1, code, p, training, ref rng);
            loss = ElementErrors(t, output).mean();
            if (Options.SparsityWeight > 0)
            {
                loss = TorchOps.Add(loss, TorchOps.Mul(code.abs().sum(), TorchOps.Constant(Options.SparsityWeight / rows)));
            }
        }
        else
        {
            var h = Run(0, x, p, training, ref rng);
            var stats = Run(1, h, p, training, ref rng);
            var eps = new float[rows * Code];
            rng.FillGaussian<float>(eps);
            var (mu, logVar) = (stats.narrow(1, 0, Code), stats.narrow(1, Code, Code));
            var z = TorchOps.Add(mu, TorchOps.Mul(torch.tensor(eps, [rows, Code]), TorchOps.Mul(logVar, _half).exp()));
            var output = Run(2, z, p, training, ref rng);
            loss = TorchOps.Add(ElementErrors(t, output).mean(), TorchOps.Mul(Kl(mu, logVar).sum(), TorchOps.Constant(Options.Beta / rows)));
        }
        if (grads is not null)
        {
            loss.backward();
            for (var i = 0; i < p.Length; i++)
            {
                var g = TorchOps.Elements(p[i].grad!, out var alive);
                System.Numerics.Tensors.TensorPrimitives.Add(grads[i], g, grads[i]);
                GC.KeepAlive(alive);
            }
        }
        return loss.item<float>();
    }

    /// <inheritdoc />
    public override void Score(IKernels<float> k, ReadOnlySpan<float> x, int rows, NetworkWorkspace<float> ws, ref Rng rng,
        Span<float> rowScores, Span<float> errors)
    {
        var w = Check<TorchWorkspace>(ws, rows);
        TorchThreads.Apply();
        using var scope = NewDisposeScope();
        using var inference = torch.inference_mode();
        var p = _frozen ?? Parameters.Select((a, i) => torch.tensor(a, _shapes[i])).ToArray();
        var n = rows * InputSize;
        TorchOps.CopyFrom(x[..n], w.Input);
        var xt = w.Input.narrow(0, 0, rows);
        Tensor e;
        Tensor s;
        if (!IsVae)
        {
            e = ElementErrors(xt, Run(1, Run(0, xt, p, false, ref rng), p, false, ref rng));
            s = e.mean([1]);
        }
        else
        {
            var stats = Run(1, Run(0, xt, p, false, ref rng), p, false, ref rng);
            var (mu, logVar) = (stats.narrow(1, 0, Code), stats.narrow(1, Code, Code));
            if (Options.Score == VaeScore.Reconstruction)
            {
                e = ElementErrors(xt, Run(2, mu, p, false, ref rng));
                s = e.mean([1]);
            }
            else
            {
                // Negative ELBO over L samples; each row's ε is seeded by the row itself, exactly as the native VAE does.
                var samples = Options.ElboSamples;
                var eps = new float[rows * Code];
                var std = TorchOps.Mul(logVar, _half).exp();
                e = torch.zeros(rows, InputSize);
                for (var l = 0; l < samples; l++)
                {
                    for (var i = 0; i < rows; i++)
                    {
                        var rowRng = new Rng(Rng.SeedFrom(x.Slice(i * InputSize, InputSize), (ulong)l));
                        rowRng.FillGaussian(eps.AsSpan(i * Code, Code));
                    }
                    var z = TorchOps.Add(mu, TorchOps.Mul(torch.tensor(eps, [rows, Code]), std));
                    e = TorchOps.Add(e, TorchOps.Mul(ElementErrors(xt, Run(2, z, p, false, ref rng)), _inverseSamples));
                }
                s = TorchOps.Add(e.mean([1]), TorchOps.Mul(Kl(mu, logVar).sum([1]), _beta));
            }
        }
        TorchOps.CopyTo(e, errors[..n]);
        TorchOps.CopyTo(s, rowScores[..rows]);
    }

    /// <summary>Runs stack s on x [rows, in]: act(x·W + b) per layer, inverted dropout between layers while training.</summary>
    private Tensor Run(int stack, Tensor x, Tensor[] p, bool training, ref Rng rng)
    {
        var mlp = _stacks[stack];
        var offset = 0;
        for (var s = 0; s < stack; s++)
        {
            offset += _stacks[s].ParameterCount;
        }
        var dropout = training && mlp.Dropout > 0;
        for (var l = 0; l < mlp.Layers.Count; l++)
        {
            var layer = mlp.Layers[l];
            var y = Activate(TorchOps.Linear(x, p[offset + 2 * l], p[offset + 2 * l + 1]), layer.Activation, _slopes[stack]);
            if (dropout && l + 1 < mlp.Layers.Count)
            {
                // The native mask, drawn in the same order: m ∈ {0, 1/(1-p)} per element, row-major.
                var rows = (int)y.shape[0];
                var mask = new float[rows * layer.OutputSize];
                var keep = (float)(1.0 / (1 - mlp.Dropout));
                for (var i = 0; i < mask.Length; i++)
                {
                    mask[i] = rng.NextDouble() < mlp.Dropout ? 0f : keep;
                }
                y = TorchOps.Mul(y, torch.tensor(mask, [rows, layer.OutputSize]));
            }
            x = y;
        }
        return x;
    }

    private static Tensor Activate(Tensor z, Activation activation, Tensor slope) => activation switch
    {
        Activation.Identity => z,
        Activation.Relu => z.relu(),
        Activation.LeakyRelu => TorchOps.LeakyRelu(z, slope),
        Activation.Tanh => z.tanh(),
        Activation.Sigmoid => z.sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>MSE: (r − t)²; BCE on logits z: max(z, 0) + log(1 + e^−|z|) − t·z (the native kernels' formulas).</summary>
    private Tensor ElementErrors(Tensor target, Tensor output) =>
        TorchOps.ElementErrors(target, output, Options.Loss == ReconstructionLoss.BinaryCrossEntropy);

    /// <summary>Per element −½(1 + log σ² − μ² − σ²).</summary>
    private Tensor Kl(Tensor mu, Tensor logVar) =>
        TorchOps.Mul(TorchOps.Sub(TorchOps.Sub(TorchOps.Add(logVar, _one), TorchOps.Mul(mu, mu)), logVar.exp()), _minusHalf);

    private static Tensor FromSpan(ReadOnlySpan<float> values, int rows, int cols) =>
        torch.tensor(values[..(rows * cols)].ToArray(), [rows, cols]);

    /// <summary>The base buffers plus one input tensor, reused for every batch.</summary>
    private sealed class TorchWorkspace(int maxRows, int inputSize, bool training) : NetworkWorkspace<float>(maxRows, inputSize, training)
    {
        public Tensor Input { get; } = torch.zeros(maxRows, inputSize);
    }
}
