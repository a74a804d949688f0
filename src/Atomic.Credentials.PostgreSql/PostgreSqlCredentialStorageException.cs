namespace Atomic.Credentials.PostgreSql;

/// <summary>
/// The PostgreSQL credential storage could not do what was asked (the server is down or refused).
/// The message names the host, port, database and schema, never the connection string's password.
/// </summary>
public sealed class PostgreSqlCredentialStorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, and where.</param>
    /// <param name="host">The server's host, as in the connection string.</param>
    /// <param name="database">The database.</param>
    /// <param name="innerException">The Npgsql error.</param>
    public PostgreSqlCredentialStorageException(string message, string host, string database, Exception? innerException = null)
        : base(message, innerException)
    {
        Host = host;
        Database = database;
    }

    /// <summary>The server's host, as in the connection string.</summary>
    public string Host { get; }

    /// <summary>The database.</summary>
    public string Database { get; }
}
