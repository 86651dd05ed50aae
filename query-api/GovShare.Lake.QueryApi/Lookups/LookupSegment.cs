using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Text;
using Microsoft.Win32.SafeHandles;

namespace GovShare.Lake.QueryApi.Lookups;

/// <summary>One base table's lookup index: every provider's current row in a file (key, provider, table version, the
/// attributes as JSON, the values of the search columns), and in memory only sorted 64-bit hashes of the keys and of the
/// search values with the rows' file offsets (16 bytes a row). A lookup is a binary search and one positioned read from
/// the file (served from the page cache), so it costs microseconds where a DuckDB statement costs about a millisecond of
/// planning, the difference between meeting the lookup goal on two cores and not.</summary>
internal sealed class LookupSegment : IDisposable
{
    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly string[] _datasets;
    private readonly string[] _agencies;
    private readonly IReadOnlyList<string> _searchColumns;
    private readonly Dictionary<string, (ulong[] Hashes, long[] Offsets)> _indexes;

    private LookupSegment(string path, string[] datasets, string[] agencies, IReadOnlyList<string> searchColumns,
        Dictionary<string, (ulong[] Hashes, long[] Offsets)> indexes, long rows)
    {
        _path = path;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        _datasets = datasets;
        _agencies = agencies;
        _searchColumns = searchColumns;
        _indexes = indexes;
        Rows = rows;
    }

    /// <summary>Rows indexed.</summary>
    public long Rows { get; }

    /// <summary>Builds a segment from the rows of <paramref name="rowsQuery"/> (columns key, dataset, agency,
    /// table_version, payload, then the search columns, in that order).</summary>
    public static LookupSegment Build(DuckDBConnection connection, string rowsQuery, IReadOnlyList<string> searchColumns, string path, CancellationToken cancellationToken)
    {
        var datasets = new List<string>();
        var agencies = new List<string>();
        var builders = new Dictionary<string, OffsetBuilder>(StringComparer.Ordinal) { ["key"] = new() };
        foreach (var column in searchColumns)
        {
            builders[column] = new OffsetBuilder();
        }

        long rows = 0;
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = rowsQuery;
            command.UseStreamingMode = true;
            using var reader = command.ExecuteReader();
            var record = new ArrayBufferWriter();
            var lengthPrefix = new byte[4];
            long offset = 0;
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
        }

        var indexes = builders.ToDictionary(b => b.Key, b => b.Value.Sorted(), StringComparer.Ordinal);
        return new LookupSegment(path, [.. datasets], [.. agencies], searchColumns, indexes, rows);
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
        var at = LowerBound(index.Hashes, hash);
        if (at >= index.Hashes.Length || index.Hashes[at] != hash)
        {
            return found;
        }

        // One positioned read of a record's usual size into a pooled buffer; a longer record is read again whole.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(2048);
        try
        {
            for (; at < index.Hashes.Length && index.Hashes[at] == hash; at++)
            {
                var offset = index.Offsets[at];
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

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Cleaned with the folder at the next start.
        }
    }

    private static int LowerBound(ulong[] hashes, ulong hash)
    {
        int low = 0, high = hashes.Length;
        while (low < high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            if (hashes[middle] < hash)
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
