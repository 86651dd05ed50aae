using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>Helpers every browser test uses: steps that leave a screenshot when they fail, and named screenshots.</summary>
public static class Ui
{
    /// <summary>The repository's root: the nearest folder above the test assembly holding <c>GovShare.Lake.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Where a failing step's screenshot goes: <c>artifacts/test-results/screenshots/</c> in the repository, beside
    /// the test results <c>tests/run</c> writes (and empties at its start).</summary>
    public static string FailureScreenshots => Path.Combine(RepositoryRoot, "artifacts", "test-results", "screenshots");

    /// <summary>Runs a test's steps; when one throws, saves a full-page screenshot of <paramref name="page"/> as
    /// <c>&lt;testName&gt;.png</c> in <see cref="FailureScreenshots"/> and throws <see cref="UiStepFailedException"/>,
    /// whose message names the file and carries the original message (the original is its inner exception).</summary>
    /// <param name="page">The page the steps drive.</param>
    /// <param name="testName">The test's name (the screenshot's file name).</param>
    /// <param name="steps">The test's steps.</param>
    public static async Task Run(IPage page, string testName, Func<Task> steps)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(steps);
        try
        {
            await steps();
        }
        catch (Exception ex)
        {
            string screenshot;
            try
            {
                screenshot = "screenshot: " + await SaveScreenshotAsync(page, FailureScreenshots, testName);
            }
            catch (PlaywrightException shot)
            {
                // A closed or crashed page cannot be photographed; the original failure still counts.
                screenshot = "no screenshot: " + shot.Message;
            }

            throw new UiStepFailedException($"{testName} failed ({screenshot}): {ex.Message}", ex);
        }
    }

    /// <summary>Saves a full-page screenshot of <paramref name="page"/> as <c>&lt;name&gt;.png</c> in
    /// <paramref name="folder"/> (relative to the repository's root unless rooted; created when missing), replacing an
    /// older one; returns the file's full path. For the UI's documentation: <c>SaveScreenshotAsync(page,
    /// "docs/screenshots", "catalogue.zh-CN")</c>.</summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var directory = Path.Combine(RepositoryRoot, folder);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, SafeFileName(name) + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Type = ScreenshotType.Png });
        return path;
    }

    private static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return string.Concat(name.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c));
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GovShare.Lake.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No GovShare.Lake.sln above {AppContext.BaseDirectory}: the UI tests run from the repository's build output.");
    }
}

/// <summary>A browser test's step failed; <see cref="Exception.InnerException"/> is what failed, the message also names
/// the screenshot taken at that moment.</summary>
public sealed class UiStepFailedException : Exception
{
    /// <summary>A failure with its screenshot's path in <paramref name="message"/>.</summary>
    public UiStepFailedException(string message, Exception inner) : base(message, inner)
    {
    }
}
