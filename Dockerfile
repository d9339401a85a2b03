# syntax=docker/dockerfile:1
# Multi-stage image of the `detector` program. Not built in this repository's CI (no container engine there); the
# tests parse this file and check it against the k8s manifests and docker-compose.yml.

# Build: the .NET 10 SDK restores and publishes the node (framework-dependent: the runtime image has ASP.NET Core).
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig Detector.sln ./
COPY build/ build/
COPY Detector.Models/ Detector.Models/
COPY Detector.Models.Torch/ Detector.Models.Torch/
COPY Detector.Streams/ Detector.Streams/
COPY Detector.Node/ Detector.Node/
RUN dotnet publish Detector.Node/Detector.Node.csproj -c Release -o /app --nologo

# Run: ASP.NET Core runtime plus the native libraries the node binds at run time (librdkafka for Kafka, OpenBLAS for GEMM).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 libopenblas0-pthread \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/detector \
    && chown app:app /var/lib/detector
COPY --from=build /app /app
COPY config/ /etc/detector/
# Relative sink paths (out/…) land in a folder the non-root user owns.
WORKDIR /var/lib/detector
# The .NET images' non-root user (uid 1654).
USER app
ENV DETECTOR__Node__HttpPort=8080 \
    DOTNET_gcServer=0
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/detector.dll"]
CMD ["run", "--config", "/etc/detector/fraud.json"]
