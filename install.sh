#!/bin/sh
# install.sh: set up vidserve as a hardened, auto-starting systemd service.
#
#   sudo sh install.sh                 install, or upgrade in place (safe to run again)
#   sudo sh install.sh --uninstall     remove the service and program; keep config and data
#   sudo sh install.sh --uninstall --purge    ... and the config, the data and the user
#
# Options:
#   --prefix DIR   program and its venv            (default /opt/vidserve)
#   --etc DIR      configuration                    (default /etc/vidserve)
#   --data DIR     database, token, certificate, downloads (default /var/lib/vidserve)
#   --root DIR     install into DIR as if it were /, without users, systemd or apt
#                  (DESTDIR-style; what the tests use)
#   --port N       the port to write into a new configuration (default 8443)
#   --no-start     install the units but do not enable or start them
#   --no-ffmpeg    do not install ffmpeg
#   --offline      download nothing: keep the venv's yt-dlp, skip ffmpeg
#   --dry-run      print what would be done, change nothing
set -eu

PREFIX=/opt/vidserve
ETC=/etc/vidserve
DATA=/var/lib/vidserve
ROOT=
PORT=
SERVICE_USER=vidserve
ACTION=install
PURGE=no
START=yes
FFMPEG=yes
DRY_RUN=no
OFFLINE=no
PYTHON=${PYTHON:-python3}
SOURCE=$(cd "$(dirname "$0")" && pwd)

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
        --etc) ETC=${2:?--etc needs a directory}; shift ;;
        --data) DATA=${2:?--data needs a directory}; shift ;;
        --root) ROOT=${2:?--root needs a directory}; shift ;;
        --port) PORT=${2:?--port needs a number}; shift ;;
        --uninstall) ACTION=uninstall ;;
        --purge) PURGE=yes ;;
        --no-start) START=no ;;
        --no-ffmpeg) FFMPEG=no ;;
        --dry-run) DRY_RUN=yes ;;
        --offline) OFFLINE=yes; FFMPEG=no ;;
        -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
case $PORT in ''|*[!0-9]*) [ -z "$PORT" ] || die "--port must be a number" ;; esac

# A real install changes the system; --root installs into a directory tree only.
SYSTEM=no
[ -z "$ROOT" ] && SYSTEM=yes
UNITS=$ROOT/etc/systemd/system

run() {  # run a command, or show it under --dry-run
    if [ "$DRY_RUN" = yes ]; then say "+ $*"; else "$@"; fi
}

write() {  # write standard input to a file (mode $2), or say so under --dry-run
    if [ "$DRY_RUN" = yes ]; then say "+ write $1"; cat >/dev/null; else cat >"$1"; chmod "$2" "$1"; fi
}

has_systemd() { [ "$SYSTEM" = yes ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; }

check_python() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: install Python 3.11 or newer"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "vidserve needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)"
    "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null ||
        die "Python's venv module is missing: apt install python3-venv"
}

uninstall() {
    if has_systemd; then
        run systemctl disable --now vidserve.service vidserve-ytdlp-update.timer 2>/dev/null || true
    fi
    run rm -f "$UNITS/vidserve.service" "$UNITS/vidserve-ytdlp-update.service" \
        "$UNITS/vidserve-ytdlp-update.timer"
    has_systemd && run systemctl daemon-reload
    run rm -rf "$ROOT$PREFIX"
    if [ "$PURGE" = yes ]; then
        run rm -rf "$ROOT$ETC" "$ROOT$DATA"
        if [ "$SYSTEM" = yes ] && id "$SERVICE_USER" >/dev/null 2>&1; then
            run userdel "$SERVICE_USER"
        fi
        say "vidserve removed, with its configuration and data."
    else
        say "vidserve removed. Kept: $ROOT$ETC (configuration) and $ROOT$DATA (data);"
        say "run with --uninstall --purge to remove them too."
    fi
}

install_program() {
    run mkdir -p "$ROOT$PREFIX"
    run install -m 0755 "$SOURCE/vidserve.py" "$ROOT$PREFIX/vidserve.py"
    run install -m 0644 "$SOURCE/README.md" "$ROOT$PREFIX/README.md"
    [ -x "$ROOT$PREFIX/venv/bin/python" ] || run "$PYTHON" -m venv "$ROOT$PREFIX/venv"
    # The unit runs `python -m vidserve`, which loads this bytecode instead of compiling.
    run "$ROOT$PREFIX/venv/bin/python" -m compileall -q "$ROOT$PREFIX/vidserve.py"
    [ "$OFFLINE" = yes ] && return 0
    say "Installing yt-dlp with curl_cffi (to present itself as a browser) into $PREFIX/venv ..."
    # curl_cffi only from a wheel: where none exists (32-bit ARM), yt-dlp goes in without it.
    run "$ROOT$PREFIX/venv/bin/python" -m pip install --quiet --upgrade \
        --only-binary curl-cffi 'yt-dlp[default,curl-cffi]' ||
        { say "No curl_cffi for this platform: TikTok and Instagram may refuse some downloads."
          run "$ROOT$PREFIX/venv/bin/python" -m pip install --quiet --upgrade 'yt-dlp[default]'; }
}

install_config() {
    run mkdir -p "$ROOT$ETC" "$ROOT$DATA"
    run chmod 0750 "$ROOT$DATA"
    if [ -f "$ROOT$ETC/vidserve.toml" ]; then
        say "Keeping the existing $ETC/vidserve.toml"
    else
        sed -e "s|^data_dir = .*|data_dir = \"$DATA\"|" \
            -e "${PORT:+s|^port = .*|port = $PORT|}" \
            "$SOURCE/vidserve.toml" | write "$ROOT$ETC/vidserve.toml" 0640
    fi
    if [ "$SYSTEM" = yes ]; then
        id "$SERVICE_USER" >/dev/null 2>&1 || run useradd --system --user-group \
            --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
        run chown root:"$SERVICE_USER" "$ROOT$ETC/vidserve.toml"
        run chown -R "$SERVICE_USER:$SERVICE_USER" "$ROOT$DATA"
    fi
}

initialize() {  # the token and certificate, made as the service user; prints them
    set -- "$ROOT$PREFIX/venv/bin/python" "$ROOT$PREFIX/vidserve.py" init \
        --config "$ROOT$ETC/vidserve.toml" --data-dir "$ROOT$DATA"
    if [ "$SYSTEM" = yes ]; then
        run runuser -u "$SERVICE_USER" -- "$@"
    else
        run "$@"
    fi
}

configured_port() {
    sed -n 's/^port *= *\([0-9][0-9]*\).*/\1/p' "$ROOT$ETC/vidserve.toml" 2>/dev/null | head -n 1
}

serving_port() {  # the configuration's port; before one is written (--dry-run), --port's or 8443
    port=$(configured_port)
    echo "${port:-${PORT:-8443}}"
}

install_units() {
    run mkdir -p "$UNITS"
    capabilities=''  # a port below 1024 needs one capability, which PrivateUsers would void
    if [ "$(serving_port)" -lt 1024 ] 2>/dev/null; then
        capabilities='s/^CapabilityBoundingSet=$/&CAP_NET_BIND_SERVICE/
s/^AmbientCapabilities=$/&CAP_NET_BIND_SERVICE/
/^PrivateUsers=/d'
    fi
    sed -e "s|/opt/vidserve|$PREFIX|g" -e "s|/etc/vidserve|$ETC|g" -e "s|/var/lib/vidserve|$DATA|g" \
        -e "$capabilities" "$SOURCE/vidserve.service" | write "$UNITS/vidserve.service" 0644
    # vidserve keeps yt-dlp current by itself now (ytdlp_channel, ytdlp_check_every_h), tried
    # on your own links first; the weekly pip upgrade of older installs goes.
    if [ -e "$UNITS/vidserve-ytdlp-update.timer" ]; then
        has_systemd && run systemctl disable --now vidserve-ytdlp-update.timer 2>/dev/null || true
        run rm -f "$UNITS/vidserve-ytdlp-update.service" "$UNITS/vidserve-ytdlp-update.timer"
    fi
}

install_ffmpeg() {
    [ "$FFMPEG" = yes ] && [ "$SYSTEM" = yes ] || return 0
    command -v ffmpeg >/dev/null 2>&1 && return 0
    if command -v apt-get >/dev/null 2>&1; then
        say "Installing ffmpeg (yt-dlp uses it to merge formats and extract audio) ..."
        run apt-get install -y -q ffmpeg || say "ffmpeg could not be installed; vidserve works without it."
    else
        say "Install ffmpeg with your package manager: yt-dlp uses it to merge formats and audio."
    fi
}

start_service() {
    if ! has_systemd; then
        say "systemd is not running here: start vidserve with"
        say "  $PREFIX/venv/bin/python $PREFIX/vidserve.py --config $ETC/vidserve.toml"
        return 0
    fi
    run systemctl daemon-reload
    if [ "$START" = yes ]; then
        run systemctl enable vidserve.service
        run systemctl restart vidserve.service
    fi
}

[ "$SYSTEM" = no ] || [ "$(id -u)" = 0 ] || [ "$DRY_RUN" = yes ] || die "run as root: sudo sh install.sh"

if [ "$ACTION" = uninstall ]; then
    uninstall
    exit 0
fi

check_python
install_ffmpeg
install_program
install_config
install_units
say ""
initialize
start_service
say ""
say "vidserve is installed. Open https://$(hostname):$(serving_port)/ (a phone at home:"
say "https://$(hostname).local:$(serving_port)/cert first, to trust it) or see $PREFIX/README.md"
say "for curl and the iPhone Shortcut. Logs: journalctl -u vidserve -f"
