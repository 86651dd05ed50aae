using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Formats;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>Streams a dataset's rows into its file in the dataset's format and encoding.</summary>
internal static class SampleFileWriter
{
    private static readonly Encoding Gbk = CreateGbk();

    public static void Write(DatasetRun run, string path)
    {
        var dataset = run.Dataset;
        var rows = run.Number(dataset.Rows(run));
        switch (dataset.Format)
        {
            case SampleFormat.Csv:
                using (var stream = CreateFile(path))
                {
                    WriteCsv(stream, dataset, rows);
                }

                break;
            case SampleFormat.JsonLines:
                using (var stream = CreateFile(path))
                {
                    WriteJsonLines(stream, dataset.Columns, rows);
                }

                break;
            case SampleFormat.Xlsx:
                using (var stream = CreateFile(path))
                {
                    XlsxWriter.Write(stream, dataset.SheetName, dataset.Columns, rows);
                }

                break;
            case SampleFormat.Parquet:
                WriteParquet(path, dataset, rows);
                break;
            default:
                throw new InvalidOperationException($"unknown format {dataset.Format}");
        }
    }

    private static FileStream CreateFile(string path) =>
        new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

    private static void WriteCsv(Stream stream, SampleDataset dataset, IEnumerable<string?[]> rows)
    {
        var encoding = dataset.Encoding switch
        {
            SampleEncoding.Gbk => Gbk,
            SampleEncoding.Utf8WithBom => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true),
            _ => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
        };
        using var writer = new StreamWriter(stream, encoding, 1 << 16) { NewLine = dataset.CrLf ? "\r\n" : "\n" };
        WriteCsvLine(writer, dataset.Columns);
        foreach (var row in rows)
        {
            WriteCsvLine(writer, row);
        }
    }

    private static void WriteCsvLine(TextWriter writer, IReadOnlyList<string?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            CsvText.WriteField(writer, values[i], ',');
        }

        writer.WriteLine();
    }

    private static void WriteJsonLines(Stream stream, IReadOnlyList<string> columns, IEnumerable<string?[]> rows)
    {
        // Agencies' exports write Chinese as is, not as \uXXXX escapes.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };
        var names = columns.Select(c => JsonEncodedText.Encode(c, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)).ToArray();
        using var buffered = new BufferedStream(stream, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, options);
        foreach (var row in rows)
        {
            writer.WriteStartObject();
            for (var i = 0; i < names.Length; i++)
            {
                if (row[i] is null)
                {
                    writer.WriteNull(names[i]);
                }
                else
                {
                    writer.WriteString(names[i], row[i]);
                }
            }

            writer.WriteEndObject();
            writer.Flush();
            writer.Reset();
            buffered.WriteByte((byte)'\n');
        }
    }

    /// <summary>Rows go to a temporary CSV first, then DuckDB copies it into Parquet with the declared column
    /// types; both stream, so memory stays flat whatever the row count.</summary>
    private static void WriteParquet(string path, SampleDataset dataset, IEnumerable<string?[]> rows)
    {
        var temporary = path + ".tmp.csv";
        try
        {
            using (var stream = CreateFile(temporary))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" })
            {
                foreach (var row in rows)
                {
                    WriteCsvLine(writer, row);
                }
            }

            var columns = string.Join(", ", dataset.Columns.Select((c, i) => $"{LakeDuckDb.Literal(c)}: {LakeDuckDb.Literal(dataset.ParquetTypes[i])}"));
            using var connection = LakeDuckDb.OpenInMemory();
            // One thread keeps the row groups, and so the file's bytes, the same from run to run.
            LakeDuckDb.Execute(connection, "SET threads = 1");
            LakeDuckDb.Execute(connection, "SET preserve_insertion_order = true");
            LakeDuckDb.Execute(connection,
                $"COPY (SELECT * FROM read_csv({LakeDuckDb.Literal(temporary)}, header = false, delim = ',', quote = '\"', escape = '\"', " +
                $"columns = {{{columns}}}, dateformat = '%Y-%m-%d', nullstr = '', auto_detect = false)) " +
                $"TO {LakeDuckDb.Literal(path)} (FORMAT parquet, COMPRESSION zstd)");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static Encoding CreateGbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }
}
