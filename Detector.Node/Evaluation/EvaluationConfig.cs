using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Detector.Models.Networks;
using Detector.Models.Training;
using Detector.Streams.Thresholds;

namespace Detector.Node.Evaluation;

/// <summary>
/// Everything `detector evaluate` needs besides the data: the model architecture, its training, the pipeline's
/// thresholds and the evaluation protocol. Read from a JSON file (sections Model, Training, Thresholds, Evaluation, with
/// the property names of <see cref="ModelOptions"/>, <see cref="TrainingOptions"/>, <see cref="ThresholdOptions"/> and
/// <see cref="EvaluationOptions"/>; enums by name); a key the types do not have is an error, not ignored. A preset
/// (Model:Preset, or --preset) is the starting point of the Model and Training sections: the keys they set refine it.
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

    /// <summary>How a preset's options are written out to be overlaid (computed properties such as IsWindowed left out).</summary>
    private static readonly JsonSerializerOptions PresetJson = new(Json) { IgnoreReadOnlyProperties = true };

    /// <summary>Architecture (dense AE by default; a windowed kind reads windows of WindowSteps records).</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Training of the first model (one thread: evaluation shares the machine).</summary>
    public TrainingOptions Training { get; init; } = new() { Threads = 1 };

    /// <summary>The pipeline's rolling thresholds.</summary>
    public ThresholdOptions Thresholds { get; init; } = new() { Percentile = 99, WindowSize = 10_000, WarmUp = 1_000 };

    /// <summary>The evaluation protocol.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>
    /// Reads a configuration file (none: the defaults) with the preset named in it or by <paramref name="preset"/>
    /// (which wins) applied; throws <see cref="ArgumentException"/> naming the file and the problem.
    /// </summary>
    public static EvaluationConfig Load(string? path, ModelPreset? preset = null)
    {
        try
        {
            var root = path is null ? new JsonObject()
                : JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new ArgumentException($"configuration '{path}' is not a JSON object");
            var named = Section(root, nameof(Model))?.FirstOrDefault(p => string.Equals(p.Key, nameof(ModelOptions.Preset), StringComparison.OrdinalIgnoreCase)).Value;
            var chosen = preset ?? (named is null ? ModelPreset.None : named.Deserialize<ModelPreset>(Json));
            if (chosen != ModelPreset.None)
            {
                var (model, training) = ModelPresets.For(chosen);
                root[nameof(Model)] = Overlay(JsonSerializer.SerializeToNode(model with { Preset = chosen }, PresetJson)!.AsObject(), Section(root, nameof(Model)));
                root[nameof(Training)] = Overlay(JsonSerializer.SerializeToNode(training with { Threads = 1 }, PresetJson)!.AsObject(), Section(root, nameof(Training)));
            }
            var config = root.Deserialize<EvaluationConfig>(Json) ?? new EvaluationConfig();
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

    /// <summary>The object under a top-level key (matched case-insensitively), or null.</summary>
    private static JsonObject? Section(JsonObject root, string name) =>
        root.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value as JsonObject;

    /// <summary>The preset's values with the configured keys written over them (keys matched case-insensitively).</summary>
    private static JsonObject Overlay(JsonObject preset, JsonObject? configured)
    {
        foreach (var (key, value) in configured ?? [])
        {
            var existing = preset.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Key;
            if (existing is not null)
            {
                preset.Remove(existing);
            }
            preset[key] = value?.DeepClone();
        }
        return preset;
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
