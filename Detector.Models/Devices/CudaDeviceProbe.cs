using Detector.Models.Kernels.Cuda;

namespace Detector.Models.Devices;

/// <summary>
/// Finds CUDA devices through the driver API: loads libcuda.so.1 with <c>NativeLibrary.TryLoad</c>, then
/// <c>cuInit</c>, <c>cuDeviceGetCount</c> and <c>cuDeviceGetName</c>. Never throws: a missing library, a driver error
/// or zero devices become the inventory's reason. The answer is computed once per process.
/// </summary>
public sealed class CudaDeviceProbe : IDeviceProbe
{
    private static readonly Lazy<DeviceInventory> Inventory = new(Run);

    private CudaDeviceProbe()
    {
    }

    /// <summary>The process-wide probe.</summary>
    public static CudaDeviceProbe Instance { get; } = new();

    /// <inheritdoc />
    public DeviceInventory Probe() => Inventory.Value;

    private static DeviceInventory Run()
    {
        try
        {
            if (!CudaDriver.IsAvailable)
            {
                return DeviceInventory.None("libcuda.so.1 not found: no NVIDIA driver on this machine");
            }
            var init = CudaDriver.cuInit(0);
            if (init != 0)
            {
                return DeviceInventory.None($"cuInit failed: {CudaDriver.ErrorString(init)}");
            }
            var count = CudaDriver.cuDeviceGetCount(out var n);
            if (count != 0)
            {
                return DeviceInventory.None($"cuDeviceGetCount failed: {CudaDriver.ErrorString(count)}");
            }
            if (n == 0)
            {
                return DeviceInventory.None("the NVIDIA driver reports 0 devices");
            }
            var names = new string[n];
            for (var i = 0; i < n; i++)
            {
                CudaDriver.Check(CudaDriver.cuDeviceGet(out var device, i), nameof(CudaDriver.cuDeviceGet));
                names[i] = CudaDriver.DeviceName(device);
            }
            return new DeviceInventory(names, null);
        }
#pragma warning disable CA1031 // The probe's contract is to never throw: any failure (a missing symbol, a driver fault) is the reason there is no device.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return DeviceInventory.None($"probing CUDA failed: {e.Message}");
        }
    }
}
