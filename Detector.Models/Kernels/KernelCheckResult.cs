namespace Detector.Models.Kernels;

/// <summary>One check of a kernel backend against the scalar oracle.</summary>
/// <param name="Check">What was compared (kernel and shape, or model and quantity).</param>
/// <param name="Error">max |actual − expected| / max |expected| over the output.</param>
/// <param name="Tolerance">The largest error accepted.</param>
public sealed record KernelCheckResult(string Check, double Error, double Tolerance)
{
    /// <summary>True when the error is within tolerance (false for NaN).</summary>
    public bool Passed => Error <= Tolerance;
}
