namespace ScanLogin.Grains.Interfaces;

/// <summary>Every failure code a grain can answer with; the front end maps each to one HTTP status.</summary>
public static class FailureCodes
{
    public const string TicketNotFound = "ticket_not_found";
    public const string TicketExists = "ticket_exists";
    public const string InvalidTransition = "invalid_transition";
    public const string TicketExpired = "ticket_expired";
    public const string AlreadyScanned = "ticket_already_scanned";
    public const string ScanTokenInvalid = "scan_token_invalid";
    public const string ExchangeCodeInvalid = "exchange_code_invalid";
    public const string AlreadyExchanged = "ticket_already_exchanged";
    public const string ExchangeForbidden = "exchange_forbidden";
    public const string ApplicationNotFound = "application_not_found";
    public const string IdentitySourceNotFound = "identity_source_not_found";
    public const string IdentitySourceDisabled = "identity_source_disabled";
    public const string IdentitySourceNotEnabledForApp = "identity_source_not_enabled_for_application";
    /// <summary>The identity source's mini program was replaced after the ticket's code was made: the code opens the old one.</summary>
    public const string MiniProgramChanged = "mini_program_changed";
    public const string WeChatCodeInvalid = "wechat_code_invalid";
    public const string WeChatCodeUsed = "wechat_code_used";
    public const string WeChatRateLimited = "wechat_rate_limited";
    public const string WeChatUserBlocked = "wechat_user_blocked";
    public const string WeChatUnavailable = "wechat_unavailable";
    public const string WeChatMisconfigured = "wechat_misconfigured";
    public const string PhoneMismatch = "phone_number_mismatch";
    public const string AccountCreationDisabled = "account_creation_disabled";
    public const string UserPoolNotFound = "user_pool_not_found";
    public const string OriginNotAllowed = "origin_not_allowed";
    /// <summary>The application's credentials were needed (a server-side ticket request) and are missing or wrong.</summary>
    public const string AppCredentialsInvalid = "app_credentials_invalid";
    public const string LogoInvalid = "logo_invalid";
    public const string ImageSizeInvalid = "image_size_invalid";
    public const string BindingRequired = "binding_required";
    public const string PhoneInUse = "phone_number_in_use";
    public const string RateLimited = "rate_limited";
    public const string AccountNotFound = "account_not_found";
    public const string UserBlocked = "user_blocked";
    public const string UserNotFound = "user_not_found";
    public const string InvalidCredentials = "invalid_credentials";
    public const string AccountLocked = "account_locked";
    public const string TooManyAttempts = "too_many_attempts";
    public const string BindingCodeInvalid = "binding_code_invalid";
    public const string AddressChanged = "address_changed";
    public const string RegistrationDisabled = "registration_disabled";
    public const string IdentityAlreadyBound = "identity_already_bound";
    public const string UsernameInUse = "username_in_use";
    public const string EmailInUse = "email_in_use";
    public const string AccountsUnavailable = "accounts_unavailable";
    /// <summary>A login named no identity source and its application has several usable ones (the access policy's default is the one).</summary>
    public const string IdentitySourceAmbiguous = "identity_source_ambiguous";
}
