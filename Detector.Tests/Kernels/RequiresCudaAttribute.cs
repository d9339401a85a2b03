namespace Detector.Tests.Kernels;

/// <summary>
/// Marks a contract-suite subclass whose implementation needs a CUDA device: its inherited <see cref="ContractFactAttribute"/>
/// and <see cref="ContractTheoryAttribute"/> tests are skipped, with the reason, where none is usable.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresCudaAttribute : Attribute;
