using GovShare.Lake.Access;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Tests.Access;

/// <summary>Masking is written twice, in C# for lookups and as DuckDB SQL for queries and exports: the two must agree.</summary>
public sealed class FieldMaskTests
{
    [Theory]
    [InlineData("id_number", "41010219900307123X", "4101**********123X")]
    [InlineData("legal_rep_id_number", "410102199003071234", "4101**********1234")]
    [InlineData("phone", "13812345678", "138****5678")]
    [InlineData("phone", "123456", "******")]
    [InlineData("household_address", "河南省郑州市金水区经三路15号", "河南省郑州市****")]
    [InlineData("household_address", "郑州市", "***")]
    [InlineData("name", "张三丰", "张**")]
    [InlineData("name", "", "")]
    [InlineData("birth_date", "1990-03-07", "1*********")]
    [InlineData("id_number", "1234", "1***")]
    public void Mask_Should_KeepOnlyTheStatedCharacters(string attribute, string value, string expected) =>
        Assert.Equal(expected, FieldMask.Mask(attribute, value));

    [Fact]
    public void SqlMask_Should_GiveTheSameTextAsTheCSharpMask_ForEveryKind()
    {
        using var connection = LakeDuckDb.OpenInMemory();
        var samples = new (string Attribute, string? Value)[]
        {
            ("id_number", "41010219900307123X"), ("id_number", "1234"), ("uscc", "91410100MA44XXXX1T"), ("holder_key", "410102199003071234"),
            ("phone", "13812345678"), ("phone", "1234567"), ("mobile_phone", "+86 138 1234 5678"),
            ("residence_address", "河南省郑州市金水区经三路15号"), ("residence_address", "金水区"), ("name", "欧阳娜娜"), ("name", "𠀀𠀁"),
            ("education", ""), ("name", null),
        };
        foreach (var (attribute, value) in samples)
        {
            var sql = FieldMask.Sql(attribute, value is null ? "CAST(NULL AS VARCHAR)" : LakeDuckDb.Literal(value));
            var fromDuckDb = LakeDuckDb.Scalar(connection, "SELECT " + sql);
            Assert.Equal(value is null ? null : FieldMask.Mask(attribute, value), fromDuckDb is DBNull ? null : (string?)fromDuckDb);
        }
    }

    [Fact]
    public void SqlMask_Should_MaskDatesAndNumbers_AsTheirText()
    {
        using var connection = LakeDuckDb.OpenInMemory();

        Assert.Equal(FieldMask.Mask("birth_date", "1990-03-07"), LakeDuckDb.Scalar(connection, "SELECT " + FieldMask.Sql("birth_date", "DATE '1990-03-07'")));
        Assert.Equal(FieldMask.Mask("capital", "5000000"), LakeDuckDb.Scalar(connection, "SELECT " + FieldMask.Sql("capital", "5000000::BIGINT")));
    }
}
