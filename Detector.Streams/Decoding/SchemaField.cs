using System.Text;

namespace Detector.Streams.Decoding;

/// <summary>
/// One distinct field name of a schema and every role it plays: usually a single feature, or the entity key, timestamp,
/// id or label; one name may feed several roles (two features read from the same field, say).
/// </summary>
internal sealed class SchemaField
{
    /// <summary>Builds the field for <paramref name="name"/> with no roles yet.</summary>
    public SchemaField(string name)
    {
        Name = name;
        Utf8Name = Encoding.UTF8.GetBytes(name);
    }

    /// <summary>The field name as configured.</summary>
    public string Name { get; }

    /// <summary>The field name in UTF-8, compared against property names without decoding them.</summary>
    public byte[] Utf8Name { get; }

    /// <summary>Feature indexes (schema order) this field feeds.</summary>
    public int[] Features { get; set; } = [];

    /// <summary>The field holds the entity key.</summary>
    public bool IsEntity { get; set; }

    /// <summary>The field holds the event time.</summary>
    public bool IsTimestamp { get; set; }

    /// <summary>The field holds the record id.</summary>
    public bool IsId { get; set; }

    /// <summary>The field holds the ground-truth label.</summary>
    public bool IsLabel { get; set; }

    /// <summary>
    /// The one feature index this field feeds when that is its only role (nearly every field), so a number goes straight
    /// there; −1 otherwise. Set by <see cref="Complete"/> once every role is known.
    /// </summary>
    public int OnlyFeature { get; private set; } = -1;

    /// <summary>Called once the schema has given the field all its roles.</summary>
    public void Complete() =>
        OnlyFeature = Features.Length == 1 && !IsEntity && !IsTimestamp && !IsId && !IsLabel ? Features[0] : -1;
}
