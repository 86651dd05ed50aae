using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Platform;
using GovShare.Lake.Text;

namespace GovShare.Lake.Cli.Commands;

/// <summary>A failure talking to the server, already phrased for the user as one line; the command prints it
/// after <c>govshare &lt;command&gt;:</c> and exits with <see cref="ExitCodes.Failure"/>.</summary>
internal sealed class ApiException(string message) : Exception(message);

/// <summary>An API key and where it came from, so that a refused key can be traced to its source.</summary>
/// <param name="Key">The key.</param>
/// <param name="Source">--key, GOVSHARE_API_KEY, or the credentials file and agency.</param>
internal sealed record ResolvedKey(string Key, string Source);

/// <summary>One line of the demo credentials file.</summary>
/// <param name="AgencyCode">The agency's code.</param>
/// <param name="Kind">provider, consumer or operator.</param>
/// <param name="ApiKey">The agency's API key.</param>
/// <param name="NameZh">The agency's Chinese name.</param>
internal sealed record DemoCredential(string AgencyCode, AgencyKind Kind, string ApiKey, string NameZh);

/// <summary>The keys <c>govshare serve</c> writes to <c>&lt;lake&gt;/demo-credentials.txt</c> when it fills an empty
/// lake: <c>#</c> comment lines, then <c>agency_code TAB kind TAB api_key TAB name_zh</c> per line.</summary>
internal static class DemoCredentials
{
    public const string FileName = "demo-credentials.txt";

    /// <summary>Reads the credentials; a malformed line is an error naming the file and line, not something to skip,
    /// because a skipped line would silently pick another agency's key.</summary>
    /// <exception cref="ApiException">A line without four fields, with an unknown kind, or with an empty code or key.</exception>
    public static IReadOnlyList<DemoCredential> Parse(TextReader reader, string source)
    {
        var credentials = new List<DemoCredential>();
        var number = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length != 4)
            {
                throw new ApiException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}:{number}: expected 4 tab-separated fields (agency_code, kind, api_key, name_zh), found {fields.Length}."));
            }

            var (code, kindName, key, name) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[3].Trim());
            AgencyKind? kind = kindName switch
            {
                "provider" => AgencyKind.Provider,
                "consumer" => AgencyKind.Consumer,
                "operator" => AgencyKind.Operator,
                _ => null,
            };
            if (kind is null)
            {
                throw new ApiException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}:{number}: kind '{kindName}' is not provider, consumer or operator."));
            }

            if (code.Length == 0 || key.Length == 0)
            {
                throw new ApiException(string.Create(CultureInfo.InvariantCulture, $"{source}:{number}: the agency code and the key must not be empty."));
            }

            credentials.Add(new DemoCredential(code, kind.Value, key, name));
        }

        return credentials;
    }

    /// <summary>Reads the file (UTF-8, with or without a byte-order mark).</summary>
    public static IReadOnlyList<DemoCredential> Read(string path)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path);
    }
}

/// <summary>The options of every command that calls the server, and how they become an <see cref="ApiClient"/>.</summary>
internal sealed class ApiOptions
{
    public Option<string> Server { get; } = new("--server")
    {
        Description = "The GovShare Lake server (started with 'govshare serve').",
        HelpName = "URL",
        DefaultValueFactory = _ => ApiClient.DefaultServer,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"The API key. Default: the {ApiClient.KeyVariable} environment variable, else the first consumer key in " +
            $"<lake>/{DemoCredentials.FileName} (written by 'govshare serve' when it fills an empty lake with the demo city).",
        HelpName = "KEY",
    };

    public Option<string> Lake { get; } = new("--lake")
    {
        Description = $"The lake folder whose {DemoCredentials.FileName} supplies the key when neither --key nor {ApiClient.KeyVariable} is given.",
        HelpName = "DIR",
        DefaultValueFactory = _ => "./lake-data",
    };

    public Option<string?> EndUser { get; } = new("--end-user")
    {
        Description = "The person the request is made for, recorded in the audit trail (default: $USER, else 'cli').",
        HelpName = "NAME",
    };

    public Option<string?> Purpose { get; } = new("--purpose")
    {
        Description = $"Why the data is needed, recorded in the audit trail (default: '{ApiClient.DefaultPurpose}').",
        HelpName = "TEXT",
    };

    public ApiOptions()
    {
        Server.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && ApiClient.ParseServer(token.Value) is null)
            {
                result.AddError($"--server must be an http:// or https:// URL, not '{token.Value}'.");
            }
        });
    }

    /// <summary>An option's value inside a command validator: what was typed, or default(T) when nothing was (validators
    /// run before defaults are filled in, so the caller supplies the default) or when the value is not one the option
    /// accepts (the parser reports that error itself; reading it would throw).</summary>
    public static T? Given<T>(CommandResult result, Option<T> option)
    {
        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>An argument's value inside a command validator, as <see cref="Given{T}(CommandResult, Option{T})"/>.</summary>
    public static T? Given<T>(CommandResult result, Argument<T> argument)
    {
        try
        {
            return result.GetValue(argument);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Key);
        command.Options.Add(Lake);
        command.Options.Add(EndUser);
        command.Options.Add(Purpose);
    }

    /// <summary>A client for the parsed command line, with a consumer's key resolved as <see cref="ApiClient.ResolveKey"/> says.</summary>
    /// <exception cref="ApiException">No key was found.</exception>
    public ApiClient Open(ParseResult parseResult)
    {
        var key = ApiClient.ResolveKey(parseResult.GetValue(Key), Environment.GetEnvironmentVariable, parseResult.GetValue(Lake)!, AgencyKind.Consumer);
        return new ApiClient(parseResult.GetValue(Server)!, key,
            ApiClient.DefaultEndUser(parseResult.GetValue(EndUser), Environment.GetEnvironmentVariable),
            string.IsNullOrWhiteSpace(parseResult.GetValue(Purpose)) ? ApiClient.DefaultPurpose : parseResult.GetValue(Purpose)!.Trim());
    }
}

/// <summary>A small client of the GovShare Lake HTTP API for <c>govshare query</c> and <c>govshare export</c>: it sends
/// the key and the audit headers, turns error answers into one line (<see cref="ApiException"/>), and streams
/// bodies to a file or standard output.</summary>
internal sealed class ApiClient : IDisposable
{
    public const string DefaultServer = "http://127.0.0.1:5080";

    public const string KeyVariable = "GOVSHARE_API_KEY";

    public const string DefaultPurpose = "govshare cli";

    /// <summary>Answers read whole (a JSON page, the theme list) come from a server that bounds its own query time, so this
    /// only catches a server that hangs.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Long enough for a loaded server's accept queue, short enough that a wrong address fails soon.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;

    /// <param name="server">The server's base URL (<see cref="DefaultServer"/>).</param>
    /// <param name="key">The API key.</param>
    /// <param name="endUser">The <c>X-End-User</c> header.</param>
    /// <param name="purpose">The <c>X-Purpose</c> header.</param>
    /// <param name="handler">The transport; by default sockets with <see cref="ConnectTimeout"/>.</param>
    public ApiClient(string server, ResolvedKey key, string endUser, string purpose, HttpMessageHandler? handler = null)
    {
        ServerText = server.TrimEnd('/');
        Key = key;
        EndUser = endUser;
        Purpose = purpose;

        // No overall timeout: an export of a large theme may stream for many minutes, and Parquet answers are
        // written whole before their first byte. Ctrl+C cancels; the connect timeout catches a wrong address.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = ConnectTimeout })
        {
            BaseAddress = ParseServer(server) ?? throw new ArgumentException($"'{server}' is not an http(s) URL.", nameof(server)),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The server as the user wrote it, for messages.</summary>
    public string ServerText { get; }

    public ResolvedKey Key { get; }

    public string EndUser { get; }

    public string Purpose { get; }

    /// <summary>The server URL as a base for relative paths (ending in '/'), or null when it is not http(s).</summary>
    public static Uri? ParseServer(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    /// <summary>The API key to send: <c>--key</c>, else <see cref="KeyVariable"/>, else the first key of
    /// <paramref name="kind"/> in the lake folder's <see cref="DemoCredentials.FileName"/>.</summary>
    /// <exception cref="ApiException">None of the three gives a key, or the credentials file is malformed.</exception>
    public static ResolvedKey ResolveKey(string? option, Func<string, string?> environment, string lakeFolder, AgencyKind kind)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new ResolvedKey(option.Trim(), "--key");
        }

        if (environment(KeyVariable) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return new ResolvedKey(variable.Trim(), KeyVariable);
        }

        var kindName = kind.ToString().ToLowerInvariant();
        var path = Path.Combine(Path.GetFullPath(lakeFolder), DemoCredentials.FileName);
        var advice = $"pass --key KEY or set {KeyVariable} (an operator issues keys with 'govshare agency add')";
        if (!File.Exists(path))
        {
            throw new ApiException($"no API key: {advice}; there is no {path} to take a demo key from (--lake names the folder 'govshare serve' uses).");
        }

        return DemoCredentials.Read(path).FirstOrDefault(c => c.Kind == kind) is { } credential
            ? new ResolvedKey(credential.ApiKey, $"{path}, agency {credential.AgencyCode}")
            : throw new ApiException($"no API key: {advice}; {path} holds no {kindName} key.");
    }

    /// <summary>The end user to name: the option, else <c>USER</c> (<c>USERNAME</c> on Windows), else "cli".</summary>
    public static string DefaultEndUser(string? option, Func<string, string?> environment) =>
        new[] { option, environment("USER"), environment("USERNAME") }.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() ?? "cli";

    /// <summary>HTTP headers carry Latin-1 at best, so names and purposes travel as percent-encoded UTF-8 (the server decodes them).</summary>
    public static string EncodeHeader(string value) => Uri.EscapeDataString(value);

    /// <summary>A request to a path relative to the server, with the key, the audit headers and the format asked for.</summary>
    public HttpRequestMessage Request(HttpMethod method, string relativePath, string accept, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_http.BaseAddress!, relativePath.TrimStart('/'))) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key.Key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (!accept.Contains("json", StringComparison.Ordinal))
        {
            // Low quality, so the server still picks the data format; present at all, so that an error is still
            // written as problem JSON (ASP.NET Core writes problem details only to clients that accept them).
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json", 0.1));
        }

        request.Headers.TryAddWithoutValidation("X-End-User", EncodeHeader(EndUser));
        request.Headers.TryAddWithoutValidation("X-Purpose", EncodeHeader(Purpose));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("govshare", BuildInfo.Version));
        return request;
    }

    /// <summary>Sends a request and returns once the headers are in, the body still streaming.</summary>
    /// <exception cref="ApiException">The server answered with an error, or could not be reached.</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            throw new ApiException(Unreachable(ServerText));
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException($"the request to {ServerText} failed: {OneLine(ex.Message)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The connect timeout (SocketsHttpHandler reports it as a cancellation).
            throw new ApiException(Unreachable(ServerText));
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await ReadErrorBodyAsync(response, cancellationToken);
            var message = DescribeError(response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                message += $" (the key came from {Key.Source})";
            }

            throw new ApiException(message);
        }
    }

    /// <summary>Sends a request whose answer is JSON read whole, within <see cref="AnswerTimeout"/>.</summary>
    /// <exception cref="ApiException">An error answer, an unreachable server, a hung server or a body that is not JSON.</exception>
    public async Task<(JsonDocument Document, HttpResponseMessage Response)> SendForJsonAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            var response = await SendAsync(request, timeout.Token);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                return (await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token), response);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApiException(string.Create(CultureInfo.InvariantCulture,
                $"the server at {ServerText} did not answer within {AnswerTimeout.TotalMinutes} minutes."));
        }
        catch (JsonException ex)
        {
            throw new ApiException($"the server at {ServerText} sent an answer that is not JSON: {OneLine(ex.Message)}");
        }
        catch (HttpIOException ex)
        {
            throw new ApiException($"the answer from {ServerText} broke off: {OneLine(ex.Message)}");
        }
    }

    /// <summary>Streams a response body to <paramref name="path"/> through <c>PATH.partial</c>, renamed only when the
    /// whole body arrived, so that a broken download never looks like a complete file. Progress goes to standard error.</summary>
    /// <returns>The bytes written.</returns>
    /// <exception cref="ApiException">The server broke the download off.</exception>
    public async Task<long> SaveAsync(HttpResponseMessage response, string path, CliConsole console, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var partial = full + ".partial";
        var progress = new DownloadProgress(console, response.Content.Headers.ContentLength);
        long bytes = 0;
        try
        {
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    bytes += read;
                    progress.Report(bytes);
                }
            }

            File.Move(partial, full, overwrite: true);
            return bytes;
        }
        catch (HttpIOException ex)
        {
            TryDelete(partial);
            throw new ApiException(string.Create(CultureInfo.InvariantCulture,
                $"the download from {ServerText} broke off after {bytes:N0} bytes ({OneLine(ex.Message)}); nothing was saved."));
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
        finally
        {
            progress.Clear();
        }
    }

    /// <summary>Streams a text body (CSV) to standard output.</summary>
    /// <exception cref="ApiException">The server broke the answer off.</exception>
    public async Task<long> CopyToOutputAsync(HttpResponseMessage response, CliConsole console, CancellationToken cancellationToken)
    {
        long bytes = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (console.Out is StreamWriter { BaseStream: var raw })
            {
                // The bytes as the server sent them, so that a GB18030 CSV stays GB18030 for the file or program it is piped to.
                await console.Out.FlushAsync(cancellationToken);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await raw.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    bytes += read;
                }

                await raw.FlushAsync(cancellationToken);
                return bytes;
            }

            // A writer without bytes underneath (tests): decode as the server declared.
            using var reader = new StreamReader(body, CharsetOf(response), detectEncodingFromByteOrderMarks: false);
            var chars = new char[1 << 14];
            int count;
            while ((count = await reader.ReadAsync(chars, cancellationToken)) > 0)
            {
                await console.Out.WriteAsync(chars.AsMemory(0, count), cancellationToken);
                bytes += count;
            }

            return bytes;
        }
        catch (HttpIOException ex)
        {
            throw new ApiException($"the answer from {ServerText} broke off ({OneLine(ex.Message)}); the output is incomplete.");
        }
    }

    /// <summary>An error answer as one line: a problem's title, detail and SQL position, or the status and the start of the body.</summary>
    public static string DescribeError(HttpStatusCode status, string? reasonPhrase, string? mediaType, string body)
    {
        if (mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase) && FormatProblem(body) is { } problem)
        {
            return problem;
        }

        var code = ((int)status).ToString(CultureInfo.InvariantCulture);
        var text = OneLine(body);
        text = text.Length > 300 ? text[..300] + "…" : text;
        return $"HTTP {code} {reasonPhrase ?? status.ToString()}" + (text.Length > 0 ? ": " + text : string.Empty);
    }

    /// <summary>An RFC 9457 problem as <c>title: detail (line L, column C)</c>, on one line; null when the text is not a problem object.</summary>
    public static string? FormatProblem(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var title = Text(root, "title");
            var detail = Text(root, "detail");
            if (title is null && detail is null)
            {
                return null;
            }

            if (title is null && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number)
            {
                title = "HTTP " + status.GetRawText();
            }

            var line = OneLine(title ?? string.Empty);
            if (detail is not null)
            {
                line = (line.Length > 0 ? line + ": " : string.Empty) + OneLine(detail);
            }

            if (root.TryGetProperty("position", out var position) && position.ValueKind == JsonValueKind.Object
                && position.TryGetProperty("line", out var at) && at.TryGetInt64(out var lineNumber)
                && position.TryGetProperty("column", out var column) && column.TryGetInt64(out var columnNumber))
            {
                line = string.Create(CultureInfo.InvariantCulture, $"{line.TrimEnd('.')} (line {lineNumber}, column {columnNumber})");
            }

            return line;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The lake version an answer was read at: <c>X-Lake-Version</c>, else the ETag (<c>"v12"</c>,
    /// <c>"v12-since-v3"</c>); null when neither says.</summary>
    public static long? LakeVersionOf(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("X-Lake-Version", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }

        var tag = response.Headers.ETag?.Tag;
        if (tag is not null && tag.StartsWith("\"v", StringComparison.Ordinal))
        {
            var digits = tag.AsSpan(2);
            var end = digits.IndexOfAnyExceptInRange('0', '9');
            if (long.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out version))
            {
                return version;
            }
        }

        return null;
    }

    public static string Unreachable(string server) => $"cannot reach the server at {server}: is `govshare serve` running?";

    public void Dispose() => _http.Dispose();

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    /// <summary>Messages from DuckDB span lines; a terminal line should not.</summary>
    private static string OneLine(string text) =>
        string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Trim();

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            // An error body is small; a misbehaving proxy's page is cut rather than read whole.
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[64 * 1024];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            return CharsetOf(response).GetString(buffer, 0, length);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return string.Empty;
        }
    }

    private static Encoding CharsetOf(HttpResponseMessage response)
    {
        var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
        if (string.IsNullOrEmpty(charset))
        {
            return new UTF8Encoding(false);
        }

        try
        {
            return TextEncodings.FromName(charset);
        }
        catch (LakeException)
        {
            return new UTF8Encoding(false);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind, but named .partial: it never passes for a whole file.
        }
    }

    /// <summary>Bytes received so far, redrawn at most once a second and only when a person watches standard error.</summary>
    private sealed class DownloadProgress(CliConsole console, long? total)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _next = TimeSpan.FromSeconds(1);
        private bool _drawn;

        public void Report(long bytes)
        {
            if (!console.ErrorIsTerminal || _clock.Elapsed < _next)
            {
                return;
            }

            _next = _clock.Elapsed + TimeSpan.FromSeconds(1);
            var rate = bytes / 1e6 / _clock.Elapsed.TotalSeconds;
            console.Error.Write(total is > 0
                ? string.Create(CultureInfo.InvariantCulture, $"\r{bytes,15:N0} of {total.Value:N0} bytes ({(double)bytes / total.Value,4:P0}), {rate:F1} MB/s   ")
                : string.Create(CultureInfo.InvariantCulture, $"\r{bytes,15:N0} bytes received, {rate:F1} MB/s   "));
            _drawn = true;
        }

        public void Clear()
        {
            if (_drawn)
            {
                console.Error.Write("\r" + new string(' ', 79) + "\r");
            }
        }
    }
}
