using System.Text;
using GovShare.Lake.Engine;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Results;
using GovShare.Lake.Text;
using Microsoft.Net.Http.Headers;

namespace GovShare.Lake.QueryApi.Query;

/// <summary>The formats a result can be sent in.</summary>
public enum ResultFormat
{
    /// <summary><c>application/json</c>: columns, rows, version (the query endpoint's default).</summary>
    Json,

    /// <summary><c>text/csv</c>, UTF-8 or GB18030.</summary>
    Csv,

    /// <summary><c>application/vnd.apache.parquet</c>.</summary>
    Parquet,

    /// <summary><c>application/vnd.apache.arrow.stream</c> (Arrow IPC stream).</summary>
    Arrow,

    /// <summary><c>application/x-ndjson</c>: one JSON object per row.</summary>
    JsonLines,
}

/// <summary>Content negotiation and streaming of results in every format, shared by queries and theme exports.</summary>
public static class ResultFormats
{
    /// <summary>The media type of each format.</summary>
    public static string MediaType(ResultFormat format) => format switch
    {
        ResultFormat.Csv => "text/csv",
        ResultFormat.Parquet => "application/vnd.apache.parquet",
        ResultFormat.Arrow => "application/vnd.apache.arrow.stream",
        ResultFormat.JsonLines => "application/x-ndjson",
        _ => "application/json",
    };

    /// <summary>The file extension of each format.</summary>
    public static string Extension(ResultFormat format) => format switch
    {
        ResultFormat.Csv => "csv",
        ResultFormat.Parquet => "parquet",
        ResultFormat.Arrow => "arrows",
        ResultFormat.JsonLines => "jsonl",
        _ => "json",
    };

    /// <summary>The format an <c>Accept</c> header asks for (by quality, then order); JSON when it accepts anything;
    /// null when it accepts none of the formats.</summary>
    public static ResultFormat? FromAccept(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept) || !MediaTypeHeaderValue.TryParseList([accept], out var types))
        {
            return ResultFormat.Json;
        }

        foreach (var type in types.OrderByDescending(t => t.Quality ?? 1.0))
        {
            var media = type.MediaType.Value?.ToLowerInvariant();
            ResultFormat? format = media switch
            {
                "application/json" or "*/*" or "application/*" or "application/problem+json" => ResultFormat.Json,
                "text/csv" or "text/*" => ResultFormat.Csv,
                "application/vnd.apache.parquet" or "application/x-parquet" or "application/parquet" => ResultFormat.Parquet,
                "application/vnd.apache.arrow.stream" => ResultFormat.Arrow,
                "application/x-ndjson" or "application/jsonl" or "application/jsonlines" => ResultFormat.JsonLines,
                _ => null,
            };
            if (format is not null)
            {
                return format;
            }
        }

        return null;
    }

    /// <summary>A format by its short name (<c>parquet</c>, <c>csv</c>, <c>arrow</c>, <c>jsonl</c>, <c>json</c>), or null.</summary>
    public static ResultFormat? FromName(string? name) => name?.ToLowerInvariant() switch
    {
        "json" => ResultFormat.Json,
        "csv" => ResultFormat.Csv,
        "parquet" => ResultFormat.Parquet,
        "arrow" => ResultFormat.Arrow,
        "jsonl" or "ndjson" => ResultFormat.JsonLines,
        _ => null,
    };

    /// <summary>The text encoding a CSV is asked in: UTF-8 by default; <c>gbk</c> (or <c>gb18030</c>) gives GB18030,
    /// GBK's superset, so that characters outside GBK survive; null for anything else.</summary>
    public static Encoding? CsvEncoding(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" => new UTF8Encoding(false),
        "gbk" or "gb18030" or "gb2312" => TextEncodings.Gb18030,
        _ => null,
    };

    /// <summary>The 400 problem for an encoding <see cref="CsvEncoding"/> does not know.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnknownEncoding(string? encoding) =>
        TypedResults.Problem($"encoding '{encoding}' is not offered: use utf-8 (default) or gbk (sent as GB18030, GBK's superset).",
            statusCode: StatusCodes.Status400BadRequest, title: "Unknown encoding");

    /// <summary>Streams a running query's rows as CSV, Arrow or JSON Lines into the response.</summary>
    public static async Task<long> StreamAsync(RunningQuery query, ResultFormat format, Encoding csvEncoding, Stream body)
    {
        return format switch
        {
            ResultFormat.Csv => await CsvResultWriter.WriteAsync(query.Reader, body, csvEncoding, query.Token),
            ResultFormat.Arrow => await ArrowResultWriter.WriteAsync(query.Reader, body, query.Token),
            ResultFormat.JsonLines => await JsonLinesResultWriter.WriteAsync(query.Reader, body, query.Token),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "stream CSV, Arrow or JSON Lines"),
        };
    }

    /// <summary>Writes a query's result to a Parquet file with DuckDB's writer (zstd), through a temporary name so
    /// that a reader never sees half a file.</summary>
    public static void WriteParquet(LakeEngine engine, LakeLease lease, string sql, string path, CancellationToken aborted, TimeSpan? timeLimit = null)
    {
        var partial = path + "." + Guid.NewGuid().ToString("N") + ".partial";
        try
        {
            RunningQuery.Execute(engine, lease,
                $"COPY (\n{sql}\n) TO {LakeDuckDb.Literal(partial)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)", aborted, timeLimit);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
