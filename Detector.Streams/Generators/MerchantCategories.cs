using System.Text.Json;

namespace Detector.Streams.Generators;

/// <summary>
/// The merchant categories of the card simulation: how popular each is across the population (which shapes each card's
/// favourites) and how risky it is (which the unusual-merchant fraud favours, and which the "merchant_risk" feature reports).
/// </summary>
internal static class MerchantCategories
{
    /// <summary>Number of categories.</summary>
    public const int Count = 10;

    /// <summary>Index of "online_retail", where card testing mostly happens.</summary>
    public const int OnlineRetail = 4;

    /// <summary>Index of "gift_cards", the other card-testing favourite.</summary>
    public const int GiftCards = 9;

    /// <summary>Category names as written in the "merchant_category" field.</summary>
    public static readonly JsonEncodedText[] Names =
    [
        JsonEncodedText.Encode("grocery"), JsonEncodedText.Encode("restaurant"), JsonEncodedText.Encode("fuel"),
        JsonEncodedText.Encode("retail"), JsonEncodedText.Encode("online_retail"), JsonEncodedText.Encode("pharmacy"),
        JsonEncodedText.Encode("entertainment"), JsonEncodedText.Encode("travel"), JsonEncodedText.Encode("electronics"),
        JsonEncodedText.Encode("gift_cards"),
    ];

    /// <summary>Relative popularity across the population (sums to 1).</summary>
    public static readonly double[] Popularity = [0.22, 0.16, 0.12, 0.12, 0.10, 0.07, 0.07, 0.05, 0.05, 0.04];

    /// <summary>Fraud risk of the category in [0, 1].</summary>
    public static readonly double[] Risk = [0.05, 0.08, 0.10, 0.15, 0.30, 0.05, 0.20, 0.45, 0.60, 0.85];
}
