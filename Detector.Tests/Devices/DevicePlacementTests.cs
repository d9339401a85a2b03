using Detector.Models.Devices;
using Xunit;

namespace Detector.Tests.Devices;

/// <summary>Actor k runs on devices[k % n] after auto is resolved; a missing GPU sends its actors to the CPU with one warning.</summary>
public sealed class DevicePlacementTests
{
    private static DeviceSpec[] Specs(params string[] names) => names.Select(DeviceSpec.Parse).ToArray();

    private static string[] Names(DevicePlan plan) => plan.Actors.Select(d => d.ToString()).ToArray();

    [Fact]
    public void Plan_AutoWithTwoGpus_SpreadsActorsRoundRobinOverEveryGpu()
    {
        var plan = DevicePlacement.Plan(Specs("auto"), 5, FakeDeviceProbe.WithGpus(2));

        Assert.Equal(["cuda:0", "cuda:1", "cuda:0", "cuda:1", "cuda:0"], Names(plan));
        var note = Assert.Single(plan.Notes);
        Assert.False(note.IsWarning);
        Assert.Contains("cuda:0 fake-gpu-0, cuda:1 fake-gpu-1", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AutoWithoutGpu_RunsEveryActorOnTheCpuWithOneLineGivingTheReason()
    {
        var plan = DevicePlacement.Plan(Specs("auto"), 3, FakeDeviceProbe.WithGpus(0));

        Assert.Equal(["cpu", "cpu", "cpu"], Names(plan));
        var note = Assert.Single(plan.Notes);
        Assert.False(note.IsWarning);
        Assert.Contains("no CUDA device (fake: no GPU)", note.Message, StringComparison.Ordinal);
        Assert.Contains("run on the cpu", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ListedDevices_ActorKGetsDeviceKModuloCount()
    {
        var plan = DevicePlacement.Plan(Specs("cuda:1", "cpu", "cuda:0"), 7, FakeDeviceProbe.WithGpus(2));

        Assert.Equal(["cuda:1", "cpu", "cuda:0", "cuda:1", "cpu", "cuda:0", "cuda:1"], Names(plan));
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void Plan_MissingGpu_FallsBackToCpuWithOneWarningNamingDeviceReasonAndActors()
    {
        var plan = DevicePlacement.Plan(Specs("cuda:0", "cuda:3"), 5, FakeDeviceProbe.WithGpus(1));

        Assert.Equal(["cuda:0", "cpu", "cuda:0", "cpu", "cuda:0"], Names(plan));
        var warning = Assert.Single(plan.Notes);
        Assert.True(warning.IsWarning);
        Assert.Equal("device cuda:3 is not present (1 CUDA device(s): cuda:0 fake-gpu-0): model actor(s) model-1, model-3 run on the cpu instead",
            warning.Message);
    }

    [Fact]
    public void Plan_GpuNamedOnMachineWithoutCuda_NeverThrowsAndWarnsWithTheProbeReason()
    {
        var plan = DevicePlacement.Plan(Specs("cuda:0"), 2, FakeDeviceProbe.WithGpus(0));

        Assert.Equal(["cpu", "cpu"], Names(plan));
        Assert.Contains("no CUDA device (fake: no GPU)", Assert.Single(plan.Notes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OnlyCpu_NeverProbes()
    {
        var probe = FakeDeviceProbe.WithGpus(2);

        var plan = DevicePlacement.Plan(Specs("cpu"), 3, probe);

        Assert.Equal(["cpu", "cpu", "cpu"], Names(plan));
        Assert.Empty(plan.Notes);
        Assert.Equal(0, probe.Calls);
    }
}
