using System.Numerics;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>Weight initialisation shared by the windowed layers.</summary>
internal static class Initialise
{
    /// <summary>n values from U(−1/√fanIn, 1/√fanIn) (PyTorch's default for linear, convolutional and recurrent layers).</summary>
    public static T[] Uniform<T>(int n, int fanIn, ref Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bound = 1.0 / Math.Sqrt(fanIn);
        var values = new T[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = T.CreateTruncating((2 * rng.NextDouble() - 1) * bound);
        }
        return values;
    }
}
