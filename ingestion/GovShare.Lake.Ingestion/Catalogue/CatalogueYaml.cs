using System.Globalization;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Identifiers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GovShare.Lake.Ingestion.Catalogue;

/// <summary>A problem of a catalogue YAML file, with where it is.</summary>
/// <param name="File">The file name.</param>
/// <param name="Line">1-based line (0 when the problem concerns the whole file).</param>
/// <param name="Column">1-based column.</param>
/// <param name="Path">The field path (<c>fields[2].target</c>).</param>
/// <param name="Message">What is wrong.</param>
public sealed record CatalogueFileProblem(string File, int Line, int Column, string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {Path}: {Message}" : $"{File}: {(Path.Length > 0 ? Path + ": " : "")}{Message}";
}

/// <summary>A catalogue file that cannot be loaded, with every problem found.</summary>
public sealed class CatalogueFileException(IReadOnlyList<CatalogueFileProblem> problems)
    : LakeException(LakeErrorKind.InvalidInput, string.Join(Environment.NewLine, problems))
{
    /// <summary>Every problem, in file order.</summary>
    public IReadOnlyList<CatalogueFileProblem> Problems { get; } = problems;
}

/// <summary>Reads catalogue entries from YAML (docs/catalogue.md): structure and types first, then the
/// rules of <see cref="CatalogueValidator"/>, each problem located by line and column.</summary>
public static class CatalogueYaml
{
    /// <summary>Loads one entry from a file.</summary>
    /// <exception cref="CatalogueFileException">The file is not a valid entry.</exception>
    public static CatalogueEntry LoadFile(string path)
    {
        using var reader = new StreamReader(path, TextEncodingsForYaml);
        return Load(reader, Path.GetFileName(path));
    }

    /// <summary>Loads every <c>*.yaml</c> / <c>*.yml</c> file of a folder (not recursive), in name order,
    /// reporting the problems of every file and duplicate ids across files.</summary>
    /// <exception cref="CatalogueFileException">Any file is invalid, or two files share an id.</exception>
    public static IReadOnlyList<CatalogueEntry> LoadFolder(string folder) => LoadFolderFiles(folder).Select(f => f.Entry).ToList();

    /// <summary>Like <see cref="LoadFolder"/>, with the file each entry came from.</summary>
    /// <exception cref="CatalogueFileException">Any file is invalid, or two files share an id.</exception>
    public static IReadOnlyList<(string File, CatalogueEntry Entry)> LoadFolderFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new LakeException(LakeErrorKind.NotFound, $"the catalogue folder {folder} does not exist.");
        }

        var entries = new List<(string, CatalogueEntry)>();
        var problems = new List<CatalogueFileProblem>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                var entry = LoadFile(file);
                if (seen.TryGetValue(entry.Id, out var other))
                {
                    problems.Add(new CatalogueFileProblem(Path.GetFileName(file), 0, 0, "id", $"'{entry.Id}' is also the id of {other}."));
                    continue;
                }

                seen[entry.Id] = Path.GetFileName(file);
                entries.Add((file, entry));
            }
            catch (CatalogueFileException ex)
            {
                problems.AddRange(ex.Problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new CatalogueFileException(problems);
        }

        return entries;
    }

    /// <summary>Loads one entry from YAML text.</summary>
    /// <exception cref="CatalogueFileException">The text is not a valid entry.</exception>
    public static CatalogueEntry Load(TextReader text, string fileName)
    {
        var stream = new YamlStream();
        var content = text.ReadToEnd();
        try
        {
            stream.Load(new StringReader(content));
        }
        catch (YamlException ex)
        {
            throw new CatalogueFileException([new CatalogueFileProblem(fileName, (int)ex.Start.Line, (int)ex.Start.Column, "", "not valid YAML: " + ex.Message)]);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner reports some unclosed structures this way, without a position.
            var (line, column) = UnclosedBracket(content);
            throw new CatalogueFileException([new CatalogueFileProblem(fileName, line, column, "", $"not valid YAML: {ex.Message} (a [ or {{ that is never closed?)")]);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CatalogueFileException([new CatalogueFileProblem(fileName, 0, 0, "", "expected one YAML document holding one mapping (one entry per file).")]);
        }

        var context = new Context(fileName);
        var entry = ReadEntry(new Node(context, root, ""));
        if (entry is not null)
        {
            // The rules run even after structural problems, so one pass reports both; a path already
            // reported is not reported twice.
            var reported = context.Problems.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var problem in CatalogueValidator.Validate(entry).Where(p => !reported.Contains(p.Path)))
            {
                var (line, column) = context.Locate(problem.Path);
                context.Problems.Add(new CatalogueFileProblem(fileName, line, column, problem.Path, problem.Message));
            }
        }

        if (context.Problems.Count > 0)
        {
            throw new CatalogueFileException([.. context.Problems.OrderBy(p => p.Line).ThenBy(p => p.Column)]);
        }

        return entry!;
    }

    /// <summary>Where the first flow bracket that is never closed opens (outside quotes and comments).</summary>
    private static (int Line, int Column) UnclosedBracket(string content)
    {
        var open = new Stack<(int, int)>();
        var lines = content.Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            char? quote = null;
            for (var c = 0; c < lines[l].Length; c++)
            {
                var ch = lines[l][c];
                if (quote is not null)
                {
                    quote = ch == quote ? null : quote;
                }
                else if (ch is '"' or '\'')
                {
                    quote = ch;
                }
                else if (ch == '#' && (c == 0 || char.IsWhiteSpace(lines[l][c - 1])))
                {
                    break;
                }
                else if (ch is '[' or '{')
                {
                    open.Push((l + 1, c + 1));
                }
                else if (ch is ']' or '}' && open.Count > 0)
                {
                    open.Pop();
                }
            }
        }

        return open.Count > 0 ? open.Reverse().First() : (0, 0);
    }

    private static readonly System.Text.Encoding TextEncodingsForYaml = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true);

    private static CatalogueEntry? ReadEntry(Node root)
    {
        var key = root.Object("key");
        var fields = root.List("fields", required: true).Select(ReadField).ToList();
        var entry = new CatalogueEntry
        {
            Id = root.String("id", required: true) ?? "",
            Name = ReadName(root.Object("name", required: true)),
            Description = root.String("description"),
            Agency = ReadAgency(root.Object("agency", required: true)),
            Target = root.String("target", required: true) ?? "",
            KeyColumn = key?.String("column", required: true) ?? "",
            KeyKind = ReadKeyKind(key),
            Source = ReadSource(root.Object("source")),
            Delivery = ReadDelivery(root.Object("delivery")),
            Fields = fields!,
            Sharing = ReadSharing(root.Object("sharing")),
            UpdateDeadline = root.Enum("updateDeadline", UpdateDeadline.Within3Days,
                ("real_time", UpdateDeadline.RealTime), ("within_3_days", UpdateDeadline.Within3Days), ("quarterly", UpdateDeadline.Quarterly), ("custom", UpdateDeadline.Custom)),
            Schedule = ReadSchedule(root.Object("schedule")),
            ProducedAt = root.String("producedAt"),
            Provision = root.Strings("provision") ?? ["online_query"],
            Themes = root.Strings("themes") ?? [],
            Authoritative = root.Strings("authoritative") ?? [],
            QuarantineThreshold = root.Double("quarantineThreshold") ?? 0.05,
            MaxEndedShare = root.Double("maxEndedShare") ?? 0.5,
        };
        if (key is null)
        {
            root.Context.Add(root.Mapping, "key", "the key (column and kind) is required.");
        }

        root.EndObject();
        return entry;

        FieldMapping ReadField(Node node)
        {
            var target = node.String("target", required: true) ?? "";
            var type = node.String("type");
            var table = BaseDatabaseCatalog.Find(root.Peek("target") ?? "");
            var field = new FieldMapping
            {
                Source = node.String("source", required: true) ?? "",
                Target = target,
                // The type may be left out: it is always the attribute's (the validator checks a stated one).
                Type = type ?? table?.Find(target)?.Type ?? "string",
                Required = node.Bool("required") ?? false,
                Transforms = node.Strings("transform") ?? [],
                Map = node.Map("map") ?? new Dictionary<string, string>(),
                Formats = node.Strings("format") ?? [],
                Identifier = node.String("identifier"),
            };
            node.EndObject();
            return field;
        }
    }

    private static IdentifierKind? ReadKeyKind(Node? key)
    {
        var kind = key?.String("kind", required: true);
        if (kind is null or "none")
        {
            key?.EndObject();
            return null;
        }

        if (!IdentifierKindNames.TryParse(kind, out var parsed))
        {
            key!.Context.Add(key.Child("kind")!, key.Path + ".kind", $"'{kind}' is not a key kind; use citizen, uscc, org, licence, division or none.");
        }

        key!.EndObject();
        return parsed;
    }

    private static LocalizedName ReadName(Node? node)
    {
        if (node is null)
        {
            return new LocalizedName("", "");
        }

        var name = new LocalizedName(node.String("zh", required: true) ?? "", node.String("en", required: true) ?? "");
        node.EndObject();
        return name;
    }

    private static AgencyRef ReadAgency(Node? node)
    {
        if (node is null)
        {
            return new AgencyRef("", new LocalizedName("", ""));
        }

        var agency = new AgencyRef(node.String("code", required: true) ?? "", ReadName(node.Object("name", required: true)));
        node.EndObject();
        return agency;
    }

    private static SourceSpec ReadSource(Node? node)
    {
        if (node is null)
        {
            return new SourceSpec();
        }

        var quote = node.String("quote") ?? "\"";
        if (quote.Length != 1)
        {
            node.Context.Add(node.Child("quote")!, node.Path + ".quote", $"'{quote}' is not one character.");
        }

        var source = new SourceSpec
        {
            Format = node.Enum("format", SourceFormat.Csv,
                ("csv", SourceFormat.Csv), ("jsonl", SourceFormat.JsonLines), ("parquet", SourceFormat.Parquet), ("xlsx", SourceFormat.Xlsx)),
            Encoding = node.String("encoding")?.ToLowerInvariant().Replace("utf8", "utf-8", StringComparison.Ordinal) ?? "auto",
            Delimiter = node.String("delimiter") switch { null => "auto", "\\t" or "tab" => "\t", var d => d },
            Quote = quote.Length == 1 ? quote[0] : '"',
            Header = node.String("header")?.ToLowerInvariant() ?? "auto",
            Columns = node.Strings("columns") ?? [],
            Sheet = node.String("sheet"),
        };
        node.EndObject();
        return source;
    }

    private static DeliverySpec ReadDelivery(Node? node)
    {
        if (node is null)
        {
            return new DeliverySpec();
        }

        var mode = node.Enum("mode", DeliveryMode.Full, ("full", DeliveryMode.Full), ("incremental", DeliveryMode.Incremental));
        var marker = node.Object("deletionMarker");
        var delivery = new DeliverySpec
        {
            Mode = mode,
            DeletionColumn = marker?.String("column", required: true),
            DeletionValues = marker?.Strings("values", required: true) ?? [],
        };
        marker?.EndObject();
        node.EndObject();
        return delivery;
    }

    private static UpdateSchedule? ReadSchedule(Node? node)
    {
        if (node is null)
        {
            return null;
        }

        var schedule = new UpdateSchedule(node.String("cron", required: true) ?? "", node.Double("graceHours") ?? 0);
        node.EndObject();
        return schedule;
    }

    private static SharingSpec ReadSharing(Node? node)
    {
        if (node is null)
        {
            return new SharingSpec();
        }

        var sharing = new SharingSpec
        {
            Class = node.Enum("class", SharingClass.Unconditional,
                ("unconditional", SharingClass.Unconditional), ("conditional", SharingClass.Conditional), ("not_shared", SharingClass.NotShared)),
            LegalBasis = node.String("legalBasis"),
            Conditions = node.String("conditions"),
            Mask = node.Strings("mask") ?? [],
        };
        if (node.Object("autoApprove") is { } preset)
        {
            sharing = sharing with
            {
                AutoApprove = new AccessPreset
                {
                    Agencies = preset.Strings("agencies") ?? [],
                    AgencyKinds = preset.Strings("agencyKinds") ?? [],
                    PurposeCategories = preset.Strings("purposeCategories") ?? [],
                },
            };
            preset.EndObject();
        }

        node.EndObject();
        return sharing;
    }

    /// <summary>The problems found so far and where each path was written.</summary>
    private sealed class Context(string fileName)
    {
        private readonly Dictionary<string, Mark> _marks = new(StringComparer.Ordinal);

        public List<CatalogueFileProblem> Problems { get; } = [];

        public void Remember(string path, YamlNode node) => _marks[path] = node.Start;

        public void Add(YamlNode node, string path, string message) =>
            Problems.Add(new CatalogueFileProblem(fileName, (int)node.Start.Line, (int)node.Start.Column, path, message));

        /// <summary>The position of a path, or of its nearest written parent (a missing key's mapping).</summary>
        public (int Line, int Column) Locate(string path)
        {
            for (var candidate = path; candidate.Length > 0; candidate = Parent(candidate))
            {
                if (_marks.TryGetValue(candidate, out var mark))
                {
                    return ((int)mark.Line, (int)mark.Column);
                }
            }

            return (1, 1);
        }

        private static string Parent(string path)
        {
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            return cut <= 0 ? "" : path[..cut];
        }
    }

    /// <summary>A mapping being read: typed accessors that record problems instead of throwing, and a
    /// check that every key written was understood.</summary>
    private sealed class Node
    {
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public Node(Context context, YamlMappingNode mapping, string path)
        {
            Context = context;
            Mapping = mapping;
            Path = path;
            context.Remember(path, mapping);
        }

        public Context Context { get; }

        public YamlMappingNode Mapping { get; }

        public string Path { get; }

        private string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

        public YamlNode? Child(string key)
        {
            _read.Add(key);
            foreach (var (k, v) in Mapping.Children)
            {
                if (k is YamlScalarNode { Value: var name } && name == key)
                {
                    Context.Remember(PathOf(key), v);
                    return v;
                }
            }

            return null;
        }

        /// <summary>A scalar's text without marking the key as read (to look ahead at the target).</summary>
        public string? Peek(string key) =>
            Mapping.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var name } && name == key).Value is YamlScalarNode s ? s.Value : null;

        public string? String(string key, bool required = false)
        {
            switch (Child(key))
            {
                case null:
                    if (required)
                    {
                        Context.Add(Mapping, PathOf(key), $"'{key}' is required.");
                    }

                    return null;
                case YamlScalarNode { Value: var value } scalar:
                    if (required && string.IsNullOrWhiteSpace(value))
                    {
                        Context.Add(scalar, PathOf(key), $"'{key}' must not be empty.");
                    }

                    return string.IsNullOrEmpty(value) && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain ? null : value;
                case var other:
                    Context.Add(other, PathOf(key), $"'{key}' must be a single value, not a {Describe(other)}.");
                    return null;
            }
        }

        public bool? Bool(string key)
        {
            var text = String(key);
            switch (text?.ToLowerInvariant())
            {
                case null: return null;
                case "true" or "yes": return true;
                case "false" or "no": return false;
                default:
                    Context.Add(Child(key)!, PathOf(key), $"'{text}' is not true or false.");
                    return null;
            }
        }

        public double? Double(string key)
        {
            var text = String(key);
            if (text is null)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            Context.Add(Child(key)!, PathOf(key), $"'{text}' is not a number.");
            return null;
        }

        public T Enum<T>(string key, T fallback, params (string Name, T Value)[] values)
        {
            var text = String(key);
            if (text is null)
            {
                return fallback;
            }

            foreach (var (name, value) in values)
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }

            Context.Add(Child(key)!, PathOf(key), $"'{text}' is not one of {string.Join(", ", values.Select(v => v.Name))}.");
            return fallback;
        }

        public Node? Object(string key, bool required = false)
        {
            switch (Child(key))
            {
                case null:
                    if (required)
                    {
                        Context.Add(Mapping, PathOf(key), $"'{key}' is required.");
                    }

                    return null;
                case YamlMappingNode mapping:
                    return new Node(Context, mapping, PathOf(key));
                case var other:
                    Context.Add(other, PathOf(key), $"'{key}' must be a mapping (key: value lines), not a {Describe(other)}.");
                    return null;
            }
        }

        public List<Node> List(string key, bool required = false)
        {
            switch (Child(key))
            {
                case null:
                    if (required)
                    {
                        Context.Add(Mapping, PathOf(key), $"'{key}' is required.");
                    }

                    return [];
                case YamlSequenceNode sequence:
                    var nodes = new List<Node>();
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        if (sequence.Children[i] is YamlMappingNode mapping)
                        {
                            nodes.Add(new Node(Context, mapping, $"{PathOf(key)}[{i}]"));
                        }
                        else
                        {
                            Context.Add(sequence.Children[i], $"{PathOf(key)}[{i}]", $"each item of '{key}' must be a mapping.");
                        }
                    }

                    return nodes;
                case var other:
                    Context.Add(other, PathOf(key), $"'{key}' must be a list, not a {Describe(other)}.");
                    return [];
            }
        }

        /// <summary>A list of values; a single value is read as a one-item list.</summary>
        public List<string>? Strings(string key, bool required = false)
        {
            switch (Child(key))
            {
                case null:
                    if (required)
                    {
                        Context.Add(Mapping, PathOf(key), $"'{key}' is required.");
                    }

                    return null;
                case YamlScalarNode { Value: var value }:
                    return string.IsNullOrEmpty(value) ? [] : [value];
                case YamlSequenceNode sequence:
                    var values = new List<string>();
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        if (sequence.Children[i] is YamlScalarNode { Value: { } item })
                        {
                            values.Add(item);
                        }
                        else
                        {
                            Context.Add(sequence.Children[i], $"{PathOf(key)}[{i}]", "each item must be a single value.");
                        }
                    }

                    return values;
                case var other:
                    Context.Add(other, PathOf(key), $"'{key}' must be a list of values, not a {Describe(other)}.");
                    return null;
            }
        }

        public Dictionary<string, string>? Map(string key)
        {
            switch (Child(key))
            {
                case null:
                    return null;
                case YamlMappingNode mapping:
                    var map = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (k, v) in mapping.Children)
                    {
                        if (k is YamlScalarNode { Value: { } code } && v is YamlScalarNode { Value: { } value })
                        {
                            Context.Remember($"{PathOf(key)}.{code}", k);
                            if (!map.TryAdd(code, value))
                            {
                                Context.Add(k, $"{PathOf(key)}.{code}", $"the code '{code}' is mapped twice.");
                            }
                        }
                        else
                        {
                            Context.Add(k, PathOf(key), "each item of a map must be 'code: value'.");
                        }
                    }

                    return map;
                case var other:
                    Context.Add(other, PathOf(key), $"'{key}' must be a mapping of codes to values, not a {Describe(other)}.");
                    return null;
            }
        }

        /// <summary>Reports keys that nothing read: a misspelt key must not be ignored silently.</summary>
        public void EndObject()
        {
            foreach (var (k, _) in Mapping.Children)
            {
                var name = (k as YamlScalarNode)?.Value ?? "?";
                if (!_read.Contains(name))
                {
                    var hint = CatalogueValidator.Closest(name, KnownKeys);
                    Context.Add(k, PathOf(name), $"unknown key '{name}'" + (hint is null ? "." : $"; did you mean '{hint}'?"));
                }
            }
        }

        private static readonly string[] KnownKeys =
        [
            "id", "name", "description", "agency", "target", "key", "source", "delivery", "fields", "sharing", "updateDeadline",
            "provision", "themes", "authoritative", "schedule", "cron", "graceHours", "producedAt", "quarantineThreshold", "maxEndedShare", "zh", "en", "code", "column", "kind", "format", "encoding",
            "delimiter", "quote", "header", "columns", "sheet", "mode", "deletionMarker", "values", "target", "type", "required",
            "transform", "map", "identifier", "class", "legalBasis", "conditions", "mask", "autoApprove", "agencies", "agencyKinds", "purposeCategories",
        ];

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "mapping",
            YamlSequenceNode => "list",
            _ => "value",
        };
    }
}
