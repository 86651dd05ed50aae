using GovShare.Lake.Ingestion.Sample;

namespace GovShare.Lake.Ingestion.Tests.Sample;

/// <summary>Whole runs of the generator: determinism, streaming in bounded memory, and option checks.</summary>
public sealed class SyntheticCityRunTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    [Fact]
    public void Generate_Should_WriteByteIdenticalFiles_When_SeedAndSizesAreTheSame()
    {
        var first = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("a"), Persons = 3_000, MaxParallelism = 4 });
        var second = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("b"), Persons = 3_000, MaxParallelism = 1 });

        var filesA = Files(first.OutputDirectory);
        var filesB = Files(second.OutputDirectory);
        Assert.Equal(filesA.Keys, filesB.Keys);
        Assert.Equal(10 + 10 + 3 + 1, filesA.Count);
        foreach (var (name, bytes) in filesA)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(filesB[name]), $"{name} differs between two runs");
        }

        Assert.Equal(first.Datasets, second.Datasets);
    }

    [Fact]
    public void Generate_Should_WriteAnotherCity_When_TheSeedDiffers()
    {
        var first = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("a"), Persons = 1_000 });
        var second = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("b"), Persons = 1_000, Seed = 42 });

        var household = first.Datasets[0].File;
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first.OutputDirectory, household)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, second.Datasets[0].File)));
        Assert.NotEqual(first.GeneratedAt, second.GeneratedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.FromHours(8)), first.GeneratedAt);
    }

    [Fact]
    public void Generate_Should_StreamInBoundedMemory_When_TheCityIsLarge()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        var reports = 0L;
        var progress = new SynchronousProgress(_ =>
        {
            var now = GC.GetTotalMemory(forceFullCollection: false);
            InterlockedMax(ref peak, now);
            Interlocked.Increment(ref reports);
        });

        var result = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("large"), Persons = 200_000 }, progress);

        // One row per person, and a second one for each key delivered twice on purpose.
        Assert.Equal(200_000 + (DuplicateRows(result, "psb.household") / 2), result.Datasets[0].Rows);
        Assert.True(reports > 50, $"only {reports} progress reports");
        var growth = (peak - baseline) / (1024.0 * 1024.0);
        Assert.True(growth < 200, $"the managed heap grew by {growth:F0} MB while generating 200 000 persons");
    }

    [Fact]
    public void Generate_Should_Refuse_When_SizesAreOutOfRange()
    {
        var error = Assert.Throws<LakeException>(() => SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("x"), Persons = 0 }));
        Assert.Equal(LakeErrorKind.InvalidInput, error.Kind);
        Assert.Throws<LakeException>(() => SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("x"), Persons = 10, Licences = -1 }));
        Assert.Throws<LakeException>(() => SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("x"), Persons = 1_000_000_000 }));
    }

    [Fact]
    public void Generate_Should_FailWithAnIoError_When_TheOutputIsAFile()
    {
        var file = _scratch.Sub("not-a-folder");
        File.WriteAllText(file, "x");

        Assert.ThrowsAny<IOException>(() => SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = file, Persons = 100 }));
    }

    [Fact]
    public void Generate_Should_WriteEveryFile_When_TheCityIsTiny()
    {
        var result = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _scratch.Sub("tiny"), Persons = 1, Licences = 3 });

        Assert.Equal(1 + (DuplicateRows(result, "psb.household") / 2), result.Datasets[0].Rows);
        Assert.Equal(1 + (DuplicateRows(result, "amr.entities") / 2), result.Datasets.Single(d => d.Id == "amr.entities").Rows);
        Assert.All(result.Datasets, d => Assert.True(File.Exists(Path.Combine(result.OutputDirectory, d.File)), d.File));
    }

    public void Dispose() => _scratch.Dispose();

    /// <summary>Rows of a dataset listed as duplicate_key: every copy of a duplicated key, the first included.</summary>
    private static long DuplicateRows(SyntheticCityResult result, string datasetId) =>
        File.ReadLines(Path.Combine(result.OutputDirectory, "labels", "invalid-rows.csv"))
            .Count(l => l.StartsWith(datasetId + ",", StringComparison.Ordinal) && l.EndsWith(",duplicate_key", StringComparison.Ordinal));

    private static SortedDictionary<string, byte[]> Files(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>Runs the callback on the reporting thread (Progress&lt;T&gt; would post it to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<SyntheticCityProgress> report) : IProgress<SyntheticCityProgress>
    {
        public void Report(SyntheticCityProgress value) => report(value);
    }
}
