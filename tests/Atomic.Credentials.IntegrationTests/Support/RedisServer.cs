using System.Diagnostics;
using System.Globalization;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// A real <c>redis-server</c> of the test's own on a free loopback port, without persistence; it can
/// be stopped and restarted on the same port (a Redis outage). Nothing is left running after dispose.
/// Missing <c>redis-server</c>: a failure under CI, a printed skip elsewhere.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private PeerProcess? process;

    private RedisServer(int port) => Port = port;

    /// <summary>Where the distributed cache keeps OAuth tokens in Redis.</summary>
    public const string OAuthKeyPrefix = "atomic:OAuthClientCredentials:";

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        PeerProcess.RequireOrSkip(
            PeerProcess.FindOnPath("redis-server") is null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)"
            : PeerProcess.FindOnPath("redis-cli") is null ? "redis-cli is not installed (it comes with redis-server)"
            : null);
        var server = new RedisServer(PeerProcess.FreeLoopbackPort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--enable-debug-command", "local" })
        {
            info.ArgumentList.Add(arg);
        }

        process = await PeerProcess.StartAsync(info, TimeSpan.FromSeconds(20), readyMarker: "Ready to accept connections");
    }

    /// <summary>Kills the server (an outage: no graceful shutdown).</summary>
    public async Task StopAsync()
    {
        if (process is { } running)
        {
            process = null;
            await running.DisposeAsync();
        }
    }

    /// <summary>Runs <c>redis-cli -p PORT args…</c> and returns what it printed.</summary>
    public Task<string> CliAsync(params string[] args) =>
        PeerProcess.RunToEndAsync("redis-cli", ["-p", Port.ToString(CultureInfo.InvariantCulture), .. args], TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync() => await StopAsync();
}
