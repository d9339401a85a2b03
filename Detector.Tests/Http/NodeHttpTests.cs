using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Detector.Models.Artifacts;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
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
using Detector.Streams.Records;
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

    /// <summary>
    /// Puts a model with random weights and an identity scaler live (as the next version) once the reservoir holds
    /// scored rows, so any retrained candidate beats it by far; returns it.
    /// </summary>
    private async Task<ModelSnapshot> InstallUntrainedModelAsync()
    {
        await Poll.UntilAsync(() => _pipeline.Metrics.Scored >= 1_500, "1,500 records scored (rows in the reservoir)", TimeSpan.FromSeconds(60), _run);
        var model = UntrainedModel(seed: 1);
        await _pipeline.InstallModelAsync(model);
        return model;
    }

    private ModelSnapshot UntrainedModel(ulong seed)
    {
        var rng = new Rng(seed);
        var network = ReconstructionNetwork<float>.FromOptions(new ModelOptions(), _schema.Count, ref rng);
        var scaler = new FeatureScaler(ScalerKind.Robust, new float[_schema.Count], Enumerable.Repeat(1f, _schema.Count).ToArray());
        var meta = new TrainingMetadata(1, 1, 1, 1_000, 100, DateTimeOffset.UnixEpoch, 1, 1, [1.0], [1.0]);
        return new ModelSnapshot("cards", 1, _schema, scaler, network, meta);
    }

    private int Entities(IEnumerable<byte[]> payloads)
    {
        var decoder = RecordDecoder.Create(RecordGenerators.Create("cards", 4).Schema);
        var features = new float[_schema.Count];
        return payloads.Select((p, i) => decoder.TryDecode(p, new SourcePosition(0, i), features, out var info, out _) ? info.EntityKey : "")
            .Distinct(StringComparer.Ordinal).Count();
    }

    /// <summary>Yields the first <c>held</c> payloads, then waits for <see cref="Release"/> before the rest, then ends.</summary>
    private sealed class GatedSource(IReadOnlyList<byte[]> payloads, int held) : IRecordSource
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return Chunk(0, held);
            await _release.Task.WaitAsync(cancellationToken);
            for (var i = held; i < payloads.Count; i += 250)
            {
                yield return Chunk(i, Math.Min(i + 250, payloads.Count));
            }
        }

        public void Acknowledge(SourcePosition position)
        {
        }

        private RawRecord[] Chunk(int from, int to) =>
            Enumerable.Range(from, to - from).Select(k => new RawRecord(payloads[k], new SourcePosition(0, k), DateTimeOffset.UtcNow)).ToArray();
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
    public async Task Status_RecordsHeldThenDrained_ReportsExactLagCommittedOffsetAndThresholds()
    {
        // 500 records, fewer than the 1,000 warm-up rows: held unacknowledged until the rest arrive and train the model.
        var generator = RecordGenerators.Create("cards", 4);
        var payloads = Enumerable.Range(0, 3_000).Select(_ => generator.Next().Payload).ToList();
        var source = new GatedSource(payloads, held: 500);
        var local = new LocalSource(source, "generator:cards");
        _state.Source = local;
        _run = _pipeline.RunAsync(local, _stop.Token);
        _state.Role = "trainer";
        _state.AddStatus("cluster", () => new { generation = 7 });
        await Poll.UntilAsync(() => _pipeline.Offsets.InFlight == 500, "the first 500 records read and held", TimeSpan.FromSeconds(60), _run);

        using (var held = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/status", UriKind.Relative))))
        {
            var root = held.RootElement;
            var partition = Assert.Single(root.GetProperty("source").GetProperty("partitions").EnumerateArray());
            Assert.Equal(0, partition.GetProperty("committedOffset").GetInt64());
            Assert.Equal(500, partition.GetProperty("lag").GetInt64());
            Assert.Equal(500, root.GetProperty("source").GetProperty("totalLag").GetInt64());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("model").ValueKind);
            Assert.False(root.GetProperty("thresholds").GetProperty("warm").GetBoolean());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("thresholds").GetProperty("global").ValueKind);
            Assert.Equal(500, root.GetProperty("records").GetProperty("inFlight").GetInt64());
        }

        source.Release();
        await _run.WaitAsync(TimeSpan.FromSeconds(120));

        using var status = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/status", UriKind.Relative)));
        var drained = status.RootElement;
        Assert.Equal("http-test", drained.GetProperty("nodeId").GetString());
        Assert.Equal("trainer", drained.GetProperty("role").GetString());
        Assert.Equal(1, drained.GetProperty("model").GetProperty("version").GetInt64());
        Assert.Equal(_state.Models!.Versions[^1].Checksum, drained.GetProperty("model").GetProperty("checksum").GetString());
        var done = Assert.Single(drained.GetProperty("source").GetProperty("partitions").EnumerateArray());
        Assert.Equal(0, done.GetProperty("partition").GetInt32());
        Assert.Equal(3_000, done.GetProperty("committedOffset").GetInt64());
        Assert.Equal(0, done.GetProperty("lag").GetInt64());
        var thresholds = drained.GetProperty("thresholds");
        Assert.True(thresholds.GetProperty("warm").GetBoolean());
        Assert.Equal(_pipeline.Thresholds.GlobalThreshold, thresholds.GetProperty("global").GetSingle());
        Assert.Equal(2_000, thresholds.GetProperty("windowCount").GetInt32()); // the window's size: 3,000 scores seen
        Assert.Equal(Entities(payloads), thresholds.GetProperty("entities").GetInt32());
        var records = drained.GetProperty("records");
        Assert.Equal(3_000, records.GetProperty("consumed").GetInt64());
        Assert.Equal(3_000, records.GetProperty("scored").GetInt64());
        Assert.Equal(0, records.GetProperty("inFlight").GetInt64());
        Assert.Equal(7, drained.GetProperty("cluster").GetProperty("generation").GetInt32());
    }

    [Fact]
    public async Task Metrics_IsPrometheusTextWithCountersHistogramsLagAndProcessMetrics()
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
    public async Task AdminEndpoint_WithoutOrWithWrongToken_Is401AndNothingChanges(string path)
    {
        // Arranged so each endpoint, if it let the request through, would put a new version live: an untrained model
        // is live (a retrain must beat it), an earlier one is kept (a rollback has a target), the upload is valid.
        await StartStreamingAsync();
        await InstallUntrainedModelAsync();
        var version = _pipeline.Registry.Version;
        var artifact = ModelArtifact.ToBytes(_pipeline.Registry.Current!);

        using var none = Admin(HttpMethod.Post, path, token: null, content: new ByteArrayContent(artifact));
        using var wrong = Admin(HttpMethod.Post, path, token: "not-the-token-at-all-000", content: new ByteArrayContent(artifact));
        var a = await _http.SendAsync(none);
        var b = await _http.SendAsync(wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        Assert.Equal("Bearer", a.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(version, _pipeline.Registry.Version);
        Assert.Equal(version, _state.Models!.Versions[^1].Version);

        // The same request with the token does put a new version live: the checks above could have failed.
        using var allowed = Admin(HttpMethod.Post, path, content: new ByteArrayContent(artifact));
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(allowed)).StatusCode);
        Assert.Equal(version + 1, _pipeline.Registry.Version);
    }

    [Theory]
    [InlineData("/models/retrain")]
    [InlineData("/models/rollback")]
    [InlineData("/models/rollback?version=1")]
    [InlineData("/models")]
    public async Task AdminEndpoint_NoTokenConfigured_AlwaysIs401(string path)
    {
        await StartStreamingAsync();
        await InstallUntrainedModelAsync();
        var version = _pipeline.Registry.Version;
        var artifact = ModelArtifact.ToBytes(_pipeline.Registry.Current!);
        await using var open = await NodeHttpServer.StartAsync("127.0.0.1", 0, _pipeline.Metrics.Registry, _state, _admin, "", NullLoggerFactory.Instance);
        using var http = new HttpClient { BaseAddress = open.Url, Timeout = TimeSpan.FromSeconds(60) };

        foreach (var header in new[] { null, "Bearer ", "Bearer", "Bearer " + Token, "Bearer x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(artifact) };
            if (header is not null)
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Authorization", header));
            }
            var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Node:AdminToken is not set", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(version, _pipeline.Registry.Version);
    }

    [Fact]
    public async Task Retrain_WithToken_PublishesANewVersion()
    {
        // An untrained model live: a candidate trained on the reservoir beats it by far, so the gate must pass it.
        await StartStreamingAsync();
        var untrained = await InstallUntrainedModelAsync();
        var before = _pipeline.Registry.Version;

        using var request = Admin(HttpMethod.Post, "/models/retrain");
        var response = await _http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = body.RootElement;
        Assert.Equal("published", root.GetProperty("outcome").GetString());
        Assert.Equal(before + 1, root.GetProperty("version").GetInt64());
        Assert.True(root.GetProperty("candidateScore").GetDouble() < root.GetProperty("currentScore").GetDouble());
        Assert.Equal(before + 1, _pipeline.Registry.Version);
        Assert.NotEqual(untrained.Network.Parameters[0].ToArray(), _pipeline.Registry.Current!.Network.Parameters[0].ToArray());
    }

    [Fact]
    public async Task Rollback_WithVersion_RestoresThatVersionsWeightsUnderANewVersion()
    {
        await StartStreamingAsync();
        var first = _pipeline.Registry.Current!;
        await InstallUntrainedModelAsync(); // v2
        using (var upload = Admin(HttpMethod.Post, "/models", content: new ByteArrayContent(ModelArtifact.ToBytes(UntrainedModel(seed: 2)))))
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(upload)).StatusCode); // v3
        }
        Assert.Equal(3, _pipeline.Registry.Version);

        using var absent = Admin(HttpMethod.Post, "/models/rollback?version=42");
        using var live = Admin(HttpMethod.Post, "/models/rollback?version=3");
        Assert.Equal(HttpStatusCode.Conflict, (await _http.SendAsync(absent)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _http.SendAsync(live)).StatusCode);
        Assert.Equal(3, _pipeline.Registry.Version);

        using var request = Admin(HttpMethod.Post, $"/models/rollback?version={first.Version}");
        var response = await _http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first.Version, body.RootElement.GetProperty("restoredFrom").GetInt64());
        Assert.Equal(4, body.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(4, _pipeline.Registry.Version);
        Assert.Equal(first.Network.Parameters.Select(p => p.ToArray()), _pipeline.Registry.Current!.Network.Parameters.Select(p => p.ToArray()));
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
