#!/usr/bin/env bash
# Base images for the lab's Docker engines, made offline from Debian packages: no lab host can
# reach a registry (they have no route out of the lab subnet), and an image an engine does not
# have would make it try Docker Hub.
#
#   images.sh build        make the image tarballs once, in $STATE/images
#   images.sh load NAME    import them into lab host NAME's engine (nothing to do when present)
#
# skp/busybox:latest   a static busybox and its applets (Debian's busybox-static)
# skp/registry:2       Debian's docker-registry (distribution 2.8) with the libc it links,
#                      serving :5000 from /var/lib/registry without TLS or auth (localhost only)
set -euo pipefail

STATE=${SKP_LAB_DIR:-/tmp/skp-lab}
IMAGES="$STATE/images"

die() { echo "lab images: $*" >&2; exit 1; }

cmd_build() {
    [ -f "$IMAGES/busybox.tar" ] && [ -f "$IMAGES/registry.tar" ] && return 0
    local work
    work=$(mktemp -d)
    trap 'rm -rf "$work"' RETURN
    (cd "$work" && { apt-get download busybox-static docker-registry >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null && apt-get download busybox-static docker-registry >/dev/null 2>&1; }; }) ||
        die "could not download busybox-static and docker-registry from Debian's archive"
    mkdir -p "$work/debs/busybox" "$work/debs/registry" "$work/busybox/bin" "$work/busybox/tmp" "$work/busybox/etc"
    dpkg-deb -x "$work"/busybox-static_*.deb "$work/debs/busybox"
    dpkg-deb -x "$work"/docker-registry_*.deb "$work/debs/registry"
    # busybox and a link per applet: sh, cat, sleep, httpd, nc…
    cp "$work/debs/busybox/bin/busybox" "$work/busybox/bin/busybox"
    local applet
    for applet in $("$work/busybox/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$work/busybox/bin/$applet"
    done
    chmod 1777 "$work/busybox/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$work/busybox/etc/passwd"
    # The registry: busybox, the binary, the C library and loader it links, a plain config.
    cp -a "$work/busybox" "$work/registry"
    mkdir -p "$work/registry/lib/x86_64-linux-gnu" "$work/registry/lib64" "$work/registry/etc/docker/registry" "$work/registry/var/lib/registry"
    cp "$work/debs/registry/usr/bin/docker-registry" "$work/registry/bin/docker-registry"
    cp -L /lib/x86_64-linux-gnu/libc.so.6 "$work/registry/lib/x86_64-linux-gnu/"
    cp -L /lib64/ld-linux-x86-64.so.2 "$work/registry/lib64/"
    cat > "$work/registry/etc/docker/registry/config.yml" <<'CONF'
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
CONF
    mkdir -p "$IMAGES"
    tar -C "$work/busybox" -cf "$IMAGES/busybox.tar.new" . && mv "$IMAGES/busybox.tar.new" "$IMAGES/busybox.tar"
    tar -C "$work/registry" -cf "$IMAGES/registry.tar.new" . && mv "$IMAGES/registry.tar.new" "$IMAGES/registry.tar"
}

cmd_load() {
    local name=$1
    local sock="$STATE/$name/docker.sock"
    [ -S "$sock" ] || die "$name has no Docker engine running ($sock)"
    cmd_build
    export DOCKER_HOST="unix://$sock"
    docker image inspect skp/busybox:latest >/dev/null 2>&1 ||
        docker import -c 'CMD ["sh"]' "$IMAGES/busybox.tar" skp/busybox:latest >/dev/null
    docker image inspect skp/registry:2 >/dev/null 2>&1 ||
        docker import -c 'ENTRYPOINT ["/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"]' \
            -c 'EXPOSE 5000' "$IMAGES/registry.tar" skp/registry:2 >/dev/null
    echo "$name has skp/busybox:latest and skp/registry:2"
}

case "${1:-}" in
    build) cmd_build ;;
    load) [ $# = 2 ] || die "usage: images.sh load NAME"; cmd_load "$2" ;;
    *) die "usage: images.sh build | load NAME" ;;
esac
