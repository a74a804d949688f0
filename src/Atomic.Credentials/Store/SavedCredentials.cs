using System.Collections.Concurrent;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Store;

/// <summary>
/// The runtime credentials of saved definitions, built once a name and version and kept in a
/// bounded per-process cache (least recently used out). A change the store reports drops what was
/// built from the old definition, so the next request uses the new secret, and a deleted
/// credential's next request is refused before it is sent. Resolving a name the cache holds is a
/// dictionary read; one store read a name however many requests miss it at once.
/// </summary>
internal sealed class SavedCredentials : IDisposable
{
    private readonly CredentialStore store;
    private readonly IServiceProvider services;
    private readonly int capacity;
    private readonly ConcurrentDictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private readonly IDisposable watch;
    private long clock;
    private long changes;
    private int trimming;

    public SavedCredentials(CredentialStore store, IServiceProvider services, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.store = store;
        this.services = services;
        this.capacity = capacity;
        watch = store.Watch(Changed);
    }

    /// <summary>How many credentials are built and held now.</summary>
    public int Count => slots.Count;

    /// <summary>The runtime credential saved under <paramref name="name"/>; a <see cref="CredentialException"/> when there is none.</summary>
    public ValueTask<Credential> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (slots.TryGetValue(name, out var slot) && slot.Built is { } built)
        {
            // An approximate clock is enough to find the least recently used: no atomic step per request.
            slot.LastUsed = ++clock;
            return new ValueTask<Credential>(built);
        }

        return BuildAsync(name, cancellationToken);
    }

    public void Dispose() => watch.Dispose();

    private async ValueTask<Credential> BuildAsync(string name, CancellationToken cancellationToken)
    {
        var seen = Interlocked.Read(ref changes);
        var fresh = new Slot(Interlocked.Increment(ref clock));
        var slot = slots.GetOrAdd(name, fresh);
        if (ReferenceEquals(slot, fresh))
        {
            // Not on the caller's token: other callers wait for the same build.
            _ = fresh.Run(() => ResolveAsync(name, fresh, seen));
            TrimIfFull();
        }

        try
        {
            return await slot.Building.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (slot.Building.IsFaulted)
        {
            // A failure is not kept: the next request asks the store again.
            slots.TryRemove(new KeyValuePair<string, Slot>(name, slot));
            throw;
        }
    }

    private async Task<Credential> ResolveAsync(string name, Slot slot, long seen)
    {
        ResolvedDefinition? definition;
        try
        {
            definition = await store.ResolveAsync(name, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not CredentialException)
        {
            // The storage's own message names where it is (a file, a host and database), never a secret.
            throw new CredentialException(name, CredentialStore.UnknownKind,
                $"The saved credential could not be read from the credential store ({exception.GetType().Name}: {exception.Message}). The request was not sent.", exception);
        }

        if (definition is null)
        {
            throw new CredentialException(name, CredentialStore.UnknownKind,
                $"No saved credential is named '{name}'. Save it with ICredentialStore.SaveAsync first. The request was not sent.");
        }

        var credential = definition.Kind.CreateFromOptions(services, name, definition.Options);

        // A change reported while the definition was read may be newer than what was read: the
        // requests waiting now use it, the next one reads the store again.
        if (Interlocked.Read(ref changes) != seen)
        {
            slots.TryRemove(new KeyValuePair<string, Slot>(name, slot));
        }

        return credential;
    }

    private void Changed(string? name)
    {
        Interlocked.Increment(ref changes);
        if (name is null)
        {
            slots.Clear();
        }
        else
        {
            slots.TryRemove(name, out _);
        }
    }

    // Least recently used out, a tenth at a time, so the scan is paid once every capacity/10 builds.
    private void TrimIfFull()
    {
        if (slots.Count <= capacity || Interlocked.Exchange(ref trimming, 1) == 1)
        {
            return;
        }

        try
        {
            var excess = slots.Count - capacity + Math.Max(1, capacity / 10);
            foreach (var (key, _) in slots.Where(pair => pair.Value.Building.IsCompleted).OrderBy(pair => pair.Value.LastUsed).Take(excess).ToList())
            {
                slots.TryRemove(key, out _);
            }
        }
        finally
        {
            Volatile.Write(ref trimming, 0);
        }
    }

    private sealed class Slot(long lastUsed)
    {
        private readonly TaskCompletionSource<Credential> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile Credential? built;

        public Task<Credential> Building => completion.Task;

        /// <summary>The credential once built, read without touching the task.</summary>
        public Credential? Built => built;

        public long LastUsed { get; set; } = lastUsed;

        public async Task Run(Func<Task<Credential>> build)
        {
            try
            {
                built = await build().ConfigureAwait(false);
                completion.TrySetResult(built);
            }
            catch (Exception exception)
            {
                completion.TrySetException(exception);
            }
        }
    }
}
