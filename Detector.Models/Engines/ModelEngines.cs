using System.Collections.Concurrent;

namespace Detector.Models.Engines;

/// <summary>
/// The engines this process can run. Native is always there; the Torch engine lives in Detector.Models.Torch (so this
/// project never loads LibTorch) and is registered by the program that references it, as a factory run on first use:
/// LibTorch loads only when a model needs it.
/// </summary>
public static class ModelEngines
{
    private static readonly ConcurrentDictionary<ModelEngine, Lazy<IModelEngine>> Registered =
        new() { [ModelEngine.Native] = new Lazy<IModelEngine>(NativeEngine.Instance) };

    /// <summary>Makes an engine available (the last registration of a kind wins).</summary>
    public static void Register(IModelEngine engine) => Registered[engine.Kind] = new Lazy<IModelEngine>(engine);

    /// <summary>Makes an engine available, created on first use (a failure is thrown to every caller that asks for it).</summary>
    public static void Register(ModelEngine kind, Func<IModelEngine> factory) =>
        Registered.TryAdd(kind, new Lazy<IModelEngine>(factory, LazyThreadSafetyMode.ExecutionAndPublication));

    /// <summary>Whether the engine is registered (created or not).</summary>
    public static bool IsRegistered(ModelEngine kind) => Registered.ContainsKey(kind);

    /// <summary>The engine, or an error naming what is missing (or why it could not be created).</summary>
    public static IModelEngine Resolve(ModelEngine kind) => Registered.TryGetValue(kind, out var engine)
        ? engine.Value
        : throw new InvalidOperationException($"the {kind} engine is not available in this program (it lives in Detector.Models.{kind}, which registers it at start-up)");
}
