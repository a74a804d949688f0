using System.Diagnostics;
using System.Reflection;
using System.Text;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.DataProtection;

namespace Atomic.Credentials.IntegrationTests.Caching;

/// <summary>
/// A fleet of real processes (tests/Atomic.Credentials.FleetClient) sharing OAuth tokens through a
/// real Redis, against a loopback token endpoint and API.
/// </summary>
[NonParallelizable]
public sealed class FleetProcessTests
{
    private const int Instances = 4;
    private const int RequestsEach = 500;

    [Test]
    public async Task Four_processes_sending_500_concurrent_requests_each_make_at_most_four_token_requests_and_new_ones_make_none()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5));
        var keys = Directory.CreateTempSubdirectory("atomic-fleet-keys-");
        try
        {
            CreateSharedKeyRing(keys);

            var firstWave = await RunFleetAsync(redis, server, keys);
            var afterFirstWave = server.TokenRequests;
            var secondWave = await RunFleetAsync(redis, server, keys);
            TestContext.Progress.WriteLine($"token requests: {afterFirstWave} for the first {Instances} processes, {server.TokenRequests} after {Instances} more");

            Assert.Multiple(() =>
            {
                Assert.That(firstWave.Concat(secondWave), Is.All.EqualTo($"ok={RequestsEach} failed=0"), "every request of every process succeeds");
                Assert.That(afterFirstWave, Is.InRange(1, Instances), "at most one token request per process in a cache window");
                Assert.That(server.TokenRequests, Is.EqualTo(afterFirstWave), "four new processes are served the shared token: no token request");
            });

            await AssertRedisHoldsNoSecretAndNoClearTokenAsync(redis, server);
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }

    // What a deployment does once: provision the Data Protection key ring every instance reads.
    private static void CreateSharedKeyRing(DirectoryInfo keys)
    {
        var provider = DataProtectionProvider.Create(keys, builder => builder.SetApplicationName("atomic-fleet-test"));
        provider.CreateProtector("warm-up").Protect([1]);
        Assert.That(keys.GetFiles("*.xml"), Is.Not.Empty);
    }

    private static async Task AssertRedisHoldsNoSecretAndNoClearTokenAsync(RedisServer redis, LoopbackOAuthServer server)
    {
        var keys = (await redis.CliAsync("--scan")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(keys, Has.Length.EqualTo(1), "one entry for the one credential");
        var key = keys[0];
        var stored = await redis.CliAsync("HGETALL", key);
        var ttl = int.Parse(await redis.CliAsync("TTL", key), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That(key, Does.StartWith("atomic:OAuthClientCredentials:fleet:"));
            Assert.That(key + stored, Does.Not.Contain(server.ClientSecret), "no client secret in Redis");
            Assert.That(key + stored, Does.Not.Contain(LoopbackOAuthServer.ClientId), "not even the client id: the key is a hash");
            Assert.That(stored, Does.Contain("data"), "the entry was read back");
            Assert.That(stored.Length, Is.GreaterThan(100), "the protected entry is there");
            foreach (var token in server.IssuedTokens)
            {
                Assert.That(stored, Does.Not.Contain(token), "a token in clear in Redis");
                Assert.That(stored, Does.Not.Contain(token[..12]), "part of a token in clear in Redis");
            }

            Assert.That(ttl, Is.InRange(1, (int)server.TokenLifetime.TotalSeconds), "the entry expires with the token");
        });
    }

    // Starts the instances, lets them all go at once, and returns each one's "ok=N failed=M".
    private static async Task<string[]> RunFleetAsync(RedisServer redis, LoopbackOAuthServer server, DirectoryInfo keys)
    {
        var instances = new List<(Process Process, StringBuilder Output, TaskCompletionSource Ready)>();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                instances.Add(StartInstance(redis, server, keys));
            }

            await Task.WhenAll(instances.Select(p => p.Ready.Task)).WaitAsync(TimeSpan.FromSeconds(60));
            foreach (var (process, _, _) in instances)
            {
                await process.StandardInput.WriteLineAsync("GO");
                await process.StandardInput.FlushAsync();
            }

            var results = new List<string>();
            foreach (var (process, output, _) in instances)
            {
                // Also waits until its output is read to the end.
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                var text = output.ToString();
                TestContext.Progress.WriteLine(text);
                Assert.That(process.ExitCode, Is.Zero, text);
                var result = text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith("RESULT ", StringComparison.Ordinal));
                Assert.That(result, Is.Not.Null, "no RESULT line:\n" + text);
                results.Add(result![7..]);
            }

            return [.. results];
        }
        finally
        {
            foreach (var (process, _, _) in instances)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    private static (Process, StringBuilder, TaskCompletionSource) StartInstance(RedisServer redis, LoopbackOAuthServer server, DirectoryInfo keys)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { FleetClientDll(), redis.Configuration, server.TokenUrl.ToString(), server.Api("fleet").ToString(), RequestsEach.ToString(System.Globalization.CultureInfo.InvariantCulture), keys.FullName })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["FLEET_CLIENT_SECRET"] = server.ClientSecret;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(info)!;
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line == "READY")
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("fleet instance exited early:\n" + output));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output, ready);
    }

    internal static string FleetClientDll()
    {
        var configuration = typeof(FleetProcessTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryPaths.Root, "tests", "Atomic.Credentials.FleetClient", "bin", configuration, "net10.0", "Atomic.Credentials.FleetClient.dll");
        Assert.That(File.Exists(dll), Is.True, "the fleet client is built with the tests: " + dll);
        return dll;
    }
}
