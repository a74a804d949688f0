using System.Text.RegularExpressions;
using Npgsql;

namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>Checks <see cref="PostgreSqlCredentialStorageOptions"/> before anything connects; messages never carry the connection string.</summary>
internal static partial class PostgreSqlCredentialStorageOptionsValidator
{
    public static void ThrowIfInvalid(PostgreSqlCredentialStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Problem(options) is { } problem)
        {
            throw new ArgumentException("PostgreSQL credential storage: " + problem, nameof(options));
        }
    }

    private static string? Problem(PostgreSqlCredentialStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return "ConnectionString is empty.";
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException)
        {
            // The parser's message may quote a value: the password's neighbours are no business of a log.
            return "ConnectionString is not a valid Npgsql connection string.";
        }

        if (options.Schema is null || !Identifier().IsMatch(options.Schema))
        {
            return "Schema must be 1 to 63 lower-case letters, digits or '_', starting with a letter or '_'.";
        }

        return options.FallbackCheckInterval <= TimeSpan.Zero ? "FallbackCheckInterval must be positive."
            : options.ReconnectDelay <= TimeSpan.Zero ? "ReconnectDelay must be positive."
            : options.MaxReconnectDelay < options.ReconnectDelay ? "MaxReconnectDelay must be at least ReconnectDelay."
            : null;
    }

    // Quoted in SQL anyway; kept to plain lower-case so that LISTEN, pg_notify and psql all spell it alike.
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
