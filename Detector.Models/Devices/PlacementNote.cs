namespace Detector.Models.Devices;

/// <summary>One line a placement wants logged: a fallback to the CPU (a warning) or how <c>auto</c> resolved.</summary>
/// <param name="IsWarning">True when a configured device could not be used.</param>
/// <param name="Message">The line, naming the device, the reason and the actors affected.</param>
public sealed record PlacementNote(bool IsWarning, string Message);
