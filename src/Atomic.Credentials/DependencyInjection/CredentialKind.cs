using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.DependencyInjection;

/// <summary>
/// What the registration needs to know of one credential kind: its <c>Type</c> name, its options,
/// how to bind and validate them, and how to build its handler.
/// </summary>
internal sealed class CredentialKind
{
    // Where a credential may be sent is never a secret, and a user must see it to trust a saved credential.
    private static readonly string[] CommonPublicFields = [nameof(CredentialOptions.AllowedHosts), nameof(CredentialOptions.AllowInsecureTransport)];

    private CredentialKind(
        string type,
        Type optionsType,
        IReadOnlyCollection<string> fields,
        Action<IServiceCollection, string> register,
        Action<IServiceCollection, string, IConfiguration> bind,
        Func<IConfiguration, CredentialOptions> bindInstance,
        Func<string, CredentialOptions, ValidateOptionsResult> validate,
        IReadOnlySet<string> publicFields,
        Func<IServiceProvider, string, DelegatingHandler> createHandler,
        Func<IServiceProvider, string, Func<string, bool>> sensitiveHeaders,
        Func<IServiceProvider, string, Uri?> baseAddress)
    {
        BaseAddress = baseAddress;
        Type = type;
        SensitiveHeaders = sensitiveHeaders;
        OptionsType = optionsType;
        Fields = fields;
        Register = register;
        Bind = bind;
        BindInstance = bindInstance;
        Validate = validate;
        PublicFields = publicFields;
        CreateHandler = createHandler;
    }

    /// <summary>The value of <c>Type</c> in configuration.</summary>
    public string Type { get; }

    public Type OptionsType { get; }

    /// <summary>The configuration keys the options accept (besides <c>Type</c>).</summary>
    public IReadOnlyCollection<string> Fields { get; }

    /// <summary>Registers the options, their validator and start-up validation under a name.</summary>
    public Action<IServiceCollection, string> Register { get; }

    public Action<IServiceCollection, string, IConfiguration> Bind { get; }

    /// <summary>Binds a section into a fresh options instance, as <see cref="Bind"/> does for the options of a name (a saved credential).</summary>
    public Func<IConfiguration, CredentialOptions> BindInstance { get; }

    /// <summary>Runs the kind's validator on an options instance of this kind, under a credential name.</summary>
    public Func<string, CredentialOptions, ValidateOptionsResult> Validate { get; }

    /// <summary>
    /// The fields a saved credential shows in clear (an allow-list, case-insensitive): every other
    /// field is a secret, encrypted at rest and never returned by the store.
    /// </summary>
    public IReadOnlySet<string> PublicFields { get; }

    public Func<IServiceProvider, string, DelegatingHandler> CreateHandler { get; }

    /// <summary>
    /// Which request headers carry this credential's material, so IHttpClientFactory's own request
    /// logging redacts their values.
    /// </summary>
    public Func<IServiceProvider, string, Func<string, bool>> SensitiveHeaders { get; }

    /// <summary>
    /// The base address an integration preset gives a client that has none (an S3 bucket, a
    /// Marketo instance); null for plain kinds.
    /// </summary>
    public Func<IServiceProvider, string, Uri?> BaseAddress { get; }

    /// <param name="type">The <c>Type</c> name.</param>
    /// <param name="bind">Binds a section; written in the kind's own file so the binder's source generator sees the concrete type.</param>
    /// <param name="bindInstance">Binds a section into a fresh instance; written in the kind's own file like <paramref name="bind"/>.</param>
    /// <param name="publicFields">The fields that are not secret; every other field is.</param>
    /// <param name="createHandler">Builds the handler for a named credential.</param>
    /// <param name="headerNames">The headers the kind sets from its options; <c>Authorization</c> when null.</param>
    /// <param name="baseAddress">The base address the options give a client without one; none when null.</param>
    public static CredentialKind Create<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        string type,
        Action<OptionsBuilder<TOptions>, IConfiguration> bind,
        Func<IConfiguration, TOptions> bindInstance,
        IEnumerable<string> publicFields,
        Func<IServiceProvider, string, DelegatingHandler> createHandler,
        Func<TOptions, IEnumerable<string>>? headerNames = null,
        Func<TOptions, Uri?>? baseAddress = null)
        where TOptions : CredentialOptions
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        var fields = typeof(TOptions).GetProperties()
            .Where(property => property.CanWrite && property.SetMethod!.IsPublic)
            .Select(property => property.Name)
            .ToArray();

        return new CredentialKind(
            type,
            typeof(TOptions),
            fields,
            (services, name) =>
            {
                services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
                services.AddOptions<TOptions>(name).ValidateOnStart();
            },
            (services, name, section) => bind(services.AddOptions<TOptions>(name), section),
            bindInstance,
            (name, options) => new TValidator().Validate(name, (TOptions)options),
            publicFields.Concat(CommonPublicFields).ToHashSet(StringComparer.OrdinalIgnoreCase),
            createHandler,
            (services, name) =>
            {
                var monitor = services.GetRequiredService<IOptionsMonitor<TOptions>>();
                return header => header.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                    || (headerNames?.Invoke(monitor.Get(name)).Contains(header, StringComparer.OrdinalIgnoreCase) ?? false);
            },
            baseAddress is null
                ? static (_, _) => null
                : (services, name) => baseAddress(services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name)));
    }
}
