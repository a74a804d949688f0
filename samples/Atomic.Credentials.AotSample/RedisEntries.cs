using StackExchange.Redis;

namespace Atomic.Credentials.AotSample;

/// <summary>Counts what the credentials left in the sample's own Redis server, which holds nothing else.</summary>
internal static class RedisEntries
{
    public static async Task<int> CountAsync(string configuration)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var count = 0;
        await foreach (var _ in server.KeysAsync())
        {
            count++;
        }

        return count;
    }
}
