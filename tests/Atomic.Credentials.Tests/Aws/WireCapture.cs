using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// A loopback socket that takes one request at a time as raw bytes, the way a verifier receives it,
/// and answers 200. Its client connects every host name to it (an IDN host, an IPv6 literal with a
/// zone, any port), so HttpClient writes the Host line it would write for that URL.
/// </summary>
internal sealed class WireCapture : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);

    public WireCapture()
    {
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
    }

    public HttpClient Client { get; }

    /// <summary>Sends <paramref name="request"/> and returns it as the socket received it.</summary>
    public async Task<WireRequest> SendAsync(HttpRequestMessage request)
    {
        var accepting = listener.AcceptTcpClientAsync();
        var sending = Client.SendAsync(request);
        using var connection = await accepting;
        var stream = connection.GetStream();
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int end;
        while ((end = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(buffer);
            Assert.That(read, Is.GreaterThan(0), "the connection closed before the header block ended");
            received.Write(buffer, 0, read);
        }

        var head = Encoding.Latin1.GetString(received.GetBuffer(), 0, end);
        var wire = WireRequest.Parse(head);
        var body = await ReadBodyAsync(stream, received, end + 4, buffer, wire);
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var response = await sending;
        return wire with { Body = body };
    }

    private static async Task<byte[]> ReadBodyAsync(NetworkStream stream, MemoryStream received, int start, byte[] buffer, WireRequest wire)
    {
        var chunked = wire.Value("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        var length = wire.Value("content-length") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        while (chunked ? IndexOf(received, "\r\n0\r\n\r\n"u8) < 0 && IndexOf(received, "\r\n\r\n0\r\n\r\n"u8) < 0 : received.Length - start < length)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        // A chunked body is only drained: the tests that send one look at its headers.
        return chunked ? [] : received.GetBuffer().AsSpan(start, length).ToArray();
    }

    private static int IndexOf(MemoryStream stream, ReadOnlySpan<byte> value) =>
        stream.GetBuffer().AsSpan(0, (int)stream.Length).IndexOf(value);

    public void Dispose()
    {
        Client.Dispose();
        listener.Stop();
        listener.Dispose();
    }
}

/// <summary>One request as a server received it: the request line, the header lines in order, the body.</summary>
internal sealed record WireRequest(string Method, string Target, string Head, IReadOnlyList<KeyValuePair<string, string>> Lines)
{
    public byte[] Body { get; init; } = [];

    public string Path => Target.Split('?', 2)[0];

    public string Query => Target.Contains('?', StringComparison.Ordinal) ? Target.Split('?', 2)[1] : string.Empty;

    public static WireRequest Parse(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                // obs-fold: the line continues the one before it, the line break read as a space.
                headers[^1] = new(headers[^1].Key, headers[^1].Value + " " + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        return new WireRequest(parts[0], parts[1], head, headers);
    }

    /// <summary>A header's lines joined by ',' as a server combines them, or null when it was not sent.</summary>
    public string? Value(string name)
    {
        var values = Lines.Where(l => l.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(l => l.Value.Trim(' ', '\t')).ToList();
        return values.Count == 0 ? null : string.Join(",", values);
    }

    /// <summary>
    /// The canonical header block SigV4 makes of the received headers named: "name:value\n" each, the value
    /// trimmed and its runs of whitespace collapsed to one space, as the spec asks of a verifier.
    /// </summary>
    public string CanonicalHeaders(IEnumerable<string> signedNames) =>
        string.Concat(signedNames.Select(name => name + ":" + (Value(name) is { } value ? Collapse(value) : "<not sent>") + "\n"));

    public static string Collapse(string value) =>
        string.Join(' ', value.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
