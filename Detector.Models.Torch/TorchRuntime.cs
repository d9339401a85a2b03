using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace Detector.Models.Torch;

/// <summary>
/// Loads LibTorch once per process and, when that fails, names the real cause instead of TorchSharp's generic
/// "libtorch-cpu-linux-x64 is not restored". The known case is Debian 12: TorchSharp 0.107.0's shim
/// libLibTorchSharp.so needs symbol version GLIBCXX_3.4.32 (GCC 13) and Debian 12's libstdc++ stops at 3.4.30.
/// The build marks that need weak in the output copy (build/LibTorchSharp.targets); this check tells whether the copy
/// next to the program was patched, whether the system libstdc++ has the version, and what dlopen said.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The symbol version TorchSharp 0.107.0's shim asks for.</summary>
    public const string GlibcxxVersion = "GLIBCXX_3.4.32";

    private static readonly Lazy<TorchUnavailableException?> Loaded = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether LibTorch is usable in this process (loads it on first call).</summary>
    public static bool IsAvailable => Loaded.Value is null;

    /// <summary>Why LibTorch is not usable, or null when it is.</summary>
    public static string? UnavailableReason => Loaded.Value?.Message;

    /// <summary>Loads LibTorch, or throws <see cref="TorchUnavailableException"/> naming the cause.</summary>
    public static void EnsureLoaded()
    {
        if (Loaded.Value is { } e)
        {
            throw new TorchUnavailableException(e.Message, e);
        }
    }

    /// <summary>The shim next to the program (or under runtimes/linux-x64/native), or null when there is none.</summary>
    public static string? ShimPath()
    {
        var dir = AppContext.BaseDirectory;
        foreach (var p in new[] { Path.Combine(dir, "libLibTorchSharp.so"), Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") })
        {
            if (File.Exists(p))
            {
                return p;
            }
        }
        return null;
    }

    /// <summary>
    /// The shim's need for <see cref="GlibcxxVersion"/>: null when it has none, else whether it is marked weak.
    /// Reads the ELF .gnu.version_r section (the same walk the build-time patch does).
    /// </summary>
    public static bool? GlibcxxNeedIsWeak(string shimPath)
    {
        var b = File.ReadAllBytes(shimPath);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[4] != 2)
        {
            return null;
        }
        var shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (var s = 0; s < shnum; s++)
        {
            var sh = (int)(shoff + (long)s * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) != 0x6ffffffe)
            {
                continue;
            }
            var off = (long)BitConverter.ToUInt64(b, sh + 24);
            var strOff = (long)BitConverter.ToUInt64(b, (int)(shoff + (long)BitConverter.ToUInt32(b, sh + 40) * shentsize) + 24);
            var need = off;
            for (var n = 0; n < BitConverter.ToUInt32(b, sh + 44); n++)
            {
                var aux = need + BitConverter.ToUInt32(b, (int)need + 8);
                for (var a = 0; a < BitConverter.ToUInt16(b, (int)need + 2); a++)
                {
                    var nameAt = (int)(strOff + BitConverter.ToUInt32(b, (int)aux + 8));
                    var end = Array.IndexOf(b, (byte)0, nameAt);
                    if (Encoding.ASCII.GetString(b, nameAt, end - nameAt) == GlibcxxVersion)
                    {
                        return (BitConverter.ToUInt16(b, (int)aux + 4) & 2) != 0;
                    }
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(b, (int)need + 12);
            }
        }
        return null;
    }

    /// <summary>Whether the system's libstdc++ defines <see cref="GlibcxxVersion"/> (null when it cannot be found).</summary>
    public static bool? SystemHasGlibcxxVersion()
    {
        foreach (var p in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" })
        {
            if (File.Exists(p))
            {
                var needle = Encoding.ASCII.GetBytes(GlibcxxVersion + "\0");
                return File.ReadAllBytes(p).AsSpan().IndexOf(needle) >= 0;
            }
        }
        return null;
    }

    private static TorchUnavailableException? TryLoad()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            using var probe = torch.ones(2, 2).matmul(torch.ones(2, 2));
            if (probe.sum().item<float>() != 8f)
            {
                return new TorchUnavailableException("LibTorch loaded but computed a wrong 2x2 product");
            }
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new TorchUnavailableException(Diagnose(e), e);
        }
    }

    /// <summary>Turns TorchSharp's load failure into the real cause.</summary>
    private static string Diagnose(Exception failure)
    {
        var shim = ShimPath();
        if (shim is null)
        {
            return $"LibTorch is not usable: libLibTorchSharp.so is not next to the program in {AppContext.BaseDirectory} (TorchSharp said: {failure.Message})";
        }
        string dlerror;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(shim));
            dlerror = "dlopen of the shim itself succeeds";
        }
        catch (DllNotFoundException e)
        {
            dlerror = e.Message;
        }
        var weak = GlibcxxNeedIsWeak(shim);
        var system = SystemHasGlibcxxVersion();
        if (weak == false && system == false)
        {
            return $"LibTorch is not usable: {shim} needs {GlibcxxVersion} (GCC 13's libstdc++) and this system's libstdc++ lacks it " +
                "(Debian 12 stops at GLIBCXX_3.4.30). The build marks that need weak in its output copy (build/LibTorchSharp.targets, " +
                "target MarkLibTorchSharpGlibcxxWeak), but this copy is unpatched: rebuild, or run on a system with GCC 13's libstdc++. " +
                $"dlopen said: {dlerror}";
        }
        return $"LibTorch is not usable ({shim}; {GlibcxxVersion} need: {(weak is null ? "none" : weak.Value ? "weak (patched)" : "strict")}; " +
            $"system libstdc++ has it: {(system is null ? "unknown" : system.Value ? "yes" : "no")}). dlopen said: {dlerror}. TorchSharp said: {failure.Message}";
    }
}
