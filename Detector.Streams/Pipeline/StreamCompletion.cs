using System.Runtime.ExceptionServices;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Akka.Streams fails a stage whose task faulted with the task's <see cref="AggregateException"/>; the stream's
/// completion then carries that wrapper. These unwrap it so a caller sees the exception that stopped the stream.
/// </summary>
internal static class StreamCompletion
{
    /// <summary>Awaits the stream's completion, rethrowing the single failure inside an aggregate as itself.</summary>
    public static async Task<T> Unwrapped<T>(this Task<T> completion)
    {
        try
        {
            return await completion.ConfigureAwait(false);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Throw(e.InnerException!);
            throw; // unreachable: Throw always throws
        }
    }
}
