using System.CommandLine;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare quality</c>: data-quality tools that work on files, without a lake. Each subcommand is built
/// in its own file.</summary>
internal static class QualityCommand
{
    public static Command Create(CliConsole console)
    {
        var quality = new Command("quality", "Data-quality tools for files: link records that have no usable key to another file's records.");
        quality.Subcommands.Add(QualityLinkCommand.Create(console));
        return quality;
    }
}
