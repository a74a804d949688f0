using System.Diagnostics.CodeAnalysis;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.DependencyInjection;

/// <summary>
/// What the registration needs to know of one credential kind: its <c>Type</c> name, its options,
/// how to bind and validate them, and how to build the credential at run time.
/// </summary>
internal sealed class CredentialKind
{
    private static readonly string[] CommonPublicFields = [nameof(CredentialOptions.AllowedHosts), nameof(CredentialOptions.AllowInsecureTransport)];

    private CredentialKind(
        string type,
        Type optionsType,
        IReadOnlyCollection<string> fields,
        Action<IServiceCollection, string> register,
        Action<IServiceCollection, string, IConfiguration> bind,
        Func<IConfiguration, string, CredentialOptions> bindNew,
        Func<string, CredentialOptions, ValidateOptionsResult> validate,
        IReadOnlySet<string> publicFields,
        Func<IServiceProvider, string, Internal.Credential> createCredential,
        Func<IServiceProvider, string, CredentialOptions, Internal.Credential> createFromOptions,
        Func<IServiceProvider, string, Func<string, bool>> sensitiveHeaders,
        Func<IServiceProvider, string, Uri?> baseAddress,
        Func<CredentialOptions, Uri?> addressOf)
    {
        BaseAddress = baseAddress;
        AddressOf = addressOf;
        Type = type;
        SensitiveHeaders = sensitiveHeaders;
        OptionsType = optionsType;
        Fields = fields;
        Register = register;
        Bind = bind;
        BindNew = bindNew;
        Validate = validate;
        PublicFields = publicFields;
        CreateCredential = createCredential;
        CreateFromOptions = createFromOptions;
    }

    /// <summary>The value of <c>Type</c> in configuration.</summary>
    public string Type { get; }

    public Type OptionsType { get; }

    /// <summary>The configuration keys the options accept (besides <c>Type</c>).</summary>
    public IReadOnlyCollection<string> Fields { get; }

    /// <summary>Registers the options, their validator and start-up validation under a name.</summary>
    public Action<IServiceCollection, string> Register { get; }

    /// <summary>
    /// Binds a configuration section to the named credential's options, bound afresh on every reload.
    /// A value that cannot be converted fails when the options are first made (at start-up with
    /// <c>ValidateOnStart</c>) with an <see cref="OptionsValidationException"/> naming the credential, the
    /// field and the type it expects, never the value.
    /// </summary>
    public Action<IServiceCollection, string, IConfiguration> Bind { get; }

    /// <summary>
    /// Binds a configuration (e.g. a definition saved at run time) into a fresh options instance for the
    /// named credential; fails as <see cref="Bind"/> does. Validation is the caller's next step.
    /// </summary>
    public Func<IConfiguration, string, CredentialOptions> BindNew { get; }

    /// <summary>Runs the kind's validator on an options instance of this kind, under a credential name.</summary>
    public Func<string, CredentialOptions, ValidateOptionsResult> Validate { get; }

    /// <summary>
    /// The fields a saved credential shows in clear (an allow-list, case-insensitive): every other
    /// field is a secret, encrypted at rest and never returned by the store.
    /// </summary>
    public IReadOnlySet<string> PublicFields { get; }

    /// <summary>Builds the runtime credential of a configured name, following its options as they reload.</summary>
    public Func<IServiceProvider, string, Internal.Credential> CreateCredential { get; }

    /// <summary>Builds the runtime credential of one fixed definition (a saved credential), already validated.</summary>
    public Func<IServiceProvider, string, CredentialOptions, Internal.Credential> CreateFromOptions { get; }

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

    /// <summary>The same base address from options in hand (a saved credential's); null for plain kinds.</summary>
    public Func<CredentialOptions, Uri?> AddressOf { get; }

    /// <param name="type">The <c>Type</c> name.</param>
    /// <param name="bind">Binds a section into an instance; written where the options type is concrete so the binder's source generator intercepts it.</param>
    /// <param name="publicFields">The fields that are not secret; every other field is.</param>
    /// <param name="createCredential">Builds the runtime credential of a name over the options it is given.</param>
    /// <param name="headerNames">The headers the kind sets from its options; <c>Authorization</c> when null.</param>
    /// <param name="baseAddress">The base address the options give a client without one; none when null.</param>
    public static CredentialKind Create<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        string type,
        Action<TOptions, IConfiguration> bind,
        IEnumerable<string> publicFields,
        Func<IServiceProvider, string, IOptionsMonitor<TOptions>, Internal.Credential> createCredential,
        Func<TOptions, IEnumerable<string>>? headerNames = null,
        Func<TOptions, Uri?>? baseAddress = null)
        where TOptions : CredentialOptions, new()
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
            (services, name, section) =>
            {
                services.AddOptions<TOptions>(name).Configure(options => OptionsBinding.BindSafely(options, section, name, type, bind));

                // What OptionsBuilder.Bind would add besides binding: a new instance when the section reloads.
                services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(name, section));
            },
            (section, name) =>
            {
                var options = new TOptions();
                OptionsBinding.BindSafely(options, section, name, type, bind);
                return options;
            },
            (name, options) => new TValidator().Validate(name, (TOptions)options),
            publicFields.Concat(CommonPublicFields).ToHashSet(StringComparer.OrdinalIgnoreCase),
            (services, name) => createCredential(services, name, services.GetRequiredService<IOptionsMonitor<TOptions>>()),
            (services, name, options) => createCredential(services, name, new StaticOptionsMonitor<TOptions>((TOptions)options)),
            (services, name) =>
            {
                var monitor = services.GetRequiredService<IOptionsMonitor<TOptions>>();
                return header => header.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase)
                    || (headerNames?.Invoke(monitor.Get(name)).Contains(header, StringComparer.OrdinalIgnoreCase) ?? false);
            },
            baseAddress is null
                ? static (_, _) => null
                : (services, name) => baseAddress(services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name)),
            options => baseAddress?.Invoke((TOptions)options));
    }
}
