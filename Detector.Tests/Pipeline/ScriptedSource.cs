using System.Runtime.CompilerServices;
using Detector.Streams.Common;
using Detector.Streams.Generators;
using Detector.Streams.Records;
using Detector.Streams.Sources;

namespace Detector.Tests.Pipeline;

/// <summary>
/// A generator-backed source driven by the test: before each chunk it asks <paramref name="next"/> how to go on —
/// keep going, stop, or await something first (a retrain) — so swaps happen at points the test controls.
/// </summary>
internal sealed class ScriptedSource(IRecordGenerator generator, Func<long, Task<bool>> next, int chunkSize = 200) : IRecordSource
{
    private long _acknowledged = -1;

    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledged);

    public long Produced { get; private set; }

    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await next(Produced))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = new RawRecord[chunkSize];
            for (var i = 0; i < chunkSize; i++)
            {
                chunk[i] = new RawRecord(generator.Next().Payload, new SourcePosition(0, Produced++), DateTimeOffset.UtcNow);
            }
            yield return chunk;
        }
    }

    public void Acknowledge(SourcePosition position) => AtomicMax.Update(ref _acknowledged, position.Offset);
}
