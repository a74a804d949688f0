using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Support;

/// <summary>
/// Credentials registered from in-memory configuration as an app does it, then brought to where a bad
/// value shows: registration, host start (<c>ValidateOnStart</c>) and a lazy <c>IOptionsMonitor.Get</c>.
/// Every failure is kept, with all the text it carries.
/// </summary>
internal static class ConfiguredStart
{
    public const string Section = "AtomicCredentials";

    /// <summary>A valid credential of each kind and preset, by <c>Type</c>: the ground bad values are put on.</summary>
    public static IReadOnlyDictionary<string, Dictionary<string, string?>> Valid { get; } = new Dictionary<string, Dictionary<string, string?>>
    {
        ["BasicAuth"] = new() { ["Username"] = "user", ["Password"] = "pass" },
        ["CustomHeaders"] = new() { ["Headers:X-Api-Key"] = "k" },
        ["KeyPair"] = new()
        {
            ["PrivateKey"] = KeyPair.TestKeys.Pkcs8("RS256"), ["Algorithm"] = "RS256", ["Issuer"] = "atomic", ["Audience"] = "https://partner.example.com",
        },
        ["AwsSignedRequest"] = new() { ["AccessKeyId"] = "AKIDVALID", ["SecretAccessKey"] = "secret", ["Service"] = "s3", ["Region"] = "eu-west-1" },
        ["OAuthClientCredentials"] = new() { ["IdentityUrl"] = "https://login.example.com/token", ["ClientId"] = "id", ["ClientSecret"] = "secret" },
        ["SalesforceMarketingCloud"] = new() { ["Subdomain"] = "tenant", ["ClientId"] = "id", ["ClientSecret"] = "secret" },
        ["Marketo"] = new() { ["IdentityUrl"] = "https://1-2-3.mktorest.com/identity", ["ClientId"] = "id", ["ClientSecret"] = "secret" },
        ["S3Bucket"] = new() { ["BucketName"] = "exports", ["Region"] = "eu-west-1", ["AccessKeyId"] = "AKIDVALID", ["SecretAccessKey"] = "secret" },
    };

    /// <summary>A valid credential of <paramref name="type"/> named <paramref name="name"/>, changed by <paramref name="change"/>, as configuration keys below the section.</summary>
    public static Dictionary<string, string?> Credential(string name, string type, Action<Dictionary<string, string?>>? change = null)
    {
        var fields = new Dictionary<string, string?>(Valid[type], StringComparer.OrdinalIgnoreCase) { ["Type"] = type };
        change?.Invoke(fields);
        return fields.ToDictionary(pair => $"{name}:{pair.Key}", pair => pair.Value);
    }

    /// <summary>The failures, in the order they happened; empty when every credential is good.</summary>
    public static async Task<List<Exception>> FailuresAsync(IDictionary<string, string?> credentials)
    {
        var failures = new List<Exception>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(credentials.Select(pair => KeyValuePair.Create($"{Section}:{pair.Key}", pair.Value)));
        var section = builder.Configuration.GetSection(Section);
        try
        {
            builder.Services.AddAtomicCredentials(section);
        }
        catch (InvalidOperationException e)
        {
            failures.Add(e);
            return failures;
        }

        using var host = builder.Build();
        try
        {

            await host.StartAsync();
            await host.StopAsync();
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException or AggregateException)
        {
            failures.Add(e);
        }

        // Binding is lazy: what start-up validation reported must also be what the first Get reports.
        foreach (var child in section.GetChildren())
        {
            if (CredentialKinds.FindByType(child["Type"]) is { } kind)
            {
                try
                {
                    Get(host.Services, kind.OptionsType, child.Key);
                }
                catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
                {
                    failures.Add(e);
                }
            }
        }

        return failures;
    }

    /// <summary>Every message, <c>ToString()</c> and validation failure of an exception and all its inner ones.</summary>
    public static string AllText(IEnumerable<Exception> failures)
    {
        var text = new System.Text.StringBuilder();
        foreach (var failure in failures)
        {
            text.AppendLine(failure.ToString());
            for (var e = failure; e is not null; e = e.InnerException)
            {
                text.AppendLine(e.Message);
                if (e is OptionsValidationException validation)
                {
                    text.AppendLine(string.Join(Environment.NewLine, validation.Failures));
                }

                if (e is AggregateException aggregate)
                {
                    text.AppendLine(AllText(aggregate.InnerExceptions));
                }
            }
        }

        return text.ToString();
    }

    // IOptionsMonitor<T> is not covariant: Get is called through reflection for the kind's own T.
    private static void Get(IServiceProvider services, Type optionsType, string name)
    {
        var monitor = services.GetRequiredService(typeof(IOptionsMonitor<>).MakeGenericType(optionsType));
        try
        {
            _ = monitor.GetType().GetMethod(nameof(IOptionsMonitor<object>.Get))!.Invoke(monitor, [name]);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }
}
