#!/usr/bin/env bash
# Builds the Dockerfile for real and runs the image: `make image-test`.
#
# No container engine can run containers here and the official .NET images cannot be pulled (DESIGN.md, Containers),
# so this script:
#   1. builds stand-in base images: a debootstrapped Debian bookworm (minbase) with this machine's .NET SDK copied in
#      (build stage), or its ASP.NET Core runtime (runtime stage), and the .NET images' non-root user app (uid 1654);
#      they are cached in buildah's local storage, tagged by the SDK/runtime version and this recipe's revision;
#   2. builds the real Dockerfile against them with `buildah bud --isolation chroot --pull=never`, restoring from this
#      machine's NuGet package folder mounted into the build (build arguments: the default Docker build is unchanged);
#   3. runs the built image as the user its USER sets (`buildah run --isolation chroot`, host network): the entry point
#      with `demo --records 20000`, then the image's own command (`run --config /etc/detector/fraud.json`) against
#      librdkafka's mock cluster started in the image, fed by `replay`, and scrapes its /metrics from the host.
# Each step prints how long it took. Root only (buildah, debootstrap); installs what it needs with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Bump when the stand-in recipe below changes: the cached images are keyed by it.
recipe=r1
suite=bookworm
mirror=http://deb.debian.org/debian
image=localhost/detector:image-test
records=20000

started=$SECONDS
step_start=$SECONDS
step() { step_start=$SECONDS; echo "image-test: $*"; }
done_step() { echo "image-test:   done in $((SECONDS - step_start)) s"; }
fail() { echo "image-test: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (buildah and debootstrap)"

step "installing buildah, debootstrap and curl when missing"
scripts/setup.sh buildah debootstrap curl
done_step

# The .NET that is copied into the stand-ins: DOTNET_ROOT, else where the dotnet on PATH lives.
command -v dotnet >/dev/null || fail "no dotnet on PATH"
dotnet_root=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
[ -x "$dotnet_root/dotnet" ] && [ -d "$dotnet_root/shared/Microsoft.AspNetCore.App" ] \
  || fail "no .NET with the ASP.NET Core runtime at $dotnet_root (set DOTNET_ROOT)"
sdk_version=$(dotnet --version)
aspnet_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)
netcore_version=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -n 1)
[ -n "$aspnet_version" ] && [ -n "$netcore_version" ] || fail "no ASP.NET Core runtime under $dotnet_root/shared"
base_image=localhost/detector-standin/debian:$suite-minbase-$recipe
sdk_image=localhost/detector-standin/dotnet-sdk:$sdk_version-$suite-$recipe
runtime_image=localhost/detector-standin/dotnet-aspnet:$aspnet_version-$suite-$recipe

# The ulimits buildah needs on these machines (its default nproc is above what the host allows).
ulimits=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
has_image() { buildah images --quiet "$1" >/dev/null 2>&1; }

# Containers this script creates are removed on exit, with the processes it started in them.
containers=()
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# --- 1. Stand-in base images ---------------------------------------------------------------------------------------

if has_image "$base_image"; then
  echo "image-test: cached $base_image"
else
  step "debootstrap $suite (minbase) into $base_image"
  ctr=$(buildah from --pull=never scratch); containers+=("$ctr")
  mnt=$(buildah mount "$ctr")
  # What the official runtime-deps image adds to its distribution (TLS roots, OpenSSL, ICU, time zones).
  debootstrap --variant=minbase --include=ca-certificates,libssl3,libicu72,tzdata "$suite" "$mnt" "$mirror" \
    > /tmp/detector-debootstrap.log 2>&1 || { tail -n 20 /tmp/detector-debootstrap.log >&2; fail "debootstrap"; }
  rm -rf "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/lib/apt/lists/*
  chroot "$mnt" groupadd --gid=1654 app
  chroot "$mnt" useradd --no-log-init --uid=1654 --gid=1654 --create-home app
  buildah umount "$ctr" >/dev/null
  buildah config --env APP_UID=1654 --cmd /bin/bash "$ctr"
  buildah commit --quiet --rm "$ctr" "$base_image" >/dev/null
  containers=()
  done_step
fi

# Copies .NET into a container of the base image: $1 image to commit, then the paths under the .NET root to copy.
standin() {
  local target=$1; shift
  local ctr mnt
  ctr=$(buildah from --pull=never "$base_image"); containers+=("$ctr")
  mnt=$(buildah mount "$ctr")
  mkdir -p "$mnt/usr/share/dotnet"
  for p in "$@"; do
    mkdir -p "$mnt/usr/share/dotnet/$(dirname "$p")"
    cp -a "$dotnet_root/$p" "$mnt/usr/share/dotnet/$p"
  done
  ln -sf /usr/share/dotnet/dotnet "$mnt/usr/bin/dotnet"
  buildah umount "$ctr" >/dev/null
  buildah config --env DOTNET_RUNNING_IN_CONTAINER=true --env DOTNET_VERSION="$netcore_version" \
    --env ASPNET_VERSION="$aspnet_version" --env ASPNETCORE_HTTP_PORTS=8080 "$ctr"
  if [[ $target == *dotnet-sdk* ]]; then
    buildah config --env DOTNET_SDK_VERSION="$sdk_version" --env DOTNET_NOLOGO=true --env NUGET_XMLDOC_MODE=skip \
      --env DOTNET_GENERATE_ASPNET_CERTIFICATE=false --env DOTNET_USE_POLLING_FILE_WATCHER=true "$ctr"
  fi
  buildah commit --quiet --rm "$ctr" "$target" >/dev/null
  containers=("${containers[@]/$ctr}")
}

if has_image "$sdk_image"; then
  echo "image-test: cached $sdk_image"
else
  step "stand-in SDK image $sdk_image (this machine's $dotnet_root)"
  standin "$sdk_image" $(cd "$dotnet_root" && ls)
  done_step
fi

if has_image "$runtime_image"; then
  echo "image-test: cached $runtime_image"
else
  step "stand-in runtime image $runtime_image"
  standin "$runtime_image" dotnet host "shared/Microsoft.NETCore.App/$netcore_version" \
    "shared/Microsoft.AspNetCore.App/$aspnet_version" LICENSE.txt ThirdPartyNotices.txt
  done_step
fi

# --- 2. The Dockerfile ---------------------------------------------------------------------------------------------

step "restoring on the host (fills the NuGet package folder the build restores from)"
dotnet restore Detector.Node/Detector.Node.csproj -nologo -v quiet
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
[ -d "$packages" ] || fail "no NuGet package folder at $packages"
done_step

step "buildah bud of the Dockerfile against the stand-ins"
bud=(buildah bud --isolation chroot --pull=never --layers "${ulimits[@]}"
  --build-arg SDK_IMAGE="$sdk_image" --build-arg RUNTIME_IMAGE="$runtime_image"
  --build-arg RESTORE_ARGS="--source /nuget -p:NuGetAudit=false"
  --volume "$packages:/nuget:ro")
# The build stage is tagged too, so that pruning the images earlier runs left untagged keeps its cached layers
# (a stage no image descends from counts as dangling); an unchanged tree then rebuilds from the cache in seconds.
"${bud[@]}" --target build --tag "$image-build" . 2>&1 | sed 's/^/  | /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "buildah bud --target build"
"${bud[@]}" --tag "$image" . 2>&1 | sed 's/^/  | /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "buildah bud"
# Untagged images of earlier runs (this removes every dangling image in the machine's buildah storage).
buildah rmi --prune >/dev/null
done_step

# --- 3. Running the image ------------------------------------------------------------------------------------------

user=$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
entrypoint=$(buildah inspect --type image --format '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}' "$image")
command=$(buildah inspect --type image --format '{{range .OCIv1.Config.Cmd}}{{.}} {{end}}' "$image")
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "the image runs as root (USER '$user')"
ctr=$(buildah from --pull=never "$image"); containers+=("$ctr")
# The image's user, working directory and environment; host network (the only one chroot isolation has).
in_image() { buildah run --isolation chroot --network host --user "$user" "$@"; }
uid=$(in_image "$ctr" -- id -u)
[ "$uid" != 0 ] || fail "USER $user resolves to uid 0"
echo "image-test: running as USER $user (uid $uid): entry point '$entrypoint', command '$command'"

# The process (by name) among the descendants of $1: buildah run kills its child with SIGKILL when itself signalled,
# so a graceful stop signals the program inside directly.
descendant() {
  local pid
  for pid in $(ps -o pid= --ppid "$1"); do
    if [ "$(ps -o comm= -p "$pid")" = "$2" ]; then echo "$pid"; return 0; fi
    descendant "$pid" "$2" && return 0
  done
  return 1
}
# A TCP port nothing on this machine listens on (the image shares the host network).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
# Waits up to $2 seconds for command $1 to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}


log_dir=$(mktemp -d /tmp/detector-image-test.XXXXXX)
step "entry point: demo --records $records (logs of the run in $log_dir, removed when it passes)"
# The image sets Node:HttpPort (8080), so the demo serves /metrics while it runs: on a free port of the host network.
# shellcheck disable=SC2086 # the entry point is words
in_image --env DETECTOR__Node__HttpPort="$(free_port)" "$ctr" -- $entrypoint demo --records "$records" 2>&1 \
  | tee "$log_dir/demo.log" | sed 's/^/  | /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "demo"
# Kestrel's warning when ASPNETCORE_HTTP_PORTS (set by the .NET images) meets the node's own binding.
! grep -q "Overriding address" "$log_dir/demo.log" || fail "Kestrel warns that the node overrides ASPNETCORE_HTTP_PORTS"
done_step

step "entry point: bench models --linear Blas (OpenBLAS from libopenblas0-pthread)"
# shellcheck disable=SC2086
in_image "$ctr" -- $entrypoint bench models --models ae2048 --modes infer --batches 256 --threads 1 --linear Blas \
  --sample-seconds 0.05 2>&1 | sed 's/^/  | /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "bench models --linear Blas"
done_step

# The node trains its first model on the first 20,000 rows (fraud.json), then scores: twice that many records.
replayed=$((2 * records))
step "librdkafka in the image: kafka mock, then replay of $replayed card records"
# shellcheck disable=SC2086
in_image "$ctr" -- $entrypoint kafka mock --config /etc/detector/fraud.json > "$log_dir/mock.log" 2>&1 &
mock_pid=$!; pids+=("$mock_pid")
wait_for "grep -q '^bootstrap.servers=' '$log_dir/mock.log' || ! kill -0 $mock_pid 2>/dev/null" 60 || fail "no mock cluster after 60 s"
bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$log_dir/mock.log")
[ -n "$bootstrap" ] || { cat "$log_dir/mock.log" >&2; fail "kafka mock"; }
sed 's/^/  | /' "$log_dir/mock.log"
input_topic=card-transactions
# shellcheck disable=SC2086
in_image "$ctr" -- $entrypoint replay --bootstrap-servers "$bootstrap" --topic "$input_topic" --generator cards \
  --count "$replayed" 2>&1 | sed 's/^/  | /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "replay"
done_step

port=$(free_port)
step "the image's command ($command) on the mock cluster, HTTP on port $port; scrape of /metrics from the host"
# shellcheck disable=SC2086
in_image --env DETECTOR__Kafka__BootstrapServers="$bootstrap" --env DETECTOR__Node__HttpPort="$port" "$ctr" -- \
  $entrypoint $command > "$log_dir/run.log" 2>&1 &
run_pid=$!; pids+=("$run_pid")
# Sum of a counter's series in a scrape.
counter() { curl -sf "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name || index($1, name "{") == 1 { n += $2 } END { print n + 0 }'; }
ready() { curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; }
if ! wait_for "{ ready && [ \"\$(counter detector_records_scored_total)\" -ge $records ]; } || ! kill -0 $run_pid 2>/dev/null" 180 \
    || ! kill -0 "$run_pid" 2>/dev/null; then
  tail -n 20 "$log_dir/run.log" >&2
  fail "the node was not ready with $records records scored within 180 s (consumed $(counter detector_records_consumed_total), scored $(counter detector_records_scored_total))"
fi
curl -sf "http://127.0.0.1:$port/metrics" > "$log_dir/metrics.txt"
echo "  | /metrics: $(grep -c '^# TYPE' "$log_dir/metrics.txt") families, $(grep -vc '^#' "$log_dir/metrics.txt") series"
grep -E '^detector_(records_consumed|records_scored|anomalies|alerts)_total' "$log_dir/metrics.txt" | sed 's/^/  | /'
if command -v promtool >/dev/null; then
  promtool check metrics < "$log_dir/metrics.txt" || fail "promtool check metrics"
  echo "  | promtool check metrics: ok"
fi
node=$(descendant "$run_pid" dotnet) || fail "no dotnet process under buildah run"
kill -TERM "$node"
wait "$run_pid" || { tail -n 20 "$log_dir/run.log" >&2; fail "the node did not exit 0 on SIGTERM"; }
echo "  | SIGTERM: the node drained and exited 0"
! grep -q "Overriding address" "$log_dir/run.log" || fail "Kestrel warns that the node overrides ASPNETCORE_HTTP_PORTS"
done_step

step "stopping the mock cluster"
mock=$(descendant "$mock_pid" dotnet) && kill -TERM "$mock"
wait "$mock_pid" || fail "kafka mock did not exit 0 on SIGTERM"
pids=()
rm -rf "$log_dir"
done_step

echo "image-test: passed in $((SECONDS - started)) s"
