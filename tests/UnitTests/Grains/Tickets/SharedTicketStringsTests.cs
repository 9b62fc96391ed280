using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Tickets loaded into a silo share the strings every ticket of an application repeats.</summary>
public sealed class SharedTicketStringsTests
{
    [Fact]
    public void Two_tickets_read_from_the_store_share_their_repeated_strings_and_keep_their_own()
    {
        TicketState Read(string id) => new()
        {
            // new string(...): distinct copies, as two reads from the store produce.
            TicketId = id, PoolId = new string("pool-shared".AsSpan()), AppId = new string("app-shared".AsSpan()),
            AppName = new string("Shared App".AsSpan()), IdentitySource = new string("wechat".AsSpan()),
            IdentitySourceName = new string("WeChat".AsSpan()),
            Requester = new Requester(new string("10.1.2.3".AsSpan()), new string("Mozilla/5.0 test".AsSpan()), new string("https://shared.example".AsSpan())),
            BrowserSecretHash = id + "-hash",
        };
        var (a, b) = (SharedTicketStrings.Shared(Read("ticket-a")), SharedTicketStrings.Shared(Read("ticket-b")));

        Assert.Same(a.PoolId, b.PoolId);
        Assert.Same(a.AppId, b.AppId);
        Assert.Same(a.AppName, b.AppName);
        Assert.Same(a.IdentitySource, b.IdentitySource);
        Assert.Same(a.IdentitySourceName, b.IdentitySourceName);
        Assert.Same(a.Requester.IpAddress, b.Requester.IpAddress);
        Assert.Same(a.Requester.UserAgent, b.Requester.UserAgent);
        Assert.Same(a.Requester.Origin, b.Requester.Origin);
        // Values are untouched, and what is the ticket's own stays its own.
        Assert.Equal(("pool-shared", "https://shared.example", "ticket-a", "ticket-b-hash"), (a.PoolId, a.Requester.Origin, a.TicketId, b.BrowserSecretHash));
        Assert.Null(SharedTicketStrings.Share(null));
    }
}
