using System.Numerics;
using System.Numerics.Tensors;
using Detector.Models.Kernels;

namespace Detector.Models.Windowed;

/// <summary>An activation applied in place, for layers whose pre-activation is not a fused dense product.</summary>
internal static class Activations
{
    /// <summary>y ← act(y); float32 spans take the SIMD path for the smooth activations and ReLU.</summary>
    public static void ApplyInPlace<T>(Activation act, T slope, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (act == Activation.Identity)
        {
            return;
        }
        if (typeof(T) == typeof(float))
        {
            var f = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(y);
            switch (act)
            {
                case Activation.Relu:
                    TensorPrimitives.Max(f, 0f, f);
                    return;
                case Activation.Tanh:
                    TensorPrimitives.Tanh(f, f);
                    return;
                case Activation.Sigmoid:
                    TensorPrimitives.Sigmoid(f, f);
                    return;
            }
        }
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = ReferenceKernels<T>.Apply(act, slope, y[i]);
        }
    }
}
