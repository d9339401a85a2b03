namespace Detector.Models.Devices;

/// <summary>Where each model actor runs, and the lines to log about how that was decided.</summary>
/// <param name="Actors">Device of actor k at index k: <c>cpu</c> or a CUDA device present on this machine.</param>
/// <param name="Notes">Fallbacks (warnings) and the resolution of <c>auto</c> (information).</param>
public sealed record DevicePlan(IReadOnlyList<DeviceSpec> Actors, IReadOnlyList<PlacementNote> Notes);
