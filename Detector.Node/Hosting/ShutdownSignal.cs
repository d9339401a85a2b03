using System.Runtime.InteropServices;

namespace Detector.Node.Hosting;

/// <summary>
/// Turns SIGTERM, SIGINT and SIGQUIT into a graceful stop request: the first signal is cancelled (the process keeps
/// running so the node can stop consuming, drain and commit); a second one is left to terminate the process.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    /// <summary>Registers the handlers (none when <paramref name="listen"/> is false, for tests that stop by <see cref="Request"/>).</summary>
    public ShutdownSignal(bool listen = true)
    {
        _registrations = listen
            ? [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
                PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal)]
            : [];
    }

    /// <summary>Cancelled when a stop is requested.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that asked to stop, if one did.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>Asks the node to stop gracefully.</summary>
    public void Request()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            return; // a second signal: let the runtime terminate the process
        }
        context.Cancel = true;
        Received = context.Signal;
        Request();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }
}
