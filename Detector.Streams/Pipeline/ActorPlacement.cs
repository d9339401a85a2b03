using Detector.Models.Devices;
using Detector.Models.Kernels;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Gives each model actor the kernels of its device: plans with <see cref="DevicePlacement"/>, logs each note once
/// (a fallback as a warning, the resolution of <c>auto</c> as information), and builds one GPU backend per GPU actor.
/// A GPU backend that fails to start (a missing cuBLAS or NVRTC, a driver error) sends that actor to the CPU with a
/// warning; nothing here throws for a missing or broken GPU.
/// </summary>
internal static class ActorPlacement
{
    /// <summary>Kernels and reported device of each of the options' model actors.</summary>
    public static (IKernels<float>[] Kernels, ActorDevice[] Devices) Place(PipelineOptions options, IKernels<float> cpu,
        DeviceBackends backends, ILogger logger)
    {
        var actors = options.EffectiveModelActors;
        var plan = DevicePlacement.Plan(options.DeviceSpecs, actors, backends.Probe);
        foreach (var note in plan.Notes)
        {
            logger.Log(note.IsWarning ? LogLevel.Warning : LogLevel.Information, "{Placement}", note.Message);
        }
        var kernels = new IKernels<float>[actors];
        var devices = new ActorDevice[actors];
        var failed = new Dictionary<DeviceSpec, (string Reason, List<string> Actors)>();
        for (var k = 0; k < actors; k++)
        {
            var device = plan.Actors[k];
            kernels[k] = cpu;
            if (device.IsCuda)
            {
                if (failed.TryGetValue(device, out var failure))
                {
                    failure.Actors.Add($"model-{k}");
                }
                else if (TryCreate(backends, device, out var reason) is { } gpu)
                {
                    kernels[k] = gpu;
                }
                else
                {
                    failed[device] = (reason, [$"model-{k}"]);
                }
            }
            var held = ReferenceEquals(kernels[k], cpu) ? DeviceSpec.Cpu : device;
            devices[k] = new ActorDevice($"model-{k}", held.ToString(), kernels[k].Name);
        }
        foreach (var (device, (reason, names)) in failed)
        {
            logger.LogWarning("device {Device} could not start ({Reason}): model actor(s) {Actors} run on the cpu instead",
                device.ToString(), reason, string.Join(", ", names));
        }
        return (kernels, devices);
    }

    /// <summary>The trainer's kernels: <paramref name="cpu"/>, or a GPU's when <see cref="PipelineOptions.TrainerDevice"/> names one that starts.</summary>
    public static (IKernels<float> Kernels, string Device) ForTrainer(PipelineOptions options, IKernels<float> cpu, DeviceBackends backends, ILogger logger)
    {
        var device = DeviceSpec.Parse(options.TrainerDevice);
        if (!device.IsCuda)
        {
            return (cpu, "cpu");
        }
        var inventory = backends.Probe.Probe();
        if (!inventory.Has(device.Ordinal))
        {
            logger.LogWarning("trainer device {Device} is not present ({Inventory}): the trainer runs on the cpu instead", device.ToString(), inventory.Describe());
            return (cpu, "cpu");
        }
        if (TryCreate(backends, device, out var reason) is { } gpu)
        {
            return (gpu, device.ToString());
        }
        logger.LogWarning("trainer device {Device} could not start ({Reason}): the trainer runs on the cpu instead", device.ToString(), reason);
        return (cpu, "cpu");
    }

    private static IKernels<float>? TryCreate(DeviceBackends backends, DeviceSpec device, out string reason)
    {
        reason = "";
        try
        {
            return backends.CreateGpuKernels(device);
        }
#pragma warning disable CA1031 // A GPU that cannot start must not stop the node: the actor runs on the CPU, and the reason is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            reason = e.Message;
            return null;
        }
    }
}
