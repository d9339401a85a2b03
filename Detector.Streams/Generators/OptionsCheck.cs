using System.Globalization;

namespace Detector.Streams.Generators;

/// <summary>The shared shape of generator option validation: the key, the value shown invariantly, and the allowed range.</summary>
internal static class OptionsCheck
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="owner"/>.<paramref name="key"/> when not valid.</summary>
    public static void Check(string owner, string key, object value, bool valid, string range)
    {
        if (!valid)
        {
            var shown = value is DateTimeOffset time
                ? time.ToString("O", CultureInfo.InvariantCulture)
                : Convert.ToString(value, CultureInfo.InvariantCulture);
            throw new ArgumentOutOfRangeException(key, value, $"{owner}.{key} = {shown} is out of range; allowed: {range}.");
        }
    }
}
