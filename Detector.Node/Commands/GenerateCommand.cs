using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Detector.Models.Validation;
using Detector.Streams.Generators;

namespace Detector.Node.Commands;

/// <summary>`detector generate`: a file of synthetic records (with the generator's labels) for the other commands' examples.</summary>
public static class GenerateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "Generator: cards or fleet.", Required = true };
        var records = new Option<int>("--records", "-n") { Description = "Records to write.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<string>("--out", "-o") { Description = "File to write: .jsonl (JSON lines) or .csv (header line first).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed (the same seed writes the same file).", DefaultValueFactory = _ => 1 };
        var command = new Command("generate", """
            Writes synthetic records of an embedded generator, in event-time order, with its ground-truth label field
            ("label": 1 for an injected fraud or fault, 0 otherwise), as JSON lines or CSV; what train, score and evaluate read.

            Examples:
              ./detector generate --dataset cards --records 20000 --out data/cards.jsonl
              ./detector generate --dataset fleet --records 5000 --out data/fleet.csv
            """)
        {
            dataset, records, output, seed,
        };
        command.SetAction((result, cancellationToken) => CommandGuard.RunAsync(async () =>
        {
            var name = result.GetValue(dataset)!;
            OptionCheck.Require(RecordGenerators.Names.Contains(name), "--dataset", name, string.Join(" or ", RecordGenerators.Names));
            var count = result.GetValue(records);
            OptionCheck.Require(count >= 1, "--records", count, ">= 1");
            var path = result.GetValue(output)!;
            var csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
            OptionCheck.Require(csv || path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase), "--out", path, "a .jsonl or .csv file");
            var generator = RecordGenerators.Create(name, result.GetValue(seed));
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }
            var anomalies = 0;
            await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
            {
                string[]? header = null;
                for (var i = 0; i < count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var record = generator.Next();
                    anomalies += record.IsAnomaly ? 1 : 0;
                    if (!csv)
                    {
                        await writer.WriteLineAsync(Encoding.UTF8.GetString(record.Payload)).ConfigureAwait(false);
                        continue;
                    }
                    using var doc = JsonDocument.Parse(record.Payload);
                    var fields = doc.RootElement.EnumerateObject().ToArray();
                    if (header is null)
                    {
                        header = fields.Select(f => f.Name).ToArray();
                        await writer.WriteLineAsync(string.Join(',', header)).ConfigureAwait(false);
                    }
                    await writer.WriteLineAsync(string.Join(',', header.Select(h => Cell(doc.RootElement, h)))).ConfigureAwait(false);
                }
            }
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"generate: {count:N0} {name} records ({anomalies:N0} labelled anomalous) written to {path}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>One CSV cell: numbers and booleans as JSON writes them (true/false), strings quoted when they need it.</summary>
    private static string Cell(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            return "";
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            return value.GetRawText();
        }
        var text = value.GetString() ?? "";
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
