# syntax=docker/dockerfile:1
# Multi-stage image of the `detector` program. The tests parse this file and check it against the k8s manifests and
# docker-compose.yml; `make image-test` builds it with buildah on stand-in base images and runs it (README).

# Base images: the official .NET images by default; `make image-test` passes locally built stand-ins.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble

# Build: the .NET 10 SDK restores and publishes the node (framework-dependent: the runtime image has ASP.NET Core).
FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig Detector.sln ./
COPY build/ build/
COPY Detector.Models/ Detector.Models/
COPY Detector.Models.Torch/ Detector.Models.Torch/
COPY Detector.Streams/ Detector.Streams/
COPY Detector.Node/ Detector.Node/
# Extra restore flags, none by default (nuget.org); `make image-test` restores offline from a mounted package folder.
ARG RESTORE_ARGS=""
RUN dotnet publish Detector.Node/Detector.Node.csproj -c Release -o /app --nologo $RESTORE_ARGS

# Run: ASP.NET Core runtime plus OpenBLAS for GEMM (librdkafka comes with the publish output, from librdkafka.redist).
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenblas0-pthread \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/detector \
    && chown app:app /var/lib/detector
COPY --from=build /app /app
COPY config/ /etc/detector/
# Relative sink paths (out/…) land in a folder the non-root user owns.
WORKDIR /var/lib/detector
# The .NET images' non-root user (uid 1654).
USER app
# The .NET images set ASPNETCORE_HTTP_PORTS=8080, and Kestrel warns at every start that the node's own binding
# (Node:HttpPort) overrides it: emptied. DOTNET_GCgen0size: a 32 MiB young generation (README, "Memory"); the
# runtime reads it from the environment only.
ENV DETECTOR__Node__HttpPort=8080 \
    ASPNETCORE_HTTP_PORTS="" \
    DOTNET_gcServer=0 \
    DOTNET_GCgen0size=0x2000000
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/detector.dll"]
CMD ["run", "--config", "/etc/detector/fraud.json"]
