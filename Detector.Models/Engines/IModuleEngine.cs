using Detector.Models.Networks;

namespace Detector.Models.Engines;

/// <summary>An engine that can run a serialized module (the Torch engine runs TorchScript).</summary>
public interface IModuleEngine : IModelEngine
{
    /// <summary>
    /// Loads a module mapping [rows, inputSize] to its reconstruction; throws naming what differs when its output does
    /// not have the shape of its input.
    /// </summary>
    ReconstructionNetwork<float> LoadModule(ModelOptions options, int inputSize, byte[] module);
}
