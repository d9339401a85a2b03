namespace Detector.Models.Devices;

/// <summary>The CUDA devices a probe found, by ordinal, or why it found none.</summary>
/// <param name="Gpus">Device names, index = ordinal; empty when there is none.</param>
/// <param name="Reason">Why no device is usable (library missing, driver error, zero devices); null when some are.</param>
public sealed record DeviceInventory(IReadOnlyList<string> Gpus, string? Reason)
{
    /// <summary>No CUDA device, for <paramref name="reason"/>.</summary>
    public static DeviceInventory None(string reason) => new([], reason);

    /// <summary>True when CUDA device <paramref name="ordinal"/> exists.</summary>
    public bool Has(int ordinal) => ordinal >= 0 && ordinal < Gpus.Count;

    /// <summary>One line for logs: the devices found, or the reason there is none.</summary>
    public string Describe() => Gpus.Count == 0
        ? $"no CUDA device ({Reason ?? "none found"})"
        : $"{Gpus.Count} CUDA device(s): {string.Join(", ", Gpus.Select((name, i) => $"cuda:{i} {name}"))}";
}
