using System.Collections;
using Detector.Models.Engines;
using Detector.Models.Validation;
using Detector.Node.Configuration;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>`Pipeline:Retraining:Model:Engine` binds, makes the engine available at start-up, and refuses what cannot run.</summary>
public sealed class EngineConfigurationTests
{
    [TorchFact]
    public void Load_EngineTorch_BindsAndRegistersTheTorchEngine()
    {
        var options = NodeConfiguration.Load(null, new Hashtable(), [new("Pipeline:Retraining:Model:Engine", "Torch")]);
        Assert.Equal(ModelEngine.Torch, options.Pipeline.Retraining.Model.Engine);
        Assert.Equal(ModelEngine.Torch, ModelEngines.Resolve(ModelEngine.Torch).Kind);
    }

    [Fact]
    public void Load_EngineOmitted_IsNative()
    {
        var options = NodeConfiguration.Load(null, new Hashtable(), []);
        Assert.Equal(ModelEngine.Native, options.Pipeline.Retraining.Model.Engine);
    }

    [Fact]
    public void Load_TorchWithWindowedKind_NamesTheEngineKey()
    {
        var e = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(null, new Hashtable(),
            [new("Pipeline:Retraining:Model:Engine", "Torch"), new("Pipeline:Retraining:Model:Kind", "LstmAutoencoder"), new("Pipeline:Retraining:Model:WindowSteps", "8")]));
        Assert.Contains("Engine", e.Key, StringComparison.Ordinal);
        Assert.Contains("Native for LstmAutoencoder", e.Message, StringComparison.Ordinal);
    }
}
