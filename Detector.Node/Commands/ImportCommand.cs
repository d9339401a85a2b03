using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Detector.Models.Artifacts;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Torch;
using Detector.Models.Validation;

namespace Detector.Node.Commands;

/// <summary>`detector import`: a PyTorch model (TorchScript module or MLP-AE state_dict) plus schema and scaler → a model artifact.</summary>
public static class ImportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var flags = new NodeFlags();
        var module = new Option<string?>("--module") { Description = "TorchScript file (torch.jit.save) mapping a batch of scaled rows to their reconstruction." };
        var stateDict = new Option<string?>("--state-dict") { Description = "state_dict (torch.save, zip format) of a plain MLP autoencoder: encoder.N / decoder.N nn.Linear layers." };
        var schemaFile = new Option<string?>("--schema") { Description = "Feature names in column order: a JSON array or {\"features\": [...]} (default: the configuration's Schema, or --dataset)." };
        var dataset = new Option<string?>("--dataset") { Description = "Use this embedded generator's schema (cards or fleet) when there is no --schema." };
        var scalerFile = new Option<string?>("--scaler") { Description = "Scaler JSON: {\"kind\": \"Standard\", \"center\": [...], \"scale\": [...]} (x' = (x - center) / scale)." };
        var fit = new Option<string?>("--fit") { Description = "Fit the scaler on this CSV file (header line naming the schema's features)." };
        var scalerKind = new Option<ScalerKind>("--scaler-kind") { Description = "Scaler fitted by --fit: Standard, Robust, MinMax or None.", DefaultValueFactory = _ => ScalerKind.Standard };
        var hidden = new Option<Activation>("--activation") { Description = "state_dict: activation after each hidden nn.Linear (not stored in a state_dict).", DefaultValueFactory = _ => Activation.Relu };
        var code = new Option<Activation>("--code-activation") { Description = "state_dict: activation after the encoder's last nn.Linear.", DefaultValueFactory = _ => Activation.Identity };
        var name = new Option<string?>("--name") { Description = "Model name (default: Model:Name)." };
        var output = new Option<string>("--out", "-o") { Description = "Model artifact to write.", DefaultValueFactory = _ => "model.dtm" };
        var command = new Command("import", """
            Turns a PyTorch model into a Detector model artifact, served on the Torch engine (Pipeline:Retraining:Model:Engine
            = Torch) with the usual thresholds, alerts, attribution, hot-swap and upload endpoint. A TorchScript module is
            kept as it is (Torch engine only); a state_dict of a plain MLP autoencoder becomes the native AE's weights
            (either engine). Scaling is applied before the model, as for trained models. Set Pipeline:Retraining:EveryRows
            to 0 to keep serving the imported model rather than retraining one.

            Examples:
              ./detector import --module ae.pt --schema features.json --scaler scaler.json --out models/ae.dtm
              ./detector import --state-dict ae_state.pt --schema features.json --fit normal.csv --out models/ae.dtm
            """)
        {
            module, stateDict, schemaFile, dataset, scalerFile, fit, scalerKind, hidden, code, name, output,
        };
        flags.AddTo(command);
        command.SetAction((result, ct) => CommandGuard.RunAsync(() =>
        {
            var overrides = flags.Overrides(result).ToList();
            if (result.GetValue(dataset) is { } d)
            {
                overrides.Add(new("Source:Dataset", d));
            }
            var options = Configuration.NodeConfiguration.Load(result.GetValue(flags.Config), flags: overrides);
            var (m, s) = (result.GetValue(module), result.GetValue(stateDict));
            OptionCheck.Require(m is null != (s is null), "--module", m ?? s, "exactly one of --module or --state-dict");
            var source = (m ?? s)!;
            OptionCheck.Require(File.Exists(source), m is null ? "--state-dict" : "--module", source, "an existing file");
            var schema = result.GetValue(schemaFile) is { } sf ? ReadSchema(sf) : new FeatureSchema(options.EffectiveSchema.Features.Select(f => f.Name));
            OptionCheck.Require(result.GetValue(scalerFile) is null || result.GetValue(fit) is null, "--scaler", result.GetValue(scalerFile), "either --scaler or --fit, not both");
            var scaler = result.GetValue(scalerFile) is { } scf ? PyTorchImport.ScalerFromJson(File.ReadAllText(scf))
                : result.GetValue(fit) is { } ff ? Fit(ff, schema, result.GetValue(scalerKind))
                : FeatureScaler.Identity(schema.Count);
            TorchEngine.Register();
            var modelName = result.GetValue(name) ?? options.Model.Name;
            ModelSnapshot snapshot;
            try
            {
                snapshot = m is not null
                    ? PyTorchImport.FromTorchScript(m, schema, scaler, modelName)
                    : PyTorchImport.FromStateDict(s!, schema, scaler, modelName, result.GetValue(hidden), result.GetValue(code));
            }
            catch (Exception e) when (e is InvalidDataException or SchemaMismatchException)
            {
                throw new InvalidOptionException(m is null ? "--state-dict" : "--module", source, $"a model that fits the schema ({e.Message})");
            }
            var path = result.GetValue(output)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            ModelArtifact.Save(snapshot, path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {(m is null ? $"a state_dict as an {snapshot.Options.Kind} {string.Join('-', snapshot.Options.EncoderWidths(schema.Count))}" : "a TorchScript module")} over {schema.Count} features (scaler {scaler.Kind}) into {path}"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    /// <summary>A JSON array of names, or an object with a "features" array (of names or of {"name": …}).</summary>
    internal static FeatureSchema ReadSchema(string path)
    {
        OptionCheck.Require(File.Exists(path), "--schema", path, "an existing JSON file");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("features");
        return new FeatureSchema(list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetProperty("name").GetString()!));
    }

    /// <summary>Fits a scaler on the schema's columns of a CSV file with a header line.</summary>
    internal static FeatureScaler Fit(string path, FeatureSchema schema, ScalerKind kind)
    {
        OptionCheck.Require(File.Exists(path), "--fit", path, "an existing CSV file");
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? "").Split(',').Select(h => h.Trim().Trim('"')).ToList();
        var columns = schema.Names.Select(n => header.IndexOf(n)).ToArray();
        var missing = schema.Names.Where((n, i) => columns[i] < 0).ToList();
        OptionCheck.Require(missing.Count == 0, "--fit", path, $"a CSV whose header names every feature (missing: {string.Join(", ", missing)})");
        var rows = new List<float>();
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            foreach (var c in columns)
            {
                rows.Add(float.Parse(cells[c], CultureInfo.InvariantCulture));
            }
            count++;
        }
        return FeatureScaler.Fit(kind, rows.ToArray(), count, schema.Count);
    }
}
