using ScanLogin.Grains.Access;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests.Access;

/// <summary>The access policy's rules (<see cref="AccessPolicy"/>, <see cref="RequestOrigins"/>), one test per rule, without a cluster.</summary>
public sealed class AccessPolicyTests
{
    private const string Site = "https://shop.example";
    private static readonly ApplicationSettings App = new("app", "pool", "Shop", "https://shop.example/logo.png", [Site], ["https://shop.example/cb"]);

    private static IdentitySourceSettings Source(string identifier = "wechat", bool enabled = true, string[]? apps = null, bool privateDeployment = false,
        string? logoHash = null) =>
        new("pool", identifier, "WeChat", null, enabled, privateDeployment, null, LoginMode.LoginAndRegister, AccountAssociation.Off,
            IdentitySourceSettings.DefaultTicketLifetime, apps ?? ["app"], logoHash);

    [Theory]
    [InlineData(Site, true)]
    [InlineData("HTTPS://SHOP.EXAMPLE", true)] // scheme and host are case-insensitive
    [InlineData("https://shop.example:8443", false)]
    [InlineData("https://evil.example", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_origin_is_allowed_only_when_the_list_names_it(string? origin, bool allowed) =>
        Assert.Equal(allowed, RequestOrigins.Allows([Site], origin));

    [Fact]
    public void An_origin_longer_than_any_listed_one_is_never_matched() =>
        Assert.False(RequestOrigins.Allows(["https://" + new string('a', 300)], "https://" + new string('a', 300)));

    [Fact]
    public void No_list_allows_no_origin()
    {
        Assert.False(RequestOrigins.Allows(null, Site));
        Assert.False(RequestOrigins.Allows([], Site));
    }

    [Theory]
    [InlineData(null, false, true)]
    [InlineData("", false, true)]   // an empty Origin header is no origin
    [InlineData(Site, false, false)]
    [InlineData(null, true, false)] // the hosted login's own page
    public void A_caller_without_an_origin_is_a_server_unless_the_hosted_login_opened_the_ticket(string? origin, bool hosted, bool server) =>
        Assert.Equal(server, RequestOrigins.IsServer(origin, hosted));

    [Fact]
    public void A_browser_must_be_on_one_of_the_applications_origins()
    {
        Assert.Null(AccessPolicy.CheckOrigin(App, Site));
        Assert.Null(AccessPolicy.CheckOrigin(App, null)); // a server: credentials decide instead
        Assert.Equal(FailureCodes.OriginNotAllowed, AccessPolicy.CheckOrigin(App, "https://evil.example")!.Code);
    }

    [Theory]
    [InlineData(null, false, false, true)]  // a server must prove it is the application
    [InlineData(Site, false, false, false)] // a page on an allowed origin need not
    [InlineData(Site, false, true, true)]   // a page that shows credentials must show right ones
    [InlineData(null, true, false, false)]  // the hosted login's page
    public void A_server_or_anyone_showing_credentials_must_prove_it_is_the_application(string? origin, bool hosted, bool shown, bool needed) =>
        Assert.Equal(needed, AccessPolicy.NeedsCredentials(origin, hosted, shown ? new AppCredentials("app", "secret") : null));

    [Fact]
    public void Only_the_applications_own_credentials_name_it()
    {
        Assert.True(AccessPolicy.NameTheApplication(new AppCredentials("app", "secret"), "app"));
        Assert.False(AccessPolicy.NameTheApplication(new AppCredentials("other", "secret"), "app"));
        Assert.False(AccessPolicy.NameTheApplication(null, "app"));
    }

    [Fact]
    public void A_source_must_exist_be_enabled_and_serve_the_application()
    {
        Assert.Null(AccessPolicy.CheckSource(Source(), "wechat", "app"));
        Assert.Equal(FailureCodes.IdentitySourceNotFound, AccessPolicy.CheckSource(null, "wechat", "app")!.Code);
        Assert.Equal(FailureCodes.IdentitySourceDisabled, AccessPolicy.CheckSource(Source(enabled: false), "wechat", "app")!.Code);
        Assert.Equal(FailureCodes.IdentitySourceNotEnabledForApp, AccessPolicy.CheckSource(Source(apps: ["other"]), "wechat", "app")!.Code);
    }

    [Fact]
    public void The_default_source_is_the_applications_one_usable_source()
    {
        var chosen = AccessPolicy.ChooseDefault([Source("off", enabled: false), Source("wechat"), Source("theirs", apps: ["other"]), null], "app");
        Assert.Equal("wechat", chosen.Value);
    }

    [Fact]
    public void Without_a_usable_source_there_is_no_default()
    {
        var none = AccessPolicy.ChooseDefault([Source(enabled: false)], "app");
        Assert.Equal(FailureCodes.IdentitySourceNotFound, none.Failure!.Code);
    }

    [Fact]
    public void Several_usable_sources_are_ambiguous_for_authing()
    {
        var several = AccessPolicy.ChooseDefault([Source("wechat"), Source("second")], "app");
        Assert.Equal(FailureCodes.IdentitySourceAmbiguous, several.Failure!.Code);
        Assert.Contains("second, wechat", several.Failure.Message);
    }

    [Fact]
    public void Of_several_usable_sources_the_hosted_login_takes_the_first_in_the_pools_listing()
    {
        var first = AccessPolicy.ChooseDefault([Source("off", enabled: false), Source("wechat"), Source("second")], "app", firstOfSeveral: true);
        Assert.Equal("wechat", first.Value);
        Assert.Equal(FailureCodes.IdentitySourceNotFound, AccessPolicy.ChooseDefault([Source(enabled: false)], "app", firstOfSeveral: true).Failure!.Code);
    }

    [Theory]
    [InlineData(true, false, true, true)]   // a browser, the pool allows only backends: refused
    [InlineData(true, true, true, false)]   // the hosted login's browser: its token endpoint applies the rule instead
    [InlineData(false, false, true, false)] // the application's backend
    [InlineData(true, false, false, false)] // the pool allows browsers
    public void A_pool_may_refuse_browsers_but_not_the_hosted_login_or_the_backend(bool browser, bool hosted, bool disabled, bool refused) =>
        Assert.Equal(refused, AccessPolicy.RefusesBrowser(browser ? "browser-secret" : null, hosted, new UserPoolSettings("pool", "Pool", disabled)));

    [Fact]
    public void A_pool_that_cannot_be_read_refuses_no_one() => Assert.False(AccessPolicy.RefusesBrowser("browser-secret", false, null));

    [Theory]
    [InlineData(false, true, true)]  // a public client of a pool that keeps exchange on backends
    [InlineData(true, true, false)]  // a client that proved its secret
    [InlineData(false, false, false)] // the pool allows browsers
    public void A_pool_that_keeps_exchange_on_backends_refuses_public_clients_at_the_token_endpoint(bool authenticated, bool disabled, bool refused) =>
        Assert.Equal(refused, AccessPolicy.CheckCodeRedemption(new UserPoolSettings("pool", "Pool", disabled), authenticated) is not null);

    [Fact]
    public void An_authing_browser_exchange_needs_the_applications_opt_in_and_one_of_its_origins()
    {
        var optedIn = App with { AuthingBrowserExchange = true };
        Assert.Null(AccessPolicy.CheckAuthingBrowserExchange(optedIn, "app", Site));
        Assert.Equal(FailureCodes.ExchangeForbidden, AccessPolicy.CheckAuthingBrowserExchange(App, "app", Site)!.Code);
        Assert.Equal(FailureCodes.OriginNotAllowed, AccessPolicy.CheckAuthingBrowserExchange(optedIn, "app", "https://evil.example")!.Code);
        Assert.Equal(FailureCodes.OriginNotAllowed, AccessPolicy.CheckAuthingBrowserExchange(optedIn, "app", "")!.Code);
        Assert.Equal(FailureCodes.ApplicationNotFound, AccessPolicy.CheckAuthingBrowserExchange(null, "app", Site)!.Code);
    }

    [Fact]
    public void A_tickets_terms_are_the_applications_origins_and_the_sources_drawing_at_creation()
    {
        var terms = AccessPolicy.TermsFor(App, Source(privateDeployment: true, logoHash: "logo-1") with { MiniProgramAppId = "wx-own" }, "wx-platform");
        Assert.Equal([Site], terms.AllowedOrigins);
        Assert.Equal(("logo-1", true, "wx-own"), (terms.LogoHash, terms.PrivateDeployment, terms.MiniProgramAppId));
    }

    [Fact]
    public void A_tickets_code_opens_the_sources_own_mini_program_when_privately_deployed_else_the_platforms()
    {
        Assert.Equal("wx-own", AccessPolicy.MiniProgramOf(Source(privateDeployment: true) with { MiniProgramAppId = "wx-own" }, "wx-platform"));
        // An AppID left on a source that is no longer privately deployed is not the one its codes open.
        Assert.Equal("wx-platform", AccessPolicy.MiniProgramOf(Source() with { MiniProgramAppId = "wx-own" }, "wx-platform"));
        Assert.Null(AccessPolicy.MiniProgramOf(Source(), ""));
        Assert.Null(AccessPolicy.MiniProgramOf(null, "wx-platform"));
    }

    [Fact]
    public void A_ticket_of_a_missing_application_or_source_allows_no_origin_and_draws_no_logo()
    {
        var terms = AccessPolicy.TermsFor(null, null, "wx-platform");
        Assert.Empty(terms.AllowedOrigins);
        Assert.Equal((null, false, null), (terms.LogoHash, terms.PrivateDeployment, terms.MiniProgramAppId));
    }

    [Theory]
    [InlineData("https://shop.example/logo.png", true)]
    [InlineData("http://shop.example/logo.png", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("/logo.png", false)]
    [InlineData(null, false)]
    public void The_phone_is_shown_only_an_absolute_http_logo_url(string? logoUrl, bool shown) =>
        Assert.Equal(shown ? logoUrl : null, AccessPolicy.AppLogoUrlOf(App with { LogoUrl = logoUrl }));
}
