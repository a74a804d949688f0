using StackExchange.Redis;

namespace Atomic.Credentials.Redis;

/// <summary>
/// One Redis connection for the credentials' cache and their lease: <c>RedisCache</c> obtains it
/// through its <c>ConnectionMultiplexerFactory</c>, the lease through <see cref="GetAsync"/>.
/// A connection attempt that failed is not kept: the next call tries again.
/// </summary>
internal sealed class SharedRedisConnection(Func<Task<IConnectionMultiplexer>> connect)
{
    private readonly Lock sync = new();
    private Task<IConnectionMultiplexer>? connection;

    public Task<IConnectionMultiplexer> GetAsync()
    {
        lock (sync)
        {
            if (connection is null || connection.IsFaulted || connection.IsCanceled)
            {
                connection = connect();
            }

            return connection;
        }
    }
}
