using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atomic.Credentials.AotSample;

/// <summary>
/// The APIs and token endpoints the credentials are sent to, on 127.0.0.1: a real socket, so the
/// published binary's own HTTP stack carries every request.
/// </summary>
internal sealed class LoopbackApi : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly ConcurrentDictionary<string, Func<HttpListenerRequest, string, Reply>> routes = new(StringComparer.Ordinal);
    private readonly Task serving;

    private LoopbackApi(HttpListener listener, Uri baseAddress)
    {
        this.listener = listener;
        BaseAddress = baseAddress;
        serving = ServeAsync();
    }

    public Uri BaseAddress { get; }

    public static LoopbackApi Start()
    {
        // HttpListener cannot listen on port 0: take a free port from the system, then listen on it.
        for (var attempt = 1; ; attempt++)
        {
            var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(baseAddress.AbsoluteUri);
            try
            {
                listener.Start();
                return new LoopbackApi(listener, baseAddress);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // another process took the port in between: try another
            }
        }
    }

    /// <summary>Answers requests to <paramref name="path"/>; the handler gets the request and its body.</summary>
    public void Map(string path, Func<HttpListenerRequest, string, Reply> handler) => routes[path] = handler;

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        await serving;
        listener.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = reader.ReadToEnd();
        var reply = routes.TryGetValue(context.Request.Url!.AbsolutePath, out var handler)
            ? handler(context.Request, body)
            : new Reply(HttpStatusCode.NotFound, "text/plain", "no such route");

        var bytes = Encoding.UTF8.GetBytes(reply.Body);
        context.Response.StatusCode = (int)reply.Status;
        context.Response.ContentType = reply.ContentType;
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }
}

/// <summary>What the stand-in answers.</summary>
internal sealed record Reply(HttpStatusCode Status, string ContentType, string Body);
