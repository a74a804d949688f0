using System.Collections.Concurrent;
using Atomic.Credentials.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Store;

/// <summary>
/// Tells a SQLite storage's watchers of changes other processes made to the file. While anyone
/// watches, a timer checks <c>PRAGMA data_version</c> on a connection of its own (it changes when
/// another connection commits) and, when it moved, reads the names from the change log written with
/// every change. Changes this storage wrote itself were announced as they were written, and are skipped.
/// </summary>
internal sealed class SqliteChangeWatcher : IDisposable
{
    private readonly SqliteCredentialStorage storage;
    private readonly StorageWatchers watchers;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<long, byte> writtenHere = new();
    private ITimer? timer;
    private SqliteConnection? connection;
    private long dataVersion;
    private long lastSeen;
    private bool failing;
    private bool disposed;

    public SqliteChangeWatcher(SqliteCredentialStorage storage, StorageWatchers watchers, TimeProvider timeProvider, ILogger logger)
    {
        this.storage = storage;
        this.watchers = watchers;
        this.timeProvider = timeProvider;
        this.logger = logger;
        watchers.CountChanged += count =>
        {
            if (count > 0)
            {
                Start();
            }
            else
            {
                Stop();
            }
        };
    }

    /// <summary>Marks a change-log row as this storage's own, so the check does not announce it twice.</summary>
    public void WroteHere(long seq)
    {
        if (watchers.Count > 0)
        {
            writtenHere.TryAdd(seq, 0);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }

        Stop();
    }

    /// <summary>One check; the timer's callback, callable by tests.</summary>
    internal void Check()
    {
        if (!gate.TryEnter())
        {
            return; // the previous check still runs
        }

        try
        {
            if (timer is null)
            {
                return;
            }

            connection ??= storage.Open();
            var version = Scalar("PRAGMA data_version;");
            if (version != dataVersion)
            {
                dataVersion = version;
                Announce();
            }

            failing = false;
        }
#pragma warning disable CA1031 // any failure: watchers are told, and the next tick tries again
        catch (Exception exception)
#pragma warning restore CA1031
        {
            connection?.Dispose();
            connection = null;
            if (!failing)
            {
                failing = true;
                Log.StorageWatchFailed(logger, storage.FilePath, exception is SqliteException sqlite ? storage.Failure(sqlite) : exception);
                watchers.Notify(null);
            }
        }
        finally
        {
            gate.Exit();
        }
    }

    private void Start()
    {
        lock (gate)
        {
            if (timer is not null || disposed)
            {
                return;
            }

            try
            {
                connection = storage.Open();
                dataVersion = Scalar("PRAGMA data_version;");
                lastSeen = Scalar("SELECT coalesce(max(seq), 0) FROM changes;");
            }
#pragma warning disable CA1031 // the first check reports it
            catch (Exception)
#pragma warning restore CA1031
            {
                connection?.Dispose();
                connection = null;
                dataVersion = -1;
            }

            timer = timeProvider.CreateTimer(_ => Check(), null, storage.PollInterval, storage.PollInterval);
        }
    }

    private void Stop()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
            connection?.Dispose();
            connection = null;
            writtenHere.Clear();
        }
    }

    private void Announce()
    {
        using var command = connection!.CreateCommand();
        command.CommandText = "SELECT seq, name FROM changes WHERE seq > $last ORDER BY seq;";
        command.Parameters.AddWithValue("$last", lastSeen);
        var changes = new List<(long Seq, string Name)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                changes.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        var newest = Scalar("SELECT coalesce(max(seq), 0) FROM changes;");
        if (newest < lastSeen || (changes.Count > 0 && changes[0].Seq > lastSeen + 1 && lastSeen > 0))
        {
            // The log was cut past what this watcher read, or the file was replaced: names are unknown.
            lastSeen = newest;
            writtenHere.Clear();
            watchers.Notify(null);
            return;
        }

        foreach (var (seq, name) in changes)
        {
            lastSeen = seq;
            if (!writtenHere.TryRemove(seq, out _))
            {
                watchers.Notify(name);
            }
        }
    }

    private long Scalar(string sql)
    {
        using var command = connection!.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
