namespace GovShare.Lake.Quality.Linkage;

/// <summary>One side of a linkage: records with an id and the linkage fields' values, prepared as they are added
/// (normalised once, not at every comparison), so that a caller can stream a large file into it row by row.</summary>
public sealed class LinkageInput
{
    /// <summary>The most fields a linkage compares (each pair's levels are packed two bits a field into 64 bits).</summary>
    public const int MaxFields = LinkagePattern.MaxFields;

    /// <summary>Values kept once however many records hold them (a sex, a birth date, a common name), up to this many
    /// distinct values per field: a million records of 男 and 女 should not hold a million strings.</summary>
    private const int PoolSize = 1 << 16;

    private readonly IFieldComparer[] _comparers;
    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<FieldValue[]> _values = [];
    private readonly Dictionary<string, string>[] _pools;

    /// <summary>An empty side.</summary>
    /// <param name="name">What the side is called in messages (a file name).</param>
    /// <param name="fields">The linkage fields, in the order values are given to <see cref="TryAdd"/>; both sides of
    /// a linkage have the same fields.</param>
    public LinkageInput(string name, IReadOnlyList<LinkageField> fields)
    {
        if (fields.Count == 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "a linkage needs at least one field to compare.");
        }

        if (fields.Count > MaxFields)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"a linkage compares at most {MaxFields} fields, not {fields.Count}.");
        }

        Name = name;
        Fields = [.. fields];
        _comparers = [.. fields.Select(f => IFieldComparer.For(f.Type))];
        _pools = [.. fields.Select(_ => new Dictionary<string, string>(StringComparer.Ordinal))];
    }

    /// <summary>What the side is called in messages.</summary>
    public string Name { get; }

    /// <summary>The linkage fields.</summary>
    public IReadOnlyList<LinkageField> Fields { get; }

    /// <summary>How many records were added.</summary>
    public int Count => _ids.Count;

    /// <summary>The id of the record at an index (in the order added).</summary>
    public string IdAt(int index) => _ids[index];

    /// <summary>Adds a record; false, with the index of the record that has it, when the id was added before.</summary>
    /// <param name="id">The record's id (unique within the side).</param>
    /// <param name="values">The fields' values in <see cref="Fields"/> order; null or blank for none.</param>
    /// <param name="existing">The index of the earlier record with the same id, or -1.</param>
    public bool TryAdd(string id, IReadOnlyList<string?> values, out int existing)
    {
        if (values.Count != _comparers.Length)
        {
            throw new ArgumentException($"{values.Count} values for {_comparers.Length} fields.", nameof(values));
        }

        if (_index.TryGetValue(id, out existing))
        {
            return false;
        }

        existing = -1;
        var prepared = new FieldValue[_comparers.Length];
        for (var f = 0; f < prepared.Length; f++)
        {
            var value = _comparers[f].Prepare(values[f]);
            prepared[f] = value with { Text = Pooled(f, value.Text), Key = value.Key == value.Text ? Pooled(f, value.Text) : value.Key };
        }

        _index.Add(id, _ids.Count);
        _ids.Add(id);
        _values.Add(prepared);
        return true;
    }

    internal FieldValue[] ValuesAt(int index) => _values[index];

    private string? Pooled(int field, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var pool = _pools[field];
        if (pool.TryGetValue(text, out var pooled))
        {
            return pooled;
        }

        if (pool.Count < PoolSize)
        {
            pool.Add(text, text);
        }

        return text;
    }

    internal IFieldComparer ComparerOf(int field) => _comparers[field];
}
