using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Admin;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Branding of the hosted page: what a value may be, how an application falls back to its pool, and what reaches the page.</summary>
public sealed class BrandingTests
{
    private static ApplicationSettings App(Branding? branding, string? logoUrl = null) =>
        new("app-1", "pool-1", "Shop", logoUrl, [], [], Branding: branding);

    private static UserPoolSettings Pool(Branding? branding) => new("pool-1", "Pool", Branding: branding);

    [Theory]
    [InlineData("#abc", true)]
    [InlineData("#AABBCC", true)]
    [InlineData("#07a35a", true)]
    [InlineData("abc", false)]
    [InlineData("#abcd", false)]
    [InlineData("#abcdef0", false)]
    [InlineData("#12345g", false)]
    [InlineData("red", false)]
    [InlineData("#fff;}body{display:none", false)]
    [InlineData("#fff !important", false)]
    [InlineData("var(--x)", false)]
    [InlineData("rgb(0,0,0)", false)]
    [InlineData("#fff\n", false)]
    [InlineData("", false)]
    public void A_colour_is_only_hash_rgb_or_hash_rrggbb(string value, bool valid) => Assert.Equal(valid, BrandingRules.IsColor(value));

    [Theory]
    [InlineData("https://cdn.example.com/logo.png", true)]
    [InlineData("https://cdn.example.com/logo.png?size=96&v=2", true)]
    [InlineData("http://cdn.example.com/logo.png", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("data:image/png;base64,AAAA", false)]
    [InlineData("https://user:pass@cdn.example.com/logo.png", false)]
    [InlineData("https://cdn.example.com/a logo.png", false)]
    [InlineData("https://cdn.example.com/a.png 2x, https://evil.example/b.png", false)]
    [InlineData("https://cdn.example.com/a.png\");}body{x:url(\"", false)]
    [InlineData("/relative/logo.png", false)]
    public void A_logo_url_is_an_absolute_https_url_that_cannot_break_out_of_an_attribute_or_srcset(string value, bool valid) =>
        Assert.Equal(valid, BrandingRules.IsLogoUrl(value));

    [Fact]
    public void Title_and_notice_are_short_single_line_plain_text()
    {
        Assert.True(BrandingRules.IsTitle(new string('a', BrandingRules.MaxTitleLength)));
        Assert.False(BrandingRules.IsTitle(new string('a', BrandingRules.MaxTitleLength + 1)));
        Assert.True(BrandingRules.IsNotice(new string('n', BrandingRules.MaxNoticeLength)));
        Assert.False(BrandingRules.IsNotice(new string('n', BrandingRules.MaxNoticeLength + 1)));
        Assert.False(BrandingRules.IsTitle("   "));
        Assert.False(BrandingRules.IsNotice("line one\nline two"));
        Assert.False(BrandingRules.IsNotice("bell\u0007"));
        Assert.True(BrandingRules.IsNotice("<b>markup is fine: it is shown as text</b>"));
    }

    [Fact]
    public void Admin_validation_names_each_wrong_branding_field()
    {
        var validation = new AdminValidation();
        validation.Branding("branding", new BrandingRequest(new string('t', 61), "ok",
            new BrandingThemeRequest("red", "#fff", "http://x.example/logo.png"), new BrandingThemeRequest("#000", "#12", null)));
        Assert.Equal(["branding.dark.backgroundColor", "branding.light.logoUrl", "branding.light.primaryColor", "branding.title"],
            validation.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Nothing_branded_leaves_the_page_exactly_as_before()
    {
        Assert.Null(LoginBranding.Resolve(App(null), Pool(null)));
        Assert.Null(LoginBranding.Resolve(App(null, "https://shop.example/logo.png"), Pool(null), "https://shop.example/logo.png"));
        Assert.Null(LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme(PrimaryColor: "not-a-colour"))), Pool(null)));
    }

    [Fact]
    public void Each_field_falls_back_from_the_application_to_the_pool()
    {
        var pool = Pool(new Branding("Pool title", "Pool notice", new BrandingTheme("#111111", "#222222", "https://pool.example/light.png")));
        var app = App(new Branding(Notice: "App notice", Light: new BrandingTheme(PrimaryColor: "#ABC")));

        var b = LoginBranding.Resolve(app, pool)!;

        Assert.Equal("Pool title", b.Title);
        Assert.Equal("App notice", b.Notice);
        Assert.Equal("#abc", b.Light.PrimaryColor);
        Assert.Equal("#222222", b.Light.BackgroundColor);
        Assert.Equal("https://pool.example/light.png", b.Light.LogoSrc);
    }

    [Fact]
    public void A_dark_value_falls_back_to_the_same_owners_light_value_before_the_pools()
    {
        var pool = Pool(new Branding(Light: new BrandingTheme("#111111", "#eeeeee"), Dark: new BrandingTheme("#999999", "#000000")));
        var app = App(new Branding(Light: new BrandingTheme(PrimaryColor: "#ff0000"), Dark: new BrandingTheme(BackgroundColor: "#101010")));

        var b = LoginBranding.Resolve(app, pool)!;

        Assert.Equal(new LoginTheme("#ff0000", "#eeeeee", null), b.Light);
        // The application's red stays red in dark mode; the background it gave for dark wins; nothing of the pool's dark is needed.
        Assert.Equal(new LoginTheme("#ff0000", "#101010", null), b.Dark);

        var onlyPool = LoginBranding.Resolve(App(null), pool)!;
        Assert.Equal(new LoginTheme("#999999", "#000000", null), onlyPool.Dark);
    }

    [Fact]
    public void Logos_fall_back_from_the_application_branding_to_its_own_logo_then_to_the_pool_and_uploads_win_over_urls()
    {
        var pool = Pool(new Branding(Light: new BrandingTheme(LogoUrl: "https://pool.example/l.png"), Dark: new BrandingTheme(LogoHash: "AAAAAAAAAAAAAAAA")));
        var own = LoginBranding.Resolve(App(new Branding(Title: "T"), "https://shop.example/own.png"), pool, "https://shop.example/own.png")!;
        Assert.Equal("https://shop.example/own.png", own.Light.LogoSrc);
        Assert.Equal("https://shop.example/own.png", own.Dark.LogoSrc);

        var poolOnly = LoginBranding.Resolve(App(new Branding(Title: "T")), pool)!;
        Assert.Equal("https://pool.example/l.png", poolOnly.Light.LogoSrc);
        Assert.Equal("/oidc/pool-1/branding/logo/AAAAAAAAAAAAAAAA.png", poolOnly.Dark.LogoSrc);
        // The picture's img is the light logo; the browser swaps in the dark source by prefers-color-scheme.
        Assert.Equal("<picture><source media=\"(prefers-color-scheme: dark)\" srcset=\"/oidc/pool-1/branding/logo/AAAAAAAAAAAAAAAA.png\">"
            + "<img class=\"app-logo\" id=\"app-logo\" src=\"https://pool.example/l.png\" alt=\"\" width=\"48\" height=\"48\"></picture>", poolOnly.LogoHtml());

        // A pool with only a light logo shows it in dark mode too.
        var poolLight = LoginBranding.Resolve(App(new Branding(Title: "T")), Pool(new Branding(Light: new BrandingTheme(LogoUrl: "https://pool.example/l.png"))))!;
        Assert.Equal("https://pool.example/l.png", poolLight.Dark.LogoSrc);

        var uploaded = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme(LogoUrl: "https://cdn.example/x.png", LogoHash: "BBBBBBBBBBBBBBBB"))), pool)!;
        Assert.Equal("/oidc/pool-1/branding/app-1/logo/BBBBBBBBBBBBBBBB.png", uploaded.Light.LogoSrc);
        Assert.Equal(uploaded.Light.LogoSrc, uploaded.Dark.LogoSrc);
        Assert.DoesNotContain("<picture>", uploaded.LogoHtml());
    }

    [Fact]
    public void A_stored_value_that_breaks_the_rules_is_dropped_not_rendered()
    {
        // Stored past the admin API (seeding, an older rule): the page never shows it.
        var app = App(new Branding("<script>x</script>" + new string('a', 80), "fine",
            new BrandingTheme("#fff;}body{background:url(https://evil.example)}", "#123456", "javascript:alert(1)", "../../etc")));
        var b = LoginBranding.Resolve(app, Pool(null))!;
        Assert.Null(b.Title);
        Assert.Null(b.Light.PrimaryColor);
        Assert.Null(b.Light.LogoSrc);
        var css = b.Css();
        Assert.DoesNotContain("evil", css);
        Assert.Contains("--brand-background: #123456;", css);
        Assert.DoesNotContain("--brand-primary:", css);
    }

    [Fact]
    public void The_stylesheet_holds_custom_properties_for_light_and_under_prefers_color_scheme_dark()
    {
        var b = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme("#FFEE00", "#fafafa"), Dark: new BrandingTheme("#0b5fff", "#0d1117"))), Pool(null))!;
        var css = b.Css();
        var dark = css.IndexOf("@media (prefers-color-scheme: dark)", StringComparison.Ordinal);
        Assert.True(dark > 0, css);
        Assert.InRange(css.IndexOf("--brand-primary: #ffee00;", StringComparison.Ordinal), 0, dark);
        Assert.True(css.IndexOf("--brand-primary: #0b5fff;", StringComparison.Ordinal) > dark, css);
        Assert.True(css.IndexOf("--brand-background: #0d1117;", StringComparison.Ordinal) > dark, css);
        // Text on a light primary is dark, on a dark primary white.
        Assert.Contains("--brand-on-primary: #1f2328;", css[..dark]);
        Assert.Contains("--brand-on-primary: #ffffff;", css[dark..]);
        Assert.DoesNotContain("url(", css);
        Assert.DoesNotContain("@import", css);
    }

    [Theory]
    [InlineData("#fff", true)]
    [InlineData("#000", false)]
    [InlineData("#ffffff", true)]
    [InlineData("#0a0a0a", false)]
    [InlineData("#777777", false)]
    [InlineData("#7f7f7f", true)]
    [InlineData("#ff0000", true)]
    [InlineData("#00f", false)]
    [InlineData("#0f0", true)]
    [InlineData("#f0f", true)]
    [InlineData("#0ff", true)]
    [InlineData("#07a35a", true)]
    // Just under 0.20 with its red channel on sRGB's linear segment (c <= 0.03928: c / 12.92); the curve there would lift it over.
    [InlineData("#0076fc", false)]
    // The nearest 8-bit colour to 0.20 (0.19999999...): no colour reaches 0.20 exactly.
    [InlineData("#e9227f", false)]
    public void Text_on_a_colour_is_dark_when_the_colour_is_lighter_than_a_relative_luminance_of_0_20(string color, bool light) =>
        Assert.Equal(light, LoginBranding.IsLight(color));

    [Fact]
    public void A_title_a_notice_or_one_dark_colour_alone_brands_the_page()
    {
        var title = LoginBranding.Resolve(App(new Branding(Title: "  Shop  ")), Pool(null))!;
        Assert.Equal("Shop", title.Title);
        Assert.Equal("", title.LogoHtml());
        Assert.Equal("", title.NoticeHtml());
        var notice = LoginBranding.Resolve(App(new Branding(Notice: " Use the company WeChat ")), Pool(null))!;
        Assert.Equal("Use the company WeChat", notice.Notice);
        Assert.Null(notice.Title);
        var dark = LoginBranding.Resolve(App(null), Pool(new Branding(Dark: new BrandingTheme(BackgroundColor: "#000000"))))!;
        Assert.Equal(new LoginTheme(null, null, null), dark.Light);
        Assert.Equal(new LoginTheme(null, "#000000", null), dark.Dark);
        var darkLogo = LoginBranding.Resolve(App(null), Pool(new Branding(Dark: new BrandingTheme(LogoUrl: "https://pool.example/d.png"))))!;
        Assert.Equal("https://pool.example/d.png", darkLogo.Dark.LogoSrc);
        Assert.Null(darkLogo.Light.LogoSrc);
        // Only a dark logo: light mode shows it too rather than no logo.
        Assert.Contains("<img class=\"app-logo\" id=\"app-logo\" src=\"https://pool.example/d.png\" alt=\"\" width=\"48\" height=\"48\">", darkLogo.LogoHtml());
    }

    [Fact]
    public void The_applications_own_logo_with_a_colour_or_a_pool_logo_for_dark_still_brands_the_page()
    {
        const string own = "https://shop.example/own.png";
        var colour = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme(PrimaryColor: "#123456")), own), Pool(null), own)!;
        Assert.Equal(own, colour.Light.LogoSrc);
        Assert.Equal("#123456", colour.Dark.PrimaryColor);
        var darkColour = LoginBranding.Resolve(App(null, own), Pool(new Branding(Dark: new BrandingTheme(PrimaryColor: "#123456"))), own)!;
        Assert.Equal("#123456", darkColour.Dark.PrimaryColor);
        Assert.Null(darkColour.Light.PrimaryColor);
        // The application's dark logo wins over its own logo URL, which wins over the pool's dark logo.
        var appDark = LoginBranding.Resolve(App(new Branding(Dark: new BrandingTheme(LogoUrl: "https://shop.example/dark.png")), own),
            Pool(new Branding(Dark: new BrandingTheme(LogoUrl: "https://pool.example/d.png"))), own)!;
        Assert.Equal(own, appDark.Light.LogoSrc);
        Assert.Equal("https://shop.example/dark.png", appDark.Dark.LogoSrc);
        var poolDark = LoginBranding.Resolve(App(new Branding(Title: "T")), Pool(new Branding(Dark: new BrandingTheme(LogoUrl: "https://pool.example/d.png"))))!;
        Assert.Equal("https://pool.example/d.png", poolDark.Dark.LogoSrc);
    }

    [Fact]
    public void A_logo_source_is_the_uploaded_logos_path_of_its_owner_else_a_checked_url_else_none()
    {
        Assert.Equal("/oidc/pool-1/branding/logo/AAAAAAAAAAAAAAAA.png", LoginBranding.LogoSrc(new BrandingTheme(LogoHash: "AAAAAAAAAAAAAAAA"), "pool-1", null));
        Assert.Equal("/oidc/pool-1/branding/app-1/logo/AAAAAAAAAAAAAAAA.png", LoginBranding.LogoSrc(new BrandingTheme(LogoHash: "AAAAAAAAAAAAAAAA"), "pool-1", "app-1"));
        Assert.Equal("https://cdn.example/l.png", LoginBranding.LogoSrc(new BrandingTheme(LogoUrl: "https://cdn.example/l.png", LogoHash: "../x"), "pool-1", "app-1"));
        Assert.Null(LoginBranding.LogoSrc(new BrandingTheme(LogoUrl: "http://cdn.example/l.png"), "pool-1", null));
        Assert.Null(LoginBranding.LogoSrc(null, "pool-1", null));
    }

    [Fact]
    public void The_stylesheet_version_is_16_characters_of_the_contents_hash_and_title_and_notice_change_it()
    {
        var one = LoginBranding.Resolve(App(new Branding(Title: "A")), Pool(null))!;
        Assert.Equal(16, one.Version.Length);
        Assert.EndsWith("?v=" + one.Version, one.StylesheetUrl);
        Assert.NotEqual(one.Version, LoginBranding.Resolve(App(new Branding(Title: "B")), Pool(null))!.Version);
        Assert.NotEqual(one.Version, LoginBranding.Resolve(App(new Branding(Title: "A", Notice: "N")), Pool(null))!.Version);
    }

    [Theory]
    [InlineData("pending", "pending", "Open WeChat and scan the code to sign in.", false)]
    [InlineData("scanned", "scanned", "Scanned. Confirm the login on your phone.", false)]
    [InlineData("expired", "expired", "This code has expired.", true)]
    [InlineData("other", "pending", "Open WeChat and scan the code to sign in.", false)]
    public void The_preview_shows_the_card_in_the_state_asked_for_and_any_other_as_pending(string state, string shown, string status, bool expired)
    {
        var html = BrandingPreviewPage.Render(LoginText.En, "Shop", null, null, state);
        Assert.Contains($"data-state=\"{shown}\"", html);
        Assert.Contains($"<p id=\"status\" class=\"status\">{status}</p>", html);
        Assert.Contains(expired ? "height=\"240\" alt=\"\" class=\"faded\">" : "height=\"240\" alt=\"\">", html);
        Assert.Contains(expired ? "<div class=\"veil\" id=\"veil\"><button" : "<div class=\"veil\" id=\"veil\" hidden><button", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void The_preview_without_branding_shows_the_applications_own_title_and_logo_and_with_branding_its_title_stylesheet_logo_and_notice()
    {
        var plain = BrandingPreviewPage.Render(LoginText.En, "Shop <1>", "https://shop.example/own.png", null, "pending");
        Assert.Contains("<title>Sign in to Shop &lt;1&gt;</title>", plain);
        Assert.Contains("<img class=\"app-logo\" src=\"https://shop.example/own.png\"", plain);
        Assert.DoesNotContain("/branding/", plain);
        Assert.DoesNotContain("app-logo", BrandingPreviewPage.Render(LoginText.En, "Shop", null, null, "pending"));

        var b = LoginBranding.Resolve(App(new Branding("Branded", "A notice", new BrandingTheme("#123456", LogoUrl: "https://cdn.example/b.png"))), Pool(null))!;
        var branded = BrandingPreviewPage.Render(LoginText.En, "Shop", "https://shop.example/own.png", b, "pending");
        Assert.Contains("<h1 id=\"title\">Branded</h1>", branded);
        Assert.Contains($"<link rel=\"stylesheet\" href=\"{b.StylesheetUrl}\">", branded);
        Assert.Contains("src=\"https://cdn.example/b.png\"", branded);
        Assert.DoesNotContain("own.png", branded);
        Assert.Contains("<p class=\"notice\" id=\"notice\">A notice</p>", branded);
    }

    [Fact]
    public void The_stylesheet_is_exactly_the_light_properties_the_dark_ones_under_prefers_color_scheme_and_the_rules_that_use_them()
    {
        var b = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme("#FFEE00", "#fafafa"), Dark: new BrandingTheme("#0b5fff", "#0d1117"))), Pool(null))!;
        Assert.Equal("""
            /* ScanLogin: the hosted login's branding, generated from checked colours only. */
            :root {
              --brand-primary: #ffee00;
              --brand-on-primary: #1f2328;
              --brand-background: #fafafa;
            }
            @media (prefers-color-scheme: dark) {
              :root {
                --brand-primary: #0b5fff;
                --brand-on-primary: #ffffff;
                --brand-background: #0d1117;
              }
            }
            :root { --accent: var(--brand-primary, #07a35a); }
            body { background: var(--brand-background, #f3f5f7); }
            button, .same-phone .button { background: var(--accent); color: var(--brand-on-primary, #fff); }
            #login[data-state="scanned"] .qr img, #login[data-state="confirmed"] .qr img { border-color: var(--accent); }
            .notice { margin: 12px 0 0; padding: 8px 12px; border-left: 4px solid var(--accent); border-radius: 4px; background: #f6f8fa;
              color: var(--ink); text-align: left; font-size: .9rem; overflow-wrap: anywhere; }

            """, b.Css());
    }

    [Fact]
    public void A_background_colour_alone_brands_the_page()
    {
        Assert.False(new LoginTheme(null, "#fafafa", null).IsEmpty);
        var b = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme(BackgroundColor: "#FAFAFA"))), Pool(null))!;
        Assert.Equal(new LoginTheme(null, "#fafafa", null), b.Light);
        Assert.Equal(new LoginTheme(null, "#fafafa", null), b.Dark);
    }

    [Fact]
    public void The_unbranded_preview_without_a_logo_is_exactly_the_plain_card()
    {
        // Whole, so nothing stray (an empty logo, stylesheet link or attribute) can slip into the plain card.
        Assert.Equal("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>Sign in to Shop</title>
            <link rel="stylesheet" href="/oidc/assets/login.css">

            </head>
            <body>
            <main class="card" id="login" data-state="pending" aria-labelledby="title">
              <header class="app">
                
                <h1 id="title">Sign in to Shop</h1>
                <p class="source">with WeChat</p>
              </header>
              
              <div class="qr" id="qr-box">
                <img id="qr" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Crect width='10' height='10' fill='%23d0d7de'/%3E%3C/svg%3E" width="240" height="240" alt="">
                <div class="veil" id="veil" hidden><button id="refresh" type="button" disabled>Get a new code</button></div>
              </div>
              <p id="status" class="status">Open WeChat and scan the code to sign in.</p>
              <nav class="links"><a href="?state=pending">pending</a> <a href="?state=scanned">scanned</a> <a href="?state=expired">expired</a></nav>
            </main>
            </body>
            </html>
            """, BrandingPreviewPage.Render(LoginText.En, "Shop", null, null, "pending"));
    }

    [Fact]
    public void The_stylesheet_url_names_its_content_so_a_change_makes_a_new_url()
    {
        var one = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme("#111111"))), Pool(null))!;
        var same = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme("#111111"))), Pool(null))!;
        var other = LoginBranding.Resolve(App(new Branding(Light: new BrandingTheme("#111112"))), Pool(null))!;
        Assert.Equal(one.StylesheetUrl, same.StylesheetUrl);
        Assert.NotEqual(one.StylesheetUrl, other.StylesheetUrl);
        Assert.StartsWith("/oidc/pool-1/branding/app-1.css?v=", one.StylesheetUrl);
    }

    [Fact]
    public void The_page_shows_title_and_notice_encoded_links_the_stylesheet_and_adds_no_inline_style_or_script()
    {
        var b = LoginBranding.Resolve(App(new Branding("Shop <Login>", "Use the \"company\" WeChat & <b>scan</b>", new BrandingTheme("#123456"))), Pool(null))!;
        var html = LoginPages.Login(LoginText.En, new LoginPageModel("/oidc/pool-1/login/r", "Shop", null, "WeChat", "t1", "sse", Branding: b));
        Assert.Contains("<title>Shop &lt;Login&gt;</title>", html);
        Assert.Contains("<h1 id=\"title\">Shop &lt;Login&gt;</h1>", html);
        Assert.Contains("<p class=\"notice\" id=\"notice\">Use the &quot;company&quot; WeChat &amp; &lt;b&gt;scan&lt;/b&gt;</p>", html);
        Assert.Contains($"<link rel=\"stylesheet\" href=\"{b.StylesheetUrl}\">", html);
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("<style", html);
        Assert.Equal(2, html.Split("<script").Length - 1); // the page's own: login.js and its JSON data, as before

        var plain = LoginPages.Login(LoginText.En, new LoginPageModel("/oidc/pool-1/login/r", "Shop", null, "WeChat", "t1", "sse"));
        Assert.DoesNotContain("branding", plain);
        Assert.Contains("<h1 id=\"title\">Sign in to Shop</h1>", plain);
    }

    [Fact]
    public void Admin_requests_keep_uploaded_logos_when_the_rest_of_the_branding_is_replaced()
    {
        var stored = new Branding("Old", null, new BrandingTheme("#111111", LogoHash: "CCCCCCCCCCCCCCCC"));
        var replaced = BrandingRequest.ToBranding(new BrandingRequest(Notice: "New", Light: new BrandingThemeRequest(BackgroundColor: "#FFF")), stored)!;
        Assert.Equal(new Branding(null, "New", new BrandingTheme(null, "#fff", null, "CCCCCCCCCCCCCCCC")), replaced);
        Assert.Null(BrandingRequest.ToBranding(new BrandingRequest(), null));
        Assert.Equal(new BrandingRequest("Old", null, new BrandingThemeRequest("#111111")), BrandingRequest.From(stored));
    }

    [Fact]
    public void Records_stored_before_branding_existed_read_with_no_branding()
    {
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(BrandingTests).Assembly)).BuildServiceProvider()
            .GetRequiredService<Serializer>();
        var oldApp = serializer.SerializeToArray(new ApplicationSettingsBeforeBranding("app-1", "pool-1", "Shop", "https://shop.example/l.png",
            ["https://shop.example"], ["https://shop.example/cb"], true, true));
        var app = serializer.Deserialize<ApplicationSettings>(oldApp)!;
        Assert.Equal(("app-1", "pool-1", "Shop", "https://shop.example/l.png", true, true),
            (app.AppId, app.PoolId, app.Name, app.LogoUrl, app.AuthingBrowserExchange, app.HostedLoginSameAddress));
        Assert.Equal(["https://shop.example"], app.AllowedOrigins);
        Assert.Equal(["https://shop.example/cb"], app.CallbackUrls);
        Assert.Null(app.Branding);

        var pool = serializer.Deserialize<UserPoolSettings>(serializer.SerializeToArray(new UserPoolSettingsBeforeBranding("pool-1", "Pool", true, 600)))!;
        Assert.Equal(new UserPoolSettings("pool-1", "Pool", true, 600), pool);
        Assert.Null(pool.Branding);

        // And a branded record survives the trip whole.
        var branded = App(new Branding("T", "N", new BrandingTheme("#111", "#222", "https://x.example/l.png", "DDDDDDDDDDDDDDDD"), new BrandingTheme("#333")));
        Assert.Equal(branded.Branding, serializer.Deserialize<ApplicationSettings>(serializer.SerializeToArray(branded))!.Branding);
    }
}

/// <summary>ApplicationSettings as stored before branding existed (fields 0 to 7).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UnitTests.ApplicationSettingsBeforeBranding")]
public sealed record ApplicationSettingsBeforeBranding(
    [property: Id(0)] string AppId,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? LogoUrl,
    [property: Id(4)] string[] AllowedOrigins,
    [property: Id(5)] string[] CallbackUrls,
    [property: Id(6)] bool AuthingBrowserExchange,
    [property: Id(7)] bool HostedLoginSameAddress);

/// <summary>UserPoolSettings as stored before branding existed (fields 0 to 3).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UnitTests.UserPoolSettingsBeforeBranding")]
public sealed record UserPoolSettingsBeforeBranding(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string Name,
    [property: Id(2)] bool BrowserExchangeDisabled,
    [property: Id(3)] int TokenLifetimeSeconds);
