using Microsoft.Extensions.Logging;
using Npgsql;

namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>
/// Tells watchers of changes made by any process: a dedicated connection LISTENs on the schema's
/// channel and passes each notified name on. Started by the first watcher, it runs until disposed.
/// <list type="bullet">
/// <item>Each time the connection is (re)opened, watchers hear null, "anything may have changed":
/// notifications sent while it was down are lost for good.</item>
/// <item>A dropped connection is opened again after a delay that doubles up to the maximum.</item>
/// <item>A fallback check compares a fingerprint of the table every interval, and calls watchers with
/// null when the table changed and no notification came in between.</item>
/// </list>
/// </summary>
internal sealed class ChangeListener(
    NpgsqlDataSource listenerSource,
    Func<CancellationToken, Task<string>> readFingerprint,
    CredentialSql sql,
    Watchers watchers,
    PostgreSqlCredentialStorageOptions options,
    TimeProvider timeProvider,
    ILogger logger,
    ServerDescription server) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private Task running = Task.CompletedTask;
    private bool started;
    private long announcements;

    public void EnsureStarted()
    {
        lock (gate)
        {
            if (started || stopping.IsCancellationRequested)
            {
                return;
            }

            started = true;
            running = Task.WhenAll(
                Task.Run(() => ListenAsync(stopping.Token)),
                Task.Run(() => CheckAsync(stopping.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            stopping.Cancel();
        }

        await running.ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await listenerSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var scope = connection.ConfigureAwait(false);
                connection.Notification += OnNotification;
                using (var listen = new NpgsqlCommand(sql.Listen, connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                failures = 0;
                Log.Listening(logger, server.ToString());

                // Changes made before LISTEN took effect (at the first connection too) were not
                // notified: a credential resolved before then is read again.
                Announce(null);
                while (true)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever broke the connection, the listener must live on and try again.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                var delay = Backoff(++failures);
                Log.ListenerDown(logger, server.ToString(), delay, exception);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        string? last = null;
        var announcedAtLast = Interlocked.Read(ref announcements);
        var first = true;
        while (first || await DelayAsync(options.FallbackCheckInterval, cancellationToken).ConfigureAwait(false))
        {
            first = false;
            try
            {
                var fingerprint = await readFingerprint(cancellationToken).ConfigureAwait(false);
                var announced = Interlocked.Read(ref announcements);
                if (last is not null && fingerprint != last && announced == announcedAtLast)
                {
                    Log.UnannouncedChange(logger, server.ToString());
                    Announce(null);
                    announced = Interlocked.Read(ref announcements);
                }

                (last, announcedAtLast) = (fingerprint, announced);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The server may be down: the listener reports that; the check tries again next time.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.FallbackCheckFailed(logger, server.ToString(), exception);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e) =>
        Announce(string.IsNullOrEmpty(e.Payload) ? null : e.Payload);

    private void Announce(string? name)
    {
        Interlocked.Increment(ref announcements);
        watchers.Raise(name);
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = options.ReconnectDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        delay = delay > options.MaxReconnectDelay ? options.MaxReconnectDelay : delay;

        // Up to a fifth less, so that a fleet cut off at once does not reconnect in lockstep.
#pragma warning disable CA5394 // Jitter, not security.
        return delay * (1 - (Random.Shared.NextDouble() / 5));
#pragma warning restore CA5394
    }

    /// <summary>Waits on the storage's clock; false when stopped.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
