using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Detector.Models.Numerics;
using Detector.Streams.Decoding;

namespace Detector.Node.Evaluation;

/// <summary>
/// A labelled file loaded for evaluation: its records as the bytes the pipeline will decode (CSV lines or JSON objects,
/// gzip allowed), the decoder schema inferred from it, and each record's label and event time, read here and never
/// shown to the pipeline. Offline files often lack an entity or a time column that a production stream always has:
/// those are appended to each record (one entity; one second per record) so the production decoder reads them.
/// </summary>
public sealed class EvaluationData
{
    /// <summary>Synthetic entity column appended when the file names none.</summary>
    public const string SyntheticEntity = "__entity";

    /// <summary>Synthetic event-time column appended when the file has none.</summary>
    public const string SyntheticTimestamp = "__timestamp";

    private static readonly char[] Delimiters = [',', ';', '\t', '|'];
    private static readonly DateTimeOffset SyntheticEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private EvaluationData(string name, RecordSchemaOptions schema, byte[][] payloads, bool[] labels, long[]? timesMs, ColumnRoles roles)
    {
        Roles = roles;
        Name = name;
        Schema = schema;
        Payloads = payloads;
        Labels = labels;
        TimesMs = timesMs;
    }

    /// <summary>Which column was taken for what (see <see cref="ColumnRoles.Describe"/>).</summary>
    public ColumnRoles Roles { get; }

    /// <summary>File name without folders.</summary>
    public string Name { get; }

    /// <summary>What the production decoder is configured with (the label field left out on purpose).</summary>
    public RecordSchemaOptions Schema { get; }

    /// <summary>Feature (sensor) names in model order.</summary>
    public IReadOnlyList<string> Features => Schema.Features.Select(f => f.Name).ToArray();

    /// <summary>Records in file order, as the source will hand them over.</summary>
    public IReadOnlyList<byte[]> Payloads { get; }

    /// <summary>Ground truth per record.</summary>
    public IReadOnlyList<bool> Labels { get; }

    /// <summary>Event time per record (Unix ms) when the file has a time column, else null.</summary>
    public IReadOnlyList<long>? TimesMs { get; }

    /// <summary>Records.</summary>
    public int Count => Payloads.Count;

    /// <summary>
    /// Loads a CSV (header line first, or none: a first line of numbers only makes every column a feature, named c0,
    /// c1, …) or JSON-lines file (.jsonl/.json, optionally .gz) and infers its schema (<see cref="ColumnRoles"/>).
    /// Unless <paramref name="labelled"/>, the file needs no label column (a training file, or data whose labels come
    /// from a separate file): its records are then all labelled normal. With <paramref name="keepIds"/> the decoder
    /// reads the id column as the record id (the offline commands' output); evaluation leaves it out, so an alert's id
    /// is its position in the stream. A <paramref name="training"/> file needs no label either, and may lack the
    /// time, id, entity and excluded columns named for the scored data (<see cref="ColumnRoles.Resolve"/>).
    /// </summary>
    public static EvaluationData Load(string path, EvaluationOptions options, bool labelled = true, bool keepIds = false, bool training = false)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"data file '{path}' does not exist");
        }
        var plain = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        var json = plain.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || plain.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var lines = ReadLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 1)
        {
            throw new ArgumentException($"data file '{path}' has no records");
        }
        return json ? FromJsonLines(Path.GetFileName(path), lines, options, labelled, keepIds, training) : FromCsv(Path.GetFileName(path), lines, options, labelled, keepIds, training);
    }

    /// <summary>
    /// The same records labelled from a label file: one 0/1 (or true/false) per line, as many lines as records, as
    /// public telemetry sets ship them. A different count stops the evaluation naming both.
    /// </summary>
    public EvaluationData WithLabelFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"label file '{path}' does not exist");
        }
        var lines = ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length != Count)
        {
            throw new ArgumentException($"label file '{path}' has {lines.Length} labels but data file '{Name}' has {Count} records");
        }
        var labels = lines.Select((l, i) => ParseLabel(l, Path.GetFileName(path), i)).ToArray();
        return new EvaluationData(Name, Schema, Payloads.ToArray(), labels, TimesMs?.ToArray(), Roles);
    }

    /// <summary>The records from start on (labels and times with them).</summary>
    public EvaluationData Skip(int start)
    {
        if (start <= 0)
        {
            return this;
        }
        if (start >= Count)
        {
            throw new ArgumentException($"{Name}: skipping {start} records leaves none of its {Count}");
        }
        return new EvaluationData(Name, Schema, Payloads.Skip(start).ToArray(), Labels.Skip(start).ToArray(), TimesMs?.Skip(start).ToArray(), Roles);
    }

    /// <summary>The same records in a seeded random order (labels and times follow their records).</summary>
    public EvaluationData Permuted(ulong seed)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        var rng = new Rng(seed);
        rng.Shuffle(order);
        return new EvaluationData(Name, Schema, order.Select(i => Payloads[i]).ToArray(), order.Select(i => Labels[i]).ToArray(),
            TimesMs is null ? null : order.Select(i => TimesMs[i]).ToArray(), Roles);
    }

    private static EvaluationData FromCsv(string name, List<string> lines, EvaluationOptions options, bool labelled, bool keepIds, bool training)
    {
        var header = lines[0];
        var delimiter = options.Delimiter ?? DetectDelimiter(header);
        var headerFields = header.Split(delimiter);
        var headerless = headerFields.All(IsNumber);
        if (headerless)
        {
            // No header: every line is a record and every column a numeric feature.
            lines.Insert(0, string.Join(delimiter, headerFields.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"c{i}"))));
        }
        else if (lines.Count < 2)
        {
            throw new ArgumentException($"data file '{name}' has a header line but no records");
        }
        var columns = lines[0].Split(delimiter).Select(c => c.Trim().Trim('"')).ToList();
        var first = lines[1].Split(delimiter);
        var roles = ColumnRoles.Resolve(columns, options, name, column => column < first.Length && IsNumber(first[column]), labelled, training);
        var labelAt = roles.Label is null ? -1 : columns.IndexOf(roles.Label);
        var timeAt = roles.Timestamp is null ? -1 : columns.IndexOf(roles.Timestamp);
        var csvColumns = new List<string>(columns);
        if (roles.Entity is null)
        {
            csvColumns.Add(SyntheticEntity);
        }
        if (roles.Timestamp is null)
        {
            csvColumns.Add(SyntheticTimestamp);
        }
        var n = lines.Count - 1;
        var payloads = new byte[n][];
        var labels = new bool[n];
        var times = timeAt >= 0 ? new long[n] : null;
        for (var i = 0; i < n; i++)
        {
            var line = lines[i + 1];
            var fields = line.Split(delimiter);
            labels[i] = labelAt >= 0 && ParseLabel(labelAt < fields.Length ? fields[labelAt] : "", name, i);
            if (times is not null)
            {
                times[i] = ParseTime(timeAt < fields.Length ? fields[timeAt] : "", name, i);
            }
            var suffix = new StringBuilder();
            if (roles.Entity is null)
            {
                suffix.Append(delimiter).Append("all");
            }
            if (roles.Timestamp is null)
            {
                suffix.Append(delimiter).Append(SyntheticTime(i));
            }
            payloads[i] = Encoding.UTF8.GetBytes(line + suffix);
        }
        var schema = new RecordSchemaOptions
        {
            Format = RecordFormat.Csv,
            Features = roles.Features.Select(f => new FeatureField(f)).ToArray(),
            EntityField = roles.Entity ?? SyntheticEntity,
            TimestampField = roles.Timestamp ?? SyntheticTimestamp,
            IdField = keepIds ? roles.Id : null,
            CsvColumns = csvColumns,
            CsvDelimiter = delimiter,
            MaxRecordBytes = Math.Max(64 * 1024, payloads.Max(p => p.Length) + 1),
        }.Validate();
        return new EvaluationData(name, schema, payloads, labels, times, roles);
    }

    private static EvaluationData FromJsonLines(string name, List<string> lines, EvaluationOptions options, bool labelled, bool keepIds, bool training)
    {
        using var firstDoc = JsonDocument.Parse(lines[0]);
        var properties = firstDoc.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind)).ToList();
        var columns = properties.Select(p => p.Name).ToList();
        var roles = ColumnRoles.Resolve(columns, options, name, column => properties[column].ValueKind == JsonValueKind.Number, labelled, training);
        var payloads = new byte[lines.Count][];
        var labels = new bool[lines.Count];
        var times = roles.Timestamp is null ? null : new long[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            labels[i] = roles.Label is null ? false : root.TryGetProperty(roles.Label, out var label) ? ParseLabel(label.ValueKind switch
            {
                JsonValueKind.True => "1",
                JsonValueKind.False => "0",
                _ => label.ToString(),
            }, name, i) : throw new ArgumentException($"{name}: record {i} has no label '{roles.Label}'");
            if (times is not null)
            {
                times[i] = ParseTime(root.TryGetProperty(roles.Timestamp!, out var t) ? t.ToString() : "", name, i);
            }
            var line = lines[i];
            if (roles.Entity is null || roles.Timestamp is null)
            {
                var brace = line.IndexOf('{', StringComparison.Ordinal);
                var extra = new StringBuilder();
                if (roles.Entity is null)
                {
                    extra.Append(CultureInfo.InvariantCulture, $"\"{SyntheticEntity}\":\"all\",");
                }
                if (roles.Timestamp is null)
                {
                    extra.Append(CultureInfo.InvariantCulture, $"\"{SyntheticTimestamp}\":{SyntheticTime(i)},");
                }
                line = string.Concat(line.AsSpan(0, brace + 1), extra.ToString(), line.AsSpan(brace + 1));
            }
            payloads[i] = Encoding.UTF8.GetBytes(line);
        }
        var schema = new RecordSchemaOptions
        {
            Format = RecordFormat.Json,
            Features = roles.Features.Select(f => new FeatureField(f)).ToArray(),
            EntityField = roles.Entity ?? SyntheticEntity,
            TimestampField = roles.Timestamp ?? SyntheticTimestamp,
            IdField = keepIds ? roles.Id : null,
            MaxRecordBytes = Math.Max(64 * 1024, payloads.Max(p => p.Length) + 1),
        }.Validate();
        return new EvaluationData(name, schema, payloads, labels, times, roles);
    }

    private static long SyntheticTime(int index) => SyntheticEpoch.AddSeconds(index).ToUnixTimeMilliseconds();

    private static IEnumerable<string> ReadLines(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            yield return line.TrimEnd('\r');
        }
    }

    private static char DetectDelimiter(string header) => Delimiters.MaxBy(d => header.Count(c => c == d));

    private static bool IsNumber(string text) =>
        double.TryParse(text.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v);

    /// <summary>1/0, true/false, or any number (above 0.5 is anomalous: some files write 1.0).</summary>
    private static bool ParseLabel(string text, string name, int record)
    {
        var t = text.Trim().Trim('"');
        if (bool.TryParse(t, out var b))
        {
            return b;
        }
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            return v > 0.5;
        }
        throw new ArgumentException($"{name}: record {record} has label '{text}', which is neither 0/1 nor true/false");
    }

    /// <summary>ISO-8601 (no offset = UTC) or Unix milliseconds, as the decoder reads them.</summary>
    private static long ParseTime(string text, string name, int record)
    {
        var t = text.Trim().Trim('"');
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }
        throw new ArgumentException($"{name}: record {record} has time '{text}', which is neither ISO-8601 nor Unix milliseconds");
    }
}
