namespace Detector.Node.Evaluation;

/// <summary>
/// Which column of a plain file plays which role, inferred from its header (or first JSON object) the same way for
/// `evaluate`, `train` and `score`: the label, time and id columns by common names unless named, the entity only when
/// named, and as features every other numeric column not excluded. <see cref="Describe"/> is the one log line saying
/// what was taken and what was skipped, and why.
/// </summary>
public sealed record ColumnRoles(string? Label, string? Timestamp, string? Entity, string? Id, IReadOnlyList<string> Features,
    IReadOnlyList<(string Column, string Reason)> Skipped)
{
    /// <summary>Label column names looked for, in order, when none is named.</summary>
    public static readonly IReadOnlyList<string> LabelNames = ["label", "anomaly", "is_anomaly", "outlier", "TX_FRAUD"];

    /// <summary>Event-time column names looked for, in order, when none is named.</summary>
    public static readonly IReadOnlyList<string> TimeNames = ["timestamp", "datetime", "time", "TX_DATETIME"];

    /// <summary>Record-id column names looked for, in order, when none is named.</summary>
    public static readonly IReadOnlyList<string> IdNames = ["id", "record_id", "transaction_id", "event_id"];

    /// <summary>
    /// Resolves the roles of <paramref name="columns"/>; <paramref name="numeric"/> says whether column i holds numbers
    /// in the first record. Unless <paramref name="labelled"/>, a missing label column is not an error. A
    /// <paramref name="training"/> file (`evaluate --train`) holds only what the model learns from: a label, time, id,
    /// entity or excluded column named for the scored data may be absent from it (it is then not a role here, and
    /// not a feature either where present), since such columns describe the scored records, not the training rows.
    /// </summary>
    public static ColumnRoles Resolve(IReadOnlyList<string> columns, EvaluationOptions options, string name, Func<int, bool> numeric, bool labelled,
        bool training = false)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(numeric);
        var list = string.Join(", ", columns);
        string? Find(string? configured, IEnumerable<string> candidates, string role)
        {
            if (configured is not null)
            {
                return columns.Contains(configured) ? configured
                    : training ? null
                    : throw new ArgumentException($"{name}: no {role} column '{configured}'; columns are [{list}]");
            }
            return candidates.Select(c => columns.FirstOrDefault(x => string.Equals(x, c, StringComparison.OrdinalIgnoreCase))).FirstOrDefault(c => c is not null);
        }

        var label = Find(options.Label, LabelNames, "label");
        if (label is null && labelled && !training)
        {
            throw new ArgumentException($"{name}: no label column (looked for {string.Join(", ", LabelNames)}); name it with --label, or give labels in a file with --labels; columns are [{list}]");
        }
        var time = Find(options.Timestamp, TimeNames, "timestamp");
        var entity = options.Entity is null ? null : Find(options.Entity, [], "entity");
        var id = Find(options.Id, IdNames, "id");
        foreach (var excluded in options.Exclude.Where(e => !training && !columns.Contains(e)))
        {
            throw new ArgumentException($"{name}: excluded column '{excluded}' does not exist; columns are [{list}]");
        }
        var skipped = new List<(string, string)>();
        IReadOnlyList<string> features;
        if (options.Features.Count > 0)
        {
            var missing = options.Features.Where(f => !columns.Contains(f)).ToArray();
            features = missing.Length == 0 ? options.Features
                : throw new ArgumentException($"{name}: no feature column(s) [{string.Join(", ", missing)}]; columns are [{list}]");
            skipped.AddRange(columns.Where(c => !features.Contains(c)).Select(c => (c, "not listed in Features")));
        }
        else
        {
            var taken = new List<string>();
            for (var i = 0; i < columns.Count; i++)
            {
                var c = columns[i];
                var reason = c == label ? "label" : c == time ? "time" : c == entity ? "entity" : c == id ? "id"
                    : options.Exclude.Contains(c) ? "excluded" : numeric(i) ? null : "not numeric";
                if (reason is null)
                {
                    taken.Add(c);
                }
                else
                {
                    skipped.Add((c, reason));
                }
            }
            features = taken;
        }
        if (features.Count == 0)
        {
            throw new ArgumentException($"{name}: no numeric feature columns besides label '{label ?? "(none)"}'; columns are [{list}]");
        }
        return new ColumnRoles(label, time, entity, id, features, skipped);
    }

    /// <summary>One line: the features taken and each skipped column with its reason.</summary>
    public string Describe(string name)
    {
        var skipped = Skipped.Count == 0 ? "none" : string.Join(", ", Skipped.Select(s => $"{s.Column} ({s.Reason})"));
        return $"{name}: {Features.Count} feature column(s) [{string.Join(", ", Features)}]; skipped: {skipped}";
    }
}
