using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare export THEME</c>: a thematic dataset, whole or as changes since an earlier lake version,
/// downloaded from the server's <c>GET /api/themes/{id}/export</c>; <c>govshare export --list</c> lists the themes.</summary>
internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var theme = new Argument<string?>("THEME") { Description = "The theme id (govshare export --list shows them).", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List the themes (id and Chinese name) instead of exporting one." };
        var format = new Option<string>("--format")
        {
            Description = "parquet (default), csv, arrow (Arrow IPC stream, .arrows) or jsonl (one JSON object per line).",
            DefaultValueFactory = _ => "parquet",
        }.AcceptOnlyFromAmong("parquet", "csv", "arrow", "jsonl");
        var version = new Option<long?>("--version") { Description = "Export the theme as it was at this lake version (default: the latest).", HelpName = "V" };
        var since = new Option<long?>("--since")
        {
            Description = "Export only the rows inserted, updated or deleted since this earlier lake version, with a leading 'change' column.",
            HelpName = "V0",
        };
        var encoding = new Option<string?>("--encoding")
        {
            Description = "csv only: gbk for GB18030 (GBK's superset, for Excel on Chinese Windows) instead of UTF-8.",
        }.AcceptOnlyFromAmong("utf-8", "gbk");
        var output = new Option<string?>("--out")
        {
            Description = "The file to write (default: THEME-vVERSION.EXT in the current folder, with -since-vV0 for changes). " +
                "Written as FILE.partial and renamed when complete.",
            HelpName = "FILE",
        };
        var api = new ApiOptions();
        var command = new Command("export",
            "Download a thematic dataset from the server (govshare serve), at the latest lake version or --version, whole or --since an earlier one. " +
            "Prints the file, its size and the lake version. Exit code 0 on success, 1 when the server refuses or cannot be reached, 2 on usage errors.")
        {
            theme, list, format, version, since, encoding, output,
        };
        api.AddTo(command);
        version.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && long.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 1)
            {
                result.AddError("--version must be a lake version (1 or more).");
            }
        });
        since.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && long.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 0)
            {
                result.AddError("--since cannot be negative.");
            }
        });
        command.Validators.Add(result =>
        {
            var listing = ApiOptions.Given(result, list);
            if (listing && ApiOptions.Given(result, theme) is not null)
            {
                result.AddError("--list takes no THEME.");
            }
            else if (!listing && string.IsNullOrWhiteSpace(ApiOptions.Given(result, theme)))
            {
                result.AddError("name the THEME to export (govshare export --list shows them).");
            }

            if (ApiOptions.Given(result, encoding) == "gbk" && (ApiOptions.Given(result, format) ?? "parquet") != "csv")
            {
                result.AddError("--encoding gbk applies to --format csv only.");
            }

            if (ApiOptions.Given(result, since) is { } from && ApiOptions.Given(result, version) is { } to && from >= to)
            {
                result.AddError("--since must be a version before --version.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                using var client = api.Open(parseResult);
                if (parseResult.GetValue(list))
                {
                    return await ListAsync(client, console, cancellationToken);
                }

                return await ExportAsync(client, parseResult.GetValue(theme)!.Trim(), parseResult.GetValue(format)!, parseResult.GetValue(version),
                    parseResult.GetValue(since), parseResult.GetValue(encoding), parseResult.GetValue(output), console, cancellationToken);
            }
            catch (ApiException ex)
            {
                await console.Error.WriteLineAsync($"govshare export: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <summary>The file name the server also suggests: <c>THEME-vV.EXT</c>, or <c>THEME-vV-since-vV0.EXT</c> for changes,
    /// so that a file of changes is never taken for a whole export.</summary>
    public static string DefaultFileName(string theme, long? version, long? since, string format)
    {
        var safe = string.Concat(theme.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
        var at = version is { } v ? "-v" + v.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var changes = since is { } s ? "-since-v" + s.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return $"{safe}{at}{changes}.{Extension(format)}";
    }

    public static string Extension(string format) => format switch
    {
        "arrow" => "arrows",
        _ => format,
    };

    private static string MediaType(string format) => format switch
    {
        "csv" => "text/csv",
        "arrow" => "application/vnd.apache.arrow.stream",
        "jsonl" => "application/x-ndjson",
        _ => "application/vnd.apache.parquet",
    };

    private static async Task<int> ExportAsync(ApiClient client, string theme, string format, long? version, long? since, string? encoding, string? file,
        CliConsole console, CancellationToken cancellationToken)
    {
        var query = new List<string> { "format=" + format };
        if (version is { } v)
        {
            query.Add("version=" + v.ToString(CultureInfo.InvariantCulture));
        }

        if (since is { } s)
        {
            query.Add("since=" + s.ToString(CultureInfo.InvariantCulture));
        }

        if (format == "csv" && encoding == "gbk")
        {
            query.Add("encoding=gbk");
        }

        using var request = client.Request(HttpMethod.Get, $"api/themes/{Uri.EscapeDataString(theme)}/export?{string.Join('&', query)}", MediaType(format));
        using var response = await client.SendAsync(request, cancellationToken);
        var lakeVersion = ApiClient.LakeVersionOf(response) ?? version;
        var target = string.IsNullOrWhiteSpace(file) ? DefaultFileName(theme, lakeVersion, since, format) : file;

        var bytes = await client.SaveAsync(response, target, console, cancellationToken);

        var at = lakeVersion is { } known ? known.ToString(CultureInfo.InvariantCulture) : "unknown";
        var what = since is { } from ? $"changes since version {from.ToString(CultureInfo.InvariantCulture)}" : "whole";
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"wrote {target} ({bytes:N0} bytes): theme {theme}, {what}, lake version {at}"));
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(ApiClient client, CliConsole console, CancellationToken cancellationToken)
    {
        using var request = client.Request(HttpMethod.Get, "api/themes", "application/json");
        var (document, response) = await client.SendForJsonAsync(request, cancellationToken);
        using (document)
        using (response)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ApiException("the server's theme list is not a JSON array; is --server a GovShare Lake server?");
            }

            await console.Out.WriteLineAsync("id\tname");
            var count = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var id))
                {
                    continue;
                }

                await console.Out.WriteLineAsync($"{id}\t{ChineseName(item)}");
                count++;
            }

            long? latest = null;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("version", out var itemVersion) && itemVersion.TryGetInt64(out var number))
                {
                    latest = number;
                    break;
                }
            }

            var version = (ApiClient.LakeVersionOf(response) ?? latest)?.ToString(CultureInfo.InvariantCulture);
            await console.Error.WriteLineAsync((count == 1 ? "1 theme" : count.ToString(CultureInfo.InvariantCulture) + " themes")
                + (version is null ? "." : $", lake version {version}."));
            return ExitCodes.Success;
        }
    }

    /// <summary>The theme's Chinese name: <c>name.zh</c>, or <c>name</c> when it is a plain string.</summary>
    private static string ChineseName(JsonElement theme)
    {
        if (!theme.TryGetProperty("name", out var name))
        {
            return "-";
        }

        return name.ValueKind switch
        {
            JsonValueKind.String => name.GetString()!,
            JsonValueKind.Object when name.TryGetProperty("zh", out var zh) && zh.ValueKind == JsonValueKind.String => zh.GetString()!,
            _ => "-",
        };
    }
}
