namespace Detector.Models.Devices;

/// <summary>Finds the CUDA devices of this machine. Never throws: a missing library or driver error is a reason.</summary>
public interface IDeviceProbe
{
    /// <summary>The devices present now (implementations may cache: devices do not come and go in a process).</summary>
    DeviceInventory Probe();
}
