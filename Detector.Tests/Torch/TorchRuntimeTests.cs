using Detector.Models.Torch;
using TorchSharp;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>LibTorch loads from the build output and computes, on Debian 12 through the build-time patch.</summary>
public sealed class TorchRuntimeTests
{
    [Fact]
    public void EnsureLoaded_BuildOutput_LoadsAndComputes()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [Fact]
    public void ShimInOutput_LacksSystemGlibcxx_IsPatchedWeak()
    {
        var shim = TorchRuntime.ShimPath();
        Assert.NotNull(shim);
        var need = TorchRuntime.GlibcxxNeedIsWeak(shim);
        if (TorchRuntime.SystemHasGlibcxxVersion() == false)
        {
            // Debian 12: the copy beside the program must carry the weak need, or dlopen fails.
            Assert.True(need, $"{shim} still needs {TorchRuntime.GlibcxxVersion} strictly");
        }
        else
        {
            Assert.True(need is null or true, "the build target marks the need weak everywhere; the loader ignores the flag where the version exists");
        }
        // The patch goes to the output copy only: the package cache keeps the shim as NuGet restored it.
        var cache = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cache))
        {
            Assert.False(TorchRuntime.GlibcxxNeedIsWeak(cache), $"the package cache copy {cache} was modified");
        }
    }
}
