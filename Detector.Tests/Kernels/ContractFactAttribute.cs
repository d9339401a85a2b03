using Xunit;
using Xunit.Sdk;

namespace Detector.Tests.Kernels;

/// <summary>
/// A fact of a contract suite: runs as a plain fact, except in a subclass whose implementation needs hardware that is
/// missing (see <see cref="RequiresCudaAttribute"/>), where it is reported as skipped with the reason. xunit 2 has no
/// dynamic skip, and a base-class attribute cannot see the subclass, so the discoverer decides per test class.
/// </summary>
[XunitTestCaseDiscoverer("Detector.Tests.Kernels.ContractFactDiscoverer", "Detector.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;
