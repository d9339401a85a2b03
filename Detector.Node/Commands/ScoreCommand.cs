using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Models.Validation;

namespace Detector.Node.Commands;

/// <summary>`detector score`: every record of a file scored by a model artifact, to a JSON-lines or CSV scores file.</summary>
public static class ScoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var flags = new NodeFlags();
        var columns = new OfflineInput();
        var model = new Option<string>("--model", "-m") { Description = "Model artifact (from `detector train` or a node).", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "Records to score: JSON lines, or CSV with a header line.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Scores file: .csv for CSV, anything else for JSON lines.", DefaultValueFactory = _ => "scores.jsonl" };
        var dataset = new Option<string?>("--dataset") { Description = "Use this embedded generator's schema (cards or fleet) when the configuration has no Schema section." };
        var threshold = new Option<double?>("--threshold") { Description = "Flag records scoring above this value." };
        var percentile = new Option<double?>("--percentile") { Description = "Flag records above this percentile (0-100) of the file's own scores." };
        var engine = new Option<Detector.Models.Engines.ModelEngine?>("--engine") { Description = "Native or Torch: what computes the scores (Pipeline:Retraining:Model:Engine); either scores a model trained by either." };
        var top = new Option<int>("--top") { Description = "Features named per record (largest share of the error first).", DefaultValueFactory = _ => 3 };
        var command = new Command("score", """
            Scores every record of a file with a model artifact and writes one line per record: id, entity, timestamp,
            score, whether it is anomalous (with --threshold or --percentile) and the features with the largest share of
            the error. Records that do not decode are counted and reported, never silently dropped. The input is read as
            `train` reads it (a Schema section, --dataset, or the file's own header).

            Examples:
              ./detector generate --dataset cards --records 20000 --out data/cards.jsonl
              ./detector score --model models/cards.dtm --input data/cards.jsonl --dataset cards --out scores.jsonl
              ./detector score -m fleet.dtm -i telemetry.csv --config config/fleet.json --percentile 99.5 -o scores.csv
            """)
        {
            model, input, output, dataset, threshold, percentile, top, engine,
        };
        flags.AddTo(command);
        columns.AddTo(command);
        command.SetAction((result, ct) => CommandGuard.RunAsync(async () =>
        {
            var overrides = flags.Overrides(result).ToList();
            if (result.GetValue(dataset) is { } name)
            {
                overrides.Add(new("Source:Dataset", name));
            }
            if (result.GetValue(engine) is { } chosen)
            {
                overrides.Add(new("Pipeline:Retraining:Model:Engine", chosen.ToString()));
            }
            var options = Configuration.NodeConfiguration.Load(result.GetValue(flags.Config), flags: overrides);
            var modelPath = result.GetValue(model)!;
            var inputPath = result.GetValue(input)!;
            OptionCheck.Require(File.Exists(inputPath), "--input", inputPath, "an existing JSON-lines or CSV file");
            OptionCheck.Require(result.GetValue(percentile) is not { } p || p is > 0 and <= 100, "--percentile", result.GetValue(percentile), "(0, 100]");
            OptionCheck.Require(result.GetValue(threshold) is null || result.GetValue(percentile) is null, "--threshold", result.GetValue(threshold), "either --threshold or --percentile, not both");
            OptionCheck.Require(result.GetValue(top) >= 0, "--top", result.GetValue(top), ">= 0");
            var (table, schema) = columns.Read(result, inputPath, options, result.GetValue(dataset) is not null);
            ModelSnapshot snapshot;
            try
            {
                snapshot = ModelArtifact.Load(modelPath, schema);
            }
            catch (Exception e) when (e is ModelArtifactException or SchemaMismatchException)
            {
                throw new InvalidOptionException("--model", modelPath, $"a model artifact for this schema ({e.Message})");
            }
            var scores = new float[table.Count];
            var shares = new float[table.Count * table.Features];
            snapshot.OnEngine(options.Pipeline.Retraining.Model.Engine).CreateScorer().Score(table.Rows.AsSpan(0, table.Count * table.Features), table.Count, scores, shares);
            var cut = result.GetValue(threshold) ?? (result.GetValue(percentile) is { } q ? Percentile(scores, q) : (double?)null);
            var flagged = await WriteAsync(result.GetValue(output)!, table, scores, shares, snapshot.Schema, cut, result.GetValue(top), ct);
            var above = cut is { } c ? string.Create(CultureInfo.InvariantCulture, $"; {flagged:N0} above {c:G6}") : "";
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"scored {table.Count:N0} records with {snapshot.Name} v{snapshot.Version} into {result.GetValue(output)}; rejected {table.Rejected.Count:N0}{above}"));
            foreach (var bad in table.Rejected.Take(5))
            {
                await Console.Error.WriteLineAsync($"  line {bad.Position.Offset + 1}: {bad.Reason}: {bad.Detail}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Nearest-rank percentile p of the scores.</summary>
    private static double Percentile(float[] scores, double p)
    {
        if (scores.Length == 0)
        {
            return double.PositiveInfinity;
        }
        var sorted = scores.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static async Task<long> WriteAsync(string path, RecordTable table, float[] scores, float[] shares, FeatureSchema schema, double? cut, int top,
        CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Directory.CreateDirectory(directory!);
        var csv = string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase);
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        if (csv)
        {
            await writer.WriteLineAsync("id,entity,timestamp,score,anomalous,top_features".AsMemory(), cancellationToken);
        }
        var order = new int[Math.Min(top, table.Features)];
        long flagged = 0;
        for (var i = 0; i < table.Count; i++)
        {
            var info = table.Info[i];
            var row = shares.AsSpan(i * table.Features, table.Features);
            var n = FeatureAttribution.Top(row, order);
            var features = new (string Name, float Share)[n];
            for (var k = 0; k < n; k++)
            {
                features[k] = (schema.Names[order[k]], row[order[k]]);
            }
            bool? anomalous = cut is { } c ? scores[i] > c : null;
            flagged += anomalous == true ? 1 : 0;
            var line = csv
                ? string.Join(',', Csv(info.Id), Csv(info.EntityKey), info.Timestamp.ToString("O", CultureInfo.InvariantCulture),
                    scores[i].ToString("G9", CultureInfo.InvariantCulture), anomalous?.ToString().ToLowerInvariant() ?? "",
                    Csv(string.Join(';', features.Select(f => f.Name))))
                : JsonSerializer.Serialize(new
                {
                    id = info.Id,
                    entity = info.EntityKey,
                    timestamp = info.Timestamp,
                    score = scores[i],
                    anomalous,
                    label = info.Label,
                    features = features.Select(f => new { name = f.Name, share = f.Share }),
                });
            await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        }
        return flagged;
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
