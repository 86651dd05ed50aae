using System.Security.Cryptography;
using System.Text.Json;

namespace GovShare.Lake.Consistency;

/// <summary>The difference classifier's models, versioned in the lake folder: <c>quality/models/&lt;version&gt;/model.zip</c>
/// with <c>metrics.json</c> beside it, and <c>quality/models/current</c> naming the version in use. A model is never
/// overwritten; promoting one only rewrites <c>current</c> (atomically).</summary>
public sealed class ModelStore(LakeLayout layout)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The models folder.</summary>
    public string Folder => Path.Combine(layout.Root, "quality", "models");

    /// <summary>The version in use, or null when none was promoted yet.</summary>
    public string? CurrentVersion
    {
        get
        {
            var path = Path.Combine(Folder, "current");
            return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } version && Directory.Exists(Path.Combine(Folder, version)) ? version : null;
        }
    }

    /// <summary>Every stored version, oldest first.</summary>
    public IReadOnlyList<string> Versions =>
        Directory.Exists(Folder)
            ? [.. Directory.GetDirectories(Folder).Select(Path.GetFileName).OfType<string>().Where(v => File.Exists(Path.Combine(Folder, v, "model.zip"))).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Stores a trained model with its metrics under a new version and returns the version; <paramref name="promote"/>
    /// makes it the one in use.</summary>
    public string Save(DifferenceClassifier classifier, Func<string, ModelMetrics> metrics, DateTimeOffset now, bool promote)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(metrics);
        Directory.CreateDirectory(Folder);
        var staging = Path.Combine(Folder, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var zip = Path.Combine(staging, "model.zip");
            classifier.Save(zip);
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(zip)))[..8];
            var version = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + hash;
            File.WriteAllText(Path.Combine(staging, "metrics.json"), JsonSerializer.Serialize(metrics(version), Json));
            var target = Path.Combine(Folder, version);
            if (Directory.Exists(target))
            {
                Directory.Delete(staging, recursive: true);
            }
            else
            {
                Directory.Move(staging, target);
            }

            if (promote)
            {
                Promote(version);
            }

            return version;
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Makes a stored version the one in use.</summary>
    public void Promote(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (!File.Exists(Path.Combine(Folder, version, "model.zip")))
        {
            throw new LakeException(LakeErrorKind.NotFound, $"no model version {version} in {Folder}.");
        }

        var temporary = Path.Combine(Folder, "current.tmp");
        File.WriteAllText(temporary, version + "\n");
        File.Move(temporary, Path.Combine(Folder, "current"), overwrite: true);
    }

    /// <summary>Loads a version (the one in use when null).</summary>
    public (string Version, DifferenceClassifier Classifier)? Load(string? version = null)
    {
        version ??= CurrentVersion;
        if (version is null)
        {
            return null;
        }

        var zip = Path.Combine(Folder, version, "model.zip");
        return File.Exists(zip) ? (version, DifferenceClassifier.Load(zip)) : throw new LakeException(LakeErrorKind.NotFound, $"no model version {version} in {Folder}.");
    }

    /// <summary>The metrics stored with a version.</summary>
    public ModelMetrics? Metrics(string version)
    {
        var path = Path.Combine(Folder, version, "metrics.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<ModelMetrics>(File.ReadAllText(path), Json) : null;
    }
}
