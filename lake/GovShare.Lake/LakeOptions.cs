namespace GovShare.Lake;

/// <summary>Where the lake lives. Bound from the <c>Lake</c> configuration section.</summary>
public sealed class LakeOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Lake";

    /// <summary>The lake folder: Delta tables, the platform store, drop folders. Relative paths are
    /// taken from the current directory. Default: <c>./lake-data</c>.</summary>
    public string Directory { get; set; } = "./lake-data";

    /// <summary>The lake folder as an absolute path.</summary>
    public string FullPath => Path.GetFullPath(Directory);

    /// <summary>Problems that make these options unusable; empty when they are fine.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            problems.Add("Lake:Directory is empty: give the lake folder (default ./lake-data).");
        }
        else if (Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            problems.Add($"Lake:Directory '{Directory}' contains characters that are not allowed in a path.");
        }
        else if (File.Exists(FullPath))
        {
            problems.Add($"Lake:Directory '{FullPath}' is a file, not a folder.");
        }

        return problems;
    }
}
