using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;
using GovShare.Lake.QueryApi.Results;

namespace GovShare.Lake.QueryApi.Tests.Results;

/// <summary>The result writers against a real in-memory DuckDB, read back by DuckDB's own CSV reader,
/// Apache Arrow's IPC reader and System.Text.Json.</summary>
public sealed class ResultWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-results-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDBConnection _duck;

    static ResultWriterTests()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public ResultWriterTests()
    {
        Directory.CreateDirectory(_folder);
        _duck = LakeDuckDb.OpenInMemory();
    }

    /// <summary>One column per type: row 1 and row 2 hold values (edge values in row 2), row 3 holds NULLs.</summary>
    private static readonly (string Name, string Type, string First, string Second)[] Columns =
    [
        ("text", "VARCHAR", "'你好，世界'", "'a,b \"quoted\"' || chr(13) || chr(10) || 'next line'"),
        ("note", "VARCHAR", "''", "'𠀀 and ''single'' quotes'"),
        ("flag", "BOOLEAN", "true", "false"),
        ("tiny", "TINYINT", "-128", "127"),
        ("small", "SMALLINT", "-32768", "32767"),
        ("int", "INTEGER", "-2147483648", "2147483647"),
        ("big", "BIGINT", "-9223372036854775808", "9223372036854775807"),
        ("utiny", "UTINYINT", "255", "0"),
        ("usmall", "USMALLINT", "65535", "0"),
        ("uint", "UINTEGER", "4294967295", "0"),
        ("ubig", "UBIGINT", "18446744073709551615", "0"),
        ("huge", "HUGEINT", "-170141183460469231731687303715884105728", "170141183460469231731687303715884105727"),
        ("uhuge", "UHUGEINT", "340282366920938463463374607431768211455", "0"),
        ("real", "FLOAT", "1.5", "'Infinity'"),
        ("dbl", "DOUBLE", "0.1", "'NaN'"),
        ("dec", "DECIMAL(20,2)", "12345678.90", "-0.05"),
        ("dec38", "DECIMAL(38,10)", "1234567890123456789012345678.0123456789", "-0.0000000001"),
        ("day", "DATE", "'2024-02-29'", "'0001-01-01'"),
        ("tm", "TIME", "'13:14:15.123456'", "'00:00:00'"),
        ("tmtz", "TIMETZ", "'13:14:15+08:30'", "'00:00:00-05'"),
        ("ts", "TIMESTAMP", "'2024-02-29 13:14:15.123456'", "'2024-02-29 13:14:15'"),
        ("tstz", "TIMESTAMPTZ", "'2024-02-29 13:14:15.5+08'", "'2024-02-29 13:14:15+00'"),
        ("iv", "INTERVAL", "'1 year 2 months 3 days 04:05:06.789'", "'-1 day -2 hours'"),
        ("bytes", "BLOB", @"'\xAA\x00AB\x5C'", "''"),
        ("uid", "UUID", "'0f8fad5b-d9cb-469f-a165-70867728950e'", "'00000000-0000-0000-0000-000000000000'"),
        ("list", "INTEGER[]", "[1, NULL, 3]", "[]"),
        ("struct", "STRUCT(name VARCHAR, n INTEGER)", "{'name': '北京', 'n': 1}", "{'name': '', 'n': NULL}"),
        ("map", "MAP(VARCHAR, INTEGER)", "MAP {'a': 1, 'b': NULL}", "MAP {}"),
        ("arr", "INTEGER[2]", "[1, 2]", "[NULL, 4]"),
    ];

    private static string AllTypesSql()
    {
        string Row(int id, Func<(string Name, string Type, string First, string Second), string> value) =>
            $"SELECT {id} AS id, " + string.Join(", ", Columns.Select(c => $"CAST({value(c)} AS {c.Type}) AS \"{c.Name}\""));

        return $"SELECT * FROM ({Row(1, c => c.First)} UNION ALL {Row(2, c => c.Second)} UNION ALL {Row(3, _ => "NULL")}) ORDER BY id";
    }

    /// <summary>What the JSON writers write for rows 1 and 2; row 3 is all nulls.</summary>
    private static readonly Dictionary<string, (string First, string Second)> ExpectedJson = new()
    {
        ["text"] = ("\"你好，世界\"", "\"a,b \\\"quoted\\\"\\r\\nnext line\""),
        ["note"] = ("\"\"", "\"𠀀 and 'single' quotes\""),
        ["flag"] = ("true", "false"),
        ["tiny"] = ("-128", "127"),
        ["small"] = ("-32768", "32767"),
        ["int"] = ("-2147483648", "2147483647"),
        ["big"] = ("-9223372036854775808", "9223372036854775807"),
        ["utiny"] = ("255", "0"),
        ["usmall"] = ("65535", "0"),
        ["uint"] = ("4294967295", "0"),
        ["ubig"] = ("18446744073709551615", "0"),
        ["huge"] = ("\"-170141183460469231731687303715884105728\"", "\"170141183460469231731687303715884105727\""),
        ["uhuge"] = ("\"340282366920938463463374607431768211455\"", "\"0\""),
        ["real"] = ("1.5", "\"Infinity\""),
        ["dbl"] = ("0.1", "\"NaN\""),
        ["dec"] = ("12345678.90", "-0.05"),
        ["dec38"] = ("1234567890123456789012345678.0123456789", "-0.0000000001"),
        ["day"] = ("\"2024-02-29\"", "\"0001-01-01\""),
        ["tm"] = ("\"13:14:15.123456\"", "\"00:00:00\""),
        ["tmtz"] = ("\"13:14:15+08:30\"", "\"00:00:00-05:00\""),
        ["ts"] = ("\"2024-02-29T13:14:15.123456\"", "\"2024-02-29T13:14:15\""),
        ["tstz"] = ("\"2024-02-29T05:14:15.5+00:00\"", "\"2024-02-29T13:14:15+00:00\""),
        ["iv"] = ("\"1 year 2 months 3 days 04:05:06.789\"", "\"-1 day -02:00:00\""),
        ["bytes"] = ("\"" + Convert.ToBase64String([0xAA, 0x00, 0x41, 0x42, 0x5C]) + "\"", "\"\""),
        ["uid"] = ("\"0f8fad5b-d9cb-469f-a165-70867728950e\"", "\"00000000-0000-0000-0000-000000000000\""),
        ["list"] = ("[1,null,3]", "[]"),
        ["struct"] = ("{\"name\":\"北京\",\"n\":1}", "{\"name\":\"\",\"n\":null}"),
        ["map"] = ("{\"a\":1,\"b\":null}", "{}"),
        ["arr"] = ("[1,2]", "[null,4]"),
    };

    [Fact]
    public async Task Describe_Should_NameTypesAsDuckDbPrintsThem_When_TheResultHasEveryType()
    {
        var described = await Read(AllTypesSql(), reader => Task.FromResult(ResultColumns.Describe(reader)));
        var typeofSql = "SELECT " + string.Join(", ", Columns.Select(c => $"typeof(\"{c.Name}\")")) + $" FROM ({AllTypesSql()}) LIMIT 1";
        var duckTypes = await Read(typeofSql, reader =>
        {
            reader.Read();
            return Task.FromResult(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList());
        });

        Assert.Equal(["id", .. Columns.Select(c => c.Name)], described.Select(c => c.Name));
        Assert.Equal("INTEGER", described[0].Type);
        for (var i = 0; i < Columns.Length; i++)
        {
            // DuckDB.NET does not expose a STRUCT's fields or an ARRAY's size (see ResultColumns.Describe).
            var expected = Columns[i].Name switch
            {
                "struct" => "STRUCT",
                "arr" => "INTEGER[]",
                _ => duckTypes[i],
            };
            Assert.Equal(expected, described[i + 1].Type);
        }
    }

    [Fact]
    public async Task Csv_Should_RoundTripThroughDuckDbReadCsv_When_TextHasQuotesCommasAndNewlines()
    {
        var body = new ResponseBody();
        var rows = await Read(AllTypesSql(), reader => CsvResultWriter.WriteAsync(reader, body, new UTF8Encoding(false), CancellationToken.None));
        var path = Path.Combine(_folder, "all-types.csv");
        await File.WriteAllBytesAsync(path, body.ToArray());

        Assert.Equal(3, rows);
        Assert.False(body.ToArray().AsSpan().StartsWith(Encoding.UTF8.Preamble));
        var text = Encoding.UTF8.GetString(body.ToArray());
        Assert.StartsWith("id,text,note,flag,", text, StringComparison.Ordinal);
        Assert.Contains("\"a,b \"\"quoted\"\"\r\nnext line\"", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        AssertDuckDbReadsBackTheSameRows(path);
    }

    [Fact]
    public async Task Csv_Should_WriteGb18030_When_AskedForGbk()
    {
        var gb18030 = Encoding.GetEncoding("GB18030");
        var utf8Body = new ResponseBody();
        var gbBody = new ResponseBody();
        await Read(AllTypesSql(), reader => CsvResultWriter.WriteAsync(reader, utf8Body, new UTF8Encoding(false), CancellationToken.None));
        await Read(AllTypesSql(), reader => CsvResultWriter.WriteAsync(reader, gbBody, gb18030, CancellationToken.None));
        var bytes = gbBody.ToArray();
        var decoded = gb18030.GetString(bytes);
        var path = Path.Combine(_folder, "gb18030-decoded.csv");
        await File.WriteAllTextAsync(path, decoded, new UTF8Encoding(false));

        Assert.Equal(Encoding.UTF8.GetString(utf8Body.ToArray()), decoded);
        Assert.True(bytes.AsSpan().IndexOf(gb18030.GetBytes("你好，世界")) >= 0);
        Assert.True(bytes.AsSpan().IndexOf(gb18030.GetBytes("𠀀")) >= 0); // outside GBK: a four-byte sequence
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("你好")) < 0);
        AssertDuckDbReadsBackTheSameRows(path);
    }

    [Fact]
    public async Task Csv_Should_StreamInBoundedWrites_When_TheResultIsLarge()
    {
        var body = new ResponseBody();

        var rows = await Read("SELECT i, 'row ' || i AS label, i // 3 AS third FROM range(300000) t(i)",
            reader => CsvResultWriter.WriteAsync(reader, body, new UTF8Encoding(false), CancellationToken.None));
        var text = Encoding.UTF8.GetString(body.ToArray());

        Assert.Equal(300_000, rows);
        Assert.True(body.Writes > 1, $"{body.Writes} writes");
        Assert.True(body.LargestWrite <= 4 << 20, $"largest write {body.LargestWrite} bytes");
        Assert.EndsWith("\r\n299999,row 299999,99999\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_Should_PrintBlobsAsDuckDbDoes_When_BytesAreNotPrintable()
    {
        const string Sql = @"SELECT b, b::VARCHAR AS duck FROM (VALUES ('\x00\x01\x7F\xFF'::BLOB), ('plain text'::BLOB), ('\x22\x27\x5C,'::BLOB)) t(b)";
        var body = new ResponseBody();

        await Read($"SELECT b FROM ({Sql})", reader => CsvResultWriter.WriteAsync(reader, body, new UTF8Encoding(false), CancellationToken.None));
        var duck = LakeDuckDb.Strings(_duck, $"SELECT duck FROM ({Sql})").ToList();
        var lines = Encoding.UTF8.GetString(body.ToArray()).Split("\r\n")[1..^1];

        Assert.Equal(duck.Select(d => d!.Contains(',', StringComparison.Ordinal) ? $"\"{d}\"" : d), lines);
    }

    [Fact]
    public async Task JsonLines_Should_ParseBackWithSystemTextJson_When_TheResultHasEveryType()
    {
        var body = new ResponseBody();

        var rows = await Read(AllTypesSql(), reader => JsonLinesResultWriter.WriteAsync(reader, body, CancellationToken.None));
        var bytes = body.ToArray();
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');

        Assert.Equal(3, rows);
        Assert.Equal(4, lines.Length);
        Assert.Equal("", lines[3]); // every line ends with \n
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("你好，世界")) >= 0, "Chinese is written as is, not escaped");
        for (var row = 0; row < 3; row++)
        {
            using var document = JsonDocument.Parse(lines[row]);
            var properties = document.RootElement.EnumerateObject().ToList();
            Assert.Equal(["id", .. Columns.Select(c => c.Name)], properties.Select(p => p.Name));
            Assert.Equal(row + 1, properties[0].Value.GetInt32());
            foreach (var property in properties.Skip(1))
            {
                var expected = row switch
                {
                    0 => ExpectedJson[property.Name].First,
                    1 => ExpectedJson[property.Name].Second,
                    _ => "null",
                };
                AssertJson(expected, property.Value, $"row {row + 1}, column {property.Name}");
            }
        }
    }

    [Fact]
    public async Task JsonValues_Should_WriteIntervalsAsDuckDbPrintsThem()
    {
        const string Sql = """
            SELECT iv, iv::VARCHAR FROM (VALUES (INTERVAL '1 year 2 months 3 days 04:05:06.789'), (INTERVAL '-14 months'),
                (INTERVAL '1 month -1 day 1 microsecond'), (INTERVAL '0 seconds'), (INTERVAL '30 hours'), (INTERVAL '-0.5 seconds'),
                (INTERVAL '1 day'), (INTERVAL '1 year'), (INTERVAL '-1 day -2 hours'), (INTERVAL '100 hours 1 second')) t(iv)
            """;

        var pairs = await Read(Sql, reader =>
        {
            var result = new List<(string Ours, string Duck)>();
            while (reader.Read())
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    JsonValues.Write(writer, reader, 0);
                }

                result.Add((JsonSerializer.Deserialize<string>(buffer.ToArray())!, reader.GetString(1)));
            }

            return Task.FromResult(result);
        });

        Assert.Equal(10, pairs.Count);
        Assert.All(pairs, pair => Assert.Equal(pair.Duck, pair.Ours));
    }

    [Fact]
    public async Task JsonRows_Should_StopAtMaxRowsAndReportTruncation_When_MoreRowsExist()
    {
        var (rows, truncated, json) = await WriteJsonRows("SELECT i, 'r' || i AS label FROM range(25) t(i)", maxRows: 10);

        Assert.Equal(10, rows);
        Assert.True(truncated);
        Assert.Equal(10, json.RootElement.GetArrayLength());
        Assert.Equal(Enumerable.Range(0, 10), json.RootElement.EnumerateArray().Select(r => r[0].GetInt32()));
        Assert.Equal("r9", json.RootElement[9][1].GetString());
    }

    [Fact]
    public async Task JsonRows_Should_NotReportTruncation_When_TheResultHasExactlyMaxRows()
    {
        var (rows, truncated, json) = await WriteJsonRows("SELECT i FROM range(10) t(i)", maxRows: 10);

        Assert.Equal(10, rows);
        Assert.False(truncated);
        Assert.Equal(10, json.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task JsonRows_Should_AskTheCallerToFlushEveryThousandRows_When_TheResultIsLong()
    {
        using var buffer = new MemoryStream();
        var flushes = 0;
        long largestPending = 0;
        await using var writer = new Utf8JsonWriter(buffer, JsonValues.WriterOptions);

        var (rows, truncated) = await Read("SELECT i FROM range(2500) t(i)", reader => JsonResultWriter.WriteRowsAsync(reader, writer, 5000, async () =>
        {
            flushes++;
            largestPending = Math.Max(largestPending, writer.BytesPending);
            await writer.FlushAsync();
        }, CancellationToken.None));
        await writer.FlushAsync();

        Assert.Equal(2500, rows);
        Assert.False(truncated);
        Assert.Equal(2, flushes);
        using var json = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(2500, json.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task JsonRows_Should_WriteEveryTypeAsJsonLinesDoes_When_RowsAreArrays()
    {
        var (_, _, json) = await WriteJsonRows(AllTypesSql(), maxRows: 100);

        var first = json.RootElement[0];
        Assert.Equal(1, first[0].GetInt32());
        for (var i = 0; i < Columns.Length; i++)
        {
            AssertJson(ExpectedJson[Columns[i].Name].First, first[i + 1], Columns[i].Name);
            Assert.Equal(JsonValueKind.Null, json.RootElement[2][i + 1].ValueKind);
        }
    }

    [Fact]
    public void JsonColumns_Should_WriteNameAndTypeObjects()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonValues.WriterOptions))
        {
            JsonResultWriter.WriteColumns(writer, [new ResultColumn("金额", "DECIMAL(20,2)"), new ResultColumn("day", "DATE")]);
        }

        Assert.Equal("""[{"name":"金额","type":"DECIMAL(20,2)"},{"name":"day","type":"DATE"}]""", Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public async Task Arrow_Should_WriteSeveralBatchesOfAtMost8192Rows_When_TheResultHas20000Rows()
    {
        const string Sql = """
            SELECT i AS n, 'row ' || i AS label, i % 7 = 0 AS lucky,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE i * 0.5 END::DOUBLE AS half,
                   (i / 4)::DECIMAL(18,2) AS amount,
                   DATE '2024-01-01' + i::INTEGER AS day,
                   TIMESTAMP '2024-01-01' + to_seconds(i) AS at
            FROM range(20000) t(i)
            """;
        var body = new ResponseBody();

        var rows = await Read(Sql, reader => ArrowResultWriter.WriteAsync(reader, body, CancellationToken.None));
        var batches = ReadArrow(body.ToArray(), out var schema);

        Assert.Equal(20_000, rows);
        Assert.Equal([8192, 8192, 3616], batches.Select(b => b.Length));
        Assert.IsType<Int64Type>(schema.GetFieldByName("n").DataType);
        Assert.IsType<StringType>(schema.GetFieldByName("label").DataType);
        Assert.IsType<BooleanType>(schema.GetFieldByName("lucky").DataType);
        Assert.IsType<DoubleType>(schema.GetFieldByName("half").DataType);
        var amountType = Assert.IsType<Decimal128Type>(schema.GetFieldByName("amount").DataType);
        Assert.Equal((18, 2), (amountType.Precision, amountType.Scale));
        Assert.IsType<Date32Type>(schema.GetFieldByName("day").DataType);
        var atType = Assert.IsType<TimestampType>(schema.GetFieldByName("at").DataType);
        Assert.Equal(TimeUnit.Microsecond, atType.Unit);
        Assert.Null(atType.Timezone);
        Assert.All(schema.FieldsList, field => Assert.True(field.IsNullable));

        var n = 0L;
        foreach (var batch in batches)
        {
            var numbers = (Int64Array)batch.Column("n");
            var labels = (StringArray)batch.Column("label");
            var lucky = (BooleanArray)batch.Column("lucky");
            var halves = (DoubleArray)batch.Column("half");
            var amounts = (Decimal128Array)batch.Column("amount");
            var days = (Date32Array)batch.Column("day");
            var ats = (TimestampArray)batch.Column("at");
            for (var i = 0; i < batch.Length; i++, n++)
            {
                Assert.Equal(n, numbers.GetValue(i));
                Assert.Equal("row " + n.ToString(CultureInfo.InvariantCulture), labels.GetString(i));
                Assert.Equal(n % 7 == 0, lucky.GetValue(i));
                Assert.Equal(n % 10 == 0 ? null : n * 0.5, halves.GetValue(i));
                Assert.Equal(n / 4m, amounts.GetValue(i));
                Assert.Equal(new DateOnly(2024, 1, 1).AddDays((int)n), days.GetDateOnly(i));
                Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(n), ats.GetTimestamp(i));
            }

            batch.Dispose();
        }

        Assert.Equal(20_000, n);
    }

    [Fact]
    public async Task Arrow_Should_MapEveryTypeAndCarryJsonTextForTheRest_When_TheResultHasEveryType()
    {
        var body = new ResponseBody();

        await Read(AllTypesSql(), reader => ArrowResultWriter.WriteAsync(reader, body, CancellationToken.None));
        var batch = Assert.Single(ReadArrow(body.ToArray(), out var schema));

        var expectedTypes = new Dictionary<string, ArrowTypeId>
        {
            ["text"] = ArrowTypeId.String, ["note"] = ArrowTypeId.String, ["flag"] = ArrowTypeId.Boolean,
            ["tiny"] = ArrowTypeId.Int8, ["small"] = ArrowTypeId.Int16, ["int"] = ArrowTypeId.Int32, ["big"] = ArrowTypeId.Int64,
            ["utiny"] = ArrowTypeId.UInt8, ["usmall"] = ArrowTypeId.UInt16, ["uint"] = ArrowTypeId.UInt32, ["ubig"] = ArrowTypeId.UInt64,
            ["real"] = ArrowTypeId.Float, ["dbl"] = ArrowTypeId.Double, ["dec"] = ArrowTypeId.Decimal128, ["dec38"] = ArrowTypeId.Decimal128,
            ["day"] = ArrowTypeId.Date32, ["ts"] = ArrowTypeId.Timestamp, ["tstz"] = ArrowTypeId.Timestamp, ["bytes"] = ArrowTypeId.Binary,
        };
        foreach (var column in Columns)
        {
            var type = schema.GetFieldByName(column.Name).DataType.TypeId;
            Assert.True(type == expectedTypes.GetValueOrDefault(column.Name, ArrowTypeId.String), $"{column.Name} is {type}");
        }

        Assert.Equal(3, batch.Length);
        Assert.Equal("你好，世界", ((StringArray)batch.Column("text")).GetString(0));
        Assert.Equal("a,b \"quoted\"\r\nnext line", ((StringArray)batch.Column("text")).GetString(1));
        Assert.Equal("", ((StringArray)batch.Column("note")).GetString(0));
        Assert.Equal(-9223372036854775808L, ((Int64Array)batch.Column("big")).GetValue(0));
        Assert.Equal(18446744073709551615UL, ((UInt64Array)batch.Column("ubig")).GetValue(0));
        Assert.Equal(float.PositiveInfinity, ((FloatArray)batch.Column("real")).GetValue(1));
        Assert.True(double.IsNaN(((DoubleArray)batch.Column("dbl")).GetValue(1)!.Value));
        Assert.Equal((20, 2), DecimalShape(schema, "dec"));
        Assert.Equal((38, 10), DecimalShape(schema, "dec38"));
        Assert.Equal(12345678.90m, ((Decimal128Array)batch.Column("dec")).GetValue(0));
        Assert.Equal("1234567890123456789012345678.0123456789", ((Decimal128Array)batch.Column("dec38")).GetString(0));
        Assert.Equal("-0.0000000001", ((Decimal128Array)batch.Column("dec38")).GetString(1));
        Assert.Equal(new DateOnly(2024, 2, 29), ((Date32Array)batch.Column("day")).GetDateOnly(0));
        Assert.Equal(new DateOnly(1, 1, 1), ((Date32Array)batch.Column("day")).GetDateOnly(1));
        var tsType = (TimestampType)schema.GetFieldByName("ts").DataType;
        var tstzType = (TimestampType)schema.GetFieldByName("tstz").DataType;
        Assert.Equal((TimeUnit.Microsecond, null), (tsType.Unit, tsType.Timezone));
        Assert.Equal((TimeUnit.Microsecond, "UTC"), (tstzType.Unit, tstzType.Timezone));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.Zero).AddTicks(1_234_560), ((TimestampArray)batch.Column("ts")).GetTimestamp(0));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 5, 14, 15, 500, TimeSpan.Zero), ((TimestampArray)batch.Column("tstz")).GetTimestamp(0));
        Assert.Equal(new byte[] { 0xAA, 0x00, 0x41, 0x42, 0x5C }, ((BinaryArray)batch.Column("bytes")).GetBytes(0).ToArray());
        Assert.Equal(0, ((BinaryArray)batch.Column("bytes")).GetBytes(1).Length);
        Assert.False(batch.Column("bytes").IsNull(1));

        // Types without an Arrow counterpart carry the JSON writer's text: a string without quotes, JSON otherwise.
        foreach (var column in Columns.Where(c => !expectedTypes.ContainsKey(c.Name)))
        {
            var strings = (StringArray)batch.Column(column.Name);
            for (var row = 0; row < 2; row++)
            {
                var json = row == 0 ? ExpectedJson[column.Name].First : ExpectedJson[column.Name].Second;
                using var expected = JsonDocument.Parse(json);
                var text = expected.RootElement.ValueKind == JsonValueKind.String ? expected.RootElement.GetString() : json;
                Assert.Equal(text, strings.GetString(row));
            }
        }

        for (var i = 0; i < batch.ColumnCount; i++)
        {
            Assert.True(i == 0 || batch.Column(i).IsNull(2), $"{schema.GetFieldByIndex(i).Name} in the NULL row");
        }

        batch.Dispose();
    }

    [Fact]
    public async Task Arrow_Should_WriteTheSchemaAlone_When_TheResultIsEmpty()
    {
        var body = new ResponseBody();

        var rows = await Read("SELECT 1::INTEGER AS a, 'x' AS b, 1.5::DECIMAL(4,1) AS c WHERE false",
            reader => ArrowResultWriter.WriteAsync(reader, body, CancellationToken.None));
        var batches = ReadArrow(body.ToArray(), out var schema);

        Assert.Equal(0, rows);
        Assert.Empty(batches);
        Assert.Equal(["a", "b", "c"], schema.FieldsList.Select(f => f.Name));
        Assert.Equal([ArrowTypeId.Int32, ArrowTypeId.String, ArrowTypeId.Decimal128], schema.FieldsList.Select(f => f.DataType.TypeId));
    }

    [Fact]
    public async Task Writers_Should_WriteTheHeaderAlone_When_TheResultIsEmpty()
    {
        var csv = new ResponseBody();
        var jsonLines = new ResponseBody();

        var csvRows = await Read("SELECT 1 AS a, 'x' AS \"b,c\" WHERE false", reader => CsvResultWriter.WriteAsync(reader, csv, new UTF8Encoding(false), CancellationToken.None));
        var jsonRows = await Read("SELECT 1 AS a WHERE false", reader => JsonLinesResultWriter.WriteAsync(reader, jsonLines, CancellationToken.None));

        Assert.Equal(0, csvRows + jsonRows);
        Assert.Equal("a,\"b,c\"\r\n", Encoding.UTF8.GetString(csv.ToArray()));
        Assert.Empty(jsonLines.ToArray());
    }

    [Fact]
    public async Task Writers_Should_RefuseBeforeWritingAByte_When_AColumnIsAUnion()
    {
        const string Sql = "SELECT 1 AS id, union_value(num := 2)::UNION(num INTEGER, s VARCHAR) AS u, 1.5::DECIMAL(4,1) AS d";
        var body = new ResponseBody();

        var described = await Read(Sql, reader => Task.FromResult(ResultColumns.Describe(reader)));
        var csv = await Assert.ThrowsAsync<LakeException>(() => Read(Sql, reader => CsvResultWriter.WriteAsync(reader, body, new UTF8Encoding(false), CancellationToken.None)));
        var arrow = await Assert.ThrowsAsync<LakeException>(() => Read(Sql, reader => ArrowResultWriter.WriteAsync(reader, body, CancellationToken.None)));
        var jsonLines = await Assert.ThrowsAsync<LakeException>(() => Read(Sql, reader => JsonLinesResultWriter.WriteAsync(reader, body, CancellationToken.None)));

        Assert.Equal(["INTEGER", "UNION", "DECIMAL"], described.Select(c => c.Type));
        Assert.All([csv, arrow, jsonLines], ex => Assert.Equal(LakeErrorKind.Unsupported, ex.Kind));
        Assert.Contains("'u'", csv.Message, StringComparison.Ordinal);
        Assert.Empty(body.ToArray());
    }

    [Fact]
    public async Task Writers_Should_StopBetweenRows_When_Cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Read("SELECT i FROM range(10) t(i)", reader => CsvResultWriter.WriteAsync(reader, new ResponseBody(), new UTF8Encoding(false), cancelled.Token)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Read("SELECT i FROM range(10) t(i)", reader => ArrowResultWriter.WriteAsync(reader, new ResponseBody(), cancelled.Token)));
    }

    /// <summary>Reads the CSV at <paramref name="path"/> with DuckDB's <c>read_csv</c>, casts each column to its
    /// original type, and checks that every value equals the original query's.</summary>
    private void AssertDuckDbReadsBackTheSameRows(string path)
    {
        var casts = string.Join(", ", Columns.Select(c => c.Name == "map"
            ? $"CAST(CAST(\"map\" AS JSON) AS {c.Type}) AS \"map\""
            : $"CAST(\"{c.Name}\" AS {c.Type}) AS \"{c.Name}\""));
        var back = $"SELECT CAST(id AS INTEGER) AS id, {casts} FROM read_csv({LakeDuckDb.Literal(path)}, header = true, all_varchar = true, " +
                   "allow_quoted_nulls = false, delim = ',', quote = '\"', escape = '\"')";
        var differences = string.Join(" UNION ALL ", Columns.Select(c =>
            $"SELECT o.id, '{c.Name}' FROM original o JOIN back b ON o.id = b.id WHERE o.\"{c.Name}\" IS DISTINCT FROM b.\"{c.Name}\""));

        var different = LakeDuckDb.Strings(_duck, $"WITH original AS ({AllTypesSql()}), back AS ({back}) SELECT string_agg(col || ' in row ' || id, ', ') FROM ({differences}) d(id, col)").Single();
        var count = LakeDuckDb.Scalar(_duck, $"SELECT count(*) FROM ({back})");

        Assert.Null(different);
        Assert.Equal(3L, Convert.ToInt64(count, CultureInfo.InvariantCulture));
    }

    private async Task<(long Rows, bool Truncated, JsonDocument Json)> WriteJsonRows(string sql, int maxRows)
    {
        using var buffer = new MemoryStream();
        (long, bool) result;
        await using (var writer = new Utf8JsonWriter(buffer, JsonValues.WriterOptions))
        {
            result = await Read(sql, reader => JsonResultWriter.WriteRowsAsync(reader, writer, maxRows, () => writer.FlushAsync(), CancellationToken.None));
        }

        return (result.Item1, result.Item2, JsonDocument.Parse(buffer.ToArray()));
    }

    /// <summary>Runs a query in streaming mode, as the query API does, and hands its reader over.</summary>
    private async Task<T> Read<T>(string sql, Func<DbDataReader, Task<T>> use)
    {
        using var command = _duck.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        using var reader = command.ExecuteReader();
        return await use(reader);
    }

    private static List<RecordBatch> ReadArrow(byte[] bytes, out Schema schema)
    {
        using var reader = new ArrowStreamReader(new MemoryStream(bytes));
        var batches = new List<RecordBatch>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            batches.Add(batch);
        }

        schema = reader.Schema;
        return batches;
    }

    private static (int, int) DecimalShape(Schema schema, string name)
    {
        var type = (Decimal128Type)schema.GetFieldByName(name).DataType;
        return (type.Precision, type.Scale);
    }

    /// <summary>Compares JSON by meaning, but numbers by their exact digits (a DECIMAL keeps its scale).</summary>
    private static void AssertJson(string expectedJson, JsonElement actual, string where)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        AssertJson(expected.RootElement, actual, where);
    }

    private static void AssertJson(JsonElement expected, JsonElement actual, string where)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{where}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
            case JsonValueKind.Number:
                Assert.Equal(expected.GetRawText(), actual.GetRawText());
                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                {
                    AssertJson(e, a, where);
                }

                break;
            case JsonValueKind.Object:
                var expectedProperties = expected.EnumerateObject().ToList();
                var actualProperties = actual.EnumerateObject().ToList();
                Assert.Equal(expectedProperties.Select(p => p.Name), actualProperties.Select(p => p.Name));
                foreach (var (e, a) in expectedProperties.Zip(actualProperties))
                {
                    AssertJson(e.Value, a.Value, where + "." + e.Name);
                }

                break;
        }
    }

    public void Dispose()
    {
        _duck.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A response body as Kestrel hands it out: write-only, not seekable, and refusing synchronous
    /// writes and flushes. It records how the writers wrote to it.</summary>
    private sealed class ResponseBody : Stream
    {
        private readonly MemoryStream _written = new();

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public byte[] ToArray() => _written.ToArray();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Writes++;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            _written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _written.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
