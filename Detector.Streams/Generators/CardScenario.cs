namespace Detector.Streams.Generators;

/// <summary>The scenario names a <see cref="CardTransactionGenerator"/> writes in its "scenario" field.</summary>
public static class CardScenario
{
    /// <summary>An ordinary transaction drawn from the card's own habits.</summary>
    public const string Normal = "normal";

    /// <summary>An amount 5 to 20 times the card's typical amount.</summary>
    public const string AmountSpike = "amount_spike";

    /// <summary>A rapid burst of tiny card-not-present amounts on one card within minutes; every burst record is labelled.</summary>
    public const string CardTesting = "card_testing";

    /// <summary>A merchant category the card has (almost) never used, biased to high-risk categories.</summary>
    public const string UnusualMerchant = "unusual_merchant";

    /// <summary>A transaction at an hour when the card is (almost) never used.</summary>
    public const string UnusualHour = "unusual_hour";

    /// <summary>The injected fraud scenarios, in a fixed order.</summary>
    public static IReadOnlyList<string> Anomalies { get; } = [AmountSpike, CardTesting, UnusualMerchant, UnusualHour];
}
