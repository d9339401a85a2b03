using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Detector.Node.Http;

/// <summary>
/// The node's HTTP surface: GET /metrics (prometheus-net: text format 0.0.4, or OpenMetrics with exemplars when the
/// scraper's Accept header asks for it), /healthz (liveness), /readyz (model loaded and input
/// assigned), /status, /models; POST /models/retrain, /models (upload an artifact) and /models/rollback behind the
/// bearer token.
/// </summary>
public static class NodeEndpoints
{
    /// <summary>Largest model artifact accepted by upload.</summary>
    public const long MaxArtifactBytes = 256L * 1024 * 1024;

    /// <summary>Maps every endpoint onto <paramref name="routes"/>.</summary>
    public static void Map(IEndpointRouteBuilder routes, CollectorRegistry metrics, NodeState state, IModelAdmin? admin, string adminToken)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapMetrics("/metrics", metrics);
        routes.MapGet("/healthz", () => state.Fault is { } fault
            ? Results.Json(new { status = "failed", fault }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { status = "ok" }));
        routes.MapGet("/readyz", () => state.NotReadyReasons() is { Count: > 0 } reasons
            ? Results.Json(new { ready = false, reasons }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { ready = true, reasons = Array.Empty<string>() }));
        routes.MapGet("/status", () => Results.Json(NodeStatusReport.Status(state)));
        routes.MapGet("/models", () => Results.Json(NodeStatusReport.Models(state)));

        var guarded = routes.MapGroup("/models").AddEndpointFilter(new BearerToken(adminToken));
        guarded.MapPost("/retrain", async (CancellationToken ct) => admin is null ? NoPipeline() : Results.Json(await admin.RetrainAsync(ct)));
        guarded.MapPost("", async (HttpRequest request, CancellationToken ct) => admin is null ? NoPipeline() : await UploadAsync(admin, request, ct));
        guarded.MapPost("/rollback", async (long? version, CancellationToken ct) =>
        {
            if (admin is null)
            {
                return NoPipeline();
            }
            try
            {
                return await admin.RollbackAsync(version, ct) is { } done
                    ? Results.Json(done)
                    : Results.Json(new { error = version is null ? "no earlier model is kept to roll back to" : $"version {version} is not kept (or is live)" },
                        statusCode: StatusCodes.Status409Conflict);
            }
            catch (InvalidOperationException e)
            {
                return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status409Conflict);
            }
        });
    }

    private static async Task<IResult> UploadAsync(IModelAdmin admin, HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxArtifactBytes)
        {
            return Results.Json(new { error = $"artifact larger than {MaxArtifactBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        ModelSnapshot model;
        try
        {
            model = ModelArtifact.FromBytes(body.GetBuffer().AsSpan(0, (int)body.Length), admin.Schema);
        }
        catch (ModelArtifactException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (SchemaMismatchException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        try
        {
            var installed = await admin.InstallAsync(model, cancellationToken);
            return Results.Json(new { version = installed.Version, checksum = ModelArtifact.Checksum(body.GetBuffer().AsSpan(0, (int)body.Length)) });
        }
        catch (InvalidOperationException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static IResult NoPipeline() =>
        Results.Json(new { error = "this node runs no pipeline" }, statusCode: StatusCodes.Status503ServiceUnavailable);
}
