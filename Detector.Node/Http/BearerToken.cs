using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Detector.Node.Http;

/// <summary>The admin endpoints' guard: <c>Authorization: Bearer &lt;Node:AdminToken&gt;</c>, compared in constant time.</summary>
public sealed class BearerToken(string token) : IEndpointFilter
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(token);

    /// <summary>Whether the request carries the token (never true when no token is configured).</summary>
    public bool Allows(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (_expected.Length == 0 || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), _expected);
    }

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Allows(context.HttpContext.Request))
        {
            return await next(context);
        }
        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(new { error = _expected.Length == 0 ? "admin endpoints are disabled: Node:AdminToken is not set" : "a valid bearer token is required" },
            statusCode: StatusCodes.Status401Unauthorized);
    }
}
