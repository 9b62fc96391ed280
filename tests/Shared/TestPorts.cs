using System.Net;
using System.Net.Sockets;

namespace ScanLogin.Tests.Shared;

/// <summary>Loopback ports for the hosts a test starts.</summary>
public static class TestPorts
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listens on now (the system picks it, so parallel tests get different ones).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
