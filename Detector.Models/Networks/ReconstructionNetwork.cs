using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Networks;

/// <summary>
/// A network that reconstructs its input: the common surface of the AE and the VAE, generic over precision so the
/// same code runs in float32 on the fast kernels and in float64 on the reference kernels for gradient checks.
/// Holds weights only; per-caller state lives in a <see cref="NetworkWorkspace{T}"/>.
/// </summary>
public abstract class ReconstructionNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Sets the shared shape.</summary>
    protected ReconstructionNetwork(ModelOptions options, int inputSize)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        Options = options;
        InputSize = inputSize;
    }

    /// <summary>The architecture.</summary>
    public ModelOptions Options { get; }

    /// <summary>Number of features.</summary>
    public int InputSize { get; }

    /// <summary>All trainable arrays in a fixed order (the artifact and the optimizer rely on it).</summary>
    public abstract IReadOnlyList<T[]> Parameters { get; }

    /// <summary>Total number of trainable scalars.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Length);

    /// <summary>Buffers for batches of up to maxRows rows; training workspaces also hold backward scratch.</summary>
    public abstract NetworkWorkspace<T> CreateWorkspace(int maxRows, bool training);

    /// <summary>
    /// The training objective on one batch: input (possibly corrupted) is encoded, target is what the output is compared
    /// with. When grads is given (arrays shaped like <see cref="Parameters"/>), ∂loss/∂θ is added to it.
    /// </summary>
    public abstract double Loss(IKernels<T> k, ReadOnlySpan<T> input, ReadOnlySpan<T> target, int rows,
        NetworkWorkspace<T> ws, ref Rng rng, bool training, IReadOnlyList<T[]>? grads);

    /// <summary>Per-row anomaly score and per-element error contributions for x [rows, InputSize].</summary>
    public abstract void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors);

    /// <summary>
    /// <see cref="Score"/> for ranking the training rows while training (trimmed training and its early stopping): a
    /// network whose score is an average over random samples may estimate it from fewer, since only the order matters.
    /// </summary>
    public virtual void RankingScore(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors) => Score(k, x, rows, ws, ref rng, rowScores, errors);

    /// <summary>A deep copy in another precision.</summary>
    public abstract ReconstructionNetwork<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut>;

    /// <summary>Zeroed arrays shaped like <see cref="Parameters"/>.</summary>
    public T[][] CreateGradients() => Parameters.Select(p => new T[p.Length]).ToArray();

    /// <summary>A freshly initialised network of the given architecture.</summary>
    public static ReconstructionNetwork<T> FromOptions(ModelOptions options, int inputSize, ref Rng rng) => options.Kind switch
    {
        _ when options.Members > 1 => EnsembleNetwork<T>.Create(options, inputSize, ref rng),
        ModelKind.Autoencoder => Autoencoder<T>.Create(options, inputSize, ref rng),
        ModelKind.VariationalAutoencoder => VariationalAutoencoder<T>.Create(options, inputSize, ref rng),
        ModelKind.ConvolutionalAutoencoder => Windowed.ConvolutionalAutoencoder<T>.Create(options, inputSize, ref rng),
        ModelKind.LstmAutoencoder => Windowed.LstmAutoencoder<T>.Create(options, inputSize, ref rng),
        ModelKind.TorchScript => throw new NotSupportedException("a TorchScript model is imported from PyTorch with `detector import`; it cannot be trained or built from options (choose Autoencoder or VariationalAutoencoder to train)"),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown model kind"),
    };

    /// <summary>Checks a workspace was made by this network for at least rows rows.</summary>
    protected static TWs Check<TWs>(NetworkWorkspace<T> ws, int rows) where TWs : NetworkWorkspace<T>
    {
        if (ws is not TWs typed)
        {
            throw new ArgumentException($"workspace {ws.GetType().Name} does not belong to this network", nameof(ws));
        }
        if (rows > ws.MaxRows)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"batch of {rows} rows exceeds the workspace's {ws.MaxRows}");
        }
        return typed;
    }
}
