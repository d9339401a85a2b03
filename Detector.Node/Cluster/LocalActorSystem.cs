using Akka.Actor;
using Microsoft.Extensions.Hosting;

namespace Detector.Node.Cluster;

/// <summary>A started local Akka.Hosting host (<see cref="NodeAkka.StartLocalAsync"/>); disposing it stops the host.</summary>
public sealed class LocalActorSystem(IHost host) : IAsyncDisposable
{
    /// <summary>The host's ActorSystem.</summary>
    public ActorSystem System { get; } = host.ActorSystem();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        host.Dispose();
    }
}
