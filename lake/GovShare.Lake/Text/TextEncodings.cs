using System.Text;
using System.Text.Unicode;

namespace GovShare.Lake.Text;

/// <summary>The text encodings agencies deliver in: UTF-8 (with or without a byte-order mark) and
/// GBK / GB18030. GB18030 is a superset of GBK, so one decoder reads both.</summary>
public static class TextEncodings
{
    static TextEncodings()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Strict UTF-8: invalid bytes throw instead of turning into U+FFFD.</summary>
    public static Encoding StrictUtf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>GB18030 (a superset of GBK and GB2312).</summary>
    public static Encoding Gb18030 => Encoding.GetEncoding("GB18030");

    /// <summary>GB18030 that throws <see cref="DecoderFallbackException"/> on byte sequences that are not
    /// GB18030, so that a file in neither encoding fails instead of turning into replacement characters.</summary>
    public static Encoding StrictGb18030 => StrictGb.Value;

    // Lazy: static initializers run before the static constructor registers the code-page provider.
    private static readonly Lazy<Encoding> StrictGb = new(() =>
        Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback));

    /// <summary>Looks up an encoding by the names users write: utf-8, utf8, gbk, gb2312, gb18030.</summary>
    /// <exception cref="LakeException">An encoding the platform does not read.</exception>
    public static Encoding FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "utf-8" or "utf8" or "utf-8-bom" => StrictUtf8,
        "gbk" or "gb2312" or "gb18030" or "cp936" => Gb18030,
        _ => throw new LakeException(LakeErrorKind.InvalidInput, $"unknown encoding '{name}': use utf-8 or gbk"),
    };

    /// <summary>Decides between UTF-8 and GB18030 from the first bytes of a file: a UTF-8 byte-order
    /// mark or valid UTF-8 means UTF-8; anything else is read as GB18030. A sample cut in the middle
    /// of a multi-byte character is still recognised as UTF-8. The UTF-8 returned is strict: bytes
    /// further on that are not UTF-8 throw <see cref="DecoderFallbackException"/> instead of silently
    /// becoming U+FFFD.</summary>
    public static Encoding Detect(ReadOnlySpan<byte> sample)
    {
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return StrictUtf8;
        }

        return Utf8.IsValid(sample[..CompleteUtf8Length(sample)]) ? StrictUtf8 : Gb18030;
    }

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence cut off at its end (a sample or a
    /// block of a longer stream); a sequence is at most 4 bytes.</summary>
    public static int CompleteUtf8Length(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) != 0x80)
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return needed > back ? bytes.Length - back : bytes.Length;
            }
        }

        return bytes.Length;
    }

    /// <summary>Opens a stream as text, detecting UTF-8 or GB18030 from its first 64 KiB unless an
    /// encoding is given. The byte-order mark, if any, is not part of the text.</summary>
    public static StreamReader OpenReader(Stream stream, Encoding? encoding = null, int bufferSize = 1 << 16)
    {
        if (encoding is null)
        {
            var buffered = stream.CanSeek ? stream : new BufferedStream(stream, bufferSize);
            var sample = new byte[bufferSize];
            var read = ReadSample(buffered, sample);
            encoding = Detect(sample.AsSpan(0, read));
            if (buffered.CanSeek)
            {
                buffered.Seek(-read, SeekOrigin.Current);
                stream = buffered;
            }
            else
            {
                stream = new PrefixedStream(sample.AsMemory(0, read), buffered);
            }
        }

        return new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize);
    }

    private static int ReadSample(Stream stream, byte[] sample)
    {
        var total = 0;
        while (total < sample.Length)
        {
            var read = stream.Read(sample, total, sample.Length - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>A forward-only stream that replays bytes already read for detection, then the rest.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
