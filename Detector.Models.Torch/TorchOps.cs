using TorchSharp;
using static TorchSharp.torch;

namespace Detector.Models.Torch;

/// <summary>
/// The few element-wise ops the engine needs, written so that no temporary <see cref="Scalar"/> is ever passed to
/// LibTorch. TorchSharp turns a .NET number into a finalizable Scalar and passes only its handle to the native call
/// (`add(t)` is `add(t, 1)`, `square()` is `pow(2)`); nothing keeps that Scalar alive during the call, so under GC
/// pressure with several scoring threads the finalizer freed it mid-call ("INTERNAL ASSERT FAILED at Scalar.h",
/// seen in `bench models --threads 2`). Here every Scalar is a static that lives for the process, and constants are
/// 0-d tensors.
/// </summary>
internal static class TorchOps
{
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>a + b.</summary>
    public static Tensor Add(Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a − b.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => a.add(b.neg(), One);

    /// <summary>a · b, element-wise (broadcasting a 0-d constant).</summary>
    public static Tensor Mul(Tensor a, Tensor b) => a.mul(b);

    /// <summary>
    /// x·W + b for x [rows, in], W [in, out], b [out]: one fused addmm (LibTorch's linear takes its weight as
    /// [out, in], so W's transposed view is passed; no copy).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor b) => torch.nn.functional.linear(x, w.t(), b);

    /// <summary>A 0-d float32 constant (create once and keep: it is read by many threads, never written).</summary>
    public static Tensor Constant(double value) => torch.tensor((float)value);

    /// <summary>
    /// The elements of a float32 CPU tensor, as a span over its own memory (made contiguous first, which may copy: keep
    /// the returned tensor alive while the span is used). TorchSharp's element accessor (`data&lt;float&gt;()`) walks the
    /// indices one by one, asking LibTorch for the element count each time: ~20% of a scoring call's CPU for ae30 at
    /// batch 256; this is one memory copy.
    /// </summary>
    public static Span<float> Elements(Tensor tensor, out Tensor contiguous)
    {
        if (tensor.dtype != ScalarType.Float32 || tensor.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"a float32 CPU tensor is needed, not {tensor.dtype} on {tensor.device_type}", nameof(tensor));
        }
        contiguous = tensor.is_contiguous() ? tensor : tensor.contiguous();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contiguous.bytes);
    }

    /// <summary>Copies the first destination.Length elements of a float32 CPU tensor into destination.</summary>
    public static void CopyTo(Tensor tensor, Span<float> destination)
    {
        Elements(tensor, out var alive)[..destination.Length].CopyTo(destination);
        GC.KeepAlive(alive);
    }

    /// <summary>Copies source into the first source.Length elements of a contiguous float32 CPU tensor.</summary>
    public static void CopyFrom(ReadOnlySpan<float> source, Tensor tensor)
    {
        if (!tensor.is_contiguous())
        {
            throw new ArgumentException("a contiguous tensor is needed to copy into", nameof(tensor));
        }
        source.CopyTo(Elements(tensor, out var alive));
        GC.KeepAlive(alive);
    }

    /// <summary>LeakyReLU as relu(z) − slope·relu(−z).</summary>
    public static Tensor LeakyRelu(Tensor z, Tensor slope) => Sub(z.relu(), Mul(z.neg().relu(), slope));

    /// <summary>MSE element errors (r − t)², or BCE on logits z: max(z, 0) + log(1 + e^−|z|) − t·z (the native kernels' formulas).</summary>
    public static Tensor ElementErrors(Tensor target, Tensor output, bool binaryCrossEntropy)
    {
        if (binaryCrossEntropy)
        {
            return Sub(Add(output.relu(), output.abs().neg().exp().log1p()), Mul(target, output));
        }
        return torch.nn.functional.mse_loss(output, target, nn.Reduction.None);
    }
}
