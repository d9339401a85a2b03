using System.Runtime.CompilerServices;
using Detector.Streams.Common;
using Detector.Streams.Records;

namespace Detector.Streams.Sources;

/// <summary>
/// Records from a file, one per line (JSON lines or CSV; a CSV header line can be skipped), on partition 0 with the
/// line number as offset. Empty lines are skipped; a line is handed over without its terminator.
/// </summary>
public sealed class FileSource(string path, bool skipHeader = false, TimeProvider? time = null, int chunkSize = 256) : IRecordSource
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _acknowledged = -1;

    /// <summary>The last acknowledged line (−1 before any).</summary>
    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledged);

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path);
        var chunk = new List<RawRecord>(chunkSize);
        long line = -1;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            line++;
            if ((skipHeader && line == 0) || text.Length == 0)
            {
                continue;
            }
            chunk.Add(new RawRecord(System.Text.Encoding.UTF8.GetBytes(text), new SourcePosition(0, line), _time.GetUtcNow()));
            if (chunk.Count == chunkSize)
            {
                yield return chunk;
                chunk = new List<RawRecord>(chunkSize);
            }
        }
        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position) => AtomicMax.Update(ref _acknowledged, position.Offset);
}
