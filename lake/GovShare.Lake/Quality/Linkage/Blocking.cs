using GovShare.Lake.Text;

namespace GovShare.Lake.Quality.Linkage;

/// <summary>Which part of a field's value a blocking key takes.</summary>
public enum BlockingKeyPart
{
    /// <summary>The whole normalised value (a name's pinyin key, so that its spellings share a block).</summary>
    Whole,

    /// <summary>The first character of the value (of a name: its pinyin key's first character).</summary>
    Initial,

    /// <summary>A date's year.</summary>
    Year,
}

/// <summary>One part of a blocking key: a field and which part of its value.</summary>
public sealed record BlockingPart(string Field, BlockingKeyPart Part)
{
    /// <inheritdoc/>
    public override string ToString() => Part switch
    {
        BlockingKeyPart.Initial => Field + ":initial",
        BlockingKeyPart.Year => Field + ":year",
        _ => Field,
    };
}

/// <summary>A blocking rule: only record pairs that agree on every part of its key are compared. A linkage unions
/// several rules, so that a pair missed by one (a typing slip in the name) is found by another (the birth date);
/// a pair found by several is compared once.</summary>
public sealed record BlockingRule(IReadOnlyList<BlockingPart> Parts)
{
    /// <summary>Reads a rule written <c>FIELD[:initial|:year]</c> joined by <c>+</c>: <c>出生日期</c>,
    /// <c>姓名:initial+出生日期:year</c>.</summary>
    public static BlockingRule Parse(string text)
    {
        var parts = new List<BlockingPart>();
        foreach (var token in text.Split('+', StringSplitOptions.TrimEntries))
        {
            var colon = token.LastIndexOf(':');
            var (field, part) = colon < 0 ? (token, BlockingKeyPart.Whole) : (token[..colon].Trim(), token[(colon + 1)..].Trim().ToLowerInvariant() switch
            {
                "initial" => BlockingKeyPart.Initial,
                "year" => BlockingKeyPart.Year,
                "whole" or "" => BlockingKeyPart.Whole,
                var other => throw new LakeException(LakeErrorKind.InvalidInput,
                    $"blocking rule '{text}': '{other}' is not a key part; use FIELD, FIELD:initial or FIELD:year."),
            });
            if (field.Length == 0)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"blocking rule '{text}' names no field; write e.g. 姓名:initial+出生日期:year.");
            }

            parts.Add(new BlockingPart(field, part));
        }

        return new BlockingRule(parts);
    }

    /// <summary>The rules used when none are given: each code field's value; each date field's value; the first name
    /// field with the first date field's year; the first name field alone; each text field's value (an address: the
    /// people of one household share it, so its blocks are small, and it finds the pairs whose name and birth date
    /// both carry a slip).</summary>
    public static IReadOnlyList<BlockingRule> Defaults(IReadOnlyList<LinkageField> fields)
    {
        var rules = new List<BlockingRule>();
        foreach (var field in fields.Where(f => f.Type == FieldType.Code))
        {
            rules.Add(Whole(field));
        }

        foreach (var field in fields.Where(f => f.Type == FieldType.Date))
        {
            rules.Add(Whole(field));
        }

        var name = fields.FirstOrDefault(f => f.Type == FieldType.Name);
        var date = fields.FirstOrDefault(f => f.Type == FieldType.Date);
        if (name is not null)
        {
            if (date is not null)
            {
                rules.Add(new BlockingRule([new BlockingPart(name.Name, BlockingKeyPart.Whole), new BlockingPart(date.Name, BlockingKeyPart.Year)]));
            }

            rules.Add(Whole(name));
        }

        foreach (var field in fields.Where(f => f.Type == FieldType.Text))
        {
            rules.Add(Whole(field));
        }

        return rules;
    }

    private static BlockingRule Whole(LinkageField field) => new([new BlockingPart(field.Name, BlockingKeyPart.Whole)]);

    /// <inheritdoc/>
    public override string ToString() => string.Join('+', Parts);
}

/// <summary>How one blocking rule fared: the pairs it added (not found by an earlier rule), and the blocks it left
/// out because they would have held more than the cap.</summary>
/// <param name="Rule">The rule as written.</param>
/// <param name="Pairs">Pairs this rule added to the comparison.</param>
/// <param name="BlocksOverCap">Blocks skipped because left × right records exceeded the cap.</param>
/// <param name="PairsOverCap">The pairs those blocks would have held.</param>
public sealed record BlockingRuleStats(string Rule, long Pairs, int BlocksOverCap, long PairsOverCap);

/// <summary>The candidate pairs of the rules: for each rule, both sides sorted by the key's hash and merged, each
/// block's left × right pairs emitted unless an earlier rule's block already held the pair or the block is over the
/// cap. Memory is one 64-bit key per record and rule, never a set of pairs.</summary>
internal sealed class Blocking
{
    private readonly IReadOnlyList<BlockingRule> _rules;
    private readonly ulong[][] _leftKeys;
    private readonly ulong[][] _rightKeys;
    private readonly HashSet<ulong>[] _overCap;
    private readonly long _maxBlockPairs;

    public Blocking(LinkageInput left, LinkageInput right, IReadOnlyList<BlockingRule> rules, long maxBlockPairs)
    {
        var resolved = rules.Select(rule => Resolve(rule, left.Fields)).ToList();
        _rules = rules;
        _leftKeys = [.. resolved.Select(rule => Keys(left, rule))];
        _rightKeys = [.. resolved.Select(rule => Keys(right, rule))];
        _overCap = [.. resolved.Select(_ => new HashSet<ulong>())];
        _maxBlockPairs = maxBlockPairs;
    }

    /// <summary>Calls <paramref name="pair"/> with every candidate pair once; returns each rule's figures.</summary>
    public List<BlockingRuleStats> Run(Action<int, int> pair, CancellationToken cancellationToken)
    {
        var stats = new List<BlockingRuleStats>(_rules.Count);
        for (var k = 0; k < _rules.Count; k++)
        {
            var (lKeys, lIndex) = Sorted(_leftKeys[k]);
            var (rKeys, rIndex) = Sorted(_rightKeys[k]);
            long pairs = 0, pairsOverCap = 0;
            var blocksOverCap = 0;
            int i = 0, j = 0;
            while (i < lKeys.Length && j < rKeys.Length)
            {
                if (lKeys[i] < rKeys[j])
                {
                    i++;
                    continue;
                }

                if (lKeys[i] > rKeys[j])
                {
                    j++;
                    continue;
                }

                var key = lKeys[i];
                var iEnd = i;
                while (iEnd < lKeys.Length && lKeys[iEnd] == key)
                {
                    iEnd++;
                }

                var jEnd = j;
                while (jEnd < rKeys.Length && rKeys[jEnd] == key)
                {
                    jEnd++;
                }

                var size = (long)(iEnd - i) * (jEnd - j);
                if (size > _maxBlockPairs)
                {
                    _overCap[k].Add(key);
                    blocksOverCap++;
                    pairsOverCap += size;
                }
                else
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (var a = i; a < iEnd; a++)
                    {
                        var l = lIndex[a];
                        for (var b = j; b < jEnd; b++)
                        {
                            var r = rIndex[b];
                            if (!IsCandidate(l, r, k))
                            {
                                pair(l, r);
                                pairs++;
                            }
                        }
                    }
                }

                (i, j) = (iEnd, jEnd);
            }

            stats.Add(new BlockingRuleStats(_rules[k].ToString(), pairs, blocksOverCap, pairsOverCap));
        }

        return stats;
    }

    /// <summary>Whether a pair was compared: one of the rules' blocks (not skipped for its size) held it. Only after
    /// <see cref="Run"/>.</summary>
    public bool IsCandidate(int l, int r) => IsCandidate(l, r, _rules.Count);

    /// <summary>Whether one of the first <paramref name="rules"/> rules' blocks (not skipped for its size) held the pair.</summary>
    private bool IsCandidate(int l, int r, int rules)
    {
        for (var k = 0; k < rules; k++)
        {
            var key = _leftKeys[k][l];
            if (key != 0 && key == _rightKeys[k][r] && !_overCap[k].Contains(key))
            {
                return true;
            }
        }

        return false;
    }

    private static (int Field, BlockingKeyPart Part)[] Resolve(BlockingRule rule, IReadOnlyList<LinkageField> fields)
    {
        if (rule.Parts.Count == 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "a blocking rule needs at least one field.");
        }

        return [.. rule.Parts.Select(part =>
        {
            var index = -1;
            for (var f = 0; f < fields.Count && index < 0; f++)
            {
                if (string.Equals(fields[f].Name, part.Field, StringComparison.Ordinal))
                {
                    index = f;
                }
            }

            if (index < 0)
            {
                throw new LakeException(LakeErrorKind.InvalidInput,
                    $"blocking rule '{rule}': '{part.Field}' is not a linkage field (the fields: {string.Join(", ", fields.Select(f => f.Name))}).");
            }

            if (part.Part == BlockingKeyPart.Year && fields[index].Type != FieldType.Date)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"blocking rule '{rule}': '{part.Field}' is not a date field, so it has no year.");
            }

            return (index, part.Part);
        })];
    }

    /// <summary>Each record's key hash for a rule; 0 when a part's field is missing (such a record is in no block of
    /// the rule).</summary>
    private static ulong[] Keys(LinkageInput side, (int Field, BlockingKeyPart Part)[] rule)
    {
        var keys = new ulong[side.Count];
        var parts = new string[rule.Length];
        for (var r = 0; r < keys.Length; r++)
        {
            var values = side.ValuesAt(r);
            var complete = true;
            for (var p = 0; p < rule.Length && complete; p++)
            {
                var value = values[rule[p].Field];
                var text = value.Key ?? value.Text;
                if (text is null)
                {
                    complete = false;
                    continue;
                }

                parts[p] = rule[p].Part switch
                {
                    BlockingKeyPart.Initial => text[..(char.IsHighSurrogate(text[0]) && text.Length > 1 ? 2 : 1)],
                    BlockingKeyPart.Year => text[..4],
                    _ => text,
                };
            }

            if (complete)
            {
                var hash = Fnv1a.Hash(string.Join('\u001F', parts));
                keys[r] = hash == 0 ? 1 : hash;
            }
        }

        return keys;
    }

    private static (ulong[] Keys, int[] Index) Sorted(ulong[] keys)
    {
        var count = keys.Count(k => k != 0);
        var sortedKeys = new ulong[count];
        var index = new int[count];
        var n = 0;
        for (var r = 0; r < keys.Length; r++)
        {
            if (keys[r] != 0)
            {
                sortedKeys[n] = keys[r];
                index[n++] = r;
            }
        }

        Array.Sort(sortedKeys, index);
        return (sortedKeys, index);
    }
}
