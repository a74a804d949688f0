using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// A real peer (a Node script in tests/peers) running on 127.0.0.1 for the duration of a test
/// fixture. The script prints one line <c>READY &lt;anything&gt;</c> when it listens; that line's
/// rest is <see cref="ReadyLine"/>. On a bare machine without the peers installed the test is
/// skipped with the reason printed; under CI (<c>CI=true</c>) a missing peer fails the test.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private PeerProcess(Process process, string readyLine, StringBuilder output)
    {
        this.process = process;
        this.output = output;
        ReadyLine = readyLine;
    }

    public string ReadyLine { get; }

    /// <summary>Everything the peer printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Fails (CI) or skips (elsewhere) unless Node and the peers' packages are installed.</summary>
    public static void RequireNodePeers()
    {
        var reason = !File.Exists(Path.Combine(RepositoryPaths.Peers, "node_modules", ".package-lock.json"))
            ? "the test peers are not installed: run 'npm ci' in tests/peers (.ci/run does)"
            : FindOnPath("node") is null ? "node is not on PATH" : null;
        RequireOrSkip(reason);
    }

    public static void RequireOrSkip(string? reason)
    {
        if (reason is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("A real peer is missing under CI: " + reason);
        }

        TestContext.Progress.WriteLine("SKIPPED (peer missing): " + reason);
        Assert.Ignore("Peer missing: " + reason);
    }

    /// <summary>Starts <c>node tests/peers/{script} {args}</c> and waits for its READY line.</summary>
    /// <param name="script">The script in tests/peers.</param>
    /// <param name="args">The script's arguments.</param>
    /// <param name="environment">Variables set for the peer on top of this process's (e.g. <c>NODE_OPTIONS</c>).</param>
    public static async Task<PeerProcess> StartNodeAsync(
        string script, IEnumerable<string>? args = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        RequireNodePeers();
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.Peers,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Peers, script));
        foreach (var arg in args ?? [])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return await StartAsync(info, TimeSpan.FromSeconds(30));
    }

    /// <param name="info">What to start.</param>
    /// <param name="readyTimeout">How long to wait for the ready line.</param>
    /// <param name="readyMarker">Text that marks the ready line, for a program that does not print READY (e.g. redis-server).</param>
    public static async Task<PeerProcess> StartAsync(ProcessStartInfo info, TimeSpan readyTimeout, string? readyMarker = null)
    {
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (readyMarker is not null ? line.Contains(readyMarker, StringComparison.Ordinal) : line.StartsWith("READY", StringComparison.Ordinal))
            {
                ready.TrySetResult(line.Length > 6 ? line[6..] : string.Empty);
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{info.FileName} exited before it was ready:\n{log}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var line = await ready.Task.WaitAsync(readyTimeout);
            return new PeerProcess(process, line, log);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="program"/> to its end and returns what it printed; a non-zero exit fails with its output.</summary>
    public static async Task<string> RunToEndAsync(string program, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + program);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }

    /// <summary>A loopback port free at the time of the call.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill(process);
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
