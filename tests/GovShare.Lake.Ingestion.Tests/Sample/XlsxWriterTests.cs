using System.IO.Compression;
using GovShare.Lake.Ingestion.Formats;

namespace GovShare.Lake.Ingestion.Tests.Sample;

/// <summary>The streaming xlsx writer, read back by unzipping and by the ingestion's own xlsx reader.</summary>
public sealed class XlsxWriterTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    [Fact]
    public void Write_Should_ProduceAWorkbookBothReadersRead()
    {
        var path = _scratch.Sub("t.xlsx");
        string?[][] rows =
        [
            ["91410105MA44XXXX1A", "郑州甲 有限公司", null, "a & b <c> \"d\""],
            [" leading", "trailing ", "１２３", "x\u0001y"],
        ];
        using (var stream = File.Create(path))
        {
            XlsxWriter.Write(stream, "纳税人", ["代码", "名称", "空", "备注"], rows);
        }

        using (var zip = ZipFile.OpenRead(path))
        {
            Assert.Equal(
                ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"],
                zip.Entries.Select(e => e.FullName));
        }

        var unzipped = SampleFiles.ReadXlsx(path);
        Assert.Equal(["代码", "名称", "空", "备注"], unzipped.Header);
        Assert.Equal(new string?[] { "91410105MA44XXXX1A", "郑州甲 有限公司", null, "a & b <c> \"d\"" }, unzipped.Rows[0]);
        Assert.Equal(new string?[] { " leading", "trailing ", "１２３", "xy" }, unzipped.Rows[1]);

        using var reader = new XlsxReader(path);
        Assert.Equal("纳税人", Assert.Single(reader.Sheets).Name);
        var read = reader.ReadRows(null).ToList();
        Assert.Equal([1, 2, 3], read.Select(r => r.Row));
        Assert.Equal(new string?[] { "91410105MA44XXXX1A", "郑州甲 有限公司", null, "a & b <c> \"d\"" }, read[1].Cells);
        Assert.Equal(new string?[] { " leading", "trailing ", "１２３", "xy" }, read[2].Cells);
    }

    [Fact]
    public void Write_Should_GiveTheSameBytes_When_WrittenTwice()
    {
        byte[] Write()
        {
            using var stream = new MemoryStream();
            XlsxWriter.Write(stream, "Sheet1", ["a"], [["1"], ["2"]]);
            return stream.ToArray();
        }

        Assert.Equal(Write(), Write());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("0123456789012345678901234567890123")]
    public void Write_Should_Refuse_When_TheSheetNameIsNotOneExcelAccepts(string name) =>
        Assert.Throws<ArgumentException>(() => XlsxWriter.Write(new MemoryStream(), name, ["a"], []));

    [Fact]
    public void ColumnName_Should_CountLikeExcel()
    {
        Assert.Equal(["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"], new[] { 0, 25, 26, 51, 52, 701, 702 }.Select(XlsxWriter.ColumnName));
    }

    public void Dispose() => _scratch.Dispose();
}
