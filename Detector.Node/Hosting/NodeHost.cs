using System.Diagnostics;
using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Models.Validation;
using Detector.Node.Cluster;
using Detector.Node.Configuration;
using Detector.Node.Http;
using Detector.Node.Metrics;
using Detector.Streams.Audit;
using Detector.Streams.Decoding;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Detector.Streams.Training;
using Detector.Streams.Windows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Hosting;

/// <summary>
/// Runs one node from validated options: sinks and source from <see cref="NodeComponents"/>, the pipeline, the HTTP
/// endpoints, and a graceful stop. On a stop request (SIGTERM, SIGINT) the node reports not ready, stops consuming,
/// lets the pipeline drain and acknowledge what it holds, disposes the source (a Kafka source commits and closes
/// there), and returns 0 — or 1 when draining takes longer than <c>Node:ShutdownTimeout</c> or a stage fails.
/// </summary>
public static class NodeHost
{
    /// <summary>Runs the node until its source ends or <paramref name="shutdown"/> asks it to stop; returns the exit code.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="components">Source and sink factories.</param>
    /// <param name="shutdown">The stop request.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="started">Called once the node serves HTTP and consumes (tests read the port from it).</param>
    /// <param name="time">The clock.</param>
    public static async Task<int> RunAsync(NodeOptions options, NodeComponents components, ShutdownSignal shutdown, ILoggerFactory loggers,
        Action<NodeState, NodeHttpServer?>? started = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(shutdown);
        ArgumentNullException.ThrowIfNull(loggers);
        time ??= TimeProvider.System;
        var log = loggers.CreateLogger("Detector.Node");
        var schemaOptions = options.EffectiveSchema;
        // A windowed model (Conv/LSTM autoencoder) reads, per entity, the last WindowSteps records as one row.
        var model = options.Pipeline.Retraining.Model;
        var sensors = schemaOptions.Features.Select(f => f.Name).ToList();
        var decoder = model.IsWindowed ? new WindowingDecoder(RecordDecoder.Create(schemaOptions), model.WindowSteps) : RecordDecoder.Create(schemaOptions);
        var schema = new FeatureSchema(model.IsWindowed ? WindowSchema.Names(sensors, model.WindowSteps) : sensors);
        // Resolve every factory before anything starts, so a kind this build lacks fails with exit code 2 and no side effects.
        var sourceFactory = components.Source(options.Source.Kind);
        var alertFactory = components.AlertSink(options.Sinks.Alerts.Kind);
        var deadLetterFactory = components.DeadLetterSink(options.Sinks.DeadLetters.Kind);
        var registry = new ModelRegistry(options.Model.Name);
        if (options.Model.Path.Length > 0)
        {
            registry.Publish(LoadModel(options.Model.Path, schema));
        }

        var state = new NodeState(options.Node.Id, time) { SourceKind = options.Source.Kind.ToString().ToLowerInvariant() };
        using var kafka = options.UsesKafka ? new KafkaCluster(options.Kafka, options.Node.Id, loggers.CreateLogger("Detector.Kafka")) : null;
        var context = new NodeContext(options, schemaOptions, loggers, state, time) { Cluster = kafka };
        // Nodes that share a Kafka input are one Akka cluster (trainer singleton, model broadcast); others run alone.
        var member = options.Source.Kind == SourceKind.Kafka ? new ClusterNode(options.Cluster, kafka!, registry.Name, schema, loggers) : null;
        using var audit = options.Sinks.AuditPath.Length > 0
            ? new ScoredRangeAudit(options.Sinks.AuditPath, lane => kafka?.Source?.PartitionOf(lane) is { } tp ? $"{tp.Topic}:{tp.Partition.Value}" : $"{lane}")
            : null;
        var alerts = alertFactory(context);
        var deadLetters = deadLetterFactory(context);
        using var hardStop = new CancellationTokenSource();
        // The Akka.Hosting ActorSystem first: the pipeline's model actors and trainer live in it, beside the cluster's.
        using var akka = member is null ? NodeAkka.BuildLocal(options.Cluster.SystemName, loggers) : NodeAkka.BuildClustered(member, options.Kafka, loggers);
        await akka.StartAsync(shutdown.Token);
        var pipeline = new DetectorPipeline(options.Pipeline, decoder, schema, alerts, deadLetters, registry, time, loggers.CreateLogger("Detector.Pipeline"),
            batchJudged: audit is null ? null : audit.Record, distribution: member?.Distribution, system: akka.ActorSystem());
        member?.Attach(pipeline);
        var metrics = NodeMetrics.For(pipeline, () => state.Source);
        IRecordSource? source = null;
        NodeHttpServer? http = null;
        try
        {
            state.Pipeline = pipeline;
            state.Models = new ModelHistory(registry, options.Model.KeepVersions);
            source = sourceFactory(context, pipeline);
            state.Source = source as ISourceStatus;
            using var admin = new PipelineModelAdmin(pipeline, state.Models, schema, member is null ? null : member.RetrainAsync);
            if (options.Node.AdminToken.Length == 0)
            {
                log.LogWarning("Node:AdminToken is not set: the admin endpoints (retrain, model upload, rollback) answer 401");
            }
            if (member is not null)
            {
                AddClusterStatus(member, state);
            }
            if (options.Node.HttpPort >= 0)
            {
                http = await NodeHttpServer.StartAsync(options.Node.HttpAddress, options.Node.HttpPort, metrics, state, admin, options.Node.AdminToken, loggers);
                log.LogInformation("HTTP listening on {Url} (/metrics /healthz /readyz /status /models)", http.Url);
            }
            log.LogInformation("node {NodeId} running: source {Source}, alerts {Alerts}, dead letters {DeadLetters}, model {Model}",
                options.Node.Id, options.Source.Kind, options.Sinks.Alerts.Kind, options.Sinks.DeadLetters.Kind,
                registry.Current is { } m ? $"v{m.Version} from {options.Model.Path}" : $"trained on the first {options.Pipeline.Retraining.WarmUpRows} rows");
            if (member is not null)
            {
                StopWhenRemoved(akka, state, shutdown, log);
            }
            if (member is not null)
            {
                await JoinClusterAsync(member, shutdown);
            }
            started?.Invoke(state, http);
            var code = await RunUntilStoppedAsync(pipeline, source, state, shutdown, options.Node.ShutdownTimeout, hardStop, log);
            return state.Fault is null ? code : 1;
        }
        finally
        {
            if (source is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            await pipeline.DisposeAsync();
            await DisposeSinkAsync(alerts);
            await DisposeSinkAsync(deadLetters);
            // Leaves the cluster (the singleton hands over, the lease is released) once the partitions are committed.
            using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await akka.StopAsync(bound.Token);
            }
            if (http is not null)
            {
                await http.DisposeAsync();
            }
        }
    }

    private static async Task<int> RunUntilStoppedAsync(DetectorPipeline pipeline, IRecordSource source, NodeState state, ShutdownSignal shutdown,
        TimeSpan shutdownTimeout, CancellationTokenSource hardStop, ILogger log)
    {
        using var graceful = new GracefulSource(source);
        var run = pipeline.RunAsync(graceful, hardStop.Token);
        using (shutdown.Token.Register(() =>
        {
            state.IsStopping = true;
            graceful.Stop();
        }))
        {
            var stopWatch = new Stopwatch();
            try
            {
                await Task.WhenAny(run, Task.Delay(Timeout.Infinite, shutdown.Token).ContinueWith(_ => { }, TaskScheduler.Default));
                // Said whenever a stop was asked for, even when the drain was over before this line ran.
                if (shutdown.Token.IsCancellationRequested)
                {
                    stopWatch.Start();
                    log.LogInformation("stop requested ({Signal}): no new records; draining {InFlight} in flight (bound {Timeout})",
                        shutdown.Received?.ToString() ?? "request", pipeline.Offsets.InFlight, shutdownTimeout);
                    await run.WaitAsync(shutdownTimeout);
                }
                await run;
            }
            catch (TimeoutException)
            {
                await hardStop.CancelAsync();
                log.LogError("drain did not finish within {Timeout}: {InFlight} records unacknowledged (a Kafka source redelivers them)",
                    shutdownTimeout, pipeline.Offsets.InFlight);
                await IgnoreCancellationAsync(run);
                // Abort the stages: a graceful stop would wait for the very work that outlasted the bound (a sink
                // write retried until it succeeds), and the node would never exit.
                await pipeline.StopAsync(hardStop.Token);
                return 1;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                state.Fault = e.Message;
                log.LogError(e, "the pipeline failed");
                return 1;
            }
            var m = pipeline.Metrics;
            log.LogInformation("{Reason}: consumed {Consumed}, scored {Scored}, dead-lettered {DeadLettered}, anomalies {Anomalies}, alerts {Alerts}{Drain}",
                state.IsStopping ? "stopped" : "source finished", m.Consumed, m.Scored, m.DeadLettered, m.Anomalies, m.Alerts,
                stopWatch.IsRunning ? $"; drained in {stopWatch.Elapsed.TotalSeconds:F2}s" : "");
            return 0;
        }
    }

    /// <summary>/status and /readyz from the cluster: every member, the join state, refused models.</summary>
    private static void AddClusterStatus(ClusterNode member, NodeState state)
    {
        state.Role = "scorer";
        member.Role.Changed += trainer => state.Role = trainer ? "trainer" : "scorer";
        state.AddStatus("cluster", () => member.Members());
        state.AddStatus("clusterJoin", () => new { joined = member.IsUp, problem = member.JoinProblem(), seedNodes = member.Options.SeedAddresses });
        state.AddStatus("trainerEpoch", () => member.Role.Epoch);
        state.AddStatus("modelEpoch", () => member.Inbox.InstalledEpoch);
        state.AddStatus("modelsRefused", () => member.Inbox.Refused);
        state.AddReadinessCheck("cluster", member.JoinProblem);
    }

    /// <summary>Waits until the node is a member and has the newest stored model (a late node scores nothing before it has it).</summary>
    private static async Task JoinClusterAsync(ClusterNode member, ShutdownSignal shutdown)
    {
        try
        {
            await member.JoinAsync(shutdown.Token);
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            // Stopped before joining: the run below ends at once.
        }
    }

    /// <summary>
    /// A node the cluster removed (downed by the split-brain resolver: it was unreachable, e.g. paused) must not go on as
    /// a second cluster of one: its ActorSystem terminates, and the node drains, commits and exits 1 with the reason.
    /// </summary>
    private static void StopWhenRemoved(Microsoft.Extensions.Hosting.IHost akka, NodeState state, ShutdownSignal shutdown, ILogger log)
    {
        var system = akka.Services.GetRequiredService<Akka.Actor.ActorSystem>();
        void Removed(string how)
        {
            if (!shutdown.Token.IsCancellationRequested)
            {
                state.Fault = $"removed from the Akka cluster ({how})";
                log.LogError("node {Node} was removed from the cluster ({How}): stopping", state.NodeId, how);
                shutdown.Request();
            }
        }
        // Downing does not terminate the system (the pipeline's actors in it drain first): the removal of this member,
        // or the cluster's shutdown on being downed, stops the node; a terminated system too, whatever ended it.
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberRemoved(() => Removed("this member was removed or downed"));
        _ = system.WhenTerminated.ContinueWith(_ => Removed("its ActorSystem terminated"), TaskScheduler.Default);
    }

    private static ModelSnapshot LoadModel(string path, FeatureSchema schema)
    {
        try
        {
            return ModelArtifact.Load(path, schema);
        }
        catch (Exception e) when (e is ModelArtifactException or SchemaMismatchException)
        {
            throw new InvalidOptionException("Model:Path", path, $"a model artifact for this schema ({e.Message})");
        }
    }

    private static async Task IgnoreCancellationAsync(Task run)
    {
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async ValueTask DisposeSinkAsync(object sink)
    {
        if (sink is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
