namespace Atomic.Credentials.Internal;

internal static class HeaderNames
{
    public const string Authorization = "Authorization";

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
}
