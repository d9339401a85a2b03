using System.Collections.Concurrent;

namespace Detector.Models.Engines;

/// <summary>
/// The engines this process can run. Native is always there; the Torch engine lives in Detector.Models.Torch (so this
/// project never loads LibTorch) and is registered by the program that references it, once at start-up.
/// </summary>
public static class ModelEngines
{
    private static readonly ConcurrentDictionary<ModelEngine, IModelEngine> Registered = new() { [ModelEngine.Native] = NativeEngine.Instance };

    /// <summary>Makes an engine available (the last registration of a kind wins).</summary>
    public static void Register(IModelEngine engine) => Registered[engine.Kind] = engine;

    /// <summary>Whether the engine is registered.</summary>
    public static bool IsRegistered(ModelEngine kind) => Registered.ContainsKey(kind);

    /// <summary>The engine, or an error naming what is missing.</summary>
    public static IModelEngine Resolve(ModelEngine kind) => Registered.TryGetValue(kind, out var engine)
        ? engine
        : throw new InvalidOperationException($"the {kind} engine is not available in this program (it lives in Detector.Models.{kind}, which registers it at start-up)");
}
