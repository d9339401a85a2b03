using Detector.Streams.Generators;
using Xunit;

namespace Detector.Tests.Generators;

/// <summary>Card scenarios: bursts are bursts, and each injected fraud stands out in the features meant to reveal it.</summary>
public sealed class CardTransactionGeneratorTests
{
    private static readonly Lazy<List<ParsedRecord>> Stream = new(() =>
        ParsedRecord.Take(new CardTransactionGenerator(new CardGeneratorOptions { Seed = 314, AnomalyRate = 0.03 }), 100_000));

    private static double Mean(string scenario, string feature)
    {
        var sum = 0.0;
        var count = 0;
        foreach (var record in Stream.Value)
        {
            if (record.Scenario == scenario)
            {
                sum += record[feature];
                count++;
            }
        }
        Assert.True(count > 0, $"no {scenario} records");
        return sum / count;
    }

    [Fact]
    public void Next_CardTesting_BurstsAreConsecutiveRecordsOfOneCardWithinMinutes()
    {
        var options = new CardGeneratorOptions();
        var records = Stream.Value;
        var bursts = 0;

        for (var i = 0; i < records.Count;)
        {
            if (records[i].Scenario != CardScenario.CardTesting)
            {
                i++;
                continue;
            }
            var end = i;
            while (end + 1 < records.Count && records[end + 1].Scenario == CardScenario.CardTesting && records[end + 1].Entity == records[i].Entity)
            {
                end++;
            }
            var length = end - i + 1;
            Assert.InRange(length, options.CardTestingMinBurst, options.CardTestingMaxBurst);
            Assert.True(records[end].Time - records[i].Time < TimeSpan.FromMinutes(15), $"burst at {i} spans {records[end].Time - records[i].Time}");
            for (var k = i + 1; k <= end; k++)
            {
                Assert.True(records[k]["secs_since_last"] < 120);
                Assert.True(records[k]["txn_count_1h"] >= Math.Min(k - i, 16));
            }
            bursts++;
            i = end + 1;
        }

        Assert.True(bursts >= 20, $"only {bursts} bursts");
    }

    [Fact]
    public void Next_AmountSpike_AmountRatioFarAboveNormal()
    {
        Assert.InRange(Mean(CardScenario.Normal, "amount_ratio"), 0.8, 1.4);
        Assert.True(Mean(CardScenario.AmountSpike, "amount_ratio") > 8 * Mean(CardScenario.Normal, "amount_ratio"));
        Assert.True(Mean(CardScenario.AmountSpike, "amount_zscore") > 3);
    }

    [Fact]
    public void Next_CardTesting_TinyCardNotPresentAmountsInRapidSuccession()
    {
        Assert.True(Mean(CardScenario.CardTesting, "amount") < 3);
        Assert.True(Mean(CardScenario.CardTesting, "amount_zscore") < -3);
        Assert.Equal(0, Mean(CardScenario.CardTesting, "card_present"));
        Assert.True(Mean(CardScenario.CardTesting, "txn_count_1h") > 10 * Mean(CardScenario.Normal, "txn_count_1h"));
        Assert.True(Mean(CardScenario.CardTesting, "log_secs_since_last") < Mean(CardScenario.Normal, "log_secs_since_last") - 4);
    }

    [Fact]
    public void Next_UnusualMerchant_LowMerchantFamiliarityAndHigherRisk()
    {
        Assert.True(Mean(CardScenario.Normal, "merchant_familiarity") > 0.5);
        Assert.True(Mean(CardScenario.UnusualMerchant, "merchant_familiarity") < 0.1);
        Assert.True(Mean(CardScenario.UnusualMerchant, "merchant_risk") > 2 * Mean(CardScenario.Normal, "merchant_risk"));
    }

    [Fact]
    public void Next_UnusualHour_LowHourFamiliarity()
    {
        Assert.True(Mean(CardScenario.Normal, "hour_familiarity") > 0.5);
        Assert.True(Mean(CardScenario.UnusualHour, "hour_familiarity") < 0.05);
    }

    [Fact]
    public void Next_NormalRecords_FeaturesInTheirNaturalRanges()
    {
        foreach (var record in Stream.Value)
        {
            Assert.InRange(record["hour_sin"], -1, 1);
            Assert.InRange(record["hour_familiarity"], 0, 1);
            Assert.InRange(record["merchant_familiarity"], 0, 1);
            Assert.InRange(record["card_present"], 0, 1);
            Assert.True(record["amount"] > 0 && record["secs_since_last"] >= 0 && record["distance_from_home"] >= 0);
        }
    }

    [Fact]
    public void Next_ConfiguredPopulation_UsesEveryCardAndOnlyThose()
    {
        var generator = new CardTransactionGenerator(new CardGeneratorOptions { Seed = 3, Cards = 50 });
        var cards = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 20_000; i++)
        {
            cards.Add(generator.Next().EntityKey);
        }

        Assert.Equal(50, cards.Count);
    }
}
