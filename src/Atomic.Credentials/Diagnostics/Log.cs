using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Diagnostics;

/// <summary>
/// Every log line the library writes. Arguments are names, kinds, hosts and reasons: never material.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Credential '{CredentialName}' ({Kind}) refused a request to {Host}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string credentialName, string kind, string host, string reason);

    [LoggerMessage(2, LogLevel.Trace, "Credential '{CredentialName}' ({Kind}) applied to {Method} {Host}")]
    public static partial void CredentialApplied(ILogger logger, string credentialName, string kind, HttpMethod method, string host);

    [LoggerMessage(3, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) followed a redirect from {FromHost} to {ToHost} without the credential")]
    public static partial void RedirectWithoutCredential(ILogger logger, string credentialName, string kind, string fromHost, string toHost);

    [LoggerMessage(4, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) was rejected with {StatusCode}; retrying once with new material")]
    public static partial void RetryingAfterRejection(ILogger logger, string credentialName, string kind, int statusCode);

    [LoggerMessage(5, LogLevel.Trace, "Credential cache hit for {CacheKey}")]
    public static partial void CacheHit(ILogger logger, string cacheKey);

    [LoggerMessage(6, LogLevel.Debug, "Credential cache miss for {CacheKey}")]
    public static partial void CacheMiss(ILogger logger, string cacheKey);

    [LoggerMessage(7, LogLevel.Debug, "Credential cache refreshing {CacheKey} ahead of expiry")]
    public static partial void CacheRefreshing(ILogger logger, string cacheKey);

    [LoggerMessage(8, LogLevel.Warning, "Credential cache could not refresh {CacheKey}; the current entry is served until {ExpiresAt:O}")]
    public static partial void CacheRefreshFailed(ILogger logger, string cacheKey, DateTimeOffset expiresAt, Exception exception);

    [LoggerMessage(9, LogLevel.Debug, "Credential cache could not create {CacheKey}; nothing was cached")]
    public static partial void CacheCreateFailed(ILogger logger, string cacheKey, Exception exception);

    [LoggerMessage(10, LogLevel.Debug, "Credential cache evicted {CacheKey} after the server rejected it")]
    public static partial void CacheEvicted(ILogger logger, string cacheKey);

    [LoggerMessage(11, LogLevel.Warning, "Credential '{CredentialName}' ({Kind}) could not turn off automatic redirects of its inner handler; its requests are refused until the handler chain is fixed")]
    public static partial void RedirectsNotControlled(ILogger logger, string credentialName, string kind);

    // Key-pair JWTs: 300-399.
    [LoggerMessage(300, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) signed a new {Algorithm} JWT valid until {ExpiresAt:O}")]
    public static partial void JwtSigned(ILogger logger, string credentialName, string kind, string algorithm, DateTimeOffset expiresAt);

    [LoggerMessage(301, LogLevel.Error, "Credential '{CredentialName}' ({Kind}) could not sign a JWT: {Reason}")]
    public static partial void JwtSigningFailed(ILogger logger, string credentialName, string kind, string reason);
    // AWS signed requests: 500-599.
    [LoggerMessage(500, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) signs with AWS's default credential chain for {Service} in {Region}")]
    public static partial void AwsDefaultChain(ILogger logger, string credentialName, string kind, string service, string region);

    [LoggerMessage(501, LogLevel.Warning, "Credential '{CredentialName}' ({Kind}) could not read AWS credentials; the request was not sent")]
    public static partial void AwsCredentialsUnavailable(ILogger logger, string credentialName, string kind, Exception exception);

    [LoggerMessage(502, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) hashes the body of {Method} {Host}: UNSIGNED-PAYLOAD is used over https only")]
    public static partial void AwsUnsignedPayloadOverHttp(ILogger logger, string credentialName, string kind, HttpMethod method, string host);

    [LoggerMessage(503, LogLevel.Warning, "Credential '{CredentialName}' ({Kind}) refused {Method} {Host}: its body cannot be rewound, so it cannot be hashed for the signature")]
    public static partial void AwsBodyNotSeekable(ILogger logger, string credentialName, string kind, HttpMethod method, string host);
    // 600-699: the distributed credential cache.
    [LoggerMessage(600, LogLevel.Warning, "Distributed credential cache: {Operation} for {CacheKey} failed ({Reason}); requests use this process's entries and the identity provider, and the shared cache is tried again in {RetryAfter}")]
    public static partial void DistributedCacheUnavailable(ILogger logger, string operation, string cacheKey, string reason, TimeSpan retryAfter, Exception? exception);

    [LoggerMessage(601, LogLevel.Debug, "Distributed credential cache: {Operation} for {CacheKey} failed again ({Reason})")]
    public static partial void DistributedCacheStillUnavailable(ILogger logger, string operation, string cacheKey, string reason, Exception? exception);

    [LoggerMessage(602, LogLevel.Information, "Distributed credential cache is reachable again; entries are shared")]
    public static partial void DistributedCacheRecovered(ILogger logger);

    [LoggerMessage(603, LogLevel.Trace, "Distributed credential cache {Result} for {CacheKey}")]
    public static partial void DistributedCacheLookup(ILogger logger, string result, string cacheKey);

    [LoggerMessage(604, LogLevel.Warning, "Distributed credential cache: the entry for {CacheKey} could not be read (wrong protector keys or an unknown format); it is treated as a miss")]
    public static partial void DistributedCacheUnreadable(ILogger logger, string cacheKey, Exception? exception);

    [LoggerMessage(605, LogLevel.Warning, "Distributed credential cache could not renew {CacheKey}; the shared entry is served until {ExpiresAt:O}")]
    public static partial void DistributedCacheRenewFailed(ILogger logger, string cacheKey, DateTimeOffset expiresAt, Exception exception);

    [LoggerMessage(606, LogLevel.Debug, "Distributed credential cache election for {CacheKey}: {Result}")]
    public static partial void DistributedCacheElection(ILogger logger, string cacheKey, string result);

    // OAuth client credentials: 400-499.
    [LoggerMessage(400, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) requesting a token from {Host} ({RequestScheme}, {ClientAuthentication})")]
    public static partial void TokenRequesting(ILogger logger, string credentialName, string kind, string host, OAuthRequestScheme requestScheme, OAuthClientAuthentication clientAuthentication);

    [LoggerMessage(401, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) received a token; replaced from {ReplaceAt:O}, served at most until {ExpiresAt:O}")]
    public static partial void TokenReceived(ILogger logger, string credentialName, string kind, DateTimeOffset replaceAt, DateTimeOffset expiresAt);

    [LoggerMessage(402, LogLevel.Warning, "Credential '{CredentialName}' ({Kind}) token request to {Host} failed (status {StatusCode}, error {Error})")]
    public static partial void TokenRequestFailed(ILogger logger, string credentialName, string kind, string host, int? statusCode, string? error);

    [LoggerMessage(403, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) token was rejected by {Host}; evicted")]
    public static partial void TokenRejected(ILogger logger, string credentialName, string kind, string host);

    [LoggerMessage(404, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) token request to {Host} not sent: paused until {PausedUntil:O}")]
    public static partial void TokenRequestPaused(ILogger logger, string credentialName, string kind, string host, DateTimeOffset pausedUntil);

    [LoggerMessage(405, LogLevel.Debug, "Credential '{CredentialName}' ({Kind}) was asked by {Host} for a DPoP nonce; retrying once with it")]
    public static partial void DpopNonceRequested(ILogger logger, string credentialName, string kind, string host);

    // The credential store: 700-799.
    [LoggerMessage(700, LogLevel.Information, "Saved credential '{CredentialName}' ({Kind}) saved as version {Version}")]
    public static partial void CredentialSaved(ILogger logger, string credentialName, string kind, long version);

    [LoggerMessage(701, LogLevel.Information, "Saved credential '{CredentialName}' deleted")]
    public static partial void CredentialDeleted(ILogger logger, string credentialName);

    [LoggerMessage(702, LogLevel.Warning, "Saved credential '{CredentialName}' ({Kind}) was refused at use: {Reason}")]
    public static partial void SavedCredentialRefused(ILogger logger, string credentialName, string kind, string reason);

    [LoggerMessage(703, LogLevel.Warning, "Credential storage {Storage} could not check for changes; watchers are told that anything may have changed, and it tries again")]
    public static partial void StorageWatchFailed(ILogger logger, string storage, Exception exception);
}
