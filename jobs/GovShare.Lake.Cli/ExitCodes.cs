namespace GovShare.Lake.Cli;

/// <summary>What the command's exit status means; the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>Done, and everything checked was fine.</summary>
    public const int Success = 0;

    /// <summary>Done, but something was invalid or refused (an invalid identifier, a failed start).</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong: unknown command or option, bad option value.</summary>
    public const int Usage = 2;
}
