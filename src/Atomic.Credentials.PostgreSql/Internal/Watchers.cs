using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>The callbacks of <see cref="PostgreSqlCredentialStorage.Watch"/>; one that throws is logged and the others still run.</summary>
internal sealed class Watchers(ILogger logger, ServerDescription server)
{
    private readonly Lock gate = new();
    private Action<string?>[] callbacks = [];

    public bool Any => Volatile.Read(ref callbacks).Length > 0;

    public IDisposable Add(Action<string?> callback)
    {
        lock (gate)
        {
            callbacks = [.. callbacks, callback];
        }

        return new Subscription(this, callback);
    }

    public void Raise(string? name)
    {
        foreach (var callback in Volatile.Read(ref callbacks))
        {
            try
            {
                callback(name);
            }
#pragma warning disable CA1031 // A user's callback may throw anything; the others must still hear of the change.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.WatcherFailed(logger, server.ToString(), exception);
            }
        }
    }

    private void Remove(Action<string?> callback)
    {
        lock (gate)
        {
            var index = Array.IndexOf(callbacks, callback);
            if (index >= 0)
            {
                callbacks = [.. callbacks[..index], .. callbacks[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(Watchers owner, Action<string?> callback) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Remove(callback);
            }
        }
    }
}
