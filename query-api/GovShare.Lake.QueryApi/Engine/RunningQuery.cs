using System.Data.Common;
using DuckDB.NET.Data;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>A statement running on a pinned lake version, with its time limit: when the limit passes or the client
/// goes away, DuckDB is interrupted (the statement stops cleanly, the connection stays usable).</summary>
public sealed class RunningQuery : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly DuckDBCommand _command;
    private readonly CancellationTokenSource _limit;
    private readonly CancellationTokenRegistration _interrupt;

    private RunningQuery(DuckDBConnection connection, DuckDBCommand command, CancellationTokenSource limit)
    {
        _connection = connection;
        _command = command;
        _limit = limit;
        _interrupt = limit.Token.Register(() =>
        {
            try
            {
                command.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The statement finished as the limit passed.
            }
        });
    }

    /// <summary>The result, read forward once.</summary>
    public DbDataReader Reader { get; private set; } = null!;

    /// <summary>The time limit or the client's disconnection, for the code that writes the result.</summary>
    public CancellationToken Token => _limit.Token;

    /// <summary>Starts a statement. <paramref name="sql"/> must already have passed the sandbox (or be the engine's own).</summary>
    /// <exception cref="DuckDBException">DuckDB refused the statement.</exception>
    /// <exception cref="OperationCanceledException">The time limit passed before the first row.</exception>
    public static RunningQuery Start(LakeEngine engine, LakeLease lease, string sql, CancellationToken aborted, TimeSpan? timeLimit = null)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        limit.CancelAfter(timeLimit ?? engine.Options.QueryTimeout);
        var connection = engine.Connect(lease);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        var running = new RunningQuery(connection, command, limit);
        try
        {
            running.Reader = command.ExecuteReader();
            return running;
        }
        catch (Exception ex) when (limit.IsCancellationRequested && ex is not OperationCanceledException)
        {
            running.Dispose();
            throw new OperationCanceledException("the statement was interrupted", ex, limit.Token);
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    /// <summary>Runs a statement that returns no rows (the engine's own COPY), under the same limit.</summary>
    public static void Execute(LakeEngine engine, LakeLease lease, string sql, CancellationToken aborted, TimeSpan? timeLimit = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        limit.CancelAfter(timeLimit ?? engine.Options.QueryTimeout);
        using var connection = engine.Connect(lease);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var interrupt = limit.Token.Register(command.Cancel);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (Exception ex) when (limit.IsCancellationRequested && ex is not OperationCanceledException)
        {
            throw new OperationCanceledException("the statement was interrupted", ex, limit.Token);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _interrupt.Dispose();
        Reader?.Dispose();
        _command.Dispose();
        _connection.Dispose();
        _limit.Dispose();
    }
}
