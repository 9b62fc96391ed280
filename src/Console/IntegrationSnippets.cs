namespace ScanLogin.OperatorConsole;

/// <summary>Copy-paste settings for one application, filled in with its issuer, client id and identity source.</summary>
public static class IntegrationSnippets
{
    public static IReadOnlyList<(string Id, string Title, string Code)> For(string issuer, string clientId, string poolId, string source,
        string? callbackUrl, ConsoleText t)
    {
        var host = new Uri(issuer).GetLeftPart(UriPartial.Authority);
        var callback = callbackUrl ?? "https://your.site/signin-oidc";
        return
        [
            ("snippet-aspnet", t["ASP.NET Core (Microsoft.AspNetCore.Authentication.OpenIdConnect)"], $$"""
                builder.Services.AddAuthentication(o =>
                    {
                        o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                        o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
                    })
                    .AddCookie()
                    .AddOpenIdConnect(o =>
                    {
                        o.Authority = "{{issuer}}";
                        o.ClientId = "{{clientId}}";
                        o.ClientSecret = builder.Configuration["ScanLogin:ClientSecret"]; // the application secret
                        o.ResponseType = "code";
                        o.UsePkce = true;
                        o.Scope.Add("profile");
                        o.Scope.Add("phone");
                        o.MapInboundClaims = false;
                        // callback: {{callback}} (one of the application's callback URLs; the handler's default path is /signin-oidc)
                    });
                """),
            ("snippet-openid-client", t["Node.js (openid-client 6)"], $$"""
                import * as client from 'openid-client';

                const config = await client.discovery(new URL('{{issuer}}'), '{{clientId}}', process.env.SCANLOGIN_CLIENT_SECRET);
                const verifier = client.randomPKCECodeVerifier();
                const url = client.buildAuthorizationUrl(config, {
                  redirect_uri: '{{callback}}',
                  scope: 'openid profile phone',
                  code_challenge: await client.calculatePKCECodeChallenge(verifier),
                  code_challenge_method: 'S256',
                  identity_source: '{{source}}',
                });
                // redirect the browser to url; on the callback:
                const tokens = await client.authorizationCodeGrant(config, new URL(currentUrl), { pkceCodeVerifier: verifier });
                console.log(tokens.claims());
                """),
            ("snippet-authing", t["Authing JS SDK (authing-js-sdk 4.x)"], $$"""
                import { AuthenticationClient } from 'authing-js-sdk';
                const authing = new AuthenticationClient({
                  appId: '{{clientId}}',
                  appHost: '{{host}}',
                });
                authing.wxqrcode.startScanning('qrcode', {
                  extIdpConnId: '{{source}}',
                  onSuccess: (userInfo, ticket) => fetch('/login/scanlogin', { method: 'POST', body: ticket }), // your backend exchanges it
                });
                // your backend, once, with the application secret:
                // curl -s -u "{{clientId}}:$APP_SECRET" -H 'content-type: application/json' -d "{\"ticket\":\"$TICKET\"}" {{host}}/api/v2/qrcode/userinfo
                """),
            ("snippet-curl", t["Ticket API (curl)"], $$"""
                APP_ID={{clientId}}; APP_SECRET=...   # the application secret
                T=$(curl -s -X POST {{host}}/api/tickets -u "$APP_ID:$APP_SECRET" -H 'content-type: application/json' \
                  -d '{"appId":"{{clientId}}","identitySource":"{{source}}"}')
                ID=$(echo "$T" | jq -r .ticketId)
                echo "$T" | jq -r .qrImageUrl         # show this QR code; the user scans it with WeChat and confirms
                curl -s "{{host}}/api/tickets/$ID/wait?version=1&timeout=60"   # returns at once on scan and confirm
                XCODE=$(curl -s {{host}}/api/tickets/$ID | jq -r .exchangeCode)
                curl -s -X POST {{host}}/api/tickets/exchange -u "$APP_ID:$APP_SECRET" -H 'content-type: application/json' \
                  -d "{\"code\":\"$XCODE\"}"        # the user, an ID token and an access token of pool {{poolId}}
                """),
        ];
    }
}
