namespace Atomic.Credentials.Internal;

internal static class HeaderNames
{
    public const string Authorization = "Authorization";

    /// <summary>What a Basic credential's <c>Authorization</c> value starts with (RFC 7617): the scheme and its space.</summary>
    public const string BasicPrefix = "Basic ";

    /// <summary>
    /// Puts <paramref name="value"/> on the request as its only <paramref name="name"/> header. Most
    /// requests carry no header yet: then there is nothing to replace and no lookup to pay for.
    /// </summary>
    public static void Set(HttpRequestMessage request, string name, string value)
    {
        var headers = request.Headers;
        if (headers.NonValidated.Count > 0)
        {
            headers.Remove(name);
        }

        headers.TryAddWithoutValidation(name, value);
    }

    /// <summary>
    /// Puts each of <paramref name="pairs"/> on the request as its only header of that name; as
    /// <see cref="Set(HttpRequestMessage, string, string)"/>, nothing is looked up on a request that
    /// had no header before.
    /// </summary>
    public static void Set(HttpRequestMessage request, KeyValuePair<string, string>[] pairs)
    {
        var headers = request.Headers;
        var replace = headers.NonValidated.Count > 0;
        foreach (var (name, value) in pairs)
        {
            if (replace)
            {
                headers.Remove(name);
            }

            headers.TryAddWithoutValidation(name, value);
        }
    }
}
