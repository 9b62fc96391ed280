using Microsoft.Playwright;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>Drives the emulator's phone simulator page the way a developer would: paste the code's link, create a user, scan, confirm.</summary>
public sealed class PhoneSimulatorPage(IPage page)
{
    public IPage Page => page;

    public static async Task<PhoneSimulatorPage> OpenAsync(IBrowserContext phone, Uri emulator)
    {
        var page = await phone.NewPageAsync();
        await page.GotoAsync(new Uri(emulator, "__emulator/phone").ToString());
        // Apps and then users load one after the other: wait for both, so nothing redraws under the test's clicks.
        await PageTrace.WaitAsync(page, "the phone simulator ready", () =>
            page.Locator("body[data-ready=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached }));
        return new PhoneSimulatorPage(page);
    }

    /// <summary>Creates a new emulator user with this nickname and scans the code with it; answers what the phone shows.</summary>
    public Task<string> ScanAsync(string qrText, string nickname, string phoneNumber) =>
        ScanAsync(() => page.Locator("#ticket").FillAsync(qrText), nickname, phoneNumber);

    /// <summary>As a developer with a screenshot: uploads the picture of the code, which the emulator decodes.</summary>
    public Task<string> ScanPictureAsync(byte[] png, string nickname, string phoneNumber) =>
        ScanAsync(async () =>
        {
            await page.Locator("#qr-file").SetInputFilesAsync(new FilePayload { Name = "qr.png", MimeType = "image/png", Buffer = png });
            await PageTrace.WaitAsync(page, "the simulator saying Read the ticket", () => Assertions.Expect(page.Locator("#result")).ToContainTextAsync("Read the ticket"));
        }, nickname, phoneNumber);

    private async Task<string> ScanAsync(Func<Task> pickCode, string nickname, string phoneNumber)
    {
        await pickCode();
        if (!await page.Locator("#new-user-box").EvaluateAsync<bool>("d => d.open")) await page.Locator("#new-user-box summary").ClickAsync();
        await page.Locator("#new-nickname").FillAsync(nickname);
        await page.Locator("#new-phone").FillAsync(phoneNumber);
        await page.Locator("#create-user").ClickAsync();
        // Not just "#result.ok": reading the code left an ok result already, and scanning before the new user is listed
        // and selected scans as whoever was selected before (a user another test made).
        await PageTrace.WaitAsync(page, $"the simulator saying Created {nickname}.", () => Assertions.Expect(page.Locator("#result")).ToContainTextAsync($"Created {nickname}."));
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan", Exact = true }).ClickAsync();
        await PageTrace.WaitAsync(page, "the simulator's approve screen", () => page.Locator("#approve").WaitForAsync());
        return await page.Locator("#request").InnerTextAsync();
    }

    public async Task ConfirmAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm login" }).ClickAsync();
        await PageTrace.WaitAsync(page, "the simulator saying confirmed", () => Assertions.Expect(page.Locator("#result")).ToContainTextAsync("confirmed"));
    }

    /// <summary>Confirms a login that will wait for binding: answers the code the phone shows for the computer.</summary>
    public async Task<string> ConfirmForBindingAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm login" }).ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("Type this code on your computer to link your WeChat");
        await page.Locator("#binding-box").WaitForAsync();
        return (await page.Locator("#binding-code").InnerTextAsync()).Trim();
    }

    public async Task CancelAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await PageTrace.WaitAsync(page, "the simulator saying cancelled", () => Assertions.Expect(page.Locator("#result")).ToContainTextAsync("cancelled"));
    }
}
