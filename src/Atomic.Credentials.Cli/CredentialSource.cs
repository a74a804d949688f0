using System.CommandLine;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Cli;

/// <summary>
/// The credentials a command works on, wired exactly as a service wires them: a configuration file
/// (<c>AddAtomicCredentials</c> over its <c>AtomicCredentials</c> section, environment variables and
/// user secrets on top) or a saved-credentials store (<c>AddAtomicCredentialStore</c>, SQLite or
/// PostgreSQL) behind the no-name handler. Every client ends in a capturing primary handler.
/// </summary>
internal sealed class CredentialSource : IAsyncDisposable
{
    public const string SectionName = "AtomicCredentials";
    private const string StoreClient = "atomic-credentials-cli";

    private readonly ServiceProvider provider;
    private readonly IConfiguration? section;
    private readonly Dictionary<string, string> refused;

    private CredentialSource(ServiceProvider provider, IConfiguration? section, Dictionary<string, string> refused)
    {
        this.provider = provider;
        this.section = section;
        this.refused = refused;
    }

    public IServiceProvider Services => provider;

    public bool IsStore => section is null;

    public static readonly Option<string?> ConfigOption = new("--config", "-c")
    {
        Description = "An appsettings.json-style file: its AtomicCredentials section, or a file that is only that section (default: ./appsettings.json). Environment variables (AtomicCredentials__crm__ClientSecret) apply on top.",
        Recursive = true,
    };

    public static readonly Option<string?> StoreOption = new("--store", "-s")
    {
        Description = "Saved credentials: a SQLite file path, or a PostgreSQL connection (postgres://user:pass@host/db or Host=…;Database=…).",
        Recursive = true,
    };

    public static readonly Option<string?> KeysOption = new("--keys")
    {
        Description = "The Data Protection key folder of the store (default: 'keys' next to a SQLite file, ~/.atomic-credentials/keys for PostgreSQL).",
        Recursive = true,
    };

    public static readonly Option<string> AppNameOption = new("--app-name")
    {
        Description = "The Data Protection application name the store's secrets were saved under.",
        DefaultValueFactory = _ => "atomic-credentials",
        Recursive = true,
    };

    public static readonly Option<string?> UserSecretsOption = new("--user-secrets")
    {
        Description = "A user secrets id whose secrets apply on top of --config, as in a service.",
        Recursive = true,
    };

    public static void AddOptions(RootCommand root)
    {
        root.Options.Add(ConfigOption);
        root.Options.Add(StoreOption);
        root.Options.Add(KeysOption);
        root.Options.Add(AppNameOption);
        root.Options.Add(UserSecretsOption);
    }

    /// <summary>Opens what the command line names: <c>--store</c>, else <c>--config</c>, else ./appsettings.json.</summary>
    public static CredentialSource Open(ParseResult parse, bool dryRun = false)
    {
        var store = parse.GetValue(StoreOption);
        var config = parse.GetValue(ConfigOption);
        if (store is not null && config is not null)
        {
            throw new UsageException("--config and --store: choose one");
        }

        var services = new ServiceCollection();
        if (store is not null)
        {
            AddStore(services, store, parse.GetValue(KeysOption), parse.GetValue(AppNameOption)!);
            services.AddHttpClient(StoreClient).AddHttpMessageHandler(() => new CaptureBeforeHandler())
                .AddAtomicCredentialHandler()
                .ConfigurePrimaryHttpMessageHandler(() => new CaptureAtWireHandler(Network(dryRun)));
            return new CredentialSource(services.BuildServiceProvider(), null, []);
        }

        var section = LoadSection(config ?? "appsettings.json", parse.GetValue(UserSecretsOption));
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in section.GetChildren())
        {
            try
            {
                services.AddAtomicCredentials(Only(child, section));
            }
            catch (InvalidOperationException e)
            {
                refused[child.Key] = e.Message;
                continue;
            }

            services.AddHttpClient(StoreClient + ":" + child.Key).AddHttpMessageHandler(() => new CaptureBeforeHandler())
                .AddAtomicCredentialHandler(child.Key)
                .ConfigurePrimaryHttpMessageHandler(() => new CaptureAtWireHandler(Network(dryRun)));
        }

        return new CredentialSource(services.BuildServiceProvider(), section, refused);
    }

    /// <summary>The credential section of a configuration file, with environment variables and user secrets on top.</summary>
    public static IConfiguration LoadSection(string file, string? userSecretsId = null)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            throw new UsageException($"configuration file not found: {path}");
        }

        var builder = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false);
        if (userSecretsId is not null)
        {
            builder.AddUserSecrets(userSecretsId);
        }

        // A service's appsettings.json: environment variables apply as they do in the service
        // (AtomicCredentials__crm__ClientSecret). A file that is only the section: the same
        // variables, their prefix taken off, so the rest of the environment is not read as credentials.
        if (builder.Build().GetSection(SectionName).Exists())
        {
            return builder.AddEnvironmentVariables().Build().GetSection(SectionName);
        }

        return builder.AddEnvironmentVariables(SectionName + "__").Build();
    }

    /// <summary>The configured or saved credential names, in order.</summary>
    public async Task<IReadOnlyList<(string Name, string Kind)>> ListAsync(CancellationToken ct)
    {
        if (section is not null)
        {
            return section.GetChildren().Select(c => (c.Key, c["Type"] ?? "?")).ToList();
        }

        var infos = await Store.ListAsync(null, ct).ConfigureAwait(false);
        return infos.Select(i => (i.Name, i.Type)).ToList();
    }

    public ICredentialStore Store => provider.GetRequiredService<ICredentialStore>();

    /// <summary>The store itself, which alone opens a saved secret to the library (a public key, a presigned URL).</summary>
    public CredentialStore SavedStore => provider.GetRequiredService<CredentialStore>();

    /// <summary>The kind (<c>Type</c>) of a configured or saved credential; a credential failure when there is none or it was refused.</summary>
    public async Task<string> KindAsync(string name, CancellationToken ct)
    {
        if (section is null)
        {
            var info = await Store.GetInfoAsync(name, ct).ConfigureAwait(false);
            return info?.Type ?? throw new CredentialException(name, "?", $"No saved credential is named '{name}'.");
        }

        var type = Definition(name)?["Type"] ?? throw new CredentialException(name, "?", $"Credential '{name}' is not in the configuration.");
        return Refusal(name) is { } why ? throw new CredentialException(name, type, why) : type;
    }

    /// <summary>The configuration entry of a configured credential; null for a store.</summary>
    public IConfigurationSection? Definition(string name) => section?.GetSection(name) is { } s && s.Exists() ? s : null;

    /// <summary>Why a configured credential was refused when the file was read, if it was.</summary>
    public string? Refusal(string name) => refused.GetValueOrDefault(name);

    /// <summary>A client for <paramref name="name"/> and the request decoration that names the credential.</summary>
    public HttpClient CreateClient(string name)
    {
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        if (section is null)
        {
            return factory.CreateClient(StoreClient);
        }

        if (refused.TryGetValue(name, out var why))
        {
            throw new CredentialException(name, section[name + ":Type"] ?? "?", why);
        }

        if (!Definition(name)?.Exists() ?? true)
        {
            throw new CredentialException(name, "?", $"Credential '{name}' is not in the configuration.");
        }

        return factory.CreateClient(StoreClient + ":" + name);
    }

    /// <summary>Names the credential on a request to a store client (a configured client has its own).</summary>
    public void Name(HttpRequestMessage request, string name)
    {
        if (section is null)
        {
            request.WithCredential(name);
        }
    }

    public ValueTask DisposeAsync() => provider.DisposeAsync();

    public static void AddStore(IServiceCollection services, string connection, string? keys, string applicationName)
    {
        var postgres = connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || connection.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        string keyFolder;
        if (postgres)
        {
            services.AddAtomicCredentialsPostgreSqlStorage(PostgresConnectionString(connection));
            services.AddAtomicCredentialStore();
            keyFolder = keys ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".atomic-credentials", "keys");
        }
        else
        {
            var path = Path.GetFullPath(connection);
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                throw new UsageException($"the store's folder does not exist: {folder}");
            }

            services.AddAtomicCredentialStore(o => o.UseSqlite(path));
            keyFolder = keys ?? Path.Combine(folder, "keys");
        }

        // The secrets saved by one run must open in the next: the key ring lives on disk, as in the tour.
        services.AddDataProtection()
            .SetApplicationName(applicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(keyFolder));
    }

    private static string PostgresConnectionString(string connection)
    {
        if (!connection.Contains("://", StringComparison.Ordinal))
        {
            return connection;
        }

        var uri = new Uri(connection);
        var parts = new List<string> { $"Host={uri.Host}" };
        if (uri.Port > 0)
        {
            parts.Add($"Port={uri.Port}");
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0)
        {
            parts.Add($"Database={Uri.UnescapeDataString(database)}");
        }

        if (uri.UserInfo.Length > 0)
        {
            var user = uri.UserInfo.Split(':', 2);
            parts.Add($"Username={Uri.UnescapeDataString(user[0])}");
            if (user.Length > 1)
            {
                parts.Add($"Password={Uri.UnescapeDataString(user[1])}");
            }
        }

        return string.Join(';', parts);
    }

    private static HttpMessageHandler Network(bool dryRun) =>
        dryRun ? new NoNetworkHandler() : new SocketsHttpHandler();

    // One credential's entry alone, under the same path, so one bad entry does not refuse the others.
    private static IConfiguration Only(IConfigurationSection child, IConfiguration section)
    {
        var values = child.AsEnumerable().Where(kv => kv.Value is not null);
        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return section is IConfigurationSection s ? root.GetSection(s.Path) : root;
    }

    /// <summary>Under a dry run nothing reaches the network: the capturing handler answers first.</summary>
    private sealed class NoNetworkHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a dry run sends nothing");
    }
}
