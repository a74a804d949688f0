using System.Text;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.PostgreSql;
using Atomic.Credentials.Store;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// One real PostgreSQL cluster per fixture; each test gets a schema of its own (so the schema option
/// is exercised every time) and its storages are disposed after it.
/// </summary>
public abstract class PostgreSqlTestBase
{
    private readonly List<PostgreSqlCredentialStorage> storages = [];
    private PostgreSqlServer? server;

    internal PostgreSqlServer Server => server ?? throw new InvalidOperationException("no server");

    protected string Schema { get; private set; } = string.Empty;

    [OneTimeSetUp]
    public async Task StartServerAsync() => server = await PostgreSqlServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [SetUp]
    public void UseNewSchema() => Schema = "t_" + Guid.NewGuid().ToString("N")[..16];

    [TearDown]
    public async Task DisposeStoragesAsync()
    {
        foreach (var storage in storages)
        {
            await storage.DisposeAsync();
        }

        storages.Clear();
    }

    /// <summary>A storage of its own (its own connections), as another process would have.</summary>
    internal PostgreSqlCredentialStorage NewStorage(
        Action<PostgreSqlCredentialStorageOptions>? configure = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        var options = new PostgreSqlCredentialStorageOptions { ConnectionString = Server.ConnectionString, Schema = Schema };
        configure?.Invoke(options);
        var storage = new PostgreSqlCredentialStorage(options, timeProvider, loggerFactory);
        storages.Add(storage);
        return storage;
    }

    internal static StoredCredential Row(string name, string secret = "encrypted-bytes", string fields = """{"Username":"svc"}""") =>
        new(name, "BasicAuth", fields, Encoding.UTF8.GetBytes(secret), 0, default);

    /// <summary>Runs SQL on a connection of its own, as an operator with psql would: no notification.</summary>
    internal async Task<object?> SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
