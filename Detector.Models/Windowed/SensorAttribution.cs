using System.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// Per-sensor attribution for windowed models. A window row holds T steps of S sensors, oldest first; its per-element
/// errors [T, S] are folded into each sensor's total over the T steps, written at that sensor's current-step position
/// (the last S entries of the row) with every older position zero. Downstream, the shares of a row and the top features
/// of an alert are then per sensor, named by the current step's feature, whose value is the sensor's latest reading.
/// </summary>
public static class SensorAttribution
{
    /// <summary>Folds errors [rows, steps·sensors] in place: e[r, (steps−1)·S + s] ← Σ_t e[r, t·S + s]; other entries ← 0.</summary>
    public static void FoldIntoCurrentStep<T>(Span<T> errors, int rows, int steps, int sensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var width = steps * sensors;
        for (var r = 0; r < rows; r++)
        {
            var row = errors.Slice(r * width, width);
            var current = row[((steps - 1) * sensors)..];
            for (var t = 0; t + 1 < steps; t++)
            {
                var step = row.Slice(t * sensors, sensors);
                for (var s = 0; s < sensors; s++)
                {
                    current[s] += step[s];
                }
            }
            row[..((steps - 1) * sensors)].Clear();
        }
    }
}
