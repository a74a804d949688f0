namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>
/// The statements of one schema. Each write is one statement, so one transaction: the row, its
/// version one above the one it replaces, and the notification, sent by PostgreSQL at commit only.
/// A name too long for a notification (8000 bytes) is announced as "anything changed" (empty payload).
/// </summary>
internal sealed class CredentialSql(string schema)
{
    private const string Columns = "name, type, public_fields, protected_secrets, version, updated_at";
    private const string Payload = "CASE WHEN octet_length(@name) < 8000 THEN @name ELSE '' END";

    public string Channel { get; } = schema;

    public string Table { get; } = $"\"{schema}\".credentials";

    public string Read => $"SELECT {Columns} FROM {Table} WHERE name = @name";

    public string List => $"SELECT {Columns} FROM {Table} WHERE name LIKE @pattern ORDER BY name";

    public string Write =>
        $"""
        WITH written AS (
            INSERT INTO {Table} AS c ({Columns}) VALUES (@name, @type, @public_fields, @protected_secrets, 1, @updated_at)
            ON CONFLICT (name) DO UPDATE SET type = excluded.type, public_fields = excluded.public_fields,
                protected_secrets = excluded.protected_secrets, version = c.version + 1, updated_at = excluded.updated_at
            RETURNING version, updated_at)
        SELECT version, updated_at, pg_notify(@channel, {Payload}) FROM written
        """;

    public string Delete =>
        $"""
        WITH deleted AS (DELETE FROM {Table} WHERE name = @name RETURNING name)
        SELECT pg_notify(@channel, {Payload}) FROM deleted
        """;

    public string Listen => $"LISTEN \"{Channel}\"";

    // Every insert, update and delete changes the count or a row's xmin, whoever made it and whether
    // or not it was announced; reads change nothing. One scan of the table per check.
    public string Fingerprint => $"SELECT count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0)::text FROM {Table}";

    /// <summary>A LIKE pattern matching the names that start with <paramref name="prefix"/> (the default escape is <c>\</c>).</summary>
    public static string StartsWith(string? prefix) =>
        (prefix ?? string.Empty).Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal) + "%";
}
