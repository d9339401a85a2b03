using System.Text;
using System.Text.RegularExpressions;
using Detector.Models.Kernels.Cuda;
using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>
/// The CUDA kernels' source compiled by the real NVRTC, as <see cref="CudaKernels"/> compiles it at start-up, for the
/// architectures a data-centre GPU has: no GPU is needed, so a source error is found here rather than on the first GPU
/// machine. The module images must export every entry point under its plain (extern "C") name, which is what
/// <c>cuModuleGetFunction</c> looks up.
/// </summary>
public sealed partial class NvrtcCompileTests
{
    [NvrtcTheory]
    [InlineData(7, 0)] // V100
    [InlineData(7, 5)] // T4
    [InlineData(8, 0)] // A100
    [InlineData(8, 6)] // A10, RTX 30
    [InlineData(8, 9)] // L4, L40
    [InlineData(9, 0)] // H100, H200
    public void Compile_KnownArchitecture_CubinExportsEveryEntryPoint(int major, int minor)
    {
        var image = Nvrtc.Compile(CudaKernelSource.Source, "detector_kernels.cu", major, minor);

        Assert.Equal("\u007fELF", Encoding.ASCII.GetString(image, 0, 4));
        var text = Encoding.ASCII.GetString(image);
        foreach (var entry in CudaKernelSource.EntryPoints)
        {
            Assert.Contains($".text.{entry}\0", text, StringComparison.Ordinal);
        }
    }

    [NvrtcTheory]
    [InlineData(12, 0)]
    [InlineData(10, 0)]
    public void Compile_DeviceNewerThanCompiler_PtxForNewestKnownArchitectureWithEveryEntryPoint(int major, int minor)
    {
        var image = Nvrtc.Compile(CudaKernelSource.Source, "detector_kernels.cu", major, minor);

        Assert.Equal(0, image[^1]); // cuModuleLoadData reads PTX as a NUL-terminated string
        var ptx = Encoding.ASCII.GetString(image, 0, image.Length - 1);
        var target = TargetPattern().Match(ptx);
        Assert.True(target.Success, "the PTX names no .target");
        Assert.True(int.Parse(target.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= major * 10 + minor,
            $"target sm_{target.Groups[1].Value} is newer than the device");
        var entries = EntryPattern().Matches(ptx).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(CudaKernelSource.EntryPoints.Order(StringComparer.Ordinal), entries.Order(StringComparer.Ordinal));
    }

    [NvrtcTheory]
    [InlineData(9, 0)]
    public void Compile_BrokenSource_ThrowsWithCompilerLogNamingTheError(int major, int minor)
    {
        const string broken = "extern \"C\" __global__ void k(float* x) { x[0] = not_declared_anywhere; }";

        var e = Assert.Throws<CudaException>(() => Nvrtc.Compile(broken, "broken.cu", major, minor));

        Assert.Contains("broken.cu", e.Message, StringComparison.Ordinal);
        Assert.Contains("not_declared_anywhere", e.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\.target\s+sm_(\d+)", RegexOptions.Multiline)]
    private static partial Regex TargetPattern();

    [GeneratedRegex(@"\.entry\s+(\w+)\(")]
    private static partial Regex EntryPattern();
}
