namespace ScanLogin.OperatorConsole.Pages;

/// <summary>What a 404 shows (a page of another pool answers exactly this, as the admin API does).</summary>
public sealed class NotFoundModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public void OnGet() { }
}
