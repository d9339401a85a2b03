namespace Detector.Streams.Kafka;

/// <summary>
/// The thread a Kafka client's poll loop runs on (a consumer is used from one thread): started once, stopped by
/// cancelling its token and joining, so the loop can close its client cleanly before disposal returns.
/// </summary>
internal sealed class ClientThread(string name, Action<CancellationToken> loop) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    /// <summary>Whether a stop was asked for.</summary>
    public bool Stopping => _stop.IsCancellationRequested;

    /// <summary>Starts the loop (librdkafka is loaded first).</summary>
    public void Start()
    {
        KafkaLibrary.EnsureLoaded();
        _thread = new Thread(() => loop(_stop.Token)) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Asks the loop to stop and waits for it.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        _stop.Dispose();
    }
}
