using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.WeChat;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The WeChat client against the emulator, over HTTP: the same paths, fields and errcodes as WeChat.</summary>
public sealed class WeChatApiClientTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EmulatorHost _emulator = null!;
    private WeChatApiClient _client = null!;
    private static readonly WeChatAppCredentials App = new(EmulatorHost.AppId, EmulatorHost.AppSecret);

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync(_time);
        _client = new WeChatApiClient(new HttpClient { BaseAddress = _emulator.BaseAddress });
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Code2session_returns_the_user_with_and_without_unionid()
    {
        var plain = await _emulator.CreateUserAsync();
        var session = await _client.Code2SessionAsync(App, await _emulator.LoginCodeAsync(plain));
        Assert.Equal(plain, session.OpenId);
        Assert.Null(session.UnionId);
        Assert.NotEmpty(session.SessionKey);
        Assert.DoesNotContain(session.SessionKey, session.ToString());

        var bound = await _emulator.CreateUserAsync(unionId: "union-1");
        Assert.Equal("union-1", (await _client.Code2SessionAsync(App, await _emulator.LoginCodeAsync(bound))).UnionId);
    }

    [Fact]
    public async Task A_code_works_once_then_40163_and_unknown_codes_are_40029()
    {
        var code = await _emulator.LoginCodeAsync(await _emulator.CreateUserAsync());
        await _client.Code2SessionAsync(App, code);
        Assert.Equal(40163, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.Code2SessionAsync(App, code))).ErrCode);
        Assert.Equal(40029, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.Code2SessionAsync(App, "no-such-code"))).ErrCode);
    }

    [Fact]
    public async Task A_code_expires_after_five_minutes()
    {
        var code = await _emulator.LoginCodeAsync(await _emulator.CreateUserAsync());
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(40029, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.Code2SessionAsync(App, code))).ErrCode);
    }

    [Fact]
    public async Task More_than_100_calls_a_minute_for_one_user_are_rate_limited_until_the_minute_passes()
    {
        var user = await _emulator.CreateUserAsync();
        for (var i = 0; i < 100; i++) await _client.Code2SessionAsync(App, await _emulator.LoginCodeAsync(user));
        var limited = await Assert.ThrowsAsync<WeChatApiException>(async () => await _client.Code2SessionAsync(App, await _emulator.LoginCodeAsync(user)));
        Assert.Equal(45011, limited.ErrCode);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _client.Code2SessionAsync(App, await _emulator.LoginCodeAsync(user));
    }

    [Fact]
    public async Task Wrong_secret_is_40125_and_unknown_appid_is_40013()
    {
        var code = await _emulator.LoginCodeAsync(await _emulator.CreateUserAsync());
        Assert.Equal(40125, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.Code2SessionAsync(App with { AppSecret = "wrong" }, code))).ErrCode);
        Assert.Equal(40013, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GetStableAccessTokenAsync(new("wx-unknown", "s"), false))).ErrCode);
    }

    [Fact]
    public async Task Stable_token_is_stable_and_a_forced_refresh_invalidates_the_old_one()
    {
        var first = await _client.GetStableAccessTokenAsync(App, false);
        Assert.Equal(first.Token, (await _client.GetStableAccessTokenAsync(App, false)).Token);
        Assert.True(first.Token.Length >= 64);

        var forced = await _client.GetStableAccessTokenAsync(App, true);
        Assert.NotEqual(first.Token, forced.Token);
        var user = await _emulator.CreateUserAsync();
        var stale = await Assert.ThrowsAsync<WeChatApiException>(async () =>
            await _client.GetUserPhoneNumberAsync(first.Token, await _emulator.PhoneCodeAsync(user), null));
        Assert.Equal(40001, stale.ErrCode);
    }

    [Fact]
    public async Task Phone_number_carries_the_watermark_appid_and_its_code_works_once()
    {
        var token = (await _client.GetStableAccessTokenAsync(App, false)).Token;
        var user = await _emulator.CreateUserAsync(phone: "13912345678");
        var code = await _emulator.PhoneCodeAsync(user);
        var info = await _client.GetUserPhoneNumberAsync(token, code, user);
        Assert.Equal("13912345678", info.PurePhoneNumber);
        Assert.Equal("86", info.CountryCode);
        Assert.Equal(EmulatorHost.AppId, info.WatermarkAppId);
        Assert.Equal(40163, (await Assert.ThrowsAsync<WeChatApiException>(() => _client.GetUserPhoneNumberAsync(token, code, user))).ErrCode);
    }

    [Fact]
    public async Task Mini_program_code_is_a_png_and_a_bad_scene_is_40097()
    {
        var token = (await _client.GetStableAccessTokenAsync(App, false)).Token;
        var image = await _client.GetUnlimitedCodeAsync(token, new WeChatCodeRequest("abc-123", null, 430, "release", true));
        Assert.Equal("image/png", image.ContentType);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, image.Bytes[..4]);
        var bad = await Assert.ThrowsAsync<WeChatApiException>(() =>
            _client.GetUnlimitedCodeAsync(token, new WeChatCodeRequest(new string('a', 33), null, 430, "release", true)));
        Assert.Equal(40097, bad.ErrCode);
    }

    [Fact]
    public void Credentials_never_print_the_secret()
    {
        Assert.DoesNotContain(EmulatorHost.AppSecret, App.ToString());
    }
}
