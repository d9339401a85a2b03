using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Detector.Models.Kernels;
using Detector.Models.Layers;
using Detector.Models.Networks;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Detector.Models.Torch;

/// <summary>
/// Turns a PyTorch model into a Detector model: (a) a TorchScript module (<c>torch.jit.save</c>) mapping rows to their
/// reconstruction, kept as a module that the Torch engine runs; or (b) the <c>state_dict</c> of a plain MLP autoencoder
/// (<c>encoder</c> and <c>decoder</c> <c>nn.Sequential</c>s of <c>nn.Linear</c> and activations, the decoder mirroring
/// the encoder), read with TorchSharp.PyBridge from torch's zip format and converted to the native AE's weights, so it
/// runs on either engine. Anything that does not fit is refused naming what differs.
/// </summary>
public static partial class PyTorchImport
{
    /// <summary>Imports a TorchScript module; the schema and the scaler say what its input columns are.</summary>
    public static ModelSnapshot FromTorchScript(string path, FeatureSchema schema, FeatureScaler scaler, string name,
        ReconstructionLoss loss = ReconstructionLoss.MeanSquaredError)
    {
        CheckScaler(schema, scaler);
        var options = new ModelOptions { Kind = ModelKind.TorchScript, HiddenSizes = [], CodeSize = 1, Loss = loss, Engine = Engines.ModelEngine.Torch };
        var network = new TorchScriptNetwork(options, schema.Count, File.ReadAllBytes(path));
        return new ModelSnapshot(name, 1, schema, scaler, network, Imported());
    }

    /// <summary>Imports the state_dict of a plain MLP autoencoder as a native AE (activations are not in a state_dict: say them).</summary>
    public static ModelSnapshot FromStateDict(string path, FeatureSchema schema, FeatureScaler scaler, string name,
        Activation hidden = Activation.Relu, Activation code = Activation.Identity, double leakySlope = 0.01)
    {
        TorchRuntime.EnsureLoaded();
        CheckScaler(schema, scaler);
        Hashtable dict;
        try
        {
            dict = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a state_dict in torch's zip format (torch.save(model.state_dict(), path) from torch >= 1.6): {e.Message}", e);
        }
        var layers = new SortedDictionary<(string Part, int Index), (Tensor? W, Tensor? B)>();
        var unexpected = new List<string>();
        foreach (DictionaryEntry entry in dict)
        {
            var key = (string)entry.Key;
            var m = KeyPattern().Match(key);
            if (!m.Success || entry.Value is not Tensor t)
            {
                unexpected.Add(key);
                continue;
            }
            var slot = (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            var (w, b) = layers.GetValueOrDefault(slot);
            layers[slot] = m.Groups[3].Value == "weight" ? (t, b) : (w, t);
        }
        if (unexpected.Count > 0)
        {
            throw new InvalidDataException($"unexpected keys in the state_dict: {string.Join(", ", unexpected.Order(StringComparer.Ordinal))}; a plain MLP autoencoder has only encoder.N.weight/bias and decoder.N.weight/bias (import other models as TorchScript)");
        }
        var encoder = Stack("encoder", layers, schema.Count, hidden, code, leakySlope);
        var decoder = Stack("decoder", layers, encoder[^1].OutputSize, hidden, Activation.Identity, leakySlope);
        int[] encoderWidths = [encoder[0].InputSize, .. encoder.Select(l => l.OutputSize)];
        int[] decoderWidths = [decoder[0].InputSize, .. decoder.Select(l => l.OutputSize)];
        if (decoderWidths[^1] != schema.Count)
        {
            throw new InvalidDataException($"the decoder outputs {decoderWidths[^1]} features but the schema has {schema.Count}");
        }
        if (!decoderWidths.SequenceEqual(encoderWidths.Reverse()))
        {
            throw new InvalidDataException($"decoder widths [{string.Join(", ", decoderWidths)}] do not mirror encoder widths [{string.Join(", ", encoderWidths)}]; a plain MLP autoencoder mirrors them (import other models as TorchScript)");
        }
        var options = new ModelOptions
        {
            Kind = ModelKind.Autoencoder, HiddenSizes = encoderWidths[1..^1], CodeSize = encoderWidths[^1],
            HiddenActivation = hidden, CodeActivation = code, LeakySlope = leakySlope,
        };
        var network = new Autoencoder<float>(options, new Mlp<float>(encoder, 0), new Mlp<float>(decoder, 0));
        return new ModelSnapshot(name, 1, schema, scaler, network, Imported());
    }

    /// <summary>Reads a scaler from JSON: {"kind": "Standard", "center": [...], "scale": [...]} ("mean" may stand for "center").</summary>
    public static FeatureScaler ScalerFromJson(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        float[] Floats(params string[] names)
        {
            foreach (var n in names)
            {
                if (root.TryGetProperty(n, out var a))
                {
                    return a.EnumerateArray().Select(v => v.GetSingle()).ToArray();
                }
            }
            throw new InvalidDataException($"the scaler JSON has no \"{names[0]}\" array");
        }
        var kind = root.TryGetProperty("kind", out var k) ? Enum.Parse<ScalerKind>(k.GetString()!, ignoreCase: true) : ScalerKind.Standard;
        return new FeatureScaler(kind, Floats("center", "mean"), Floats("scale", "std"));
    }

    private static List<DenseLayer<float>> Stack(string part, SortedDictionary<(string Part, int Index), (Tensor? W, Tensor? B)> layers,
        int inputs, Activation hidden, Activation last, double slope)
    {
        var entries = layers.Where(l => l.Key.Part == part).OrderBy(l => l.Key.Index).ToList();
        if (entries.Count == 0)
        {
            throw new InvalidDataException($"the state_dict has no {part}.N.weight keys; a plain MLP autoencoder has an encoder and a decoder nn.Sequential");
        }
        var result = new List<DenseLayer<float>>();
        for (var i = 0; i < entries.Count; i++)
        {
            var ((_, index), (w, b)) = entries[i];
            var key = $"{part}.{index}";
            if (w is null || b is null)
            {
                throw new InvalidDataException($"{key} has {(w is null ? "no weight" : "no bias")}; every nn.Linear needs both");
            }
            if (w.shape.Length != 2 || w.shape[1] != inputs)
            {
                throw new InvalidDataException($"{key}.weight has shape [{string.Join(", ", w.shape)}]; expected [out, {inputs}] ({(i == 0 && part == "encoder" ? "the schema's width" : "the previous layer's output")})");
            }
            var outputs = (int)w.shape[0];
            if (b.shape.Length != 1 || b.shape[0] != outputs)
            {
                throw new InvalidDataException($"{key}.bias has shape [{string.Join(", ", b.shape)}]; expected [{outputs}]");
            }
            // PyTorch keeps W as [out, in]; the native layer as [in, out].
            var weights = w.to_type(ScalarType.Float32).t().contiguous().data<float>().ToArray();
            var bias = b.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            result.Add(new DenseLayer<float>(inputs, outputs, i + 1 == entries.Count ? last : hidden, (float)slope, weights, bias));
            inputs = outputs;
        }
        return result;
    }

    private static void CheckScaler(FeatureSchema schema, FeatureScaler scaler)
    {
        if (scaler.Count != schema.Count)
        {
            throw new SchemaMismatchException($"the scaler has {scaler.Count} features but the schema has {schema.Count}");
        }
    }

    private static TrainingMetadata Imported() => new(0, 0, 0, 0, 0, DateTimeOffset.UtcNow, 0, 1, [], []);

    [GeneratedRegex(@"^(encoder|decoder)\.(\d+)\.(weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
