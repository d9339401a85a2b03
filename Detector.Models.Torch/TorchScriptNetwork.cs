using System.Runtime.InteropServices;
using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Detector.Models.Torch;

/// <summary>
/// A PyTorch module imported as TorchScript (<c>torch.jit.save</c>): maps scaled rows [rows, features] to their
/// reconstruction; the score is the configured loss (MSE by default) of each row against it, and each feature's error
/// its share, exactly as for the native models. Every workspace (one per scorer, so one per model actor) loads its
/// own copy of the module, so no two threads ever call into one module. Scored, never trained.
/// </summary>
public sealed class TorchScriptNetwork : ReconstructionNetwork<float>, IEngineBoundNetwork, IModuleNetwork
{
    /// <summary>Loads the module once to check it maps [2, inputSize] to [2, inputSize]; throws naming what differs.</summary>
    public TorchScriptNetwork(ModelOptions options, int inputSize, byte[] module) : base(options, inputSize)
    {
        TorchRuntime.EnsureLoaded();
        Module = module;
        TorchThreads.Apply();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var m = Load(module);
        Tensor output;
        try
        {
            output = m.call(torch.zeros(2, inputSize));
        }
        catch (ExternalException e)
        {
            throw new InvalidDataException($"the TorchScript module does not take rows of {inputSize} features (the schema's width): {FirstLine(e.Message)}", e);
        }
        if (output.shape.Length != 2 || output.shape[0] != 2 || output.shape[1] != inputSize)
        {
            throw new InvalidDataException($"the TorchScript module maps a batch [2, {inputSize}] to [{string.Join(", ", output.shape)}]; a reconstruction must have the input's shape [2, {inputSize}]");
        }
    }

    /// <inheritdoc />
    public byte[] Module { get; }

    /// <inheritdoc />
    public ModelEngine Engine => ModelEngine.Torch;

    /// <inheritdoc />
    public ReconstructionNetwork<float>? Portable => null;

    /// <inheritdoc />
    public override IReadOnlyList<float[]> Parameters => [];

    /// <inheritdoc />
    public override NetworkWorkspace<float> CreateWorkspace(int maxRows, bool training) => new ModuleWorkspace(this, maxRows, training);

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() => typeof(TOut) == typeof(float)
        ? (ReconstructionNetwork<TOut>)(object)this // immutable: the bytes never change and each workspace loads its own module
        : throw new NotSupportedException("an imported TorchScript module runs in float32 on the Torch engine only");

    /// <inheritdoc />
    public override double Loss(IKernels<float> k, ReadOnlySpan<float> input, ReadOnlySpan<float> target, int rows,
        NetworkWorkspace<float> ws, ref Rng rng, bool training, IReadOnlyList<float[]>? grads) =>
        throw new NotSupportedException("an imported TorchScript module is scored, not trained: retrain in PyTorch and import it again, or train an Autoencoder here");

    /// <inheritdoc />
    public override void Score(IKernels<float> k, ReadOnlySpan<float> x, int rows, NetworkWorkspace<float> ws, ref Rng rng,
        Span<float> rowScores, Span<float> errors)
    {
        var w = Check<ModuleWorkspace>(ws, rows);
        TorchThreads.Apply();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var n = rows * InputSize;
        TorchOps.CopyFrom(x[..n], w.Input);
        var xt = w.Input.narrow(0, 0, rows);
        var output = w.Module.call(xt);
        if (output.shape.Length != 2 || output.shape[0] != rows || output.shape[1] != InputSize)
        {
            throw new InvalidOperationException($"the TorchScript module mapped [{rows}, {InputSize}] to [{string.Join(", ", output.shape)}]");
        }
        output = output.to_type(ScalarType.Float32);
        var e = TorchOps.ElementErrors(xt, output, Options.Loss == ReconstructionLoss.BinaryCrossEntropy);
        TorchOps.CopyTo(e, errors[..n]);
        TorchOps.CopyTo(e.mean([1]), rowScores[..rows]);
    }

    private static jit.ScriptModule<Tensor, Tensor> Load(byte[] module)
    {
        var m = jit.load<Tensor, Tensor>(module, DeviceType.CPU, -1);
        m.eval();
        return m;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>The module (loaded for this workspace alone) and one input tensor reused for every batch.</summary>
    private sealed class ModuleWorkspace(TorchScriptNetwork net, int maxRows, bool training) : NetworkWorkspace<float>(maxRows, net.InputSize, training)
    {
        public jit.ScriptModule<Tensor, Tensor> Module { get; } = Load(net.Module);

        public Tensor Input { get; } = torch.zeros(maxRows, net.InputSize);
    }
}
