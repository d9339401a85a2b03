namespace Detector.Models.Devices;

/// <summary>
/// Pins model actors to devices: actor k gets <c>devices[k % devices.Count]</c> once <c>auto</c> has been resolved
/// to every CUDA device present (or to the CPU when there is none). A configured <c>cuda:N</c> that is not present
/// falls back to the CPU for the actors that named it, with one warning per missing device; nothing here throws for
/// a missing GPU. A configuration of only <c>cpu</c> never probes for CUDA.
/// </summary>
public static class DevicePlacement
{
    /// <summary>Plans <paramref name="actors"/> model actors over <paramref name="devices"/>.</summary>
    /// <param name="devices">Configured devices, non-empty.</param>
    /// <param name="actors">Model actors to place.</param>
    /// <param name="probe">Finds the CUDA devices (called only when a device other than <c>cpu</c> is configured).</param>
    /// <param name="actorName">An actor's name for the notes (default <c>model-k</c>).</param>
    public static DevicePlan Plan(IReadOnlyList<DeviceSpec> devices, int actors, IDeviceProbe probe, Func<int, string>? actorName = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentOutOfRangeException.ThrowIfNegative(actors);
        if (devices.Count == 0)
        {
            throw new ArgumentException("at least one device is needed", nameof(devices));
        }
        actorName ??= k => $"model-{k}";
        if (devices.All(d => d.Kind == DeviceKind.Cpu))
        {
            return new DevicePlan(Enumerable.Repeat(DeviceSpec.Cpu, actors).ToArray(), []);
        }
        var inventory = probe.Probe();
        var notes = new List<PlacementNote>();
        var resolved = Resolve(devices, inventory, notes);
        var placed = new DeviceSpec[actors];
        var missing = new SortedDictionary<int, List<int>>();
        for (var k = 0; k < actors; k++)
        {
            var device = resolved[k % resolved.Count];
            if (device.IsCuda && !inventory.Has(device.Ordinal))
            {
                if (!missing.TryGetValue(device.Ordinal, out var list))
                {
                    missing[device.Ordinal] = list = [];
                }
                list.Add(k);
                device = DeviceSpec.Cpu;
            }
            placed[k] = device;
        }
        foreach (var (ordinal, list) in missing)
        {
            notes.Add(new PlacementNote(true,
                $"device {DeviceSpec.Cuda(ordinal)} is not present ({inventory.Describe()}): " +
                $"model actor(s) {string.Join(", ", list.Select(actorName))} run on the cpu instead"));
        }
        return new DevicePlan(placed, notes);
    }

    private static List<DeviceSpec> Resolve(IReadOnlyList<DeviceSpec> devices, DeviceInventory inventory, List<PlacementNote> notes)
    {
        var resolved = new List<DeviceSpec>();
        foreach (var device in devices)
        {
            if (device.Kind != DeviceKind.Auto)
            {
                resolved.Add(device);
                continue;
            }
            if (inventory.Gpus.Count == 0)
            {
                notes.Add(new PlacementNote(false, $"devices: auto found {inventory.Describe()}; model actors run on the cpu"));
                resolved.Add(DeviceSpec.Cpu);
            }
            else
            {
                notes.Add(new PlacementNote(false, $"devices: auto found {inventory.Describe()}; model actors are spread over them"));
                resolved.AddRange(Enumerable.Range(0, inventory.Gpus.Count).Select(DeviceSpec.Cuda));
            }
        }
        return resolved;
    }
}
