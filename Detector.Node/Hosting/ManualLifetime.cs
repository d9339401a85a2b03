using Microsoft.Extensions.Hosting;

namespace Detector.Node.Hosting;

/// <summary>
/// A host lifetime that listens to no signal. The node handles SIGTERM, SIGINT and SIGQUIT itself
/// (<see cref="ShutdownSignal"/>: drain first, then leave the cluster; a second signal ends the process). The default
/// ConsoleLifetime of a host registers its own handlers, which cancel every signal (and signal the host's
/// ApplicationStopping): with one in the process a second signal no longer ends it. Every host the node starts (the
/// actor system's, the HTTP server's) uses this one instead.
/// </summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
