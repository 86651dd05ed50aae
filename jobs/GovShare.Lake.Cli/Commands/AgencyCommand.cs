using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Evidence;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare agency add|list|rotate-key|seal-key</c>: the agencies known to the platform, their API keys and
/// the public keys their licence seals are verified with. An API key is printed once, when it is issued; only its id
/// and a hash are stored, so nothing can print it again.</summary>
internal static class AgencyCommand
{
    /// <summary>Agency codes: what catalogue entries and inbox folders use, so they must stay path- and URL-safe.</summary>
    private const string CodeRule = "2 to 32 characters: lowercase letters, digits, '.', '-' or '_'";

    public static Command Create(CliConsole console)
    {
        var agency = new Command("agency", "Agencies known to the platform (providers, consumers, the operator) and their API keys.");
        agency.Subcommands.Add(Add(console));
        agency.Subcommands.Add(List(console));
        agency.Subcommands.Add(RotateKey(console));
        agency.Subcommands.Add(SealKey(console));
        return agency;
    }

    /// <summary>True for a code of 2–32 lowercase ASCII letters, digits, '.', '-' and '_'.</summary>
    public static bool IsValidCode(string code) =>
        code.Length is >= 2 and <= 32 && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    private static Command Add(CliConsole console)
    {
        var code = new Option<string>("--code") { Description = $"The agency code ({CodeRule}), as catalogue entries name it.", HelpName = "CODE", Required = true };
        code.Validators.Add(ValidateCode);
        var nameZh = new Option<string>("--name-zh") { Description = "The agency's Chinese name (市公安局).", HelpName = "NAME", Required = true };
        var nameEn = new Option<string?>("--name-en")
        {
            Description = "The agency's English name (default: the name already stored, else none).",
            HelpName = "NAME",
        };
        var kind = new Option<string>("--kind")
        {
            Description = "provider (delivers datasets), consumer (reads shared data) or operator (runs the platform).",
            Required = true,
        }.AcceptOnlyFromAmong("provider", "consumer", "operator");
        var lake = PlatformContext.LakeOption();
        var command = new Command("add",
            "Register an agency (or update one) and issue it an API key, revoking any earlier key. The key is printed once, on standard output; " +
            "it is not stored and cannot be shown again.")
        {
            code, nameZh, nameEn, kind, lake,
        };
        command.SetAction(parseResult =>
        {
            var store = PlatformContext.Open(parseResult.GetValue(lake)!).Store;
            var agencyCode = parseResult.GetValue(code)!;
            var existing = store.FindAgency(agencyCode);
            var name = new LocalizedName(parseResult.GetValue(nameZh)!.Trim(), parseResult.GetValue(nameEn)?.Trim() ?? existing?.Name.En ?? string.Empty);
            var agencyKind = Enum.Parse<AgencyKind>(parseResult.GetValue(kind)!, ignoreCase: true);

            var key = ApiKeys.Issue(store, agencyCode, name, agencyKind, TimeProvider.System);
            AdminAudit.Record(parseResult.GetValue(lake)!, "agency.add", ["agency/" + agencyCode], "allowed", ExitCodes.Success);

            console.Error.WriteLine(existing is null
                ? $"Registered agency {agencyCode} ({name.Zh}, {KindName(agencyKind)})."
                : $"Updated agency {agencyCode} ({name.Zh}, {KindName(agencyKind)}); its earlier keys are revoked.");
            PrintKey(console, agencyCode, key);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliConsole console)
    {
        var lake = PlatformContext.LakeOption();
        var command = new Command("list",
            "List the agencies: code, kind, names, when registered, the id of the valid key (or -), how many keys were revoked, and the id of " +
            "the registered seal key (or -). Keys are never shown.")
        {
            lake,
        };
        command.SetAction(parseResult =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var store = context.Store;
            var agencies = store.ListAgencies();
            var sealKeys = new IssuerKeys(context.Layout).List();
            console.Out.WriteLine("code\tkind\tname_zh\tname_en\tcreated\tkey_id\trevoked_keys\tseal_key");
            foreach (var agency in agencies)
            {
                var keys = store.ListApiKeys(agency.Code);
                console.Out.WriteLine(string.Join('\t',
                    agency.Code,
                    KindName(agency.Kind),
                    agency.Name.Zh,
                    agency.Name.En.Length == 0 ? "-" : agency.Name.En,
                    agency.CreatedAt.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    keys.LastOrDefault(k => k.RevokedAt is null)?.KeyId ?? "-",
                    keys.Count(k => k.RevokedAt is not null).ToString(CultureInfo.InvariantCulture),
                    sealKeys.TryGetValue(agency.Code, out var sealKey) ? sealKey.KeyId : "-"));
            }

            console.Error.WriteLine(agencies.Count == 1 ? "1 agency." : $"{agencies.Count.ToString(CultureInfo.InvariantCulture)} agencies.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RotateKey(CliConsole console)
    {
        var code = new Argument<string>("CODE") { Description = "The agency code." };
        code.Validators.Add(ValidateCode);
        var lake = PlatformContext.LakeOption();
        var command = new Command("rotate-key",
            "Issue a registered agency a new API key and revoke its current one (a running server may accept the old key for up to half a minute, " +
            "while its cache lasts). The new key is printed once. Exit code 1 when the agency is not registered.")
        {
            code, lake,
        };
        command.SetAction(parseResult =>
        {
            var store = PlatformContext.Open(parseResult.GetValue(lake)!).Store;
            var agencyCode = parseResult.GetValue(code)!;
            string key;
            try
            {
                key = ApiKeys.Rotate(store, agencyCode, TimeProvider.System);
            }
            catch (LakeException ex) when (ex.Kind == LakeErrorKind.NotFound)
            {
                console.Error.WriteLine($"govshare agency rotate-key: {ex.Message}");
                return ExitCodes.Failure;
            }

            AdminAudit.Record(parseResult.GetValue(lake)!, "agency.rotate-key", ["agency/" + agencyCode], "allowed", ExitCodes.Success);
            console.Error.WriteLine($"Issued a new key for {agencyCode}; the previous key is revoked.");
            PrintKey(console, agencyCode, key);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SealKey(CliConsole console)
    {
        var code = new Argument<string>("CODE") { Description = "The agency code: the agency that delivers the licences it seals." };
        code.Validators.Add(ValidateCode);
        var publicKey = new Option<FileInfo>("--public-key")
        {
            Description = "The issuer's SM2 public key (curve sm2p256v1), PEM (-----BEGIN PUBLIC KEY-----). Never the private key.",
            HelpName = "FILE",
            Required = true,
        };
        var lake = PlatformContext.LakeOption();
        var command = new Command("seal-key",
            "Register (or replace) the public key an agency's licence seals are verified with, in keys/issuers/CODE.pem of the lake. From the next " +
            "delivery on, each licence row of the agency's entries is checked: a seal that is not readable or does not verify quarantines the row " +
            "(docs/issuer-seals.md). Prints the key id. Exit code 1 when the agency is not registered or the file is not an SM2 public key, " +
            "2 when the file does not exist.")
        {
            code, publicKey, lake,
        };
        command.SetAction(parseResult =>
        {
            var agencyCode = parseResult.GetValue(code)!;
            var file = parseResult.GetValue(publicKey)!;
            if (!file.Exists)
            {
                console.Error.WriteLine($"govshare agency seal-key: {file.FullName} does not exist.");
                return ExitCodes.Usage;
            }

            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            if (context.Store.FindAgency(agencyCode) is null)
            {
                console.Error.WriteLine($"govshare agency seal-key: no agency '{agencyCode}' is registered; register it first (govshare agency add --code {agencyCode} ...).");
                return ExitCodes.Failure;
            }

            var keys = new IssuerKeys(context.Layout);
            var replaced = File.Exists(context.Layout.IssuerKey(agencyCode));
            IssuerKey key;
            try
            {
                key = keys.Register(agencyCode, File.ReadAllText(file.FullName));
            }
            catch (LakeException ex) when (ex.Kind == LakeErrorKind.InvalidInput)
            {
                console.Error.WriteLine($"govshare agency seal-key: {file.FullName}: {ex.Message}");
                return ExitCodes.Failure;
            }

            AdminAudit.Record(parseResult.GetValue(lake)!, "agency.seal-key", ["agency/" + agencyCode, "seal-key/" + key.KeyId], "allowed", ExitCodes.Success);
            console.Error.WriteLine($"{(replaced ? "Replaced" : "Registered")} the seal key of {agencyCode} (key id on standard output): " +
                "its licence deliveries' seals are verified from the next ingestion on.");
            console.Out.WriteLine(key.KeyId);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The key alone on standard output, so that a script can capture it; the warning on standard error.</summary>
    private static void PrintKey(CliConsole console, string agencyCode, string key)
    {
        console.Error.WriteLine($"API key of {agencyCode} (printed on standard output): it will not be shown again, store it now. " +
            $"A lost key cannot be recovered: issue a new one with 'govshare agency rotate-key {agencyCode}'.");
        console.Out.WriteLine(key);
    }

    private static void ValidateCode(OptionResult result) => ValidateCode(result.Tokens, result.AddError);

    private static void ValidateCode(ArgumentResult result) => ValidateCode(result.Tokens, result.AddError);

    private static void ValidateCode(IReadOnlyList<Token> tokens, Action<string> addError)
    {
        if (tokens is [var token] && !IsValidCode(token.Value))
        {
            addError($"'{token.Value}' is not a valid agency code: {CodeRule}.");
        }
    }

    private static string KindName(AgencyKind kind) => kind.ToString().ToLowerInvariant();
}
