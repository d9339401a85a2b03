using Detector.Models.Torch;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>A fact that needs LibTorch and Debian's python3-torch: skipped, with the reason, where either is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PyTorchFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when LibTorch or python3-torch is missing.</summary>
    public PyTorchFactAttribute()
    {
        if (!TorchRuntime.IsAvailable)
        {
            Skip = TorchRuntime.UnavailableReason;
        }
        else if (PyTorchFiles.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
