using System.Text;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>Reads the reference tables embedded from <c>Reference/</c>, line by line, skipping blank lines and
/// <c>#</c> comments.</summary>
internal static class EmbeddedText
{
    /// <summary>The data lines of the embedded resource <c>GovShare.Lake.Reference.&lt;fileName&gt;</c>.</summary>
    /// <exception cref="LakeException">The resource is missing from the build.</exception>
    public static IEnumerable<string> DataLines(string fileName)
    {
        var resource = "GovShare.Lake.Reference." + fileName;
        using var stream = typeof(EmbeddedText).Assembly.GetManifestResourceStream(resource)
            ?? throw new LakeException(LakeErrorKind.NotFound, $"The embedded resource {resource} is missing from this build.");
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                yield return line;
            }
        }
    }
}
