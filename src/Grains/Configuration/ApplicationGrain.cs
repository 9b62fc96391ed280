namespace ScanLogin.Grains.Configuration;

/// <summary>One application. Holds its secret only as a hash.</summary>
public sealed class ApplicationGrain(
    [PersistentState("application", StorageNames.Configuration)] IPersistentState<ApplicationState> state) : Grain, IApplicationGrain
{
    private const string SecretPurpose = "app-secret";

    Task<ApplicationSettings?> IApplicationGrain.GetAsync() => Task.FromResult(state.State.Settings);

    async Task IApplicationGrain.SaveAsync(ApplicationSettings settings, string? appSecret)
    {
        var secretHash = appSecret is null ? state.State.SecretHash : Secrets.Hash(SecretPurpose, appSecret);
        if (secretHash is null) throw new ArgumentException("A new application needs a secret.", nameof(appSecret));
        state.State = new ApplicationState { Settings = settings with { AppId = this.GetPrimaryKeyString() }, SecretHash = secretHash };
        await state.WriteStateAsync();
    }

    Task<bool> IApplicationGrain.VerifySecretAsync(string appSecret) =>
        Task.FromResult(state.State.SecretHash is { } hash && Secrets.FixedTimeEquals(hash, Secrets.Hash(SecretPurpose, appSecret)));
}

[GenerateSerializer, Alias("ScanLogin.ApplicationState")]
public sealed class ApplicationState
{
    [Id(0)] public ApplicationSettings? Settings { get; set; }
    [Id(1)] public string? SecretHash { get; set; }
}
