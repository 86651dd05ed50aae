using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare account add|list|reset-password|unlock|disable|enable</c>: staff accounts for the web UI, from the
/// operator's console (the first operator account of a lake is made here; later ones can be made in the UI). A temporary password
/// is printed once and must be changed at the first sign-in.</summary>
internal static class AccountCommand
{
    public static Command Create(CliConsole console)
    {
        var account = new Command("account", "Staff accounts for the web UI: sign-in names, agencies, roles, temporary passwords, locks.");
        account.Subcommands.Add(Add(console));
        account.Subcommands.Add(List(console));
        account.Subcommands.Add(Single(console, "reset-password",
            "Issue a temporary password (printed once; to be changed at the next sign-in), end the account's sessions and lift a lock.",
            (staff, username) => staff.ResetPassword(username)));
        account.Subcommands.Add(Single(console, "unlock", "Lift the lock put on an account after repeated failed sign-ins.",
            (staff, username) => { staff.Unlock(username); return null; }));
        account.Subcommands.Add(Single(console, "disable", "Disable an account: it can no longer sign in and its sessions end.",
            (staff, username) => { staff.Update(username, null, null, disabled: true); return null; }));
        account.Subcommands.Add(Single(console, "enable", "Enable a disabled account again.",
            (staff, username) => { staff.Update(username, null, null, disabled: false); return null; }));
        return account;
    }

    private static Command Add(CliConsole console)
    {
        var username = new Option<string>("--username") { Description = "Sign-in name: 3–64 characters of a–z, 0–9, '.', '-', '_'.", HelpName = "NAME", Required = true };
        var agency = new Option<string>("--agency") { Description = "The agency's code (govshare agency list).", HelpName = "CODE", Required = true };
        var name = new Option<string>("--name") { Description = "The person's name as the UI shows it.", HelpName = "TEXT", Required = true };
        var roles = new Option<string[]>("--role")
        {
            Description = "A role (repeat for several): analyst, provider_admin (providing agencies), reviewer and operator (the operator agency).",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        }.AcceptOnlyFromAmong([.. StaffRoles.All.Select(StaffRoles.Name)]);
        var lake = PlatformContext.LakeOption();
        var command = new Command("add",
            "Create a staff account with a temporary password, printed once on standard output; the person must change it at the first sign-in. " +
            "Exit code 1 when the username is taken, the agency unknown or a role not one its staff may hold.")
        {
            username, agency, name, roles, lake,
        };
        command.SetAction(parseResult =>
        {
            var staff = Staff(parseResult.GetValue(lake)!);
            try
            {
                var created = staff.Create(parseResult.GetValue(username)!, parseResult.GetValue(agency)!, parseResult.GetValue(name)!,
                    [.. parseResult.GetValue(roles)!.Select(r => StaffRoles.Parse(r)!.Value)], null, out var temporary);
                AdminAudit.Record(parseResult.GetValue(lake)!, "account.add", ["account/" + created.Username], "allowed", ExitCodes.Success);
                console.Error.WriteLine($"Created {created.Username} ({created.Agency}, {string.Join(", ", created.Roles.Select(StaffRoles.Name))}). " +
                    "Temporary password (shown once; changed at the first sign-in):");
                console.Out.WriteLine(temporary);
                return ExitCodes.Success;
            }
            catch (LakeException ex)
            {
                console.Error.WriteLine($"govshare account add: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Command List(CliConsole console)
    {
        var lake = PlatformContext.LakeOption();
        var command = new Command("list", "List the staff accounts: username, agency, roles, state (active, locked, disabled, temporary password), last sign-in.")
        {
            lake,
        };
        command.SetAction(parseResult =>
        {
            var accounts = Staff(parseResult.GetValue(lake)!).List();
            var now = DateTimeOffset.UtcNow;
            console.Out.WriteLine("username\tagency\troles\tstate\tlast_sign_in\tname");
            foreach (var account in accounts)
            {
                var state = account.DisabledAt is not null ? "disabled" : account.IsLocked(now) ? "locked" : account.MustChangePassword ? "temporary-password" : "active";
                console.Out.WriteLine(string.Join('\t', account.Username, account.Agency, string.Join(',', account.Roles.Select(StaffRoles.Name)), state,
                    account.LastSignIn?.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-", account.DisplayName));
            }

            console.Error.WriteLine(accounts.Count == 1 ? "1 account." : $"{accounts.Count.ToString(CultureInfo.InvariantCulture)} accounts.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Single(CliConsole console, string name, string description, Func<StaffDirectory, string, string?> action)
    {
        var username = new Argument<string>("USERNAME") { Description = "The account's username." };
        var lake = PlatformContext.LakeOption();
        var command = new Command(name, description + " Exit code 1 when there is no such account.") { username, lake };
        command.SetAction(parseResult =>
        {
            var account = parseResult.GetValue(username)!;
            try
            {
                var printed = action(Staff(parseResult.GetValue(lake)!), account);
                AdminAudit.Record(parseResult.GetValue(lake)!, "account." + name, ["account/" + account], "allowed", ExitCodes.Success);
                console.Error.WriteLine(printed is null ? $"{name}: {account} done." : $"{name}: {account}; temporary password (shown once):");
                if (printed is not null)
                {
                    console.Out.WriteLine(printed);
                }

                return ExitCodes.Success;
            }
            catch (LakeException ex)
            {
                console.Error.WriteLine($"govshare account {name}: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static StaffDirectory Staff(string lake) => new(PlatformContext.Open(lake).Store, new StaffOptions(), TimeProvider.System);
}
