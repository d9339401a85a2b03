namespace Detector.Streams.Windows;

/// <summary>
/// Feature names of a window of T steps × S sensors, step-major and oldest first: the current step keeps the sensor's
/// own name (alerts name sensors, see the windowed models' per-sensor attribution) and older steps are
/// "sensor@t-k", k steps back.
/// </summary>
public static class WindowSchema
{
    /// <summary>The T·S names for the given sensors.</summary>
    public static string[] Names(IReadOnlyList<string> sensors, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var names = new string[steps * sensors.Count];
        for (var t = 0; t < steps; t++)
        {
            var back = steps - 1 - t;
            for (var s = 0; s < sensors.Count; s++)
            {
                names[t * sensors.Count + s] = back == 0 ? sensors[s] : $"{sensors[s]}@t-{back}";
            }
        }
        return names;
    }
}
