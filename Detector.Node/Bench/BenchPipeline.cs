using System.Diagnostics;
using System.Globalization;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Training;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;

namespace Detector.Node.Bench;

/// <summary>
/// `detector bench pipeline`: the in-process pipeline (synthetic rows → batch → route → model actors → thresholds →
/// alerts → acknowledgement) against the model's own batch-256 scoring throughput, measured in the same run; then the
/// source-to-decision latency at half the measured maximum rate. One JSON line per case.
/// </summary>
public static class BenchPipeline
{
    private const int Features = 30;

    /// <summary>
    /// Records the timed pipeline runs before its timed stretch: measured, the background compiler went on re-compiling
    /// for ~2.3M records (~0.8 s) after a pipeline started, even after the untimed passes.
    /// </summary>
    internal const long SteadyWarmUpRecords = 3_000_000;

    /// <summary>Runs the three cases.</summary>
    public static async Task RunAsync(long records, int threads, int batchRows, TextWriter output, CancellationToken cancellationToken,
        Detector.Models.Engines.IModelEngine? engine = null)
    {
        engine ??= Detector.Models.Engines.NativeEngine.Instance;
        var label = engine.Kind == Detector.Models.Engines.ModelEngine.Torch ? "torchsharp" : "detector";
        void Emit(TextWriter output, string fields) => Line(output, label, fields);
        var kernels = new CpuKernels();
        var modelRps = BenchModels.Infer(() => kernels, BenchModels.OptionsFor("ae30"), Features, 256, threads, 0.5, engine);
        Emit(output, $"\"case\":\"model\",\"model\":\"ae30\",\"batch\":256,\"threads\":{threads},\"records_per_s\":{modelRps:F0}");

        var (rows, _) = new ManifoldData(Features, seed: 1).Generate(65_536, 0.01, seed: 2);
        var entities = Enumerable.Range(0, 1_000).Select(i => $"entity-{i}").ToArray();
        var model = new Trainer(kernels).Train(rows, 20_000, FeatureSchema.Numbered(Features), BenchModels.OptionsFor("ae30"),
            new TrainingOptions { Epochs = 2, Threads = threads }, cancellationToken: cancellationToken);

        // The model actors compute on the chosen engine (the model was trained natively: the weights are the same).
        // Untimed passes first, as the model case warms up, until the JIT has (nearly) stopped compiling: a run of a
        // few seconds would otherwise time the unoptimised first tiers of the stream's code and the background
        // compiler re-compiling it (measured: threshold step 2.4x slower in a cold pass; after one warm pass the tiered
        // compiler still took ~0.9 of the 4.4 CPU-seconds of the timed run). A node runs for hours: steady state is
        // what counts.
        // The timed records then follow a warm-up stretch of the same pipeline: each pass builds its own actor system, so
        // its start-up code (configuration, actor creation, materialisation) reaches the tiers' call counts a pass at a
        // time and was re-compiled during the timed records (measured: 200–1,700 methods and 70–410 ms of JIT in a 3M
        // run), and the record path was sometimes promoted only then. A node builds its pipeline once.
        await JitWarmUp.UntilSettledAsync(() => RunOnceAsync(model, rows, entities, Math.Min(records, 1_000_000), threads, batchRows, 0, cancellationToken, engine: engine.Kind));
        var steady = new SteadyState(warmUpRecords: SteadyWarmUpRecords);
        var (_, stages) = await RunOnceAsync(model, rows, entities, steady.WarmUpRecords + records, threads, batchRows, 0, cancellationToken,
            steady.Judged, engine.Kind, steady.Ended);
        var (rps, pipelineCpu, jitMs) = steady.Result();
        var modelCpu = ModelCpuPerRecord(model.OnEngine(engine), rows, batchRows, Math.Min(records, 1_000_000));
        // CPU per record, process-wide, is what a busy machine cannot distort much: model_cpu_share is the part of the
        // pipeline's CPU that the model's own scoring needs (the rest is the stream's: batching, thresholds, metrics,
        // alerts, acknowledgement, idle waits), so on otherwise idle cores the pipeline can reach about that ratio.
        Emit(output, $"\"case\":\"pipeline\",\"model\":\"ae30\",\"threads\":{threads},\"cores\":{Environment.ProcessorCount},\"batch_rows\":{batchRows},\"records\":{records},\"records_per_s\":{rps:F0}," +
            $"\"ratio_to_model\":{rps / modelRps:F3},\"cpu_us_per_record\":{pipelineCpu:F3},\"model_cpu_us_per_record\":{modelCpu:F3}," +
            $"\"model_cpu_share\":{modelCpu / pipelineCpu:F3},\"jit_ms_during_run\":{jitMs:F0},\"stage_busy_seconds_whole_run\":{{{stages}}}");

        var rate = rps / 2;
        var latencies = new List<double>();
        var latencyRecords = (long)Math.Min(records, rate * 5);
        await RunOnceAsync(model, rows, entities, latencyRecords, threads, batchRows, rate, cancellationToken,
            (latency, records) => latencies.AddRange(Enumerable.Repeat(latency.TotalSeconds, records)), engine.Kind); // raised on the threshold stage's one thread
        latencies.Sort();
        Emit(output, $"\"case\":\"latency\",\"model\":\"ae30\",\"threads\":{threads},\"rate\":{rate:F0},\"records\":{latencies.Count}," +
            $"\"p50_ms\":{Quantile(latencies, 0.50) * 1e3:F3},\"p99_ms\":{Quantile(latencies, 0.99) * 1e3:F3},\"max_ms\":{latencies[^1] * 1e3:F3}");
    }

    private static async Task<(double RecordsPerSecond, string Stages)> RunOnceAsync(ModelSnapshot model, float[] rows, string[] entities,
        long records, int threads, int batchRows, double rate, CancellationToken cancellationToken, Action<TimeSpan, int>? endToEnd = null,
        Detector.Models.Engines.ModelEngine engine = Detector.Models.Engines.ModelEngine.Native, Action? ran = null)
    {
        var registry = new ModelRegistry("bench");
        registry.Publish(model);
        var options = new PipelineOptions
        {
            ModelActors = threads,
            Devices = ["cpu"], // compared with the model's CPU throughput measured in the same run
            BatchMaxRows = batchRows,
            Thresholds = new PipelineOptions().Thresholds with { Percentile = 99, WindowSize = 10_000, WarmUp = 1_000 },
            Retraining = new RetrainingOptions { EveryRows = 0, Model = new Detector.Models.Networks.ModelOptions { Engine = engine } },
        };
        var schema = new RecordSchemaOptions { Features = model.Schema.Names.Select(n => new FeatureField(n)).ToArray() };
        await using var pipeline = new DetectorPipeline(options, RecordDecoder.Create(schema), model.Schema, new InMemoryAlertSink(),
            new InMemoryDeadLetterSink(), registry);
        if (endToEnd is not null)
        {
            pipeline.Metrics.EndToEndMeasured += endToEnd;
        }
        var source = new RowReplaySource(rows, Features, entities, records, recordsPerSecond: rate);
        var clock = Stopwatch.StartNew();
        await pipeline.RunAsync(source, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        ran?.Invoke();
        var stages = string.Join(",", pipeline.Actors.GroupBy(a => a.Kind).Select(g =>
            $"\"{g.Key}\":{g.Sum(a => a.TotalProcessingTime.TotalSeconds).ToString("F3", CultureInfo.InvariantCulture)}"));
        return (records / seconds, stages);
    }

    /// <summary>Process CPU per record of scoring <paramref name="records"/> rows in batches on one thread, as a model actor does (with attribution).</summary>
    private static double ModelCpuPerRecord(ModelSnapshot model, float[] rows, int batch, long records)
    {
        var scorer = model.CreateScorer(new CpuKernels(), maxBatch: batch);
        var (scores, shares) = (new float[batch], new float[batch * Features]);
        var batches = rows.Length / (batch * Features);
        scorer.Score(rows.AsSpan(0, batch * Features), batch, scores, shares);
        var start = ProcessCpu.Now();
        for (long i = 0; i * batch < records; i++)
        {
            var k = (int)(i % batches);
            scorer.Score(rows.AsSpan(k * batch * Features, batch * Features), batch, scores, shares);
        }
        return ProcessCpu.MicrosPerRecord(start, records);
    }

    private static double Quantile(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void Line(TextWriter output, string label, string fields)
    {
        output.WriteLine("{\"impl\":\"" + label + "\"," + fields + "}");
        output.Flush();
    }
}
