using Detector.Models.Networks;
using Detector.Models.Validation;
using Detector.Node.Configuration;
using Detector.Streams.Decoding;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>appsettings.json, then DETECTOR__ variables, then flags; strict binding; every error names key, value and what is allowed.</summary>
public sealed class NodeConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Json(string text)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }

    private static Dictionary<string, string?> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value);

    private static KeyValuePair<string, string?>[] Flags(params (string Key, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)).ToArray();

    [Fact]
    public void Load_SameKeyInFileEnvironmentAndFlags_FlagWinsThenEnvironmentThenFile()
    {
        var file = Json("""{ "Pipeline": { "BatchMaxRows": 100, "TopFeatures": 4, "ModelActors": 2 } }""");
        var env = Env(("DETECTOR__Pipeline__BatchMaxRows", "200"), ("DETECTOR__Pipeline__TopFeatures", "5"), ("OTHER__Pipeline__ModelActors", "9"));

        var options = NodeConfiguration.Load(file, env, Flags(("Pipeline:BatchMaxRows", "300")));

        Assert.Equal(300, options.Pipeline.BatchMaxRows);
        Assert.Equal(5, options.Pipeline.TopFeatures);
        Assert.Equal(2, options.Pipeline.ModelActors);
    }

    [Fact]
    public void Load_NothingConfigured_KeepsEveryDefault()
    {
        var options = NodeConfiguration.Load(Json("{}"), Env());

        Assert.Equal(new NodeOptions().Pipeline.BatchMaxRows, options.Pipeline.BatchMaxRows);
        Assert.Equal([64, 32], options.Pipeline.Retraining.Model.HiddenSizes);
        Assert.Equal(0.001, options.Pipeline.Thresholds.RelativeError);
        Assert.Equal(8080, options.Node.HttpPort);
        Assert.Equal(SourceKind.Generator, options.Source.Kind);
    }

    [Fact]
    public void Load_ListConfigured_ReplacesTheDefaultList()
    {
        var file = Json("""{ "Pipeline": { "Retraining": { "Model": { "HiddenSizes": [16], "Kind": "variationalautoencoder" } } } }""");

        var model = NodeConfiguration.Load(file, Env()).Pipeline.Retraining.Model;

        Assert.Equal([16], model.HiddenSizes);
        Assert.Equal(ModelKind.VariationalAutoencoder, model.Kind);
    }

    [Fact]
    public void Load_SchemaWithPositionalFeatureRecords_BindsNameAndField()
    {
        var file = Json("""
            { "Source": { "Kind": "File", "Path": "PATH" },
              "Schema": { "Format": "Csv", "Features": [ { "Name": "a" }, { "Name": "b", "Field": "col_b" } ],
                          "CsvColumns": [ "entity", "timestamp", "a", "col_b" ], "CsvDelimiter": ";" } }
            """.Replace("PATH", Json("").Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal));

        var schema = NodeConfiguration.Load(file, Env()).EffectiveSchema;

        Assert.Equal(RecordFormat.Csv, schema.Format);
        Assert.Equal([new FeatureField("a"), new FeatureField("b", "col_b")], schema.Features);
        Assert.Equal(';', schema.CsvDelimiter);
    }

    [Theory]
    [InlineData("Pipeline:Bogus", "1", "Pipeline:Bogus", "a key of Pipeline: BatchMaxRows")]
    [InlineData("Pipeline:Thresholds:Percentile", "0", "Pipeline:Thresholds:Percentile", "(0, 100]")]
    [InlineData("Pipeline:Thresholds:Percentile", "high", "Pipeline:Thresholds:Percentile", "a number")]
    [InlineData("Pipeline:Retraining:Training:Epochs", "0", "Pipeline:Retraining:Training:Epochs", ">= 1")]
    [InlineData("Source:Kind", "socket", "Source:Kind", "Generator, File, Kafka")]
    [InlineData("Source:Kind", "3", "Source:Kind", "Generator, File, Kafka")]
    [InlineData("Node:HttpPort", "70000", "Node:HttpPort", "[0, 65535]")]
    [InlineData("Node:ShutdownTimeout", "soon", "Node:ShutdownTimeout", "a duration")]
    [InlineData("Node:LogFormat", "xml", "Node:LogFormat", "Text, Json")]
    [InlineData("Sinks:Alerts:Kind", "email", "Sinks:Alerts:Kind", "File, Stdout, Kafka")]
    [InlineData("Pipeline:Retraining:Model:HiddenSizes:x", "3", "Pipeline:Retraining:Model:HiddenSizes:x", "a list")]
    public void Load_InvalidSetting_ThrowsNamingKeyValueAndAllowed(string key, string value, string expectedKey, string allowed)
    {
        var error = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(Json("{}"), Env(), Flags((key, value))));

        Assert.Equal(expectedKey, error.Key);
        Assert.Contains(value, error.ShownValue, StringComparison.Ordinal);
        Assert.Contains(allowed, error.Allowed, StringComparison.Ordinal);
        Assert.StartsWith($"{expectedKey} = ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KafkaSourceWithoutBootstrapServers_NamesTheKafkaKey()
    {
        var error = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(Json("{}"), Env(("DETECTOR__Source__Kind", "Kafka"))));

        Assert.Equal("Kafka:BootstrapServers", error.Key);
        Assert.Contains("host:port", error.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KafkaSectionInvalidButUnused_IsNotValidated()
    {
        var options = NodeConfiguration.Load(Json("""{ "Kafka": { "GroupId": "" } }"""), Env());

        Assert.False(options.UsesKafka);
    }

    [Fact]
    public void Load_MissingConfigFile_NamesTheFlag()
    {
        var error = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(Path.Combine(_dir, "absent.json"), Env()));

        Assert.Equal("--config", error.Key);
    }

    [Fact]
    public void Load_MalformedJson_NamesTheFile()
    {
        var error = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(Json("{ \"Node\": "), Env()));

        Assert.Equal("--config", error.Key);
        Assert.Contains("JSON", error.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void FromAssignments_WithoutEquals_Throws() =>
        Assert.Throws<InvalidOptionException>(() => NodeConfiguration.FromAssignments(["Pipeline:BatchMaxRows"]).ToList());

    [Theory]
    [InlineData("config/fraud.json")]
    [InlineData("config/fleet.json")]
    public void Load_ShippedExampleConfiguration_BindsAndValidates(string relative)
    {
        var options = NodeConfiguration.Load(RepositoryFiles.PathOf(relative), Env());

        // The example's explicit schema decodes its dataset's generator records exactly.
        var generator = Detector.Streams.Generators.RecordGenerators.Create(options.Source.Dataset, 1).Schema;
        Assert.Equal(generator.Features.Select(f => f.Name), options.EffectiveSchema.Features.Select(f => f.Name));
        Assert.Equal(generator.EntityField, options.EffectiveSchema.EntityField);
    }

    [Fact]
    public void Bind_AnyPortInRange_RoundTrips() =>
        Prop.ForAll(Gen.Choose(0, 65_535).ToArbitrary(), port =>
            NodeConfiguration.Load(Json("{}"), Env(("DETECTOR__Node__HttpPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture)))).Node.HttpPort == port)
            .QuickCheckThrowOnFailure();

    [Fact]
    public void KeysOf_NodeOptions_ListsNestedAndListKeys()
    {
        var keys = OptionsBinder.KeysOf<NodeOptions>();

        Assert.Contains("Pipeline:Thresholds:Percentile", keys);
        Assert.Contains("Pipeline:Retraining:Model:HiddenSizes:0", keys);
        Assert.Contains("Schema:Features:0:Name", keys);
        Assert.Contains("Kafka:Properties:*", keys);
        Assert.Contains("Node:AdminToken", keys);
    }
}
