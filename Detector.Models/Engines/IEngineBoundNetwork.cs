using Detector.Models.Networks;

namespace Detector.Models.Engines;

/// <summary>A network that runs on an engine other than the native one.</summary>
public interface IEngineBoundNetwork
{
    /// <summary>The engine it runs on.</summary>
    ModelEngine Engine { get; }

    /// <summary>The same weights as a native network, or null when only its own engine can run it (an imported TorchScript module).</summary>
    ReconstructionNetwork<float>? Portable { get; }
}
