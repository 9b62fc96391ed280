using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ScanLogin.Grains.Domains;

/// <summary>
/// Asks a domain for a pool's challenge token: GET http://{domain}/.well-known/scanlogin-challenge/{token}, which must answer 200
/// with the token as its body. The URL's only free part is the domain (a checked DNS name); redirects are not followed, the body is
/// read to 1 KiB at most and never returned, and the connection goes only to public addresses (see
/// <see cref="CustomDomainOptions.AllowPrivateAddresses"/>), so a pool's admin cannot use it to reach inside the operator's network.
/// </summary>
public sealed class DomainChallenge(HttpClient http)
{
    private const int MaxBody = 1024;

    /// <summary>Null when the domain served the token; else what went wrong, for the admin.</summary>
    public async Task<string?> FailureOfAsync(string domain, string token)
    {
        var url = $"http://{domain}{CustomDomains.ChallengePath}{token}";
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.OK) return $"{url} answered {(int)response.StatusCode}, not 200.";
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[MaxBody];
            var read = 0;
            while (read < MaxBody && await body.ReadAsync(buffer.AsMemory(read)) is > 0 and var n) read += n;
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read).Trim();
            return Secrets.FixedTimeEquals(text, token) ? null : $"{url} did not answer the challenge token.";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"{url} could not be fetched ({(e is TaskCanceledException ? "timed out" : e.Message)}).";
        }
    }

    public static IServiceCollection AddDomainChallenge(IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.Configure<CustomDomainOptions>(configuration.GetSection(CustomDomainOptions.Section));
        services.AddHttpClient<DomainChallenge>((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<CustomDomainOptions>>().Value.ChallengeTimeout)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<CustomDomainOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    ConnectCallback = (context, cancel) => ConnectAsync(options, context.DnsEndPoint, cancel),
                };
            });
        return services;
    }

    private static async ValueTask<Stream> ConnectAsync(CustomDomainOptions options, DnsEndPoint target, CancellationToken cancel)
    {
        IPEndPoint[] candidates;
        if (FixedAddressOf(options, target.Host) is { } fixedAddress && IPEndPoint.TryParse(fixedAddress, out var endpoint))
        {
            if (endpoint.Port == 0) endpoint.Port = target.Port;
            candidates = [endpoint];
        }
        else
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Host, cancel);
            candidates = addresses.Where(a => options.AllowPrivateAddresses || IsPublic(a)).Select(a => new IPEndPoint(a, target.Port)).ToArray();
            if (candidates.Length == 0) throw new HttpRequestException($"{target.Host} has no public address.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(candidates[0], cancel);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The operator's fixed answer for the name: exact, else the nearest "*.suffix" entry.</summary>
    private static string? FixedAddressOf(CustomDomainOptions options, string host)
    {
        if (options.Resolve.TryGetValue(host, out var exact)) return exact;
        for (var dot = host.IndexOf('.'); dot >= 0; dot = host.IndexOf('.', dot + 1))
            if (options.Resolve.TryGetValue("*" + host[dot..], out var wildcard)) return wildcard;
        return null;
    }

    /// <summary>Not loopback, private (RFC 1918, unique local), link-local, shared (100.64/10) or unspecified.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return false;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast);
        var b = address.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) || b[0] >= 224);
    }
}
