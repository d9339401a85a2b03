using Detector.Models.Devices;
using Detector.Models.Validation;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;

namespace Detector.Streams.Pipeline;

/// <summary>How a node's pipeline batches, routes, judges and retrains.</summary>
public sealed record PipelineOptions
{
    /// <summary>A batch is sealed at this many rows…</summary>
    public int BatchMaxRows { get; init; } = 256;

    /// <summary>…or this long after its first row arrived, whichever comes first.</summary>
    public TimeSpan BatchMaxWait { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Model actors (each on the pinned dispatcher: a thread of its own); 0 means one per core.</summary>
    public int ModelActors { get; init; }

    /// <summary>
    /// Devices the model actors are pinned to: actor k runs on <c>Devices[k % Devices.Count]</c>. Each entry is
    /// <c>cpu</c> or <c>cuda:N</c>; <c>auto</c> (alone, the default) means every CUDA device present, else the CPU. A
    /// <c>cuda:N</c> that is not present falls back to the CPU with a warning.
    /// </summary>
    public IReadOnlyList<string> Devices { get; init; } = ["auto"];

    /// <summary>
    /// Where the trainer runs: <c>cpu</c> (the default: training is occasional, and the CPU's data-parallel shards
    /// keep it bit-for-bit reproducible) or <c>cuda:N</c>. A GPU that is not present falls back to the CPU with a warning.
    /// </summary>
    public string TrainerDevice { get; init; } = "cpu";

    /// <summary>
    /// The in-flight bound of the scoring stage: batches asked of the model actors at once (the stream's
    /// <c>SelectAsync</c> parallelism; when they are all busy the stream stops pulling and backpressure reaches the
    /// source). 0 means 4 per model actor. With <see cref="MaxPendingWrites"/> it bounds the records in flight
    /// (<see cref="MaxRecordsInFlight"/>).
    /// </summary>
    public int MaxBatchesInFlight { get; init; }

    /// <summary>A model actor that fails is restarted after this backoff, doubled at each failure in a row…</summary>
    public TimeSpan ModelRestartBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>…up to this one.</summary>
    public TimeSpan ModelRestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Restarts within a minute past which a failing model actor is stopped, and the run fails with its last failure.</summary>
    public int ModelMaxRestarts { get; init; } = 10;

    /// <summary>Sink writes awaiting confirmation at once before the stage waits: alert publishes (batches), and dead letters (records).</summary>
    public int MaxPendingWrites { get; init; } = 256;

    /// <summary>Features named in each alert.</summary>
    public int TopFeatures { get; init; } = 3;

    /// <summary>
    /// Rolling thresholds. The pipeline's default global window is the sketch with 0.1% relative error (a per-record
    /// cost independent of the window size); set RelativeError = 0 for the exact window.
    /// </summary>
    public ThresholdOptions Thresholds { get; init; } = new() { RelativeError = 0.001 };

    /// <summary>Trainer and hot-swap.</summary>
    public RetrainingOptions Retraining { get; init; } = new();

    /// <summary>Batches asked of the model actors at once (<see cref="MaxBatchesInFlight"/> resolved).</summary>
    public int EffectiveMaxBatchesInFlight => MaxBatchesInFlight > 0 ? MaxBatchesInFlight : 4 * EffectiveModelActors;

    /// <summary>
    /// The most records the pipeline holds read but not acknowledged, for a source that reads chunks of at most
    /// <paramref name="chunkRecords"/> records: a chunk being admitted and one being batched, the open batch, the rows
    /// held for the first model, the batches being scored, judged and published (each stage boundary holds at most
    /// one more), and the dead letters awaiting confirmation.
    /// </summary>
    public long MaxRecordsInFlight(int chunkRecords) =>
        2L * chunkRecords + Retraining.WarmUpRows + MaxPendingWrites
        + (long)(EffectiveMaxBatchesInFlight + MaxPendingWrites + 4) * BatchMaxRows;

    /// <summary>Model actors actually used.</summary>
    public int EffectiveModelActors => ModelActors > 0 ? ModelActors : Environment.ProcessorCount;

    /// <summary>The parsed <see cref="Devices"/> (call after <see cref="Validate"/>).</summary>
    public IReadOnlyList<DeviceSpec> DeviceSpecs => Devices.Select(DeviceSpec.Parse).ToArray();

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public PipelineOptions Validate()
    {
        Check(BatchMaxRows is >= 1 and <= 65_536, nameof(BatchMaxRows), BatchMaxRows, "[1, 65536]");
        Check(BatchMaxWait > TimeSpan.Zero, nameof(BatchMaxWait), BatchMaxWait, "> 0");
        Check(ModelActors is >= 0 and <= 1024, nameof(ModelActors), ModelActors, "[0, 1024] (0 = one per core)");
        ValidateDevices();
        Check(MaxBatchesInFlight is >= 0 and <= 65_536, nameof(MaxBatchesInFlight), MaxBatchesInFlight, "[0, 65536] (0 = 4 per model actor)");
        Check(ModelRestartBackoff > TimeSpan.Zero, nameof(ModelRestartBackoff), ModelRestartBackoff, "> 0");
        Check(ModelRestartMaxBackoff >= ModelRestartBackoff, nameof(ModelRestartMaxBackoff), ModelRestartMaxBackoff, $">= {nameof(ModelRestartBackoff)} ({ModelRestartBackoff})");
        Check(ModelMaxRestarts >= 0, nameof(ModelMaxRestarts), ModelMaxRestarts, ">= 0");
        Check(MaxPendingWrites >= 1, nameof(MaxPendingWrites), MaxPendingWrites, ">= 1");
        Check(TopFeatures >= 0, nameof(TopFeatures), TopFeatures, ">= 0");
        OptionCheck.Section(nameof(Thresholds), () => Thresholds.Validate());
        OptionCheck.Section(nameof(Retraining), () => Retraining.Validate());
        return this;
    }

    private void ValidateDevices()
    {
        Check(Devices is { Count: > 0 }, nameof(Devices), Devices, $"a non-empty list of {DeviceSpec.AllowedForms}");
        for (var i = 0; i < Devices.Count; i++)
        {
            Check(DeviceSpec.TryParse(Devices[i], out _), $"{nameof(Devices)}:{i}", Devices[i], DeviceSpec.AllowedForms);
        }
        Check(Devices.Count == 1 || !Devices.Any(d => DeviceSpec.Parse(d).Kind == DeviceKind.Auto), nameof(Devices), Devices,
            "'auto' alone, or a list of 'cpu' and 'cuda:N'");
        Check(DeviceSpec.TryParse(TrainerDevice, out var trainer) && trainer.Kind != DeviceKind.Auto, nameof(TrainerDevice), TrainerDevice,
            "'cpu' or 'cuda:N' (N = 0, 1, …)");
    }

    private static void Check(bool ok, string key, object value, string allowed) => OptionCheck.Require(ok, key, value, allowed);
}
