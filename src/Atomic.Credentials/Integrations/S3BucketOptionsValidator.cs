using Atomic.Credentials.OAuth;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Aws;

internal sealed class S3BucketOptionsValidator : IValidateOptions<S3BucketOptions>
{
    private static readonly System.Buffers.SearchValues<char> BucketCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");

    public ValidateOptionsResult Validate(string? name, S3BucketOptions options)
    {
        var errors = new OptionsErrors(name, S3BucketOptions.KindName);
        var bucket = options.BucketName;
        if (errors.Required(nameof(options.BucketName), bucket)
            && (bucket.Length is < 3 or > 63 || bucket.AsSpan().ContainsAnyExcept(BucketCharacters)))
        {
            errors.Add(nameof(options.BucketName), "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-'");
        }

        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            OAuthClientCredentialsOptionsValidator.ValidateEndpointUrl(errors, nameof(options.ServiceUrl), options.ServiceUrl, options.AllowInsecureTransport);
        }

        var failures = errors.Result.Failed ? errors.Result.Failures : [];

        // Keys, region, expiry and host rules are the SigV4 kind's own: its validator judges the
        // credential this preset stands for, and its messages are relabelled with this kind's name
        // (its fields have the same names, except Expires).
        var signing = new AwsSignedRequestOptionsValidator().Validate(name, options.Signing());
        var relabelled = signing.Failed
            ? signing.Failures.Select(failure => failure
                .Replace($"({AwsSignedRequestOptions.KindName})", $"({S3BucketOptions.KindName})", StringComparison.Ordinal)
                .Replace("): Expires ", "): PresignedUrlExpiry ", StringComparison.Ordinal))
            : [];

        var all = failures.Concat(relabelled).ToList();
        return all.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(all);
    }
}
