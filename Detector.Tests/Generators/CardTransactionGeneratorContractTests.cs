using Detector.Streams.Generators;

namespace Detector.Tests.Generators;

/// <summary>The generator contract for card transactions.</summary>
public sealed class CardTransactionGeneratorContractTests : RecordGeneratorContractTests
{
    protected override IReadOnlyList<string> AnomalyScenarios => CardScenario.Anomalies;

    protected override string EntityField => "card";

    protected override IRecordGenerator Create(ulong seed) => new CardTransactionGenerator(seed);

    protected override IRecordGenerator CreateWithRate(ulong seed, double rate) =>
        new CardTransactionGenerator(new CardGeneratorOptions { Seed = seed, AnomalyRate = rate });
}
