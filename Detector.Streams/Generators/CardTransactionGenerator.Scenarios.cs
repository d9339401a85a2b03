namespace Detector.Streams.Generators;

/// <summary>How each kind of transaction is drawn: the normal habits and the four fraud scenarios.</summary>
public sealed partial class CardTransactionGenerator
{
    private const int NormalIndex = 0;
    private const int AmountSpikeIndex = 1;
    private const int CardTestingIndex = 2;
    private const int UnusualMerchantIndex = 3;
    private const int UnusualHourIndex = 4;

    /// <summary>An amount, category, channel and place drawn from the card's habits.</summary>
    private GeneratedRecord Normal(int card)
    {
        var present = _rng.NextDouble() < _cards[card].PresentShare;
        return Emit(card, HabitualCategory(card), HabitualAmount(card), present, HabitualDistance(card, present), NormalIndex);
    }

    /// <summary>An ordinary purchase in every respect but the amount: 5 to 20 times the card's typical amount.</summary>
    private GeneratedRecord AmountSpike(int card)
    {
        var present = _rng.NextDouble() < _cards[card].PresentShare;
        var amount = _cards[card].Typical * (5 + 15 * _rng.NextDouble());
        return Emit(card, HabitualCategory(card), amount, present, HabitualDistance(card, present), AmountSpikeIndex);
    }

    /// <summary>A tiny card-not-present amount at an online or gift-card merchant, from far away.</summary>
    private GeneratedRecord CardTesting(int card)
    {
        var category = _rng.NextDouble() < 0.7 ? MerchantCategories.OnlineRetail : MerchantCategories.GiftCards;
        var amount = 0.5 + 2.5 * _rng.NextDouble();
        var distance = 1_500 * Math.Exp(0.8 * _rng.NextGaussian());
        return Emit(card, category, amount, present: false, distance, CardTestingIndex);
    }

    /// <summary>A category the card (almost) never uses, weighted by risk; the amount a little above usual.</summary>
    private GeneratedRecord UnusualMerchant(int card)
    {
        var shares = _preference.AsSpan(card * MerchantCategories.Count, MerchantCategories.Count);
        var limit = UnfamiliarPreference * _cards[card].MaxPreference;
        var total = 0.0;
        for (var k = 0; k < shares.Length; k++)
        {
            total += shares[k] < limit ? MerchantCategories.Risk[k] : 0;
        }
        var u = _rng.NextDouble() * total;
        var category = MerchantCategories.GiftCards;
        for (var k = 0; k < shares.Length; k++)
        {
            if (shares[k] < limit)
            {
                category = k;
                u -= MerchantCategories.Risk[k];
                if (u < 0)
                {
                    break;
                }
            }
        }
        var present = _rng.NextDouble() < _cards[card].PresentShare;
        var amount = HabitualAmount(card) * (1 + 2 * _rng.NextDouble());
        return Emit(card, category, amount, present, HabitualDistance(card, present), UnusualMerchantIndex);
    }

    /// <summary>A card-not-present purchase at an hour the card is (almost) never active, somewhat above the usual amount.</summary>
    private GeneratedRecord UnusualHour(int card)
    {
        var amount = HabitualAmount(card) * (1.5 + 2.5 * _rng.NextDouble());
        return Emit(card, HabitualCategory(card), amount, present: false, HabitualDistance(card, present: false), UnusualHourIndex);
    }

    private double HabitualAmount(int card)
    {
        ref readonly var c = ref _cards[card];
        return Math.Exp(c.LogTypical + c.Sigma * _rng.NextGaussian());
    }

    private int HabitualCategory(int card)
    {
        var shares = _preference.AsSpan(card * MerchantCategories.Count, MerchantCategories.Count);
        var u = _rng.NextDouble();
        for (var k = 0; k < shares.Length - 1; k++)
        {
            u -= shares[k];
            if (u < 0)
            {
                return k;
            }
        }
        return shares.Length - 1;
    }

    /// <summary>In person near home; online at the merchant's (or address's) distance; now and then while travelling.</summary>
    private double HabitualDistance(int card, bool present)
    {
        var z = _rng.NextGaussian();
        if (_rng.NextDouble() < 0.02)
        {
            return 400 * Math.Exp(0.8 * z);
        }
        return present ? _cards[card].HomeRadiusKm * Math.Exp(0.7 * z) : 40 * Math.Exp(1.0 * z);
    }
}
