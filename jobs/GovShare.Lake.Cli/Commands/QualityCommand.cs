using System.CommandLine;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare quality</c>: the cross-provider consistency check over a lake, the difference classifier's
/// training and evaluation, and record linkage of keyless files. Each subcommand is built in its own file.</summary>
internal static class QualityCommand
{
    public static Command Create(CliConsole console)
    {
        var quality = new Command("quality",
            "Data quality: check the providers' values against each other, train and evaluate the difference classifier, link records that have no usable key.");
        quality.Subcommands.Add(QualityCheckCommand.Create(console));
        quality.Subcommands.Add(QualityModelCommands.Train(console));
        quality.Subcommands.Add(QualityModelCommands.Evaluate(console));
        quality.Subcommands.Add(QualityLinkCommand.Create(console));
        quality.Subcommands.Add(QualityAnomaliesCommand.Create(console));
        return quality;
    }
}
