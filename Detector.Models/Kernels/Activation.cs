namespace Detector.Models.Kernels;

/// <summary>Elementwise activation applied after a dense layer. Derivatives are expressed through the output y.</summary>
public enum Activation
{
    /// <summary>y = x; dy/dx = 1.</summary>
    Identity,
    /// <summary>y = max(0, x); dy/dx = 1 if y &gt; 0 else 0.</summary>
    Relu,
    /// <summary>y = x if x &gt; 0 else a·x (a &gt; 0); dy/dx = 1 if y &gt; 0 else a.</summary>
    LeakyRelu,
    /// <summary>y = tanh(x); dy/dx = 1 - y².</summary>
    Tanh,
    /// <summary>y = 1 / (1 + e^-x); dy/dx = y(1 - y).</summary>
    Sigmoid,
}
