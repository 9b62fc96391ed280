using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// Source-generated JSON for the ticket API's hot bodies (creation and status), first in the front end's resolver chain:
/// no reflection-built metadata on the path every page load takes. The front end's options (enum names, duplicate
/// properties refused) still apply; every other type is served by the reflection resolver behind this one.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateTicketRequest))]
[JsonSerializable(typeof(TicketCreated))]
[JsonSerializable(typeof(TicketView))]
internal sealed partial class TicketJson : JsonSerializerContext;
