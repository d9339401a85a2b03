namespace Detector.Tests.Decoding;

/// <summary>Random damage to a valid record, for decoder tests: what a truncated, corrupted or hand-edited message looks like.</summary>
internal static class PayloadMutations
{
    /// <summary>
    /// <paramref name="record"/> after up to <paramref name="mutations"/> random edits, each one of: cut off from a
    /// byte on, a byte replaced by a random one, a bit flipped, one of <paramref name="inserts"/> inserted, a byte removed.
    /// </summary>
    public static byte[] Apply(Random random, byte[] record, int mutations, byte[] inserts)
    {
        var bytes = record.ToList();
        for (var m = mutations; m > 0 && bytes.Count > 0; m--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes.RemoveRange(at, bytes.Count - at); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 3: bytes.Insert(at, inserts[random.Next(inserts.Length)]); break;
                default: bytes.RemoveAt(at); break;
            }
        }
        return [.. bytes];
    }
}
