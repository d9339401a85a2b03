using System.Globalization;
using System.Text.Json;

namespace Detector.Streams.Generators;

/// <summary>The card population: each card's habits, drawn once from the seed.</summary>
public sealed partial class CardTransactionGenerator
{
    /// <summary>One card's habits and the running state the history features need.</summary>
    private struct Card
    {
        public JsonEncodedText Key;
        public double LogTypical;     // mean of ln(amount)
        public double Sigma;          // sd of ln(amount)
        public double Typical;        // exp(LogTypical): the median amount
        public double PeakHour;       // centre of the daily activity profile, [0, 24)
        public double HourWidth;      // sd of the daily profile in hours
        public double PresentShare;   // share of card-present transactions
        public double HomeRadiusKm;   // typical distance of in-person spending from home
        public double MaxPreference;  // largest category share, so familiarity = share / max is in (0, 1]
        public long LastMs;           // previous transaction (Unix ms)
        public int HistoryHead;       // next slot of the history ring
    }

    private void DrawPopulation()
    {
        var perDay = _options.TransactionsPerCardPerDay;
        var running = 0.0;
        for (var i = 0; i < _cards.Length; i++)
        {
            ref var c = ref _cards[i];
            c.Key = JsonEncodedText.Encode(string.Create(CultureInfo.InvariantCulture, $"card-{i:D6}"));
            c.LogTypical = Math.Log(35) + 0.7 * _rng.NextGaussian();
            c.Sigma = 0.25 + 0.3 * _rng.NextDouble();
            c.Typical = Math.Exp(c.LogTypical);
            c.PeakHour = ((13 + 3.5 * _rng.NextGaussian()) % 24 + 24) % 24;
            c.HourWidth = 2.5 + 2.5 * _rng.NextDouble();
            c.PresentShare = 0.5 + 0.45 * _rng.NextDouble();
            c.HomeRadiusKm = 3 * Math.Exp(0.6 * _rng.NextGaussian());
            DrawPreferences(i);

            // Thinning by the daily profile keeps a candidate with probability equal to the profile's daily mean, so the
            // candidate rate is the card's target rate divided by it (log-normal around the configured mean).
            var targetPerSecond = perDay * Math.Exp(0.6 * _rng.NextGaussian() - 0.18) / 86_400;
            var profileMean = HourFloor + (1 - HourFloor) * c.HourWidth * Math.Sqrt(2 * Math.PI) / 24;
            running += targetPerSecond / profileMean;
            _cumulativeRate[i] = running;
            c.LastMs = _startMs - (long)(Exponential(1 / targetPerSecond) * 1000);
        }
    }

    /// <summary>Two to four favourite categories (by popularity) take 97% of the card's spending; the rest share 3%.</summary>
    private void DrawPreferences(int card)
    {
        var shares = _preference.AsSpan(card * MerchantCategories.Count, MerchantCategories.Count);
        Span<bool> favourite = stackalloc bool[MerchantCategories.Count];
        var favourites = 2 + _rng.NextInt(3);
        var favouriteWeight = 0.0;
        for (var f = 0; f < favourites; f++)
        {
            var free = 0.0;
            for (var k = 0; k < shares.Length; k++)
            {
                free += favourite[k] ? 0 : MerchantCategories.Popularity[k];
            }
            var u = _rng.NextDouble() * free;
            var chosen = -1;
            for (var k = 0; k < shares.Length && chosen < 0; k++)
            {
                if (!favourite[k])
                {
                    u -= MerchantCategories.Popularity[k];
                    chosen = u < 0 ? k : -1;
                }
            }
            chosen = chosen < 0 ? LastFree(favourite) : chosen;
            favourite[chosen] = true;
            shares[chosen] = 0.5 + _rng.NextDouble();
            favouriteWeight += shares[chosen];
        }
        var otherPopularity = 0.0;
        for (var k = 0; k < shares.Length; k++)
        {
            otherPopularity += favourite[k] ? 0 : MerchantCategories.Popularity[k];
        }
        var max = 0.0;
        for (var k = 0; k < shares.Length; k++)
        {
            shares[k] = favourite[k]
                ? 0.97 * shares[k] / favouriteWeight
                : 0.03 * MerchantCategories.Popularity[k] / otherPopularity;
            max = Math.Max(max, shares[k]);
        }
        _cards[card].MaxPreference = max;
    }

    private static int LastFree(ReadOnlySpan<bool> taken)
    {
        for (var k = taken.Length - 1; k >= 0; k--)
        {
            if (!taken[k])
            {
                return k;
            }
        }
        throw new InvalidOperationException("no free category left");
    }
}
