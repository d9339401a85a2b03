using System.CommandLine;
using System.Diagnostics;
using Detector.Models.Evaluation;
using Detector.Models.Scoring;
using Detector.Node.Cluster;
using Detector.Node.Commands;
using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Detector.Node.Logging;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Demo;

/// <summary>
/// `detector demo`: the main job on the embedded default. A generator (card transactions or fleet telemetry, with
/// ground truth) feeds the real pipeline: decode → batch → model actors → thresholds → alerts (JSON lines), with the
/// first model trained on a warm-up window and retraining during the run. A live progress line shows throughput,
/// anomalies, threshold and model version; the run ends with precision, recall, F1, AUC-ROC and AUC-PR against the
/// generator's labels.
/// </summary>
public static class StreamingDemo
{
    /// <summary>Builds the command (with `demo model` beneath it).</summary>
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "Embedded generator: cards or fleet.", DefaultValueFactory = _ => "cards" };
        var records = new Option<long>("--records") { Description = "Records to stream.", DefaultValueFactory = _ => 300_000 };
        var output = new Option<string>("--out") { Description = "Folder for alerts.jsonl and dead-letters.jsonl.", DefaultValueFactory = _ => "out" };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 1 };
        var httpPort = new Option<int?>("--http-port") { Description = "Serve /metrics, /healthz, /readyz, /status and /models on this port while the demo runs (default: Node:HttpPort when configured, else off; 0 = any free port)." };
        var command = new Command("demo", "Runs the main job on the embedded default: generator → pipeline → alerts, with retraining, then detection quality.\n\nExamples:\n  ./detector demo\n  ./detector demo --dataset fleet --records 200000\n  ./detector demo --http-port 9100   (then: curl localhost:9100/metrics)\n  ./detector demo model")
        {
            dataset, records, output, seed, httpPort, ModelDemo.Create(),
        };
        command.SetAction((r, ct) => CommandGuard.RunAsync(() => RunAsync(r.GetValue(dataset)!, r.GetValue(records), r.GetValue(output)!, r.GetValue(seed),
            DemoHttp.Resolve(r.GetValue(httpPort)), ct)));
        return command;
    }

    private static async Task<int> RunAsync(string dataset, long records, string output, ulong seed, NodeHostOptions? http, CancellationToken cancellationToken)
    {
        var generator = RecordGenerators.Create(dataset, seed);
        var schemaOptions = generator.Schema;
        var decoder = RecordDecoder.Create(schemaOptions);
        var schema = new FeatureSchema(schemaOptions.Features.Select(f => f.Name));
        Directory.CreateDirectory(output);
        var alertsPath = Path.Combine(output, "alerts.jsonl");
        File.Delete(alertsPath);
        await using var alerts = JsonLinesAlertSink.ToFile(alertsPath);
        await using var deadLetters = new JsonLinesDeadLetterSink(Path.Combine(output, "dead-letters.jsonl"));
        var options = new PipelineOptions
        {
            Thresholds = new PipelineOptions().Thresholds with { Percentile = 99.0, WindowSize = 20_000, WarmUp = 2_000, SuppressionGap = TimeSpan.FromMinutes(10) },
            Retraining = new RetrainingOptions { WarmUpRows = 20_000, EveryRows = Math.Max(20_000, records / 3), ReservoirCapacity = 40_000, RecentCapacity = 20_000 },
        };
        var scores = new List<float>((int)Math.Min(records, 10_000_000));
        var labels = new List<bool>(scores.Capacity);
        var flagged = new List<bool>(scores.Capacity);
        var versions = new SortedDictionary<long, long>();
        void Collect(RecordBatch batch)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                scores.Add(batch.Scores[i]);
                labels.Add(batch.Info[i].Label == true);
                flagged.Add(batch.Anomalous[i]);
            }
            versions[batch.ModelVersion] = versions.GetValueOrDefault(batch.ModelVersion) + batch.Count;
        }

        Console.WriteLine($"detector demo: {records:N0} {generator.Name} records through the pipeline ({options.EffectiveModelActors} model actors); " +
            $"first model from {options.Retraining.WarmUpRows:N0} warm-up rows, retraining every {options.Retraining.EveryRows:N0} normal rows");
        // The node's Akka.Hosting ActorSystem (local: one process), the same one `run` builds; stopped after the pipeline.
        using var akkaLogs = NodeLogging.Create(LogFormat.Text, LogLevel.Warning);
        await using var akka = await NodeAkka.StartLocalAsync(akkaLogs, cancellationToken);
        await using var pipeline = new DetectorPipeline(options, decoder, schema, alerts, deadLetters, batchJudged: Collect, system: akka.System);
        var source = new GeneratorSource(generator, records);
        using var shutdown = new ShutdownSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown.Token);
        await using var server = http is null ? null : await DemoHttp.StartAsync(http, pipeline, schema, new LocalSource(source, $"generator:{generator.Name}"));
        var clock = Stopwatch.StartNew();
        using var progress = new Timer(_ => Progress(pipeline, clock), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        await pipeline.RunAsync(server?.Source ?? (IRecordSource)source, stop.Token);
        await progress.DisposeAsync();
        Progress(pipeline, clock);
        Console.WriteLine();

        var s = scores.ToArray();
        var l = labels.ToArray();
        var (precision, recall, f1) = DetectionMetrics.PrecisionRecall(flagged.ToArray(), l);
        Console.WriteLine($"streamed {records:N0} records in {clock.Elapsed.TotalSeconds:F1}s ({records / clock.Elapsed.TotalSeconds:N0} records/s); " +
            $"acknowledged up to offset {source.AcknowledgedOffset:N0}; dead letters {pipeline.Metrics.DeadLettered:N0}");
        Console.WriteLine($"models: {string.Join(", ", versions.Select(v => $"v{v.Key} scored {v.Value:N0}"))}");
        Console.WriteLine($"anomalies flagged {pipeline.Metrics.Anomalies:N0}, alerts {pipeline.Metrics.Alerts:N0} (written to {alertsPath}); labelled anomalies {l.Count(x => x):N0}");
        Console.WriteLine($"precision {precision:F3}  recall {recall:F3}  F1 {f1:F3}  AUC-ROC {DetectionMetrics.AucRoc(s, l):F3}  AUC-PR {DetectionMetrics.AveragePrecision(s, l):F3}");
        return 0;
    }

    private static void Progress(DetectorPipeline pipeline, Stopwatch clock)
    {
        var m = pipeline.Metrics;
        var t = pipeline.Thresholds;
        Console.Write($"\r  {m.Scored,10:N0} scored  {m.Scored / Math.Max(clock.Elapsed.TotalSeconds, 1e-3),9:N0} rec/s  anomalies {m.Anomalies,7:N0}  alerts {m.Alerts,6:N0}  " +
            $"threshold {(t.IsWarm ? t.GlobalThreshold.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "warming"),8}  model v{pipeline.Registry.Version}   ");
    }
}
