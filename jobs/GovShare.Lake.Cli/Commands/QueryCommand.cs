using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare query "SQL"</c>: one federated SELECT through the server's <c>POST /api/query</c>, printed as a
/// table, streamed as CSV, or saved as CSV, Parquet or Arrow.</summary>
internal static class QueryCommand
{
    public const long DefaultMaxRows = 10_000;

    /// <summary>Wider cells are cut with an ellipsis, so that one long text does not push the other columns off the screen.</summary>
    private const int MaxCellWidth = 48;

    public static Command Create(CliConsole console)
    {
        var sql = new Argument<string>("SQL")
        {
            Description = "One SELECT over population, legal_entity, geo, licence, src and themes; '-' reads it from standard input.",
        };
        var asOf = new Option<string?>("--as-of")
        {
            Description = "Read the lake at this version (a number) or instant (ISO 8601, e.g. 2026-11-20T09:00:00+08:00); default the latest.",
            HelpName = "V",
        };
        var format = new Option<string>("--format")
        {
            Description = "json: an aligned table on the terminal (default); csv: streamed to standard output or --out; parquet, arrow: need --out.",
            DefaultValueFactory = _ => "json",
        }.AcceptOnlyFromAmong("json", "csv", "parquet", "arrow");
        var output = new Option<string?>("--out")
        {
            Description = "Save the answer to this file (written as FILE.partial, renamed when complete). With json, the first page as the server sent it.",
            HelpName = "FILE",
        };
        var encoding = new Option<string>("--encoding")
        {
            Description = "The CSV's encoding: utf-8 (default) or gbk (sent as GB18030, GBK's superset, for Excel on Chinese Windows).",
            DefaultValueFactory = _ => "utf-8",
        }.AcceptOnlyFromAmong("utf-8", "gbk");
        var maxRows = new Option<long>("--max-rows")
        {
            Description = "json: fetch following pages until this many rows, then say that more exist.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultMaxRows,
        };
        var api = new ApiOptions();
        var command = new Command("query",
            "Run one read-only SELECT on the server (govshare serve), at the latest lake version or a pinned one (--as-of). " +
            "Exit code 0 on success, 1 when the server refuses the statement or cannot be reached, 2 on usage errors.")
        {
            sql, asOf, format, output, encoding, maxRows,
        };
        api.AddTo(command);
        maxRows.Validators.Add(result =>
        {
            // A token that is not a number at all is reported by the parser itself.
            if (result.Tokens is [var token] && long.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 1)
            {
                result.AddError("--max-rows must be at least 1.");
            }
        });
        command.Validators.Add(result =>
        {
            var chosen = ApiOptions.Given(result, format) ?? "json";
            if (chosen is "parquet" or "arrow" && string.IsNullOrWhiteSpace(ApiOptions.Given(result, output)))
            {
                result.AddError($"--format {chosen} is binary: name the file to write with --out FILE.");
            }

            if (ApiOptions.Given(result, encoding) == "gbk" && chosen != "csv")
            {
                result.AddError("--encoding gbk applies to --format csv only.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var text = parseResult.GetValue(sql)!;
            if (text == "-")
            {
                using var reader = new StreamReader(console.OpenInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
                text = await reader.ReadToEndAsync(cancellationToken);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                await console.Error.WriteLineAsync("govshare query: the SQL is empty.");
                return ExitCodes.Usage;
            }

            try
            {
                using var client = api.Open(parseResult);
                var chosen = parseResult.GetValue(format)!;
                var file = parseResult.GetValue(output);
                return chosen == "json" && string.IsNullOrWhiteSpace(file)
                    ? await PrintTableAsync(client, text, parseResult.GetValue(asOf), parseResult.GetValue(maxRows), console, cancellationToken)
                    : await TransferAsync(client, text, parseResult.GetValue(asOf), chosen, parseResult.GetValue(encoding)!, file, console, cancellationToken);
            }
            catch (ApiException ex)
            {
                await console.Error.WriteLineAsync($"govshare query: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <summary>The request body: <c>{"sql", "asOf", "continuation"}</c>.</summary>
    public static StringContent Body(string sql, string? asOf, string? continuation) =>
        new(JsonSerializer.Serialize(new { sql, asOf, continuation }), new UTF8Encoding(false), "application/json");

    public static string MediaType(string format) => format switch
    {
        "csv" => "text/csv",
        "parquet" => "application/vnd.apache.parquet",
        "arrow" => "application/vnd.apache.arrow.stream",
        _ => "application/json",
    };

    /// <summary>JSON pages, fetched with the continuation token until the answer or <paramref name="maxRows"/> ends, as a table.</summary>
    private static async Task<int> PrintTableAsync(ApiClient client, string sql, string? asOf, long maxRows, CliConsole console, CancellationToken cancellationToken)
    {
        var page = new QueryPage();
        string? continuation = null;
        var more = false;
        while (true)
        {
            using var request = client.Request(HttpMethod.Post, "api/query", "application/json", Body(sql, asOf, continuation));
            var (document, response) = await client.SendForJsonAsync(request, cancellationToken);
            using (document)
            using (response)
            {
                (var truncated, continuation) = page.Add(document.RootElement, maxRows, ref more);
                if (more || !truncated || continuation is null)
                {
                    break;
                }

                if (page.Rows.Count >= maxRows)
                {
                    more = true;
                    break;
                }
            }
        }

        Render(page, console.Out);
        var rows = page.Rows.Count == 1 ? "1 row" : page.Rows.Count.ToString("N0", CultureInfo.InvariantCulture) + " rows";
        await console.Error.WriteLineAsync($"{rows}, lake version {page.Version.ToString(CultureInfo.InvariantCulture)}");
        if (more)
        {
            await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"More rows exist beyond these {page.Rows.Count:N0}: raise --max-rows, or save them all with --format csv|parquet|arrow --out FILE."));
        }

        return ExitCodes.Success;
    }

    /// <summary>Any format as a stream: CSV to standard output, or anything to a file.</summary>
    private static async Task<int> TransferAsync(ApiClient client, string sql, string? asOf, string format, string encoding, string? file,
        CliConsole console, CancellationToken cancellationToken)
    {
        var path = "api/query" + (format == "csv" && encoding == "gbk" ? "?encoding=gbk" : string.Empty);
        using var request = client.Request(HttpMethod.Post, path, MediaType(format), Body(sql, asOf, null));
        using var response = await client.SendAsync(request, cancellationToken);
        var version = ApiClient.LakeVersionOf(response)?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        if (string.IsNullOrWhiteSpace(file))
        {
            await client.CopyToOutputAsync(response, console, cancellationToken);
            await console.Error.WriteLineAsync($"lake version {version}");
            return ExitCodes.Success;
        }

        var bytes = await client.SaveAsync(response, file, console, cancellationToken);
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {file} ({bytes:N0} bytes, lake version {version})"));
        if (format == "json" && await IsTruncatedAsync(file, cancellationToken))
        {
            await console.Error.WriteLineAsync("The file holds the first page only: more rows exist. Save them all with --format csv|parquet|arrow.");
        }

        return ExitCodes.Success;
    }

    private static async Task<bool> IsTruncatedAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        try
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("truncated", out var truncated) && truncated.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Columns left-aligned, numbers right-aligned, widths in terminal cells (a Chinese character takes two).</summary>
    internal static void Render(QueryPage page, TextWriter output)
    {
        var count = page.Columns.Count;
        var headers = page.Columns.Select(Cell).ToArray();
        var cells = page.Rows.Select(row => row.Select(value => value is null ? "NULL" : Cell(value)).ToArray()).ToList();
        var widths = new int[count];
        for (var i = 0; i < count; i++)
        {
            widths[i] = Math.Max(DisplayWidth(headers[i]), cells.Count == 0 ? 0 : cells.Max(row => DisplayWidth(row[i])));
        }

        var line = new StringBuilder();
        void Write(string[] values, Func<int, bool> right)
        {
            line.Clear();
            for (var i = 0; i < count; i++)
            {
                var pad = new string(' ', widths[i] - DisplayWidth(values[i]));
                line.Append(i == 0 ? string.Empty : "  ").Append(right(i) ? pad + values[i] : values[i] + pad);
            }

            output.WriteLine(line.ToString().TrimEnd());
        }

        Write(headers, i => page.Numeric[i]);
        Write(widths.Select(w => new string('-', w)).ToArray(), _ => false);
        foreach (var row in cells)
        {
            Write(row, i => page.Numeric[i]);
        }
    }

    /// <summary>A value as one line, cut to <see cref="MaxCellWidth"/> cells.</summary>
    private static string Cell(string value)
    {
        var text = new StringBuilder(value.Length);
        var width = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            var shown = rune.Value switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when Rune.IsControl(rune) => " ",
                _ => rune.ToString(),
            };
            var w = shown.Length > 1 && shown[0] == '\\' ? shown.Length : DisplayWidth(rune);
            if (width + w > MaxCellWidth - 1)
            {
                return text.Append('…').ToString();
            }

            text.Append(shown);
            width += w;
        }

        return text.ToString();
    }

    /// <summary>Terminal cells a text takes.</summary>
    internal static int DisplayWidth(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += DisplayWidth(rune);
        }

        return width;
    }

    /// <summary>East Asian wide and full-width characters take two cells, combining marks none (Unicode UAX #11, the common ranges).</summary>
    private static int DisplayWidth(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format)
        {
            return 0;
        }

        return rune.Value switch
        {
            >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0x303E or >= 0x3041 and <= 0x33FF or >= 0x3400 and <= 0x4DBF
                or >= 0x4E00 and <= 0x9FFF or >= 0xA000 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
                or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 or >= 0x1F300 and <= 0x1F64F
                or >= 0x1F900 and <= 0x1F9FF or >= 0x20000 and <= 0x3FFFD => 2,
            _ => 1,
        };
    }

    /// <summary>The rows gathered from one or more JSON answers of <c>POST /api/query</c>.</summary>
    internal sealed class QueryPage
    {
        public List<string> Columns { get; } = [];

        /// <summary>Per column: every non-null value so far is a JSON number (so the column is right-aligned).</summary>
        public List<bool> Numeric { get; } = [];

        public List<string?[]> Rows { get; } = [];

        public long Version { get; private set; }

        /// <summary>Adds an answer's rows, up to <paramref name="maxRows"/> in all; sets <paramref name="more"/> when rows were left out.</summary>
        /// <returns>Whether the server has more rows, and the token to ask for them.</returns>
        /// <exception cref="ApiException">The JSON is not a query answer.</exception>
        public (bool Truncated, string? Continuation) Add(JsonElement answer, long maxRows, ref bool more)
        {
            if (answer.ValueKind != JsonValueKind.Object
                || !answer.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array
                || !answer.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
            {
                throw new ApiException("the server's answer is not a query answer (no columns and rows); is --server a GovShare Lake server?");
            }

            if (answer.TryGetProperty("version", out var version) && version.TryGetInt64(out var number))
            {
                Version = number;
            }

            if (Columns.Count == 0)
            {
                foreach (var column in columns.EnumerateArray())
                {
                    Columns.Add(column.ValueKind == JsonValueKind.Object && column.TryGetProperty("name", out var name) ? name.ToString() : column.ToString());
                    Numeric.Add(true);
                }
            }

            foreach (var row in rows.EnumerateArray())
            {
                if (Rows.Count >= maxRows)
                {
                    more = true;
                    break;
                }

                var values = new string?[Columns.Count];
                var i = 0;
                foreach (var value in row.EnumerateArray())
                {
                    if (i >= values.Length)
                    {
                        break;
                    }

                    values[i] = value.ValueKind switch
                    {
                        JsonValueKind.Null or JsonValueKind.Undefined => null,
                        JsonValueKind.String => value.GetString(),
                        _ => value.GetRawText(),
                    };
                    if (value.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
                    {
                        Numeric[i] = false;
                    }

                    i++;
                }

                Rows.Add(values);
            }

            var truncated = answer.TryGetProperty("truncated", out var flag) && flag.ValueKind == JsonValueKind.True;
            var token = answer.TryGetProperty("continuation", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            return (truncated, token);
        }
    }
}
