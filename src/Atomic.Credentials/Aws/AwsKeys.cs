namespace Atomic.Credentials.Aws;

/// <summary>One read of the credentials a signature is made with. Never logged, never printed.</summary>
internal readonly struct AwsKeys(string accessKeyId, string secretAccessKey, string? sessionToken)
{
    public string AccessKeyId { get; } = accessKeyId;

    public string SecretAccessKey { get; } = secretAccessKey;

    public string? SessionToken { get; } = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;

    public override string ToString() => $"AwsKeys({AccessKeyId}, secret hidden)";
}
