namespace GovShare.Lake;

/// <summary>What went wrong, so that callers (the HTTP API, the CLI) can map a failure to a
/// status or exit code in one place without parsing messages.</summary>
public enum LakeErrorKind
{
    /// <summary>Input that the platform cannot accept: a malformed file, a bad argument.</summary>
    InvalidInput,

    /// <summary>Reference data or a table that is missing or cannot be read.</summary>
    NotFound,

    /// <summary>Data on disk that contradicts the format it claims to follow.</summary>
    Corrupt,

    /// <summary>A feature of a file or table that this version does not support.</summary>
    Unsupported,

    /// <summary>Another writer got there first; the operation may be retried.</summary>
    Conflict,

    /// <summary>The caller may not do this: another agency's decision, a resource not granted.</summary>
    Forbidden,
}

/// <summary>The root of every exception the lake core throws on purpose. Expected failures
/// (an invalid identifier, a quarantined row) are results, not exceptions.</summary>
public class LakeException : Exception
{
    /// <summary>Creates an exception of a kind, with a message that says what and where.</summary>
    public LakeException(LakeErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The kind of failure.</summary>
    public LakeErrorKind Kind { get; }

    /// <summary>True when the same operation may succeed if tried again.</summary>
    public bool IsTransient => Kind == LakeErrorKind.Conflict;
}
