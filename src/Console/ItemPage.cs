using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole;

/// <summary>
/// A page about one item the admin API holds (a pool, an application, an identity source, a user): after each action
/// the item is read again and the page shown with the API's refusal, or a 404 when the key no longer reaches it.
/// </summary>
public abstract class ItemPage(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    /// <summary>Reads the item and what the page shows with it; false when it is gone or out of the key's reach.</summary>
    protected abstract Task<bool> LoadAsync();

    /// <summary>The page again after an action, answering with the API's status when it refused.</summary>
    protected async Task<IActionResult> ShowAsync(ApiAnswer answer)
    {
        if (!await LoadAsync()) return Missing();
        if (!answer.Ok) Response.StatusCode = answer.Status;
        return Page();
    }

    /// <summary>Deletes the item (with the posted ETag when there is one), then goes to the list that held it.</summary>
    protected async Task<IActionResult> DeleteAsync(string path, string listUrl)
    {
        var deleted = await Admin.DeleteAsync(path, Form("etag"));
        if (Accept(deleted)) return Redirect(listUrl);
        return await ShowAsync(deleted);
    }
}
