using System.Runtime.InteropServices;
using System.Text;

namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// P/Invoke into the CUDA driver API (libcuda.so.1, installed with the NVIDIA driver). Callers check
/// <see cref="IsAvailable"/> first: no entry point is bound unless the library loads, so a machine without CUDA never
/// sees a <see cref="DllNotFoundException"/>. Every call returns a CUresult (0 = success).
/// </summary>
internal static unsafe partial class CudaDriver
{
    private const string Library = "cuda";

    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR.</summary>
    public const int AttributeComputeCapabilityMajor = 75;

    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR.</summary>
    public const int AttributeComputeCapabilityMinor = 76;

    /// <summary>CU_MEMHOSTALLOC_PORTABLE: pinned memory usable from every context.</summary>
    public const uint HostAllocPortable = 1;

    /// <summary>CU_STREAM_NON_BLOCKING: no implicit synchronisation with the legacy default stream.</summary>
    public const uint StreamNonBlocking = 1;

    static CudaDriver()
    {
        NativeLibraries.Register(Library, "libcuda.so.1", "libcuda.so");
    }

    /// <summary>True when libcuda.so.1 could be loaded.</summary>
    public static bool IsAvailable => NativeLibraries.Handle(Library) != 0;

    /// <summary>Throws a <see cref="CudaException"/> naming the call and the driver's error string unless <paramref name="result"/> is 0.</summary>
    public static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new CudaException(call, result, ErrorString(result));
        }
    }

    /// <summary>The driver's name for an error code.</summary>
    public static string ErrorString(int result)
    {
        if (cuGetErrorString(result, out var text) == 0 && text != 0)
        {
            return Marshal.PtrToStringUTF8(text) ?? $"CUresult {result}";
        }
        return $"CUresult {result}";
    }

    /// <summary>The device's name, as the driver reports it.</summary>
    public static string DeviceName(int device)
    {
        var buffer = stackalloc byte[256];
        Check(cuDeviceGetName(buffer, 256, device), nameof(cuDeviceGetName));
        var length = 0;
        while (length < 256 && buffer[length] != 0)
        {
            length++;
        }
        return Encoding.UTF8.GetString(buffer, length);
    }

    [LibraryImport(Library)]
    public static partial int cuInit(uint flags);

    [LibraryImport(Library)]
    public static partial int cuDeviceGetCount(out int count);

    [LibraryImport(Library)]
    public static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Library)]
    public static partial int cuDeviceGetName(byte* name, int length, int device);

    [LibraryImport(Library)]
    public static partial int cuDeviceGetAttribute(out int value, int attribute, int device);

    [LibraryImport(Library)]
    public static partial int cuGetErrorString(int result, out nint text);

    [LibraryImport(Library)]
    public static partial int cuDevicePrimaryCtxRetain(out nint context, int device);

    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    public static partial int cuDevicePrimaryCtxRelease(int device);

    [LibraryImport(Library)]
    public static partial int cuCtxSetCurrent(nint context);

    [LibraryImport(Library)]
    public static partial int cuStreamCreate(out nint stream, uint flags);

    [LibraryImport(Library, EntryPoint = "cuStreamDestroy_v2")]
    public static partial int cuStreamDestroy(nint stream);

    [LibraryImport(Library)]
    public static partial int cuStreamSynchronize(nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemAlloc_v2")]
    public static partial int cuMemAlloc(out ulong pointer, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cuMemFree_v2")]
    public static partial int cuMemFree(ulong pointer);

    [LibraryImport(Library)]
    public static partial int cuMemHostAlloc(out nint pointer, nuint bytes, uint flags);

    [LibraryImport(Library)]
    public static partial int cuMemFreeHost(nint pointer);

    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoDAsync_v2")]
    public static partial int cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoHAsync_v2")]
    public static partial int cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(Library)]
    public static partial int cuModuleLoadData(out nint module, void* image);

    [LibraryImport(Library)]
    public static partial int cuModuleUnload(nint module);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int cuModuleGetFunction(out nint function, nint module, string name);

    [LibraryImport(Library)]
    public static partial int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY,
        uint blockZ, uint sharedBytes, nint stream, void** parameters, void** extra);
}
