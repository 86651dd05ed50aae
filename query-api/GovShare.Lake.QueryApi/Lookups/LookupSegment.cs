using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Text;
using Microsoft.Win32.SafeHandles;

namespace GovShare.Lake.QueryApi.Lookups;

/// <summary>One base table's lookup index: every provider's current row in a data file (key, provider, table version,
/// the attributes as JSON, the values of the search columns), and beside it an index file of sorted 64-bit hashes of the
/// keys and of the search values with the rows' offsets in the data file (16 bytes a row), memory-mapped rather than read.
/// A lookup is a binary search in the mapped index and one positioned read from the data file (both served from the page
/// cache), so it costs microseconds where a DuckDB statement costs about a millisecond of planning, the difference
/// between meeting the lookup goal on two cores and not. Both files persist: a host that starts on a lake version whose
/// segment was built before (by itself or another host) maps it in milliseconds instead of building it again.</summary>
internal sealed class LookupSegment : IDisposable
{
    /// <summary>The index file's first bytes; the number is the format's version (a changed format is a new name).</summary>
    private static ReadOnlySpan<byte> Magic => "GSLKIDX1"u8;

    private readonly SafeFileHandle _file;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly string[] _datasets;
    private readonly string[] _agencies;
    private readonly IReadOnlyList<string> _searchColumns;
    private readonly Dictionary<string, (long Count, long HashesAt, long OffsetsAt)> _indexes;

    private LookupSegment(SafeFileHandle file, MemoryMappedFile map, MemoryMappedViewAccessor view, string[] datasets, string[] agencies,
        IReadOnlyList<string> searchColumns, Dictionary<string, (long Count, long HashesAt, long OffsetsAt)> indexes, long rows)
    {
        _file = file;
        _map = map;
        _view = view;
        _datasets = datasets;
        _agencies = agencies;
        _searchColumns = searchColumns;
        _indexes = indexes;
        Rows = rows;
    }

    /// <summary>Rows indexed.</summary>
    public long Rows { get; }

    /// <summary>The index file that goes with a data file.</summary>
    public static string IndexPath(string dataPath) => Path.ChangeExtension(dataPath, ".idx");

    /// <summary>Builds a segment from the rows of <paramref name="rowsQuery"/> (columns key, dataset, agency,
    /// table_version, payload, then the search columns, in that order) into <paramref name="dataPath"/> and its index
    /// file, and opens it. Both are written under names of their own and renamed when complete (the index last, so an
    /// index file always has its whole data file), flushed to the disk first; an existing pair is replaced.</summary>
    public static LookupSegment Build(DuckDBConnection connection, string rowsQuery, IReadOnlyList<string> searchColumns, string dataPath, CancellationToken cancellationToken)
    {
        var datasets = new List<string>();
        var agencies = new List<string>();
        var builders = new Dictionary<string, OffsetBuilder>(StringComparer.Ordinal) { ["key"] = new() };
        foreach (var column in searchColumns)
        {
            builders[column] = new OffsetBuilder();
        }

        var suffix = string.Create(CultureInfo.InvariantCulture, $".{Environment.ProcessId}.{Guid.NewGuid():N}.part");
        var (dataPart, indexPart) = (dataPath + suffix, IndexPath(dataPath) + suffix);
        try
        {
            long rows = 0;
            long offset = 0;
            using (var output = new FileStream(dataPart, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var command = connection.CreateCommand())
            {
                command.CommandText = rowsQuery;
                command.UseStreamingMode = true;
                using var reader = command.ExecuteReader();
                var record = new ArrayBufferWriter();
                var lengthPrefix = new byte[4];
                while (reader.Read())
                {
                    if ((++rows & 0xFFFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var key = reader.GetString(0);
                    var dataset = reader.GetString(1);
                    var ordinal = datasets.IndexOf(dataset);
                    if (ordinal < 0)
                    {
                        datasets.Add(dataset);
                        agencies.Add(reader.GetString(2));
                        ordinal = datasets.Count - 1;
                    }

                    record.Clear();
                    record.WriteString(key);
                    record.WriteInt16((short)ordinal);
                    record.WriteInt64(reader.GetInt64(3));
                    record.WriteString(reader.GetString(4));
                    builders["key"].Add(Fnv1a.Hash(key), offset);
                    for (var i = 0; i < searchColumns.Count; i++)
                    {
                        var value = reader.IsDBNull(5 + i) ? null : reader.GetString(5 + i);
                        record.WriteString(value ?? "");
                        if (!string.IsNullOrEmpty(value))
                        {
                            builders[searchColumns[i]].Add(Fnv1a.Hash(value), offset);
                        }
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(lengthPrefix, record.Length);
                    output.Write(lengthPrefix);
                    output.Write(record.Written);
                    offset += 4 + record.Length;
                }

                output.Flush(flushToDisk: true);
            }

            WriteIndex(indexPart, offset, rows, datasets, agencies, searchColumns, builders.Select(b => (b.Key, b.Value.Sorted())).ToList());

            // Opened before the renames: another host deleting or replacing the files afterwards cannot take them away.
            var segment = Open(dataPart, indexPart) ?? throw new LakeException(LakeErrorKind.Corrupt, $"the lookup segment {dataPath} just written does not read back.");
            try
            {
                File.Move(dataPart, dataPath, overwrite: true);
                File.Move(indexPart, IndexPath(dataPath), overwrite: true);
            }
            catch
            {
                segment.Dispose();
                throw;
            }

            return segment;
        }
        finally
        {
            File.Delete(dataPart);
            File.Delete(indexPart);
        }
    }

    /// <summary>Opens a segment built before, or null when its files are missing, incomplete or not of this format
    /// (the caller builds it again).</summary>
    public static LookupSegment? Open(string dataPath) => Open(dataPath, IndexPath(dataPath));

    private static LookupSegment? Open(string dataPath, string indexPath)
    {
        if (!File.Exists(dataPath) || !File.Exists(indexPath))
        {
            return null;
        }

        SafeFileHandle? file = null;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            file = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            using var index = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            var indexLength = index.Length;
            using var header = new BinaryReader(index, Encoding.UTF8, leaveOpen: true);
            if (indexLength < Magic.Length + 16 || !header.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)
                || header.ReadInt64() != RandomAccess.GetLength(file))
            {
                return Fail();
            }

            var rows = header.ReadInt64();
            var datasetCount = header.ReadInt32();
            var (datasets, agencies) = (new string[datasetCount], new string[datasetCount]);
            for (var i = 0; i < datasetCount; i++)
            {
                (datasets[i], agencies[i]) = (header.ReadString(), header.ReadString());
            }

            var searchColumns = new string[header.ReadInt32()];
            for (var i = 0; i < searchColumns.Length; i++)
            {
                searchColumns[i] = header.ReadString();
            }

            var indexes = new Dictionary<string, (long Count, long HashesAt, long OffsetsAt)>(StringComparer.Ordinal);
            var indexCount = header.ReadInt32();
            for (var i = 0; i < indexCount; i++)
            {
                var (column, count, hashesAt, offsetsAt) = (header.ReadString(), header.ReadInt64(), header.ReadInt64(), header.ReadInt64());
                if (count < 0 || hashesAt < 0 || offsetsAt < 0 || hashesAt + count * 8 > indexLength || offsetsAt + count * 8 > indexLength)
                {
                    return Fail();
                }

                indexes[column] = (count, hashesAt, offsetsAt);
            }

            if (!indexes.ContainsKey("key") || searchColumns.Any(c => !indexes.ContainsKey(c)))
            {
                return Fail();
            }

            map = MemoryMappedFile.CreateFromFile(index.SafeFileHandle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new LookupSegment(file, map, view, datasets, agencies, searchColumns, indexes, rows);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException)
        {
            return Fail();
        }

        LookupSegment? Fail()
        {
            view?.Dispose();
            map?.Dispose();
            file?.Dispose();
            return null;
        }
    }

    // The header (magic, the data file's length, rows, providers, search columns, and where each index's two arrays
    // are), then the arrays, little-endian as the machine writes them (x64 and arm64 both are).
    private static void WriteIndex(string path, long dataLength, long rows, List<string> datasets, List<string> agencies, IReadOnlyList<string> searchColumns,
        List<(string Column, (ulong[] Hashes, long[] Offsets) Sorted)> indexes)
    {
        byte[] Header(long arraysAt)
        {
            using var buffer = new MemoryStream();
            using var writer = new BinaryWriter(buffer, Encoding.UTF8);
            writer.Write(Magic);
            writer.Write(dataLength);
            writer.Write(rows);
            writer.Write(datasets.Count);
            for (var i = 0; i < datasets.Count; i++)
            {
                writer.Write(datasets[i]);
                writer.Write(agencies[i]);
            }

            writer.Write(searchColumns.Count);
            foreach (var column in searchColumns)
            {
                writer.Write(column);
            }

            writer.Write(indexes.Count);
            var at = arraysAt;
            foreach (var (column, (hashes, _)) in indexes)
            {
                writer.Write(column);
                writer.Write((long)hashes.Length);
                writer.Write(at);
                writer.Write(at + hashes.Length * 8L);
                at += hashes.Length * 16L;
            }

            writer.Flush();
            return buffer.ToArray();
        }

        // The positions are fixed-width, so the header's length does not depend on them: measure it, then write it.
        var header = Header(0);
        header = Header(header.Length);
        using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        output.Write(header);
        foreach (var (_, (hashes, offsets)) in indexes)
        {
            output.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(hashes.AsSpan()));
            output.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(offsets.AsSpan()));
        }

        output.Flush(flushToDisk: true);
    }

    /// <summary>The rows whose <paramref name="column"/> (<c>key</c> or a search column) equals <paramref name="value"/>.</summary>
    public List<ProviderRow> Find(string part, string column, string value)
    {
        var found = new List<ProviderRow>();
        if (!_indexes.TryGetValue(column, out var index))
        {
            throw new ArgumentException($"the segment has no index on {column}", nameof(column));
        }

        var hash = Fnv1a.Hash(value);
        var at = LowerBound(index, hash);
        if (at >= index.Count || HashAt(index, at) != hash)
        {
            return found;
        }

        // One positioned read of a record's usual size into a pooled buffer; a longer record is read again whole.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(2048);
        try
        {
            for (; at < index.Count && HashAt(index, at) == hash; at++)
            {
                var offset = _view.ReadInt64(index.OffsetsAt + at * 8);
                var read = RandomAccess.Read(_file, buffer, offset);
                var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
                if (length + 4 > read)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length + 4);
                    RandomAccess.Read(_file, buffer.AsSpan(0, length + 4), offset);
                }

                var reader = new RecordReader(buffer.AsSpan(4, length));
                var key = reader.ReadString();
                var ordinal = reader.ReadInt16();
                var version = reader.ReadInt64();
                var payload = reader.ReadBytes();
                var matches = column == "key" && key == value;
                for (var i = 0; i < _searchColumns.Count && !matches; i++)
                {
                    var searched = reader.ReadString();
                    matches = _searchColumns[i] == column && searched == value;
                }

                // Equal hashes of different values are told apart by the values themselves.
                if (matches)
                {
                    var json = new Utf8JsonReader(payload);
                    found.Add(new ProviderRow(part, key, _datasets[ordinal], _agencies[ordinal], version, JsonElement.ParseValue(ref json)));
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return found;
    }

    /// <summary>Closes the files (they stay on disk for the next host; the index deletes those no version needs).
    /// A lookup still reading this segment then fails with <see cref="ObjectDisposedException"/>, never reads freed memory.</summary>
    public void Dispose()
    {
        _view.Dispose();
        _map.Dispose();
        _file.Dispose();
    }

    private ulong HashAt((long Count, long HashesAt, long OffsetsAt) index, long at) => _view.ReadUInt64(index.HashesAt + at * 8);

    private long LowerBound((long Count, long HashesAt, long OffsetsAt) index, ulong hash)
    {
        long low = 0, high = index.Count;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (HashAt(index, middle) < hash)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private sealed class OffsetBuilder
    {
        private ulong[] _hashes = new ulong[1024];
        private long[] _offsets = new long[1024];
        private int _count;

        public void Add(ulong hash, long offset)
        {
            if (_count == _hashes.Length)
            {
                Array.Resize(ref _hashes, _count * 2);
                Array.Resize(ref _offsets, _count * 2);
            }

            _hashes[_count] = hash;
            _offsets[_count++] = offset;
        }

        public (ulong[] Hashes, long[] Offsets) Sorted()
        {
            Array.Resize(ref _hashes, _count);
            Array.Resize(ref _offsets, _count);
            Array.Sort(_hashes, _offsets);
            return (_hashes, _offsets);
        }
    }

    private sealed class ArrayBufferWriter
    {
        private byte[] _buffer = new byte[4096];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

        public void Clear() => Length = 0;

        public void WriteInt16(short value)
        {
            Ensure(2);
            BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(Length), value);
            Length += 2;
        }

        public void WriteInt64(long value)
        {
            Ensure(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(Length), value);
            Length += 8;
        }

        public void WriteString(string value)
        {
            var bytes = Encoding.UTF8.GetMaxByteCount(value.Length);
            Ensure(4 + bytes);
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length + 4));
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(Length), written);
            Length += 4 + written;
        }

        private void Ensure(int more)
        {
            if (Length + more > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + more));
            }
        }
    }

    private ref struct RecordReader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _position;

        public short ReadInt16()
        {
            var value = BinaryPrimitives.ReadInt16LittleEndian(_buffer[_position..]);
            _position += 2;
            return value;
        }

        public long ReadInt64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_buffer[_position..]);
            _position += 8;
            return value;
        }

        public ReadOnlySpan<byte> ReadBytes()
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer[_position..]);
            var bytes = _buffer.Slice(_position + 4, length);
            _position += 4 + length;
            return bytes;
        }

        public string ReadString() => Encoding.UTF8.GetString(ReadBytes());
    }
}
