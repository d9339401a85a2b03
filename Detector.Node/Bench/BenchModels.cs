using System.Diagnostics;
using System.Text.Json;
using Detector.Models.Devices;
using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Training;

namespace Detector.Node.Bench;

/// <summary>
/// `detector bench models`: the model engine's throughput on the cases of ../shared/bench/torch_reference.py, one JSON
/// line per case. Inference at T threads runs T scorers, each on its own batches (how model actors run); training at
/// T threads splits every step into T data-parallel shards. Scorers work in chunks of at most 512 rows (activations
/// stay in cache; a larger batch is chunked by the scoring API). Each figure is the median of 5 samples of ≥ 0.5 s.
/// On a CUDA device (<c>--device cuda:N</c>) each scorer gets its own <see cref="CudaKernels"/> (its own stream, as
/// a GPU-pinned model actor does) and the lines are labelled <c>detector-cuda:N/mode</c>. With <c>--engine Torch</c>
/// the same cases run on LibTorch 2.10 through TorchSharp (one intra-op thread per scorer) and are labelled
/// <c>torchsharp</c>: the in-process anchor beside the Python PyTorch reference.
/// </summary>
public static class BenchModels
{
    /// <summary>Model names and their widths (input, hidden…, code).</summary>
    public static readonly IReadOnlyDictionary<string, (ModelKind Kind, int[] Widths)> Cases = new Dictionary<string, (ModelKind, int[])>
    {
        ["ae30"] = (ModelKind.Autoencoder, [30, 64, 32, 8]),
        ["vae30"] = (ModelKind.VariationalAutoencoder, [30, 64, 32, 8]),
        ["ae2048"] = (ModelKind.Autoencoder, [2048, 512, 128, 32]),
        ["vae2048"] = (ModelKind.VariationalAutoencoder, [2048, 512, 128, 32]),
        ["tabular30"] = (ModelKind.VariationalAutoencoder, [30, 64, 32, 8]),
        ["tabular30x1"] = (ModelKind.VariationalAutoencoder, [30, 64, 32, 8]),
    };

    /// <summary>Runs the selected cases and writes one JSON line each to output.</summary>
    public static void Run(IReadOnlyList<string> models, IReadOnlyList<string> modes, IReadOnlyList<int> batches,
        IReadOnlyList<int> threads, double sampleSeconds, LinearPath linear, TextWriter output, IModelEngine? engine = null)
    {
        var kernels = new CpuKernels(linear); // OpenBLAS pool of 1: all parallelism is ours (scorers per thread, shards per step)
        engine ??= NativeEngine.Instance;
        Run(models, modes, batches, threads, sampleSeconds, () => kernels, engine.Kind == ModelEngine.Torch ? "torchsharp" : "detector", output, engine);
    }

    /// <summary>
    /// Runs the selected cases on CUDA device <paramref name="device"/> with <paramref name="mathMode"/> GEMMs; throws a
    /// <see cref="CudaException"/> naming what is missing when the device cannot be used.
    /// </summary>
    public static void RunOnGpu(IReadOnlyList<string> models, IReadOnlyList<string> modes, IReadOnlyList<int> batches,
        IReadOnlyList<int> threads, double sampleSeconds, DeviceSpec device, CudaMathMode mathMode, TextWriter output)
    {
        var created = new List<CudaKernels>();
        try
        {
            CudaKernels Create()
            {
                var k = new CudaKernels(device.Ordinal, mathMode);
                created.Add(k);
                return k;
            }
            var label = $"detector-{Create().Name}";
            Run(models, modes, batches, threads, sampleSeconds, Create, label, output);
        }
        finally
        {
            created.ForEach(k => k.Dispose());
        }
    }

    private static void Run(IReadOnlyList<string> models, IReadOnlyList<string> modes, IReadOnlyList<int> batches,
        IReadOnlyList<int> threads, double sampleSeconds, Func<IKernels<float>> kernels, string label, TextWriter output, IModelEngine? engine = null)
    {
        engine ??= NativeEngine.Instance;
        foreach (var name in models)
        {
            if (!Cases.TryGetValue(name, out var spec))
            {
                throw new ArgumentException($"unknown model '{name}'; allowed: {string.Join(", ", Cases.Keys)}");
            }
            var options = OptionsFor(name);
            var d = spec.Widths[0];
            foreach (var mode in modes)
            {
                foreach (var t in threads)
                {
                    if (mode == "infer")
                    {
                        foreach (var b in batches)
                        {
                            Emit(output, label, name, mode, b, t, Infer(kernels, options, d, b, t, sampleSeconds, engine));
                        }
                    }
                    else if (mode == "train")
                    {
                        Emit(output, label, name, mode, 256, t, Train(kernels(), options, d, t, sampleSeconds, engine));
                    }
                    else
                    {
                        throw new ArgumentException($"unknown mode '{mode}'; allowed: infer, train");
                    }
                }
            }
        }
    }

    private static void Emit(TextWriter output, string label, string model, string mode, int batch, int threads, double rps)
    {
        output.WriteLine(JsonSerializer.Serialize(new BenchLine(label, model, mode, batch, threads, Math.Round(rps)), BenchJson.Default.BenchLine));
        output.Flush();
    }

    /// <summary>
    /// Options of a named bench model: ReLU everywhere, as the PyTorch reference; tabular30 is the Tabular preset on 30
    /// features (5 VAEs, negative ELBO over 8 samples) and tabular30x1 one of its members alone.
    /// </summary>
    internal static ModelOptions OptionsFor(string name)
    {
        var spec = Cases[name];
        if (name.StartsWith("tabular", StringComparison.Ordinal))
        {
            return name.EndsWith("x1", StringComparison.Ordinal) ? ModelPresets.Tabular with { Members = 1 } : ModelPresets.Tabular;
        }
        return new ModelOptions
        {
            Kind = spec.Kind, HiddenSizes = spec.Widths[1..^1], CodeSize = spec.Widths[^1],
            HiddenActivation = Activation.Relu, CodeActivation = Activation.Relu,
        };
    }

    private static ModelSnapshot Snapshot(ModelOptions options, int d)
    {
        var rng = new Rng(0);
        var net = ReconstructionNetwork<float>.FromOptions(options, d, ref rng);
        var meta = new TrainingMetadata(0, 0, 0, 0, 0, DateTimeOffset.UtcNow, 0, 1, [], []);
        return new ModelSnapshot("bench", 1, FeatureSchema.Numbered(d), FeatureScaler.Identity(d), net, meta);
    }

    /// <summary>Records/s of <paramref name="threads"/> scorers, each with kernels from <paramref name="kernels"/>.</summary>
    internal static double Infer(Func<IKernels<float>> kernels, ModelOptions options, int d, int batch, int threads, double sampleSeconds,
        IModelEngine? engine = null)
    {
        var model = Snapshot(options, d).OnEngine(engine ?? NativeEngine.Instance);
        var rows = d <= 64 ? 65_536 : 8_192;
        var (data, _) = new ManifoldData(d, seed: 1).Generate(rows, 0, seed: 1);
        var perBatch = rows / batch;
        var workers = Enumerable.Range(0, threads).Select(w => (Scorer: model.CreateScorer(kernels(), maxBatch: Math.Min(batch, 512)), Scores: new float[batch], Next: w)).ToArray();
        void Work(int w, int iterations)
        {
            var (scorer, scores, next) = workers[w];
            for (var i = 0; i < iterations; i++)
            {
                var k = (next + i * threads) % perBatch;
                scorer.Score(data.AsSpan(k * batch * d, batch * d), batch, scores, []);
            }
        }
        return Measure(iterations =>
        {
            if (threads == 1)
            {
                Work(0, iterations);
            }
            else
            {
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, w => Work(w, iterations));
            }
        }, batch * threads, sampleSeconds);
    }

    private static double Train(IKernels<float> kernels, ModelOptions options, int d, int threads, double sampleSeconds, IModelEngine engine)
    {
        var rows = d <= 64 ? 200_000 : 20_000;
        var (data, _) = new ManifoldData(d, seed: 2).Generate(rows, 0, seed: 2);
        var rng = new Rng(0);
        var net = engine.Adopt(ReconstructionNetwork<float>.FromOptions(options, d, ref rng));
        var run = new TrainingRun(kernels, net, new TrainingOptions { BatchSize = 256, Threads = threads, GradientClipNorm = 0 }, d);
        var order = Enumerable.Range(0, rows).ToArray();
        rng.Shuffle(order);
        var offset = 0;
        return Measure(steps =>
        {
            for (var s = 0; s < steps; s++)
            {
                if (offset + 256 > rows)
                {
                    offset = 0;
                }
                run.Epoch(data, order.AsSpan(offset, 256), ref rng);
                offset += 256;
            }
        }, 256, sampleSeconds);
    }

    /// <summary>Records/s of work(n) (n iterations of recordsPerIteration): median of 5 samples of ≥ sampleSeconds.</summary>
    private static double Measure(Action<int> work, int recordsPerIteration, double sampleSeconds)
    {
        for (var i = 0; i < 3; i++)
        {
            work(1);
        }
        var n = 1;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            work(n);
            var dt = sw.Elapsed.TotalSeconds;
            if (dt >= sampleSeconds)
            {
                break;
            }
            n = Math.Max(2 * n, (int)(n * 1.1 * sampleSeconds / Math.Max(dt, 1e-9)));
        }
        var samples = new double[5];
        for (var i = 0; i < samples.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            work(n);
            samples[i] = (double)n * recordsPerIteration / sw.Elapsed.TotalSeconds;
        }
        Array.Sort(samples);
        return samples[2];
    }
}
