using System.Text.Json;
using System.Text.Json.Serialization;
using Detector.Models.Networks;
using Detector.Models.Training;
using Detector.Streams.Thresholds;

namespace Detector.Node.Evaluation;

/// <summary>
/// Everything `detector evaluate` needs besides the data: the model architecture, its training, the pipeline's
/// thresholds and the evaluation protocol. Read from a JSON file (sections Model, Training, Thresholds, Evaluation, with
/// the property names of <see cref="ModelOptions"/>, <see cref="TrainingOptions"/>, <see cref="ThresholdOptions"/> and
/// <see cref="EvaluationOptions"/>; enums by name); a key the types do not have is an error, not ignored.
/// </summary>
public sealed record EvaluationConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Architecture (dense AE by default; a windowed kind reads windows of WindowSteps records).</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Training of the first model (one thread: evaluation shares the machine).</summary>
    public TrainingOptions Training { get; init; } = new() { Threads = 1 };

    /// <summary>The pipeline's rolling thresholds.</summary>
    public ThresholdOptions Thresholds { get; init; } = new() { Percentile = 99, WindowSize = 10_000, WarmUp = 1_000 };

    /// <summary>The evaluation protocol.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>Reads a configuration file; throws <see cref="ArgumentException"/> naming the file and the problem.</summary>
    public static EvaluationConfig Load(string path)
    {
        try
        {
            var config = JsonSerializer.Deserialize<EvaluationConfig>(File.ReadAllText(path), Json)
                ?? throw new ArgumentException($"configuration '{path}' is empty");
            return config.Validate();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"configuration '{path}': {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new ArgumentException($"configuration '{path}' does not exist", e);
        }
    }

    /// <summary>Validates every section; returns this.</summary>
    public EvaluationConfig Validate()
    {
        Model.Validate();
        Training.Validate();
        Thresholds.Validate();
        Evaluation.Validate();
        return this;
    }
}
