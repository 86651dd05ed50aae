using System.CommandLine;
using System.Globalization;
using System.Text;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Formats;
using GovShare.Lake.Quality.Linkage;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare quality link</c>: reconciles a keyless legacy file against another by Fellegi-Sunter record
/// linkage, writing one CSV row per linked pair with its match weight, probability and the fields that decided it.</summary>
internal static class QualityLinkCommand
{
    /// <summary>Rows of each file read before linking starts, to recognise the fields' types.</summary>
    private const int TypeSample = 1000;

    public static Command Create(CliConsole console)
    {
        var left = new Option<string>("--left") { Description = "The first CSV file (UTF-8 or GBK, header row).", HelpName = "A.csv", Required = true };
        var right = new Option<string>("--right") { Description = "The second CSV file, linked to the first.", HelpName = "B.csv", Required = true };
        var leftId = new Option<string>("--left-id") { Description = "The column of A.csv that identifies its rows (unique).", HelpName = "COL", Required = true };
        var rightId = new Option<string>("--right-id") { Description = "The column of B.csv that identifies its rows (unique).", HelpName = "COL", Required = true };
        var fields = new Option<string>("--fields")
        {
            Description = "The columns to compare, comma-separated. A column named differently in B.csv is written A_COL=B_COL " +
                "(姓名=xm,出生日期=csrq); explanations use A's names.",
            HelpName = "F1,F2,...",
            Required = true,
        };
        var types = new Option<string?>("--types")
        {
            Description = "The fields' types in --fields order: name, date, code, text or auto (default: recognised from the first " +
                $"{TypeSample} rows of each file). Names are close when they read the same or are spelt almost the same; dates when two digits " +
                "or day and month are swapped or one digit differs; codes when one character differs; text when most words are shared.",
            HelpName = "T1,T2,...",
        };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "Link pairs whose match weight is at least W (default: the weight at which a pair is as likely a match as not). " +
                "Each field adds log2(m/u): how much likelier its agreement or difference is between records of the same person than between " +
                "two others.",
            HelpName = "W",
        };
        var block = new Option<string[]>("--block")
        {
            Description = "A blocking rule (repeatable): only pairs agreeing on it are compared, FIELD[:initial|:year] joined by '+' (FIELD as A.csv names it), e.g. " +
                "出生日期 or 姓名:initial+出生日期:year. Default: each code and date field, the name with the birth year, the name, each text field.",
            HelpName = "RULE",
        };
        var maxBlockPairs = new Option<long>("--max-block-pairs")
        {
            Description = "Skip (and report) any block with more left × right pairs than this, so one very common value cannot make the run quadratic.",
            HelpName = "N",
            DefaultValueFactory = _ => new LinkageOptions().MaxBlockPairs,
        };
        var explain = new Option<bool>("--explain") { Description = "Add an 'explanation' column: every field's verdict and weight in plain words (Chinese)." };
        var english = new Option<bool>("--english") { Description = "With --explain: the explanation in English." };
        var output = new Option<string?>("--out") { Description = "Write the pairs to this file (UTF-8 with BOM, for Excel) instead of standard output.", HelpName = "pairs.csv" };

        fields.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !TryParseFields(token.Value, out _, out var problem))
            {
                result.AddError($"--fields: {problem}");
            }
        });
        types.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !TryParseTypes(token.Value, out _, out var problem))
            {
                result.AddError($"--types: {problem}");
            }
        });
        block.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                try
                {
                    BlockingRule.Parse(token.Value);
                }
                catch (LakeException ex)
                {
                    result.AddError($"--block: {ex.Message}");
                }
            }
        });
        maxBlockPairs.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && long.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 1)
            {
                result.AddError("--max-block-pairs must be 1 or more.");
            }
        });

        var command = new Command("link",
            "Link the rows of two CSV files that share no usable key (Fellegi-Sunter: m and u estimated by EM, blocking, one-to-one). Writes one row " +
            "per linked pair: left_id, right_id, match_weight, probability, top_fields (each field's share of the weight, largest first). A summary " +
            "(pairs compared, linked, EM iterations, m and u per field) goes to standard error. Exit code 0 when done, 1 when a file cannot be read " +
            "(a missing column, a repeated id, an unreadable row), 2 on usage errors.")
        {
            left, right, leftId, rightId, fields, types, threshold, block, maxBlockPairs, explain, english, output,
        };
        command.Validators.Add(result =>
        {
            if (ApiOptions.Given(result, types) is { } typeText && ApiOptions.Given(result, fields) is { } fieldText
                && TryParseTypes(typeText, out var parsedTypes, out _) && TryParseFields(fieldText, out var parsedFields, out _)
                && parsedTypes.Count != parsedFields.Count)
            {
                result.AddError($"--types gives {parsedTypes.Count} type(s) for {parsedFields.Count} field(s); give one per field, in --fields order.");
            }

            if (ApiOptions.Given(result, fields) is { } named && TryParseFields(named, out var columns, out _) && ApiOptions.Given(result, block) is { } rules)
            {
                foreach (var rule in rules)
                {
                    try
                    {
                        foreach (var part in BlockingRule.Parse(rule).Parts.Where(part => columns.All(c => c.Left != part.Field)))
                        {
                            result.AddError($"--block {rule}: '{part.Field}' is not one of --fields (name a field by its column in A.csv).");
                        }
                    }
                    catch (LakeException)
                    {
                        // The option's own validator reports a rule that does not parse.
                    }
                }
            }

            if (ApiOptions.Given(result, english) && !ApiOptions.Given(result, explain))
            {
                result.AddError("--english applies to --explain only.");
            }
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            TryParseFields(parseResult.GetValue(fields)!, out var fieldSpecs, out _);
            var typeSpecs = parseResult.GetValue(types) is { } typeText && TryParseTypes(typeText, out var parsed, out _) ? parsed : null;
            var request = new LinkRequest(parseResult.GetValue(left)!, parseResult.GetValue(right)!, parseResult.GetValue(leftId)!.Trim(),
                parseResult.GetValue(rightId)!.Trim(), fieldSpecs, typeSpecs, parseResult.GetValue(output),
                parseResult.GetValue(explain), parseResult.GetValue(english),
                new LinkageOptions
                {
                    Threshold = parseResult.GetValue(threshold),
                    Blocking = parseResult.GetValue(block) is { Length: > 0 } rules ? [.. rules.Select(BlockingRule.Parse)] : null,
                    MaxBlockPairs = parseResult.GetValue(maxBlockPairs),
                });
            try
            {
                return Task.FromResult(Run(request, console, cancellationToken));
            }
            catch (LakeException ex)
            {
                console.Error.WriteLine($"govshare quality link: {ex.Message}");
                return Task.FromResult(ExitCodes.Failure);
            }
        });
        return command;
    }

    /// <summary>A field to compare: its column in each file (the same name unless written LEFT=RIGHT).</summary>
    internal sealed record FieldColumns(string Left, string Right);

    private sealed record LinkRequest(string Left, string Right, string LeftId, string RightId, List<FieldColumns> Fields, List<FieldType?>? Types,
        string? Output, bool Explain, bool English, LinkageOptions Options);

    /// <summary>Reads <c>--fields</c>: COL or LEFT=RIGHT, comma-separated (a full-width comma too).</summary>
    internal static bool TryParseFields(string text, out List<FieldColumns> fields, out string? problem)
    {
        fields = [];
        problem = null;
        foreach (var entry in text.Split([',', '，']))
        {
            var parts = entry.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            {
                problem = $"'{entry.Trim()}' is not a column: write COL, or A_COL=B_COL when the files name it differently.";
                return false;
            }

            var field = new FieldColumns(parts[0], parts[^1]);
            if (fields.Any(f => f.Left == field.Left))
            {
                problem = $"the column '{field.Left}' is named twice.";
                return false;
            }

            fields.Add(field);
        }

        if (fields.Count > LinkageInput.MaxFields)
        {
            problem = $"at most {LinkageInput.MaxFields} fields are compared, not {fields.Count}.";
            return false;
        }

        return true;
    }

    /// <summary>Reads <c>--types</c>: name, date, code, text or auto (null: recognise it), comma-separated.</summary>
    internal static bool TryParseTypes(string text, out List<FieldType?> types, out string? problem)
    {
        types = [];
        problem = null;
        foreach (var entry in text.Split([',', '，'], StringSplitOptions.TrimEntries))
        {
            if (entry.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                types.Add(null);
            }
            else if (FieldTypes.TryParse(entry, out var type))
            {
                types.Add(type);
            }
            else
            {
                problem = $"'{entry}' is not a type: use name, date, code, text or auto.";
                return false;
            }
        }

        return true;
    }

    private static int Run(LinkRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        using var progress = new LinkProgress(console);
        using var leftSide = Side.Open(request.Left, "--left", request.LeftId, [.. request.Fields.Select(f => f.Left)]);
        using var rightSide = Side.Open(request.Right, "--right", request.RightId, [.. request.Fields.Select(f => f.Right)]);
        leftSide.ReadSample(TypeSample);
        rightSide.ReadSample(TypeSample);

        var fields = new List<LinkageField>(request.Fields.Count);
        var inferred = new bool[request.Fields.Count];
        for (var f = 0; f < request.Fields.Count; f++)
        {
            var type = request.Types?[f];
            inferred[f] = type is null;
            fields.Add(new LinkageField(request.Fields[f].Left, type ?? FieldTypes.Infer(leftSide.SampleValues(f).Concat(rightSide.SampleValues(f)))));
        }

        var leftInput = leftSide.Load(fields, progress, cancellationToken);
        var rightInput = rightSide.Load(fields, progress, cancellationToken);
        var result = RecordLinker.Link(leftInput, rightInput, request.Options, progress, cancellationToken);
        progress.Clear();

        if (request.Output is { } file)
        {
            // Written aside and renamed when complete, so that a failed run leaves no half file under the name.
            var partial = file + ".partial";
            using (var writer = new StreamWriter(partial, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16))
            {
                WritePairs(writer, result, request.Explain, request.English);
            }

            File.Move(partial, file, overwrite: true);
        }
        else
        {
            WritePairs(console.Out, result, request.Explain, request.English);
        }

        WriteSummary(console.Error, request, leftSide, rightSide, fields, inferred, result);
        return ExitCodes.Success;
    }

    private static void WritePairs(TextWriter output, LinkageResult result, bool explain, bool english)
    {
        output.Write("left_id,right_id,match_weight,probability,top_fields" + (explain ? ",explanation\n" : "\n"));
        var line = new StringBuilder();
        foreach (var pair in result.Pairs)
        {
            line.Clear()
                .Append(QueryOutput.Csv(pair.LeftId)).Append(',')
                .Append(QueryOutput.Csv(pair.RightId)).Append(',')
                .Append(pair.Weight.ToString("0.00", CultureInfo.InvariantCulture)).Append(',')
                .Append(pair.Probability.ToString("0.000000", CultureInfo.InvariantCulture)).Append(',')
                .Append(QueryOutput.Csv(LinkageExplanation.TopFields(pair)));
            if (explain)
            {
                line.Append(',').Append(QueryOutput.Csv(LinkageExplanation.Explain(pair, english)));
            }

            output.Write(line.Append('\n'));
        }
    }

    /// <summary>What was compared, what EM estimated and what was linked, in words, on standard error.</summary>
    private static void WriteSummary(TextWriter error, LinkRequest request, Side left, Side right, List<LinkageField> fields, bool[] inferred,
        LinkageResult result)
    {
        string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
        string P(double value) => value >= 0.001 ? value.ToString("0.000", CultureInfo.InvariantCulture) : value.ToString("0.0e0", CultureInfo.InvariantCulture);
        string W(double value) => value.ToString("+0.0;−0.0;0", CultureInfo.InvariantCulture);

        error.WriteLine($"quality link: {N(left.Count)} rows of {left.Name} ({left.Description}), {N(right.Count)} rows of {right.Name} ({right.Description}).");
        error.WriteLine("fields: " + string.Join(", ", fields.Select((field, f) =>
            (request.Fields[f].Left == request.Fields[f].Right ? field.Name : $"{field.Name}={request.Fields[f].Right}") +
            $" ({field.Type.ToName()}{(inferred[f] ? ", recognised" : "")})")) + ".");
        var skipped = result.Blocking.Where(b => b.BlocksOverCap > 0).ToList();
        error.WriteLine($"compared {N(result.Compared)} pairs, by blocking rule: " +
            string.Join("; ", result.Blocking.Select(b => $"{b.Rule} {N(b.Pairs)}" +
                (b.BlocksOverCap > 0 ? $" ({N(b.BlocksOverCap)} block(s) of {N(b.PairsOverCap)} pairs over the cap of {N(request.Options.MaxBlockPairs)} skipped)" : ""))) + ".");
        var model = result.Model;
        error.WriteLine($"EM: {model.Iterations} iteration(s), {(model.Converged ? "converged" : "NOT converged (the last estimates are used)")}; " +
            $"about {N(Math.Round(model.Lambda * left.Count * right.Count))} matching pairs estimated (λ {P(model.Lambda)}).");
        foreach (var parameters in model.Fields)
        {
            var levels = new[] { ComparisonLevel.Exact, ComparisonLevel.Close, ComparisonLevel.Different };
            error.WriteLine($"  {parameters.Field.Name}: m (same person) agrees {P(parameters.M[0])}, close {P(parameters.M[1])}, differs {P(parameters.M[2])}; " +
                $"u (others) {P(parameters.U[0])}, {P(parameters.U[1])}, {P(parameters.U[2])}; " +
                $"weight {string.Join(", ", levels.Select(l => W(parameters.Weight(l))))}.");
        }

        error.WriteLine($"linked {N(result.Pairs.Count)} pairs at match weight {W(result.Threshold)} or more " +
            (request.Options.Threshold is null ? "(the weight at which a pair is as likely a match as not)" : "(--threshold)") +
            $"; {N(result.AboveThreshold)} compared pairs reached it before each row was used once" +
            (request.Output is { } file ? $"; written to {file}." : "."));
        if (skipped.Count > 0)
        {
            error.WriteLine("note: the blocks over the cap were compared only where another rule found the same pairs; to compare more, add a --block " +
                "rule that splits them, or raise --max-block-pairs.");
        }
    }

    /// <summary>One input file: its id and field columns, the rows read for type recognition, and where each record's
    /// row is (for messages).</summary>
    private sealed class Side : IDisposable
    {
        private readonly CsvFile _file;
        private readonly IEnumerator<CsvRow> _rows;
        private readonly int _id;
        private readonly int[] _fields;
        private readonly List<CsvRow> _sample = [];
        private readonly List<long> _lines = [];

        private Side(string name, CsvFile file, int id, int[] fields)
        {
            Name = name;
            _file = file;
            _id = id;
            _fields = fields;
            _rows = file.Rows().GetEnumerator();
        }

        public string Name { get; }

        public string Description => _file.Description;

        public int Count => _lines.Count;

        public static Side Open(string path, string option, string idColumn, string[] fieldColumns)
        {
            var name = Path.GetFileName(path);
            if (!File.Exists(path))
            {
                throw new LakeException(LakeErrorKind.NotFound, $"{option} {path}: no such file.");
            }

            var file = CsvFile.Open(path, [idColumn, .. fieldColumns]);
            try
            {
                var missing = fieldColumns.Prepend(idColumn).Distinct().Where(c => !file.Columns.Contains(c, StringComparer.Ordinal)).ToList();
                if (missing.Count > 0)
                {
                    var namedIn = missing.Contains(idColumn) ? $"{option}-id or --fields" : "--fields";
                    throw new LakeException(LakeErrorKind.InvalidInput,
                        $"{name} ({option}) has no column {string.Join(", ", missing.Select(c => $"'{c}'"))} (named in {namedIn}); " +
                        $"its columns are: {CitizenIdNumber.MaskWithin(string.Join(", ", file.Columns))}.");
                }

                var columns = file.Columns.ToList();
                return new Side(name, file, columns.IndexOf(idColumn), [.. fieldColumns.Select(c => columns.IndexOf(c))]);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public void ReadSample(int rows)
        {
            while (_sample.Count < rows && _rows.MoveNext())
            {
                _sample.Add(_rows.Current);
            }
        }

        public IEnumerable<string?> SampleValues(int field) =>
            _sample.Where(row => row.Problem is null).Select(row => row.Values[_fields[field]]);

        /// <summary>Every row into a linkage side: the sample, then the rest of the file.</summary>
        public LinkageInput Load(IReadOnlyList<LinkageField> fields, LinkProgress progress, CancellationToken cancellationToken)
        {
            var input = new LinkageInput(Name, fields);
            var values = new string?[_fields.Length];
            foreach (var row in _sample.Concat(Rest()))
            {
                if (row.Problem is not null)
                {
                    throw new LakeException(LakeErrorKind.InvalidInput, $"{Name}, line {row.Line}: {row.Problem}; the row cannot be read. Nothing was linked.");
                }

                var id = row.Values[_id]?.Trim();
                if (string.IsNullOrEmpty(id))
                {
                    throw new LakeException(LakeErrorKind.InvalidInput, $"{Name}, line {row.Line}: the id column '{_file.Columns[_id]}' is empty; every row needs an id.");
                }

                for (var f = 0; f < values.Length; f++)
                {
                    values[f] = row.Values[_fields[f]];
                }

                if (!input.TryAdd(id, values, out var existing))
                {
                    throw new LakeException(LakeErrorKind.InvalidInput,
                        $"{Name}, line {row.Line}: the id '{CitizenIdNumber.MaskWithin(id)}' in column '{_file.Columns[_id]}' is already on line {_lines[existing]}; " +
                        "ids must be unique.");
                }

                _lines.Add(row.Line);
                if (_lines.Count % 100_000 == 0)
                {
                    progress.Reading(Name, _lines.Count);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            _sample.Clear();
            return input;
        }

        private IEnumerable<CsvRow> Rest()
        {
            while (_rows.MoveNext())
            {
                yield return _rows.Current;
            }
        }

        public void Dispose()
        {
            _rows.Dispose();
            _file.Dispose();
        }
    }

    /// <summary>A one-line progress display on standard error, drawn only when a person watches it.</summary>
    private sealed class LinkProgress(CliConsole console) : IProgress<LinkageProgress>, IDisposable
    {
        private DateTime _last = DateTime.MinValue;
        private bool _drawn;

        public void Reading(string file, long rows) => Draw($"reading {file}: {rows.ToString("N0", CultureInfo.InvariantCulture)} rows");

        public void Report(LinkageProgress value) => Draw($"{value.Stage}: {value.Pairs.ToString("N0", CultureInfo.InvariantCulture)} pairs compared");

        private void Draw(string text)
        {
            if (!console.ErrorIsTerminal || (DateTime.UtcNow - _last).TotalMilliseconds < 200)
            {
                return;
            }

            _last = DateTime.UtcNow;
            console.Error.Write("\r" + text.PadRight(70));
            _drawn = true;
        }

        public void Clear()
        {
            if (_drawn)
            {
                console.Error.Write("\r" + new string(' ', 70) + "\r");
                _drawn = false;
            }
        }

        public void Dispose() => Clear();
    }
}
