using System.Diagnostics;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>What an <see cref="Atomic.Credentials.Store.ICredentialStorage.Watch"/> callback heard, each call with its time.</summary>
internal sealed class WatchRecorder
{
    private readonly List<(string? Name, long At)> calls = [];

    public void Record(string? name)
    {
        lock (calls)
        {
            calls.Add((name, Stopwatch.GetTimestamp()));
        }
    }

    public IReadOnlyList<string?> Names
    {
        get
        {
            lock (calls)
            {
                return calls.Select(call => call.Name).ToList();
            }
        }
    }

    /// <summary>How long after <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp) the first call for <paramref name="name"/> came; fails when none came within <paramref name="timeout"/> of waiting.</summary>
    public async Task<TimeSpan> WaitForAsync(string? name, long since, TimeSpan timeout)
    {
        var waiting = Stopwatch.GetTimestamp();
        while (true)
        {
            lock (calls)
            {
                foreach (var call in calls)
                {
                    if (call.Name == name && call.At >= since)
                    {
                        return Stopwatch.GetElapsedTime(since, call.At);
                    }
                }
            }

            if (Stopwatch.GetElapsedTime(waiting) > timeout)
            {
                Assert.Fail($"no call with {name ?? "null"} within {timeout.TotalSeconds} s; heard: {string.Join(", ", Names.Select(n => n ?? "null"))}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Whether a call for <paramref name="name"/> came after <paramref name="since"/>.</summary>
    public bool Heard(string? name, long since)
    {
        lock (calls)
        {
            return calls.Any(call => call.Name == name && call.At >= since);
        }
    }
}
