using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages;

public sealed class SignInModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public bool Wrong { get; private set; }

    public bool Expired { get; private set; }

    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        Expired = returnUrl is not null;
    }

    public async Task<IActionResult> OnPostAsync(string? key, string? returnUrl)
    {
        key = key?.Trim();
        if (key is not { Length: > 0 and <= 256 } || !await Admin.AcceptsKeyAsync(key, HttpContext.RequestAborted))
        {
            Wrong = true;
            ReturnUrl = returnUrl;
            Response.StatusCode = 400;
            return Page();
        }
        await OperatorSession.SignInAsync(HttpContext, key);
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }
}
