using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// One instance of a fleet: tests/Atomic.Credentials.FleetClient as a process of its own, calling
/// a <see cref="LoopbackOAuthServer"/>'s API with tokens shared through Redis. It prints READY, starts
/// on GO, and ends with a RESULT line; <see cref="RunAsync"/> starts a whole fleet at one instant.
/// </summary>
internal sealed class FleetClientProcess : IDisposable
{
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FleetClientProcess(ProcessStartInfo info)
    {
        Process = Process.Start(info)!;
        Process.OutputDataReceived += (_, e) => OnLine(e.Data);
        Process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        Process.EnableRaisingEvents = true;
        Process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("fleet instance exited early:\n" + Output));
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public Task Ready => ready.Task;

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

    /// <summary>Starts an instance sending <paramref name="requests"/> concurrent requests (or callers, with FLEET_UNTIL_STOP).</summary>
    public static FleetClientProcess Start(
        string redis, LoopbackOAuthServer server, DirectoryInfo keys, int requests, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Dll(), redis, server.TokenUrl.ToString(), server.Api("fleet").ToString(), requests.ToString(CultureInfo.InvariantCulture), keys.FullName })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["FLEET_CLIENT_SECRET"] = server.ClientSecret;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new FleetClientProcess(info);
    }

    /// <summary>Waits until every instance is ready, then sends GO to all of them at once.</summary>
    public static async Task GoAsync(IReadOnlyCollection<FleetClientProcess> fleet)
    {
        await Task.WhenAll(fleet.Select(p => p.Ready)).WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(fleet.Select(p => p.SendAsync("GO")));
    }

    /// <summary>Starts the fleet at one instant and returns each instance's "ok=N failed=M".</summary>
    public static async Task<string[]> RunAsync(IReadOnlyCollection<FleetClientProcess> fleet)
    {
        await GoAsync(fleet);
        var results = new List<string>();
        foreach (var instance in fleet)
        {
            results.Add(await instance.ResultAsync());
        }

        return [.. results];
    }

    public async Task SendAsync(string line)
    {
        await Process.StandardInput.WriteLineAsync(line);
        await Process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the instance to end (and its output to be read) and returns its "ok=N failed=M".</summary>
    public async Task<string> ResultAsync()
    {
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var text = Output;
        TestContext.Progress.WriteLine(text);
        Assert.That(Process.ExitCode, Is.Zero, text);
        var result = text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.That(result, Is.Not.Null, "no RESULT line:\n" + text);
        return result![7..];
    }

    /// <summary>Milliseconds from GO to the instance's first successful response, once it ended; -1 for none.</summary>
    public int FirstSuccessMs =>
        Output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("FIRST ms=", StringComparison.Ordinal))
            .Select(line => int.Parse(line[9..], CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).First();

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    /// <summary>What a deployment does once: a directory with the Data Protection key ring every instance reads.</summary>
    public static DirectoryInfo SharedKeyRing()
    {
        var keys = Directory.CreateTempSubdirectory("atomic-fleet-keys-");
        var provider = DataProtectionProvider.Create(keys, builder => builder.SetApplicationName("atomic-fleet-test"));
        provider.CreateProtector("warm-up").Protect([1]);
        Assert.That(keys.GetFiles("*.xml"), Is.Not.Empty);
        return keys;
    }

    public static string Dll()
    {
        var configuration = typeof(FleetClientProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryPaths.Root, "tests", "Atomic.Credentials.FleetClient", "bin", configuration, "net10.0", "Atomic.Credentials.FleetClient.dll");
        Assert.That(File.Exists(dll), Is.True, "the fleet client is built with the tests: " + dll);
        return dll;
    }

    private void OnLine(string? line)
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
}
