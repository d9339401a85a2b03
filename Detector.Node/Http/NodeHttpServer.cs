using System.Net;
using Detector.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Detector.Node.Http;

/// <summary>Kestrel serving <see cref="NodeEndpoints"/> on one address and port (0 picks a free port; <see cref="Port"/> says which).</summary>
public sealed class NodeHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NodeHttpServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The bound URL, e.g. http://127.0.0.1:41873.</summary>
    public Uri Url { get; }

    /// <summary>The bound port.</summary>
    public int Port => Url.Port;

    /// <summary>Starts serving; completes once the port is bound.</summary>
    public static async Task<NodeHttpServer> StartAsync(string address, int port, CollectorRegistry metrics, NodeState state, IModelAdmin? admin,
        string adminToken, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        // Not the default ConsoleLifetime: its signal handlers would swallow the second SIGTERM that ends a drain.
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            var ip = address switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" => IPAddress.Any,
                _ => IPAddress.Parse(address),
            };
            k.Listen(ip, port);
            k.Limits.MaxRequestBodySize = NodeEndpoints.MaxArtifactBytes;
        });
        var app = builder.Build();
        NodeEndpoints.Map(app, metrics, state, admin, adminToken);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return new NodeHttpServer(app, url);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(bound.Token);
        await _app.DisposeAsync();
    }
}
