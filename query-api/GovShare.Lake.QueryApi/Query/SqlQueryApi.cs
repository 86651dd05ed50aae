using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.QueryApi.Access;
using GovShare.Lake.Evidence;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Evidence;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.QueryApi.Results;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Query;

/// <summary>A federated SQL query.</summary>
/// <param name="Sql">One SELECT over population, legal_entity, geo, licence, src, themes and quality.</param>
/// <param name="AsOf">The lake version (a number) or instant (ISO 8601) to read; default the latest.</param>
/// <param name="Continuation">The token of the previous page, to read the next one (same SQL).</param>
public sealed record QueryRequest(string Sql, string? AsOf = null, string? Continuation = null);

/// <summary>A JSON query answer.</summary>
/// <param name="Version">The lake version every table was read at.</param>
/// <param name="Columns">Names and DuckDB types.</param>
/// <param name="Rows">The rows, as arrays in column order.</param>
/// <param name="RowCount">Rows in this answer.</param>
/// <param name="Offset">Rows before this page.</param>
/// <param name="Truncated">True when more rows follow: send <paramref name="Continuation"/> with the same SQL.</param>
/// <param name="Continuation">The token for the next page, or null.</param>
internal sealed record QueryResponse(
    long Version, IReadOnlyList<ResultColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, int RowCount, long Offset, bool Truncated, string? Continuation);

/// <summary><c>POST /api/query</c>: analysts' federated SQL over the base databases, pinned to one lake version.</summary>
public static partial class SqlQueryApi
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps <c>/api/query</c>.</summary>
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/query", RunQuery)
            .WithName("RunQuery")
            .WithSummary("Run one read-only SELECT over the lake, at the latest or a pinned version")
            .WithDescription("JSON by default (at most Engine:MaxRows rows, then a continuation token). By Accept: text/csv (?encoding=gbk for GB18030), " +
                "application/vnd.apache.parquet, application/vnd.apache.arrow.stream, application/x-ndjson — streamed in bounded memory. " +
                "The lake version read is in the X-Lake-Version header.")
            .WithTags("Query")
            .Accepts<QueryRequest>("application/json")
            .Produces<QueryResponse>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/vnd.apache.parquet", "application/vnd.apache.arrow.stream", "application/x-ndjson"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status406NotAcceptable)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .RequireParty();
        return endpoints;
    }

    /// <summary>Runs the statement and answers in the negotiated format.</summary>
    internal static async Task<IResult> RunQuery(QueryRequest? request, HttpContext context, LakeEngine engine, AccessPolicy policy, EvidenceVault vault, TimeProvider clock,
        ILoggerFactory loggers, GovShare.Lake.QueryApi.Quality.OpenMismatches mismatches, [FromQuery] string? encoding)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.Sql))
        {
            return TypedResults.Problem("send a JSON body {\"sql\": \"SELECT ...\", \"asOf\": optional}.", statusCode: StatusCodes.Status400BadRequest, title: "No SQL");
        }

        if (ResultFormats.FromAccept(context.Request.Headers.Accept.ToString()) is not { } format)
        {
            return TypedResults.Problem($"Accept '{context.Request.Headers.Accept}' names no format this endpoint sends: application/json, text/csv, " +
                "application/vnd.apache.parquet, application/vnd.apache.arrow.stream, application/x-ndjson.", statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable");
        }

        if (ResultFormats.CsvEncoding(encoding) is not { } csvEncoding)
        {
            return ResultFormats.UnknownEncoding(encoding);
        }

        var sql = TrimTail(request.Sql);
        long offset = 0;
        var asOf = request.AsOf;
        if (request.Continuation is { Length: > 0 } token)
        {
            if (Continuation.Read(token, sql) is not { } page)
            {
                return TypedResults.Problem("the continuation token is malformed or belongs to another statement; send the same SQL with the token you were given.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Bad continuation");
            }

            (asOf, offset) = (page.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Offset);
        }

        LakeLease lease;
        var profile = policy.For(context.Party().Agency);
        try
        {
            lease = engine.Pin(asOf, profile, allReports: context.Party().Kind == GovShare.Lake.Platform.AgencyKind.Operator);
        }
        catch (LakeException ex)
        {
            return Problems.From(ex);
        }

        using (lease)
        {
            var tables = new List<string>();
            using (var check = engine.Connect(lease))
            {
                var audit = context.Audit();
                audit.QueryHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
                var refused = SqlSandbox.Check(check, sql, tables);
                audit.Touch(tables);
                if (refused is not null)
                {
                    LogRefused(loggers.CreateLogger(typeof(SqlQueryApi).FullName!), context.Party().Agency, refused.Position?.Line ?? 0, refused.Position?.Column ?? 0);
                    return Problems.Sql(refused);
                }
            }

            // The sharing classes: a view the agency may not read is refused by name, before anything runs.
            if (AccessProblems.ForViews(tables, lease, profile) is { } denied)
            {
                return denied;
            }

            // Mismatch reports are not versioned with the lake: a statement reads them as they are now (another
            // process's steps included).
            if (tables.Any(t => t.StartsWith("quality.", StringComparison.Ordinal)))
            {
                mismatches.Refresh();
            }

            IResult Failed(DuckDBException ex, int linesBefore) =>
                AccessProblems.ForMissingColumn(ex, tables, lease, profile) ?? Problems.Sql(Problems.FromDuckDb(ex, sql, linesBefore));

            // Certificate data comes with a signed receipt over the exact bytes served.
            Action<byte[]>? receipt = ExportEvidence.Touches(tables, engine)
                ? bytes => ExportEvidence.Attach(context, vault, clock, "query:" + context.Audit().QueryHash, lease.Version, bytes)
                : null;

            context.Response.Headers["X-Lake-Version"] = lease.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            try
            {
                switch (format)
                {
                    case ResultFormat.Json:
                        return await AnswerJson(engine, lease, sql, offset, context, receipt);
                    case ResultFormat.Parquet:
                        return await AnswerParquet(engine, lease, sql, context, receipt);
                    case var streamed when receipt is not null:
                        return await AnswerMaterialized(engine, lease, sql, streamed, csvEncoding, context, receipt);
                    default:
                        using (var running = RunningQuery.Start(engine, lease, sql, context.RequestAborted))
                        {
                            return await StreamOrProblem(context, sql, ex => Failed(ex, 0), async () =>
                            {
                                context.Response.ContentType = ResultFormats.MediaType(format) + (format == ResultFormat.Csv ? "; charset=" + csvEncoding.WebName : "");
                                var rows = await ResultFormats.StreamAsync(running, format, csvEncoding, context.Response.Body);
                                context.Audit().Rows = rows;
                                return rows;
                            });
                        }
                }
            }
            catch (DuckDBException ex)
            {
                // Pages and Parquet files wrap the statement after one line of their own.
                return Failed(ex, format is ResultFormat.Json or ResultFormat.Parquet ? 1 : 0);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return TimedOut(engine);
            }
        }
    }

    /// <summary>Runs a writer that streams into the response; a failure before the first byte is still a problem,
    /// a failure after it aborts the response so that the client never takes a cut-off body for a whole one.</summary>
    internal static async Task<IResult> StreamOrProblem(HttpContext context, string sql, Func<DuckDBException, IResult>? failed, Func<Task<long>> write)
    {
        try
        {
            await write();
            return TypedResults.Empty;
        }
        catch (Exception ex) when (ex is DuckDBException or OperationCanceledException && !context.Response.HasStarted)
        {
            context.Response.ContentType = null;
            if (ex is DuckDBException duck)
            {
                return failed?.Invoke(duck) ?? Problems.Sql(Problems.FromDuckDb(duck, sql));
            }

            throw;
        }
        catch (Exception ex) when (ex is DuckDBException or OperationCanceledException or IOException)
        {
            context.Abort();
            return TypedResults.Empty;
        }
    }

    internal static ProblemHttpResult TimedOut(LakeEngine engine) =>
        TypedResults.Problem($"the statement ran longer than the limit of {engine.Options.QueryTimeout.TotalSeconds:0} s and was interrupted; " +
            "narrow it (filters, fewer joins) or export the data instead.", statusCode: StatusCodes.Status408RequestTimeout, title: "Query timed out");

    /// <summary>408 for an export that ran past <see cref="EngineOptions.ExportTimeout"/>.</summary>
    internal static ProblemHttpResult ExportTimedOut(LakeEngine engine) =>
        TypedResults.Problem($"the export ran longer than Engine:ExportTimeout ({engine.Options.ExportTimeout}) and was interrupted.",
            statusCode: StatusCodes.Status408RequestTimeout, title: "Export timed out");

    private static async Task<IResult> AnswerJson(LakeEngine engine, LakeLease lease, string sql, long offset, HttpContext context, Action<byte[]>? receipt)
    {
        var cap = engine.Options.MaxRows;
        var paged = $"SELECT * FROM (\n{sql}\n) LIMIT {cap + 1} OFFSET {offset}";

        // A page is small (the row cap), so it is built in memory: an error mid-way is still a clean 400.
        using var buffer = new MemoryStream();
        using (var running = RunningQuery.Start(engine, lease, paged, context.RequestAborted))
        await using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", lease.Version);
            writer.WritePropertyName("columns");
            JsonResultWriter.WriteColumns(writer, ResultColumns.Describe(running.Reader));
            writer.WritePropertyName("rows");
            var (rows, truncated) = await JsonResultWriter.WriteRowsAsync(running.Reader, writer, cap, () => Task.CompletedTask, running.Token);
            context.Audit().Rows = rows;
            writer.WriteNumber("rowCount", rows);
            writer.WriteNumber("offset", offset);
            writer.WriteBoolean("truncated", truncated);
            if (truncated)
            {
                writer.WriteString("continuation", Continuation.Write(sql, lease.Version, offset + rows));
            }
            else
            {
                writer.WriteNull("continuation");
            }

            writer.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        receipt?.Invoke(bytes);
        return TypedResults.Bytes(bytes, "application/json");
    }

    /// <summary>A streamed format whose bytes must be signed before they are served: written to a file first.</summary>
    private static async Task<IResult> AnswerMaterialized(LakeEngine engine, LakeLease lease, string sql, ResultFormat format, Encoding csvEncoding, HttpContext context,
        Action<byte[]> receipt)
    {
        var path = Path.Combine(engine.ExportDirectory, $"query-{Guid.NewGuid():N}.{ResultFormats.Extension(format)}");
        try
        {
            using (var running = RunningQuery.Start(engine, lease, sql, context.RequestAborted))
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                context.Audit().Rows = await ResultFormats.StreamAsync(running, format, csvEncoding, file);
            }

            var bytes = await File.ReadAllBytesAsync(path, context.RequestAborted);
            receipt(bytes);
            return TypedResults.Bytes(bytes, ResultFormats.MediaType(format) + (format == ResultFormat.Csv ? "; charset=" + csvEncoding.WebName : ""));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<IResult> AnswerParquet(LakeEngine engine, LakeLease lease, string sql, HttpContext context, Action<byte[]>? receipt)
    {
        var path = Path.Combine(engine.ExportDirectory, $"query-{Guid.NewGuid():N}.parquet");
        try
        {
            ResultFormats.WriteParquet(engine, lease, sql, path, context.RequestAborted);
            if (receipt is not null)
            {
                receipt(await File.ReadAllBytesAsync(path, context.RequestAborted));
            }

            context.Response.ContentType = ResultFormats.MediaType(ResultFormat.Parquet);
            context.Response.ContentLength = new FileInfo(path).Length;
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.SequentialScan))
            {
                await file.CopyToAsync(context.Response.Body, context.RequestAborted);
            }

            return TypedResults.Empty;
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The position only: the reason may quote the statement's literals (names, numbers), which are not logged.
    [LoggerMessage(Level = LogLevel.Information, Message = "Statement from {Agency} refused by the sandbox at line {Line}, column {Column}")]
    private static partial void LogRefused(ILogger logger, string agency, int line, int column);

    /// <summary>The statement without what may follow its end: whitespace, a final semicolon and a comment after it.
    /// Paging and Parquet wrap the statement in parentheses, where a semicolon or a trailing line comment would break
    /// it. A wrong cut (a semicolon inside a string at the very end) only makes the statement fail to parse.</summary>
    internal static string TrimTail(string sql)
    {
        var text = sql.Trim();
        while (true)
        {
            var semicolon = text.LastIndexOf(';');
            if (semicolon < 0)
            {
                return text;
            }

            var after = text[(semicolon + 1)..].Trim();
            var isComment = after.Length == 0
                || (after.StartsWith("--", StringComparison.Ordinal) && !after.Contains('\n', StringComparison.Ordinal))
                || (after.StartsWith("/*", StringComparison.Ordinal) && after.EndsWith("*/", StringComparison.Ordinal) && after.IndexOf("*/", StringComparison.Ordinal) == after.Length - 2);
            if (!isComment)
            {
                return text;
            }

            text = text[..semicolon].TrimEnd();
        }
    }
}

/// <summary>Continuation tokens: the version, the offset and a hash of the statement, so that the next page reads the
/// same version of the same statement.</summary>
internal static class Continuation
{
    public sealed record Page(long Version, long Offset);

    public static string Write(string sql, long version, long offset)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new { v = version, o = offset, h = Hash(sql) });
        return System.Buffers.Text.Base64Url.EncodeToString(json);
    }

    public static Page? Read(string token, string sql)
    {
        try
        {
            using var document = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token));
            var root = document.RootElement;
            return root.GetProperty("h").GetString() == Hash(sql) && root.GetProperty("o").GetInt64() is >= 0 and var offset
                ? new Page(root.GetProperty("v").GetInt64(), offset)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Hash(string sql) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16];
}
