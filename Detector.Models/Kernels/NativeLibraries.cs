using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Detector.Models.Kernels;

/// <summary>
/// One DllImport resolver for this assembly (the runtime allows only one): maps a logical library name to the first
/// candidate path that loads. Native backends (OpenBLAS now, CUDA later) register their candidates here.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical name → candidates, registered before first use.</summary>
    private static readonly ConcurrentDictionary<string, string[]> Candidates = new(StringComparer.Ordinal);

    /// <summary>Logical name → handle (0 when none of the candidates loads); each library is loaded once.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<nint>> Handles = new(StringComparer.Ordinal);

    static NativeLibraries()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>Registers where a logical library may be found.</summary>
    public static void Register(string name, params string[] candidates) => Candidates.TryAdd(name, candidates);

    /// <summary>The handle of a registered library, or 0 when it cannot be loaded.</summary>
    public static nint Handle(string name) =>
        Handles.GetOrAdd(name, n => new Lazy<nint>(() => Load(n))).Value;

    private static nint Load(string name)
    {
        if (!Candidates.TryGetValue(name, out var candidates))
        {
            return 0;
        }
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var h))
            {
                return h;
            }
        }
        return 0;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) => Handle(name);
}
