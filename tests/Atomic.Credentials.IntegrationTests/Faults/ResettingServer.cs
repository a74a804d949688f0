using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atomic.Credentials.IntegrationTests.Faults;

/// <summary>
/// A raw TCP server on 127.0.0.1: while <see cref="Resetting"/>, it reads the request and aborts the
/// connection (linger 0: a TCP RST, what a crashed proxy or a dropped load balancer does); otherwise it
/// answers one HTTP/1.1 token response and closes.
/// </summary>
internal sealed class ResettingServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int connections;

    public ResettingServer()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public volatile bool Resetting = true;

    public Uri TokenUrl => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/token");

    public int Connections => Volatile.Read(ref connections);

    public string Token { get; } = "reset-recovered-" + Guid.NewGuid().ToString("N");

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref connections);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[8192];
            await socket.ReceiveAsync(buffer, stop.Token);
            if (Resetting)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return;
            }

            var body = $$"""{"access_token":"{{Token}}","token_type":"Bearer","expires_in":300}""";
            var response = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
            await socket.SendAsync(Encoding.ASCII.GetBytes(response), stop.Token);
            socket.Shutdown(SocketShutdown.Both);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
