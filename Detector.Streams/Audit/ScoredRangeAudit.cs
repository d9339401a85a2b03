using System.Globalization;
using System.Text;
using Detector.Streams.Records;

namespace Detector.Streams.Audit;

/// <summary>
/// An append-only log of what this node scored: one line per run of consecutive offsets of one partition in a judged
/// batch, <c>partition,first,last,model-version</c>. Each batch's lines are written with one system call before its
/// records are acknowledged, so the log survives the process being killed (the kernel holds the bytes). Reconciling the
/// logs of all nodes against the topic's offsets shows that every record was scored, and how many were scored twice.
/// </summary>
public sealed class ScoredRangeAudit : IDisposable
{
    private readonly FileStream _file;
    private readonly Func<int, string> _partitionName;
    private readonly StringBuilder _lines = new();
    private readonly Lock _lock = new();

    /// <summary>Appends to path; partitionName maps the pipeline's partition number to the name written (e.g. the Kafka partition).</summary>
    public ScoredRangeAudit(string path, Func<int, string>? partitionName = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _file = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _partitionName = partitionName ?? (p => p.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Records a judged batch (called by the threshold stage; must not keep the batch).</summary>
    public void Record(RecordBatch batch)
    {
        lock (_lock)
        {
            _lines.Clear();
            var positions = batch.Positions.AsSpan(0, batch.Count);
            var i = 0;
            while (i < positions.Length)
            {
                var first = positions[i];
                var length = 1;
                while (i + length < positions.Length && positions[i + length].Partition == first.Partition && positions[i + length].Offset == first.Offset + length)
                {
                    length++;
                }
                _lines.Append(CultureInfo.InvariantCulture, $"{_partitionName(first.Partition)},{first.Offset},{first.Offset + length - 1},{batch.ModelVersion}\n");
                i += length;
            }
            _file.Write(Encoding.ASCII.GetBytes(_lines.ToString()));
        }
    }

    /// <summary>Reads logs back: per partition name, how many times each offset was scored.</summary>
    public static Dictionary<string, Dictionary<long, int>> Read(IEnumerable<string> paths)
    {
        var counts = new Dictionary<string, Dictionary<long, int>>(StringComparer.Ordinal);
        foreach (var path in paths.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(',');
                if (parts.Length < 3 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var first) || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var last))
                {
                    continue; // a line cut short by a kill
                }
                if (!counts.TryGetValue(parts[0], out var offsets))
                {
                    counts[parts[0]] = offsets = [];
                }
                for (var o = first; o <= last; o++)
                {
                    offsets[o] = offsets.GetValueOrDefault(o) + 1;
                }
            }
        }
        return counts;
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
