using System.Diagnostics;
using StackExchange.Redis;

namespace Atomic.Credentials.AotSample;

/// <summary>Finds what the credentials left in the sample's own Redis server, which holds nothing else.</summary>
internal static class RedisEntries
{
    /// <summary>
    /// The credentials among <paramref name="names"/> with an entry in Redis (the cache keys are
    /// <c>atomic:{kind}:{name}:{hash}</c>), asked again until all are there or <paramref name="timeout"/>
    /// has passed: the cache writes an entry in the background, after the request it served.
    /// </summary>
    public static async Task<IReadOnlySet<string>> SharedAsync(string configuration, IReadOnlyCollection<string> names, TimeSpan timeout)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var shared = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var key in server.KeysAsync(pattern: "atomic:*"))
            {
                if (((string?)key)?.Split(':') is [_, _, var name, ..] && names.Contains(name))
                {
                    shared.Add(name);
                }
            }

            if (shared.Count == names.Count || Stopwatch.GetTimestamp() >= deadline)
            {
                return shared;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Where a connection string points, without its options (<c>password=…</c> among them): its
    /// endpoints come first as a rule, but StackExchange.Redis takes them anywhere and tells them from
    /// the options by the absence of <c>=</c>.
    /// </summary>
    public static string Endpoints(string configuration) => string.Join(',', configuration
        .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Where(part => !part.Contains('=', StringComparison.Ordinal)));
}
