using Detector.Models.Scoring;
using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Detector.Node.Http;
using Detector.Node.Logging;
using Detector.Node.Metrics;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Demo;

/// <summary>The demo's optional HTTP endpoints: the same server and state a `run` node has, over the demo's pipeline.</summary>
public sealed class DemoHttp : IAsyncDisposable
{
    private readonly NodeHttpServer _server;
    private readonly PipelineModelAdmin _admin;
    private readonly ILoggerFactory _loggers;

    private DemoHttp(NodeHttpServer server, PipelineModelAdmin admin, ILoggerFactory loggers, LocalSource source)
    {
        _server = server;
        _admin = admin;
        _loggers = loggers;
        Source = source;
    }

    /// <summary>The demo's source, wrapped so /status and the lag gauge see it.</summary>
    public LocalSource Source { get; }

    /// <summary>The Node section to serve with: --http-port when given, else the configured Node:HttpPort when the configuration sets one, else null (no HTTP).</summary>
    public static NodeHostOptions? Resolve(int? flag)
    {
        var configuration = NodeConfiguration.Build(null);
        if (flag is null && configuration["Node:HttpPort"] is null)
        {
            return null;
        }
        var flags = flag is { } port ? [new KeyValuePair<string, string?>("Node:HttpPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture))] : Array.Empty<KeyValuePair<string, string?>>();
        var node = OptionsBinder.Bind<NodeOptions>(NodeConfiguration.Build(null, flags: flags)).Node;
        Models.Validation.OptionCheck.Section("Node", () => node.Validate());
        return node;
    }

    /// <summary>Starts serving the demo's pipeline.</summary>
    public static async Task<DemoHttp> StartAsync(NodeHostOptions options, DetectorPipeline pipeline, FeatureSchema schema, LocalSource source)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipeline);
        var loggers = NodeLogging.Create(options.LogFormat, LogLevel.Warning);
        var state = new NodeState(options.Id) { Pipeline = pipeline, Source = source, SourceKind = "generator", Role = "demo", Models = new ModelHistory(pipeline.Registry, 5) };
        var metrics = NodeMetrics.For(pipeline, () => state.Source);
        var admin = new PipelineModelAdmin(pipeline, state.Models, schema);
        var server = await NodeHttpServer.StartAsync(options.HttpAddress, options.HttpPort, metrics, state, admin, options.AdminToken, loggers);
        Console.WriteLine($"serving {server.Url}metrics, /healthz, /readyz, /status and /models while the demo runs");
        return new DemoHttp(server, admin, loggers, source);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _admin.Dispose();
        _loggers.Dispose();
    }
}
