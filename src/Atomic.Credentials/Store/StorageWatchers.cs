namespace Atomic.Credentials.Store;

/// <summary>
/// The callbacks of <see cref="ICredentialStorage.Watch"/> for one storage: added, removed when their
/// subscription is disposed, and each called in turn; one that throws does not stop the others.
/// </summary>
internal sealed class StorageWatchers
{
    private readonly Lock gate = new();
    private Action<string?>[] callbacks = [];

    /// <summary>Called with the number of watchers after each add or remove (under no lock).</summary>
    public event Action<int>? CountChanged;

    public int Count => Volatile.Read(ref callbacks).Length;

    public IDisposable Add(Action<string?> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        int count;
        lock (gate)
        {
            callbacks = [.. callbacks, changed];
            count = callbacks.Length;
        }

        CountChanged?.Invoke(count);
        return new Subscription(this, changed);
    }

    public void Notify(string? name)
    {
        foreach (var callback in Volatile.Read(ref callbacks))
        {
            try
            {
                callback(name);
            }
#pragma warning disable CA1031 // a watcher's failure is its own: the others and the writer go on
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void Remove(Action<string?> changed)
    {
        int count;
        lock (gate)
        {
            var index = Array.IndexOf(callbacks, changed);
            if (index < 0)
            {
                return;
            }

            callbacks = [.. callbacks[..index], .. callbacks[(index + 1)..]];
            count = callbacks.Length;
        }

        CountChanged?.Invoke(count);
    }

    private sealed class Subscription(StorageWatchers owner, Action<string?> changed) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Remove(changed);
            }
        }
    }
}
