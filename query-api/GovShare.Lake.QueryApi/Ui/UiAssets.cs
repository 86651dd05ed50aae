using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace GovShare.Lake.QueryApi.Ui;

/// <summary>The web UI's files, served by the host itself under <c>/ui/</c> (an offline government network has no CDN): embedded in
/// the assembly, or read from <c>Ui:Directory</c> when set (while developing the UI, so that a page reload shows an edit). Every
/// response carries a Content-Security-Policy that lets the browser load nothing from anywhere but this host.</summary>
internal static class UiAssets
{
    /// <summary>The page's security policy: this host only, no inline script, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string ResourcePrefix = "ui/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".woff2"] = "font/woff2",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<FrozenDictionary<string, (byte[] Bytes, string ETag)>> Embedded = new(LoadEmbedded);

    /// <summary>Maps <c>/</c> (to the UI) and <c>/ui/**</c>.</summary>
    public static void MapUi(this IEndpointRouteBuilder endpoints, string? directory)
    {
        endpoints.MapGet("/", () => TypedResults.Redirect("/ui/")).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapMethods("/ui/{**path}", [HttpMethods.Get, HttpMethods.Head], (string? path, HttpContext context) => Serve(path ?? "", context, directory)).ExcludeFromDescription().AllowAnonymous();
    }

    /// <summary>The embedded files' paths (relative to <c>/ui/</c>).</summary>
    public static IReadOnlyCollection<string> Files => Embedded.Value.Keys;

    private static IResult Serve(string path, HttpContext context, string? directory)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";

        if (path.Length == 0 || !ContentTypes.ContainsKey(Path.GetExtension(path)))
        {
            // Any page address without a file extension is the single-page application.
            path = "index.html";
        }

        if (Find(path, directory) is not var (bytes, etag))
        {
            return TypedResults.NotFound();
        }

        // Revalidated on every load (an upgraded host serves new files at once); unchanged files answer 304.
        headers.CacheControl = "no-cache";
        headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch is { Count: > 0 } match && match.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(bytes, ContentTypes[Path.GetExtension(path)]);
    }

    private static (byte[] Bytes, string ETag)? Find(string path, string? directory)
    {
        if (path.Contains("..", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        if (directory is { Length: > 0 })
        {
            var file = Path.GetFullPath(Path.Combine(directory, path));
            return file.StartsWith(Path.GetFullPath(directory), StringComparison.Ordinal) && File.Exists(file) ? Tagged(File.ReadAllBytes(file)) : null;
        }

        return Embedded.Value.TryGetValue(path, out var found) ? found : null;
    }

    private static FrozenDictionary<string, (byte[] Bytes, string ETag)> LoadEmbedded()
    {
        var assembly = typeof(UiAssets).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[ResourcePrefix.Length..].Replace('\\', '/')] = Tagged(copy.ToArray());
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static (byte[], string) Tagged(byte[] bytes) => (bytes, new StringValues("\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"").ToString());
}
