using System.Text;
using GovShare.Lake.Text;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>A delivered text file opened for reading: UTF-8 (with or without a byte-order mark) or
/// GBK/GB18030, declared or detected from the first 64 KiB, decoded strictly so that bytes in neither
/// encoding stop the file with a clear error instead of becoming replacement characters.</summary>
internal sealed class DeliveryText : IDisposable
{
    private const int SampleBytes = 1 << 16;

    private readonly FileStream _file;

    private DeliveryText(FileStream file, StreamReader reader, string encodingName)
    {
        _file = file;
        Reader = reader;
        EncodingName = encodingName;
    }

    /// <summary>The decoded text.</summary>
    public StreamReader Reader { get; }

    /// <summary><c>utf-8</c>, <c>utf-8 (BOM)</c> or <c>gb18030</c>.</summary>
    public string EncodingName { get; }

    /// <summary>Bytes read from the file so far.</summary>
    public long BytesRead => _file.Position;

    public static DeliveryText Open(string path, Encoding? declared)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            var sample = new byte[SampleBytes];
            var length = file.ReadAtLeast(sample, SampleBytes, throwOnEndOfStream: false);
            var hasBom = sample.AsSpan(0, length).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);
            if (declared is null)
            {
                if (LooksLikeUtf16(sample.AsSpan(0, length)))
                {
                    throw new LakeException(LakeErrorKind.InvalidInput,
                        $"{Path.GetFileName(path)} looks like UTF-16 (a byte-order mark or NUL bytes between characters); deliver UTF-8 or GBK.");
                }

                // The first 64 KiB may be plain ASCII and the Chinese come later: UTF-8 only when the whole file is.
                // A head with UTF-8 characters that turns into something else later is a broken file and fails
                // when it gets there, with advice.
                var head = sample.AsSpan(0, length);
                declared = TextEncodings.Detect(head) == TextEncodings.StrictUtf8 && (head.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 || IsUtf8Throughout(file))
                    ? TextEncodings.StrictUtf8
                    : TextEncodings.StrictGb18030;
            }

            file.Position = hasBom && declared == TextEncodings.StrictUtf8 ? 3 : 0;
            var name = declared == TextEncodings.StrictUtf8 ? (hasBom ? "utf-8 (BOM)" : "utf-8") : "gb18030";
            var reader = new StreamReader(file, declared, detectEncodingFromByteOrderMarks: false, 1 << 16, leaveOpen: true);
            return new DeliveryText(file, reader, name);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The error for bytes that the chosen encoding cannot decode. The decoder reads ahead of the
    /// parser, so the file is scanned again line by line (0x0A never occurs inside a UTF-8 or GB18030
    /// character) to name the exact line and bytes.</summary>
    public LakeException DecodingError(string fileName, DecoderFallbackException ex)
    {
        var (line, bytes) = Locate(_file.Name, Reader.CurrentEncoding);
        var shown = bytes ?? (ex.BytesUnknown is { Length: > 0 } unknown ? Convert.ToHexString(unknown) : null);
        var advice = EncodingName.StartsWith("utf-8", StringComparison.Ordinal)
            ? "the file is not UTF-8 throughout; if it is GBK, declare `encoding: gbk` in the catalogue entry"
            : "the file is neither UTF-8 nor GBK/GB18030";
        return new LakeException(LakeErrorKind.InvalidInput,
            $"{fileName}, line {(line > 0 ? line.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}: undecodable text" +
            $"{(shown is null ? "" : $" (bytes {shown})")}: {advice}.", ex);
    }

    private static (long Line, string? Bytes) Locate(string path, Encoding encoding)
    {
        var strict = (Encoding)encoding.Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var line = new List<byte>(256);
        long number = 1;
        int next;
        do
        {
            next = stream.ReadByte();
            if (next is '\n' or -1)
            {
                var bytes = number == 1 && line.Count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF ? line.Skip(3).ToArray() : line.ToArray();
                try
                {
                    strict.GetCharCount(bytes);
                }
                catch (DecoderFallbackException bad)
                {
                    return (number, bad.BytesUnknown is { Length: > 0 } unknown ? Convert.ToHexString(unknown) : null);
                }

                line.Clear();
                number++;
            }
            else
            {
                line.Add((byte)next);
            }
        }
        while (next != -1);
        return (0, null);
    }

    /// <summary>Whether every byte of the file is UTF-8 (checked in 1 MiB blocks, a character cut at a block's
    /// end carried to the next).</summary>
    private static bool IsUtf8Throughout(FileStream file)
    {
        file.Position = 0;
        var buffer = new byte[(1 << 20) + 4];
        var carried = 0;
        while (true)
        {
            var read = file.Read(buffer, carried, buffer.Length - 4 - carried);
            var length = carried + read;
            if (read == 0)
            {
                return carried == 0 || System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, carried));
            }

            // Leave an incomplete last character for the next block.
            var end = TextEncodings.CompleteUtf8Length(buffer.AsSpan(0, length));

            if (!System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, end)))
            {
                return false;
            }

            carried = length - end;
            buffer.AsSpan(end, carried).CopyTo(buffer);
        }
    }

    private static bool LooksLikeUtf16(ReadOnlySpan<byte> sample) =>
        sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
        || (sample.Length >= 4 && sample.Contains((byte)0) && sample[..Math.Min(sample.Length, 512)].Count((byte)0) * 4 > Math.Min(sample.Length, 512));

    public void Dispose()
    {
        Reader.Dispose();
        _file.Dispose();
    }
}
