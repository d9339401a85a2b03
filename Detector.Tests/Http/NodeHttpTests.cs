using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Node.Hosting;
using Detector.Node.Http;
using Detector.Node.Metrics;
using Detector.Streams.DeadLetters;
using Detector.Streams.Alerts;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Http;

/// <summary>The node's HTTP surface over a real pipeline fed by a paced generator, on a free loopback port.</summary>
#pragma warning disable CA1001 // xunit disposes through IAsyncLifetime.DisposeAsync
public sealed class NodeHttpTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const string Token = "test-admin-token-0123456789";
    private readonly CancellationTokenSource _stop = new();
    private DetectorPipeline _pipeline = null!;
    private NodeState _state = null!;
    private PipelineModelAdmin _admin = null!;
    private NodeHttpServer _server = null!;
    private Task _run = Task.CompletedTask;
    private HttpClient _http = null!;
    private FeatureSchema _schema = null!;

    public async Task InitializeAsync()
    {
        var generator = RecordGenerators.Create("cards", 3);
        _schema = new FeatureSchema(generator.Schema.Features.Select(f => f.Name));
        var options = new PipelineOptions
        {
            ModelActors = 1,
            Thresholds = new PipelineOptions().Thresholds with { WarmUp = 200, WindowSize = 2_000 },
            Retraining = new RetrainingOptions { WarmUpRows = 1_000, EveryRows = 0, ReservoirCapacity = 4_000, RecentCapacity = 1_000,
                Training = new() { Epochs = 3, Threads = 1 } },
        };
        _pipeline = new DetectorPipeline(options, RecordDecoder.Create(generator.Schema), _schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink());
        _state = new NodeState("http-test") { Pipeline = _pipeline, SourceKind = "generator", Models = new ModelHistory(_pipeline.Registry, 5) };
        _admin = new PipelineModelAdmin(_pipeline, _state.Models, _schema);
        // The node's own wiring: the pipeline's registry with the source's and the process's metrics.
        _server = await NodeHttpServer.StartAsync("127.0.0.1", 0, NodeMetrics.For(_pipeline, () => _state.Source), _state, _admin, Token, NullLoggerFactory.Instance);
        _http = new HttpClient { BaseAddress = _server.Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
        _http.Dispose();
        await _server.DisposeAsync();
        _admin.Dispose();
        await _pipeline.DisposeAsync();
        _stop.Dispose();
    }

    private async Task StartStreamingAsync()
    {
        var source = new LocalSource(new GeneratorSource(RecordGenerators.Create("cards", 3), long.MaxValue, recordsPerSecond: 20_000), "generator:cards");
        _state.Source = source;
        _run = _pipeline.RunAsync(source, _stop.Token);
        await _pipeline.Registry.FirstModelAsync(_stop.Token).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, string? token = Token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }

    [Fact]
    public async Task Readyz_BeforeModelAndSource_Is503WithReasons_ThenReady()
    {
        var before = await _http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var reasons = await before.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Contains("no model loaded yet", reasons, StringComparison.Ordinal);
        Assert.Contains("no input assigned", reasons, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        await StartStreamingAsync();

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        _state.IsStopping = true;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Status_WhileStreaming_ReportsNodeModelPartitionsAndThresholds()
    {
        await StartStreamingAsync();
        _state.Role = "trainer";
        _state.AddStatus("cluster", () => new { generation = 7 });

        using var status = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/status", UriKind.Relative)));
        var root = status.RootElement;

        Assert.Equal("http-test", root.GetProperty("nodeId").GetString());
        Assert.Equal("trainer", root.GetProperty("role").GetString());
        Assert.True(root.GetProperty("model").GetProperty("version").GetInt64() >= 1);
        Assert.Equal(64, root.GetProperty("model").GetProperty("checksum").GetString()!.Length);
        var partition = Assert.Single(root.GetProperty("source").GetProperty("partitions").EnumerateArray());
        Assert.Equal(0, partition.GetProperty("partition").GetInt32());
        Assert.True(partition.GetProperty("lag").GetInt64() >= 0);
        Assert.True(root.TryGetProperty("thresholds", out _));
        Assert.True(root.GetProperty("records").GetProperty("consumed").GetInt64() > 0);
        Assert.Equal(7, root.GetProperty("cluster").GetProperty("generation").GetInt32());
    }

    [Fact]
    public async Task Metrics_IsPrometheusTextWithCountersHistogramsAndLag()
    {
        await StartStreamingAsync();
        await Poll.UntilAsync(() => _pipeline.Metrics.Scored > 0, "records scored", TimeSpan.FromSeconds(60), _run);

        var response = await _http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("# TYPE detector_records_scored_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE detector_score histogram", text, StringComparison.Ordinal);
        Assert.Contains("detector_score_bucket{le=\"0.001\"}", text, StringComparison.Ordinal);
        // The generator source's one partition, through the node's own source wiring.
        Assert.Contains("detector_consumer_lag{partition=\"0\"}", text, StringComparison.Ordinal);
        Assert.Contains("detector_partitions_assigned 1", text, StringComparison.Ordinal);
        Assert.Contains("detector_records_dead_lettered_total{reason=\"Malformed\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_cpu_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_threadpool_threads gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_threadpool_completed_items_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AcceptOpenMetrics_AnswersOpenMetricsEndingInEof()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("# TYPE detector_anomalies counter", text, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/models/retrain")]
    [InlineData("/models/rollback")]
    [InlineData("/models")]
    public async Task AdminEndpoint_WithoutOrWithWrongToken_Is401(string path)
    {
        using var none = Admin(HttpMethod.Post, path, token: null);
        using var wrong = Admin(HttpMethod.Post, path, token: "not-the-token-at-all-000");

        var a = await _http.SendAsync(none);
        var b = await _http.SendAsync(wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        Assert.Equal("Bearer", a.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, _pipeline.Registry.Version); // nothing happened
    }

    [Fact]
    public async Task Retrain_WithToken_PublishesANewVersion()
    {
        await StartStreamingAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // lets a few batches reach the reservoir
        var before = _pipeline.Registry.Version;

        using var request = Admin(HttpMethod.Post, "/models/retrain");
        var response = await _http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = body.RootElement.GetProperty("outcome").GetString();
        Assert.True(outcome is "published" or "rejected", outcome);
        Assert.Equal(outcome == "published" ? before + 1 : before, _pipeline.Registry.Version);
    }

    [Fact]
    public async Task UploadAndRollback_WithToken_InstallNewVersionsThenRestoreTheEarlierWeights()
    {
        await StartStreamingAsync();
        var first = _pipeline.Registry.Current!;

        using var upload = Admin(HttpMethod.Post, "/models", content: new ByteArrayContent(ModelArtifact.ToBytes(first)));
        var uploaded = await _http.SendAsync(upload);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var uploadedVersion = _pipeline.Registry.Version;
        Assert.True(uploadedVersion > first.Version);

        using var rollback = Admin(HttpMethod.Post, "/models/rollback");
        var rolledBack = await _http.SendAsync(rollback);
        using var body = JsonDocument.Parse(await rolledBack.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
        Assert.Equal(first.Version, body.RootElement.GetProperty("restoredFrom").GetInt64());
        Assert.True(_pipeline.Registry.Version > uploadedVersion);
        Assert.Equal(first.Network.Parameters[0], _pipeline.Registry.Current!.Network.Parameters[0]);
    }

    [Fact]
    public async Task Upload_CorruptedOrWrongSchema_IsRejectedAndNothingChanges()
    {
        await StartStreamingAsync();
        var version = _pipeline.Registry.Version;
        var bytes = ModelArtifact.ToBytes(_pipeline.Registry.Current!);
        bytes[bytes.Length / 2] ^= 0xFF;
        var other = ModelArtifact.ToBytes(new Trainer().Train(new float[40 * 2].Select((_, i) => (float)Math.Sin(i)).ToArray(), 40,
            FeatureSchema.Numbered(2), new(), new() { Epochs = 1 }));

        using var corrupted = Admin(HttpMethod.Post, "/models", content: new ByteArrayContent(bytes));
        using var wrongSchema = Admin(HttpMethod.Post, "/models", content: new ByteArrayContent(other));

        Assert.Equal(HttpStatusCode.BadRequest, (await _http.SendAsync(corrupted)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _http.SendAsync(wrongSchema)).StatusCode);
        Assert.Equal(version, _pipeline.Registry.Version);
    }

    [Fact]
    public async Task Rollback_WithNothingEarlier_Is409()
    {
        await StartStreamingAsync();

        using var request = Admin(HttpMethod.Post, "/models/rollback");

        Assert.Equal(HttpStatusCode.Conflict, (await _http.SendAsync(request)).StatusCode);
    }
}
