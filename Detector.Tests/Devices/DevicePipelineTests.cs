using System.Text.Json;
using Detector.Models.Devices;
using Detector.Models.Scoring;
using Detector.Models.Kernels.Cuda;
using Detector.Node.Hosting;
using Detector.Node.Http;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;
using Detector.Tests.Pipeline;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Detector.Tests.Devices;

/// <summary>
/// Model actors pinned to devices inside a real pipeline, with a fake probe and stand-in GPU kernels: the mapping,
/// the CPU fallback and its one log line, scoring on the actor's own kernels, and the device in /status and /metrics.
/// </summary>
public sealed class DevicePipelineTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private sealed class StandInFactory
    {
        public List<StandInGpuKernels> Created { get; } = [];

        public StandInGpuKernels Create(DeviceSpec device)
        {
            var kernels = new StandInGpuKernels($"stand-in-{device}");
            lock (Created)
            {
                Created.Add(kernels);
            }
            return kernels;
        }
    }

    private static PipelineOptions Options(int actors, params string[] devices) => new()
    {
        ModelActors = actors,
        Devices = devices,
        Retraining = new RetrainingOptions
        {
            WarmUpRows = 1_000, EveryRows = 0, ReservoirCapacity = 4_000, RecentCapacity = 1_000,
            Training = new Detector.Models.Training.TrainingOptions { Epochs = 2, Threads = 1 },
        },
    };

    private static DetectorPipeline Pipeline(PipelineOptions options, DeviceBackends devices, ILogger? logger = null)
    {
        var generator = RecordGenerators.Create("cards", 3);
        return new DetectorPipeline(options, RecordDecoder.Create(generator.Schema), new FeatureSchema(generator.Schema.Features.Select(f => f.Name)),
            new InMemoryAlertSink(), new InMemoryDeadLetterSink(), logger: logger, devices: devices);
    }

    private static string[] Mapping(DetectorPipeline pipeline) =>
        pipeline.ActorDevices.Select(a => $"{a.Actor}={a.Device}/{a.Kernels}").ToArray();

    [Fact]
    public async Task Constructor_ListWithMissingGpu_PinsActorKToDeviceKModNAndWarnsOnce()
    {
        var factory = new StandInFactory();
        var logger = new RecordingLogger();

        await using var pipeline = Pipeline(Options(4, "cuda:0", "cuda:2"), new DeviceBackends(FakeDeviceProbe.WithGpus(1), factory.Create), logger);

        Assert.Equal(["model-0=cuda:0/stand-in-cuda:0", "model-1=cpu/cpu", "model-2=cuda:0/stand-in-cuda:0", "model-3=cpu/cpu"], Mapping(pipeline));
        Assert.Equal(2, factory.Created.Count);
        Assert.NotSame(factory.Created[0], factory.Created[1]);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("device cuda:2 is not present", warning.Message, StringComparison.Ordinal);
        Assert.Contains("model-1, model-3 run on the cpu instead", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_GpuBackendFailsToStart_ActorsRunOnCpuWithOneWarning()
    {
        var logger = new RecordingLogger();
        var calls = 0;
        var backends = new DeviceBackends(FakeDeviceProbe.WithGpus(1), _ =>
        {
            calls++;
            throw new CudaException("cuBLAS (libcublas.so.12 or .11) was not found");
        });

        await using var pipeline = Pipeline(Options(3, "cuda:0"), backends, logger);

        Assert.Equal(["model-0=cpu/cpu", "model-1=cpu/cpu", "model-2=cpu/cpu"], Mapping(pipeline));
        Assert.Equal(1, calls);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("device cuda:0 could not start (cuBLAS", warning.Message, StringComparison.Ordinal);
        Assert.Contains("model-0, model-1, model-2 run on the cpu instead", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_AutoWithoutGpu_CpuWithOneInformationLineAndNoWarning()
    {
        var logger = new RecordingLogger();

        await using var pipeline = Pipeline(Options(2, "auto"), new DeviceBackends(FakeDeviceProbe.WithGpus(0), new StandInFactory().Create), logger);

        Assert.Equal(["model-0=cpu/cpu", "model-1=cpu/cpu"], Mapping(pipeline));
        var line = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("no CUDA device (fake: no GPU)", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_DefaultBackendsOnThisMachine_NeverThrows()
    {
        var logger = new RecordingLogger();

        await using var pipeline = Pipeline(Options(2, "cuda:0", "cpu"), DeviceBackends.Default, logger);

        Assert.Equal(2, pipeline.ActorDevices.Count);
        Assert.Equal("cpu", pipeline.ActorDevices[1].Device);
        if (CudaDeviceProbe.Instance.Probe().Gpus.Count == 0)
        {
            Assert.Equal("cpu", pipeline.ActorDevices[0].Device);
            Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        }
    }

    [Fact]
    public async Task Constructor_TrainerDeviceNotPresent_TrainerOnCpuWithOneWarning()
    {
        var logger = new RecordingLogger();
        var options = Options(1, "cpu") with { TrainerDevice = "cuda:3" };

        await using var pipeline = Pipeline(options, new DeviceBackends(FakeDeviceProbe.WithGpus(1), new StandInFactory().Create), logger);

        Assert.Equal("cpu", pipeline.TrainerDevice);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("trainer device cuda:3 is not present", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ActorAndTrainerPinnedToGpus_UseTheirOwnKernels_ReportedInStatusAndMetrics_DisposedWithPipeline()
    {
        var factory = new StandInFactory();
        var generator = RecordGenerators.Create("cards", 5);
        var payloads = Enumerable.Range(0, 3_000).Select(_ => generator.Next().Payload).ToList();
        var options = Options(2, "cuda:1", "cpu") with { TrainerDevice = "cuda:0" };
        var pipeline = Pipeline(options, new DeviceBackends(FakeDeviceProbe.WithGpus(2), factory.Create));
        try
        {
            await pipeline.RunAsync(new ListSource(payloads)).WaitAsync(HangGuard);

            var actorGpu = Assert.Single(factory.Created, k => k.Name == "stand-in-cuda:1");
            var trainerGpu = Assert.Single(factory.Created, k => k.Name == "stand-in-cuda:0");
            Assert.True(actorGpu.LinearCalls > 0, "the actor pinned to cuda:1 never used its own kernels");
            Assert.True(trainerGpu.LinearCalls > 0, "the trainer on cuda:0 never used its own kernels");
            Assert.Equal("cuda:0", pipeline.TrainerDevice);

            var status = JsonSerializer.SerializeToElement(NodeStatusReport.Status(new NodeState("devices-test") { Pipeline = pipeline }));
            var devices = status.GetProperty("devices").EnumerateArray()
                .Select(d => $"{d.GetProperty("actor").GetString()}={d.GetProperty("device").GetString()}/{d.GetProperty("kernels").GetString()}");
            Assert.Equal(["model-0=cuda:1/stand-in-cuda:1", "model-1=cpu/cpu"], devices);
            Assert.Equal("cuda:0", status.GetProperty("trainerDevice").GetString());

            var lines = Detector.Tests.Metrics.Scrape.Lines(pipeline.Metrics.Registry);
            Assert.Contains("# TYPE detector_model_actor_info gauge", lines);
            Assert.Contains("detector_model_actor_info{actor=\"model-0\",device=\"cuda:1\"} 1", lines);
            Assert.Contains("detector_model_actor_info{actor=\"model-1\",device=\"cpu\"} 1", lines);
        }
        finally
        {
            await pipeline.DisposeAsync();
        }
        Assert.All(factory.Created, k => Assert.True(k.Disposed, $"the pipeline did not dispose {k.Name}"));
    }
}
