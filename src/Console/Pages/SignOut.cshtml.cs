using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages;

public sealed class SignOutModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        await OperatorSession.SignOutAsync(HttpContext);
        return LocalRedirect("/signin");
    }
}
