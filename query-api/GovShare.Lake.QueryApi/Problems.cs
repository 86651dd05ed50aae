using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using DuckDB.NET.Data;
using GovShare.Lake.Identifiers;
using GovShare.Lake.QueryApi.Engine;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi;

/// <summary>Every error as RFC 9457 problem details, mapped in one place from the lake's error kinds.</summary>
public static partial class Problems
{
    /// <summary>The status for a lake error kind.</summary>
    public static int StatusOf(LakeErrorKind kind) => kind switch
    {
        LakeErrorKind.InvalidInput => StatusCodes.Status400BadRequest,
        LakeErrorKind.NotFound => StatusCodes.Status404NotFound,
        LakeErrorKind.Conflict => StatusCodes.Status409Conflict,
        LakeErrorKind.Unsupported => StatusCodes.Status400BadRequest,
        LakeErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>A lake exception as a problem (citizen ID numbers in the message masked).</summary>
    public static ProblemHttpResult From(LakeException ex) =>
        TypedResults.Problem(CitizenIdNumber.MaskWithin(ex.Message), statusCode: StatusOf(ex.Kind), title: TitleOf(ex.Kind));

    /// <summary>A refused or failed statement: 400 with DuckDB's message and the position in the SQL.</summary>
    public static ProblemHttpResult Sql(SqlProblem problem) =>
        TypedResults.Problem(problem.Message, statusCode: StatusCodes.Status400BadRequest, title: "The SQL cannot run",
            extensions: problem.Position is { } p
                ? new Dictionary<string, object?> { ["position"] = new { offset = p.Offset, line = p.Line, column = p.Column } }
                : null);

    /// <summary>A DuckDB error on a statement, with the position DuckDB marked (LINE n: ... and a caret).</summary>
    /// <param name="ex">DuckDB's error.</param>
    /// <param name="sql">The analyst's statement.</param>
    /// <param name="linesBefore">Lines the engine put before the statement when it wrapped it (paging, COPY).</param>
    public static SqlProblem FromDuckDb(DuckDBException ex, string sql, int linesBefore = 0)
    {
        var message = CitizenIdNumber.MaskWithin(ex.Message);
        var match = LineMarker().Match(message);
        SqlPosition? position = null;
        if (match.Success && int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var line))
        {
            line -= linesBefore;
            var caretLine = match.Groups[3].Value;
            var column = caretLine.IndexOf('^', StringComparison.Ordinal) - (match.Groups[0].Value.IndexOf(':', StringComparison.Ordinal) + 2) + 1;
            var lines = sql.Split('\n');
            if (line >= 1 && line <= lines.Length && column >= 1 && !match.Groups[2].Value.StartsWith("...", StringComparison.Ordinal))
            {
                var offset = lines.Take(line - 1).Sum(l => l.Length + 1) + column - 1;
                position = new SqlPosition(offset, line, column);
            }

            message = message[..match.Index].TrimEnd();
        }

        return new SqlProblem(message, position);
    }

    private static string TitleOf(LakeErrorKind kind) => kind switch
    {
        LakeErrorKind.InvalidInput => "Invalid input",
        LakeErrorKind.NotFound => "Not found",
        LakeErrorKind.Conflict => "Conflict",
        LakeErrorKind.Unsupported => "Not supported",
        LakeErrorKind.Forbidden => "Forbidden",
        _ => "Lake error",
    };

    [GeneratedRegex(@"LINE (\d+): ([^\n]*)\n([^\n]*\^)")]
    private static partial Regex LineMarker();
}

/// <summary>The safety net: an exception no handler expected becomes a problem without a stack trace.</summary>
internal sealed partial class LakeExceptionHandler(IProblemDetailsService problems, ILogger<LakeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            LakeException lake => (Problems.StatusOf(lake.Kind), "Lake error", CitizenIdNumber.MaskWithin(lake.Message)),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "the server could not answer; the error is in its log."),
        };
        if (status >= 500)
        {
            // The message is masked (it may quote a query's literals); the stack says where.
            LogUnexpected(exception.GetType().Name, httpContext.Request.Path, CitizenIdNumber.MaskWithin(exception.Message), exception.StackTrace);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            Exception = exception,
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ExceptionType} answering {Path}: {Reason}\n{StackTrace}")]
    private partial void LogUnexpected(string exceptionType, string path, string reason, string? stackTrace);
}
