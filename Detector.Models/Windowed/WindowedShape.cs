using Detector.Models.Networks;

namespace Detector.Models.Windowed;

/// <summary>How a windowed model's flat input of T·S values splits into T steps of S sensors.</summary>
public static class WindowedShape
{
    /// <summary>S = inputSize / T; throws when the input is not a whole number of steps.</summary>
    public static int Sensors(ModelOptions options, int inputSize)
    {
        var steps = options.WindowSteps;
        if (steps < 1 || inputSize % steps != 0)
        {
            throw new ArgumentException($"a windowed model of {steps} steps needs an input that is a multiple of {steps} values, got {inputSize}");
        }
        return inputSize / steps;
    }
}
