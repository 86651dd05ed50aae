using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GovShare.Lake.Bench.City;

/// <summary><c>govshare serve</c> on the benchmark's lake in a process of its own, as an operator starts it, so that
/// the load generator does not share its process (nor its garbage collector) and its memory is its own.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly TaskCompletionSource _indexBuilt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private ServeProcess(Process process, StreamWriter log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
    }

    /// <summary>Where it listens.</summary>
    public Uri Address { get; }

    /// <summary>Completes when the server logs that its lookup index is built (until then it answers lookups by a slower path).</summary>
    public Task IndexBuilt => _indexBuilt.Task;

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet govshare.dll serve</c> (the CLI this benchmark is built with) on a free loopback port,
    /// its output going to <paramref name="logFile"/>.</summary>
    public static ServeProcess Start(string lake, string logFile)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "govshare.dll");
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException($"the command-line interface is not next to the benchmark ({cli}); build bench/GovShare.Lake.Bench.", cli);
        }

        var port = FreePort();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The harness measures how long each analyst query takes, whatever the default statement limit (2 min; at 13 M
        // persons the population queries take 25–30 s in DuckDB itself), so its server allows 10 minutes.
        start.Environment["Engine__QueryTimeout"] = "00:10:00";
        foreach (var argument in new[] { cli, "serve", "--lake", lake, "--port", port.ToString(CultureInfo.InvariantCulture), "--demo-persons", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var serve = new ServeProcess(process, log, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
        process.OutputDataReceived += (_, e) => serve.Log(e.Data);
        process.ErrorDataReceived += (_, e) => serve.Log(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return serve;
    }

    /// <summary>CPU time the server has used so far (user and system).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The server's peak resident set since start or the last <see cref="ResetPeak"/>, in KiB.</summary>
    public long PeakResidentKiB() => ProcessMemory.PeakResidentKiB(_process.Id);

    /// <summary>Resets the server's peak resident set to its current one.</summary>
    public void ResetPeak() => ProcessMemory.ResetPeak(_process.Id);

    /// <summary>Throws when the server has exited (it failed to start, or crashed), naming its log.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"govshare serve exited with code {_process.ExitCode}; its output is in {((FileStream)_log.BaseStream).Name}."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            // Nothing is written to the lake by the measurements; SIGKILL ends it at once.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("Lookup index built", StringComparison.Ordinal))
        {
            _indexBuilt.TrySetResult();
        }

        lock (_logLock)
        {
            if (_log.BaseStream.CanWrite)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>The dotnet host that runs this process (the SDK sets DOTNET_HOST_PATH for its children), else dotnet on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
