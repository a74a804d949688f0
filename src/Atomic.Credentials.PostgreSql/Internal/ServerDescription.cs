using System.Globalization;
using Npgsql;

namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>
/// Where the storage is, for messages and logs: host, port, database and schema, read from the
/// connection string through <see cref="NpgsqlConnectionStringBuilder"/>, never the string itself
/// (it may hold a password).
/// </summary>
internal sealed class ServerDescription
{
    private readonly string text;

    public ServerDescription(string connectionString, string schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        Database = string.IsNullOrEmpty(builder.Database) ? builder.Username ?? "(default)" : builder.Database;
        text = string.Create(CultureInfo.InvariantCulture, $"{Host}:{builder.Port}/{Database} (schema {schema})");
    }

    public string Host { get; }

    public string Database { get; }

    public override string ToString() => text;
}
