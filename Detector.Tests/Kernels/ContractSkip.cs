using Xunit.Abstractions;

namespace Detector.Tests.Kernels;

/// <summary>Why a contract test of a given subclass cannot run here, or null when it can.</summary>
internal static class ContractSkip
{
    /// <summary>The skip reason for <paramref name="testMethod"/>'s class: the CUDA reason when it carries <see cref="RequiresCudaAttribute"/>.</summary>
    public static string? For(ITestMethod testMethod)
    {
        var requiresCuda = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresCudaAttribute).AssemblyQualifiedName).Any();
        return requiresCuda ? CudaTestDevice.SkipReason : null;
    }
}
