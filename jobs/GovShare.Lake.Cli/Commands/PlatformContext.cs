using System.CommandLine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Commands;

/// <summary>The lake folder, its platform store and the ingestion services, as the commands that work on a
/// lake open them (the same defaults as <c>serve</c>).</summary>
internal sealed class PlatformContext
{
    private PlatformContext(string root)
    {
        Layout = new LakeLayout(root);
        Store = DuckDbPlatformStore.Open(root);
        Ingestor = new DeliveryIngestor(Layout, Store, IdentifierValidator.Default, TimeProvider.System);
    }

    public LakeLayout Layout { get; }

    public DuckDbPlatformStore Store { get; }

    public DeliveryIngestor Ingestor { get; }

    /// <summary>The <c>--lake DIR</c> option every lake command takes.</summary>
    public static Option<string> LakeOption() => new("--lake")
    {
        Description = "The lake folder (created when missing).",
        HelpName = "DIR",
        DefaultValueFactory = _ => "./lake-data",
    };

    /// <summary>Opens the lake folder named on the command line.</summary>
    /// <exception cref="LakeException">The folder is unusable (a file, not writable).</exception>
    public static PlatformContext Open(string lake)
    {
        var root = Path.GetFullPath(lake);
        if (new LakeOptions { Directory = root }.Validate() is [var problem, ..])
        {
            throw new LakeException(LakeErrorKind.InvalidInput, problem);
        }

        return new PlatformContext(root);
    }
}
