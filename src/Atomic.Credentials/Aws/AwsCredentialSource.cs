using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Atomic.Credentials.Aws;

/// <summary>
/// Where a signature's keys come from: the options' own keys, or AWS's default chain through
/// AWSSDK.Core. Chain credentials are asked for at every signature (AWSSDK.Core refreshes them
/// ahead of expiry), never captured once.
/// </summary>
internal sealed class AwsCredentialSource
{
    private readonly AwsKeys explicitKeys;
    private readonly Func<CancellationToken, Task<AWSCredentials>>? resolve;
    private readonly Lock gate = new();
    private Task<AWSCredentials>? resolved;

    private AwsCredentialSource(AwsKeys keys) => explicitKeys = keys;

    private AwsCredentialSource(Func<CancellationToken, Task<AWSCredentials>> resolve) => this.resolve = resolve;

    public bool IsDefaultChain => resolve is not null;

    public static AwsCredentialSource For(AwsSignedRequestOptions options) =>
        string.IsNullOrEmpty(options.AccessKeyId)
            ? new AwsCredentialSource(static _ => DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync())
            : new AwsCredentialSource(new AwsKeys(options.AccessKeyId, options.SecretAccessKey ?? string.Empty, options.SessionToken));

    /// <summary>The options' own keys, at hand without an async step; false when they come from the default chain.</summary>
    public bool TryGetExplicit(out AwsKeys keys)
    {
        keys = explicitKeys;
        return resolve is null;
    }

    public ValueTask<AwsKeys> GetAsync(CancellationToken cancellationToken) =>
        resolve is null ? ValueTask.FromResult(explicitKeys) : ReadChainAsync(cancellationToken);

    private async ValueTask<AwsKeys> ReadChainAsync(CancellationToken cancellationToken)
    {
        var credentials = await Resolved(cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        var current = await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (current is null || string.IsNullOrEmpty(current.AccessKey) || string.IsNullOrEmpty(current.SecretKey))
        {
            throw new InvalidOperationException("AWS's default credential chain returned no access key.");
        }

        return new AwsKeys(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
    }

    // Which provider the chain picks is decided once; a failure is not kept, so the next signature tries again.
    private Task<AWSCredentials> Resolved(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (resolved is null || resolved.IsFaulted || resolved.IsCanceled)
            {
                resolved = Task.Run(() => resolve!(CancellationToken.None), cancellationToken);
            }

            return resolved;
        }
    }
}
