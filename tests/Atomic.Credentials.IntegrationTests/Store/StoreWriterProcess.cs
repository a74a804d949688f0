using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// Process B: the FleetClient in <c>store-save</c> mode, a real second OS process saving credentials
/// through its own store on the same PostgreSQL schema or SQLite file, with process A's Data
/// Protection keys (<see cref="SavedCredentialApp.KeysFolder"/>).
/// </summary>
internal sealed class StoreWriterProcess : IDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();

    private StoreWriterProcess(Process process) => this.process = process;

    /// <param name="backend"><c>postgres</c> (target: the schema) or <c>sqlite</c> (target: the file).</param>
    public static async Task<StoreWriterProcess> StartAsync(string backend, string target, string keysFolder, string? connectionString = null)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { FleetClientProcess.Dll(), "store-save", backend, target })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["FLEET_KEYS"] = keysFolder;
        info.Environment["FLEET_PG_CONNECTION"] = connectionString ?? string.Empty;
        var writer = new StoreWriterProcess(Process.Start(info)!);
        writer.process.OutputDataReceived += (_, e) => writer.lines.Writer.TryWrite(e.Data ?? "EXITED");
        writer.process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                TestContext.Progress.WriteLine("store writer process: " + line);
            }
        };
        writer.process.BeginOutputReadLine();
        writer.process.BeginErrorReadLine();
        try
        {
            Assert.That(await writer.NextLineAsync(TimeSpan.FromSeconds(60)), Is.EqualTo("READY"));
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Has the other process save <paramref name="definition"/>; returns the version and when its SaveAsync returned (a <see cref="Stopwatch"/> timestamp).</summary>
    public async Task<(long Version, long SavedAt)> SaveAsync(string name, JsonElement definition)
    {
        await process.StandardInput.WriteLineAsync($"SAVE {name} {definition.GetRawText().ReplaceLineEndings(" ")}");
        await process.StandardInput.FlushAsync();
        var line = await NextLineAsync(TimeSpan.FromSeconds(30));
        var parts = line.Split(' ');
        Assert.That(parts is ["SAVED", _, _, _] && parts[1] == name, Is.True, $"the other process answered: {line}");
        return (long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        // Its stdin closed, the process stops; killed if it does not.
        process.StandardInput.Close();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private async Task<string> NextLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await lines.Reader.ReadAsync(cancel.Token);
    }
}
