using System.Runtime.InteropServices;
using System.Text;

namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// P/Invoke into NVRTC, the runtime CUDA C++ compiler: CUDA C source in, a CUBIN (or PTX for the driver to JIT) out.
/// Status 0 is success.
/// </summary>
internal static unsafe partial class Nvrtc
{
    private const string Library = "nvrtc";

    static Nvrtc()
    {
        NativeLibraries.Register(Library, CudaLibraryPaths.Candidates("libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.0", "libnvrtc.so"));
    }

    /// <summary>True when an NVRTC library could be loaded.</summary>
    public static bool IsAvailable => NativeLibraries.Handle(Library) != 0;

    /// <summary>
    /// Compiles <paramref name="source"/> for a device of compute capability major.minor into a module image for
    /// <c>cuModuleLoadData</c>. When this NVRTC knows the device's architecture the image is a CUBIN (machine code:
    /// no JIT, and no dependence on the driver accepting this NVRTC's PTX version); for a device newer than this NVRTC
    /// it is NUL-terminated PTX for the newest architecture it knows, which the driver JIT-compiles. Throws a
    /// <see cref="CudaException"/> with the compiler log on failure.
    /// </summary>
    public static byte[] Compile(string source, string name, int major, int minor)
    {
        var arch = major * 10 + minor;
        var supported = SupportedArchitectures();
        if (supported.Length == 0 || supported.Contains(arch))
        {
            return CompileFor(source, name, $"sm_{arch}", cubin: true);
        }
        var newest = supported.Where(a => a <= arch).DefaultIfEmpty(supported.Min()).Max();
        return CompileFor(source, name, $"compute_{newest}", cubin: false);
    }

    /// <summary>The architectures (e.g. 80, 90) this NVRTC can target; empty when it cannot say (NVRTC before 11.2).</summary>
    private static int[] SupportedArchitectures()
    {
        try
        {
            if (nvrtcGetNumSupportedArchs(out var count) != 0 || count <= 0)
            {
                return [];
            }
            var archs = new int[count];
            fixed (int* p = archs)
            {
                return nvrtcGetSupportedArchs(p) == 0 ? archs : [];
            }
        }
        catch (EntryPointNotFoundException)
        {
            return [];
        }
    }

    private static byte[] CompileFor(string source, string name, string architecture, bool cubin)
    {
        Check(nvrtcCreateProgram(out var program, source, name, 0, null, null), nameof(nvrtcCreateProgram), 0);
        try
        {
            byte[][] options = [Encoding.UTF8.GetBytes($"--gpu-architecture={architecture}\0"), "--std=c++14\0"u8.ToArray()];
            fixed (byte* o0 = options[0])
            fixed (byte* o1 = options[1])
            {
                var pointers = stackalloc byte*[] { o0, o1 };
                var status = nvrtcCompileProgram(program, options.Length, pointers);
                if (status != 0)
                {
                    throw new CudaException(nameof(nvrtcCompileProgram), status, $"compiling {name} for {architecture}: {Log(program)}");
                }
            }
            if (cubin)
            {
                Check(nvrtcGetCUBINSize(program, out var cubinSize), nameof(nvrtcGetCUBINSize), program);
                var image = new byte[(int)cubinSize];
                fixed (byte* p = image)
                {
                    Check(nvrtcGetCUBIN(program, p), nameof(nvrtcGetCUBIN), program);
                }
                return image;
            }
            Check(nvrtcGetPTXSize(program, out var size), nameof(nvrtcGetPTXSize), program);
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx)
            {
                Check(nvrtcGetPTX(program, p), nameof(nvrtcGetPTX), program);
            }
            return ptx;
        }
        finally
        {
            _ = nvrtcDestroyProgram(ref program);
        }
    }

    private static void Check(int status, string call, nint program)
    {
        if (status != 0)
        {
            throw new CudaException(call, status, program == 0 ? $"nvrtcResult {status}" : Log(program));
        }
    }

    private static string Log(nint program)
    {
        if (nvrtcGetProgramLogSize(program, out var size) != 0 || size <= 1)
        {
            return "(no compiler log)";
        }
        var log = new byte[(int)size];
        fixed (byte* p = log)
        {
            return nvrtcGetProgramLog(program, p) == 0 ? Encoding.UTF8.GetString(log, 0, log.Length - 1) : "(no compiler log)";
        }
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int nvrtcCreateProgram(out nint program, string source, string name, int headers, byte** headerSources, byte** includeNames);

    [LibraryImport(Library)]
    private static partial int nvrtcCompileProgram(nint program, int optionCount, byte** options);

    [LibraryImport(Library)]
    private static partial int nvrtcGetPTXSize(nint program, out nuint size);

    [LibraryImport(Library)]
    private static partial int nvrtcGetPTX(nint program, byte* ptx);

    [LibraryImport(Library)]
    private static partial int nvrtcGetCUBINSize(nint program, out nuint size);

    [LibraryImport(Library)]
    private static partial int nvrtcGetCUBIN(nint program, byte* cubin);

    [LibraryImport(Library)]
    private static partial int nvrtcGetNumSupportedArchs(out int count);

    [LibraryImport(Library)]
    private static partial int nvrtcGetSupportedArchs(int* archs);

    [LibraryImport(Library)]
    private static partial int nvrtcGetProgramLogSize(nint program, out nuint size);

    [LibraryImport(Library)]
    private static partial int nvrtcGetProgramLog(nint program, byte* log);

    [LibraryImport(Library)]
    private static partial int nvrtcDestroyProgram(ref nint program);
}
