using Detector.Models.Networks;

namespace Detector.Models.Engines;

/// <summary>The project's own kernels: a network bound to another engine goes back to its native form.</summary>
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
        IEngineBoundNetwork bound => throw new NotSupportedException($"this model runs only on the {bound.Engine} engine (it was imported from PyTorch as a module, not as weights)"),
        _ => network,
    };
}
