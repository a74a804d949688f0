using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Integrations;

internal sealed class SalesforceMarketingCloudOptionsValidator : CredentialOptionsValidator<SalesforceMarketingCloudOptions>
{
    protected override void Check(OptionsErrors errors, SalesforceMarketingCloudOptions options)
    {
        errors.AddCommon(options);
        if (errors.Required(nameof(options.Subdomain), options.Subdomain)
            && !OptionsErrors.IsHostLabel(options.Subdomain))
        {
            // A whole URL pasted here is the usual mistake.
            errors.Add(nameof(options.Subdomain), "must be the subdomain alone (letters, digits and '-'), e.g. mc563885gzs27c5t9-63k636ttgm from https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/");
        }

        errors.Required(nameof(options.ClientId), options.ClientId);
        errors.Required(nameof(options.ClientSecret), options.ClientSecret);
        errors.NoControlCharacters(nameof(options.Scope), options.Scope);
        if (!string.IsNullOrEmpty(options.AccountId) && options.AccountId.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            errors.Add(nameof(options.AccountId), "must be the business unit's MID (digits only)");
        }

        if (!string.IsNullOrEmpty(options.AuthBaseUrl))
        {
            errors.EndpointUrl(nameof(options.AuthBaseUrl), options.AuthBaseUrl, options.AllowInsecureTransport);
        }

        errors.Timeout(nameof(options.TokenRequestTimeout), options.TokenRequestTimeout);
    }
}
