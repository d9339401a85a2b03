using Detector.Models.Networks;

namespace Detector.Models.Engines;

/// <summary>
/// A way to run reconstruction networks. An engine adopts a network built from the shared weights (the artifact's
/// parameter arrays) and returns one that computes on it; the adopted network keeps those arrays as its
/// <see cref="ReconstructionNetwork{T}.Parameters"/>, so the trainer, the optimizer and the artifact work unchanged.
/// </summary>
public interface IModelEngine
{
    /// <summary>Which engine this is.</summary>
    ModelEngine Kind { get; }

    /// <summary>The network to compute with; throws naming the reason when this engine cannot run it.</summary>
    ReconstructionNetwork<float> Adopt(ReconstructionNetwork<float> network);
}
