namespace GovShare.Lake.Tests;

/// <summary>The test data folder in the source tree (read-only inputs), and per-test scratch folders.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "GovShare.Lake.Tests", "TestData");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/GovShare.Lake.Tests/TestData not found above " + AppContext.BaseDirectory);
    });

    public static string Golden(string table) => Path.Combine(Root.Value, "delta-golden", table);

    /// <summary>The repository's root folder (for checks of committed documents).</summary>
    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(Root.Value, "..", "..", ".."));
}

/// <summary>A temporary folder that is deleted with the test.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder(string prefix = "govshare-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Copies a folder (a golden table) here, so a test may write to it.</summary>
    public string CopyFrom(string source, string name)
    {
        var target = Combine(name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
