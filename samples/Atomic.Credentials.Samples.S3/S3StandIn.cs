using System.Diagnostics;
using System.Text.Json;

namespace Atomic.Credentials.Samples.S3;

/// <summary>
/// The S3 server the tests use (npm @20minutes/s3rver, which verifies SigV4), started from
/// tests/peers on 127.0.0.1 and a free port.
/// </summary>
internal sealed class S3StandIn : IAsyncDisposable
{
    private readonly Process process;
    private readonly int port;

    private S3StandIn(Process process, int port)
    {
        this.process = process;
        this.port = port;
    }

    public static async Task<S3StandIn> StartAsync()
    {
        var peers = FindPeers() ?? throw new InvalidOperationException("tests/peers/s3-server.mjs not found: run the sample from the repository.");
        if (!Directory.Exists(Path.Combine(peers, "node_modules", "@20minutes", "s3rver")))
        {
            throw new InvalidOperationException("The local S3 server is not installed: run `npm ci` in tests/peers first.");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = peers, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("s3-server.mjs");
        info.ArgumentList.Add("AKIDSAMPLE");
        info.ArgumentList.Add("sample/secret+KEY");
        info.ArgumentList.Add("sample-exports");
        // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
        info.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        var process = Process.Start(info)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("READY ", StringComparison.Ordinal))
                {
                    using var ready = JsonDocument.Parse(line[6..]);
                    return new S3StandIn(process, ready.RootElement.GetProperty("port").GetInt32());
                }
            }

            throw new InvalidOperationException("The local S3 server did not start.");
        }
        catch
        {
            // No READY line in time, an exit before it, or one that does not parse: no one else holds
            // the process to stop it, and a node left running would outlive the sample.
            await StopAsync(process);
            throw;
        }
    }

    public Dictionary<string, string?> Credential(string name) => new()
    {
        [$"AtomicCredentials:{name}:BucketName"] = "sample-exports",
        [$"AtomicCredentials:{name}:Region"] = "us-east-1",
        [$"AtomicCredentials:{name}:AccessKeyId"] = "AKIDSAMPLE",
        [$"AtomicCredentials:{name}:SecretAccessKey"] = "sample/secret+KEY",
        [$"AtomicCredentials:{name}:ServiceUrl"] = $"http://127.0.0.1:{port}",
    };

    public ValueTask DisposeAsync() => StopAsync(process);

    private static async ValueTask StopAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited already.
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static string? FindPeers()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var peers = Path.Combine(directory.FullName, "tests", "peers");
            if (File.Exists(Path.Combine(peers, "s3-server.mjs")))
            {
                return peers;
            }
        }

        return null;
    }
}
