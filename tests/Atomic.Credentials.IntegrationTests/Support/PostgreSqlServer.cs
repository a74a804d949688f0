using System.Globalization;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// A real PostgreSQL cluster of the test's own (Debian's <c>postgresql</c> package): <c>initdb</c> in a
/// temporary folder, <c>pg_ctl</c> on a free loopback port, password (SCRAM) authentication over TCP,
/// its unix socket in that folder. PostgreSQL refuses to run as root, so as root (CI) every server
/// program runs as the package's <c>postgres</c> user through <c>runuser</c>. It can be stopped and
/// started again on the same port (an outage); dispose stops it (<c>-m immediate</c>) and deletes the
/// folder. Missing PostgreSQL: a failure under CI, a printed skip elsewhere.
/// </summary>
internal sealed class PostgreSqlServer : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private readonly string bin;
    private readonly bool asPostgresUser;

    private PostgreSqlServer(string bin, bool asPostgresUser, string folder, int port)
    {
        this.bin = bin;
        this.asPostgresUser = asPostgresUser;
        Folder = folder;
        Port = port;
    }

    /// <summary>The superuser's password: tests check that no message or log carries it.</summary>
    public string Password { get; } = "pg-password-" + Guid.NewGuid().ToString("N");

    public string Folder { get; }

    public int Port { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Database=postgres;Username={Superuser};Password={Password};Timeout=5;Command Timeout=15";

    private string Data => Path.Combine(Folder, "data");

    public static async Task<PostgreSqlServer> StartAsync()
    {
        var bin = FindBin();
        var asPostgresUser = Environment.IsPrivilegedProcess;
        PeerProcess.RequireOrSkip(
            bin is null ? "PostgreSQL is not installed (apt-get install postgresql; .ci/run does): no initdb in /usr/lib/postgresql/*/bin"
            : asPostgresUser && PeerProcess.FindOnPath("runuser") is null ? "runuser is missing: PostgreSQL cannot run as root"
            : asPostgresUser && !File.ReadAllLines("/etc/passwd").Any(line => line.StartsWith(Superuser + ":", StringComparison.Ordinal))
                ? "the postgres system user is missing (the postgresql package creates it)"
            : null);

        // Made by the user that runs the server, so that it owns its folder.
        var folder = asPostgresUser
            ? (await RunAsync(true, "mktemp", "-d", Path.Combine(Path.GetTempPath(), "atomic-pg-XXXXXX"))).Trim()
            : Directory.CreateTempSubdirectory("atomic-pg-").FullName;
        var server = new PostgreSqlServer(bin!, asPostgresUser, folder, PeerProcess.FreeLoopbackPort());
        try
        {
            var passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, server.Password);
            await server.RunServerProgramAsync(
                "initdb", "-D", server.Data, "-U", Superuser, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                "--no-sync", "-E", "UTF8", "--locale=C");
            File.Delete(passwordFile);
            await server.RestartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on its port; returns once it accepts connections.</summary>
    public Task RestartAsync() => RunServerProgramAsync(
        "pg_ctl", "-D", Data, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "30", "-o",
        $"-c listen_addresses=127.0.0.1 -p {Port.ToString(CultureInfo.InvariantCulture)} -c unix_socket_directories={Folder} -c fsync=off -c full_page_writes=off -c max_connections=500 -c shared_buffers=32MB",
        "start");

    /// <summary>Stops the server at once (an outage: no clean shutdown, connections cut).</summary>
    public Task StopAsync() => RunServerProgramAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");

    /// <summary>The database as <c>pg_dump</c> writes it (plain SQL).</summary>
    public Task<string> DumpAsync() =>
        RunServerProgramAsync("pg_dump", "-h", Folder, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, "-d", "postgres");

    /// <summary>What the server logged so far (for failure messages).</summary>
    public string Log => File.Exists(Path.Combine(Folder, "server.log")) ? File.ReadAllText(Path.Combine(Folder, "server.log")) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                await StopAsync();
            }
        }
        finally
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private Task<string> RunServerProgramAsync(string program, params string[] args) =>
        RunAsync(asPostgresUser, Path.Combine(bin, program), args);

    // The postgres user may not be allowed into the test's own folder: the programs run from the temporary folder.
    private static Task<string> RunAsync(bool asPostgresUser, string program, params string[] args) => asPostgresUser
        ? PeerProcess.RunToEndAsync("runuser", ["-u", Superuser, "--", program, .. args], TimeSpan.FromSeconds(60), Path.GetTempPath())
        : PeerProcess.RunToEndAsync(program, args, TimeSpan.FromSeconds(60), Path.GetTempPath());

    private static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
}
