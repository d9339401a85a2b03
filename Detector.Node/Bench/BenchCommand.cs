using System.CommandLine;
using Detector.Models.Devices;
using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;

namespace Detector.Node.Bench;

/// <summary>`detector bench …`.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated models: ae30, vae30, ae2048, vae2048, tabular30 (the Tabular preset), tabular30x1 (one of its VAEs).", DefaultValueFactory = _ => "ae30,vae30,ae2048" };
        var modes = new Option<string>("--modes") { Description = "Comma-separated: infer, train.", DefaultValueFactory = _ => "infer,train" };
        var batches = new Option<string>("--batches") { Description = "Comma-separated inference batch sizes.", DefaultValueFactory = _ => "1,16,64,256,1024,4096" };
        var threads = new Option<string>("--threads") { Description = "Comma-separated thread counts.", DefaultValueFactory = _ => "1,2" };
        var seconds = new Option<double>("--sample-seconds") { Description = "Minimum length of each of the 5 timed samples.", DefaultValueFactory = _ => 0.5 };
        var linear = new Option<LinearPath>("--linear") { Description = "Dense-layer path: Auto, Blas or Managed (to compare them).", DefaultValueFactory = _ => LinearPath.Auto };
        var device = new Option<string>("--device") { Description = "Where to run: cpu, or cuda:N (one CUDA stream per scoring thread).", DefaultValueFactory = _ => "cpu" };
        var engine = new Option<Detector.Models.Engines.ModelEngine>("--engine") { Description = "Native, or Torch (LibTorch 2.10 through TorchSharp, one intra-op thread per scorer; lines labelled torchsharp).", DefaultValueFactory = _ => Detector.Models.Engines.ModelEngine.Native };
        var math = new Option<CudaMathMode>("--math") { Description = "GEMM precision on a CUDA device: Fp32, Tf32 or Bf16.", DefaultValueFactory = _ => CudaMathMode.Fp32 };
        var modelsCommand = new Command("models", "Model engine throughput (records/s), one JSON line per case.\n\nExamples:\n  ./detector bench models\n  " +
            "./detector bench models --models ae30 --threads 1 --linear Blas\n  ./detector bench models --device cuda:0 --math Tf32")
        {
            models, modes, batches, threads, seconds, linear, device, math, engine,
        };
        modelsCommand.SetAction(r =>
        {
            var (m, md, b, t) = (Split(r.GetValue(models)!), Split(r.GetValue(modes)!), Split(r.GetValue(batches)!).Select(int.Parse).ToArray(),
                Split(r.GetValue(threads)!).Select(int.Parse).ToArray());
            if (!DeviceSpec.TryParse(r.GetValue(device), out var spec) || spec.Kind == DeviceKind.Auto)
            {
                Console.Error.WriteLine($"--device '{r.GetValue(device)}' is not a device; allowed: 'cpu' or 'cuda:N'");
                return 2;
            }
            if (r.GetValue(engine) == Detector.Models.Engines.ModelEngine.Torch)
            {
                if (spec.Kind != DeviceKind.Cpu)
                {
                    Console.Error.WriteLine("--engine Torch runs on the CPU LibTorch only (TorchSharp's CUDA build is not served here)");
                    return 2;
                }
                try
                {
                    BenchModels.Run(m, md, b, t, r.GetValue(seconds), r.GetValue(linear), Console.Out, Detector.Models.Torch.TorchEngine.Register());
                    return 0;
                }
                catch (Detector.Models.Torch.TorchUnavailableException e)
                {
                    Console.Error.WriteLine($"bench models --engine Torch: {e.Message}");
                    return 1;
                }
            }
            if (spec.Kind == DeviceKind.Cpu)
            {
                BenchModels.Run(m, md, b, t, r.GetValue(seconds), r.GetValue(linear), Console.Out);
                return 0;
            }
            try
            {
                BenchModels.RunOnGpu(m, md, b, t, r.GetValue(seconds), spec, r.GetValue(math), Console.Out);
                return 0;
            }
            catch (CudaException e)
            {
                Console.Error.WriteLine($"bench models --device {spec}: {e.Message}");
                return 1;
            }
        });
        var records = new Option<long>("--records") { Description = $"Records timed in the throughput case (after {BenchPipeline.SteadyWarmUpRecords:N0} untimed records through the same pipeline).", DefaultValueFactory = _ => 3_000_000 };
        var pipelineEngine = new Option<Detector.Models.Engines.ModelEngine>("--engine") { Description = "Native, or Torch (model actors on LibTorch; lines labelled torchsharp).", DefaultValueFactory = _ => Detector.Models.Engines.ModelEngine.Native };
        var pipelineThreads = new Option<string>("--threads")
        {
            Description = "Comma-separated model-actor counts (and scoring threads of the reference case), each run in turn. The default is " +
                "every core, then every core but one (the stream's own stages get a core of their own).",
            DefaultValueFactory = _ => Environment.ProcessorCount > 1 ? $"{Environment.ProcessorCount},{Environment.ProcessorCount - 1}" : "1",
        };
        var batchRows = new Option<int>("--batch-rows") { Description = "Pipeline batch size (max rows).", DefaultValueFactory = _ => new Detector.Streams.Pipeline.PipelineOptions().BatchMaxRows };
        var pipelineCommand = new Command("pipeline", "In-process pipeline throughput against the model's own batch-256 throughput, and p99 latency at half the maximum rate.\n\nExample:\n  ./detector bench pipeline --records 1000000")
        {
            records, pipelineThreads, batchRows, pipelineEngine,
        };
        pipelineCommand.SetAction(async (r, ct) =>
        {
            var engine = r.GetValue(pipelineEngine) == Detector.Models.Engines.ModelEngine.Torch ? Detector.Models.Torch.TorchEngine.Register() : null;
            // 0 marks a count that is not a whole number >= 1.
            var counts = Split(r.GetValue(pipelineThreads)!).Select(c => int.TryParse(c, out var n) && n >= 1 ? n : 0).ToArray();
            if (counts.Length == 0 || counts.Contains(0))
            {
                Console.Error.WriteLine($"bench pipeline: --threads '{r.GetValue(pipelineThreads)}' is invalid; allowed: comma-separated whole numbers >= 1");
                return 2;
            }
            foreach (var actors in counts)
            {
                await BenchPipeline.RunAsync(r.GetValue(records), actors, r.GetValue(batchRows), Console.Out, ct, engine);
            }
            return 0;
        });
        var thresholdsCommand = new Command("thresholds", "Cost of one threshold evaluation (ns), global and per entity, for several window sizes.\n\nExample:\n  ./detector bench thresholds");
        thresholdsCommand.SetAction(_ =>
        {
            Detector.Streams.Thresholds.ThresholdBenchmark.Run(Console.Out);
            return 0;
        });
        var decodeCommand = new Command("decode", "Cost of decoding one JSON record (ns) of each embedded generator: the flat path against the reader alone.\n\nExample:\n  ./detector bench decode");
        decodeCommand.SetAction(_ =>
        {
            Detector.Streams.Decoding.DecodeBenchmark.Run(Console.Out);
            return 0;
        });
        var kafkaRecords = new Option<long>("--records") { Description = "Card records loaded into the mock cluster and read by every case.", DefaultValueFactory = _ => 500_000 };
        var kafkaPartitions = new Option<int>("--partitions") { Description = "Input partitions (the mock cluster keeps ~5 MiB per partition: enough partitions keep every record).", DefaultValueFactory = _ => 64 };
        var python = new Option<string>("--python") { Description = "Interpreter for the reference pipeline; 'none' skips it.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var script = new Option<string>("--reference") { Description = "The reference pipeline script.", DefaultValueFactory = _ => "../shared/bench/python_e2e.py" };
        var kafkaCases = new Option<string>("--cases") { Description = $"Comma-separated cases to run (default all): {string.Join(", ", BenchKafka.Cases)}." };
        var kafkaCommand = new Command("kafka", "On one mock Kafka cluster holding the same card records: the client's consume-only ceiling, Detector end to end with one node " +
            "(Kafka → score → alerts topic), and the confluent-kafka + PyTorch reference pipeline.\n\nExamples:\n  ./detector bench kafka\n  ./detector bench kafka --records 1000000 --partitions 256")
        {
            kafkaRecords, kafkaPartitions, python, script, kafkaCases,
        };
        kafkaCommand.SetAction((r, ct) => BenchKafka.RunAsync(r.GetValue(kafkaRecords), r.GetValue(kafkaPartitions),
            r.GetValue(python) is "none" ? null : r.GetValue(python), r.GetValue(script)!, Console.Out, ct,
            r.GetValue(kafkaCases) is { } cases ? Split(cases) : null));
        var clusterCommand = new Command("cluster", "A mock Kafka cluster and 3 (then 2) `detector run` processes on loopback: model propagation " +
            "(published → installed on every node) and trainer takeover after kill -9 of its node.\n\nExample:\n  ./detector bench cluster");
        clusterCommand.SetAction((_, ct) => BenchCluster.RunAsync(Console.Out, ct));
        return new Command("bench", "Benchmarks; each prints one JSON line per case.") { modelsCommand, pipelineCommand, thresholdsCommand, decodeCommand, kafkaCommand, clusterCommand };
    }

    private static string[] Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
