using System.Collections;
using Detector.Models.Networks;
using Detector.Models.Validation;
using Microsoft.Extensions.Configuration;

namespace Detector.Node.Configuration;

/// <summary>
/// Loads a node's configuration from its three sources, later ones winning: the JSON file (appsettings.json in the
/// working directory when present, or the file named by --config), <c>DETECTOR__Section__Key</c> environment
/// variables, then flags. Binds strictly onto <see cref="NodeOptions"/> and validates; every failure is an
/// <see cref="InvalidOptionException"/> naming the key, the value and what is allowed.
/// </summary>
public static class NodeConfiguration
{
    /// <summary>Prefix of the environment variables read (double underscore separates sections).</summary>
    public const string EnvironmentPrefix = "DETECTOR__";

    /// <summary>The file read when no --config is given (optional).</summary>
    public const string DefaultFile = "appsettings.json";

    /// <summary>Builds, binds and validates the options.</summary>
    /// <param name="configFile">The JSON file named by --config (must exist), or null for an optional appsettings.json.</param>
    /// <param name="environment">Environment variables (null: the process's).</param>
    /// <param name="flags">Overrides from flags, as configuration keys (<c>Node:HttpPort</c>) and values.</param>
    public static NodeOptions Load(string? configFile, IDictionary? environment = null, IEnumerable<KeyValuePair<string, string?>>? flags = null)
    {
        var configuration = Build(configFile, environment, flags);
        return EngineSetup.Prepare(WithPreset(OptionsBinder.Bind<NodeOptions>(configuration), configuration).Validate());
    }

    /// <summary>
    /// Pipeline:Retraining:Model:Preset applied: the retraining model and training start from the preset and the keys
    /// configured beside it refine them; a windowed kind without a window takes the Telemetry preset's, with a warning.
    /// </summary>
    private static NodeOptions WithPreset(NodeOptions options, IConfiguration configuration)
    {
        var retraining = options.Pipeline.Retraining;
        var (model, training) = (retraining.Model, retraining.Training);
        if (model.Preset != ModelPreset.None && Enum.IsDefined(model.Preset))
        {
            var (presetModel, presetTraining) = ModelPresets.For(model.Preset);
            model = OptionsBinder.BindOnto(presetModel with { }, configuration.GetSection("Pipeline:Retraining:Model"));
            training = OptionsBinder.BindOnto(presetTraining with { }, configuration.GetSection("Pipeline:Retraining:Training"));
        }
        model = ModelPresets.WithDefaultWindow(model, out var warning);
        if (warning is not null)
        {
            Console.Error.WriteLine($"warning: Pipeline:Retraining:Model: {warning}");
        }
        return options with { Pipeline = options.Pipeline with { Retraining = retraining with { Model = model, Training = training } } };
    }

    /// <summary>The layered configuration, unbound (for commands that read a part of it).</summary>
    public static IConfiguration Build(string? configFile, IDictionary? environment = null, IEnumerable<KeyValuePair<string, string?>>? flags = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            OptionCheck.Require(File.Exists(configFile), "--config", configFile, "an existing JSON file");
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        else if (File.Exists(DefaultFile))
        {
            builder.AddJsonFile(Path.GetFullPath(DefaultFile), optional: false);
        }
        builder.AddInMemoryCollection(FromEnvironment(environment ?? Environment.GetEnvironmentVariables()));
        builder.AddInMemoryCollection(flags ?? []);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            var cause = e.GetBaseException();
            throw new InvalidOptionException("--config", configFile ?? DefaultFile, $"a JSON object ({cause.Message})");
        }
    }

    /// <summary>Configuration keys from <c>DETECTOR__A__B=value</c> variables: <c>A:B</c>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > EnvironmentPrefix.Length)
            {
                yield return new(name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), entry.Value as string);
            }
        }
    }

    /// <summary>Parses repeated <c>--set Key=Value</c> flags into configuration pairs.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> FromAssignments(IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        foreach (var assignment in assignments)
        {
            var at = assignment.IndexOf('=', StringComparison.Ordinal);
            OptionCheck.Require(at > 0, "--set", assignment, "Section:Key=value, e.g. Pipeline:BatchMaxRows=512");
            yield return new(assignment[..at].Trim().Replace("__", ":", StringComparison.Ordinal), assignment[(at + 1)..]);
        }
    }
}
