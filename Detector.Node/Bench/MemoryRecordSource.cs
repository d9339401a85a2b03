using System.Runtime.CompilerServices;
using Detector.Streams.Records;
using Detector.Streams.Sources;

namespace Detector.Node.Bench;

/// <summary>Records already in memory, in chunks, on one partition: the pipeline's ceiling without a broker.</summary>
internal sealed class MemoryRecordSource(IReadOnlyList<byte[]> payloads, int chunkSize = 512) : IRecordSource
{
    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var start = 0; start < payloads.Count; start += chunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = DateTimeOffset.UtcNow;
            var chunk = new RawRecord[Math.Min(chunkSize, payloads.Count - start)];
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = new RawRecord(payloads[start + i], new SourcePosition(0, start + i), now);
            }
            yield return chunk;
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position)
    {
    }
}
