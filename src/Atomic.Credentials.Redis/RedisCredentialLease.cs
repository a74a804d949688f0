using Atomic.Credentials.Caching;
using StackExchange.Redis;

namespace Atomic.Credentials.Redis;

/// <summary>
/// The fleet's lease in Redis: <c>SET key holder NX PX duration</c> to claim it, and a script that
/// deletes the key only while it still holds the caller's value to release it, so a holder whose
/// lease lapsed and was claimed by another instance cannot end that one's; extending works the same way
/// (<c>PEXPIRE</c> only while the value is the caller's).
/// </summary>
internal sealed class RedisCredentialLease(SharedRedisConnection connection, string? instanceName) : ICredentialLease
{
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private const string ExtendScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    public async Task<bool> TryExtendAsync(string key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var extended = await database.ScriptEvaluateAsync(ExtendScript, [Key(key)], [holder, (long)Math.Ceiling(duration.TotalMilliseconds)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)extended == 1;
    }

    public async Task<bool> TryAcquireAsync(string key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await database.StringSetAsync(Key(key), holder, duration, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string key, string holder, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(ReleaseScript, [Key(key)], [holder]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Beside the cache's own entries, under the same instance name.
    private RedisKey Key(string key) => instanceName + key;

    private async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        (await connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
}
