using System.Runtime.CompilerServices;
using Detector.Streams.Records;
using Detector.Streams.Sources;

namespace Detector.Node.Hosting;

/// <summary>
/// Wraps a source so a node can stop consuming without cancelling the pipeline: after <see cref="Stop"/> the stream
/// ends at the next chunk boundary (an inner read blocked on input is cancelled), so the pipeline drains what it
/// holds and acknowledges it, and the inner source can then commit on dispose.
/// </summary>
public sealed class GracefulSource(IRecordSource inner) : IRecordSource, IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Whether <see cref="Stop"/> was called.</summary>
    public bool IsStopped => _stop.IsCancellationRequested;

    /// <summary>Ends the stream at the next chunk boundary.</summary>
    public void Stop()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var chunks = inner.ReadAsync(linked.Token).GetAsyncEnumerator(linked.Token);
        await using (chunks.ConfigureAwait(false))
        {
            while (!_stop.IsCancellationRequested)
            {
                bool more;
                try
                {
                    more = await chunks.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                if (!more)
                {
                    yield break;
                }
                yield return chunks.Current;
            }
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position) => inner.Acknowledge(position);

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();
}
