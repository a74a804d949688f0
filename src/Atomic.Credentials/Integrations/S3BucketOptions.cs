namespace Atomic.Credentials;

/// <summary>
/// An S3 bucket (<c>Type: "S3Bucket"</c>): requests are signed with SigV4 for <c>s3</c> in
/// <see cref="Region"/>, and a client attached to this credential without a base address of its own
/// gets the bucket's: <c>https://&lt;bucket&gt;.s3.&lt;region&gt;.amazonaws.com/</c> (virtual-hosted
/// style), or <c>&lt;ServiceUrl&gt;/&lt;bucket&gt;/</c> (path style) for a custom endpoint.
/// <see cref="S3BucketClient"/> adds put, get, list, delete and presigned downloads on top.
/// </summary>
/// <remarks>
/// Unless <see cref="CredentialOptions.AllowedHosts"/> says otherwise, the credential is sent to the
/// bucket's host only.
/// </remarks>
public sealed class S3BucketOptions : CredentialOptions
{
    internal const string KindName = "S3Bucket";

    /// <summary>The bucket's name. Required.</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>The bucket's region, e.g. <c>eu-west-1</c>. Required.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>The access key id; leave it, the secret and the session token out to use AWS's default credential chain.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key; required with <see cref="AccessKeyId"/>.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>The session token of temporary (STS) credentials.</summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// A custom endpoint (an S3-compatible server, a local stand-in), e.g. <c>http://127.0.0.1:4568</c>;
    /// the bucket is then addressed path style. AWS's own endpoint when left out.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>
    /// Addresses the bucket path style (<c>https://s3.&lt;region&gt;.amazonaws.com/&lt;bucket&gt;/</c>) on AWS:
    /// for bucket names with dots, which https cannot reach virtual-hosted.
    /// </summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>
    /// <see cref="AwsPayloadSigning.Unsigned"/> sends <c>UNSIGNED-PAYLOAD</c> over https, so an upload is
    /// read once instead of twice (hashed, then sent). Default <see cref="AwsPayloadSigning.Signed"/>.
    /// </summary>
    public AwsPayloadSigning PayloadSigning { get; set; } = AwsPayloadSigning.Signed;

    /// <summary>
    /// <see cref="AwsSigningAlgorithm.SigV4a"/> signs for every region of <see cref="RegionSet"/> (a Multi-Region
    /// Access Point, addressed through <see cref="ServiceUrl"/>). Default <see cref="AwsSigningAlgorithm.SigV4"/>.
    /// </summary>
    public AwsSigningAlgorithm SigningAlgorithm { get; set; } = AwsSigningAlgorithm.SigV4;

    /// <summary>With SigV4a, the regions the signature is valid in (<c>["*"]</c> for all). Required with SigV4a.</summary>
    public IList<string> RegionSet { get; set; } = [];

    /// <summary>How long presigned download URLs work by default; at most 7 days. Default 15 minutes.</summary>
    public TimeSpan PresignedUrlExpiry { get; set; } = TimeSpan.FromMinutes(15);

    internal override string Kind => KindName;

    /// <summary>The bucket's address, ending in '/': object keys are relative to it.</summary>
    internal Uri BaseAddress
    {
        get
        {
            var bucket = Uri.EscapeDataString(BucketName);
            if (!string.IsNullOrEmpty(ServiceUrl))
            {
                return new Uri(ServiceUrl.TrimEnd('/') + "/" + bucket + "/");
            }

            return ForcePathStyle
                ? new Uri($"https://s3.{Region}.amazonaws.com/{bucket}/")
                : new Uri($"https://{bucket}.s3.{Region}.amazonaws.com/");
        }
    }

    /// <summary>The SigV4 credential this preset stands for.</summary>
    internal AwsSignedRequestOptions ToAws()
    {
        var options = Signing();
        options.AllowedHosts = AllowedHosts is { Count: > 0 } ? AllowedHosts : [BaseAddress.IdnHost];
        return options;
    }

    /// <summary>The SigV4 fields alone, hosts as configured (what validation judges).</summary>
    internal AwsSignedRequestOptions Signing() => new()
    {
        Service = "s3",
        Region = Region,
        AccessKeyId = AccessKeyId,
        SecretAccessKey = SecretAccessKey,
        SessionToken = SessionToken,
        PayloadSigning = PayloadSigning,
        SigningAlgorithm = SigningAlgorithm,
        RegionSet = RegionSet,
        Expires = PresignedUrlExpiry,
        AllowedHosts = AllowedHosts,
        AllowInsecureTransport = AllowInsecureTransport,
    };
}
