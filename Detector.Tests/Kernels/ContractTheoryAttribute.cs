using Xunit;
using Xunit.Sdk;

namespace Detector.Tests.Kernels;

/// <summary>A theory of a contract suite; skipped with the reason in a subclass whose hardware is missing (see <see cref="ContractFactAttribute"/>).</summary>
[XunitTestCaseDiscoverer("Detector.Tests.Kernels.ContractTheoryDiscoverer", "Detector.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractTheoryAttribute : TheoryAttribute;
