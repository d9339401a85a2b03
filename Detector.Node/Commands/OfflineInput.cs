using System.CommandLine;
using Detector.Models.Scoring;
using Detector.Node.Evaluation;
using Detector.Streams.Decoding;

namespace Detector.Node.Commands;

/// <summary>
/// How `train` and `score` read their input file. With a Schema section configured, or an embedded generator's
/// schema asked for (--dataset), the file is decoded with it; otherwise the file is read the way `evaluate` reads
/// one (<see cref="EvaluationData"/>): the features are inferred from its header (every numeric column but the label,
/// time and id columns, recognised by name or named by the flags here), and one line on standard error says which
/// columns were taken and which skipped, and why.
/// </summary>
public sealed class OfflineInput
{
    /// <summary>--label-column NAME.</summary>
    public Option<string?> LabelColumn { get; } = new("--label-column") { Description = "Label column of a plain file (default: label, anomaly, is_anomaly, outlier or TX_FRAUD when present)." };

    /// <summary>--id-column NAME.</summary>
    public Option<string?> IdColumn { get; } = new("--id-column") { Description = "Record-id column of a plain file (default: id, record_id, transaction_id or event_id when present)." };

    /// <summary>--time-column NAME.</summary>
    public Option<string?> TimeColumn { get; } = new("--time-column") { Description = "Event-time column of a plain file (default: timestamp, datetime, time or TX_DATETIME when present)." };

    /// <summary>--exclude A,B.</summary>
    public Option<string?> Exclude { get; } = new("--exclude") { Description = "Comma-separated columns of a plain file that are not features." };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(LabelColumn);
        command.Options.Add(IdColumn);
        command.Options.Add(TimeColumn);
        command.Options.Add(Exclude);
    }

    /// <summary>
    /// Reads <paramref name="path"/>: with the configured schema when there is one (a Schema section, or
    /// <paramref name="datasetGiven"/>), else with the schema inferred from the file.
    /// </summary>
    public (RecordTable Table, FeatureSchema Schema) Read(ParseResult result, string path, Configuration.NodeOptions options, bool datasetGiven,
        long maxRows = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Schema.Features.Count > 0 || datasetGiven)
        {
            var configured = options.EffectiveSchema;
            return (RecordTable.Read(path, configured, maxRows), new FeatureSchema(configured.Features.Select(f => f.Name)));
        }
        var hints = new EvaluationOptions
        {
            Label = result.GetValue(LabelColumn),
            Id = result.GetValue(IdColumn),
            Timestamp = result.GetValue(TimeColumn),
            Exclude = result.GetValue(Exclude) is { } x ? x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [],
        };
        EvaluationData data;
        try
        {
            data = EvaluationData.Load(path, hints, labelled: false, keepIds: true);
        }
        catch (ArgumentException e)
        {
            throw new Detector.Models.Validation.InvalidOptionException("--input", path, $"a file whose columns can be read ({e.Message})");
        }
        Console.Error.WriteLine($"no Schema configured: columns read from the file's header; {data.Roles.Describe(data.Name)}");
        var table = RecordTable.Decode(data.Payloads.Select((p, i) => (p, (long)i)), data.Schema, maxRows, data.Roles.Label is null ? null : data.Labels);
        return (table, new FeatureSchema(data.Features));
    }
}
