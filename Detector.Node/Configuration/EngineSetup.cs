using Detector.Models.Engines;
using Detector.Models.Torch;

namespace Detector.Node.Configuration;

/// <summary>Makes the configured model engine available: the Torch engine loads LibTorch once, at start-up.</summary>
internal static class EngineSetup
{
    /// <summary>Registers the engine <c>Pipeline:Retraining:Model:Engine</c> names; fails at start with the real cause if LibTorch cannot load.</summary>
    public static NodeOptions Prepare(NodeOptions options)
    {
        Require(options.Pipeline.Retraining.Model.Engine);
        return options;
    }

    /// <summary>Registers the engine (Native is always there); Torch runs one intra-op thread per model actor.</summary>
    public static void Require(ModelEngine engine)
    {
        if (engine == ModelEngine.Torch)
        {
            TorchEngine.Register();
        }
    }
}
