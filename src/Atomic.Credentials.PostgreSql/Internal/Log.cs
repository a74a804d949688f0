using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>Every log line of the PostgreSQL storage. Arguments are the server's description (host, port, database, schema), names and delays: never the connection string.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Credential storage {Server}: listening for changes")]
    public static partial void Listening(ILogger logger, string server);

    [LoggerMessage(2, LogLevel.Warning, "Credential storage {Server}: the listening connection is down; trying again in {Delay}")]
    public static partial void ListenerDown(ILogger logger, string server, TimeSpan delay, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Credential storage {Server}: the table changed without a notification; every watcher is told that anything may have changed")]
    public static partial void UnannouncedChange(ILogger logger, string server);

    [LoggerMessage(4, LogLevel.Debug, "Credential storage {Server}: the fallback check failed")]
    public static partial void FallbackCheckFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Credential storage {Server}: a watcher threw while told of a change")]
    public static partial void WatcherFailed(ILogger logger, string server, Exception exception);
}
