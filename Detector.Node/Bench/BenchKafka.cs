using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Training;

namespace Detector.Node.Bench;

/// <summary>
/// `detector bench kafka`: the cases on one mock cluster holding the same card records, in one run — the client's
/// consume-only ceiling, the node's Kafka source alone, the pipeline from memory, Detector end to end (Kafka → decode →
/// score → thresholds → alerts topic, offsets committed after delivery) with one node, each pipeline case cold and
/// warm, and ../shared/bench/python_e2e.py (confluent-kafka + PyTorch) on the same topic. One JSON line per case, then
/// the ratios.
/// </summary>
public static class BenchKafka
{
    private const string Input = "bench-input";
    private const int TrainRecords = 50_000;

    /// <summary>Alternating consume-only / end-to-end pairs of the side-by-side ratio (odd: the median is one of them).</summary>
    private const int PairedRounds = 5;

    /// <summary>The pipeline settings of every case: CPU model actors (the reference is CPU PyTorch), no retraining.</summary>
    private static readonly PipelineOptions CpuPipeline = new() { Devices = ["cpu"], Retraining = new RetrainingOptions { EveryRows = 0 } };

    /// <summary>The cases, in the order they run (`--cases` picks some; the ratios need their denominators' cases).</summary>
    public static readonly IReadOnlyList<string> Cases = ["consume-only", "source-only", "pipeline-from-memory", "end-to-end", "end-to-end-exactly-once", "python"];

    /// <summary>Runs the cases; python is the interpreter for the reference (null skips it, saying so); cases null runs all.</summary>
    public static async Task<int> RunAsync(long records, int partitions, string? python, string referenceScript, TextWriter output, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? cases = null)
    {
        bool Runs(string name) => cases is null || cases.Contains(name);
        if (cases?.FirstOrDefault(c => !Cases.Contains(c)) is { } unknown)
        {
            Console.Error.WriteLine($"bench kafka: --cases: unknown case '{unknown}' (allowed: {string.Join(", ", Cases)})");
            return 2;
        }
        if (records < TrainRecords)
        {
            // The model (and the reference's) is trained on the topic's first TrainRecords records: fewer would never arrive.
            Console.Error.WriteLine($"bench kafka: --records = {records} is invalid; allowed: >= {TrainRecords} (the models are trained on the first {TrainRecords})");
            return 2;
        }
        if (!Runs("python"))
        {
            python = null;
        }
        if (python is not null)
        {
            // Before the Detector cases, so a missing module fails (or gets installed) in seconds, not after them.
            ReferencePackages.Ensure(python, ReferencePackages.KafkaReference.Modules, ReferencePackages.KafkaReference.Packages);
        }
        using var cluster = new MockCluster(3);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, InputTopic = Input, AlertsTopic = "bench-alerts" };
        cluster.CreateTopic(Input, partitions);
        cluster.CreateTopic(options.AlertsTopic, 8);
        cluster.CreateTopic(options.OffsetsTopic, partitions); // end-to-end-exactly-once: input partition p's offsets on partition p
        cluster.CreateTopic("bench-alerts-python", 8);
        var generator = RecordGenerators.Create("cards", 7);
        var schema = generator.Schema;
        var replay = await new KafkaReplay(options, Input).RunAsync(ReplayRecords.FromGenerator(generator, records), new ReplayOptions(), cancellationToken).ConfigureAwait(false);
        Emit(output, $"\"case\":\"load\",\"records\":{replay.Produced},\"partitions\":{partitions},\"records_per_s\":{replay.Produced / replay.Elapsed.TotalSeconds:F0}");
        // Every case reads until it has seen every record: records the mock brokers dropped would make it wait forever.
        var retained = Retained(options, partitions);
        if (retained < replay.Produced)
        {
            Console.Error.WriteLine($"bench kafka: the mock cluster kept {retained:N0} of {replay.Produced:N0} records (librdkafka's mock brokers keep " +
                $"about 5 MiB per partition, and records are keyed by card, so some partitions fill first); use more --partitions or fewer --records");
            return 2;
        }

        // The ceiling is the best of three passes: a pass can land on a slow fetch cycle of the mock brokers.
        var consumeRps = double.NaN;
        if (Runs("consume-only"))
        {
            var best = Enumerable.Range(0, 3).Select(_ => ConsumeOnly(options, records, cancellationToken)).MaxBy(p => p.RecordsPerSecond);
            consumeRps = best.RecordsPerSecond;
            Emit(output, $"\"case\":\"consume-only\",\"records\":{records},\"records_per_s\":{consumeRps:F0},\"cpu_us_per_record\":{best.CpuMicros:F3}");
        }
        if (Runs("source-only"))
        {
            await WarmedAsync("source-only", output, async () =>
            {
                var cpu = ProcessCpu.Now();
                var sourceRps = await SourceOnlyAsync(options, records, cancellationToken).ConfigureAwait(false);
                return ($"\"records\":{records},\"records_per_s\":{sourceRps:F0},\"cpu_us_per_record\":{ProcessCpu.MicrosPerRecord(cpu, records):F3}", sourceRps);
            }).ConfigureAwait(false);
        }

        // Each pipeline case runs until the JIT has (nearly) stopped compiling: the first pass (printed as "-cold") pays
        // for compiling the record path, and the tiered compiler goes on re-compiling it with profile data for several
        // more seconds (measured: a second 300,000-record pass still ran ~1.5x slower than a fourth). The timed pass is
        // the steady state a running node has, and the targets are judged on it.
        var decoder = RecordDecoder.Create(schema);
        var features = new FeatureSchema(schema.Features.Select(f => f.Name));
        var model = TrainOnHead(options, decoder, features, cancellationToken);
        if (Runs("pipeline-from-memory"))
        {
            var payloads = ReplayRecords.FromGenerator(RecordGenerators.Create("cards", 7), Math.Min(records, 300_000)).Select(r => r.Value).ToList();
            await WarmedAsync("pipeline-from-memory", output, async () =>
            {
                var cpu = ProcessCpu.Now();
                var memoryRps = await FromMemoryAsync(payloads, decoder, features, model, cancellationToken).ConfigureAwait(false);
                return ($"\"records\":{payloads.Count},\"records_per_s\":{memoryRps:F0},\"cpu_us_per_record\":{ProcessCpu.MicrosPerRecord(cpu, payloads.Count):F3}", memoryRps);
            }).ConfigureAwait(false);
        }
        // One end-to-end pass on the given options, its fields ending with its ratio to the case it is judged against.
        async Task<(string Fields, double RecordsPerSecond)> EndToEndPass(KafkaOptions node, string ratio, double of)
        {
            var (rps, alerts, cpu) = await EndToEndAsync(node, decoder, features, model, records, cancellationToken).ConfigureAwait(false);
            return ($"\"records\":{records},\"model_actors\":{Environment.ProcessorCount},\"alerts\":{alerts},\"records_per_s\":{rps:F0}," +
                $"\"cpu_us_per_record\":{cpu:F3}" + Ratio(ratio, rps, of), rps);
        }
        var e2eRps = double.NaN;
        if (Runs("end-to-end"))
        {
            e2eRps = await WarmedAsync("end-to-end", output, () => EndToEndPass(options, "ratio_to_consume_only", consumeRps)).ConfigureAwait(false);
        }
        // Side by side: the ratio to consume-only from passes that alternate (consume-only, then end to end, five times),
        // each pair's ratio and their median. The best-of-three figures above come from passes minutes apart, and this
        // machine's speed drifts between them (consume-only 0.85M-1.47M records/s from run to run): a pair shares it.
        if (Runs("consume-only") && Runs("end-to-end"))
        {
            var pairs = new List<(double Consume, double EndToEnd)>();
            for (var round = 0; round < PairedRounds; round++)
            {
                var consume = ConsumeOnly(options, records, cancellationToken).RecordsPerSecond;
                var (_, endToEnd) = await EndToEndPass(options, "", double.NaN).ConfigureAwait(false);
                pairs.Add((consume, endToEnd));
            }
            var ratios = pairs.Select(p => p.EndToEnd / p.Consume).ToList();
            Emit(output, $"\"case\":\"end-to-end-paired\",\"records\":{records},\"consume_only_records_per_s\":[{Numbers(pairs.Select(p => p.Consume), "F0")}]," +
                $"\"end_to_end_records_per_s\":[{Numbers(pairs.Select(p => p.EndToEnd), "F0")}],\"ratios\":[{Numbers(ratios, "F3")}]," +
                $"\"median_ratio_to_consume_only\":{ratios.Order().ElementAt(ratios.Count / 2).ToString("F3", CultureInfo.InvariantCulture)}");
        }
        // Kafka:Guarantee = ExactlyOnce at the default commit interval, timed until the last records' transactions commit.
        if (Runs("end-to-end-exactly-once"))
        {
            var exactlyOnce = options with { Guarantee = KafkaGuarantee.ExactlyOnce };
            await WarmedAsync("end-to-end-exactly-once", output, () => EndToEndPass(exactlyOnce, "ratio_to_at_least_once", e2eRps)).ConfigureAwait(false);
        }

        if (python is null)
        {
            Console.Error.WriteLine("bench kafka: python reference skipped (--python none)");
            return 0;
        }
        var pythonRps = RunPython(python, referenceScript, options, schema, records, output);
        if (pythonRps > 0)
        {
            Emit(output, $"\"case\":\"ratios\",\"end_to_end_vs_python\":{e2eRps / pythonRps:F2}" + Ratio("end_to_end_vs_consume_only", e2eRps, consumeRps));
        }
        return pythonRps > 0 ? 0 : 1;
    }

    /// <summary>How many records the input topic holds now: the sum over its partitions of high − low watermark.</summary>
    private static long Retained(KafkaOptions options, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, $"bench-watermarks-{Guid.NewGuid():N}", "bench-watermarks")).Build();
        return Enumerable.Range(0, partitions).Sum(p =>
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(Input, p), TimeSpan.FromSeconds(10));
            return marks.High.Value - marks.Low.Value;
        });
    }

    /// <summary>The Confluent consumer with the node's settings, reading and discarding every record.</summary>
    private static (double RecordsPerSecond, double CpuMicros) ConsumeOnly(KafkaOptions options, long records, CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(KafkaClientConfigs.Consumer(options, $"bench-consume-{Guid.NewGuid():N}", "bench-consume")).Build();
        consumer.Subscribe(Input);
        long read = 0;
        var clock = new Stopwatch();
        var cpu = TimeSpan.Zero;
        while (read < records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result && result.Message.Value is not null)
            {
                if (!clock.IsRunning)
                {
                    // From the first record: group join is not throughput.
                    cpu = ProcessCpu.Now();
                    clock.Start();
                }
                read++;
            }
        }
        clock.Stop();
        var cpuMicros = ProcessCpu.MicrosPerRecord(cpu, read);
        consumer.Close();
        return (read / clock.Elapsed.TotalSeconds, cpuMicros);
    }

    /// <summary>The node's Kafka source alone: chunks handed over and acknowledged at once (what the pipeline adds is the rest).</summary>
    private static async Task<double> SourceOnlyAsync(KafkaOptions options, long records, CancellationToken cancellationToken)
    {
        await using var source = new KafkaRecordSource(options with { GroupId = $"bench-source-{Guid.NewGuid():N}" }, "bench-source");
        long read = 0;
        var clock = new Stopwatch();
        await foreach (var chunk in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            clock.Start();
            read += chunk.Count;
            foreach (var record in chunk)
            {
                source.Acknowledge(record.Position);
            }
            if (read >= records)
            {
                break;
            }
        }
        return read / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The node's pipeline reading records already in memory: its ceiling without a broker.</summary>
    private static async Task<double> FromMemoryAsync(List<byte[]> payloads, IRecordDecoder decoder, FeatureSchema schema, ModelSnapshot model,
        CancellationToken cancellationToken)
    {
        // Pinned to the CPU on every machine: the reference it is compared with is the CPU PyTorch pipeline.
        await using var memory = new DetectorPipeline(CpuPipeline, decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(), Registry(model));
        var clock = Stopwatch.StartNew();
        await memory.RunAsync(new MemoryRecordSource(payloads), cancellationToken).ConfigureAwait(false);
        return payloads.Count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// One node, in its own consumer group from the topic's start, with the model trained on the topic's head (as the
    /// reference does). At least once it is done when every record is handled (its alerts delivered); exactly once,
    /// when every record's transaction has also committed (only then are its alerts visible).
    /// </summary>
    private static async Task<(double RecordsPerSecond, long Alerts, double CpuMicros)> EndToEndAsync(KafkaOptions options, IRecordDecoder decoder, FeatureSchema schema,
        ModelSnapshot model, long records, CancellationToken cancellationToken)
    {
        var node = options with { GroupId = $"bench-e2e-{Guid.NewGuid():N}" };
        using var producer = new KafkaProducerHost(node, "bench-node");
        _ = producer.PartitionCount(node.AlertsTopic, TimeSpan.FromSeconds(10)); // metadata loaded before reading, as a node's cluster start does
        await using var source = new KafkaRecordSource(node, "bench-node");
        await using var pipeline = new DetectorPipeline(CpuPipeline, decoder, schema, KafkaSinks.Alerts(node, producer, () => source), new InMemoryDeadLetterSink(),
            Registry(model));
        var run = pipeline.RunAsync(source, cancellationToken);
        var clock = new Stopwatch();
        var cpu = TimeSpan.Zero;
        // Done when every record was read and nothing is in flight: all scored, alerts delivered, offsets acknowledged.
        while ((pipeline.Metrics.Consumed < records || pipeline.Offsets.InFlight > 0
            || (node.Guarantee == KafkaGuarantee.ExactlyOnce && source.UncommittedRecords > 0)) && !run.IsCompleted)
        {
            if (!clock.IsRunning && source.Consumed > 0)
            {
                cpu = ProcessCpu.Now();
                clock.Start();
            }
            // Every millisecond to catch the start and the end of the pass; in between every 20 ms, since each wake-up
            // of this poll is a timer tick and a thread-pool hand-off on the same two cores the node runs on.
            var between = clock.IsRunning && pipeline.Metrics.Consumed < records * 0.95;
            await Task.Delay(between ? 20 : 1, cancellationToken).ConfigureAwait(false);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuMicros = ProcessCpu.MicrosPerRecord(cpu, records);
        source.Stop();
        await run.ConfigureAwait(false);
        return (records / seconds, pipeline.Metrics.Alerts, cpuMicros);
    }

    private static ModelRegistry Registry(ModelSnapshot model)
    {
        var registry = new ModelRegistry();
        registry.Publish(model);
        return registry;
    }

    private static ModelSnapshot TrainOnHead(KafkaOptions options, IRecordDecoder decoder, FeatureSchema schema, CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(KafkaClientConfigs.Consumer(options, $"bench-train-{Guid.NewGuid():N}", "bench-train")).Build();
        consumer.Subscribe(Input);
        var rows = new float[TrainRecords * schema.Count];
        var count = 0;
        while (count < TrainRecords)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message.Value: { } value } result
                && decoder.TryDecode(value, new SourcePosition(result.Partition.Value, result.Offset.Value), rows.AsSpan(count * schema.Count, schema.Count), out _, out _))
            {
                count++;
            }
        }
        consumer.Close();
        return new Trainer(CpuKernels.Instance).Train(rows, count, schema, new Detector.Models.Networks.ModelOptions(),
            new TrainingOptions { Epochs = 5, Threads = 1 }, cancellationToken: cancellationToken);
    }

    private static double RunPython(string python, string script, KafkaOptions options, RecordSchemaOptions schema, long records, TextWriter output)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            ArgumentList =
            {
                script, "--bootstrap", options.BootstrapServers, "--topic", Input, "--alerts", "bench-alerts-python",
                "--features", string.Join(",", schema.Features.Select(f => f.SourceField)),
                "--records", records.ToString(CultureInfo.InvariantCulture), "--train", TrainRecords.ToString(CultureInfo.InvariantCulture), "--threads", "1",
            },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var lines = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"bench kafka: {script} failed (exit {process.ExitCode})");
            return 0;
        }
        output.WriteLine(line);
        using var json = System.Text.Json.JsonDocument.Parse(line);
        return json.RootElement.GetProperty("records_per_s").GetDouble();
    }

    /// <summary>
    /// Runs <paramref name="pass"/> (which returns its JSON fields and records/s) and prints the first pass as
    /// "<paramref name="name"/>-cold"; then repeats it, unprinted, until a pass compiles fewer than 10 methods (at most 6
    /// passes); then times three more and prints the best as the case itself, with the JIT time, the bytes allocated and
    /// the collections (gen 0, 1, 2) and the GC pause time during it, and every timed pass's rate. Returns the best records/s.
    /// </summary>
    private static async Task<double> WarmedAsync(string name, TextWriter output, Func<Task<(string Fields, double RecordsPerSecond)>> pass)
    {
        var (coldFields, _) = await pass().ConfigureAwait(false);
        Emit(output, $"\"case\":\"{name}-cold\"," + coldFields);
        await JitWarmUp.UntilSettledAsync(pass).ConfigureAwait(false);
        // Timed: the best of three passes, as for consume-only (a pass can land on a slow fetch cycle of the mock brokers).
        var passes = new List<(string Fields, double RecordsPerSecond)>();
        for (var timed = 0; timed < 3; timed++)
        {
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var allocated = GC.GetTotalAllocatedBytes();
            var paused = GC.GetTotalPauseDuration();
            int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var (fields, passRps) = await pass().ConfigureAwait(false);
            passes.Add((fields + $",\"jit_ms_during_run\":{(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds:F0}," +
                $"\"allocated_mb\":{(GC.GetTotalAllocatedBytes() - allocated) / 1e6:F0},\"gcs\":[{GC.CollectionCount(0) - collections[0]},{GC.CollectionCount(1) - collections[1]},{GC.CollectionCount(2) - collections[2]}]," +
                $"\"gc_pause_ms\":{(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0}", passRps));
        }
        var best = passes.MaxBy(p => p.RecordsPerSecond);
        Emit(output, $"\"case\":\"{name}\"," + best.Fields + $",\"passes_records_per_s\":[{Numbers(passes.Select(p => p.RecordsPerSecond), "F0")}]");
        return best.RecordsPerSecond;
    }

    /// <summary>Numbers for a JSON array's body: comma-separated, invariant culture, in the given format.</summary>
    private static string Numbers(IEnumerable<double> values, string format) =>
        string.Join(",", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    /// <summary>A ratio field, left out when a case it needs did not run (`--cases`).</summary>
    private static string Ratio(string name, double value, double of) =>
        double.IsNaN(value) || double.IsNaN(of) ? "" : string.Create(CultureInfo.InvariantCulture, $",\"{name}\":{value / of:F3}");

    private static void Emit(TextWriter output, string fields)
    {
        output.WriteLine("{\"impl\":\"detector\"," + fields + "}");
        output.Flush();
    }
}
