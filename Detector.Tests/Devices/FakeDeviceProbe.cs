using Detector.Models.Devices;

namespace Detector.Tests.Devices;

/// <summary>A probe that reports the GPUs it is given (or none, with a reason) and counts how often it was asked.</summary>
internal sealed class FakeDeviceProbe(DeviceInventory inventory) : IDeviceProbe
{
    private int _calls;

    /// <summary>A probe finding <paramref name="gpus"/> devices named fake-gpu-i.</summary>
    public static FakeDeviceProbe WithGpus(int gpus) =>
        new(gpus == 0 ? DeviceInventory.None("fake: no GPU") : new DeviceInventory(Enumerable.Range(0, gpus).Select(i => $"fake-gpu-{i}").ToArray(), null));

    public int Calls => Volatile.Read(ref _calls);

    public DeviceInventory Probe()
    {
        Interlocked.Increment(ref _calls);
        return inventory;
    }
}
