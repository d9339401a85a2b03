using Detector.Models.Engines;
using Detector.Models.Networks;
using TorchSharp;

namespace Detector.Models.Torch;

/// <summary>
/// The Torch engine: the AE and the VAE computed by LibTorch through TorchSharp, on the shared weights.
/// LibTorch's intra-op pool is process-wide; on a busy 2-core machine two OpenMP pools fighting over the cores collapsed
/// to a few thousand records/s, so the engine runs each call on one intra-op thread by default (<see cref="IntraOpThreads"/>):
/// parallelism comes from the model actors, one LibTorch call per actor at a time. The count is applied on each calling
/// thread (<see cref="TorchThreads"/>): OpenMP keeps it per thread.
/// </summary>
public sealed class TorchEngine : IModuleEngine
{
    /// <summary>Loads LibTorch and sets its intra-op thread count (torch.set_num_threads).</summary>
    public TorchEngine(int intraOpThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        TorchRuntime.EnsureLoaded();
        TorchThreads.Configure(intraOpThreads);
        IntraOpThreads = intraOpThreads;
    }

    /// <summary>Threads LibTorch may use inside one call (one by default: one per model actor).</summary>
    public int IntraOpThreads { get; }

    /// <inheritdoc />
    public ModelEngine Kind => ModelEngine.Torch;

    /// <summary>Registers a Torch engine in <see cref="ModelEngines"/> (idempotent for the same thread count).</summary>
    public static TorchEngine Register(int intraOpThreads = 1)
    {
        if (ModelEngines.IsRegistered(ModelEngine.Torch) && ModelEngines.Resolve(ModelEngine.Torch) is TorchEngine { } existing
            && existing.IntraOpThreads == intraOpThreads)
        {
            return existing; // a registered factory is created here, once
        }
        var engine = new TorchEngine(intraOpThreads);
        ModelEngines.Register(engine);
        return engine;
    }

    /// <inheritdoc />
    public ReconstructionNetwork<float> LoadModule(ModelOptions options, int inputSize, byte[] module) =>
        new TorchScriptNetwork(options, inputSize, module);

    /// <inheritdoc />
    public ReconstructionNetwork<float> Adopt(ReconstructionNetwork<float> network) => network switch
    {
        IEngineBoundNetwork { Engine: ModelEngine.Torch } => network,
        IEngineBoundNetwork { Portable: { } native } => new TorchNetwork(native, frozen: false),
        Autoencoder<float> or VariationalAutoencoder<float> => new TorchNetwork(network, frozen: false),
        _ => throw new NotSupportedException($"the Torch engine runs the Autoencoder and the VariationalAutoencoder, not {network.Options.Kind}: use Engine = Native"),
    };
}
