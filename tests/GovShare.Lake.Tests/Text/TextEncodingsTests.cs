using System.Text;
using GovShare.Lake.Text;

namespace GovShare.Lake.Tests.Text;

public sealed class TextEncodingsTests
{
    private const string Sample = "姓名,身份证号\n张三,４１０１０３\n";

    [Fact]
    public void Detect_Should_RecogniseUtf8_WithAndWithoutByteOrderMark()
    {
        var bytes = Encoding.UTF8.GetBytes(Sample);

        Assert.Equal(Encoding.UTF8.WebName, TextEncodings.Detect(bytes).WebName);
        Assert.Equal(Encoding.UTF8.WebName, TextEncodings.Detect([0xEF, 0xBB, 0xBF, .. bytes]).WebName);
    }

    [Fact]
    public void Detect_Should_RecogniseGbk()
    {
        var bytes = TextEncodings.Gb18030.GetBytes(Sample);

        Assert.Equal(TextEncodings.Gb18030.WebName, TextEncodings.Detect(bytes).WebName);
    }

    [Fact]
    public void Detect_Should_StillSeeUtf8_When_TheSampleEndsInsideACharacter()
    {
        var bytes = Encoding.UTF8.GetBytes("张三李四");

        Assert.Equal(Encoding.UTF8.WebName, TextEncodings.Detect(bytes.AsSpan(0, bytes.Length - 1)).WebName);
    }

    [Fact]
    public void FromName_Should_RefuseEncodingsThePlatformDoesNotRead()
    {
        var ex = Assert.Throws<LakeException>(() => TextEncodings.FromName("latin1"));

        Assert.Equal(LakeErrorKind.InvalidInput, ex.Kind);
        Assert.Equal("unknown encoding 'latin1': use utf-8 or gbk", ex.Message);
    }

    [Fact]
    public void OpenReader_Should_Throw_When_GbkFollowsALongUtf8Prefix()
    {
        // Detection sees 64 KiB of ASCII and says UTF-8; the GBK bytes after it must not become U+FFFD.
        var bytes = Encoding.ASCII.GetBytes(new string('1', 70_000) + "\n").Concat(TextEncodings.Gb18030.GetBytes("６１０１\n")).ToArray();
        using var stream = new MemoryStream(bytes);

        using var reader = TextEncodings.OpenReader(stream);

        Assert.Throws<DecoderFallbackException>(() => reader.ReadToEnd());
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("gbk")]
    [InlineData("gb18030")]
    public void OpenReader_Should_DecodeBothEncodings_FromAForwardOnlyStream(string encodingName)
    {
        var encoding = TextEncodings.FromName(encodingName);
        // Longer than the detection sample, so the replayed prefix and the rest are both read.
        var text = string.Concat(Enumerable.Repeat(Sample, 10_000));
        using var stream = new ForwardOnlyStream(encoding.GetBytes(text));

        using var reader = TextEncodings.OpenReader(stream);

        Assert.Equal(text, reader.ReadToEnd());
    }

    [Fact]
    public void OpenReader_Should_DropTheByteOrderMark()
    {
        using var stream = new MemoryStream([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Sample)]);

        using var reader = TextEncodings.OpenReader(stream);

        Assert.Equal(Sample, reader.ReadToEnd());
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
