using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// A record prints all its members by default, so a record that carries a secret leaks it into any log line, exception
/// message or debugger string that formats it. This sweep builds every record of the product with a distinct value in each
/// string member and checks that no member holding a secret or personal data shows up in its ToString. What a member
/// holds is read from its name, wherever the record lives and whatever the record is called: secrets and proofs (browser
/// and app secrets; exchange, login, phone and authorization codes; scan, access and ID tokens; passwords and their
/// hashes; keys), phone numbers, and a login's replay guards (OAuth state and nonce, Authing's random and ticket).
/// </summary>
public sealed class SecretPrintingTests
{
    private static readonly Assembly[] Product =
        [typeof(AppCredentials).Assembly, typeof(Grains.Tickets.TicketState).Assembly, typeof(ScanLogin.WebFront.Hosting.FrontEndApp).Assembly];

    // Named like secrets, but not secrets: a failure's stable code, the last WeChat error code, a phone's country code.
    // On the phone side Authing's "random" is the ticket id its QR code shows (the PC side's random is a secret).
    private static readonly HashSet<string> NotSecrets = ["Failure.Code", "LimitRefusal.Code", "WeChatHealth.LastErrorCode", "WeChatPhoneInfo.CountryCode", "PhoneInfo.CountryCode",
        "AuthingPhoneRequest.Random", "AuthingPhoneResult.Random", "AuthingScanResult.Random"];

    // Secrets whose names say nothing: a created API key's value.
    private static readonly HashSet<string> AlsoSecrets = ["CreatedApiKey.Value"];

    private static readonly string[] SecretSuffixes =
        ["Secret", "Password", "PasswordHash", "Token", "Code", "CodeVerifier", "Key", "Phone", "PhoneNumber", "Nonce", "State", "Random"];

    // Whole names: Authing's "ticket" is the browser-exchange proof (a TicketId is only an id).
    private static readonly string[] SecretNames = ["Ticket"];

    private static bool IsSecret(Type type, PropertyInfo member)
    {
        var name = $"{type.Name}.{member.Name}";
        return member.PropertyType == typeof(string) && !NotSecrets.Contains(name)
            && (AlsoSecrets.Contains(name) || SecretNames.Contains(member.Name)
                || SecretSuffixes.Any(s => member.Name.EndsWith(s, StringComparison.Ordinal)));
    }

    public static TheoryData<string> RecordsWithSecrets()
    {
        var data = new TheoryData<string>();
        foreach (var type in Records().Where(t => Members(t).Any(m => IsSecret(t, m))).OrderBy(t => t.FullName))
            data.Add(type.FullName!);
        return data;
    }

    [Theory]
    [MemberData(nameof(RecordsWithSecrets))]
    public void A_record_prints_without_its_secrets(string typeName)
    {
        var type = Records().Single(t => t.FullName == typeName);
        var value = Build(type, 0)!;
        var printed = value.ToString()!;
        Assert.StartsWith(type.Name + " {", printed); // still says what it is in a log line
        foreach (var member in Members(type).Where(m => IsSecret(type, m)))
        {
            var secret = (string?)member.GetValue(value);
            Assert.False(string.IsNullOrEmpty(secret), $"{type.Name}.{member.Name} was not filled in");
            Assert.False(printed.Contains(secret, StringComparison.Ordinal), $"{type.Name} prints its {member.Name}: {printed}");
        }
    }

    [Fact]
    public void The_sweep_sees_the_records_that_carry_secrets_and_their_other_members_still_print()
    {
        var checkedMembers = Records().SelectMany(t => Members(t).Where(m => IsSecret(t, m)).Select(m => $"{t.Name}.{m.Name}")).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "AppCredentials.AppSecret", "ExchangeRequest.ExchangeCode", "ExchangeRequest.BrowserSecret", "ScanRequest.LoginCode",
            "ConfirmRequest.ScanToken", "ConfirmRequest.PhoneCode", "ScanView.ScanToken", "TicketSnapshot.ExchangeCode",
            "TicketState.ExchangeCode", "IdentitySourceRuntime.MiniProgramAppSecret", "NewAccount.Password", "IssuedTokens.AccessToken",
            "CreatedApplication.AppSecret", "CreatedApiKey.Value", "CodeRedemption.Code", "CodeRedemption.CodeVerifier",
            "TicketCreated.BrowserSecret", "BindExistingRequest.Password", "ExchangeResponse.IdToken", "UserRequest.PasswordHash",
            "TicketState.BindingCode", "TicketSnapshot.BindingCode", "BindExistingRequest.BindingCode", "BindNewRequest.BindingCode",
            // Found by what they hold, not by the record's name (issue 19).
            "AuthingQrStatus.Random", "AuthingQrStatus.Ticket", "AuthingUserInfoRequest.Ticket", "AuthingGeneResult.Random",
            "WeChatPhoneInfo.PhoneNumber", "WeChatPhoneInfo.PurePhoneNumber", "AuthorizationRequest.State", "AuthorizationRequest.Nonce",
            "AuthorizationCompletion.State",
        }, checkedMembers);

        // The filled-in values do reach ToString where nothing hides them: the sweep would see a leak.
        var request = (ExchangeRequest)Build(typeof(ExchangeRequest), 0)!;
        Assert.Contains(request.App!.AppId, request.ToString());
        var scan = (ScanRequest)Build(typeof(ScanRequest), 0)!;
        Assert.Contains(scan.Nickname!, scan.ToString());
    }

    [Fact]
    public void Ticket_requests_print_which_proofs_they_carry_but_not_the_proofs()
    {
        Assert.Equal("ExchangeRequest { Browser = True, App = , HostedLogin = False }",
            new ExchangeRequest("t.code", "browser-secret", null, "key").ToString());
        Assert.Equal("ExchangeRequest { Browser = False, App = app-42, HostedLogin = True }",
            new ExchangeRequest("t.code", null, new AppCredentials("app-42", "app-secret"), null, HostedLogin: true).ToString());
        Assert.Equal("ConfirmRequest { PhoneShared = True }", new ConfirmRequest("scan-token", "phone-code").ToString());
        Assert.Equal("ConfirmRequest { PhoneShared = False }", new ConfirmRequest("scan-token", null).ToString());
    }

    private static IEnumerable<Type> Records() => Product.SelectMany(a => a.GetTypes()).Where(t =>
        t.Namespace?.StartsWith("ScanLogin.", StringComparison.Ordinal) == true && !t.IsGenericTypeDefinition && !t.IsAbstract && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null
        && t.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(StringBuilder)]) is { } print
        && print.DeclaringType == t);

    private static IEnumerable<PropertyInfo> Members(Type type) =>
        type.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");

    /// <summary>A value of the type with a distinct string in every string member, nested records built the same way.</summary>
    private static object? Build(Type type, int depth)
    {
        if (type == typeof(string)) return "v" + Guid.NewGuid().ToString("N");
        if (type == typeof(string[])) return new[] { "v" + Guid.NewGuid().ToString("N") };
        if (type.IsArray) return Array.CreateInstance(type.GetElementType()!, 0);
        if (Nullable.GetUnderlyingType(type) is { } inner) return inner.IsEnum ? null : Build(inner, depth);
        if (type.IsValueType) return Activator.CreateInstance(type);
        if (depth > 4 || type.IsAbstract || type.IsInterface) return null;

        var constructor = type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(c => !c.GetParameters().Any(p => p.ParameterType == type))
            .OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (constructor is null) return null;
        var value = constructor.Invoke(constructor.GetParameters().Select(p => Build(p.ParameterType, depth + 1)).ToArray());
        // Members outside the constructor (init-only properties): filled in the same way.
        foreach (var member in Members(type).Where(m => m.CanWrite && m.PropertyType == typeof(string) && m.GetValue(value) is null or ""))
            member.SetValue(value, Build(typeof(string), depth + 1));
        return value;
    }
}
