using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Detector.Models.Artifacts;
using Detector.Models.Validation;

namespace Detector.Node.Commands;

/// <summary>`detector inspect`: a model artifact's schema, architecture, training metadata and checksum.</summary>
public static class InspectCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var path = new Argument<string>("artifact") { Description = "Model artifact to describe." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var command = new Command("inspect", """
            Verifies a model artifact (format version and SHA-256) and prints its name and version, feature schema,
            scaler, architecture, parameter count, training metadata and checksum.

            Examples:
              ./detector inspect models/cards.dtm
              ./detector inspect models/cards.dtm --json | jq .architecture
            """)
        {
            path, json,
        };
        command.SetAction((result, _) => CommandGuard.RunAsync(() =>
        {
            var file = result.GetValue(path)!;
            OptionCheck.Require(File.Exists(file), "artifact", file, "an existing model artifact");
            var bytes = File.ReadAllBytes(file);
            Detector.Models.Scoring.ModelSnapshot model;
            try
            {
                model = ModelArtifact.FromBytes(bytes);
            }
            catch (ModelArtifactException e)
            {
                // The argument is what is wrong, as for `score --model` and Model:Path: a usage error (exit code 2).
                throw new InvalidOptionException("artifact", file, $"a verified model artifact ({e.Message})");
            }
            var o = model.Options;
            var m = model.Metadata;
            var document = new
            {
                file = Path.GetFullPath(file),
                bytes = bytes.Length,
                formatVersion = ModelArtifact.FormatVersion,
                sha256 = ModelArtifact.Checksum(bytes),
                name = model.Name,
                version = model.Version,
                schema = model.Schema.Names,
                scaler = model.Scaler.Kind.ToString(),
                architecture = new
                {
                    kind = o.Kind.ToString(),
                    widths = o.EncoderWidths(model.Schema.Count).Concat(o.DecoderWidths(model.Schema.Count).Skip(1)),
                    hiddenActivation = o.HiddenActivation.ToString(),
                    codeActivation = o.CodeActivation.ToString(),
                    loss = o.Loss.ToString(),
                    dropout = o.Dropout,
                    beta = o.Beta,
                    sparsityWeight = o.SparsityWeight,
                    score = o.Score.ToString(),
                    members = o.Members,
                    parameters = model.Network.ParameterCount,
                },
                training = new
                {
                    trainedAt = m.TrainedAt,
                    seed = m.Seed,
                    epochs = m.Epochs,
                    bestEpoch = m.BestEpoch,
                    trainRows = m.TrainRows,
                    validationRows = m.ValidationRows,
                    durationSeconds = m.DurationSeconds,
                    threads = m.Threads,
                    finalLoss = double.IsFinite(m.FinalLoss) ? m.FinalLoss : (double?)null,
                    lossCurve = m.LossCurve,
                    validationCurve = m.ValidationCurve,
                },
            };
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(document, Indented));
                return Task.FromResult(ExitCodes.Ok);
            }
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"{document.file} ({bytes.Length:N0} bytes, format v{ModelArtifact.FormatVersion})"));
            Console.WriteLine($"  sha256        {document.sha256}");
            Console.WriteLine(string.Create(c, $"  model         {model.Name} v{model.Version}"));
            Console.WriteLine(string.Create(c, $"  schema        {model.Schema.Count} features: {string.Join(", ", model.Schema.Names)}"));
            Console.WriteLine($"  scaler        {model.Scaler.Kind}");
            Console.WriteLine(string.Create(c, $"  architecture  {o.Kind} {string.Join("-", document.architecture.widths)}, hidden {o.HiddenActivation}, code {o.CodeActivation}, loss {o.Loss}, dropout {o.Dropout}, beta {o.Beta}, sparsity {o.SparsityWeight}, score {o.Score}, members {o.Members}"));
            Console.WriteLine(string.Create(c, $"  parameters    {model.Network.ParameterCount:N0}"));
            Console.WriteLine(string.Create(c, $"  trained       {m.TrainedAt:O}, seed {m.Seed}, {m.Epochs} epochs (best {m.BestEpoch}), {m.TrainRows:N0} train + {m.ValidationRows:N0} validation rows, {m.DurationSeconds:F2}s on {m.Threads} thread(s)"));
            Console.WriteLine(string.Create(c, $"  final loss    {m.FinalLoss:G6}"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }
}
