namespace Detector.Models.Engines;

/// <summary>A network that is a serialized module (TorchScript) rather than weight arrays: the artifact stores its bytes.</summary>
public interface IModuleNetwork
{
    /// <summary>The module as saved by <c>torch.jit.save</c>.</summary>
    byte[] Module { get; }
}
