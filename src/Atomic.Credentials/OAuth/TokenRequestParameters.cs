using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// Builds the token request for one options instance: the fixed parameters and client
/// authentication are derived once; each call adds only what must be fresh (a client assertion).
/// A new request scheme (e.g. a JSON body) is one more case in <see cref="Create"/>.
/// </summary>
internal sealed class TokenRequestParameters
{
    private static readonly HashSet<string> Owned = new(StringComparer.Ordinal)
    {
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
    };

    private readonly OAuthRequestScheme scheme;
    private readonly KeyValuePair<string, string>[] parameters;
    private readonly string? basicAuthorization;
    private readonly ClientAssertion? assertion;

    public TokenRequestParameters(OAuthClientCredentialsOptions options, TimeProvider timeProvider)
    {
        Endpoint = new Uri(options.IdentityUrl, UriKind.Absolute);
        scheme = options.RequestScheme;
        var list = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        switch (options.ClientAuthentication)
        {
            case OAuthClientAuthentication.BasicHeader:
                // RFC 6749 §2.3.1: each part form-encoded, then joined by ':' and base64-encoded.
                basicAuthorization = HeaderNames.BasicPrefix + Convert.ToBase64String(
                    Encoding.UTF8.GetBytes(FormEncode(options.ClientId) + ":" + FormEncode(options.ClientSecret!)));
                break;
            case OAuthClientAuthentication.PrivateKeyJwt:
                list.Add(new("client_id", options.ClientId));
                assertion = ClientAssertion.Create(options, Endpoint, timeProvider);
                break;
            default:
                list.Add(new("client_id", options.ClientId));
                list.Add(new("client_secret", options.ClientSecret!));
                break;
        }

        if (!string.IsNullOrEmpty(options.Scope))
        {
            list.Add(new("scope", options.Scope));
        }

        list.AddRange(options.AdditionalParameters.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        parameters = [.. list];
    }

    /// <summary>The token endpoint as configured, with its own query.</summary>
    public Uri Endpoint { get; }

    /// <summary>Every parameter sent, as <c>name=value</c>, for the cache key (which hashes them).</summary>
    public IEnumerable<string> Identity => parameters.Select(pair => pair.Key + "=" + pair.Value);

    /// <summary>The signing key's public thumbprint for <c>PrivateKeyJwt</c>, else null.</summary>
    public string? KeyThumbprint => assertion?.KeyThumbprint;

    /// <summary>Whether the credential sends <paramref name="name"/> itself, so an additional parameter may not.</summary>
    public static bool IsSetByCredential(string name, OAuthClientCredentialsOptions options) =>
        Owned.Contains(name) || (name == "scope" && !string.IsNullOrEmpty(options.Scope));

    public HttpRequestMessage Create()
    {
        IReadOnlyList<KeyValuePair<string, string>> sent = assertion is null
            ? parameters
            : [.. parameters, new("client_assertion_type", ClientAssertion.AssertionType), new("client_assertion", assertion.Next())];

        var request = scheme switch
        {
            OAuthRequestScheme.Query => new HttpRequestMessage(HttpMethod.Get, MergeQuery(Endpoint, sent)),
            OAuthRequestScheme.JsonBody => new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = JsonBody(sent) },
            _ => new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new FormUrlEncodedContent(sent) },
        };

        request.Headers.Accept.ParseAdd("application/json");
        if (basicAuthorization is not null)
        {
            request.Headers.TryAddWithoutValidation(HeaderNames.Authorization, basicAuthorization);
        }

        return request;
    }

    /// <summary>
    /// The endpoint's own query with <paramref name="sent"/> appended; a same-named parameter of the
    /// endpoint is dropped, so the credential's value wins and no parameter is sent twice.
    /// </summary>
    internal static Uri MergeQuery(Uri endpoint, IReadOnlyList<KeyValuePair<string, string>> sent)
    {
        var names = new HashSet<string>(sent.Select(pair => pair.Key), StringComparer.Ordinal);
        var query = new StringBuilder();
        foreach (var part in endpoint.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.Split('=', 2)[0];
            if (!names.Contains(Uri.UnescapeDataString(name.Replace('+', ' '))))
            {
                query.Append(query.Length == 0 ? "" : "&").Append(part);
            }
        }

        foreach (var (name, value) in sent)
        {
            query.Append(query.Length == 0 ? "" : "&")
                .Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return new UriBuilder(endpoint) { Query = query.ToString() }.Uri;
    }

    /// <summary>The parameters as one flat JSON object of strings, in the order they are sent.</summary>
    internal static ByteArrayContent JsonBody(IReadOnlyList<KeyValuePair<string, string>> sent)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in sent)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    // application/x-www-form-urlencoded as FormUrlEncodedContent writes it: space as '+'.
    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);
}
