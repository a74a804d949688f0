using System.Diagnostics;

namespace Atomic.Credentials.IntegrationTests.Faults;

/// <summary>
/// The threads and open sockets (from <c>/proc/self/fd</c>) of this process: taken before a fault is
/// repeated and after the client is gone, a leak an attempt shows as growth beyond a small tolerance.
/// Only sockets are counted: other descriptors grow as assemblies load, which is not a leak.
/// </summary>
internal readonly record struct ProcessResources(int Threads, int Sockets)
{
    // Thread-pool threads come and go with load; sockets must come back to what they were.
    private const int ThreadTolerance = 8;
    private const int SocketTolerance = 2;

    public static ProcessResources Now()
    {
        using var process = Process.GetCurrentProcess();
        var sockets = Directory.Exists("/proc/self/fd")
            ? Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
            : 0;
        return new ProcessResources(process.Threads.Count, sockets);
    }

    /// <summary>Waits (bounded) until the process is back within tolerance of <paramref name="baseline"/>.</summary>
    public static async Task<ProcessResources> SettleAsync(ProcessResources baseline)
    {
        var now = Now();
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(10) && !now.Within(baseline); now = Now())
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(100);
        }

        return now;
    }

    public bool Within(ProcessResources baseline) =>
        Threads <= baseline.Threads + ThreadTolerance && Sockets <= baseline.Sockets + SocketTolerance;

    public override string ToString() => $"{Threads} threads, {Sockets} sockets";
}
