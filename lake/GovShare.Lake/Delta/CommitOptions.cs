namespace GovShare.Lake.Delta;

/// <summary>What a write records with its commit, and how it stays idempotent.</summary>
public sealed record CommitOptions
{
    /// <summary>The ingestion batch applied by this commit (recorded in <c>commitInfo</c>).</summary>
    public string? BatchId { get; init; }

    /// <summary>A Delta transaction identifier: the write is skipped when the table has already recorded
    /// this application's transaction at this version or later, so a batch committed twice applies once.</summary>
    public TxnAction? Transaction { get; init; }

    /// <summary>Extra operation parameters for the history (for example the source file).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The clock that stamps the commit (tests set it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How many times a commit that lost a version race to a compatible writer is retried.</summary>
    public int MaxAttempts { get; init; } = 20;
}

/// <summary>What a write did.</summary>
/// <param name="Version">The version committed (for a skipped duplicate: the table's current version).</param>
/// <param name="AlreadyApplied">True when the transaction had already been committed and nothing was written.</param>
/// <param name="RowsInserted">Rows with keys the table did not have.</param>
/// <param name="RowsUpdated">Rows that replaced a row with the same key.</param>
/// <param name="RowsDeleted">Rows removed.</param>
/// <param name="FilesAdded">Data files added.</param>
/// <param name="FilesRemoved">Data files removed.</param>
public sealed record CommitResult(
    long Version,
    bool AlreadyApplied,
    long RowsInserted,
    long RowsUpdated,
    long RowsDeleted,
    int FilesAdded,
    int FilesRemoved);
