using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.WeChat;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// WeChat's wxa/generate_urllink and wxa/generatescheme as the emulator serves them (WeChat's fields and errcodes) and as
/// the client calls them.
/// </summary>
public sealed class WeChatLinkTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EmulatorHost _emulator = null!;
    private WeChatApiClient _client = null!;
    private string _token = null!;
    private static readonly WeChatLinkRequest Confirm = new("pages/confirm/confirm", "ticket=AbCdEfGhIjKlMnOpQrStUv", "trial", 1);

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync(_time);
        _client = new WeChatApiClient(new HttpClient { BaseAddress = _emulator.BaseAddress });
        _token = (await _client.GetStableAccessTokenAsync(new WeChatAppCredentials(EmulatorHost.AppId, EmulatorHost.AppSecret), false)).Token;
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private async Task<JsonNode> PostAsync(string api, object body, string? token = null)
    {
        var response = await _emulator.Http.PostAsJsonAsync($"wxa/{api}?access_token={Uri.EscapeDataString(token ?? _token)}", body);
        Assert.Equal(200, (int)response.StatusCode); // WeChat answers errors with HTTP 200 too
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static int ErrCode(JsonNode answer) => answer["errcode"]?.GetValue<int>() ?? 0;

    [Fact]
    public async Task A_url_link_opens_the_page_and_query_it_was_made_for_until_it_expires()
    {
        var link = await _client.GenerateUrlLinkAsync(_token, Confirm);
        Assert.StartsWith("https://wxaurl.cn/", link);

        var info = (await PostAsync("query_urllink", new { url_link = link }))["url_link_info"]!;
        Assert.Equal(("pages/confirm/confirm", "ticket=AbCdEfGhIjKlMnOpQrStUv", "trial", EmulatorHost.AppId),
            (info["path"]!.GetValue<string>(), info["query"]!.GetValue<string>(), info["env_version"]!.GetValue<string>(), info["appid"]!.GetValue<string>()));
        Assert.Equal(86400, info["expire_time"]!.GetValue<long>() - info["create_time"]!.GetValue<long>());

        var open = await _emulator.Http.GetAsync($"__emulator/links/open?url={Uri.EscapeDataString(link)}");
        Assert.Equal(200, (int)open.StatusCode);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(410, (int)(await _emulator.Http.GetAsync($"__emulator/links/open?url={Uri.EscapeDataString(link)}")).StatusCode);
    }

    [Fact]
    public async Task A_url_scheme_carries_jump_wxa_and_answers_an_openlink()
    {
        var scheme = await _client.GenerateSchemeAsync(_token, Confirm);
        Assert.StartsWith("weixin://dl/business/?t=", scheme);
        var info = (await PostAsync("queryscheme", new { scheme }))["scheme_info"]!;
        Assert.Equal(("pages/confirm/confirm", "ticket=AbCdEfGhIjKlMnOpQrStUv"), (info["path"]!.GetValue<string>(), info["query"]!.GetValue<string>()));
        // A scheme is not a URL Link, and another mini program's token cannot read it.
        Assert.Equal(40097, ErrCode(await PostAsync("query_urllink", new { url_link = scheme })));
    }

    [Fact]
    public async Task Expire_time_must_be_between_a_minute_and_30_days_and_expire_interval_1_to_30_days()
    {
        var now = _time.GetUtcNow();
        Assert.Equal(85401, ErrCode(await PostAsync("generate_urllink", new { path = "pages/confirm/confirm", expire_type = 0, expire_time = now.AddSeconds(30).ToUnixTimeSeconds() })));
        Assert.Equal(85401, ErrCode(await PostAsync("generate_urllink", new { path = "pages/confirm/confirm", expire_type = 0, expire_time = now.AddDays(31).ToUnixTimeSeconds() })));
        var timed = await PostAsync("generate_urllink", new { path = "pages/confirm/confirm", expire_type = 0, expire_time = now.AddHours(1).ToUnixTimeSeconds() });
        Assert.Equal(0, ErrCode(timed));
        Assert.StartsWith("https://wxaurl.cn/", timed["url_link"]!.GetValue<string>());
        Assert.Equal(85402, ErrCode(await PostAsync("generate_urllink", new { expire_type = 1, expire_interval = 31 })));
        Assert.Equal(85402, ErrCode(await PostAsync("generatescheme", new { jump_wxa = new { path = "pages/confirm/confirm" }, expire_type = 1, expire_interval = 0 })));
        // is_expire: false is ignored, as WeChat now does: every link expires.
        Assert.Equal(0, ErrCode(await PostAsync("generate_urllink", new { is_expire = false, expire_type = 1, expire_interval = 30 })));
    }

    [Fact]
    public async Task Bad_paths_queries_and_tokens_get_wechats_errcodes()
    {
        Assert.Equal(40165, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GenerateUrlLinkAsync(_token, Confirm with { Path = "/pages/confirm/confirm" }))).ErrCode);
        Assert.Equal(40165, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GenerateSchemeAsync(_token, Confirm with { Path = "pages/confirm/confirm?ticket=1" }))).ErrCode);
        Assert.Equal(40212, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GenerateUrlLinkAsync(_token, Confirm with { Query = "ticket=a b" }))).ErrCode);
        Assert.Equal(40212, ErrCode(await PostAsync("generate_urllink", new { query = new string('a', 1025), expire_type = 1, expire_interval = 1 })));
        Assert.Equal(40097, ErrCode(await PostAsync("generate_urllink", new { env_version = "beta", expire_type = 1, expire_interval = 1 })));
        Assert.Equal(40001, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GenerateUrlLinkAsync("not-a-token", Confirm))).ErrCode);
        Assert.Equal(40001, ErrCode(await PostAsync("generatescheme", new { expire_type = 1, expire_interval = 1 }, token: "not-a-token")));
    }

    [Fact]
    public async Task More_than_100_links_a_second_answer_44990_and_the_daily_quota_answers_45009()
    {
        for (var i = 0; i < 100; i++) await _client.GenerateUrlLinkAsync(_token, Confirm);
        Assert.Equal(44990, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GenerateSchemeAsync(_token, Confirm))).ErrCode);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _client.GenerateSchemeAsync(_token, Confirm);

        await _emulator.FaultAsync("generate_urllink", 45009);
        Assert.Equal(45009, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GenerateUrlLinkAsync(_token, Confirm))).ErrCode);
        Assert.Equal(FailureCodes.WeChatRateLimited, WeChatFailures.From(new WeChatApiException(45009, "quota")).Code);
        Assert.Equal(FailureCodes.WeChatRateLimited, WeChatFailures.From(new WeChatApiException(44990, "too fast")).Code);
    }
}
