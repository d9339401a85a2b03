using Detector.Models.Networks;

namespace Detector.Models.Engines;

/// <summary>
/// The project's own kernels: a network bound to another engine goes back to its native form. A network that has none
/// (an imported TorchScript module) stays on its own engine: a node configured for Native still serves it, on Torch.
/// </summary>
public sealed class NativeEngine : IModelEngine
{
    /// <summary>The one instance.</summary>
    public static NativeEngine Instance { get; } = new();

    /// <inheritdoc />
    public ModelEngine Kind => ModelEngine.Native;

    /// <inheritdoc />
    public ReconstructionNetwork<float> Adopt(ReconstructionNetwork<float> network) => network switch
    {
        IEngineBoundNetwork { Portable: { } native } => native,
        IEngineBoundNetwork => network,
        _ => network,
    };
}
