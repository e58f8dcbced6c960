#!/usr/bin/env python3


"""vidserve: share a link from the phone, get the video on the Pi.

One file, the standard library and yt-dlp. Copy it, run `python3 vidserve.py`, and POST a
TikTok or Instagram link to it; the video lands in the download directory.

A small core first, then one section per capability, in the order a download flows through
them, each holding its records, its SQL (through the Database), its logic, and its routes
and command-line verbs; App, the wiring, and main() come last. Read it top to bottom: every
definition stands below what it is built from, so a section uses the core and the sections
above it, and what it reaches of a later one (the follows a worker's failure touches, a
notification) goes through `app`, the wiring. Within a section the same holds: records and
their SQL first, then the logic, then the routes.
   1. Limits and shared helpers   bounds, time, ids, file kinds, private files, Borrowed
   2. Configuration               defaults < vidserve.toml < VIDSERVE_* < flags, checked
   3. Database                    one connection, group commit, readers, checkpoints, MIGRATIONS
   4. HTTP machinery              request, reply, parse_*, @route, OpenAPI fragments, the
                                  connection bounds, requests before downloads, counters
   5. Sites                       TikTok and Instagram: photo posts, images, their refusals;
                                  ExtractorFinder, which extractor takes a link (and
                                  which can find a player embedded in a page)
   6. Links and the egress proxy  UrlPolicy, own addresses, connect_allowed, the proxy and
                                  its audit hook (own_connections)
   7. Jobs                        the status object, the jobs table, the queue (fair across
                                  people), running jobs; submit, status, cancel, retry
   8. History and events          the change feed; pages and search of every download; the
                                  event stream and each person's open streams
   9. Saved files                 tags, thumbnails, files published whole, the Library,
                                  signed links, the file routes
  10. Notifications and alerts    each person's target, the messages and their formats, the
                                  outbox (retried across restarts), the owner's alerts
  11. Cookies                     the owner's cookies.txt and its routes
  12. The worker                  yt-dlp loaded and warmed, its options, the Fetcher (one
                                  post = one download), the iPhone checks, failures by type
  13. People                      people and their tokens, the owner's token, authorize, `user`
  14. Follows                     accounts, the follows tables, FollowChecker, routes, `follow`
  15. yt-dlp updates              versions under data_dir, the try in its own process, the
                                  switch, requeue, rollback, routes, `update-ytdlp`
  16. Certificates                self-signed, your own files reloaded, ACME (RFC 8555)
  17. Health and metrics          health, /metrics, the OpenAPI document
  18. The page                    GET /, /share, the manifest, the icon, /cert
  19. Serving                     the bounded listener, TLS, the handler, the plain-HTTP port
  20. Selftest and bench          loopback media, --selftest and --bench
  21. Command line                App wired once (open_app), Service, serve, init, token,
                                  backup, main()
One download, as a reader follows it: Handler.do_route (18) -> find_route (4) -> authorize
(13) -> submit_download (7) -> UrlPolicy.check (6) -> Jobs.submit -> Database.commit (3) ->
JobQueue.wake (7); on a worker, JobQueue.take (7) -> run_job (12) -> Fetcher.fetch ->
LoadedExtractors.find (5) -> Fetcher.download, every connection checked by EgressProxy (6) ->
Fetcher.check_video -> publish_files (9) -> Jobs.complete (7) -> Notifier.download_ended (10).
One follow check: FollowChecker._run (14) -> Follows.due -> FollowChecker.check ->
FollowChecker.list_posts, with the follow's Site (5) -> Follows.record_check ->
Jobs.insert_job (7) -> JobQueue.wake; or Follows.record_failure and follow_delay_s (14).

Threads: the main thread waits for a stop signal; `http` runs the accept loop from the
start, while `worker-1` imports yt-dlp and warms it up; each connection gets its own thread;
`worker-N` threads each own one yt-dlp instance, worker-1's built before the first request
is taken and the others' right after; `egress` threads carry curl_cffi's connections;
`reaper` (one per bounded listener) closes connections that waited too long; `checkpoint`
indexes ended jobs for search and copies the database's WAL back; `notify` delivers the
outbox (how a download ended, alerts) to each person's target; `warm-up` reports
impersonation; `acme` renews an ACME certificate; `http-plain` serves http_port; `follows`
checks followed accounts, one at a time, sleeping until the next is due; `ytdlp` checks for
a newer yt-dlp, sleeping until the next check. `python3 vidserve.py` re-executes itself as
the module, from its cached bytecode.
"""

from __future__ import annotations

import argparse
import base64
import collections
import contextlib
import ctypes
import email.utils
import errno
import fcntl
import functools
import gc
import hashlib
import hmac
import http.client
import io
import ipaddress
import itertools
import json
import logging
import os
import random
import re
import secrets
import select
import selectors
import shutil
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import typing
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

# ---- 1. Limits and shared helpers ------------------------------------------------------------
# What every section stands on: the bounds of a request, time and ids, file kinds, private
# files and directories, threads at background priority, Borrowed (the one list of other
# libraries' private names vidserve uses) and ApiError.


__version__ = "1.0.0"


MAX_BODY_BYTES = 64 * 1024  # API.md: 413 above this


DRAIN_BODY_BYTES = 2 * 1024 * 1024  # an oversized body up to this is read and dropped


MAX_QUERY_FIELDS = 20


MAX_HEADER_BYTES = 32 * 1024  # request line and headers together; 431 above


THREAD_BACKOFF_S = 0.1  # an accept loop that could not start a thread waits this long


# What a python without yt-dlp is told to run (a submit's 503, health, the log): README's
# quick start, a venv of its own (Debian's python refuses a plain `pip install`, PEP 668).
YTDLP_INSTALL = (
    "python3 -m venv .venv && .venv/bin/pip install -U 'yt-dlp[default,curl-cffi]'"
    " && .venv/bin/python vidserve.py"
)


BACKGROUND_NICE = 19  # checkpoints and follow checks: no one waits for them (run_in_background)


WARM_LIMIT_S = 60  # a submit waits this long at most for yt-dlp to load (a Pi Zero: ~10 s)


UPKEEP_INTERVAL_S = 60.0  # retention runs this often (and after each completed download)


GIL_SWITCH_S = 0.0002  # the server's GIL switch interval (serve() says why)


DOWNLOAD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


OWNER = "owner"  # the status object's "user" for the owner's token; no person may be called so


log = logging.getLogger("vidserve")


def utc_now() -> str:
    """ISO 8601 UTC with a Z suffix, as API.md writes every timestamp."""
    return utc_iso(time.time())


def utc_iso(epoch_s: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def new_download_id() -> str:
    return str(uuid.uuid4())


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ffmpeg_available() -> bool:
    """yt-dlp needs ffmpeg to merge formats and extract audio; vidserve works without it."""
    return shutil.which("ffmpeg") is not None


def run_in_background() -> None:
    """Make the calling thread background work for the kernel's scheduler (nice 19), as
    the threads and programs it starts will be: when every core is busy, a thread answering
    a request gets one first. Linux gives each thread its own nice value, and lets it only
    go up: what runs here never becomes foreground again. So the data path of a download
    (the worker, the egress proxy's tunnels, ffmpeg) stays at the default: a person waits
    for it: beside two busy programs in one session, at nice 19 it moved 100 MiB in 17 s
    instead of 0.4 s (issue 33). Requests still come first inside vidserve (Foreground)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):  # a seccomp filter without setpriority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


def make_private_dir(path: Path) -> Path:
    """Make a directory only vidserve's user may enter (0700, whatever the umask: API.md
    "Hardening"), its missing parents as the umask says; one that exists is left as it is."""
    try:
        path.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        return path
    path.chmod(0o700)
    return path


def keep_private(*paths: Path) -> None:
    """Make files only vidserve's user may read (0600), whatever the umask made them."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.chmod(0o600)


def vidserve_program(statement: str) -> list[str]:
    """The command line of a Python that imports this file, from its directory, as the
    module `vidserve` (from its cached bytecode), then runs `statement`."""
    here = str(Path(__file__).resolve().parent)
    program = f"import sys; sys.path.insert(0, {here!r}); import vidserve; {statement}"
    return [sys.executable, "-c", program]


MAX_MESSAGE_CHARS = 300  # API.md "Errors in words": an error_message, a notification's line


def in_words(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """text on one line, at most limit characters, shortened at a word's end (with "…"),
    never inside a word: what a person reads on a phone."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(") + "…"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def sql_words(words: tuple[str, ...]) -> str:
    """Constant words as an SQL list, ('a', 'b'): only ever the code's own constants."""
    return "(" + ", ".join(f"'{word}'" for word in words) + ")"


def human_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024:
            return f"{count:.0f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


# What yt-dlp saves. (mimetypes would load the system's whole table, ~1 MB, for these.)
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".aac": "audio/aac",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".gif": "image/gif",
}


# The extension a file of each media type is saved with: the first MEDIA_TYPES gives it.
EXTENSIONS = {media_type: ext for ext, media_type in reversed(MEDIA_TYPES.items())}


def file_kind(filename: str) -> str:
    """API.md's `kind` of a saved file, from its extension: image, audio or video."""
    kind = MEDIA_TYPES.get(Path(filename).suffix.lower(), "video/mp4").split("/")[0]
    return kind if kind in ("image", "audio") else "video"


def b64url(data: bytes) -> str:
    """RFC 7515 §2: base64url without padding, as JWS, ACME and signed links write binary."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def retry_after_s(value: str | None, default_s: float) -> float:
    """A Retry-After header's delay in seconds (RFC 9110 §10.2.3, its delay-seconds form),
    or default_s when it is absent or another form."""
    return float(value) if value and value.isdigit() else default_s


def start_thread(target: Callable, args: tuple, name: str) -> threading.Thread | None:
    """Start a daemon thread for a connection; when the system refuses one (systemd's
    TasksMax, memory), log it, back off a moment and answer None: the loop goes on, and the
    connection it was for is closed by the caller (API.md "Hardening")."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    try:
        thread.start()
    except RuntimeError as err:
        log.error("cannot start a thread for %s: %s; backing off", name, err)
        time.sleep(THREAD_BACKOFF_S)
        return None
    return thread


def notify_systemd(message: str) -> None:
    """sd_notify(3) over a plain Unix datagram socket, when systemd asked for it."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)
            sock.sendall(message.encode())
        except OSError as err:
            log.warning("could not notify systemd: %s", err)


class Borrowed:
    """Every private name of another library that vidserve leans on, one adapter each: what
    it is for, and what breaks when a new version changes it. Nothing else in this file
    touches a private name (a subclass of yt-dlp's InfoExtractor uses the names its docs
    tell extractor writers to: _VALID_URL, _real_extract, _match_id). A test calls every
    adapter against the installed versions, so an update that breaks one fails CI, not a
    download on someone's Pi."""

    @staticmethod
    def extractors_in_order(ydl: Any) -> dict | None:
        """yt-dlp's YoutubeDL._ies: its extractors by key, in the order it tries a link on
        them. ExtractorFinder walks it; without it (None), yt-dlp looks for the extractor
        itself, as correctly but ~0.35 s slower on a link's first try."""
        extractors = getattr(ydl, "_ies", None)
        return extractors if isinstance(extractors, dict) else None

    @staticmethod
    def url_patterns(extractor: type) -> Any:
        """An extractor's _VALID_URL (a pattern or several), read by ExtractorFinder; an
        unreadable one only means that extractor is always tried."""
        return getattr(extractor, "_VALID_URL", None)

    @staticmethod
    def impersonate_targets(ydl: Any) -> list[tuple]:
        """YoutubeDL._get_available_impersonate_targets(): the browsers curl_cffi can present
        yt-dlp as, best first. Health and the start-up line report them; if it breaks,
        impersonation is reported off (downloads still ask for it by name)."""
        return list(ydl._get_available_impersonate_targets())

    @staticmethod
    def embed_search(extractor: type) -> tuple[bool, Any]:
        """Whether an extractor searches a page for embedded players in code of its own, and
        its _EMBED_REGEX (the players of its site a page may embed), read from the real class
        behind a lazy one (LazyLoadExtractor.real_class) in ExtractorFinder's child process.
        An unreadable one means that extractor is always offered a page."""
        from yt_dlp.extractor.common import InfoExtractor

        real = getattr(extractor, "real_class", extractor)
        own_code = any(
            getattr(getattr(real, name), "__func__", None)
            is not getattr(InfoExtractor, name).__func__
            for name in ("extract_from_webpage", "_extract_from_webpage", "_extract_embed_urls")
        )
        return own_code, getattr(real, "_EMBED_REGEX", None)

    @staticmethod
    def search_embeds_with(ydl: Any, choose: Callable[[str], set[str] | None]) -> None:
        """GenericIE._extract_embeds, wrapped on this YoutubeDL's generic extractor, and
        YoutubeDL._ies, which it walks: the search of a page for embedded players is offered
        only the extractors `choose` names for that page (None: all, as yt-dlp would). Each
        extractor yt-dlp offers a page is loaded for good, and it offers every page to all
        ~1,800 (26 MB of the 70 a generic download leaves, issue 33). If yt-dlp changes
        these, every extractor is offered again."""
        generic = ydl.get_info_extractor("Generic")
        search = generic._extract_embeds

        def limited(url: str, webpage: str, **kwargs: Any) -> Any:
            everyone, chosen = ydl._ies, choose(webpage)
            if chosen is not None:
                ydl._ies = {key: ie for key, ie in everyone.items() if key in chosen}
            try:
                return search(url, webpage, **kwargs)
            finally:
                ydl._ies = everyone

        generic._extract_embeds = limited

    @staticmethod
    def parse_regex(pattern: str) -> Any:
        """re._parser.parse: a pattern as re's own parser reads it, for ExtractorFinder's
        required texts. If it changes, url_requirements answers None: every extractor is
        tried, as yt-dlp would."""
        from re import _parser

        return _parser.parse(pattern)

    @staticmethod
    def regex_opcodes() -> Any:
        """re._constants: the opcodes of a parsed pattern (LITERAL, BRANCH, ...)."""
        from re import _constants

        return _constants

    @staticmethod
    def tiktok_web_item(extractor: Any, url: str, post_id: str) -> tuple[dict, int, str | None]:
        """TikTokBaseIE._extract_web_data_and_status: a post's page fetched as a browser
        (its bot challenge solved) and its itemStruct and status read; and, through
        TikTokBaseIE._get_universal_data (wrapped on this instance for the call), the page's
        seo.abtest.canonical: the post's own link, which a page without the post (a /photo/
        page) still names. TikTokPhotoIE needs both; if either changes, photo posts fail
        with an extractor error until vidserve follows."""
        pages = []
        read = extractor._get_universal_data

        def remember(webpage: str, display_id: str) -> dict:
            pages.append(read(webpage, display_id))
            return pages[-1]

        extractor._get_universal_data = remember
        try:
            item, status = extractor._extract_web_data_and_status(url, post_id)
        finally:
            del extractor._get_universal_data
        seo = pages[-1].get("seo.abtest") if pages and isinstance(pages[-1], dict) else None
        canonical = seo.get("canonical") if isinstance(seo, dict) else None
        return item or {}, status, canonical if isinstance(canonical, str) else None

    @staticmethod
    def connect_directly(ydl: Any) -> None:
        """YoutubeDL._request_director.handlers and each handler's `proxies`: clears the
        egress proxy from the handlers written in Python (urllib, requests), which the egress
        hook checks where they connect (EgressProxy.guard_python), so their bytes skip the
        relay. If yt-dlp renames these, the handlers keep the proxy: as safe, one loopback
        hop slower."""
        for handler in Borrowed.python_handlers(ydl):
            handler.proxies = {}

    @staticmethod
    def python_handlers(ydl: Any) -> list:
        """The Urllib and Requests handlers of a YoutubeDL, each with its `proxies` dict."""
        handlers = getattr(getattr(ydl, "_request_director", None), "handlers", {})
        return [
            handler
            for handler in handlers.values()
            if getattr(handler, "RH_KEY", None) in ("Urllib", "Requests")
            and isinstance(getattr(handler, "proxies", None), dict)
        ]

    @staticmethod
    def print_nothing(ydl: Any) -> None:
        """YoutubeDL._forceprint: what --print writes. yt-dlp calls it at every stage of every
        download, and it renders the formats, thumbnails and subtitles tables and the file name
        first, whether or not anything is to be printed: ~20% of a worker's CPU for a small
        file (--bench), in the GIL the API's requests wait for. vidserve prints nothing, so on
        its YoutubeDL it hands the info back untouched, unless ytdlp_options ask for printing
        (forceprint, forcejson, ...: left to yt-dlp). If yt-dlp renames it, this does nothing
        and the tables are rendered again."""
        options = ydl.params
        if not any(options[key] for key in options if key.startswith(("force", "print_to"))):
            ydl._forceprint = lambda key, info: info

    @staticmethod
    def tiktok_post_info(extractor: Any, item: dict, url: str, post_id: str) -> dict:
        """TikTokBaseIE._parse_aweme_video_web: title, uploader and date of a post's item,
        as yt-dlp gives them for a video (so a photo post is named and tagged alike)."""
        return extractor._parse_aweme_video_web(item, url, post_id, extract_flat=True)

    @staticmethod
    def missing(ydl: Any) -> list[str]:
        """The adapters above that this YoutubeDL's yt-dlp cannot serve: the names they
        lean on, looked up (the try of a new yt-dlp asks before it is used)."""
        from yt_dlp.extractor.generic import GenericIE
        from yt_dlp.extractor.tiktok import TikTokBaseIE, TikTokIE

        def has(owner: Any, *names: str) -> bool:
            return all(callable(getattr(owner, name, None)) for name in names)

        checks = {
            "extractors_in_order": lambda: Borrowed.extractors_in_order(ydl) is not None,
            "url_patterns": lambda: Borrowed.url_patterns(TikTokIE) is not None,
            "impersonate_targets": lambda: has(ydl, "_get_available_impersonate_targets"),
            "print_nothing": lambda: has(ydl, "_forceprint"),
            "connect_directly": lambda: bool(Borrowed.python_handlers(ydl)),
            "search_embeds_with": lambda: has(GenericIE, "_extract_embeds"),
            "tiktok_web_item": lambda: has(
                TikTokBaseIE, "_extract_web_data_and_status", "_get_universal_data"
            ),
            "tiktok_post_info": lambda: has(TikTokBaseIE, "_parse_aweme_video_web"),
        }
        lacking = []
        for name, check in checks.items():
            try:
                if not check():
                    lacking.append(name)
            except Exception:  # noqa: BLE001 (a broken adapter is what is looked for)
                lacking.append(name)
        return lacking

    @staticmethod
    def send_with_headers(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        """BaseHTTPRequestHandler._headers_buffer: a small reply's body written with its
        headers in one send (one TLS record, no Nagle wait between them). If it changes,
        replies fail loudly in every test."""
        handler._headers_buffer.append(b"\r\n" + body)
        handler.flush_headers()


class ApiError(Exception):
    """Anything a client did wrong. Becomes {"success": false, "error": {...}}."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = HTTPStatus(status), code, message
        self.headers = headers or {}


# ---- 2. Configuration ------------------------------------------------------------------------
# Config is the only list of settings: defaults < vidserve.toml < VIDSERVE_* < flags, each
# checked by one convert function before a port is bound.


class ConfigError(Exception):
    """A setting that cannot be used; the message names the key and where it came from."""


@dataclass(frozen=True)
class Config:
    """Every setting with its default. vidserve.toml documents each one."""

    host: str = "0.0.0.0"
    port: int = 8443
    tls: bool = True
    cert_file: str = ""  # empty: <data_dir>/cert.pem, self-signed on first start
    key_file: str = ""
    data_dir: str = "vidserve-data"
    download_dir: str = ""  # empty: <data_dir>/downloads
    token: str = ""  # empty: <data_dir>/token, random on first start
    allowed_domains: tuple[str, ...] = ("tiktok.com", "instagram.com")
    allow_private_addresses: bool = False  # for tests and LAN-only sources
    private_networks: tuple[str, ...] = ()  # non-public networks links may reach anyway
    allowed_ports: tuple[int, ...] = (80, 443)  # the only ports of public addresses fetched
    read_token: str = ""  # optional second token: status, history and files only
    auth_failures_allowed: int = 10  # wrong tokens per address in 5 minutes, then 429; 0: off
    workers: int = 2
    max_items: int = 35  # a link with more entries fails with too_many_items
    max_retries: int = 3
    retry_backoff_s: float = 30.0  # doubled after each failed attempt
    min_free_bytes: int = 500 * 1024 * 1024  # below this, new jobs get 507 and workers pause
    keep_days: float = 0.0  # delete finished files older than this; 0 keeps them
    max_total_bytes: int = 0  # delete the oldest files above this total; 0: no limit
    max_connections: int = 64
    max_pending_per_user: int = 200  # a person's pending downloads; then 429 queue_full; 0: none
    max_follows_per_user: int = 50  # a person's follows; then 429 too_many_follows; 0: none
    max_streams_per_user: int = 8  # a person's /events streams and ?wait holds; 0: none
    request_timeout_s: float = 30.0  # handshake, headers, body, idle keep-alive
    events_heartbeat_s: float = 15.0  # API.md: a comment line on /events this often
    log_level: str = "info"
    ytdlp_options: dict = field(default_factory=dict)  # handed to YoutubeDL unchanged
    notify_url: str = ""  # POSTed to when a download completes or finally fails
    notify_format: str = "json"  # or "ntfy" (Title, Priority, Tags, Click), or "text"
    notify_headers: dict = field(default_factory=dict)  # e.g. {"Authorization": "Bearer x"}
    public_url: str = ""  # how others reach this server, for file links in notifications
    acme_domain: str = ""  # a DNS name: vidserve gets and renews a certificate for it; "": off
    acme_email: str = ""  # optional contact the CA may write to about the certificate
    acme_directory: str = "https://acme-v02.api.letsencrypt.org/directory"
    acme_ca_file: str = ""  # PEM of the CA behind the ACME server's own HTTPS (a private CA)
    acme_challenge: str = "tls-alpn-01"  # answered on port; or "http-01", on http_port
    http_port: int = 0  # plain HTTP: http-01 answers, 308 to HTTPS for the rest; 0: off
    cert_names: tuple[str, ...] = ()  # more names or addresses for the self-signed certificate
    trusted_proxies: tuple[str, ...] = ()  # their X-Forwarded-For names the client, e.g. 127.0.0.1
    ytdlp_channel: str = "stable"  # or "nightly" (pre-releases), or a version: pinned
    ytdlp_check_every_h: int = 24  # 1..168 hours between checks for a newer yt-dlp; 0: off

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser().resolve()

    @property
    def cookie_path(self) -> Path:
        """Cookies uploaded with PUT /api/v1/cookies, handed to yt-dlp."""
        return self.data_path / "cookies.txt"

    @property
    def download_path(self) -> Path:
        configured = self.download_dir or self.data_path / "downloads"
        return Path(configured).expanduser().resolve()


FIELD_TYPES = {f.name: typing.get_type_hints(Config)[f.name] for f in fields(Config)}


ACME_CHALLENGES = ("tls-alpn-01", "http-01")


# A name a CA can issue for: two or more labels of letters, digits and inner hyphens, the
# last not all digits (so no IP address), 253 characters at most.
DNS_NAME = re.compile(
    r"(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!\d+$)(?!-)[a-z0-9-]{2,63}(?<!-)", re.IGNORECASE
)


# A name the self-signed certificate may hold: DNS labels (one alone, as `pi`, too), the last
# not all digits (that would be a bad address), 253 characters at most; no wildcard.
CERT_NAME = re.compile(
    r"(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)*(?!\d+$)(?!-)[a-z0-9-]{1,63}(?<!-)", re.IGNORECASE
)
LOG_LEVELS = ("debug", "info", "warning", "error")


# ytdlp_channel: a channel, or a version of yt-dlp's (a date; a nightly's has a fourth part).
YTDLP_CHANNEL = re.compile(r"stable|nightly|\d{4}\.\d{1,2}\.\d{1,2}(\.\d{1,12})?(\.dev\d{0,12})?")


# yt-dlp options that would send its connections around the egress proxy.
BYPASSING_OPTIONS = {"proxy", "geo_verification_proxy", "external_downloader"}


PROXY_HEADER = re.compile(r"\s*ytdl-request-proxy\s*", re.IGNORECASE)


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def convert(key: str, value: Any, source: str) -> Any:
    """One setting from TOML (typed) or the environment and flags (text), checked by type."""
    if key not in FIELD_TYPES:
        raise ConfigError(f"{source}: unknown setting {key!r}")
    kind = FIELD_TYPES[key]
    text = isinstance(value, str)
    try:
        if kind is bool:
            if text and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
                return value.strip().lower() in TRUE_WORDS
            if isinstance(value, bool):
                return value
        elif kind in (int, float):
            if text:
                return kind(value.strip())
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if kind is int and value != int(value):
                    raise ValueError
                return kind(value)
        elif kind is str:
            if text:
                return value
        elif kind == tuple[str, ...]:
            items = value.split(",") if text else value
            if isinstance(items, (list, tuple)) and all(isinstance(i, str) for i in items):
                return tuple(i.strip().lower() for i in items if i.strip())
        elif kind == tuple[int, ...]:
            items = value.split(",") if text else value
            if isinstance(items, (list, tuple)):
                numbers = [int(i) if isinstance(i, str) else i for i in items if str(i).strip()]
                if all(type(number) is int for number in numbers):
                    return tuple(numbers)
        elif kind is dict:
            table = json.loads(value) if text else value
            if isinstance(table, dict):
                return table
    except ValueError:
        pass
    raise ConfigError(f"{source}: {key} = {value!r} is not a valid {describe_type(kind)}")


def describe_type(kind: Any) -> str:
    names = {bool: "true/false", int: "whole number", float: "number", str: "string"}
    names |= {dict: "table (JSON object)", tuple[int, ...]: "list of whole numbers"}
    return names.get(kind, "list of strings")


def check_config(config: Config) -> Config:
    """Range checks that types cannot express; fails before a port is bound."""
    problems = {
        "port": not 0 <= config.port <= 65535,
        "workers": not 1 <= config.workers <= 32,
        "max_items": not 1 <= config.max_items <= 10000,
        "max_retries": not 0 <= config.max_retries <= 100,
        "retry_backoff_s": config.retry_backoff_s < 0,
        "min_free_bytes": config.min_free_bytes < 0,
        "keep_days": config.keep_days < 0,
        "max_total_bytes": config.max_total_bytes < 0,
        "max_connections": not 1 <= config.max_connections <= 10000,
        "max_pending_per_user": config.max_pending_per_user < 0,
        "max_follows_per_user": config.max_follows_per_user < 0,
        "max_streams_per_user": config.max_streams_per_user < 0,
        "auth_failures_allowed": config.auth_failures_allowed < 0,
        "request_timeout_s": config.request_timeout_s <= 0,
        "events_heartbeat_s": config.events_heartbeat_s <= 0,
        "log_level": config.log_level.lower() not in LOG_LEVELS,
        "ytdlp_channel": not YTDLP_CHANNEL.fullmatch(config.ytdlp_channel),
        "ytdlp_check_every_h": not 0 <= config.ytdlp_check_every_h <= 168,
        "notify_format": config.notify_format not in ("json", "ntfy", "text"),
        "notify_url": bool(config.notify_url)
        and not config.notify_url.startswith(("http://", "https://")),
        "allowed_domains": not config.allowed_domains,
        "allowed_ports": not config.allowed_ports
        or not all(1 <= port <= 65535 for port in config.allowed_ports),
        "key_file": bool(config.cert_file) != bool(config.key_file),
        "acme_domain": bool(config.acme_domain)
        and (
            not DNS_NAME.fullmatch(config.acme_domain) or not config.tls or bool(config.cert_file)
        ),
        "acme_challenge": config.acme_challenge not in ACME_CHALLENGES,
        "acme_directory": not config.acme_directory.startswith("https://"),
        "acme_ca_file": bool(config.acme_ca_file)
        and not Path(config.acme_ca_file).expanduser().is_file(),
        "http_port": not 0 <= config.http_port <= 65535
        or bool(config.http_port and config.http_port == config.port)
        or (
            config.acme_challenge == "http-01" and bool(config.acme_domain) and not config.http_port
        ),
    }
    for key, bad in problems.items():
        if bad:
            raise ConfigError(f"setting {key} = {getattr(config, key)!r} is out of range")
    headers = config.ytdlp_options.get("http_headers")
    bypassing = BYPASSING_OPTIONS & config.ytdlp_options.keys()
    if isinstance(headers, dict) and any(PROXY_HEADER.fullmatch(name) for name in headers):
        bypassing.add("http_headers")  # yt-dlp's per-request proxy: __noproxy__ goes direct
    for key in sorted(bypassing):
        raise ConfigError(
            f"setting ytdlp_options: {key!r} would let yt-dlp connect around vidserve's address"
            " check (its egress proxy); remove it"
        )
    for network in config.private_networks:
        try:
            ipaddress.ip_network(network)
        except ValueError:
            raise ConfigError(f"setting private_networks: {network!r} is not a network") from None
    for name in config.cert_names:
        if not (is_ip(name) or CERT_NAME.fullmatch(name)):
            raise ConfigError(
                f"setting cert_names: {name!r} is neither a DNS name (no wildcards) nor an address"
            )
    try:
        proxy_networks(config.trusted_proxies)
    except ValueError as err:
        raise ConfigError(f"setting trusted_proxies: {err}") from None
    return config


@functools.cache
def proxy_networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """trusted_proxies as networks: an address alone is a network of one."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def load_config(flags: dict[str, str], environ: dict[str, str], config_file: str | None) -> Config:
    """Merge defaults < vidserve.toml < VIDSERVE_* < flags, checking every key on the way."""
    settings: dict[str, Any] = {}
    path = Path(config_file) if config_file else Path("vidserve.toml")
    if config_file or path.exists():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: cannot read configuration: {err}") from err
        settings |= {key: convert(key, value, str(path)) for key, value in table.items()}
    for name, value in environ.items():
        if name.startswith("VIDSERVE_") and name != "VIDSERVE_CONFIG":
            key = name.removeprefix("VIDSERVE_").lower()
            settings[key] = convert(key, value, f"environment {name}")
    settings |= {key: convert(key, value, f"flag --{key}") for key, value in flags.items()}
    return check_config(Config(**settings))


# ---- 3. Database -----------------------------------------------------------------------------
# One SQLite connection that commits in groups, read connections that never wait for it,
# the checkpointer, and MIGRATIONS, the schema of every capability. The SQL of each table
# lives with its capability below (Jobs, History, Library, People, Follows).


# Checkpoints (issue 17): once the database has had no commit for CHECKPOINT_IDLE_S, or
# after CHECKPOINT_COMMITS commits under unceasing load (a submit writes ~5 pages, a worker's
# bookkeeping 1-2), the Checkpointer copies the WAL into the database. A WAL past
# WAL_LIMIT_PAGES is checkpointed under the write lock. The WAL file is never cut shorter:
# a commit that overwrites it is fsync'd in ~0.1 ms, one that makes it longer in ~2 ms.
CHECKPOINT_COMMITS = 200


CHECKPOINT_IDLE_S = 0.5


WAL_LIMIT_PAGES = 2000


IDLE_READERS = 4  # read connections kept open between requests


PAGE_BYTES = 1024  # SQLite's page size: what a commit writes for each page it changes


# Append only: each entry moves the schema from user_version N to N+1.
MIGRATIONS = [
    """
    CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY,            -- submission order; keyset paging of history
        id TEXT NOT NULL UNIQUE,            -- download_id, UUID v4
        url TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,           -- normalized URL and audio flag
        client_id TEXT NOT NULL,
        audio_only INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,           -- submitted_at in the API
        last_updated TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        not_before REAL NOT NULL DEFAULT 0, -- epoch seconds: retry backoff
        retry_count INTEGER NOT NULL DEFAULT 0,
        filename TEXT,                      -- first file, base name
        file_path TEXT,                     -- first file, relative to download_dir
        file_size INTEGER,
        files TEXT NOT NULL DEFAULT '[]',   -- JSON [{"filename", "file_size"}] in post order
        file_removed INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT,
        progress TEXT,                      -- JSON, last known; live progress is in memory
        title TEXT,
        uploader TEXT,
        duration_s REAL,
        thumbnail_url TEXT
    );
    CREATE INDEX jobs_by_status ON jobs (status, seq);
    CREATE INDEX jobs_by_client ON jobs (client_id, seq);
    CREATE INDEX jobs_by_dedupe_key ON jobs (dedupe_key);
    """,
    """
    ALTER TABLE jobs ADD COLUMN total_bytes INTEGER;  -- every file of the job, for retention
    UPDATE jobs SET total_bytes = file_size;
    CREATE INDEX jobs_by_completion ON jobs (status, file_removed, completed_at);
    """,
    """
    -- Exact counts for X-Total-Count and health: COUNT(*) over a million rows takes ~20 ms.
    CREATE TABLE job_counts (
        status TEXT NOT NULL,
        client_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, client_id)
    ) WITHOUT ROWID;
    INSERT INTO job_counts SELECT status, client_id, COUNT(*) FROM jobs GROUP BY 1, 2;
    CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts VALUES (NEW.status, NEW.client_id, 1)
            ON CONFLICT (status, client_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER jobs_count_update AFTER UPDATE OF status ON jobs
    WHEN OLD.status != NEW.status BEGIN
        UPDATE job_counts SET n = n - 1 WHERE status = OLD.status AND client_id = OLD.client_id;
        INSERT INTO job_counts VALUES (NEW.status, NEW.client_id, 1)
            ON CONFLICT (status, client_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET n = n - 1 WHERE status = OLD.status AND client_id = OLD.client_id;
    END;
    """,
    """
    -- One post, one download: who the post is, once yt-dlp has recognised the link.
    ALTER TABLE jobs ADD COLUMN site TEXT;               -- yt-dlp's extractor key
    ALTER TABLE jobs ADD COLUMN video_id TEXT;           -- the site's own id of the post
    ALTER TABLE jobs ADD COLUMN duplicate_of TEXT;       -- the download whose files it shares
    ALTER TABLE jobs ADD COLUMN forced INTEGER NOT NULL DEFAULT 0;  -- submitted with force
    CREATE INDEX jobs_by_post ON jobs (site, video_id) WHERE video_id IS NOT NULL;
    """,
    """
    -- Several people, one server: who submitted each job, and each person's token.
    ALTER TABLE jobs ADD COLUMN user TEXT NOT NULL DEFAULT 'owner';
    CREATE INDEX jobs_by_user ON jobs (user, seq);
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        token_sha256 BLOB NOT NULL,         -- the token itself is shown once and never kept
        created_at TEXT NOT NULL
    ) WITHOUT ROWID;
    -- The counts gain the user, so a person's X-Total-Count is as exact and cheap as before.
    DROP TRIGGER jobs_count_insert;
    DROP TRIGGER jobs_count_update;
    DROP TRIGGER jobs_count_delete;
    DROP TABLE job_counts;
    CREATE TABLE job_counts (
        user TEXT NOT NULL,
        status TEXT NOT NULL,
        client_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (user, status, client_id)
    ) WITHOUT ROWID;
    INSERT INTO job_counts SELECT user, status, client_id, COUNT(*) FROM jobs GROUP BY 1, 2, 3;
    CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts VALUES (NEW.user, NEW.status, NEW.client_id, 1)
            ON CONFLICT (user, status, client_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER jobs_count_update AFTER UPDATE OF status ON jobs
    WHEN OLD.status != NEW.status BEGIN
        UPDATE job_counts SET n = n - 1
            WHERE user = OLD.user AND status = OLD.status AND client_id = OLD.client_id;
        INSERT INTO job_counts VALUES (NEW.user, NEW.status, NEW.client_id, 1)
            ON CONFLICT (user, status, client_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET n = n - 1
            WHERE user = OLD.user AND status = OLD.status AND client_id = OLD.client_id;
    END;
    """,
    """
    ALTER TABLE jobs ADD COLUMN thumbnail TEXT;  -- file name in download_dir/.thumbnails
    -- History search (?q=): a trigram index finds any substring of 3+ characters, case
    -- folded, without a scan: a few ms at a million rows (--bench). It holds no text of its
    -- own (content=jobs); the triggers keep it in step with title, uploader and url.
    CREATE VIRTUAL TABLE jobs_search USING fts5(
        title, uploader, url, content = 'jobs', content_rowid = 'seq', tokenize = 'trigram'
    );
    INSERT INTO jobs_search (jobs_search) VALUES ('rebuild');
    CREATE TRIGGER jobs_search_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_search (rowid, title, uploader, url)
            VALUES (NEW.seq, NEW.title, NEW.uploader, NEW.url);
    END;
    CREATE TRIGGER jobs_search_update AFTER UPDATE OF title, uploader, url ON jobs BEGIN
        INSERT INTO jobs_search (jobs_search, rowid, title, uploader, url)
            VALUES ('delete', OLD.seq, OLD.title, OLD.uploader, OLD.url);
        INSERT INTO jobs_search (rowid, title, uploader, url)
            VALUES (NEW.seq, NEW.title, NEW.uploader, NEW.url);
    END;
    CREATE TRIGGER jobs_search_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO jobs_search (jobs_search, rowid, title, uploader, url)
            VALUES ('delete', OLD.seq, OLD.title, OLD.uploader, OLD.url);
    END;
    """,
    """
    -- Following an account (issue 24): who follows which account, and the posts each follow
    -- has seen. A follow's downloads name it; workers take shared links before them.
    ALTER TABLE jobs ADD COLUMN follow_id TEXT;         -- the follow that queued it, or NULL
    -- Only pending jobs, the ones claim_next picks from: a job is in it from submit to
    -- its start, and costs nothing to write after that (issue 25: bytes per job).
    CREATE INDEX jobs_by_turn ON jobs (follow_id IS NOT NULL, seq) WHERE status = 'pending';
    CREATE TABLE follows (
        id TEXT PRIMARY KEY,                -- follow_id, UUID v4
        user TEXT NOT NULL,                 -- OWNER or a person's name
        url TEXT NOT NULL,                  -- the account's page, as vidserve writes it
        site TEXT NOT NULL,                 -- tiktok or instagram
        account TEXT NOT NULL,              -- the name in the URL
        every_h INTEGER NOT NULL,
        audio_only INTEGER NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0,
        first INTEGER,                      -- posts the first check queues; NULL once done
        created_at TEXT NOT NULL,
        last_checked_at TEXT,
        next_check REAL NOT NULL,           -- epoch seconds
        failures INTEGER NOT NULL DEFAULT 0, -- failed checks in a row: the backoff's exponent
        last_error_code TEXT,
        last_error_message TEXT,
        downloads_queued INTEGER NOT NULL DEFAULT 0,
        UNIQUE (user, site, account)
    );
    CREATE INDEX follows_by_due ON follows (paused, next_check);
    CREATE TABLE follow_posts (
        follow_id TEXT NOT NULL,
        post_id TEXT NOT NULL,              -- the site's own id of the post
        PRIMARY KEY (follow_id, post_id)
    ) WITHOUT ROWID;
    """,
    """
    -- A job goes into the search index once: when yt-dlp has named it, or when it ends
    -- unnamed; not at submit and again when named (each index write is ~10 WAL pages, the
    -- most a job wrote: issue 25). Until then Store._search finds it by LIKE among the few
    -- jobs waiting or running. A row inserted any other way is indexed at once, as before.
    ALTER TABLE jobs ADD COLUMN searchable INTEGER NOT NULL DEFAULT 1;  -- in jobs_search
    -- Rewritten at submit, start and end of every job, for two queries that read every
    -- finished job anyway (retention, storage totals): jobs_by_status serves them as well.
    DROP INDEX jobs_by_completion;
    DROP TRIGGER jobs_search_insert;
    DROP TRIGGER jobs_search_update;
    DROP TRIGGER jobs_search_delete;
    CREATE TRIGGER jobs_search_insert AFTER INSERT ON jobs WHEN NEW.searchable BEGIN
        INSERT INTO jobs_search (rowid, title, uploader, url)
            VALUES (NEW.seq, NEW.title, NEW.uploader, NEW.url);
    END;
    CREATE TRIGGER jobs_search_first AFTER UPDATE OF title, status ON jobs
    WHEN NOT NEW.searchable
        AND (NEW.title IS NOT NULL OR NEW.status IN ('completed', 'failed', 'cancelled'))
    BEGIN
        INSERT INTO jobs_search (rowid, title, uploader, url)
            VALUES (NEW.seq, NEW.title, NEW.uploader, NEW.url);
        UPDATE jobs SET searchable = 1 WHERE seq = NEW.seq;
    END;
    CREATE TRIGGER jobs_search_update AFTER UPDATE OF title, uploader, url ON jobs
    WHEN OLD.searchable BEGIN
        INSERT INTO jobs_search (jobs_search, rowid, title, uploader, url)
            VALUES ('delete', OLD.seq, OLD.title, OLD.uploader, OLD.url);
        INSERT INTO jobs_search (rowid, title, uploader, url)
            VALUES (NEW.seq, NEW.title, NEW.uploader, NEW.url);
    END;
    CREATE TRIGGER jobs_search_delete AFTER DELETE ON jobs WHEN OLD.searchable BEGIN
        INSERT INTO jobs_search (jobs_search, rowid, title, uploader, url)
            VALUES ('delete', OLD.seq, OLD.title, OLD.uploader, OLD.url);
    END;
    """,
    """
    -- Ended jobs go into the search index in batches (Store.index_ended, while writes pause):
    -- one job at a time wrote ~8 WAL pages of index for a few words, a third of what a job
    -- wrote (issue 25). Until its batch, Store._search finds a job through this index of the
    -- few not in the search index yet, matching its words itself.
    DROP TRIGGER jobs_search_first;
    CREATE INDEX jobs_unsearchable ON jobs (seq) WHERE NOT searchable;
    """,
    """
    -- A fair queue and per-person bounds (API.md "Fair to every person"): each person's
    -- pending downloads counted, and when their last download started, by index.
    CREATE INDEX jobs_pending_by_user ON jobs (user) WHERE status = 'pending';
    CREATE INDEX jobs_by_user_start ON jobs (user, started_at);
    """,
    """
    -- Space per person (API.md): how much a person's files may take; NULL: no limit. Their
    -- bytes on disk are summed by this index of the files kept.
    ALTER TABLE users ADD COLUMN quota_bytes INTEGER;
    CREATE INDEX jobs_kept_by_user ON jobs (user) WHERE status = 'completed' AND file_removed = 0;
    """,
    """
    -- Telling people what needs them (API.md): each person's own target (the owner's too,
    -- set through the API; else notify_url), the outbox a receiver that fails is retried
    -- from (for a day, across restarts), and the owner's alerts, once a day per subject.
    CREATE TABLE notify_targets (
        user TEXT PRIMARY KEY,              -- 'owner' or a person's name
        url TEXT NOT NULL,
        format TEXT NOT NULL                -- ntfy | json | text
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL,                 -- whose target
        url TEXT NOT NULL,
        configured INTEGER NOT NULL,        -- the configuration's notify_url: notify_headers
        body BLOB NOT NULL,
        headers TEXT NOT NULL,              -- a JSON object
        about TEXT NOT NULL,                -- for the log: 'job <id>', 'alert <kind> <subject>'
        alert_id INTEGER,                   -- the alert the owner's copy delivers
        created REAL NOT NULL,              -- epoch seconds; given up a day after
        attempts INTEGER NOT NULL,
        due REAL NOT NULL
    );
    CREATE INDEX outbox_by_due ON outbox (due);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        at TEXT NOT NULL,
        raised REAL NOT NULL,               -- epoch seconds: once a day per (kind, subject)
        delivered INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX alerts_by_subject ON alerts (kind, subject, raised);
    """,
    """
    -- yt-dlp updates (API.md "Staying current"): the version whose switch queued a failed
    -- download again; NULL for every other. A job is queued again once per version.
    ALTER TABLE jobs ADD COLUMN requeued_after_update TEXT;
    """,
]


class Checkpointer:
    """Copies the WAL back into the database from a thread of its own, `checkpoint`.

    SQLite's automatic checkpoint runs inside the commit that crosses 1000 pages of WAL:
    every ~200 submits one client waited for a checkpoint's page copies and fsync on top of
    its own. Here a commit only counts itself; this thread checkpoints in PASSIVE mode,
    which never blocks a writer, and preferably while nobody writes, since its fsync of the
    database shares the disk with the commits' fsyncs. Under unceasing writes a passive
    checkpoint may never catch up with the end of the WAL, so past WAL_LIMIT_PAGES it
    checkpoints once holding the write lock: the WAL stays bounded whatever the load.

    Before each checkpoint it runs `upkeep`, the store's batched writes (the search index),
    so that they share the checkpoint, and the wake-up, of the commits they follow.
    """

    def __init__(
        self, db: sqlite3.Connection, write_lock: threading.Lock, upkeep: Callable[[], object]
    ):
        self._db, self._write_lock, self._upkeep = db, write_lock, upkeep
        self._due = threading.Condition()  # guards _commits and _stopping
        self._commits = 0  # since the last checkpoint
        self._last_commit = 0.0  # time.monotonic()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        with self._due:
            self._commits += 1
            self._last_commit = time.monotonic()
            if self._commits in (1, CHECKPOINT_COMMITS):  # asleep until a commit, or due now
                self._due.notify()

    def stop(self) -> None:
        with self._due:
            self._stopping = True
            self._due.notify()
        self._thread.join()
        self._db.close()

    def _run(self) -> None:
        run_in_background()
        while True:
            with self._due:
                while not self._stopping and not self._due_now():
                    # Nothing to copy back: sleep until a commit (an idle server wakes
                    # nobody, issue 25); else until CHECKPOINT_IDLE_S after the last one.
                    idle_s = time.monotonic() - self._last_commit
                    self._due.wait(CHECKPOINT_IDLE_S - idle_s if self._commits else None)
                if self._stopping:
                    return
            try:
                self._upkeep()
            except sqlite3.Error as err:  # the next pause in writes tries again
                log.warning("database upkeep failed: %s", err)
            with self._due:
                self._commits = 0  # every commit so far, the upkeep's too: this copies them back
            try:
                self.checkpoint()
            except sqlite3.Error as err:  # a full disk or a busy reader: the next one catches up
                log.warning("database checkpoint failed: %s", err)

    def _due_now(self) -> bool:
        """Commits to copy back, and either many of them or none for CHECKPOINT_IDLE_S."""
        quiet = time.monotonic() - self._last_commit >= CHECKPOINT_IDLE_S
        return self._commits >= CHECKPOINT_COMMITS or (self._commits > 0 and quiet)

    def checkpoint(self) -> None:
        wal_pages = self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        if wal_pages > WAL_LIMIT_PAGES:  # no writer began after a complete checkpoint
            with self._write_lock:
                self._db.execute("PRAGMA wal_checkpoint(RESTART)")


@dataclass(slots=True)
class Write:
    """One write waiting for a group commit: its statements, and what they returned."""

    statements: Callable[[sqlite3.Connection], Any]
    durable: bool  # False: a power cut may undo it, as recovery would anyway
    done: bool = False
    result: Any = None
    error: BaseException | None = None


class Database:
    """The one SQLite database. Each capability keeps its own SQL beside its code, and runs it
    through these few methods; writes commit in groups on one connection, reads never wait.

    Group commit (issue 17): a write queues itself, then takes the write lock; whoever holds
    it runs every queued write in one transaction with one fsync, so submits that arrive
    while a commit is on the disk share the next one instead of queueing one fsync each.
    Every write still reaches the disk before its caller returns. Reads use connections of
    their own (WAL gives each a snapshot), so a status or history read never waits behind
    a commit. Checkpoints run in a Checkpointer thread, never inside a commit; so do the
    batches a capability hands to before_checkpoint (the search index, migration 9).
    """

    def __init__(self, path: Path):
        self._path = path
        self._write_lock = threading.Lock()  # guards _writer: one group commit at a time
        self._queue_lock = threading.Lock()  # guards _queued
        self._queued: list[Write] = []
        self._readers: list[sqlite3.Connection] = []  # idle read connections (list ops are atomic)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite would make it 0644
        keep_private(path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
        self._writer = self.connect()
        self._use_small_pages()  # before WAL: a database in WAL mode keeps its page size
        # WAL lets readers run beside the writer; synchronous=FULL fsyncs each commit, so a
        # job we answered 201 for survives a power cut (NORMAL could lose the last commits).
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._writer.execute("PRAGMA synchronous = FULL")
        self._durable = True  # the writer's synchronous setting, switched per group
        self._writer.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's job
        self._migrate()
        self._upkeep: list[Callable[[], object]] = []  # see before_checkpoint
        self.checkpointer = Checkpointer(self.connect(), self._write_lock, self._run_upkeep)

    def connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 5000")
        return db

    def _use_small_pages(self) -> None:
        """Pages of PAGE_BYTES, not SQLite's 4 KiB: a commit writes each page it changes
        whole into the WAL, and a job's commits change ~30 pages for a few hundred bytes
        (issue 25, idlewear: 150 KB written per job with 4 KiB pages, ~45 KB with 1 KiB). A
        new database is made so; an older one is rewritten once (VACUUM, about a second per
        30 MB on a Pi's SD card), or kept as it is when that fails (a full disk)."""
        if self._writer.execute("PRAGMA page_size").fetchone()[0] == PAGE_BYTES:
            return
        if self._path.exists() and self._path.stat().st_size > 0:
            log.info("rewriting %s with %d-byte pages, once", self._path.name, PAGE_BYTES)
            notify_systemd("EXTEND_TIMEOUT_USEC=600000000")  # VACUUM may take minutes
        try:
            self._writer.execute("PRAGMA journal_mode = DELETE")  # VACUUM can't resize WAL
            self._writer.execute(f"PRAGMA page_size = {PAGE_BYTES}")
            self._writer.execute("VACUUM")
        except sqlite3.Error as err:
            log.warning("%s keeps its page size: %s", self._path.name, err)

    def _migrate(self) -> None:
        with self._write_lock:
            version = self._writer.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._writer.executescript(
                    f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;"
                )
                log.info("database schema migrated to version %d", number)

    @staticmethod
    def copy(source: Path, target: Path) -> None:
        """A consistent copy of the database at `source`, safe while a server writes it:
        SQLite's online backup API copies its pages under a read lock."""
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)
        finally:
            origin.close()
            copy.close()

    def before_checkpoint(self, task: Callable[[], object]) -> None:
        """Run `task` (a capability's batched writes) in every pause in writes, just before
        the checkpointer copies the WAL back, so that it shares the checkpoint's wake-up."""
        self._upkeep.append(task)

    def _run_upkeep(self) -> None:
        for task in self._upkeep:
            task()

    def answers(self) -> bool:
        """What the systemd watchdog and health check: the database answers a query."""
        try:
            self.read("SELECT COUNT(*) FROM sqlite_master")
        except sqlite3.Error:
            return False
        return True

    def close(self) -> None:
        self.checkpointer.stop()
        with self._write_lock:
            self._writer.close()
        for db in self._readers:
            db.close()

    def commit(self, statements: Callable[[sqlite3.Connection], Any], durable=True) -> Any:
        """Run `statements` in a write transaction, committed (with others queued meanwhile)
        before this returns; an exception they raise undoes only their own changes."""
        write = Write(statements, durable)
        with self._queue_lock:
            self._queued.append(write)
        with self._write_lock:
            if not write.done:  # else a commit that ran while we waited for the lock took it
                self._commit_queued()
        if write.error is not None:
            raise write.error
        return write.result

    def _commit_queued(self) -> None:
        """Every queued write in one transaction. The caller holds the write lock."""
        with self._queue_lock:
            group, self._queued = self._queued, []
        durable = any(write.durable for write in group)
        if durable != self._durable:
            self._writer.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            self._durable = durable
        # Savepoints let one write fail alone; a lone write (most of them, unless many clients
        # submit at once) is undone by the rollback below. Each statement costs a GIL handover.
        alone = len(group) == 1
        try:
            self._writer.execute("BEGIN IMMEDIATE")
            for write in group:
                if alone:
                    write.result = write.statements(self._writer)
                    continue
                self._writer.execute("SAVEPOINT one_write")
                try:
                    write.result = write.statements(self._writer)
                    self._writer.execute("RELEASE one_write")
                except Exception as err:  # noqa: BLE001 (raised to its caller; the rest commit)
                    self._writer.execute("ROLLBACK TO one_write")
                    self._writer.execute("RELEASE one_write")
                    write.error = err
            self._writer.execute("COMMIT")
        except BaseException as err:  # noqa: BLE001 (raised to every writer of the group)
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            for write in group:
                write.error = write.error or err
        finally:
            for write in group:
                write.done = True
            self.checkpointer.committed()

    @contextlib.contextmanager
    def reading(self, snapshot: bool = False):
        """A read connection of this thread's own for the block. With `snapshot`, all its
        statements read the same state; a lone statement needs no transaction (each BEGIN
        and COMMIT is another GIL hand-over)."""
        try:
            db = self._readers.pop()
        except IndexError:
            db = self.connect()
        try:
            if not snapshot:
                yield db
            else:
                db.execute("BEGIN")
                try:
                    yield db
                finally:
                    db.execute("COMMIT")
        finally:
            if len(self._readers) < IDLE_READERS:
                self._readers.append(db)
            else:  # a burst of readers is over: each connection holds its own page cache
                db.close()

    def read(self, sql: str, params: dict | tuple = ()) -> list[sqlite3.Row]:
        with self.reading() as db:
            return db.execute(sql, params).fetchall()


# ---- 4. HTTP machinery -----------------------------------------------------------------------
# What a route reads and returns, and how it is declared: the request, the reply and its
# streams, the parse_* helpers that turn client text into clean values or an ApiError,
# @route (a handler, its table row and its OpenAPI fragment, written once), the OpenAPI
# fragments routes share, the bounds every listener keeps, requests before downloads, and
# the counters of /metrics.


@dataclass(frozen=True)
class Caller:
    """Who sent a request, as authorize found: the owner (the data directory's token, or the
    read-only one), who reaches every download, or one person, who reaches only their own."""

    user: str  # OWNER, a person's name, or "" on public routes (which reach no download)
    token_sha256: bytes = b""  # a person's: lets a long stream see the token end

    def reaches(self, user: str) -> bool:
        """Whether this caller may see and act on downloads submitted by `user`."""
        return self.user == OWNER or (bool(self.user) and user == self.user)

    @property
    def only_user(self) -> str | None:
        """The user filter of listings: None (everyone's) for the owner, else their own."""
        return None if self.user == OWNER else self.user


@dataclass
class Request:
    """What a route may read of an HTTP request; the body is already read and bounded."""

    method: str
    path: str
    query: dict[str, str]
    headers: Any  # http.client.HTTPMessage
    body: bytes
    client_ip: str
    request_id: str
    caller: Caller = Caller("")

    @property
    def media_type(self) -> str:
        """The Content-Type without its parameters, lower case."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, Any]:
        """The body as a JSON object or an urlencoded form; ApiError 400/415 otherwise."""
        kind = self.media_type
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "invalid_body", "the body is not valid UTF-8") from None
        if kind == "application/json":
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
            if not isinstance(value, dict):
                raise ApiError(400, "invalid_json", "the body must be a JSON object")
            return value
        if kind == "application/x-www-form-urlencoded":
            try:
                pairs = urllib.parse.parse_qsl(
                    text,
                    keep_blank_values=True,
                    strict_parsing=bool(text),
                    max_num_fields=MAX_QUERY_FIELDS,
                )
            except ValueError:
                raise ApiError(400, "invalid_body", "the form is malformed") from None
            return dict(pairs)
        raise ApiError(
            415,
            "unsupported_media_type",
            "send application/json or application/x-www-form-urlencoded",
        )


@dataclass
class Reply:
    """What a route answers: a dict or list is sent as JSON; bytes as they are, with the
    Content-Type in `headers`; a Stream by its own `send`."""

    body: Any
    status: int = 200
    headers: dict = field(default_factory=dict)


class Stream:
    """A reply body too large, or too long-lived, to hold in memory."""

    length: int | None = None  # None: it runs until the connection closes
    end: Callable[[], None] = staticmethod(lambda: None)  # after the reply, sent or not

    def send(self, wfile: Any, sock: socket.socket) -> None:
        raise NotImplementedError


@dataclass
class FileSlice(Stream):
    """Bytes [start, start + length) of a file, sent without reading it into memory."""

    path: Path
    start: int
    length: int

    def send(self, wfile: Any, sock: socket.socket) -> None:
        with open(self.path, "rb") as file:
            # socket.sendfile uses os.sendfile on plain TCP and a read/send loop under TLS.
            sock.sendfile(file, self.start, self.length)


def error_body(code: str, message: str, request_id: str) -> dict:
    return {"success": False, "error": {"code": code, "message": message}, "request_id": request_id}


FORM_BOOLEANS = ("true", "false", "1", "0")  # API.md: audio_only=true or 1 in a form


def parse_download_id(text: str, what: str = "a download id") -> str:
    """A download's (or a follow's) id: a UUID v4, any case; ApiError 400 otherwise."""
    text = text.lower()
    if not DOWNLOAD_ID.fullmatch(text):
        raise ApiError(400, "invalid_id", f"{what} is a UUID v4")
    return text


def parse_bool(request: Request, form: dict, key: str) -> bool:
    """A JSON boolean in a JSON body, or `true`/`1`/`false`/`0` in a form; absent is false.
    API.md: in JSON, the string "true" is a wrong type like any other."""
    value = form.get(key, False)
    if isinstance(value, bool):
        return value
    in_form = request.media_type == "application/x-www-form-urlencoded"
    if in_form and isinstance(value, str) and value.lower() in FORM_BOOLEANS:
        return value.lower() in ("true", "1")
    raise ApiError(400, "invalid_field", f"{key} must be true or false")


def parse_number(query: dict, key: str, default: int, low: int, high: int) -> int:
    text = query.get(key)
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,10}", text) or not low <= int(text) <= high:
        raise ApiError(400, "invalid_parameter", f"{key} must be a whole number {low}..{high}")
    return int(text)


def parse_integer(request: Request, form: dict, key: str, default: int, low: int, high: int):
    """A JSON integer (in a form, its digits) within low..high; absent is the default."""
    value = form.get(key, default)
    in_form = request.media_type == "application/x-www-form-urlencoded"
    if in_form and isinstance(value, str) and re.fullmatch(r"\d{1,10}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, "invalid_field", f"{key} must be a whole number {low}..{high}")
    return value


def is_utf8(text: str) -> bool:
    """False for strings with lone surrogates, which JSON allows and SQLite cannot store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Access(StrEnum):
    """Who may call a route: anyone; the read-only token too; every full token (the owner's
    and each person's, within their own downloads); or only the owner's."""

    PUBLIC = "public"
    READ = "read"
    LINK = "link"  # READ, or a signed link to the file instead of a token
    WRITE = "write"
    OWNER = "owner"


# A file's index is digits, so /files/{id}/link and /files/{id}/thumbnail are paths of their
# own (405 there names only their own methods); any other parameter is one path segment.
PATH_PARAMETERS = {"index": r"\d{1,9}"}


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Callable[..., Reply]
    access: Access
    body_limit: int = MAX_BODY_BYTES
    operation: dict = field(default_factory=dict, repr=False, compare=False)  # OpenAPI's
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        parts = re.split(r"\{(\w+)\}", self.pattern)  # literal, name, literal, name, ...
        regex = "".join(
            re.escape(part)
            if index % 2 == 0
            else f"(?P<{part}>{PATH_PARAMETERS.get(part, '[^/]+')})"
            for index, part in enumerate(parts)
        )
        object.__setattr__(self, "regex", re.compile(regex + r"\Z"))


PUBLIC, READ, LINK = Access.PUBLIC, Access.READ, Access.LINK


WRITE, OWNER_ONLY = Access.WRITE, Access.OWNER


# The route table. @route fills it while sections 4b and 4c are read, and nothing changes it
# after import: find_route looks requests up in it, openapi_document assembles its paths.
ROUTES: list[Route] = []


def route(
    method: str,
    pattern: str,
    access: Access,
    *,
    summary: str,
    replies: dict,
    errors: tuple[int, ...] = (),
    parameters: list[dict] | tuple = (),
    body: dict | None = None,
    body_limit: int = MAX_BODY_BYTES,
) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
    """Declare the function below as a route: its row of the table and its OpenAPI operation
    (its own replies and errors; those of its access level are added), written once."""
    operation: dict[str, Any] = {"summary": summary}
    if access in (PUBLIC, LINK):
        operation["security"] = [] if access == PUBLIC else LINK_SECURITY
    if parameters:
        operation["parameters"] = list(parameters)
    if body:
        operation["requestBody"] = body
    operation["responses"] = responses(replies, *errors, access=access)

    def declare(handler: Callable[..., Reply]) -> Callable[..., Reply]:
        ROUTES.append(Route(method, pattern, handler, access, body_limit, operation))
        return handler

    return declare


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for a request, or ApiError 404, or 405 with an Allow header."""
    allowed = set()
    for route in ROUTES:
        if match := route.regex.match(path):
            if method == route.method or (method == "HEAD" and route.method == "GET"):
                return route, match.groupdict()
            allowed.add(route.method)
    if allowed:
        allow = ", ".join(sorted(allowed | ({"HEAD"} if "GET" in allowed else set())))
        raise ApiError(405, "method_not_allowed", f"use {allow}", {"Allow": allow})
    raise ApiError(404, "not_found", "no such route")


def nullable(kind: str, **more: Any) -> dict:
    return {"type": [kind, "null"], **more}


UUID_V4_SCHEMA = {"type": "string", "format": "uuid", "pattern": f"^{DOWNLOAD_ID.pattern}$"}


SCHEMAS = {  # the OpenAPI components; each capability adds its own with |=
    "Error": {
        "type": "object",
        "required": ["success", "error", "request_id"],
        "properties": {
            "success": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
            "request_id": {"type": "string"},
        },
    },
}


ERROR_MEANINGS = {
    400: "Bad JSON, field or parameter",
    401: "Missing or wrong token",
    403: "This token may not do this: the read-only token, or a person on an owner-only route",
    404: "No such download, file index or route",
    409: "The download is not in a state that allows this",
    410: "The file was removed",
    413: "Body over 64 KiB",
    415: "Content type is not JSON or a form",
    416: "Range beyond the end of the file",
    422: "URL not allowed: domain, scheme, user-info or private address",
    429: "Too many failed tokens from this address; see Retry-After",
    503: "Shutting down",
    507: "Disk below the free-space floor",
}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


LOCATION_HEADER = {"Location": {"schema": {"type": "string"}}}  # a reply naming what it made


def json_reply(
    description: str, schema: str, status: str = "200", located=False, many=False
) -> dict:
    """One of a route's replies: a JSON body of one of SCHEMAS (many: a list of them);
    located, with the Location of what it names (a 201, or the 200 of what existed already)."""
    body = {"type": "array", "items": ref(schema)} if many else ref(schema)
    reply = {"description": description, "content": json_content(body)}
    return {status: reply | ({"headers": LOCATION_HEADER} if located else {})}


def ref(schema: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema}"}


def responses(ok: dict, *errors: int, access: Access = Access.WRITE) -> dict:
    """A route's responses: its own (which win), then the errors it and every route of its
    access level can give; a route a signed link opens also refuses a bad signature."""
    common = {503} | ({401, 429} if access != Access.PUBLIC else set())
    common |= {403} if access in (Access.WRITE, Access.OWNER) else set()
    documented = dict(ok)
    for status in sorted(set(errors) | common):
        documented.setdefault(str(status), json_reply(ERROR_MEANINGS[status], "Error")["200"])
    return documented | (LINK_REFUSED if access == Access.LINK else {})


def parameter(name: str, where: str, schema: dict, description: str, required=False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


LINK_SECURITY = [{"bearer": []}, {}]  # a token, or a signed link (POST /files/{id}/link)


LINK_REFUSED = json_reply(
    "A signed link altered, made for another file or server, or expired", "Error", "403"
)


DOWNLOAD_ID_PARAMETER = parameter("download_id", "path", UUID_V4_SCHEMA, "A download id (UUID v4)")


class Connection:
    """One client connection: its socket, whether it is waiting for a request, and whether
    a request on it has shown a valid token (until then it is a stranger's: API.md "Fair to
    every person")."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.admitted_at = time.monotonic()
        self.waiting_since: float | None = self.admitted_at  # None while a request is served
        self.trusted = False  # set by the handler once a token was accepted on it

    def eviction_order(self) -> tuple:
        """Which connection a full listener closes first: strangers before token holders,
        and within each, the longest waiting first, then (strangers only) the oldest busy."""
        busy = self.waiting_since is None
        return (self.trusted, busy, self.admitted_at if busy else self.waiting_since)

    @property
    def evictable(self) -> bool:
        """Waiting, or a stranger's: either may be closed to admit a newcomer."""
        return self.waiting_since is not None or not self.trusted


class Connections:
    """Live connections, kept within max_connections without letting slow clients win.

    A connection is *waiting* from accept through the TLS handshake and the request headers,
    and again between keep-alive requests; it is *busy* while a request is answered. The
    `reaper` thread closes any connection that has waited longer than request_timeout_s in
    total, so a client trickling a byte at a time (slowloris) is cut off however it paces
    itself. At the cap, a connection no token was shown on is closed to admit the new one (the
    longest waiting first, then the oldest busy), else the token holder's that has waited
    longest, so idle, slow or tokenless clients can never lock a real one out; only busy
    connections of token holders count against a newcomer. The ACME client holds each request to its CA to a deadline with one of these
    too: a connection that never becomes busy is closed timeout_s after it was admitted.
    """

    def __init__(self, limit: int, timeout_s: float):
        # Guards _live and _closed; held while shutting a socket down; notified when a
        # connection is admitted, so that the reaper, asleep while there is none, looks.
        self._lock = threading.Condition(threading.Lock())
        self._live: set[Connection] = set()
        self._closed = False
        self.limit, self.timeout_s = limit, timeout_s
        self._reaper = threading.Thread(target=self._reap, name="reaper", daemon=True)
        self._reaper.start()

    def admit(self, sock: socket.socket) -> Connection | None:
        """Track a new connection, evicting a stranger's or a waiting one at the cap; None:
        refuse (every connection is a token holder's, busy)."""
        with self._lock:
            if len(self._live) >= self.limit:
                evictable = [c for c in self._live if c.evictable]
                if not evictable:
                    return None
                self._close(min(evictable, key=Connection.eviction_order))
            connection = Connection(sock)
            self._live.add(connection)
            if len(self._live) == 1:
                self._lock.notify()
            return connection

    def leave(self, connection: Connection) -> None:
        """The connection's thread is done; after this nobody shuts its socket down."""
        with self._lock:
            self._live.discard(connection)

    def _close(self, connection: Connection) -> None:
        """Wake the connection's thread from its blocking read: it sees EOF and ends."""
        self._live.discard(connection)
        with contextlib.suppress(OSError):
            socket.socket.shutdown(
                connection.sock, socket.SHUT_RDWR
            )  # the TCP level, even under TLS

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()

    def _reap(self) -> None:
        """Close each connection once it has waited timeout_s. Wakes when the longest-waiting
        one is due, and not at all while there is no connection (issue 25: an idle server
        wakes nobody). A busy connection that starts waiting later is due no sooner than
        timeout_s from now, so that is the longest the reaper sleeps."""
        with self._lock:
            while not self._closed:
                now = time.monotonic()
                waiting = [c for c in self._live if c.waiting_since is not None]
                for connection in waiting:
                    if connection.waiting_since <= now - self.timeout_s:
                        self._close(connection)
                due = [c.waiting_since + self.timeout_s - now for c in waiting if c in self._live]
                self._lock.wait(min(due, default=self.timeout_s) if self._live else None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)


GIVE_WAY_S = 0.005  # the longest a worker pauses at once for requests (see Foreground)


class Foreground:
    """Requests come before downloads (issue 17).

    Requests and workers share one GIL, and a worker busy in yt-dlp held it for most of
    the time a submit took: p50 6 ms instead of 1.3 ms beside two busy workers (--bench).
    So request handlers count themselves while they work (not while they wait for a
    change or stream a file), and workers give way at the points where yt-dlp reports to
    vidserve (each message, each progress step: every ~1.5 ms of its work): while any
    request is being worked on, they pause there, at most GIVE_WAY_S at a time, so that a
    flood of requests slows downloads down but never stops them.
    """

    def __init__(self):
        self._changed = threading.Condition()  # guards _working
        self._working = 0

    @contextlib.contextmanager
    def working(self):
        self._add(1)
        try:
            yield
        finally:
            self._add(-1)

    @contextlib.contextmanager
    def waiting(self):
        """Within `working`: a stretch that only waits (a long poll, a stream's bytes)."""
        self._add(-1)
        try:
            yield
        finally:
            self._add(1)

    def _add(self, step: int) -> None:
        with self._changed:
            self._working += step
            if not self._working:
                self._changed.notify_all()

    def give_way(self) -> None:
        """A worker's pause while requests are being worked on (the unlocked look is only a
        shortcut: the condition is checked again under the lock)."""
        if self._working:
            with self._changed:
                self._changed.wait_for(lambda: not self._working, GIVE_WAY_S)


class Metrics:
    """Counters since start, for /metrics: requests by route and status, bytes downloaded."""

    def __init__(self):
        self._lock = threading.Lock()  # guards requests and download_bytes
        self.requests: collections.Counter = collections.Counter()
        self.download_bytes = 0

    def count_request(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1

    def count_download(self, size: int) -> None:
        with self._lock:
            self.download_bytes += size

    def snapshot(self) -> tuple[dict, int]:
        with self._lock:
            return dict(self.requests), self.download_bytes


# ---- 5. Sites --------------------------------------------------------------------------------
# What vidserve knows of TikTok and Instagram beyond yt-dlp: TikTok photo posts, Instagram
# images, the messages each site refuses with; ExtractorFinder, which extractor takes a link.
#
# A TikTok photo post (a slideshow) yt-dlp calls unsupported, and in an Instagram image it
# finds "no video": vidserve completes both from what yt-dlp's own extractors fetch, and the
# worker saves those items through yt-dlp's own networking (so judged by the egress checks,
# as a browser where asked): no second HTTP client. ExtractorFinder gives each link the
# extractor yt-dlp would, without compiling its ~1,800 URL patterns, and a page only the
# extractors that could find a player embedded in it.


PLAYLIST_TYPES = ("playlist", "multi_video")  # yt-dlp results that hold several entries


@dataclass(frozen=True)
class SiteFailure:
    """A failure yt-dlp tells only in words: the words (lower case), and what they mean."""

    words: re.Pattern
    code: str  # "blocked": the site refused this server (see blocked)
    message: str | None = None  # for people; None: yt-dlp's own first line
    transient: bool = False
    impersonation_helps: bool = False  # the message adds so where yt-dlp cannot impersonate


@dataclass(frozen=True)
class Site:
    """Everything vidserve knows of one site beyond what yt-dlp knows, in one record: adding a
    site to download from or follow, or a way a site fails, is a change here (and, for its
    follows, nothing else: the routes, the checker and the OpenAPI document read SITES)."""

    name: str  # the API's `site` of a follow, and what yt-dlp's extractor names hold
    title: str  # as people write it
    tracking_params: str  # query parameters that only say who shared a link (a regex)
    failures: tuple[SiteFailure, ...]  # in the order they are tried
    flaky_404_hosts: re.Pattern | None  # a 404 from these is tried once more
    example_post: str  # a post's link, whose extractor the warm-up loads
    account_hosts: tuple[str, ...]  # where its accounts' pages are, the usual one first
    account_path: re.Pattern  # an account page's path; the name in (?P<account>...)
    account_page: str  # an account's page as vidserve writes it: {account} is the name
    not_accounts: frozenset[str]  # paths that look like an account's but are not
    follow_extractor: str  # yt-dlp's profile extractor
    follow_needs_cookies: bool  # whether yt-dlp lists an account only when logged in
    domain: str  # its links' hosts are this domain or under it

    def account_of(self, host: str, path: str) -> str | None:
        """The account a page of this site is of (lower case), or None."""
        match = self.account_path.fullmatch(path) if host in self.account_hosts else None
        account = match["account"].lower() if match else None
        return None if account in self.not_accounts else account

    def account_url_pattern(self, hosts: list[str]) -> str:
        """A regular expression for its accounts' links on `hosts` (the OpenAPI document's)."""
        names = "|".join(host.replace(".", "\\.") for host in hosts)
        path = re.sub(r"\(\?P<account>(.*)\)", r"\1", self.account_path.pattern)
        return f"^https://({names}){path}$"


TIKTOK = Site(
    name="tiktok",
    title="TikTok",
    tracking_params=r"is_from_webapp|sender_device|_r|_t|web_id|u_code|tt_from|social_sharing",
    failures=(
        # A bot wall: the challenge page instead of the post, to a client it took for a bot.
        SiteFailure(
            re.compile(
                r"unexpected response from webpage request|unable to extract challenge data"
            ),
            "blocked",
        ),
        # What TikTok's pages say now and then, and not on the next request (yt-dlp #17393,
        # #17332; the second is yt-dlp's message before 2026.01): the page came without the
        # post's data. Tried before "login": the advice yt-dlp adds may name it.
        SiteFailure(
            re.compile(
                r"unable to extract universal data for rehydration"
                r"|unable to extract webpage video data"
            ),
            "extractor",
            transient=True,
        ),
    ),
    # Hosts that answer 404 to about half the requests for what exists (yt-dlp #17372):
    # TikTok's pages and CDNs. A second 404 means the post is gone.
    flaky_404_hosts=re.compile(r"(?:^|\.)(?:tiktok|tiktokv|tiktokcdn|tiktokcdn-[a-z]+)\.com$"),
    example_post="https://www.tiktok.com/@vidserve/video/1",
    account_hosts=("www.tiktok.com", "tiktok.com", "m.tiktok.com"),
    account_path=re.compile(r"/@(?P<account>[A-Za-z0-9_.-]{1,64})"),
    account_page="https://www.tiktok.com/@{account}",
    not_accounts=frozenset(),
    follow_extractor="TikTokUser",  # lists an account without a login
    follow_needs_cookies=False,
    domain="tiktok.com",
)

INSTAGRAM = Site(
    name="instagram",
    title="Instagram",
    tracking_params=r"igsh|igshid|img_index",
    failures=(
        SiteFailure(re.compile(r"ip address is blocked|blocked from accessing"), "blocked"),
        # For a post it shows only to members.
        SiteFailure(
            re.compile(r"empty media response"),
            "login_required",
            "Instagram sent an empty media response: the post needs a login. Upload your"
            " cookies.txt with PUT /api/v1/cookies (see README)",
            impersonation_helps=True,
        ),
    ),
    flaky_404_hosts=None,
    example_post="https://www.instagram.com/p/vidserve/",
    account_hosts=("www.instagram.com", "instagram.com"),
    account_path=re.compile(r"/(?P<account>[A-Za-z0-9_.]{1,30})"),
    account_page="https://www.instagram.com/{account}/",
    not_accounts=frozenset(
        {"p", "reel", "reels", "tv", "stories", "explore", "accounts", "direct"}
    ),
    # yt-dlp's InstagramUser needs a login and is marked broken (_WORKING = False): it is
    # tried only where cookies are uploaded.
    follow_extractor="InstagramUser",
    follow_needs_cookies=True,
    domain="instagram.com",
)

SITES = (TIKTOK, INSTAGRAM)

# Failures yt-dlp tells only in words, the same on every site, tried after the site's own.
EVERY_SITES_FAILURES = (
    SiteFailure(re.compile(r"bot detection|not a bot"), "blocked"),
    SiteFailure(
        re.compile(r"login|cookies"),
        "login_required",
        "this post needs a login: upload your cookies.txt with PUT /api/v1/cookies (see README)",
    ),
    SiteFailure(re.compile(r"private"), "private", "this video is private"),
)


def site_of_link(url: str) -> Site | None:
    """The site a link is on, by its host, or None (another allowed domain)."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    found = [site for site in SITES if host == site.domain or host.endswith("." + site.domain)]
    return found[0] if found else None


SITE_REFUSALS_IN_A_ROW = 3  # API.md: a site refusing this many downloads in a row is left alone
SITE_WAIT_S = (60.0, 3600.0)  # its wait: a minute, doubling while it refuses, to an hour


class SitePushback:
    """Which sites are refusing this server (API.md "Sites that push back are left alone for
    a while"): after three downloads in a row from one site end `blocked` or `rate_limited`,
    its downloads and follow checks wait, a minute, doubling while it keeps refusing, to an
    hour; a download from it that succeeds ends the wait. Kept in memory: a restart is a
    fresh start, as the site's own limits usually are."""

    def __init__(self):
        self._lock = threading.Lock()  # guards _refusals and _until
        self._refusals: dict[str, int] = {}  # site name -> refusals in a row
        self._until: dict[str, float] = {}  # site name -> epoch seconds its wait ends

    def refused(self, site: Site) -> int:
        """A download from site was refused: how many in a row now (the wait starts at 3)."""
        with self._lock:
            count = self._refusals[site.name] = self._refusals.get(site.name, 0) + 1
            if count >= SITE_REFUSALS_IN_A_ROW:
                wait_s = min(SITE_WAIT_S[0] * 2 ** (count - SITE_REFUSALS_IN_A_ROW), SITE_WAIT_S[1])
                self._until[site.name] = time.time() + wait_s
            return count

    def succeeded(self, site: Site) -> None:
        with self._lock:
            self._refusals.pop(site.name, None)
            self._until.pop(site.name, None)

    def waiting_until(self, site: Site | None) -> float | None:
        """When site's wait ends, or None when it is not waiting."""
        if site is None:
            return None
        with self._lock:
            until = self._until.get(site.name)
        return until if until and until > time.time() else None

    def waiting_sites(self) -> dict[str, float]:
        """Each site waiting now, and when its wait ends."""
        now = time.time()
        with self._lock:
            return {name: until for name, until in self._until.items() if until > now}


def site_named(name: str | None) -> Site | None:
    """The site whose extractors' names hold `name` (yt-dlp's ExtractorError.ie: "TikTok",
    "vm.tiktok", "instagram:user"), or None."""
    found = [site for site in SITES if name and site.name in name.lower()]
    return found[0] if found else None


# A TikTok post's links: /@user/photo/<id> and /@user/video/<id> (the user may be missing),
# /share/video/<id>, on www., m. or tiktokv.com. Only the /video/ form's page holds the post
# (webapp.video-detail); a /photo/ page names it only in seo.abtest.canonical.
TIKTOK_POST_URL = re.compile(
    r"https?://(?:www\.|m\.)?tiktokv?\.com/(?:@(?P<user>[\w.-]*)|share)/(?:photo|video)/(?P<id>\d+)"
)


def tiktok_video_url(url: str) -> str | None:
    """The /video/ form of a TikTok post's link, whose page holds the post (gallery-dl asks
    it too); `@_` where the link names no one, as yt-dlp does. None for any other link."""
    if match := TIKTOK_POST_URL.match(url):
        return f"https://www.tiktok.com/@{match['user'] or '_'}/video/{match['id']}"
    return None


def tiktok_slideshow(info: dict) -> bool:
    """Whether yt-dlp's TikTok extractor read a photo post: it never reads imagePost, so it
    lists the post's sound alone (and saves only that). vidserve's extractor then reads the
    same post again, images and sound."""
    formats = info.get("formats")
    return (
        info.get("extractor_key") == "TikTok"
        and formats is not None
        and all(f.get("vcodec") == "none" for f in formats)
    )


@functools.cache
def tiktok_photo_extractor():
    """yt-dlp's TikTok extractor, taught photo posts: from any link of a post (/photo/,
    /video/, share), it fetches the post's /video/ page as yt-dlp does a video's (as a
    browser, its bot challenge solved), following the page's canonical link when that page
    holds no post, and lists every image, then the sound. A post that turns out to be a
    video goes back to yt-dlp's own extractor. Made once yt-dlp is loaded; its results say
    they are TikTok's."""
    from yt_dlp.extractor.tiktok import TikTokBaseIE
    from yt_dlp.utils import ExtractorError, traverse_obj, url_or_none

    class TikTokPhotoIE(TikTokBaseIE):
        IE_NAME = "tiktok:photo"
        _VALID_URL = TIKTOK_POST_URL.pattern

        def _real_extract(self, url):
            post_id = self._match_id(url)
            page = tiktok_video_url(url)
            item, status, canonical = Borrowed.tiktok_web_item(self, page, post_id)
            named = tiktok_video_url(canonical or "")
            if not item and named not in (None, page):  # the post is in its canonical page
                page = named
                item, status, canonical = Borrowed.tiktok_web_item(self, page, post_id)
            if status in (10216, 10222):
                self.raise_login_required("This post is private")
            if status == 10204:
                raise ExtractorError("Your IP address is blocked from accessing this post")
            if not item:  # as yt-dlp's own extractor says it: often gone on the next try
                raise ExtractorError(f"Post not available, status code {status}")
            if "imagePost" not in item:  # a video after all: yt-dlp's extractor saves it
                return self.url_result(page, ie="TikTok", video_id=post_id)
            images = traverse_obj(
                item, ("imagePost", "images", ..., "imageURL", "urlList", 0, {url_or_none})
            )
            if not images:
                raise ExtractorError("Photo post without images", expected=True)
            post = Borrowed.tiktok_post_info(self, item, page, post_id)
            sound = traverse_obj(item, ("music", "playUrl", {url_or_none}))
            items = [(image, "image") for image in images] + ([(sound, "audio")] if sound else [])
            entries = [
                direct_entry(post, address, kind, number)
                for number, (address, kind) in enumerate(items, start=1)
            ]
            return self.playlist_result(
                entries, post_id, post.get("title"), extractor_key="TikTok", **uploader(post)
            )

    return TikTokPhotoIE


def uploader(info: dict) -> dict:
    """Who posted it and when: what a post's items inherit from it."""
    return {key: info[key] for key in ("uploader", "channel", "timestamp") if info.get(key)}


def direct_entry(post: dict, url: str, kind: str, number: int) -> dict:
    """An item vidserve saves itself (an image, a slideshow's sound): named like a video,
    with its number in the post."""
    return {
        **uploader(post),
        "id": f"{post['id']}_{number}",
        "title": post.get("title") or post["id"],
        "url": url,
        "http_headers": post.get("http_headers") or {},
        "vidserve_kind": kind,
    }


def complete_instagram_images(info: dict) -> None:
    """Instagram lists an image as an item without formats, its versions as thumbnails:
    such an item becomes the largest version, to be saved as the site sent it."""
    if info.get("extractor_key") != "Instagram":
        return
    items = info.get("entries") if info.get("_type") in PLAYLIST_TYPES else None
    for number, item in enumerate(items if items is not None else [info], start=1):
        versions = [t for t in item.get("thumbnails") or [] if t.get("url")]
        if item.get("formats") or not versions:
            continue
        largest = max(versions, key=lambda t: (t.get("width") or 0) * (t.get("height") or 0))
        item.update(direct_entry({**item, "id": info["id"]}, largest["url"], "image", number))


class ExtractorFinder:
    """Which of yt-dlp's extractors takes a link: the one yt-dlp would choose, found without
    compiling yt-dlp's ~1,800 URL patterns.

    yt-dlp tries the extractors' patterns in turn, compiling each one it tries, so a link
    that only the generic extractor takes (a plain video's) compiles all of them: 0.35 s,
    and 4 MB that stay for good (issue 17). Yet most patterns spell their site out (TikTok's
    require "tiktok.com"), and a link that lacks what a pattern requires cannot match it.
    What each pattern requires is read from its parsed form (by re's own parser) once per
    set of patterns, and one text of it kept in the data directory: the text fewest other
    patterns require, or one for each of its alternatives. A link is then tried, in
    yt-dlp's order and by yt-dlp's own `suitable`, on the extractors whose text it holds,
    and on those whose patterns require nothing or which decide in code of their own. So
    the choice is yt-dlp's, and only a few hundred patterns are ever compiled.

    The generic extractor's search of a page for embedded players is narrowed the same way
    (`embedders`): yt-dlp offers the page to every extractor, loading each one for good
    (+26 MB), though only ~120 have embed patterns and ~50 search in code of their own. An
    extractor whose embed patterns' texts the page lacks cannot find anything in it.
    """

    FORMAT = 2  # of the saved texts: a new one makes the patterns be read again

    def __init__(self, looks: dict[str, list | None], embed_looks: dict | None = None):
        # ie_key -> [a text a link it takes holds; texts of which the link holds one]
        self._link_texts = texts_held(looks)
        # the extractors that can find an embedded player (None: not known, offer all)
        self._embedders = None if embed_looks is None else list(embed_looks)
        self._page_texts = texts_held(embed_looks or {})

    @classmethod
    def load(cls, saved: Path) -> ExtractorFinder:
        """The looks saved in `saved`, if they were made from yt-dlp's patterns as they are
        now. Else a child process reads the patterns anew (~0.7 s) and saves the looks:
        reading ~1,800 patterns leaves ~3 MB behind in the process that does it, and
        after each update of yt-dlp that process would be the server. Only where the
        child cannot save them (a read-only data directory) are they read here."""
        patterns = cls.patterns()
        digest = cls.digest(patterns)
        if (kept := cls.saved_looks(saved, digest)) is None:
            command = [*vidserve_program("vidserve.ExtractorFinder.save(sys.argv[1])"), str(saved)]
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(command, timeout=120, check=True, capture_output=True)
            kept = cls.saved_looks(saved, digest) or {"looks": cls.looks(patterns)}
        return cls(kept["looks"], kept.get("embeds"))

    @staticmethod
    def patterns() -> dict[str, list[str] | None]:
        """ie_key -> the patterns of each extractor of yt-dlp's (see plain_pattern)."""
        from yt_dlp.extractor import gen_extractor_classes
        from yt_dlp.extractor.common import InfoExtractor

        bases = [InfoExtractor]  # whose suitable() and _match_valid_url() go by the book
        with contextlib.suppress(ImportError):
            from yt_dlp.extractor.lazy_extractors import LazyLoadExtractor

            bases.append(LazyLoadExtractor)
        return {ie.ie_key(): plain_pattern(ie, bases) for ie in gen_extractor_classes()}

    @staticmethod
    def embed_patterns() -> dict[str, list[str] | None]:
        """ie_key -> the embed patterns of each extractor that can find a player embedded in
        a page, None where it searches in code of its own. Loads every extractor: only the
        child process of `load` calls it."""
        from yt_dlp.extractor import gen_extractor_classes

        found: dict[str, list[str] | None] = {}
        for ie in gen_extractor_classes():
            try:
                own_code, patterns = Borrowed.embed_search(ie)
            except Exception:  # noqa: BLE001 (an extractor that does not load: offer it)
                found[ie.ie_key()] = None
                continue
            readable = isinstance(patterns, (list, tuple)) and all(
                isinstance(p, str) for p in patterns
            )
            if own_code or not readable:
                found[ie.ie_key()] = None
            elif patterns:
                found[ie.ie_key()] = list(patterns)
        return found

    @classmethod
    def digest(cls, patterns: dict[str, list[str] | None]) -> str:
        """Of the URL patterns, and of yt-dlp's version (the embed patterns, which only a
        process loading every extractor can read)."""
        import yt_dlp.version

        version = f"{cls.FORMAT} {sys.version_info[:2]} {yt_dlp.version.__version__}"
        digest = hashlib.sha256(version.encode())
        for key, pattern in patterns.items():
            digest.update(json.dumps([key, pattern]).encode())
        return digest.hexdigest()

    @staticmethod
    def saved_looks(saved: Path, digest: str) -> dict | None:
        """{"looks": ..., "embeds": ...} as saved from these patterns, else None."""
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            kept = json.loads(saved.read_text())
            if kept["patterns"] == digest:
                return kept
        return None

    @staticmethod
    def looks(patterns: dict[str, list[str] | None]) -> dict[str, list | None]:
        """ie_key -> first_look of each pattern's requirements; None: try it always."""
        needs = {key: url_requirements(pattern) for key, pattern in patterns.items()}
        counts = collections.Counter(
            text for each in needs.values() for text in {*filter(is_text, each or ())}
        )
        return {key: first_look(each, counts) if each else None for key, each in needs.items()}

    @classmethod
    def save(cls, saved: str) -> None:
        """The child process of `load`: read yt-dlp's patterns, save the looks."""
        patterns = cls.patterns()
        looks = {
            "patterns": cls.digest(patterns),
            "looks": cls.looks(patterns),
            "embeds": cls.looks(cls.embed_patterns()),
        }
        partial = Path(saved).with_suffix(".part")
        partial.write_text(json.dumps(looks))
        partial.replace(saved)

    def find(self, ydl: Any, url: str) -> str | None:
        """The key of the extractor yt-dlp would give `url`; None to let yt-dlp look itself
        (it then reports the link unsupported, or yt-dlp has changed beyond recognition)."""
        extractors = Borrowed.extractors_in_order(ydl)
        if extractors is None or ydl.params.get("force_generic_extractor"):
            return None
        # A non-ASCII link: re folds case more widely than lower() does, so try all
        ruled_out = lacking(self._link_texts, url.lower()) if url.isascii() else set()
        for key, extractor in extractors.items():
            if key not in ruled_out and extractor.suitable(url):
                return key
        return None

    def embedders(self, page: str) -> set[str] | None:
        """The extractors that could find a player embedded in `page`: those that search in
        code of their own, and those whose embed patterns' texts it holds (folded as re's
        IGNORECASE folds them). None: all, as yt-dlp offers it (not known)."""
        if self._embedders is None:
            return None
        ruled_out = lacking(self._page_texts, page.translate(ASCII_CASE_FOLDS).lower())
        return {key for key in self._embedders if key not in ruled_out}


# The characters re.IGNORECASE takes for an ASCII letter that lower() does not make one
ASCII_CASE_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def texts_held(looks: dict[str, list | None]) -> tuple[list, list]:
    """ExtractorFinder's looks, as two lists: (ie_key, a text its texts hold), and (ie_key,
    texts of which they hold one)."""
    one = [(key, sys.intern(look[0])) for key, look in looks.items() if look and look[0]]
    any_of = [
        (key, tuple(map(sys.intern, look[1]))) for key, look in looks.items() if look and look[1]
    ]
    return one, any_of


def lacking(texts: tuple[list, list], held: str) -> set[str]:
    """The extractors whose texts (texts_held) `held`, lowercased, lacks."""
    one, any_of = texts
    ruled_out = {key for key, text in one if text not in held}
    ruled_out.update(key for key, options in any_of if not any(map(held.__contains__, options)))
    return ruled_out


class LoadedExtractors:
    """The ExtractorFinder every worker shares, once worker-1's warm-up has loaded it: until
    then a link's extractor is left for yt-dlp to find."""

    def __init__(self):
        self._lock = threading.Lock()  # guards _finder
        self._finder: ExtractorFinder | None = None

    def load(self, saved: Path) -> None:
        finder = ExtractorFinder.load(saved)
        with self._lock:
            self._finder = finder

    def find(self, ydl: Any, url: str) -> str | None:
        """ExtractorFinder.find, or None before the finder is loaded."""
        with self._lock:
            finder = self._finder
        return None if finder is None else finder.find(ydl, url)

    def embedders(self, page: str) -> set[str] | None:
        """ExtractorFinder.embedders, or None (all) before the finder is loaded."""
        with self._lock:
            finder = self._finder
        return None if finder is None else finder.embedders(page)


def plain_pattern(extractor: type, bases: list[type]) -> list[str] | None:
    """The patterns of an extractor that yt-dlp matches links against as `bases` do, else
    None: it decides in code of its own, or has no pattern (embeds only)."""
    for method in ("suitable", "_match_valid_url"):
        function = getattr(getattr(extractor, method), "__func__", None)
        if not any(function is getattr(base, method).__func__ for base in bases):
            return None
    patterns = Borrowed.url_patterns(extractor)
    patterns = [patterns] if isinstance(patterns, str) else patterns
    if not isinstance(patterns, (list, tuple)) or not all(isinstance(p, str) for p in patterns):
        return None
    return list(patterns)


def url_requirements(patterns: list[str] | None) -> list | None:
    """What every link one of `patterns` matches contains (see `requirements_of`), or None
    where that cannot be told."""
    if not patterns:
        return None
    try:
        options = [requirements_of(Borrowed.parse_regex(pattern)) for pattern in patterns]
    except Exception:  # noqa: BLE001 (a pattern re cannot parse, or a re of another shape)
        return None
    return options[0] if len(options) == 1 else [{"or": options}] if all(options) else None


def requirements_of(parsed: Any) -> list:
    """The texts a parsed pattern requires, in order: runs of literal characters (lowercase
    ASCII), and {"or": [...]} for alternatives each of which requires something. Whatever
    else a pattern holds (classes, optional parts, lookarounds) requires nothing here:
    leaving a requirement out only makes a link be tried on one more pattern."""
    sre = Borrowed.regex_opcodes()

    needs: list = []
    run: list[str] = []

    def end_run() -> None:
        text = "".join(run)
        if text and text.isascii():
            needs.append(text.lower())
        run.clear()

    for op, argument in parsed:
        if op is sre.LITERAL:
            run.append(chr(argument))
            continue
        end_run()
        if op is sre.SUBPATTERN:
            needs.extend(requirements_of(argument[3]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and argument[0]:
            needs.extend(requirements_of(argument[2]))
        elif op is sre.BRANCH:
            options = [requirements_of(branch) for branch in argument[1]]
            if all(options):
                needs.append({"or": options})
    end_run()
    return needs


def is_text(need: str | dict) -> bool:
    return isinstance(need, str)


def first_look(needs: list, counts: collections.Counter) -> list:
    """[the text that a link meeting `needs` holds which fewest patterns require, or None;
    texts of which it holds one at least (see one_of), or None where that is the same]."""
    text, any_of = rarest_text(needs, counts), one_of(needs, counts)
    return [text, None if any_of == [text] else any_of]


def rarest_text(needs: list, counts: collections.Counter) -> str | None:
    texts = [*filter(is_text, needs)]
    return min(texts, key=lambda text: (counts[text], -len(text))) if texts else None


def one_of(needs: list, counts: collections.Counter) -> list[str] | None:
    """Texts of which a link meeting `needs` holds one at least: one for each option of its
    alternatives with the most options (a site's domains), else the rarest text."""
    best: list[str] = []
    for need in needs:
        if not is_text(need) and len(need["or"]) > len(best):
            options = [one_of(option, counts) for option in need["or"]]
            if all(options):
                best = [text for option in options for text in option]
    if best:
        return best
    text = rarest_text(needs, counts)
    return [text] if text else None


# ---- 6. Links and the egress proxy -----------------------------------------------------------
# Which links may be fetched (UrlPolicy: the allow-list, the address rules, the duplicate
# key), the machine's own addresses, connect_allowed (the one way out to a site or a CA), and
# the proxy every connection of yt-dlp goes through, checked at each hop.
#
# Every connection yt-dlp makes goes through the proxy, whichever HTTP handler makes it: the
# one place where the allow-list and the address check are applied to each hop.


MAX_URL_CHARS = 2048


URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f]")  # spaces and control characters
URL_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")  # user, host and port


PLAIN_HOST = re.compile(r"[a-z0-9.-]{1,253}")  # API.md "Hardening": a host name, IDNA-encoded


NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: IPv4 in the last 32 bits


DEFAULT_PORTS = {"http": 80, "https": 443}


# Query parameters that only say who shared a link; dropping them makes the same video one job.
# Those of no one site here, then each site's own.
TRACKING_PARAMS = re.compile(
    "|".join([r"utm_\w+|si|share_\w+", *(site.tracking_params for site in SITES)])
)


SIOCGIFCONF, SIOCGIFFLAGS = 0x8912, 0x8913  # netdevice(7): IPv4 addresses; IFF_* flags
IFNAMSIZ = 16
# struct ifreq: the name, then a union whose largest member is a struct sockaddr (16 bytes)
# or a struct ifmap (two longs, a short, three chars): 40 bytes in all on 64 bits, 32 on 32.
IFREQ_BYTES = IFNAMSIZ + max(16, struct.calcsize("LLHBBB0L"))
IFF_UP = 0x1  # an interface's flag: it is up
PROC_IF_INET6 = Path("/proc/self/net/if_inet6")  # ProcSubset=pid hides /proc/net, not this


@dataclass(frozen=True)
class InterfaceAddress:
    """One address of one of this machine's interfaces."""

    interface: str
    up: bool  # the interface is up (IFF_UP)
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    scope: int = 0  # IPv6: the kernel's scope (0: global, unique-local included)
    flags: int = 0  # IPv6: the kernel's IFA_F_* flags (temporary, tentative, deprecated)


def interface_addresses() -> list[InterfaceAddress]:
    """Every address of this machine's interfaces right now (one added a moment ago
    counts), read without netlink, which vidserve.service's RestrictAddressFamilies forbids
    (getifaddrs(3) and if_nameindex(3) need it): IPv4 by ioctl SIOCGIFCONF, IPv6 from
    /proc/self/net/if_inet6, and which interfaces are up by SIOCGIFFLAGS. Raises OSError
    if unreadable."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:

        @functools.cache
        def up(interface: str) -> bool:
            name = interface.split(":")[0].encode()  # eth0:1, an alias: eth0's flags
            request = struct.pack(f"{IFNAMSIZ}sH", name, 0).ljust(IFREQ_BYTES, b"\0")
            flags = struct.unpack_from("H", fcntl.ioctl(sock, SIOCGIFFLAGS, request), IFNAMSIZ)
            return bool(flags[0] & IFF_UP)

        found = [
            InterfaceAddress(name, up(name), address) for name, address in ipv4_addresses(sock)
        ]
        with contextlib.suppress(FileNotFoundError):  # a kernel without IPv6
            for line in PROC_IF_INET6.read_text().splitlines():
                digits, _, _, scope, flags, name = line.split()
                address = ipaddress.IPv6Address(bytes.fromhex(digits))
                found.append(
                    InterfaceAddress(name, up(name), address, int(scope, 16), int(flags, 16))
                )
    return found


def ipv4_addresses(sock: socket.socket) -> list[tuple[str, ipaddress.IPv4Address]]:
    """(interface, address) of every IPv4 address, by SIOCGIFCONF into a buffer that grows
    until the kernel's list fits (each struct ifreq: the name, then a sockaddr_in)."""
    size = IFREQ_BYTES * 64
    while True:
        buffer = ctypes.create_string_buffer(size)
        request = struct.pack("iP", size, ctypes.addressof(buffer))  # struct ifconf
        length = struct.unpack("iP", fcntl.ioctl(sock, SIOCGIFCONF, request))[0]
        if length < size:
            break
        size *= 2
    raw = buffer.raw[:length]
    return [
        (raw[at : at + IFNAMSIZ].split(b"\0")[0].decode(errors="replace"),
         ipaddress.IPv4Address(raw[at + IFNAMSIZ + 4 : at + IFNAMSIZ + 8]))
        for at in range(0, length, IFREQ_BYTES)
    ]  # fmt: skip


def own_addresses() -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address of this machine's interfaces right now, public ones included."""
    return {entry.address for entry in interface_addresses()}


class UrlPolicy:
    """Which links vidserve will fetch: API.md's URL rules ("Hardening: what a link may
    reach" among them), and the duplicate key. The submit judges a link by the same parse
    that builds the URL yt-dlp is handed, and the egress proxy judges every host and address
    it is asked for with host_is_plain and address_allowed, so no parser can read another
    host out of the same text."""

    def __init__(
        self,
        allowed_domains: tuple[str, ...],
        allow_private: bool,
        private_networks=(),
        allowed_ports: tuple[int, ...] = (80, 443),
    ):
        self.allowed_domains = tuple(d.strip(".").encode("idna").decode() for d in allowed_domains)
        self.allow_private = allow_private
        self.private_networks = [ipaddress.ip_network(n) for n in private_networks]
        self.allowed_ports = frozenset(allowed_ports)

    @classmethod
    def of(cls, config: Config) -> Self:
        return cls(
            config.allowed_domains,
            config.allow_private_addresses,
            config.private_networks,
            config.allowed_ports,
        )

    @staticmethod
    def host_is_plain(host: str) -> bool:
        """API.md: letters, digits, '-' and '.', or an IPv6 address; never a backslash, '%'
        or anything another URL parser could read a different host out of."""
        return bool(PLAIN_HOST.fullmatch(host)) or (":" in host and "%" not in host and is_ip(host))

    def domain_allowed(self, host: str) -> bool:
        """The host is an allowed domain or a subdomain of one (an IP address has none)."""
        return any(
            host == domain or (host.endswith("." + domain) and not is_ip(domain))
            for domain in self.allowed_domains
        )

    def url_pattern(self) -> str:
        """A regular expression (ECMA-262 and Python alike) that only allowed URLs match:
        what the OpenAPI document tells clients, and fuzzers, about the url field."""
        hosts = []
        for domain in self.allowed_domains:
            escaped = domain.replace(".", "\\.")
            if ":" in domain:
                hosts.append(f"\\[{escaped}\\]")
            elif is_ip(domain):
                hosts.append(escaped)
            else:
                hosts.append(f"([A-Za-z0-9-]{{1,63}}\\.)*{escaped}")
        return (
            f"^https?://({'|'.join(hosts)})(:[1-9][0-9]{{0,3}})?([/?#][^\\x00-\\x20\\x7f-\\x9f]*)?$"
        )

    def address_allowed(self, address: str, port: int) -> bool:
        """One of the private networks the configuration allows (any port), or a public
        address on one of allowed_ports that is not this machine's own (API.md
        "Hardening": its SSH, a `host = "::"` vidserve are behind those)."""
        if self.allow_private:
            return True
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in network for network in self.private_networks):
            return True
        if ip in NAT64_PREFIX:  # RFC 6052: 64:ff9b::a00:1 reaches 10.0.0.1
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        return port in self.allowed_ports and ip.is_global and ip not in own_addresses()

    def check(self, url: Any, any_domain: bool = False) -> tuple[str, str]:
        """The URL to fetch, as parsed here, and its duplicate key (normalized), or ApiError
        400 (malformed) or 422 (not allowed). any_domain: a notification target's, which
        may be on any domain but is otherwise judged as a link is."""
        if not isinstance(url, str) or not url.strip():
            raise ApiError(400, "invalid_url", "url must be a non-empty string")
        url = url.strip()
        if len(url) > MAX_URL_CHARS:
            raise ApiError(400, "invalid_url", f"url is longer than {MAX_URL_CHARS} characters")
        authority = URL_AUTHORITY.match(url)
        if authority and " " in authority[1] and not URL_FORBIDDEN.search(url.replace(" ", "")):
            host = authority[1].rpartition("@")[2]  # a host, not a malformed URL (API.md)
            raise ApiError(422, "domain_not_allowed", f"{host!r} is not a host name")
        if URL_FORBIDDEN.search(url) or not is_utf8(url):
            raise ApiError(400, "invalid_url", "url contains spaces or control characters")
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError:
            raise ApiError(400, "invalid_url", "url cannot be parsed") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise ApiError(422, "scheme_not_allowed", "only http and https links are fetched")
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise ApiError(422, "userinfo_not_allowed", "links with user@ are not fetched")
        host = (parts.hostname or "").rstrip(".")
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise ApiError(400, "invalid_url", "the host name is not valid") from None
        if not host:
            raise ApiError(400, "invalid_url", "url has no host")
        if not self.host_is_plain(host) or not (any_domain or self.domain_allowed(host)):
            raise ApiError(
                422,
                "domain_not_allowed",
                f"{host} is not on the allow-list ({', '.join(self.allowed_domains)})",
            )
        if not self.allow_private:  # else any address will do: no need to ask DNS
            self.check_public(host, port or DEFAULT_PORTS[parts.scheme.lower()])
        return self.rebuild(parts, host, port), self.normalize(parts, host, port)

    def check_public(self, host: str, port: int) -> None:
        """Refuse hosts that resolve to loopback, private, link-local or reserved addresses.

        This is the early answer a client gets at submit time. A host that does not resolve
        right now is let through: the egress proxy checks every address each connection of
        yt-dlp goes to (section 3a), and that is what finally stops a rebinding name.
        """
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, port)}
        except (OSError, UnicodeError):
            return
        if not all(self.address_allowed(address, port) for address in addresses):
            raise ApiError(422, "private_address", f"{host}:{port} is a non-public address or port")

    @staticmethod
    def origin(parts: urllib.parse.SplitResult, host: str, port: int | None) -> tuple[str, str]:
        """(scheme, netloc) as judged here: lower case, an IPv6 host bracketed, no default
        port."""
        scheme = parts.scheme.lower()
        netloc = f"[{host}]" if ":" in host else host
        if port and port != DEFAULT_PORTS[scheme]:
            netloc += f":{port}"
        return scheme, netloc

    @classmethod
    def rebuild(cls, parts: urllib.parse.SplitResult, host: str, port: int | None) -> str:
        """The URL yt-dlp is handed: the host and port as judged here, the path and query
        as sent (a backslash escaped: some parsers take it for a slash), no fragment."""
        path, query = (part.replace("\\", "%5C") for part in (parts.path, parts.query))
        return urllib.parse.urlunsplit((*cls.origin(parts, host, port), path, query, ""))

    @classmethod
    def normalize(cls, parts: urllib.parse.SplitResult, host: str, port: int | None) -> str:
        """Same video, same string: lower-case host, no default port, fragment or trackers."""
        query = [
            (key, value)
            for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMS.fullmatch(key)
        ]
        path = parts.path.rstrip("/") or "/"
        origin = cls.origin(parts, host, port)
        return urllib.parse.urlunsplit((*origin, path, urllib.parse.urlencode(query), ""))


class AddressRefused(Exception):
    """A host whose every address UrlPolicy refuses; the message names one."""


def non_public(host: str, address: str, port: int) -> str:
    """Why a connection to host, at address, was refused: as a person reads it."""
    return f"{host} is at a non-public address ({address} port {port})"


def connect_allowed(policy: UrlPolicy, host: str, port: int, timeout_s: float) -> socket.socket:
    """A TCP connection to an address of host that policy allows: the address checked is the
    address used, so a name that changes its answer cannot slip past. AddressRefused when
    host has no allowed address, OSError when none of them answers."""
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    allowed = [info for info in addresses if policy.address_allowed(info[4][0], port)]
    if not allowed:
        raise AddressRefused(non_public(host, addresses[0][4][0], port))
    error: OSError = OSError(f"cannot connect to {host}")
    for family, kind, protocol, _, address in allowed:
        sock = socket.socket(family, kind, protocol)
        sock.settimeout(timeout_s)
        try:
            sock.connect(address)
        except OSError as err:
            sock.close()
            error = err
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error


EGRESS_TIMEOUT_S = 30.0  # the egress proxy's connect and site-idle limit; yt-dlp's is 20 s


YTDLP_SOCKET_TIMEOUT_S = 20  # yt-dlp's own connect and read limit (socket_timeout)


EGRESS_MAX_TUNNELS = 64  # open connections from yt-dlp through the egress proxy at once


RELAY_CHUNK_BYTES = 256 * 1024  # the egress proxy moves this much per system call


WARM_UP_HOST = "warm-up.vidserve.invalid"  # the egress proxy answers it itself (RFC 6761)


# What the egress hook is told of: a name looked up, a connection made (TCP Fast Open's too)
CHECKED_EVENTS = frozenset(
    {"socket.getaddrinfo", "socket.connect", "socket.sendto", "socket.sendmsg"}
)


OWN_CONNECTIONS = threading.local()  # .active on a thread making one of vidserve's own


@contextlib.contextmanager
def own_connections():
    """vidserve's own connections (a notification, ACME, --selftest's client): each judges
    its address itself (connect_allowed, with a policy of its own) or is the owner's choice,
    so the egress hook lets them be. Only vidserve's code, never yt-dlp, runs inside."""
    outer = getattr(OWN_CONNECTIONS, "active", False)
    OWN_CONNECTIONS.active = True
    try:
        yield
    finally:
        OWN_CONNECTIONS.active = outer


class EgressProxy:
    """What yt-dlp's traffic leaves by: a loopback HTTP proxy that checks addresses, and
    (guard_python) an audit hook that makes the same checks where Python itself connects.

    Checking the submitted URL is not enough: an allowed site can redirect to
    http://169.254.169.254/, and a name can resolve differently a second later (DNS
    rebinding). A guard inside one HTTP handler is not enough either: yt-dlp picks among
    urllib, requests and curl_cffi (which impersonates a browser, and whose libcurl resolves
    names and follows redirects by itself). So every YoutubeDL vidserve builds is given this
    proxy, as Stripe's Smokescreen guards egress: each CONNECT (https) or absolute-form
    request (plain http) names a host; the proxy resolves it, keeps only the addresses the
    policy allows, and connects to one of those itself, so the address checked is the
    address used, on every hop of every redirect. TLS stays end to end, so a browser's TLS
    fingerprint reaches the site untouched. A handler that cannot use an HTTP proxy
    (websockets) refuses such requests instead of going around it.

    The relay costs a second loopback connection for every byte (issue 33: 100 MiB took
    1.2-1.4x as long as yt-dlp alone, the whole gap; the same with the proxy in a process
    of its own, so not the GIL). yt-dlp's handlers written in Python (urllib, requests) are
    therefore checked where they connect instead, by `guard_python()`'s audit hook: the same
    host_is_plain on every name looked up, the same address_allowed on the address of every
    connect(), for every thread but vidserve's own connections. Those handlers then go
    without the relay (Borrowed.connect_directly); curl_cffi, which connects in C, and
    websockets keep it. A check that cannot be bypassed by a handler forgetting its proxy:
    it sits under every handler in Python, in the socket module itself.

    Each worker names itself in the proxy credentials (and is its thread's name); what was
    refused it is kept for `refusal()`, so a failed download can say that a non-public
    address was the reason, and the host it last tried to reach and what happened there (a
    name that did not resolve, a connection refused or timed out) for `last_reached()`:
    yt-dlp itself sees only "502". Threads: `egress` accepts; each tunnel has two threads,
    one per direction.
    """

    def __init__(self, policy: UrlPolicy, timeout_s: float = EGRESS_TIMEOUT_S):
        self.policy = policy
        self.timeout_s = timeout_s
        self.secret = secrets.token_urlsafe(18)  # only vidserve's own YoutubeDLs get in
        self._listener = socket.create_server(("127.0.0.1", 0))
        # Any local process may connect: until its credentials are read a connection is
        # waiting, and at the cap the longest-waiting one goes, so a flood of trickling
        # clients never keeps out a worker, whose credentials come in its first packet.
        # Only authenticated tunnels take one of the EGRESS_MAX_TUNNELS slots.
        self._connections = Connections(2 * EGRESS_MAX_TUNNELS, timeout_s)
        self._tunnels = threading.BoundedSemaphore(EGRESS_MAX_TUNNELS)
        self._lock = threading.Lock()  # guards _refusals and _reached
        self._refusals: dict[str, str] = {}  # client name -> the last thing refused to it
        self._reached: dict[str, Reached] = {}  # client name -> its last connection's fate
        # What the egress hook saw on this thread (.refused, .reached): each direct request's
        # thread is the one that tells its failure (ytdlp_failure), and forgets with it.
        self._direct = threading.local()
        self.address = self._listener.getsockname()[:2]
        self.guards_python = False  # guard_python() was called: Python handlers go direct

    def url(self, client: str) -> str:
        """What YoutubeDL's `proxy` option takes, naming the client (a worker)."""
        return f"http://{client}:{self.secret}@127.0.0.1:{self.address[1]}"

    def guard_python(self) -> None:
        """From now on, for the life of the process, check every name looked up and every
        address connected to in Python (sys.addaudithook), on every thread but vidserve's own
        connections (own_connections): yt-dlp's Python handlers may then connect directly."""
        sys.addaudithook(self._audit)
        self.guards_python = True

    def connect_directly(self, ydl: Any) -> None:
        """A YoutubeDL's Python handlers without the relay, once the hook checks them
        (guard_python); until then, or in a process without it, the relay carries all."""
        if self.guards_python:
            Borrowed.connect_directly(ydl)

    def _audit(self, event: str, args: tuple) -> None:
        """The audit hook: raises PermissionError (an OSError: yt-dlp tries the name's next
        address, then fails the request) where the proxy would have refused."""
        if event not in CHECKED_EVENTS or getattr(OWN_CONNECTIONS, "active", False):
            return
        direct = self._direct
        if event == "socket.getaddrinfo":
            host, port = args[0], args[1]
            if host is None:
                return  # a listener's
            host = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
            if not self.policy.host_is_plain(host.lower()):
                self._refuse_direct(repr(host), port, "not a plain host name")
                raise PermissionError(errno.EPERM, f"vidserve refused to look up {host!r}")
            direct.reached = Reached(host, None, time.monotonic(), direct=True)
            return
        sock, address = args[0], args[1]
        if address is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # a connected socket's send, or not the internet (systemd's notify socket)
        host, port = str(address[0]), address[1]
        if (host, port) == self.address:
            return  # to this proxy
        if not is_ip(host.split("%")[0]):
            refused = "a name, which connect() would look up unchecked"
        elif self.policy.address_allowed(host, port):
            return
        else:
            looked_up = getattr(direct, "reached", None)  # the name it was the address of
            refused = non_public(looked_up.host if looked_up else host, host, port)
        self._refuse_direct(host, port, refused)
        raise PermissionError(errno.EPERM, f"vidserve refused to connect to {host} port {port}")

    def _refuse_direct(self, host: str, port: Any, refused: str) -> None:
        thread = threading.current_thread().name
        log.warning("egress: refused %s:%s for %s: %s", host, port, thread, refused)
        self._direct.refused = refused

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._accept, name="egress", daemon=True)
        self._thread.start()
        return self

    def alive(self) -> bool:
        """Whether the accept loop still runs: without it every download would hang."""
        return self._thread.is_alive()

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # wakes the accept loop (a close alone does not)
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._connections.close()

    def refusal(self, client: str) -> str | None:
        """What the proxy refused this client, or the egress hook this thread, since it last
        asked, if anything; the host it last reached is forgotten too, so that a new job
        starts clean."""
        direct = self._direct
        refused = getattr(direct, "refused", None)
        direct.refused = direct.reached = None
        with self._lock:
            self._reached.pop(client, None)
            return self._refusals.pop(client, None) or refused

    def last_reached(self, client: str) -> Reached | None:
        """The host this client's last connection was for, through the proxy or (on this
        thread) directly, whichever came later, and why it failed if the proxy knows."""
        with self._lock:
            relayed = self._reached.get(client)
        direct = getattr(self._direct, "reached", None)
        if relayed is None or (direct and direct.looked_up > relayed.looked_up):
            return direct
        return relayed

    def _accept(self) -> None:
        # At the default priority, as are the tunnels' threads it starts: the data path.
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stopped
            connection = self._connections.admit(client)
            if connection is None or not start_thread(self._serve, (connection,), "egress"):
                if connection is not None:
                    self._connections.leave(connection)
                client.close()

    def _serve(self, connection: Connection) -> None:
        client, upstream, tunnel = connection.sock, None, False
        try:
            client.settimeout(self.timeout_s)
            head, early = read_head(client)
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ")
            headers = dict(parse_header_line(line) for line in header_lines if line)
            name = self._client_name(headers.get("proxy-authorization", ""))
            if name is None:
                answer_proxy(
                    client,
                    "407 Proxy Authentication Required",
                    'Proxy-Authenticate: Basic realm="vidserve"\r\n',
                )
                return
            connection.waiting_since = None  # a worker's: the reaper leaves it alone
            if not (tunnel := self._tunnels.acquire(blocking=False)):
                answer_proxy(client, "503 Too Many Tunnels")
                return
            if method == "CONNECT":  # https: a tunnel, TLS end to end
                host, _, port = target.rpartition(":")
                parts = None
            else:  # plain http: absolute-form, passed on in origin-form
                parts = urllib.parse.urlsplit(target)
                if parts.scheme != "http" or not parts.hostname:
                    answer_proxy(client, "400 Bad Request")
                    return
                host, port = parts.hostname, parts.port or 80
                if host == WARM_UP_HOST:  # Fetcher.warm's: answered here, never resolved
                    answer_proxy(client, "204 No Content")
                    return
            upstream = self._connect(name, host.strip("[]"), int(port))
            if upstream is None:
                answer_proxy(client, "403 Forbidden")
                return
            if parts is None:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                upstream.sendall(early)
            else:
                path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
                upstream.sendall(close_after([f"{method} {path} HTTP/1.1", *header_lines]) + early)
                answer, early_answer = read_head(upstream)
                client.sendall(close_after(answer.decode("latin-1").split("\r\n")) + early_answer)
            relay(client, upstream, self.timeout_s)
        except (OSError, ValueError, UnicodeError) as err:
            log.debug("egress: %s", err)
            with contextlib.suppress(OSError):
                answer_proxy(client, "502 Bad Gateway")
        finally:
            self._connections.leave(connection)  # before close: the fd must not be reused
            for sock in (client, upstream):
                if sock is not None:
                    sock.close()
            if tunnel:
                self._tunnels.release()

    def _client_name(self, authorization: str) -> str | None:
        """The client named in valid Basic credentials, else None."""
        scheme, _, encoded = authorization.partition(" ")
        try:
            name, _, secret = base64.b64decode(encoded, validate=True).partition(b":")
        except ValueError:
            return None
        # Bytes, compared in constant time: any password, ASCII or not, is just wrong.
        if scheme.lower() != "basic" or not hmac.compare_digest(secret, self.secret.encode()):
            return None
        return name.decode("utf-8", "replace")

    def _connect(self, client: str, host: str, port: int) -> socket.socket | None:
        """A connection to an allowed address of host, or None (and a refusal) if it has none:
        every hop is judged as the submit judged the link (UrlPolicy)."""
        if not self.policy.host_is_plain(host.lower()):
            return self._refuse(client, repr(host), port, "not a plain host name")
        try:
            upstream = connect_allowed(self.policy, host, port, self.timeout_s)
        except AddressRefused as refused:
            return self._refuse(client, host, port, str(refused))
        except OSError as err:
            cause = connect_failure_in_words(err, self.timeout_s)
            log.info("egress: cannot reach %s:%d for %s: %s (%s)", host, port, client, cause, err)
            with self._lock:
                self._reached[client] = Reached(host, cause, time.monotonic())
            raise
        with self._lock:
            self._reached[client] = Reached(host, None, time.monotonic())
        return upstream

    def _refuse(self, client: str, host: str, port: int, refused: str) -> None:
        log.warning("egress: refused %s:%d for %s: %s", host, port, client, refused)
        with self._lock:
            self._refusals[client] = refused


@dataclass(frozen=True, slots=True)
class Reached:
    """A host the egress proxy connected to for a client, and why it could not, if so; or a
    name a direct request looked up (the egress hook sees no outcome: lookup_failure)."""

    host: str
    failure: str | None  # in words: "its name does not resolve"; None: it connected
    looked_up: float  # time.monotonic()
    direct: bool = False


def connect_failure_in_words(err: OSError, timeout_s: float) -> str:
    """What a failed connection to a site means to a person (API.md "Errors in words")."""
    if isinstance(err, socket.gaierror):
        return "its name does not resolve (is this server offline, or its DNS down?)"
    if isinstance(err, ConnectionRefusedError):
        return "it refused the connection"
    if isinstance(err, TimeoutError):
        return f"it did not answer within {timeout_s:g} s"
    if err.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "no network route leads to it (is this server offline?)"
    return (err.strerror or str(err) or type(err).__name__).lower()


def unreachable(error: BaseException) -> str | None:
    """Why a connection yt-dlp made itself failed, in words (connect_failure_in_words), or
    None when nothing in the error says that a site could not be reached."""
    for item in exception_chain(error):
        if isinstance(item, (socket.gaierror, ConnectionRefusedError, TimeoutError)) or (
            isinstance(item, OSError) and item.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)
        ):
            return connect_failure_in_words(item, YTDLP_SOCKET_TIMEOUT_S)
    return None


def lookup_failure(host: str) -> str | None:
    """Why a name does not resolve, in words, or None when it does: asked after a direct
    request failed with nothing more to say, since the egress hook sees a lookup begin but
    not how it ended."""
    try:
        with own_connections():
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        return connect_failure_in_words(err, YTDLP_SOCKET_TIMEOUT_S)
    except (OSError, UnicodeError):
        return None
    return None


def tls_failure(error: BaseException) -> str | None:
    """What went wrong in a TLS handshake yt-dlp failed (the proxy sees only bytes pass), in
    words, or None when none failed."""
    from yt_dlp.networking.exceptions import SSLError

    for item in exception_chain(error):
        if isinstance(item, (SSLError, ssl.SSLError)):
            reason = getattr(item, "reason", None) or getattr(item.__cause__, "reason", None)
            if "CERTIFICATE_VERIFY_FAILED" in str(item) or reason == "CERTIFICATE_VERIFY_FAILED":
                return "its TLS certificate is not one this server trusts"
            return "the TLS handshake with it failed"
    return None


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """A request's head (without the blank line) and whatever followed it, bounded."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEADER_BYTES or not (chunk := sock.recv(65536)):
            raise ValueError("no complete request head")
        data += chunk
    head, _, early = data.partition(b"\r\n\r\n")
    return head, early


def parse_header_line(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip().lower(), value.strip()


def close_after(head_lines: list[str]) -> bytes:
    """A plain-http head passed on by the egress proxy, request or answer: one exchange per
    connection, so both sides see `Connection: close` and neither reuses what the proxy
    closes."""
    hop_by_hop = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}
    kept = [line for line in head_lines if parse_header_line(line)[0] not in hop_by_hop]
    return "\r\n".join([*kept, "Connection: close", "", ""]).encode("latin-1")


def answer_proxy(sock: socket.socket, status: str, headers: str = "") -> None:
    sock.sendall(f"HTTP/1.1 {status}\r\n{headers}Content-Length: 0\r\n\r\n".encode())


def relay(client: socket.socket, upstream: socket.socket, idle_s: float) -> None:
    """Copy bytes both ways until the site is done. Only the site's side has an idle limit:
    a client waits quietly through a long download, a stalled site is given up on."""
    for sock in (client, upstream):
        sock.settimeout(None)  # blocking: pump waits for the source itself, with poll
    if (up := start_thread(pump, (client, upstream, None), "egress")) is None:
        return  # the tunnel's caller closes both sides
    pump(upstream, client, idle_s)
    for sock in (client, upstream):  # the site is done: the client's side ends too
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    up.join()


def pump(source: socket.socket, sink: socket.socket, idle_s: float | None) -> None:
    """One direction of a tunnel, until the source ends, is idle for idle_s, or either side
    fails. The bytes go socket -> pipe -> socket inside the kernel (splice(2)): Python never
    copies them, and holds the GIL only to ask for the next chunk (issue 25: the guard at
    wire speed). Where os.splice is missing (not Linux), they are copied through a buffer."""
    readable = select.poll()
    readable.register(source, select.POLLIN)
    timeout_ms = None if idle_s is None else int(idle_s * 1000)
    with contextlib.ExitStack() as stack, contextlib.suppress(OSError):
        move = chunk_mover(stack)
        while readable.poll(timeout_ms) and move(source, sink):
            pass
        sink.shutdown(socket.SHUT_WR)


def chunk_mover(stack: contextlib.ExitStack) -> Callable[[socket.socket, socket.socket], int]:
    """A function that moves one chunk from a readable socket to another, whole, and
    answers how many bytes it moved (0: the source has ended)."""
    if not hasattr(os, "splice"):
        buffer = memoryview(bytearray(RELAY_CHUNK_BYTES))

        def copy(source: socket.socket, sink: socket.socket) -> int:
            if count := source.recv_into(buffer):
                sink.sendall(buffer[:count])
            return count

        return copy
    reader, writer = os.pipe()
    stack.callback(os.close, reader)
    stack.callback(os.close, writer)
    with contextlib.suppress(OSError):  # a larger pipe moves more per call; 64 KiB else
        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, RELAY_CHUNK_BYTES)

    def splice(source: socket.socket, sink: socket.socket) -> int:
        count = left = os.splice(source.fileno(), writer, RELAY_CHUNK_BYTES)
        while left:
            left -= os.splice(reader, sink.fileno(), left)
        return count

    return splice


# ---- 7. Jobs ---------------------------------------------------------------------------------
# A download from submit to its end: the status object, the jobs table and its SQL, the
# queue and the jobs running now, a person's bounds, and the routes that submit, read, wait
# for, cancel and retry a download.


MAX_CLIENT_ID_CHARS = 64


MAX_WAIT_S = 120  # API.md: ?wait=0..120


DISK_RECHECK_S = 5.0  # workers paused by a full disk look again this often


CLIENT_ID = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,64}")  # API.md: at most 64 characters


class Status(StrEnum):
    PENDING = "pending"
    DOWNLOADING = "downloading"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})


# What a saved video was found to be (the worker's check_video), kept with each file in the
# files column, and said of the first video in the status object; null where not checked.
PLAYABILITY_FIELDS = ("codec", "has_audio", "playable_on_iphone", "playable_note")


def dedupe_key(normalized_url: str, audio_only: bool) -> str:
    """Same link, same sound-or-video: one download (per user)."""
    return normalized_url + ("#audio" if audio_only else "")


class FetchError(Exception):
    """Why a download failed: a stable code, a sentence for people, and whether to retry
    (at most max_retries times, where fewer than the configuration's make sense)."""

    def __init__(
        self,
        code: str,
        message: str,
        transient: bool,
        retry_after_s: float = 0,
        max_retries: int | None = None,
    ):
        message = in_words(message)
        super().__init__(message)
        self.code, self.message, self.transient = code, message, transient
        self.retry_after_s, self.max_retries = retry_after_s, max_retries


@dataclass(slots=True)
class Job:
    """One row of the jobs table; field names are column names."""

    seq: int
    id: str
    url: str
    dedupe_key: str
    client_id: str
    audio_only: bool
    status: Status
    created_at: str
    last_updated: str
    started_at: str | None
    completed_at: str | None
    not_before: float
    retry_count: int
    filename: str | None
    file_path: str | None
    file_size: int | None
    files: list
    file_removed: bool
    error_code: str | None
    error_message: str | None
    progress: dict | None
    title: str | None
    uploader: str | None
    duration_s: float | None
    thumbnail_url: str | None
    total_bytes: int | None
    site: str | None
    video_id: str | None
    duplicate_of: str | None
    forced: bool
    user: str  # OWNER, or the name of the person who submitted it
    thumbnail: str | None  # the saved thumbnail's file name in download_dir/.thumbnails
    follow_id: str | None  # the follow that queued it; None for a shared link
    searchable: bool  # in the search index yet (ended, and indexed in a batch since)
    requeued_after_update: str | None  # the yt-dlp version whose switch queued it again

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        values = dict(row)
        values["status"] = Status(values["status"])
        values["audio_only"] = bool(values["audio_only"])
        values["file_removed"] = bool(values["file_removed"])
        values["forced"] = bool(values["forced"])
        values["files"] = json.loads(values["files"])
        values["progress"] = json.loads(values["progress"]) if values["progress"] else None
        return cls(**values)

    def to_api(self, live_progress: dict | None = None) -> dict:
        """The status object of API.md: base names only, never a server path."""
        present = self.status == Status.COMPLETED and not self.file_removed
        files = [
            {
                "index": index,
                "filename": item["filename"],
                "file_size": item["file_size"],
                "file_url": f"/api/v1/files/{self.id}/{index}",
                "kind": file_kind(item["filename"]),
                **{key: item.get(key) for key in PLAYABILITY_FIELDS},
            }
            for index, item in enumerate(self.files if present else [])
        ]
        video = next((item for item in files if item["kind"] == "video"), {})
        return {
            "download_id": self.id,
            "url": self.url,
            "client_id": self.client_id,
            "status": str(self.status),
            "submitted_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "filename": self.filename if present else None,
            "file_size": self.file_size if present else None,
            "file_url": f"/api/v1/files/{self.id}" if present else None,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "retry_count": self.retry_count,
            "progress": live_progress or self.progress,
            "title": self.title,
            "uploader": self.uploader,
            "duration_s": self.duration_s,
            "thumbnail_url": self.thumbnail_url,
            "thumbnail": f"/api/v1/files/{self.id}/thumbnail"
            if present and self.thumbnail
            else None,
            "audio_only": self.audio_only,
            "files": files,
            "site": self.site,
            "video_id": self.video_id,
            "duplicate_of": self.duplicate_of,
            "file_removed": self.file_removed,
            "last_updated": self.last_updated,
            "user": self.user,
            "waiting_until": utc_iso(self.not_before)  # its site's wait, a retry's backoff
            if self.status == Status.PENDING and self.not_before > time.time()
            else None,
            **{key: video.get(key) for key in PLAYABILITY_FIELDS},
            "follow_id": self.follow_id,
            "requeued_after_update": self.requeued_after_update,
        }


class Jobs:
    """The jobs table: a download's life from submit to its end, as SQL.

    Every method that changes a job calls `on_change(job)` after its commit, so waiting
    clients and the event stream see each change exactly once and only once it is durable.
    """

    def __init__(self, database: Database, on_change: Callable[[Job], None] = lambda job: None):
        self._db = database
        self._on_change = on_change

    def announce(self, job: Job) -> None:
        """A job another capability changed in its own transaction (a follow's check)."""
        self._on_change(job)

    def write(self, sql: str, params: dict, durable=True) -> Job | None:
        """Run one UPDATE ... RETURNING * and commit it; announce the changed job."""
        row = self._db.commit(lambda db: db.execute(sql, params).fetchone(), durable)
        job = Job.from_row(row) if row else None
        if job:
            self._on_change(job)
        return job

    def submit(
        self,
        url: str,
        dedupe_key: str,
        client_id: str,
        audio_only: bool,
        force: bool,
        still_present: Callable[[Job], bool],
        user: str,
        admit: Callable[[sqlite3.Connection, str], None] = lambda db, user: None,
    ) -> tuple[Job, bool]:
        """Insert a pending job, or return the live duplicate of it: (job, duplicate).
        Per user: one person's download never stands for another's. `admit` may refuse a
        new one (ApiError) in the same transaction: a person's bounds."""
        new = {"url": url, "dedupe_key": dedupe_key, "client_id": client_id}
        new |= {"audio_only": audio_only, "forced": force, "user": user}
        row, duplicate = self._db.commit(lambda db: self.insert_job(db, new, still_present, admit))
        job = Job.from_row(row)
        if not duplicate:
            self._on_change(job)
        return job, duplicate

    @staticmethod
    def insert_job(
        db: sqlite3.Connection, new: dict, still_present: Callable[[Job], bool], admit=None
    ) -> tuple[sqlite3.Row, bool]:
        """Insert a pending job of the columns in `new`, unless it is not forced and the same
        user has a live duplicate of it, or `admit` refuses: (the row, if it is the duplicate)."""
        if not new["forced"]:
            for row in db.execute(
                "SELECT * FROM jobs WHERE dedupe_key = ? AND user = ?"
                " AND status IN ('pending', 'downloading', 'completed')"
                " AND file_removed = 0 ORDER BY seq DESC",
                (new["dedupe_key"], new["user"]),
            ).fetchall():
                existing = Job.from_row(row)
                if existing.status != Status.COMPLETED or still_present(existing):
                    return row, True
        if admit:
            admit(db, new["user"])
        now = utc_now()
        columns = {**new, "id": new_download_id(), "created_at": now, "last_updated": now}
        row = db.execute(
            f"INSERT INTO jobs (status, searchable, {', '.join(columns)})"  # see migration 8
            f" VALUES ('pending', 0, {', '.join(':' + name for name in columns)}) RETURNING *",
            columns,
        ).fetchone()
        return row, False

    def get(self, download_id: str) -> Job | None:
        rows = self._db.read("SELECT * FROM jobs WHERE id = ?", (download_id,))
        return Job.from_row(rows[0]) if rows else None

    def recover_interrupted(self) -> list[str]:
        """At start: jobs left downloading by a crash go back to pending. Returns their ids."""
        rows = self._db.commit(
            lambda db: db.execute(
                "UPDATE jobs SET status = 'pending', started_at = NULL, progress = NULL,"
                " last_updated = ? WHERE status = 'downloading' RETURNING id",
                (utc_now(),),
            ).fetchall()
        )
        return [row[0] for row in rows]

    def claim_next(self) -> Job | None:
        """Move the next due pending job to downloading and return it, atomically: a shared
        link before any download a follow queued, then the oldest of the person whose last
        download started longest ago (API.md "A fair queue"). Not fsync'd: after a power cut
        the job is pending again, as recovery would make it."""
        return self.write(
            "UPDATE jobs SET status = 'downloading', started_at = :now, last_updated = :now,"
            " error_code = NULL, error_message = NULL, progress = NULL"
            " WHERE seq = (WITH waiting AS (SELECT user, follow_id IS NOT NULL AS followed,"
            "   MIN(seq) AS first FROM jobs WHERE status = 'pending' AND not_before <= :epoch"
            "   GROUP BY 1, 2) SELECT first FROM waiting ORDER BY followed,"  # shared links first
            "   (SELECT MAX(started_at) FROM jobs WHERE jobs.user = waiting.user), first LIMIT 1)"
            " RETURNING *",
            {"now": utc_now(), "epoch": time.time()},
            durable=False,
        )

    def seconds_until_due(self) -> float | None:
        """How long until the next backed-off job may run; None when nothing is waiting."""
        rows = self._db.read("SELECT MIN(not_before) FROM jobs WHERE status = 'pending'")
        due = rows[0][0]
        return None if due is None else max(0.0, due - time.time())

    def record_metadata(self, download_id: str, meta: dict) -> Job | None:
        return self.write(
            "UPDATE jobs SET title = :title, uploader = :uploader, duration_s = :duration_s,"
            " thumbnail_url = :thumbnail_url, last_updated = :now"
            " WHERE id = :id AND status = 'downloading'"
            # Mostly what record_identity wrote a moment before: then no row, no page written
            # (issue 25: a job's title went through the search index twice, ~10 WAL pages).
            " AND (title, uploader, duration_s, thumbnail_url)"
            " IS NOT (:title, :uploader, :duration_s, :thumbnail_url) RETURNING *",
            {**meta, "id": download_id, "now": utc_now()},
            durable=False,  # yt-dlp reads it again on the retry after a power cut
        )

    def record_identity(
        self, download_id: str, site: str | None, video_id: str | None, meta: dict
    ) -> Job | None:
        """Which post the link turned out to be, and its title, once yt-dlp recognised it."""
        return self.write(
            "UPDATE jobs SET site = :site, video_id = :video_id, title = :title,"
            " uploader = :uploader, duration_s = :duration_s, thumbnail_url = :thumbnail_url,"
            " last_updated = :now WHERE id = :id AND status = 'downloading' RETURNING *",
            {**meta, "id": download_id, "site": site, "video_id": video_id, "now": utc_now()},
            durable=False,  # yt-dlp reads it again on the retry after a power cut
        )

    def complete(
        self,
        download_id: str,
        files: list[dict],
        progress: dict,
        file_path: str,
        duplicate_of: str | None = None,
        thumbnail: str | None = None,
    ) -> Job | None:
        """Mark done with its files; None when the job was cancelled in the meantime."""
        first = files[0]
        return self.write(
            "UPDATE jobs SET status = 'completed', completed_at = :now, last_updated = :now,"
            " filename = :filename, file_path = :file_path, file_size = :file_size,"
            " files = :files, total_bytes = :total_bytes, progress = :progress, file_removed = 0,"
            " duplicate_of = :duplicate_of, thumbnail = :thumbnail"
            " WHERE id = :id AND status = 'downloading' RETURNING *",
            {
                "id": download_id,
                "thumbnail": thumbnail,
                "now": utc_now(),
                "filename": first["filename"],
                "file_path": file_path,
                "file_size": first["file_size"],
                "files": json.dumps(files),
                "total_bytes": sum(item["file_size"] for item in files),
                "progress": json.dumps(progress),
                "duplicate_of": duplicate_of,
            },
        )

    def reschedule(
        self, download_id: str, delay_s: float, code: str | None, message: str | None, tried=1
    ) -> Job | None:
        """Back to pending after a transient failure (or untried, tried=0, while its site
        refuses this server: SitePushback), due again in delay_s."""
        return self.write(
            f"UPDATE jobs SET status = 'pending', retry_count = retry_count + {int(tried)},"
            " not_before = :due, error_code = :code, error_message = :message,"
            " last_updated = :now WHERE id = :id AND status = 'downloading' RETURNING *",
            {
                "id": download_id,
                "due": time.time() + delay_s,
                "code": code,
                "message": message,
                "now": utc_now(),
            },
        )

    def fail(self, download_id: str, code: str, message: str) -> Job | None:
        return self.write(
            "UPDATE jobs SET status = 'failed', completed_at = :now, last_updated = :now,"
            " error_code = :code, error_message = :message"
            " WHERE id = :id AND status = 'downloading' RETURNING *",
            {"id": download_id, "code": code, "message": message, "now": utc_now()},
        )

    def interrupt(self, download_id: str) -> Job | None:
        """Back to pending, not counted as a retry: the server stopped under it."""
        return self.write(
            "UPDATE jobs SET status = 'pending', started_at = NULL, progress = NULL,"
            " last_updated = :now WHERE id = :id AND status = 'downloading' RETURNING *",
            {"id": download_id, "now": utc_now()},
        )

    def cancel(self, download_id: str) -> Job | None:
        """Pending or downloading becomes cancelled; None when the job was in another state."""
        return self.write(
            "UPDATE jobs SET status = 'cancelled', completed_at = :now, last_updated = :now,"
            " error_code = 'cancelled', error_message = 'cancelled by a client'"
            " WHERE id = :id AND status IN ('pending', 'downloading') RETURNING *",
            {"id": download_id, "now": utc_now()},
        )

    @staticmethod
    def cancel_every_job_of(db: sqlite3.Connection, user: str) -> None:
        """A removed person's waiting and running downloads end (in their removal's commit;
        RunningJobs.stop_ended stops the running ones' workers)."""
        db.execute(
            "UPDATE jobs SET status = 'cancelled', completed_at = :now, last_updated = :now,"
            " error_code = 'user_removed', error_message = 'the person who asked was removed'"
            " WHERE user = :user AND status IN ('pending', 'downloading')",
            {"user": user, "now": utc_now()},
        )

    def announce_removal_of(self, user: str) -> None:
        """Tell waiting clients and event streams of the downloads a removal cancelled."""
        for row in self._db.read(
            "SELECT * FROM jobs WHERE user = ? AND error_code = 'user_removed'"
            " AND status = 'cancelled'",
            (user,),
        ):
            self._on_change(Job.from_row(row))

    def statuses(self, download_ids: list[str]) -> dict[str, str]:
        """id -> status of these jobs, read now."""
        marks = ", ".join("?" * len(download_ids))
        rows = self._db.read(f"SELECT id, status FROM jobs WHERE id IN ({marks})", (*download_ids,))
        return {row[0]: row[1] for row in rows}

    def mark_removed(self, download_id: str) -> Job | None:
        """A completed job's files are gone (deleted by a client, or by hand)."""
        return self.write(
            "UPDATE jobs SET file_removed = 1, last_updated = :now"
            " WHERE id = :id AND status = 'completed' AND file_removed = 0 RETURNING *",
            {"id": download_id, "now": utc_now()},
        )

    def requeue(self, download_id: str) -> Job | None:
        """A failed or cancelled job starts over; None when it is in another state."""
        return self.write(
            "UPDATE jobs SET status = 'pending', retry_count = 0, not_before = 0,"
            " error_code = NULL, error_message = NULL, started_at = NULL, completed_at = NULL,"
            " progress = NULL, last_updated = :now"
            " WHERE id = :id AND status IN ('failed', 'cancelled') RETURNING *",
            {"id": download_id, "now": utc_now()},
        )

    @staticmethod
    def holds_post(db: sqlite3.Connection, new: dict) -> bool:
        """Whether new["user"] has a download of the post (site, video_id) already, live or
        done: a follow's check queues none of those again."""
        return bool(
            db.execute(
                "SELECT 1 FROM jobs WHERE site = ? AND video_id = ? AND user = ?"
                " AND status IN ('pending', 'downloading', 'completed')",
                (new["site"], new["video_id"], new["user"]),
            ).fetchone()
        )

    def insert_completed(self, rows: Iterable[dict]) -> None:
        """Completed jobs written straight in, in one commit (the bench's long history): each
        row holds id, url, dedupe_key, client_id, title and uploader."""
        now = utc_now()
        self._db.commit(
            lambda db: db.executemany(
                "INSERT INTO jobs (id, url, dedupe_key, client_id, status, created_at,"
                " last_updated, filename, file_path, file_size, total_bytes, files, title,"
                " uploader) VALUES (:id, :url, :dedupe_key, :client_id, 'completed', :now,"
                " :now, 'v.mp4', 'v.mp4', 1, 1, '[]', :title, :uploader)",
                (row | {"now": now} for row in rows),
            )
        )

    # What the API tells of a person's downloads: how many they submitted (see People), and
    # the bytes of the files they keep, a file two downloads share counted once, for the first.
    DOWNLOADS_OF_PERSON = "(SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE user = users.name)"
    KEPT_BYTES = (
        "(SELECT COALESCE(SUM(total_bytes), 0) FROM jobs WHERE jobs.user = {user}"
        " AND status = 'completed' AND file_removed = 0 AND duplicate_of IS NULL)"
    )
    BYTES_OF_PERSON = KEPT_BYTES.format(user="users.name")

    @classmethod
    def bytes_kept_by(cls, db: sqlite3.Connection, user: str) -> int:
        return db.execute("SELECT " + cls.KEPT_BYTES.format(user="?"), (user,)).fetchone()[0]

    def counts(self) -> dict[str, int]:
        rows = self._db.read("SELECT status, SUM(n) FROM job_counts GROUP BY status")
        return {str(status): 0 for status in Status} | {row[0]: row[1] for row in rows}

    def counts_by_user(self) -> dict[tuple[str, str], int]:
        """(user, status) -> downloads, for /metrics."""
        rows = self._db.read("SELECT user, status, SUM(n) FROM job_counts GROUP BY 1, 2")
        return {(row[0], row[1]): row[2] for row in rows}


class JobFiles:
    """What the jobs table says of the files downloads saved: which downloads of a post hold
    files still, and what is on disk (the Library's and the worker's questions)."""

    def __init__(self, database: Database):
        self._db = database

    def saved_copies(self, job: Job) -> list[Job]:
        """Other downloads of the same user that saved the same post, with files listed: first
        ones first. Per user (API.md): one person's download never points at another's."""
        rows = self._db.read(
            "SELECT * FROM jobs WHERE site = ? AND video_id = ? AND audio_only = ? AND id != ?"
            " AND user = ? AND status = 'completed' AND file_removed = 0"
            " ORDER BY duplicate_of IS NOT NULL, seq",
            (job.site, job.video_id, job.audio_only, job.id, job.user),
        )
        return [Job.from_row(row) for row in rows]

    def files_in_use(self, job: Job) -> set[str]:
        """Which of a job's files other downloads of the same post still list: kept on delete.
        Only the same user's count: another's files are in another folder."""
        rows = self._db.read(
            "SELECT DISTINCT json_extract(item.value, '$.filename') FROM jobs, json_each(jobs.files)"
            " AS item WHERE site = ? AND video_id = ? AND jobs.id != ? AND user = ?"
            " AND status = 'completed' AND file_removed = 0",
            (job.site, job.video_id, job.id, job.user),
        )
        return {row[0] for row in rows}

    def storage_totals(self) -> tuple[int, int]:
        """(bytes, files) of finished downloads still on disk."""
        rows = self._db.read(
            "SELECT COALESCE(SUM(total_bytes), 0), COALESCE(SUM(json_array_length(files)), 0)"
            " FROM jobs WHERE status = 'completed' AND file_removed = 0"
        )
        return rows[0][0], rows[0][1]

    def stored_files(self) -> list[Job]:
        """Completed jobs whose files are still on disk, oldest first: retention's input."""
        rows = self._db.read(
            "SELECT * FROM jobs WHERE status = 'completed' AND file_removed = 0"
            " ORDER BY completed_at, seq"
        )
        return [Job.from_row(row) for row in rows]


def count_jobs_in(path: Path) -> int:
    """How many downloads a database file holds, read without changing it (a backup)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]


def requeue_after_update(database: Database, jobs: Jobs, ids: list[str], version: str) -> list:
    """After a switch of yt-dlp: the failures it read queued again (Jobs.requeue), each once
    a version (requeued_after_update marks it in the same commit as the choice)."""
    sql = "UPDATE jobs SET requeued_after_update = ? WHERE id = ? AND status = 'failed'"
    sql += " AND requeued_after_update IS NOT ?"
    once = lambda db: [i for i in ids if db.execute(sql, (version, i, version)).rowcount]
    return [job for job in map(jobs.requeue, database.commit(once)) if job]


class JobQueue:
    """Hands a committed job to a sleeping worker at once: there is no poll interval.

    `may_start` is asked before each claim: while it says no (the disk is nearly full),
    workers leave jobs pending and look again every DISK_RECHECK_S. A worker claims with
    the condition released, so a submit's wake() never waits behind a claim's commit;
    `_wakeups` tells a worker that a wake came while it was claiming.
    """

    def __init__(self, jobs: Jobs, may_start: Callable[[], bool] = lambda: True):
        self._jobs = jobs
        self._may_start = may_start
        self._ready = threading.Condition()  # guards _wakeups
        self._wakeups = 0
        self.stopping = threading.Event()

    def wake(self) -> None:
        """After committing a runnable job: submit, retry, recovery."""
        with self._ready:
            self._wakeups += 1
            self._ready.notify()

    def stop(self) -> None:
        self.stopping.set()
        with self._ready:
            self._ready.notify_all()  # sleeping workers must notice the Event too

    def take(self) -> Job | None:
        """Block until this worker owns a job; None once the server is stopping."""
        while not self.stopping.is_set():
            seen = self._wakeups
            if not self._may_start():
                timeout_s = DISK_RECHECK_S
            elif job := self._jobs.claim_next():
                return job
            else:
                timeout_s = self._jobs.seconds_until_due()
            with self._ready:
                self._ready.wait_for(
                    lambda seen=seen: self._wakeups != seen or self.stopping.is_set(), timeout_s
                )
        return None


@dataclass
class Run:
    """A job a worker is running now: its live progress and the flag that stops it."""

    cancel: threading.Event = field(default_factory=threading.Event)
    progress: dict = field(default_factory=dict)
    published_at: float = 0.0
    metadata_saved: bool = False
    failure: FetchError | None = None  # set by the progress hook when it must stop the job
    playability: dict = field(default_factory=dict)  # a saved video's name -> check_video's facts


class RunningJobs:
    """The jobs workers are running, by id. Routes read progress and set cancel flags here."""

    def __init__(self):
        self._lock = threading.Condition()  # guards _runs; notified when a run finishes
        self._runs: dict[str, Run] = {}

    def start(self, download_id: str) -> Run:
        with self._lock:
            run = self._runs[download_id] = Run()
        return run

    def finish(self, download_id: str) -> None:
        with self._lock:
            self._runs.pop(download_id, None)
            self._lock.notify_all()

    def wait_finished(self, download_id: str, timeout_s: float) -> bool:
        """Whether no worker runs this job any more (waiting up to timeout_s for it)."""
        with self._lock:
            return self._lock.wait_for(lambda: download_id not in self._runs, timeout_s)

    def progress(self, download_id: str) -> dict | None:
        with self._lock:
            run = self._runs.get(download_id)
            return dict(run.progress) if run and run.progress else None

    def cancel(self, download_id: str) -> None:
        with self._lock:
            if run := self._runs.get(download_id):
                run.cancel.set()

    def stop_ended(self, jobs: Jobs) -> None:
        """Stop the runs whose jobs ended without a worker (a person removed, maybe by
        `vidserve.py user remove` in another process): their workers clean up at once."""
        with self._lock:
            running = list(self._runs)
        if running:
            for download_id, status in jobs.statuses(running).items():
                if status != Status.DOWNLOADING:
                    self.cancel(download_id)

    def status_object(self, job: Job) -> dict:
        """API.md's status object, with live progress while a worker runs the job."""
        return job.to_api(self.progress(job.id) if job.status == Status.DOWNLOADING else None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)


def admit_person(db: sqlite3.Connection, user: str, max_pending: int, quota: int | None) -> None:
    """What a person may still queue, asked in the submit's own transaction so that concurrent
    submits cannot pass it together (API.md "Per person bounds"); the owner is not bound."""
    if user == OWNER:
        return
    if quota is not None and Jobs.bytes_kept_by(db, user) >= quota:
        message = f"your files fill your quota ({human_bytes(quota)}); delete some first"
        raise ApiError(507, "quota_exceeded", message)
    pending = db.execute("SELECT COUNT(*) FROM jobs WHERE user = ? AND status = 'pending'", (user,))
    if max_pending and pending.fetchone()[0] >= max_pending:
        message = f"you have {max_pending} downloads waiting (max_pending_per_user); wait a little"
        raise ApiError(429, "queue_full", message, {"Retry-After": "60"})


def parse_client_id(form: dict) -> str:
    client_id = form.get("client_id", "anonymous")
    if (
        not isinstance(client_id, str)
        or not CLIENT_ID.fullmatch(client_id)
        or not is_utf8(client_id)
    ):
        raise ApiError(
            400,
            "invalid_field",
            f"client_id must be 1..{MAX_CLIENT_ID_CHARS} characters, no control ones",
        )
    return client_id


def find_job(app: App, request: Request, text: str) -> Job:
    """The download with this id, if the caller may reach it: another's answers 404."""
    job = app.jobs.get(parse_download_id(text))
    if job and request.caller.reaches(job.user):
        return job
    raise ApiError(404, "not_found", "no download with this id")


CLIENT_ID_SCHEMA = {
    "type": "string",
    "pattern": f"^{CLIENT_ID.pattern}$",
    "minLength": 1,
    "maxLength": MAX_CLIENT_ID_CHARS,
}


PLAYABILITY_SCHEMA = {
    "codec": {
        **nullable("string"),
        "description": "the saved video's codec as ffprobe reads it: h264, hevc, vp9, av1 (or"
        " ffprobe's name of another); null for images and sound, or without ffmpeg",
    },
    "has_audio": {**nullable("boolean"), "description": "the saved video has a sound stream"},
    "playable_on_iphone": {
        **nullable("boolean"),
        "description": "false for VP9 or AV1, saved only when the post offered nothing else",
    },
    "playable_note": {**nullable("string"), "description": "why not, when false"},
}


SCHEMAS |= {
    "Progress": {
        "type": "object",
        "properties": {
            "percent": nullable("number", minimum=0, maximum=100),
            "downloaded_bytes": nullable("integer"),
            "total_bytes": nullable("integer"),
            "speed_bps": nullable("integer"),
            "eta_s": nullable("integer"),
            "items_done": {"type": "integer"},
            "items_total": {"type": "integer"},
        },
    },
    "File": {
        "type": "object",
        "required": ["index", "filename", "file_size", "file_url"],
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "filename": {"type": "string"},
            "file_size": {"type": "integer"},
            "file_url": {"type": "string"},
            "kind": {"enum": ["video", "image", "audio"]},
            **PLAYABILITY_SCHEMA,
        },
    },
    "Status": {
        "type": "object",
        "required": [
            "download_id",
            "url",
            "client_id",
            "status",
            "submitted_at",
            "started_at",
            "completed_at",
            "filename",
            "file_size",
            "file_url",
            "error_code",
            "error_message",
            "retry_count",
            "progress",
            "title",
            "uploader",
            "duration_s",
            "thumbnail_url",
            "audio_only",
            "files",
            "site",
            "video_id",
            "duplicate_of",
            "user",
            "thumbnail",
        ],
        "properties": {
            "download_id": {"type": "string", "format": "uuid"},
            "url": {"type": "string"},
            "client_id": {"type": "string"},
            "status": {"enum": [str(status) for status in Status]},
            "submitted_at": {"type": "string", "format": "date-time"},
            "started_at": nullable("string", format="date-time"),
            "completed_at": nullable("string", format="date-time"),
            "last_updated": {"type": "string", "format": "date-time"},
            "waiting_until": nullable("string", format="date-time"),  # pending: may start then
            "filename": nullable("string"),
            "file_size": nullable("integer"),
            "file_url": nullable("string"),
            "file_removed": {"type": "boolean"},
            "error_code": nullable("string"),
            "error_message": nullable("string"),
            "retry_count": {"type": "integer", "minimum": 0},
            "progress": {"oneOf": [{"$ref": "#/components/schemas/Progress"}, {"type": "null"}]},
            "title": nullable("string"),
            "uploader": nullable("string"),
            "duration_s": nullable("number"),
            "thumbnail_url": nullable("string"),
            "thumbnail": nullable("string"),
            "audio_only": {"type": "boolean"},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/File"}},
            "site": {
                **nullable("string"),
                "description": "yt-dlp's extractor that recognised the link: TikTok, Instagram,"
                " Generic...; null until known",
            },
            "video_id": {**nullable("string"), "description": "the site's own id of the post"},
            "requeued_after_update": nullable("string"),  # the yt-dlp whose switch did
            "duplicate_of": {
                **nullable("string", format="uuid"),
                "description": "the earlier download of the same post whose files this one"
                " lists (one post, one download); null when fetched itself",
            },
            "user": {"type": "string", "description": "Who submitted it: owner, or a person"},
            **{
                key: {**schema, "description": f"of the first video file: {schema['description']}"}
                for key, schema in PLAYABILITY_SCHEMA.items()
            },
            "follow_id": {
                **nullable("string", format="uuid"),
                "description": "the follow that queued it; null for a shared link",
            },
        },
    },
    "Submission": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "maxLength": MAX_URL_CHARS},
            "client_id": CLIENT_ID_SCHEMA,
            "force": {"type": "boolean"},
            "audio_only": {"type": "boolean"},
        },
    },
    "Submitted": {
        "type": "object",
        "required": ["success", "download_id", "message", "status", "submitted_at", "duplicate"],
        "properties": {
            "success": {"const": True},
            "download_id": {"type": "string", "format": "uuid"},
            "message": {"type": "string"},
            "status": {"enum": [str(status) for status in Status]},
            "submitted_at": {"type": "string", "format": "date-time"},
            "duplicate": {"type": "boolean"},
        },
    },
}


STATUS_REPLY = json_reply("The status object", "Status")


@route(
    "POST",
    "/api/v1/download",
    WRITE,
    summary="Queue a download, durably",
    body={
        "required": True,
        "content": {
            "application/json": {"schema": ref("Submission")},
            "application/x-www-form-urlencoded": {"schema": ref("SubmissionForm")},
        },
    },
    replies={
        **json_reply("Queued", "Submitted", "201", located=True),
        **json_reply("Already queued or done: the earlier download", "Submitted", located=True),
        **json_reply("Shutting down, or yt-dlp is not installed (yt_dlp_missing)", "Error", "503"),
    },
    errors=(400, 413, 415, 422, 507),
)
def submit_download(app: App, request: Request) -> Reply:
    """POST /api/v1/download: queue a link, durably, or point at its live duplicate."""
    form, caller = request.form(), request.caller
    url = form.get("url")
    fetched, normalized = app.policy.check(url)
    client_id = parse_client_id(form)
    force = parse_bool(request, form, "force")
    audio_only = parse_bool(request, form, "audio_only")
    if app.ytdlp_version is None:
        raise ApiError(
            503, "yt_dlp_missing", f"yt-dlp is not installed on the server: {YTDLP_INSTALL}"
        )
    if app.library.disk_is_low():
        app.library.alert_low(app.alerts)
        raise ApiError(
            507,
            "insufficient_storage",
            f"less than {human_bytes(app.config.min_free_bytes)} free on the disk",
        )
    job, duplicate = app.jobs.submit(
        fetched,
        dedupe_key(normalized, audio_only),
        client_id,
        audio_only,
        force,
        app.library.files_present,
        caller.user,
        functools.partial(
            admit_person,
            max_pending=app.config.max_pending_per_user,
            quota=app.people.quota_of(caller.user),
        ),
    )
    if not duplicate:
        app.queue.wake()
        log.info("job %s queued by %r for %s: %r", job.id, client_id, caller.user, job.url)
    if not app.warm.is_set():  # just after a start: answered as its download starts
        with app.foreground.waiting():
            app.warm.wait(WARM_LIMIT_S)
    body = {
        "success": True,
        "download_id": job.id,
        "message": "Already downloaded or in progress"
        if duplicate
        else "Download queued successfully",
        "status": str(job.status),
        "submitted_at": job.created_at,
        "duplicate": duplicate,
    }
    location = {"Location": f"/api/v1/status/{job.id}"}
    return Reply(body, 200 if duplicate else 201, location)


@route(
    "GET",
    "/api/v1/status/{download_id}",
    READ,
    summary="A download's status, optionally waiting for it to end",
    parameters=[
        DOWNLOAD_ID_PARAMETER,
        parameter(
            "wait",
            "query",
            {"type": "integer", "minimum": 0, "maximum": MAX_WAIT_S},
            "Hold the answer until the download ends, at most this many seconds",
        ),
    ],
    replies=STATUS_REPLY,
    errors=(400, 404),
)
def get_status(app: App, request: Request, download_id: str) -> Reply:
    """GET /api/v1/status/{id}, optionally holding the answer until the job ends (?wait=N)."""
    job = find_job(app, request, download_id)
    wait_s = parse_number(request.query, "wait", 0, 0, MAX_WAIT_S)
    if wait_s and job.status not in TERMINAL:
        give_back = app.streams.take(request.caller)  # a hold is a stream's place
        try:
            job = wait_for_end(app, job, wait_s)
        finally:
            give_back()
    return Reply(app.running.status_object(job))


def wait_for_end(app: App, job: Job, wait_s: float) -> Job:
    """The job once it has ended, or as it is after wait_s seconds (or a stop)."""
    deadline = time.monotonic() + wait_s
    cursor = app.feed.version
    while job.status not in TERMINAL and not app.queue.stopping.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        previous = cursor
        with app.foreground.waiting():
            cursor, entries = app.feed.wait(cursor, remaining)
        # Look again only when this job changed, or when the ring dropped entries unseen;
        # other downloads' progress (twice a second each) wakes us, and is not our news.
        missed = len(entries) < cursor - previous
        if missed or any(entry["download_id"] == job.id for _, entry in entries):
            job = app.jobs.get(job.id) or job
    return job


@route(
    "DELETE",
    "/api/v1/download/{download_id}",
    WRITE,
    summary="Cancel a download, or delete a finished one's files",
    parameters=[DOWNLOAD_ID_PARAMETER],
    replies=STATUS_REPLY,
    errors=(400, 404),
)
def cancel_download(app: App, request: Request, download_id: str) -> Reply:
    """DELETE /api/v1/download/{id}: cancel a queued or running job, or delete its files."""
    job = find_job(app, request, download_id)
    if job.status in (Status.PENDING, Status.DOWNLOADING):
        if cancelled := app.jobs.cancel(job.id):
            app.running.cancel(job.id)  # the progress hook raises; the worker cleans up
            log.info("job %s cancelled by a client", job.id)
            return Reply(app.running.status_object(cancelled))
        job = app.jobs.get(job.id) or job  # it finished meanwhile: delete its files instead
    if job.status == Status.COMPLETED and not job.file_removed:
        app.library.remove_files(job)
        job = app.jobs.mark_removed(job.id) or job
        log.info("job %s: files deleted by a client", job.id)
    return Reply(app.running.status_object(job))


@route(
    "POST",
    "/api/v1/download/{download_id}/retry",
    WRITE,
    summary="Queue a failed or cancelled download again",
    parameters=[DOWNLOAD_ID_PARAMETER],
    replies=STATUS_REPLY,
    errors=(400, 404, 409),
)
def retry_download(app: App, request: Request, download_id: str) -> Reply:
    """POST /api/v1/download/{id}/retry: a failed or cancelled job goes back in the queue."""
    job = find_job(app, request, download_id)
    if job.status in (Status.FAILED, Status.CANCELLED):
        if not app.running.wait_finished(job.id, timeout_s=5.0):
            raise ApiError(409, "still_stopping", "the download is still stopping; try again")
        if requeued := app.jobs.requeue(job.id):
            app.queue.wake()
            return Reply(app.running.status_object(requeued))
    raise ApiError(
        409,
        "invalid_state",
        f"only failed or cancelled downloads can be retried; this one is {job.status}",
    )


# ---- 8. History and events -------------------------------------------------------------------
# Every change, in order (the change feed ?wait and /events read); every download, newest
# first, found by its words (History: pages, search and its trigram index, filled in
# batches); the event stream of their changes, within each person's streams.


class ChangeFeed:
    """Every committed change and progress step, in order, for ?wait and /events.

    Publishers never block on readers: the feed is a bounded ring, and a reader that falls
    behind it simply misses the oldest entries (it reads the current state instead).
    """

    def __init__(self, size: int = 2048):
        self._changed = threading.Condition()  # guards _entries, version and closed
        self._entries: collections.deque[tuple[int, dict]] = collections.deque(maxlen=size)
        self.version = 0
        self.closed = False

    def publish(self, status_object: dict) -> None:
        with self._changed:
            self.version += 1
            self._entries.append((self.version, status_object))
            self._changed.notify_all()

    def wait(self, after: int, timeout_s: float) -> tuple[int, list[tuple[int, dict]]]:
        """(number, entry) pairs newer than `after`, waiting up to timeout_s for one, and the
        new cursor. Returns at once, with nothing new, once the feed is closed."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > after or self.closed, timeout_s)
            return self.version, [(n, entry) for n, entry in self._entries if n > after]

    def close(self) -> None:
        """The server is stopping: every waiting reader returns now."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


MAX_OFFSET = 10**9  # history paging by offset; deep pages should use `before`


MAX_SEARCH_CHARS = 200  # API.md: history ?q= longer than this is 400
MAX_SEARCH_WORDS = 8  # API.md: a ?q= of more words is 400


class History:
    """GET /api/v1/history's reads: pages of jobs, newest first, and search over their
    titles, uploaders and links (the trigram index jobs_search, filled in batches); and the
    recent links a try of a new yt-dlp reads (section 15)."""

    def __init__(self, database: Database):
        self._db = database
        database.before_checkpoint(self.index_ended)

    def links_to_try(self, since: str | None) -> list[str]:
        """A try of a new yt-dlp reads up to 3 recent completed links of each kind (TikTok
        video and photo post, Instagram) and the 10 latest failures it may fix, since `since`."""
        kinds: dict[tuple, list[str]] = collections.defaultdict(list)
        sql = "SELECT url, site, files FROM jobs WHERE status = 'completed' AND site IN (?, ?)"
        for url, site, files in self._db.read(f"{sql} ORDER BY seq DESC LIMIT 200", SITE_KEYS):
            images = any(file_kind(item["filename"]) == "image" for item in json.loads(files))
            kind = kinds[site, images and site == "TikTok"]
            if url not in kind and len(kind) < YTDLP_TRIED_PER_KIND:
                kind.append(url)
        failed = [url for _, url in self.failed_since(since or "", YTDLP_FAILURES)]
        failed = failed[:YTDLP_TRIED_FAILURES]
        return list(dict.fromkeys([*itertools.chain(*kinds.values()), *failed]))

    def failed_since(self, since: str, codes: tuple, urls: list | None = None) -> list[tuple]:
        """(id, link) of failures with `codes` since `since` (of `urls`), newest first."""
        among = f" AND url IN ({', '.join('?' * len(urls))})" if urls is not None else ""
        rows = self._db.read(
            f"SELECT id, url FROM jobs WHERE status = 'failed' AND error_code IN {sql_words(codes)}"
            f" AND last_updated >= ?{among} ORDER BY seq DESC",
            (since, *(urls or ())),
        )
        return [(row[0], row[1]) for row in rows]

    def history(
        self,
        status: str | None,
        client_id: str | None,
        before_seq: int | None,
        limit: int,
        offset: int,
        user: str | None = None,
        words: list[str] | None = None,
    ) -> tuple[list[Job], int]:
        """One page, newest first, and how many jobs match the filters (user: one person's;
        words: each in the title, uploader or URL)."""
        where, params = ["1"], {"limit": limit, "offset": offset}
        for column, value in (("status", status), ("client_id", client_id), ("user", user)):
            if value is not None:
                where.append(f"{column} = :{column}")
                params[column] = value
        filters = " AND ".join(where)
        if before_seq is not None:
            params["before"] = before_seq
        if words:
            return self._search(filters, params, words)
        page = " AND seq < :before" if before_seq is not None else ""
        with self._db.reading(snapshot=True) as db:
            total = db.execute(
                f"SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE {filters}", params
            ).fetchone()[0]
            rows = db.execute(
                f"SELECT * FROM jobs WHERE {filters}{page}"
                " ORDER BY seq DESC LIMIT :limit OFFSET :offset",
                params,
            ).fetchall()
        return [Job.from_row(row) for row in rows], total

    def _search(self, filters: str, params: dict, words: list[str]) -> tuple[list[Job], int]:
        """History narrowed to jobs whose title, uploader or URL hold every word. Words of
        3+ characters go through the trigram index as quoted phrases (so `"`, `%` and `_`
        are plain text); shorter ones, which no trigram holds, are matched by LIKE, and so
        is every word for the jobs not in the index yet (running, or ended since its last
        batch)."""
        params = dict(params)
        short_likes = self._likes([word for word in words if len(word) < 3], params)
        conditions = [filters, *short_likes]
        if indexed := [word for word in words if len(word) >= 3]:
            params["match"] = " AND ".join('"' + word.replace('"', '""') + '"' for word in indexed)
            # CROSS JOIN keeps the index the outer loop: with a status filter, SQLite would
            # otherwise walk jobs by status and probe the index once per row (seconds).
            source = "jobs_search CROSS JOIN jobs ON jobs.seq = jobs_search.rowid"
            conditions.append("jobs_search MATCH :match")
            key = "jobs_search.rowid"  # the index walks its rowids newest first, and stops
        else:
            source, key = "jobs", "jobs.seq"
        where = " AND ".join(conditions)
        page = f" AND {key} < :before" if "before" in params else ""
        if indexed and not short_likes and filters == "1":  # the index alone counts 6x faster
            counting = "SELECT COUNT(*) FROM jobs_search WHERE jobs_search MATCH :match"
        else:
            counting = f"SELECT COUNT(*) FROM {source} WHERE {where}"
        with self._db.reading(snapshot=True) as db:
            unindexed = []
            if indexed:  # else the LIKE query below found them already
                candidates = db.execute(  # the few unindexed, not every job of a user or status
                    "SELECT * FROM jobs INDEXED BY jobs_unsearchable"
                    f" WHERE {filters} AND NOT searchable",
                    params,
                )
                folded = [word.lower() for word in words]
                unindexed = [row for row in candidates if self._holds_every(row, folded)]
            total = db.execute(counting, params).fetchone()[0] + len(unindexed)
            before = params.get("before")
            waiting = [row for row in unindexed if before is None or row["seq"] < before]
            offset, limit = params["offset"], params["limit"]
            rows = db.execute(
                f"SELECT jobs.* FROM {source} WHERE {where}{page}"
                f" ORDER BY {key} DESC LIMIT :limit OFFSET :offset",
                params | ({"limit": offset + limit, "offset": 0} if waiting else {}),
            ).fetchall()
        if waiting:  # newest first, as one list
            rows = sorted([*rows, *waiting], key=lambda row: -row["seq"])[offset : offset + limit]
        return [Job.from_row(row) for row in rows], total

    @staticmethod
    def _holds_every(row: sqlite3.Row, folded: list[str]) -> bool:
        """Whether the job's title, uploader or URL holds every word (lower-cased), in any
        case, as the trigram index would say (SQLite's LIKE folds ASCII letters only)."""
        texts = [(row[column] or "").lower() for column in ("title", "uploader", "url")]
        return all(any(word in text for text in texts) for word in folded)

    @staticmethod
    def _likes(words: list[str], params: dict) -> list[str]:
        """A LIKE condition for each word on title, uploader or URL (its parameters added)."""
        conditions = []
        for number, word in enumerate(words):
            params[f"word{number}"] = "%" + re.sub(r"[\\%_]", r"\\\g<0>", word) + "%"
            columns = ("jobs.title", "jobs.uploader", "jobs.url")
            likes = " OR ".join(f"{column} LIKE :word{number} ESCAPE '\\'" for column in columns)
            conditions.append(f"({likes})")
        return conditions

    def index_ended(self) -> None:
        """Add the jobs that ended since the last batch to the search index, in one commit
        (migration 9). Not fsync'd: a batch a power cut undoes is done again."""
        ended = "NOT searchable AND status NOT IN ('pending', 'downloading')"
        if not self._db.read(f"SELECT 1 FROM jobs WHERE {ended} LIMIT 1"):
            return  # no commit, no wake-up of the checkpointer

        def statements(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO jobs_search (rowid, title, uploader, url)"
                f" SELECT seq, title, uploader, url FROM jobs WHERE {ended}"
            )
            db.execute(f"UPDATE jobs SET searchable = 1 WHERE {ended}")

        self._db.commit(statements, durable=False)


def parse_search(text: str) -> list[str]:
    """?q=: the words a download's title, uploader or URL must all contain, each once. At
    most MAX_SEARCH_WORDS: every short word costs a scan of every row (API.md "Search is
    bounded")."""
    if len(text) > MAX_SEARCH_CHARS or re.search(r"[\x00-\x1f\x7f-\x9f]", text):
        raise ApiError(
            400, "invalid_parameter", f"q must be at most {MAX_SEARCH_CHARS} printable characters"
        )
    words = text.split()
    if len(words) > MAX_SEARCH_WORDS:
        raise ApiError(400, "invalid_parameter", f"q must be at most {MAX_SEARCH_WORDS} words")
    return list(dict.fromkeys(words))


@route(
    "GET",
    "/api/v1/history",
    READ,
    summary="Downloads, newest first",
    parameters=[
        parameter(
            "limit",
            "query",
            {"type": "integer", "minimum": 1, "maximum": 100},
            "Page size (default 50)",
        ),
        parameter(
            "offset",
            "query",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            "Skip this many",
        ),
        parameter(
            "status",
            "query",
            {"type": "string", "enum": [str(status) for status in Status]},
            "Only downloads in this state",
        ),
        parameter("client_id", "query", CLIENT_ID_SCHEMA, "Only this client's downloads"),
        parameter(
            "before",
            "query",
            UUID_V4_SCHEMA,
            "Only downloads submitted before this one (keyset paging)",
        ),
        parameter(
            "q",
            "query",
            {"type": "string", "maxLength": MAX_SEARCH_CHARS},
            f"Words (at most {MAX_SEARCH_WORDS}) that title, uploader or URL must all contain"
            " (any case)",
        ),
    ],
    replies={
        "200": {
            "description": "One page",
            "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
            "content": json_content({"type": "array", "items": ref("Status")}),
        }
    },
    errors=(400, 404),
)
def list_history(app: App, request: Request) -> Reply:
    """GET /api/v1/history: newest first, filtered, paged by offset or keyset (`before`)."""
    query = request.query
    limit = parse_number(query, "limit", 50, 1, 100)
    offset = parse_number(query, "offset", 0, 0, MAX_OFFSET)
    status = query.get("status")
    if status is not None and status not in Status.__members__.values():
        raise ApiError(400, "invalid_parameter", f"status must be one of {', '.join(Status)}")
    client_id = query.get("client_id")
    if client_id is not None:
        client_id = parse_client_id({"client_id": client_id})
    before_seq = find_job(app, request, query["before"]).seq if "before" in query else None
    words = parse_search(query.get("q", ""))
    jobs, total = app.history.history(
        status, client_id, before_seq, limit, offset, request.caller.only_user, words
    )
    return Reply(
        [app.running.status_object(job) for job in jobs], headers={"X-Total-Count": str(total)}
    )


class StreamPlaces:
    """How many /events streams and ?wait holds each person has open, within
    max_streams_per_user (API.md "Per person bounds"); the owner is not bound."""

    def __init__(self, limit: int):
        self._lock = threading.Lock()  # guards _open
        self._open: collections.Counter = collections.Counter()
        self.limit = limit

    def take(self, caller: Caller) -> Callable[[], None]:
        """A place for one more of the caller's streams, or ApiError 429; returns what gives
        it back (once, however often it is called)."""
        user = caller.user
        if user == OWNER or not self.limit:
            return lambda: None
        with self._lock:
            if self._open[user] >= self.limit:
                raise ApiError(
                    429,
                    "too_many_streams",
                    f"you have {self.limit} event streams and waits open (max_streams_per_user);"
                    " close one first",
                    {"Retry-After": "5"},
                )
            self._open[user] += 1
        given_back = threading.Event()

        def give_back() -> None:
            with self._lock:
                if not given_back.is_set():
                    given_back.set()
                    self._open[user] -= 1

        return give_back


STREAM_LOOK_S = 1.0  # how often a quiet event stream looks whether its client has gone


def client_left(sock: socket.socket) -> bool:
    """Whether the client of a stream has closed it (or sent anything: a stream's client
    only listens): then its place is given back now, not at the next heartbeat."""
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


@dataclass
class EventStream(Stream):
    """Server-Sent Events from the change feed: one `download` event per change the caller
    may see. A heartbeat follows heartbeat_s of silence, however busy others' downloads are;
    the stream ends once `allowed` says the caller's token has ended (checked before writing).
    """

    feed: ChangeFeed
    cursor: int
    heartbeat_s: float
    caller: Caller
    allowed: Callable[[], bool]

    def send(self, wfile: Any, sock: socket.socket) -> None:
        wfile.write(b"retry: 3000\n: connected\n\n")
        written_at = time.monotonic()
        while not self.feed.closed:
            quiet_s = written_at + self.heartbeat_s - time.monotonic()
            wait_s = max(0.0, min(quiet_s, STREAM_LOOK_S))
            self.cursor, entries = self.feed.wait(self.cursor, wait_s)
            if self.feed.closed or client_left(sock):
                break
            chunk = "".join(
                f"id: {number}\nevent: download\ndata: {json.dumps(entry)}\n\n"
                for number, entry in entries
                if self.caller.reaches(entry["user"])
            )
            if not chunk and time.monotonic() - written_at < self.heartbeat_s:
                continue
            if not self.allowed():
                break
            # A client that stops reading fills its socket buffer; the write then times out
            # (request_timeout_s) and this thread ends. Workers never wait on it.
            wfile.write(chunk.encode() if chunk else b": heartbeat\n\n")
            written_at = time.monotonic()


@route(
    "GET",
    "/api/v1/events",
    WRITE,
    summary="Server-Sent Events: one `download` event per change",
    parameters=[
        parameter("Last-Event-ID", "header", {"type": "string"}, "Resume after this event")
    ],
    replies={
        "200": {"description": "An endless event stream", "content": {"text/event-stream": {}}}
    },
)
def stream_events(app: App, request: Request) -> Reply:
    """GET /api/v1/events: Server-Sent Events; Last-Event-ID resumes where a client left."""
    last = request.headers.get("Last-Event-ID", "")
    cursor = int(last) if last.isdigit() and int(last) <= app.feed.version else app.feed.version
    caller = request.caller
    allowed = functools.partial(app.people.holds, caller)
    stream = EventStream(app.feed, cursor, app.config.events_heartbeat_s, caller, allowed)
    stream.end = app.streams.take(caller)
    return Reply(
        stream,
        headers={"Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no"},
    )


# ---- 9. Saved files --------------------------------------------------------------------------
# What becomes of a download's files: tags and thumbnails, published whole into the person's
# folder; the Library (folders, presence, removal, retention, free space); signed links and
# the routes that serve files.


LINK_EXPIRES_S = (60, 3600, 604800)  # API.md: a signed link lives 60 s..7 days, 1 hour unless asked


def finished_files(info: dict) -> list[Path]:
    """The files yt-dlp wrote for a video or every entry of a playlist, in post order."""
    entries = info.get("entries") if info.get("_type") in PLAYLIST_TYPES else [info]
    paths = []
    for entry in entries or []:
        for download in (entry or {}).get("requested_downloads") or []:
            path = download.get("filepath") or download.get("_filename")
            if path and Path(path).is_file():
                paths.append(Path(path))
    return paths


def add_library_postprocessors(ydl: Any) -> Any:
    """With ffmpeg: the thumbnail converted to JPEG, and the title, uploader, date and source
    URL written into the saved file's own tags (what Photos, Jellyfin and ffprobe read).
    Both are best effort: when ffmpeg fails on a file, the file stays exactly as it came
    and the download still completes."""
    if not ffmpeg_available():
        return ydl
    from yt_dlp.postprocessor import FFmpegMetadataPP, FFmpegThumbnailsConvertorPP
    from yt_dlp.utils import PostProcessingError

    def best_effort(kind: type, applies: Callable[[dict], bool]) -> type:
        def run(self: Any, info: dict) -> tuple[list, dict]:
            try:
                return kind.run(self, info) if applies(info) else ([], info)
            except PostProcessingError as err:
                log.info("%s skipped for %r: %s", kind.__name__, info.get("id"), err)
                return [], info

        return type(kind.__name__, (kind,), {"run": run})  # yt-dlp logs the class's name

    convert = best_effort(FFmpegThumbnailsConvertorPP, only_image_thumbnails)
    tag = best_effort(FFmpegMetadataPP, lambda info: looks_like_media(info["filepath"]))
    thumbnails = convert(ydl, format="jpg")
    tags = tag(ydl, add_chapters=False, add_infojson=False)
    ydl.add_post_processor(thumbnails, when="before_dl")
    ydl.add_post_processor(tags, when="post_process")
    return ydl


# How media and pictures begin (API.md "Only media reach ffmpeg"): MP4/MOV/M4A boxes,
# Matroska/WebM, an MP3 frame or ADTS AAC, Ogg, FLAC; JPEG, PNG, WebP, GIF, HEIC/AVIF. An MPEG-TS
# stream (what an HLS download saves) is told by its sync byte at 0 and 188.
MEDIA_MAGIC = re.compile(
    rb"....(?:ftyp|moov|mdat|free|wide|skip)|\x1a\x45\xdf\xa3|\xff[\xe0-\xff]|OggS|fLaC", re.DOTALL
)


IMAGE_MAGIC = re.compile(
    rb"\xff\xd8\xff|\x89PNG\r\n\x1a\n|RIFF....WEBP|GIF8[79]a|....ftyp(?:heic|heix|mif1|msf1|avif)",
    re.DOTALL,
)


# What makes ffmpeg open other files or URLs (HLS, DASH, its concat list) wherever they stand
# in the first bytes: such a file is text to vidserve, whatever it begins with.
PLAYLIST_MARKS = (b"#EXTM3U", b"#EXT-X-", b"<MPD", b"ffconcat")


HEAD_BYTES = 4096  # how much of a file's beginning content_kind judges


def first_bytes(path: str | Path) -> bytes:
    """A file's first bytes after any ID3v2 tags: ffmpeg's format probe skips those and
    judges what follows, so vidserve judges the same bytes."""
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
        for _ in range(8):  # a few tags in a row at most; more is not media
            if len(head) < 10 or not head.startswith(b"ID3"):
                break
            size = 10 + sum((byte & 0x7F) << (7 * (3 - n)) for n, byte in enumerate(head[6:10]))
            file.seek(file.tell() - len(head) + size + (10 if head[5] & 0x10 else 0))
            head = file.read(HEAD_BYTES)
        return head


def is_utf8_text(head: bytes) -> bool:
    """Whether bytes read as UTF-8 text (a character cut at the end allowed), no controls."""
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return bool(text) and all(c >= " " or c in "\t\n\r\f" for c in text)
    return False


def content_kind(path: str | Path) -> str:
    """What a downloaded file is by its first bytes: "media", "image", "text" (a playlist, a
    page, JSON, any UTF-8 text) or "other". Only media and images may reach ffmpeg."""
    try:
        head = first_bytes(path)
    except OSError:
        return "other"
    if any(mark in head for mark in PLAYLIST_MARKS):
        return "text"
    if IMAGE_MAGIC.match(head):
        return "image"
    if MEDIA_MAGIC.match(head) or head[:1] == b"G" == head[188:189]:
        return "media"
    return "text" if is_utf8_text(head) else "other"


def looks_like_media(path: str) -> bool:
    """ffmpeg spends ~0.2 s refusing a file it cannot read (an error page saved as .mp4),
    and must never read a playlist: a look at the first bytes leaves such a file alone."""
    return content_kind(path) == "media"


def not_media(path: str, ffmpeg_step: bool) -> FetchError | None:
    """Why a downloaded file may not be kept (API.md "Only media reach ffmpeg"): text
    never; something else only where no ffmpeg step would read it. None: it may."""
    kind = content_kind(path)
    if kind in ("media", "image") or (kind == "other" and not ffmpeg_step):
        return None
    what = "text (a playlist or a web page)" if kind == "text" else "no video, sound or picture"
    message = f"the site sent {what} instead of the media; nothing was kept"
    return FetchError("not_media", message, transient=False)


def only_image_thumbnails(info: dict) -> bool:
    """Before ffmpeg converts thumbnails: a saved thumbnail that is not an image is deleted
    and forgotten (the download goes on without one). Always True: convert what is left."""
    for thumbnail in info.get("thumbnails") or []:
        path = thumbnail.get("filepath")
        if path and content_kind(path) != "image":
            log.info("thumbnail %s is not an image; dropped", Path(path).name)
            Path(path).unlink(missing_ok=True)
            del thumbnail["filepath"]
    return True


def safe_filename(name: str, max_bytes: int = 200) -> str:
    """A base name that cannot leave its directory or hide what it is: no separators,
    controls, Unicode format characters (bidirectional overrides, zero-width ones: a name
    "photo\u202egpj.exe" shows as "photoexe.jpg") or leading dots."""
    name = "".join(char for char in name if unicodedata.category(char) != "Cf")
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", name).strip().lstrip(".") or "download"
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    budget = max_bytes - len((dot + ext).encode())
    stem = stem.encode()[:budget].decode(errors="ignore").rstrip() or "download"
    return stem + dot + ext


def sync_directory(directory: Path) -> None:
    """The names a directory holds, on disk (a new name is durable only once they are)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_file(source: Path, directory: Path) -> Path:
    """Move a finished file, its bytes on disk, into place under a free name; never
    overwrites another job's (publish_files makes the name durable)."""
    with open(source, "rb") as file:
        os.fdatasync(file.fileno())
    name = safe_filename(source.name)
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    for attempt in range(1, 1000):
        target = directory / (name if attempt == 1 else f"{stem} ({attempt}){dot}{ext}")
        try:
            os.link(source, target)  # atomic, and fails if the name is taken
        except FileExistsError:
            continue
        source.unlink()
        return target
    raise FetchError("internal", f"no free file name for {name!r}", transient=False)


def publish_files(paths: list[Path], directory: Path) -> list[Path]:
    """Move a download's finished files into place, each under a free name, durably: every
    file's bytes reach the disk before its name, and the names (one fsync of the folder)
    before the job is completed. ext4 allocates a file's blocks only as it writes them back,
    so without the fdatasync a power cut could leave a completed download whose file is empty."""
    placed = [publish_file(path, directory) for path in paths]
    sync_directory(directory)
    return placed


THUMBNAIL_TYPES = (".jpg", ".jpeg", ".webp", ".png")  # the ones a browser shows


def finished_thumbnail(paths: list[Path]) -> Path | None:
    """The thumbnail yt-dlp saved (writethumbnail) beside the first file, under its name:
    one per download, the first item's for several."""
    for suffix in THUMBNAIL_TYPES if paths else ():
        candidate = paths[0].with_suffix(suffix)
        if candidate != paths[0] and candidate.is_file() and content_kind(candidate) == "image":
            return candidate
    return None


class Library:
    """Where downloads land, and the work on a job's files once they are there: each
    person's folder, unfinished downloads in .partial, thumbnails in .thumbnails, whether a
    job's files are still on disk, removing them, retention and the free-space floor."""

    def __init__(self, config: Config, database: Database, jobs: Jobs):
        self.config = config
        self._jobs = jobs
        self.files = JobFiles(database)
        self.download_dir = config.download_path
        # Unfinished downloads, one directory per job, on the same filesystem as the files.
        self.partial_dir = self.download_dir / ".partial"
        # Saved thumbnails, named by download id: out of the way of people's own files.
        self.thumbnail_dir = self.download_dir / ".thumbnails"

    def open(self) -> None:
        """Make the directories, and put jobs a crash cut short back in the queue, from the
        start: what they left in .partial is removed (kept only for a pending job's retry)."""
        self.download_dir.mkdir(parents=True, exist_ok=True)  # people's files: as the umask says
        make_private_dir(self.partial_dir)
        make_private_dir(self.thumbnail_dir)
        for download_id in self._jobs.recover_interrupted():
            log.info("job %s was interrupted; it goes back to the queue", download_id)
            shutil.rmtree(self.partial_dir / download_id, ignore_errors=True)
        for leftover in self.partial_dir.iterdir():
            job = self._jobs.get(leftover.name)
            if job is None or job.status != Status.PENDING:
                shutil.rmtree(leftover, ignore_errors=True)

    def folder(self, user: str) -> Path:
        """Where a user's files land: the owner's in download_dir, a person's in a folder of
        their own (API.md: download_dir/NAME/, a Jellyfin or Plex library per person)."""
        return self.download_dir if user == OWNER else self.download_dir / user

    def thumbnail_path(self, job: Job) -> Path | None:
        """The saved thumbnail of a finished download whose files are still there."""
        present = job.status == Status.COMPLETED and not job.file_removed
        return self.thumbnail_dir / job.thumbnail if present and job.thumbnail else None

    def keep_thumbnail(self, job: Job, source: Path | None, copy: bool = False) -> str | None:
        """Move a thumbnail yt-dlp saved (or copy another download's of the same post) to
        .thumbnails as <download id>.<ext>; its name there, or None when there is none."""
        if source is None or not source.is_file():
            return None
        name = job.id + source.suffix.lower()
        (shutil.copyfile if copy else os.replace)(source, self.thumbnail_dir / name)
        return name

    def files_present(self, job: Job) -> bool:
        """Whether every file of a completed job is still on disk (people delete files)."""
        return all((self.folder(job.user) / item["filename"]).is_file() for item in job.files)

    def remove_files(self, job: Job) -> None:
        """Delete a job's files, but those another download of the same post still lists."""
        in_use = self.files.files_in_use(job) if job.video_id else set()
        for item in job.files:
            if item["filename"] not in in_use:
                (self.folder(job.user) / item["filename"]).unlink(missing_ok=True)
        if job.thumbnail:  # its own copy, even when the files are shared
            (self.thumbnail_dir / job.thumbnail).unlink(missing_ok=True)

    def enforce_retention(self) -> None:
        """Delete finished files older than keep_days, then, while the total is over
        max_total_bytes, the oldest file of whoever holds the most bytes (API.md "Space per
        person": one person's downloads never remove another's files while they hold more
        themselves); a file two downloads share counts once, for the first. Records stay."""
        if not (self.config.keep_days or self.config.max_total_bytes):
            return
        cutoff = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - self.config.keep_days * 86400)
        )
        kept: dict[str, collections.deque[Job]] = collections.defaultdict(collections.deque)
        for job in self.files.stored_files():  # oldest first
            if self.config.keep_days and (job.completed_at or "") < cutoff:
                self.remove_by_retention(job, "older than keep_days")
            else:
                kept[job.user].append(job)
        held = {
            user: sum(job.total_bytes or 0 for job in jobs if not job.duplicate_of)
            for user, jobs in kept.items()
        }
        while self.config.max_total_bytes and sum(held.values()) > self.config.max_total_bytes:
            user = max(held, key=held.__getitem__)
            job = kept[user].popleft()
            self.remove_by_retention(job, f"over max_total_bytes, {user} holding the most")
            held[user] -= 0 if job.duplicate_of else job.total_bytes or 0
            if not kept[user]:
                del held[user]

    def remove_by_retention(self, job: Job, why: str) -> None:
        self.remove_files(job)
        self._jobs.mark_removed(job.id)
        log.info("retention: removed the files of job %s (%s)", job.id, why)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.download_dir).free

    def disk_is_low(self) -> bool:
        return self.free_bytes() < self.config.min_free_bytes

    def alert_low(self, alerts: Alerts) -> None:
        """Tell the owner (once a day): downloads cannot go on until space is freed."""
        alerts.raise_(
            "disk_low",
            str(self.download_dir),
            "The disk is nearly full",
            f"Less than {human_bytes(self.config.min_free_bytes)} is free where downloads are"
            " saved (min_free_bytes): new shares are refused and downloads wait. Delete"
            " some files (the page, or DELETE /api/v1/download/ID) or free space on the disk.",
        )

    def disk_allows_work(self) -> bool:
        """JobQueue's may_start: downloads wait while the disk is below min_free_bytes."""
        if low := self.disk_is_low():
            log.warning(
                "less than %s free in %s: downloads wait for space",
                human_bytes(self.config.min_free_bytes),
                self.download_dir,
            )
        return not low


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The first range of a `bytes=` header as (first, last); None means send it all."""
    unit, _, ranges = header.partition("=")
    match = re.fullmatch(r"\s*(\d{0,19})\s*-\s*(\d{0,19})\s*", ranges.split(",")[0])
    if unit.strip().lower() != "bytes" or not match or match[1] == match[2] == "":
        return None  # RFC 9110 §14.2: a range a server does not understand is ignored
    if match[1] == "":  # suffix: the last N bytes
        suffix = int(match[2])
        return (max(0, size - suffix), size - 1) if suffix and size else "unsatisfiable"
    first = int(match[1])
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    if match[2] and int(match[2]) < first:
        return None
    return "unsatisfiable" if first >= size else (first, last)


def stored_file(app: App, job: Job, index: str) -> Path:
    """Where file `index` of a finished download is; 409 unfinished, 410 removed, 404 no
    such index. A file deleted by hand is noticed here and the job marked removed."""
    if job.status != Status.COMPLETED:
        raise ApiError(409, "not_ready", f"the download is {job.status}, not completed")
    if job.file_removed:
        raise ApiError(410, "file_removed", "the file of this download was removed")
    if not index.isdigit() or int(index) >= len(job.files):
        raise ApiError(404, "not_found", f"this download has {len(job.files)} file(s)")
    path = app.library.folder(job.user) / job.files[int(index)]["filename"]
    if not path.is_file():
        app.jobs.mark_removed(job.id)
        raise ApiError(410, "file_removed", "the file of this download was removed")
    return path


def file_reply(request: Request, path: Path) -> Reply:
    """A file as HTTP clients want it (iOS AVPlayer and Safari insist on ranges).

    ETag and Last-Modified, with If-None-Match / If-Modified-Since answering 304; one byte
    range (206, or 416 past the end; of several ranges only the first is answered, which
    RFC 9110 §14.2 allows), If-Range; and an RFC 6266 name that survives emoji and CJK.
    """
    stat = path.stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    headers = {
        "Content-Type": MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        "Content-Disposition": content_disposition(path.name),
        "ETag": etag,
        "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
    }
    if not_modified(request.headers, etag, stat.st_mtime):
        return Reply(b"", 304, headers)
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if wanted and (if_range is None or if_range.strip() == etag):
        byte_range = parse_range(wanted, stat.st_size)
        if byte_range == "unsatisfiable":
            raise ApiError(
                416,
                "range_not_satisfiable",
                f"the file has {stat.st_size} bytes",
                {"Content-Range": f"bytes */{stat.st_size}"},
            )
        if byte_range:
            start, end = byte_range
            headers["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
            return Reply(FileSlice(path, start, end - start + 1), 206, headers)
    return Reply(FileSlice(path, 0, stat.st_size), 200, headers)


def not_modified(headers: Any, etag: str, mtime: float) -> bool:
    """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since."""
    if (if_none_match := headers.get("If-None-Match")) is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if since := headers.get("If-Modified-Since"):
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, then the UTF-8 name (RFC 8187)."""
    fallback = re.sub(r'[^\x20-\x7e]|["\\%]', "_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name)}"


class LinkSigner:
    """Links to one file that work without a token until they expire (API.md "Links that
    need no token"): the URL carries its expiry and an HMAC-SHA256 of the download id, the
    file's index and that expiry, keyed with a secret of this server's own. A link cannot be
    stretched, moved to another file or made elsewhere; deleting <data_dir>/link-secret ends
    every link ever given out, and removing a person every link to their downloads (API.md
    "Hardening": the store is asked at each use, so `user remove` counts at once)."""

    def __init__(self, secret: bytes, jobs: Jobs, people: People):
        self._secret, self._jobs, self._people = secret, jobs, people

    @classmethod
    def load(cls, data_path: Path, jobs: Jobs, people: People) -> LinkSigner:
        """The secret in <data_dir>/link-secret, made (32 random bytes, mode 0600) if absent."""
        path = data_path / "link-secret"
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32) + "\n")
        return cls(path.read_text().strip().encode(), jobs, people)

    def _signature(self, download_id: str, index: str, expires: str) -> str:
        message = f"{download_id}/{index}/{expires}".encode()
        return b64url(hmac.new(self._secret, message, hashlib.sha256).digest())

    def sign(self, download_id: str, index: int, expires_in_s: int) -> tuple[str, int]:
        """(the link's path and query, its expiry in epoch seconds)."""
        expires = int(time.time()) + expires_in_s
        signature = self._signature(download_id, str(index), str(expires))
        return f"/api/v1/files/{download_id}/{index}?expires={expires}&sig={signature}", expires

    def check(self, params: dict[str, str], query: dict[str, str]) -> Caller:
        """Who a signed link lets in: ApiError 403 unless the query signs this very file and
        has not expired. Then the caller reaches whoever's download it is, since the
        signature names one file of it and the route serves nothing else."""
        expires, sent = query.get("expires", ""), query.get("sig", "")
        download_id, index = params["download_id"].lower(), params.get("index", "0")
        expected = self._signature(download_id, index, expires)
        if not hmac.compare_digest(sent.encode(), expected.encode()):  # constant time
            raise ApiError(403, "invalid_signature", "this link is not valid for this file")
        if not expires.isdigit() or int(expires) < time.time():
            raise ApiError(403, "link_expired", "this link has expired; ask for a new one")
        job = self._jobs.get(download_id)
        person = job.user if job and job.user not in (None, "", OWNER) else None
        if person and all(name != person for name, _ in self._people.tokens()):
            raise ApiError(403, "person_removed", "whose download this is no longer shares it")
        return Caller(OWNER)


FILE_PARAMETERS = [
    parameter("Range", "header", {"type": "string"}, "One byte range, e.g. bytes=0-1023"),
    parameter("If-Range", "header", {"type": "string"}, "Send the range only if this ETag"),
    parameter("If-None-Match", "header", {"type": "string"}, "304 if the ETag matches"),
]


SIGNED_LINK_PARAMETERS = [
    parameter("expires", "query", {"type": "string"}, "A signed link's expiry (epoch seconds)"),
    parameter("sig", "query", {"type": "string"}, "A signed link's signature; no token needed"),
]


FILE_REPLIES = {
    "200": {"description": "The whole file", "content": {"*/*": {}}},
    "206": {"description": "One byte range of the file", "content": {"*/*": {}}},
    "304": {"description": "Not modified since the ETag or date sent"},
}


@route(
    "GET",
    "/api/v1/files/{download_id}",
    LINK,
    summary="The downloaded file (index 0)",
    parameters=[DOWNLOAD_ID_PARAMETER, *FILE_PARAMETERS, *SIGNED_LINK_PARAMETERS],
    replies=FILE_REPLIES,
    errors=(400, 404, 409, 410, 416),
)
@route(
    "GET",
    "/api/v1/files/{download_id}/{index}",
    LINK,
    summary="One file of a download with several; also what a signed link opens",
    parameters=[
        DOWNLOAD_ID_PARAMETER,
        parameter("index", "path", {"type": "integer", "minimum": 0}, "The file's index"),
        *FILE_PARAMETERS,
        *SIGNED_LINK_PARAMETERS,
    ],
    replies=FILE_REPLIES,
    errors=(400, 404, 409, 410, 416),
)
def get_file(app: App, request: Request, download_id: str, index: str = "0") -> Reply:
    """GET /api/v1/files/{id}[/{index}]: a finished file, with ranges and validators; with
    a token, or through a signed link (checked before the route runs)."""
    job = find_job(app, request, download_id)
    try:
        return file_reply(request, stored_file(app, job, index))
    except FileNotFoundError:  # deleted between the check and the open
        app.jobs.mark_removed(job.id)
        raise ApiError(410, "file_removed", "the file of this download was removed") from None


@route(
    "GET",
    "/api/v1/files/{download_id}/thumbnail",
    READ,
    summary="The thumbnail vidserve saved with the download",
    parameters=[DOWNLOAD_ID_PARAMETER, *FILE_PARAMETERS[2:]],
    replies={
        "200": {
            "description": "The image",
            "content": {"image/jpeg": {}, "image/webp": {}, "image/png": {}},
        },
        "304": FILE_REPLIES["304"],
    },
    errors=(400, 404),
)
def get_thumbnail(app: App, request: Request, download_id: str) -> Reply:
    """GET /api/v1/files/{id}/thumbnail: the post's thumbnail as saved with the download."""
    job = find_job(app, request, download_id)
    if not (path := app.library.thumbnail_path(job)):
        raise ApiError(404, "no_thumbnail", "vidserve has no thumbnail of this download")
    try:
        return file_reply(request, path)
    except FileNotFoundError:
        raise ApiError(404, "no_thumbnail", "the thumbnail was removed") from None


@route(
    "POST",
    "/api/v1/files/{download_id}/link",
    READ,
    summary="A signed, expiring link to one file that needs no token",
    parameters=[DOWNLOAD_ID_PARAMETER],
    body={
        "required": False,
        "content": json_content(
            {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "minimum": 0, "default": 0},
                    "expires_in_s": {
                        "type": "integer",
                        "minimum": LINK_EXPIRES_S[0],
                        "maximum": LINK_EXPIRES_S[2],
                        "default": LINK_EXPIRES_S[1],
                    },
                },
            }
        ),
    },
    replies={
        "201": {
            "description": "The link: a path with expires and sig",
            "content": json_content(
                {
                    "type": "object",
                    "required": ["url", "expires_at"],
                    "properties": {
                        "url": {"type": "string"},
                        "expires_at": {"type": "string", "format": "date-time"},
                    },
                }
            ),
        }
    },
    errors=(400, 404, 409, 410, 413, 415),
)
def create_link(app: App, request: Request, download_id: str) -> Reply:
    """POST /api/v1/files/{id}/link: a signed, expiring link to one finished file."""
    job = find_job(app, request, download_id)
    form = request.form() if request.body.strip() else {}
    index = parse_integer(request, form, "index", 0, 0, 10**6)
    low, default, high = LINK_EXPIRES_S
    expires_in_s = parse_integer(request, form, "expires_in_s", default, low, high)
    stored_file(app, job, str(index))
    url, expires = app.links.sign(job.id, index, expires_in_s)
    expires_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
    return Reply({"url": url, "expires_at": expires_at}, 201)


# ---- 10. Notifications and alerts ------------------------------------------------------------
# Telling people what needs them (API.md): each person's own target and the owner's, the
# messages (how a download ended, an alert for the owner) in each target's format, and the
# outbox, a table a thread of its own delivers from, retried with backoff across restarts.
# Alerts live here, not in a section of their own: an alert is one more message to the
# owner's target, through the same outbox, and once a day per subject is this table's rule.


NOTIFY_FORMATS = ("ntfy", "json", "text")


NOTIFY_TIMEOUT_S = 10.0  # a notification receiver gets this long to answer


NOTIFY_LINK_S = 7 * 86400  # a notification's signed link works this long (the longest allowed)


NOTIFY_RETRY_S = 2.0  # a failed delivery is tried again after this, doubling each time ...
NOTIFY_RETRY_MAX_S = 3600.0  # ... to at most an hour between tries ...
NOTIFY_GIVE_UP_S = 86400.0  # ... and given up a day after it was queued (API.md)


ALERT_KINDS = (
    "ytdlp_switched",
    "ytdlp_refused",
    "ytdlp_rolled_back",
    "follow_failing",
    "cookies_invalid",
    "site_blocking",
    "certificate_expiring",
    "disk_low",
    "component_failed",
)


ALERT_EVERY_S = 86400.0  # API.md: an alert at most once a day per (kind, subject)


ALERTS_LISTED = 100  # GET /api/v1/alerts: the last 100


@dataclass(frozen=True, slots=True)
class Target:
    """Where one person's notifications go. `configured`: the owner's notify_url of the
    configuration, which the owner wrote there: sent with notify_headers, to any address."""

    user: str
    url: str
    format: str
    configured: bool = False

    def describe(self) -> dict:
        return {"url": self.url, "format": self.format, "configured": self.configured}


@dataclass(frozen=True, slots=True)
class Message:
    """One thing to tell, before it is put in a target's format."""

    about: str  # for the log: "job <id>", "alert <kind> <subject>"
    title: str  # ntfy's Title
    line: str  # the sentence: ntfy's and text's body
    priority: int  # ntfy's: 3 default, 4 high
    tags: str  # ntfy's emoji shortcodes
    click: str | None  # what tapping opens: a signed link, the page
    fields: dict  # the json format's body

    def rendered(self, target_format: str) -> tuple[bytes, dict]:
        """(body, headers) as a target of this format takes it."""
        if target_format == "json":
            return json.dumps(self.fields).encode(), {"Content-Type": "application/json"}
        headers = {"Content-Type": "text/plain; charset=utf-8", "Tags": self.tags}
        if target_format == "ntfy":
            headers |= {"Title": header_text(self.title), "Priority": str(self.priority)}
        else:  # text: one line, as before ntfy was a format of its own
            headers["Title"] = "vidserve"
        if self.click:
            headers["Click"] = self.click
        return self.line.encode(), headers


def header_text(text: str) -> str:
    """A header value any HTTP library sends: ASCII as it is, else RFC 2047's encoded word
    (which ntfy reads), so a title in any script arrives whole."""
    text = in_words(text, 200)
    if text.isascii():
        return text
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def judge_target(policy: UrlPolicy, url: Any, target_format: Any) -> tuple[str, str]:
    """A target as PUT /api/v1/me/notify sends it, judged as a download link is (any domain,
    but http/https, no user-info, no private address unless allowed): (url, format), or
    ApiError 400/422."""
    if target_format not in NOTIFY_FORMATS:
        raise ApiError(400, "invalid_format", f"format must be one of {', '.join(NOTIFY_FORMATS)}")
    return policy.check(url, any_domain=True)[0], target_format


class Targets:
    """Each person's target, in the notify_targets table: set with PUT /api/v1/me/notify or
    `vidserve.py user notify`; the owner's is notify_url of the configuration until set."""

    def __init__(self, config: Config, database: Database):
        self.config = config
        self.database = database

    def of(self, user: str) -> Target | None:
        rows = self.database.read("SELECT url, format FROM notify_targets WHERE user = ?", (user,))
        if rows:
            return Target(user, rows[0]["url"], rows[0]["format"])
        if user == OWNER and self.config.notify_url:
            return Target(OWNER, self.config.notify_url, self.config.notify_format, True)
        return None

    def set(self, user: str, url: str, target_format: str) -> Target:
        self.database.commit(
            lambda db: db.execute(
                "INSERT INTO notify_targets (user, url, format) VALUES (?, ?, ?)"
                " ON CONFLICT (user) DO UPDATE SET url = excluded.url, format = excluded.format",
                (user, url, target_format),
            )
        )
        return Target(user, url, target_format)

    def remove(self, user: str) -> bool:
        removed = self.database.commit(
            lambda db: db.execute("DELETE FROM notify_targets WHERE user = ?", (user,)).rowcount
        )
        return bool(removed)

    @staticmethod
    def forget_target_of(db: sqlite3.Connection, name: str) -> None:
        """A removed person's target goes with them (a PersonEnding): a person added later
        under the same name starts with none."""
        db.execute("DELETE FROM notify_targets WHERE user = ?", (name,))


class Notifier:
    """Each person's target (the notify_targets table) and the messages they are sent, put in
    the outbox: how a person's download ended goes to that person and to the owner, never to
    another person; an alert goes to the owner (and, for some, to the person it is about).

    json: {"event", "download_id", "status", "title", "url", "file_url", "files", "user", ...};
    an alert: {"event": "alert", "kind", "subject", "title", "message", "at"}.
    ntfy: the sentence as the body, with Title, Priority, Tags and Click headers.
    text: one line as the body, with ntfy's Title ("vidserve"), Tags and Click headers.
    With public_url set, a completed download's message carries signed links that need no
    token (json: "link" and "links"; ntfy and text: Click), so tapping it opens the video.
    """

    def __init__(self, config: Config, links: LinkSigner, targets: Targets, outbox: Outbox):
        self.config = config
        self.links = links
        self.targets = targets
        self.outbox = outbox

    def targets_for(self, user: str) -> list[Target]:
        """The owner's target, and the person's when it is a person's: never another's."""
        users = [OWNER] if user == OWNER else [OWNER, user]
        return [target for name in users if (target := self.targets.of(name))]

    def download_ended(self, status: dict) -> None:
        """How a download ended, to its person and to the owner: queued in the outbox (a
        broken receiver never delays or fails a job)."""
        if targets := self.targets_for(status["user"]):
            self.outbox.put(targets, self.download_message(status))

    def download_message(self, status: dict) -> Message:
        completed = status["status"] == Status.COMPLETED
        base = self.config.public_url.rstrip("/")
        file_url = base + status["file_url"] if completed else None
        signed = [
            self.links.sign(status["download_id"], f["index"], NOTIFY_LINK_S)[0]
            for f in status["files"]
        ]
        links = [base + link for link in signed] if base else []  # a bare path opens nothing
        title = status["title"] or status["url"]
        keys = (
            "download_id",
            "status",
            "title",
            "url",
            "client_id",
            "error_code",
            "error_message",
            "completed_at",
            "user",
        )
        fields = {
            "event": f"download.{status['status']}",
            "file_url": file_url,
            "files": [base + f["file_url"] for f in status["files"]],
            "link": links[0] if links else None,
            "links": links,
        } | {key: status[key] for key in keys}
        if completed:
            line = f"Downloaded: {title}"
        else:
            line = f"Download failed: {title} ({status['error_message']})"
        return Message(
            about=f"job {status['download_id']}",
            title="Downloaded" if completed else "Download failed",
            line=in_words(line, 2 * MAX_MESSAGE_CHARS),
            priority=3 if completed else 4,
            tags="white_check_mark" if completed else "warning",
            click=(links[0] if links else file_url) if completed else None,
            fields=fields,
        )


class Outbox:
    """Notifications waiting to be delivered, in the database: a receiver that fails is
    tried again after 2 s, doubling to an hour, for a day, and a restart loses none. One
    thread, `notify`, sends them in the order they fall due, each through connect_allowed
    (a target set through the API is judged as a download link is, at every send: a name
    that changes its answer cannot slip past), with a 10 s limit."""

    def __init__(self, config: Config, database: Database, policy: UrlPolicy):
        self.config = config
        self.database = database
        self.policy = policy
        self._wake = threading.Condition()  # guards _pokes and _stopping
        self._pokes = 0  # messages put: the thread looks again when it changes
        self._stopping = False
        self._thread: threading.Thread | None = None

    def put(self, targets: list[Target], message: Message, alert_id: int | None = None) -> None:
        self.database.commit(lambda db: self.put_in(db, targets, message, alert_id))
        self.wake()

    @staticmethod
    def put_in(
        db: sqlite3.Connection, targets: list[Target], message: Message, alert_id: int | None
    ) -> None:
        """The message for each target, in the caller's transaction. The owner's copy of an
        alert carries alert_id: its delivery marks the alert delivered."""
        now = time.time()
        for target in targets:
            body, headers = message.rendered(target.format)
            db.execute(
                "INSERT INTO outbox (user, url, configured, body, headers, about, alert_id,"
                " created, attempts, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (
                    target.user,
                    target.url,
                    target.configured,
                    body,
                    json.dumps(headers),
                    message.about,
                    alert_id if target.user == OWNER else None,
                    now,
                    now,
                ),
            )

    def wake(self) -> None:
        with self._wake:
            self._pokes += 1
            self._wake.notify()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="notify", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                pokes = self._pokes  # a message put after this wakes the wait below
            try:
                rows = self.database.read("SELECT * FROM outbox ORDER BY due LIMIT 1")
                due = rows[0]["due"] if rows else None
                if due is not None and due <= time.time():
                    self._deliver(rows[0])
                    continue
            except Exception:  # an unexpected error must not end every notification
                log.exception("delivering a notification failed unexpectedly")
                due = time.time() + NOTIFY_RETRY_S
            with self._wake:
                self._wake.wait_for(
                    lambda pokes=pokes: self._pokes != pokes or self._stopping,
                    None if due is None else max(0.0, due - time.time()),
                )

    def _deliver(self, row: sqlite3.Row) -> None:
        """One try; sent, the row goes (and its alert is marked delivered), else it waits."""
        headers = json.loads(row["headers"]) | (
            self.config.notify_headers if row["configured"] else {}
        )
        try:
            self.send(row["url"], row["body"], headers, judged=not row["configured"])
        except (OSError, ValueError, http.client.HTTPException, AddressRefused) as err:
            attempts = row["attempts"] + 1
            delay = min(NOTIFY_RETRY_S * 2 ** (attempts - 1), NOTIFY_RETRY_MAX_S)
            give_up = time.time() + delay > row["created"] + NOTIFY_GIVE_UP_S
            log.warning(
                "notification for %s to %s failed (try %d): %s; %s",
                row["about"],
                row["url"],
                attempts,
                err,
                "given up after a day" if give_up else f"tried again in {delay:g} s",
            )
            self.database.commit(
                lambda db: (
                    db.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))
                    if give_up
                    else db.execute(
                        "UPDATE outbox SET attempts = ?, due = ? WHERE id = ?",
                        (attempts, time.time() + delay, row["id"]),
                    )
                )
            )
            return
        log.info("notification for %s sent to %s", row["about"], row["url"])

        def sent(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))
            if row["alert_id"] is not None:
                Alerts.mark_delivered(db, row["alert_id"])

        self.database.commit(sent)

    def send(self, url: str, body: bytes, headers: dict, judged: bool) -> None:
        """POST body to url; OSError unless it answers 2xx. A judged target is reached only
        at an address the policy allows (connect_allowed), the address checked being the
        address used."""
        parts = urllib.parse.urlsplit(url)
        https = parts.scheme == "https"
        host, port = parts.hostname or "", parts.port or (443 if https else 80)
        with own_connections():
            if judged:
                sock = connect_allowed(self.policy, host, port, NOTIFY_TIMEOUT_S)
            else:
                sock = socket.create_connection((host, port), NOTIFY_TIMEOUT_S)
        connection = http.client.HTTPConnection(host, port, timeout=NOTIFY_TIMEOUT_S)
        try:
            if https:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            connection.sock = sock
            path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
            connection.request("POST", path, body, headers)
            reply = connection.getresponse()
            reply.read(1024)
            if not 200 <= reply.status < 300:
                raise OSError(f"the receiver answered HTTP {reply.status}")
        finally:
            connection.close()
            sock.close()


class Alerts:
    """What the owner is told when something breaks (API.md "Alerts for the owner"): one
    entry point, raise_, called where the cause is noticed; each (kind, subject) at most
    once a day; stored (GET /api/v1/alerts lists the last 100) and sent to the owner's
    target through the outbox, and to the person it concerns when there is one. A message
    never holds a token or a cookie: each is a sentence written here, by its raiser."""

    def __init__(self, config: Config, database: Database, notifier: Notifier):
        self.config = config
        self.database = database
        self.notifier = notifier

    def raise_(
        self, kind: str, subject: str, title: str, message: str, person: str | None = None
    ) -> bool:
        """Raise an alert, unless this (kind, subject) was raised in the last day: stored
        and queued for the owner (and `person`) in one commit. Whether it was raised."""
        if kind not in ALERT_KINDS:
            raise ValueError(f"unknown alert kind {kind!r}")
        title, message = in_words(title, 100), in_words(message)
        now, at = time.time(), utc_now()
        targets = self.notifier.targets_for(person or OWNER)
        base = self.config.public_url.rstrip("/")
        note = Message(
            about=f"alert {kind} {subject}",
            title=title,
            line=message,
            priority=4,
            tags="rotating_light",
            click=base + "/" if base else None,
            fields={"event": "alert", "kind": kind, "subject": subject, "title": title}
            | {"message": message, "at": at},
        )

        def raised(db: sqlite3.Connection) -> bool:
            recent = db.execute(
                "SELECT 1 FROM alerts WHERE kind = ? AND subject = ? AND raised > ?",
                (kind, subject, now - ALERT_EVERY_S),
            ).fetchone()
            if recent:
                return False
            alert_id = db.execute(
                "INSERT INTO alerts (kind, subject, title, message, at, raised)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, subject, title, message, at, now),
            ).lastrowid
            Outbox.put_in(db, targets, note, alert_id)
            return True

        if not (done := self.database.commit(raised)):
            return False
        log.warning("alert %s (%s): %s: %s", kind, subject, title, message)
        self.notifier.outbox.wake()
        return done

    @staticmethod
    def mark_delivered(db: sqlite3.Connection, alert_id: int) -> None:
        db.execute("UPDATE alerts SET delivered = 1 WHERE id = ?", (alert_id,))

    def latest(self) -> list[dict]:
        rows = self.database.read(
            "SELECT kind, subject, title, message, at, delivered FROM alerts"
            " ORDER BY id DESC LIMIT ?",
            (ALERTS_LISTED,),
        )
        return [dict(row) | {"delivered": bool(row["delivered"])} for row in rows]


SCHEMAS |= {
    "NotifyTarget": {
        "type": "object",
        "required": ["url", "format"],
        "properties": {
            "url": {"type": "string", "format": "uri", "maxLength": MAX_URL_CHARS},
            "format": {"enum": list(NOTIFY_FORMATS)},
        },
    },
    "NotifyTargetShown": {
        "type": "object",
        "required": ["url", "format", "configured"],
        "properties": {
            "url": {"type": ["string", "null"]},
            "format": {"enum": [*NOTIFY_FORMATS, None]},
            "configured": {
                "type": "boolean",
                "description": "The owner's notify_url of the configuration (no target set)",
            },
        },
    },
    "Alert": {
        "type": "object",
        "required": ["kind", "subject", "title", "message", "at", "delivered"],
        "properties": {
            "kind": {"enum": list(ALERT_KINDS)},
            "subject": {"type": "string"},
            "title": {"type": "string"},
            "message": {"type": "string", "maxLength": MAX_MESSAGE_CHARS},
            "at": {"type": "string", "format": "date-time"},
            "delivered": {"type": "boolean"},
        },
    },
}


def shown_target(target: Target | None) -> dict:
    return target.describe() if target else {"url": None, "format": None, "configured": False}


@route(
    "GET",
    "/api/v1/me/notify",
    WRITE,
    summary="Where the caller's own notifications go (url null: nowhere)",
    replies=json_reply("The caller's target", "NotifyTargetShown"),
)
def get_my_target(app: App, request: Request) -> Reply:
    """GET /api/v1/me/notify: the caller's target; the owner's is notify_url until set."""
    return Reply(shown_target(app.notifier.targets.of(request.caller.user)))


@route(
    "PUT",
    "/api/v1/me/notify",
    WRITE,
    summary="Send the caller's own notifications to url, as ntfy, json or text",
    body={
        "required": True,
        "content": {
            kind: {"schema": ref("NotifyTarget")}
            for kind in ("application/json", "application/x-www-form-urlencoded")
        },
    },
    replies=json_reply("The caller's target, as now", "NotifyTargetShown"),
    errors=(400, 413, 415, 422),
)
def put_my_target(app: App, request: Request) -> Reply:
    """PUT /api/v1/me/notify: the target, judged as a download link is, committed."""
    form = request.form()
    url, target_format = judge_target(app.policy, form.get("url"), form.get("format", "ntfy"))
    return Reply(app.notifier.targets.set(request.caller.user, url, target_format).describe())


@route(
    "DELETE",
    "/api/v1/me/notify",
    WRITE,
    summary="No more notifications for the caller (the owner's: back to notify_url)",
    replies=json_reply("The caller's target, as now", "NotifyTargetShown"),
    errors=(404,),
)
def delete_my_target(app: App, request: Request) -> Reply:
    """DELETE /api/v1/me/notify: 404 when none was set through the API."""
    if not app.notifier.targets.remove(request.caller.user):
        raise ApiError(404, "not_found", "no notification target was set")
    return Reply(shown_target(app.notifier.targets.of(request.caller.user)))


@route(
    "GET",
    "/api/v1/alerts",
    OWNER_ONLY,
    summary="The last 100 alerts for the owner, newest first",
    replies=json_reply("The alerts", "Alert", many=True),
)
def list_alerts(app: App, request: Request) -> Reply:
    """GET /api/v1/alerts (owner only): what broke, and whether the owner was told."""
    return Reply(app.alerts.latest())


# ---- 11. Cookies -----------------------------------------------------------------------------
# The owner's cookies.txt for the sites that need a login, and its routes.


MAX_COOKIES_BYTES = 1024 * 1024  # API.md: PUT /api/v1/cookies takes up to 1 MiB


def parse_cookies_txt(text: str) -> list[str]:
    """The domains of a Netscape cookies.txt, or ApiError 400 naming the first bad line.

    A cookie line has 7 tab-separated fields: domain, subdomains TRUE/FALSE, path, secure
    TRUE/FALSE, expiry (epoch seconds), name, value. `#HttpOnly_` marks a cookie, not a
    comment; other `#` lines and blank lines are skipped.
    """
    domains = set()
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line.startswith("#HttpOnly_"):
            line = line.removeprefix("#HttpOnly_")
        elif not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if (
            len(fields) != 7
            or not fields[0]
            or not fields[5]
            or fields[1] not in ("TRUE", "FALSE")
            or fields[3] not in ("TRUE", "FALSE")
            or not re.fullmatch(r"-?\d{1,12}", fields[4])
        ):
            raise ApiError(
                400,
                "invalid_cookies",
                f"line {number} is not a Netscape cookie"
                " line (7 tab-separated fields); export cookies.txt again",
            )
        domains.add(fields[0].lstrip(".").lower())
    if not domains:
        raise ApiError(400, "invalid_cookies", "the file holds no cookies")
    return sorted(domains)


class Cookies:
    """The owner's cookies.txt (PUT /api/v1/cookies, mode 0600), which a YoutubeDL reads when
    it is built: `version` counts the changes, so that each worker rebuilds its own."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()  # guards _version
        self._version = 0

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def _changed(self) -> None:
        with self._lock:
            self._version += 1

    def save(self, text: str) -> None:
        """Replace the cookies with `text`, written whole: a download never reads half."""
        partial = self.path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self.path)
        self._changed()

    def cover(self, site: Site | None) -> bool:
        """Whether cookies for site are uploaded (any cookies, for a link of no known site)."""
        state = self.state()
        domains = [domain.lstrip(".") for domain in state["domains"]]
        return state["present"] and (site is None or any(d.endswith(site.domain) for d in domains))

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self._changed()

    def state(self) -> dict:
        """What GET /api/v1/cookies tells: never the cookies themselves."""
        if not self.path.exists():
            return {"present": False, "domains": [], "updated_at": None}
        domains = parse_cookies_txt(self.path.read_text(encoding="utf-8", errors="replace"))
        updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.path.stat().st_mtime))
        return {"present": True, "domains": domains, "updated_at": updated}


COOKIES_REPLY = {
    "200": {
        "description": "Whether cookies are set (never the cookies)",
        "content": json_content(
            {
                "type": "object",
                "properties": {
                    "present": {"type": "boolean"},
                    "domains": {"type": "array", "items": {"type": "string"}},
                    "updated_at": nullable("string", format="date-time"),
                },
            }
        ),
    }
}


@route(
    "PUT",
    "/api/v1/cookies",
    OWNER_ONLY,
    body_limit=MAX_COOKIES_BYTES,
    summary="Upload a Netscape cookies.txt for the next downloads",
    body={
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string", "maxLength": MAX_COOKIES_BYTES}}},
    },
    replies=COOKIES_REPLY,
    errors=(400, 413, 415),
)
def put_cookies(app: App, request: Request) -> Reply:
    """PUT /api/v1/cookies: a Netscape cookies.txt for the next downloads (mode 0600)."""
    kind = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind != "text/plain":
        raise ApiError(415, "unsupported_media_type", "send the cookies.txt as text/plain")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_cookies", "cookies.txt is not UTF-8 text") from None
    parse_cookies_txt(text)
    app.cookies.save(text)
    state = app.cookies.state()
    log.info("cookies uploaded for %s", ", ".join(state["domains"]))
    return Reply(state)


@route(
    "GET",
    "/api/v1/cookies",
    OWNER_ONLY,
    summary="Whether cookies are set, and for which domains",
    replies=COOKIES_REPLY,
)
def get_cookies(app: App, request: Request) -> Reply:
    """GET /api/v1/cookies: whether cookies are set, and for which domains."""
    return Reply(app.cookies.state())


@route("DELETE", "/api/v1/cookies", OWNER_ONLY, summary="Forget the cookies", replies=COOKIES_REPLY)
def delete_cookies(app: App, request: Request) -> Reply:
    """DELETE /api/v1/cookies: forget them; the next downloads go without."""
    app.cookies.remove()
    return Reply(app.cookies.state())


# ---- 12. The worker --------------------------------------------------------------------------
# A job's path, read top to bottom: yt-dlp loaded and warmed up, a worker takes a job, the
# Fetcher hands the link to yt-dlp (its options, one post = one download), each video is
# checked with ffprobe (sound, codec, hvc1) and another format tried where needed, and a
# failure is read into its class.


YTDLP_STALE_DAYS = 30  # older than this, health and the page suggest update-ytdlp


# What update-ytdlp installs: yt-dlp with curl_cffi, so that it can present itself as a
# browser (a wheel only: none exists for 32-bit ARM), else yt-dlp alone.
YTDLP_PACKAGES = (
    ("--only-binary", "curl-cffi", "yt-dlp[default,curl-cffi]"),
    ("yt-dlp[default]",),
)


YTDLP_IMPORT = threading.Lock()  # see import_ytdlp


PROGRESS_INTERVAL_S = 0.5  # API.md: progress events at most twice a second per download


def import_ytdlp():
    """yt-dlp, imported once: lazily, since the server starts and idles without it, and
    under a lock, since two threads importing it at once (the warm-up and a worker's first
    job) break its lazy submodules."""
    with YTDLP_IMPORT:
        import yt_dlp
    return yt_dlp


WARM_EXTRACTORS = ("Generic",)  # 25 ms to import; TikTok's or Instagram's takes 1 ms


@functools.cache
def impersonation_targets() -> tuple[str, ...]:
    """The browsers yt-dlp can present itself as (through curl_cffi), best first; empty where
    it cannot. TikTok and Instagram refuse many clients that do not look like a browser."""
    try:  # a YoutubeDL without its ~1,800 extractors: 1 ms instead of 60
        options = {"quiet": True, "no_warnings": True}
        with import_ytdlp().YoutubeDL(options, auto_init=False) as ydl:
            return tuple(str(target) for target, _ in Borrowed.impersonate_targets(ydl))
    except Exception:  # noqa: BLE001 (a broken yt-dlp install is reported by health and selftest)
        return ()


def can_impersonate(app: App) -> bool:
    """Health's "impersonation": yt-dlp's own answer once it is loaded; in the second after a
    start while it loads, whether curl_cffi imports (yt-dlp imports it too), rather than
    wait for all of yt-dlp (issue 25: health answers at once)."""
    if app.warm.is_set():
        return bool(impersonation_targets())
    try:
        import curl_cffi  # noqa: F401
    except Exception:  # noqa: BLE001 (missing, or no wheel for this platform)
        return False
    return True


def report_impersonation() -> None:
    """At start, in the background (it imports yt-dlp, which the first download then finds
    loaded): say plainly whether TikTok and Instagram will see a browser."""
    if targets := impersonation_targets():
        log.info("browser impersonation available: yt-dlp presents itself as %s", targets[0])
    else:
        log.warning(
            "browser impersonation NOT available: TikTok and Instagram may refuse downloads."
            " Install curl_cffi: pip install 'yt-dlp[default,curl-cffi]' (no wheel exists for"
            " some platforms, such as 32-bit ARM)"
        )


class Stopped(Exception):
    """The job was cancelled, or the server is stopping; the progress hook raised it."""


class AlreadySaved(Exception):
    """The link is a post an earlier download saved: its files serve this job too."""

    def __init__(self, original: Job):
        super().__init__(original.id)
        self.original = original


def classify_failure(error: BaseException, impersonation: bool, cookies: bool) -> FetchError:
    """Map a yt-dlp exception chain to a FetchError: transient ones are retried. Whether
    yt-dlp could present itself as a browser, and had cookies, goes into the advice.

    yt-dlp's exception classes and fields are read first (UnsupportedError, HTTPError.status,
    errno, TransportError, ExtractorError.expected); its words only where it gives nothing
    else, in the failure table of the site the error came from (all of them where that is
    not known: ExtractorError.ie names the extractor), then EVERY_SITES_FAILURES."""
    from yt_dlp.networking.exceptions import HTTPError, TransportError
    from yt_dlp.utils import ExtractorError, UnsupportedError

    chain = exception_chain(error)
    for item in chain:
        if isinstance(item, UnsupportedError):
            return FetchError(
                "unsupported_url",
                "yt-dlp does not know how to fetch a video from this link",
                transient=False,
            )
        if isinstance(item, HTTPError):
            host = urllib.parse.urlsplit(item.response.url or "").hostname or ""
            flaky = [
                site for site in SITES if site.flaky_404_hosts and site.flaky_404_hosts.search(host)
            ]
            if item.status == 404 and flaky:
                return FetchError(
                    "not_found",
                    f"{host} answered HTTP 404, which {flaky[0].title} often does once",
                    transient=True,
                    max_retries=1,
                )
            retry_after = item.response.headers.get("Retry-After")
            return classify_http_status(item.status, retry_after, impersonation, cookies)
        if isinstance(item, OSError) and item.errno == errno.ENOSPC:
            return FetchError(
                "disk_full", "the disk is full; free some space, then retry", transient=False
            )
    extractor = next(
        (item.ie for item in chain if isinstance(item, ExtractorError) and item.ie), None
    )
    site = site_named(extractor)
    text = " ".join(str(item) for item in chain).lower()
    for failure in [
        *(site.failures if site else [f for s in SITES for f in s.failures]),
        *EVERY_SITES_FAILURES,
    ]:
        if match := failure.words.search(text):
            return failure_in_words(failure, match[0], error, impersonation)
    if any(isinstance(item, TransportError) for item in chain):
        return FetchError("network", f"network error: {first_line(error)}", transient=True)
    expected = any(isinstance(item, ExtractorError) and item.expected for item in chain)
    return FetchError("extractor", first_line(error), transient=not expected)


def exception_chain(error: BaseException) -> list[BaseException]:
    """An error and what caused it, outermost first: yt-dlp's exc_info and cause, Python's
    __cause__ and __context__ (at most 10, and never round in a loop)."""
    chain, seen = [], error
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = (
            getattr(seen, "exc_info", None)
            and seen.exc_info[1]
            or (getattr(seen, "cause", None) or seen.__cause__ or seen.__context__)
        )
        if seen in chain:
            break
    return chain


def failure_in_words(
    failure: SiteFailure, words: str, error: BaseException, impersonation: bool
) -> FetchError:
    """The FetchError a failure told in `words` stands for."""
    if failure.code == "blocked":
        return blocked(words, impersonation)
    message = failure.message or first_line(error)
    if failure.impersonation_helps and not impersonation:
        message += "; browser impersonation (curl_cffi) may also help"
    return FetchError(failure.code, message, transient=failure.transient)


def classify_http_status(
    status: int, retry_after: str | None, impersonation: bool, cookies: bool
) -> FetchError:
    if status in (404, 410):
        return FetchError("not_found", f"the video is gone (HTTP {status})", transient=False)
    if status == 429:
        delay = retry_after_s(retry_after, 0.0)
        return FetchError(
            "rate_limited",
            "the site is rate limiting us (HTTP 429); will retry",
            transient=True,
            retry_after_s=delay,
        )
    if status == 401 or (status == 403 and cookies):
        return FetchError(
            "login_required",
            f"the site refused access (HTTP {status}); it needs a login: upload your"
            " cookies.txt, or fresh ones, with PUT /api/v1/cookies (see README)",
            transient=False,
        )
    if status == 403:  # to an anonymous client: the site refuses this server
        return blocked("HTTP 403", impersonation)
    return FetchError("http_error", f"the site answered HTTP {status}", transient=status >= 500)


def blocked(reason: str, impersonation: bool) -> FetchError:
    """The site refused this server: say whether it saw a browser, and what may help."""
    how = (
        "although vidserve presented itself as a browser"
        if impersonation
        else "and vidserve cannot present itself as a browser here: install curl_cffi"
        " (pip install 'yt-dlp[default,curl-cffi]')"
    )
    return FetchError(
        "blocked",
        f"the site refused this server ({reason}) {how}. Try: update yt-dlp (vidserve.py"
        " update-ytdlp), upload your cookies (PUT /api/v1/cookies), or another network",
        transient=False,
    )


YTDLP_ADVICE = re.compile(  # yt-dlp's advice to its own users, not to a person sharing a link
    r"[;.]?\s*(please report this issue on|confirm you are on the latest version using)"
    r"[^;]*?(?:yt-dlp -U|issue template\.?|$)"
    r"|\s*\(?(?:https?://)?(?:github\.com/yt-dlp|yt-dl\.org)\S*",
    re.IGNORECASE,
)


def first_line(error: BaseException) -> str:
    """The first line of a yt-dlp error, without yt-dlp's advice to report it or its URLs."""
    text = str(error).removeprefix("ERROR: ").strip()
    line = (text.splitlines() or [type(error).__name__])[0]
    return in_words(YTDLP_ADVICE.sub("", line).strip(" ;") or type(error).__name__)


class YtdlpLog:
    """yt-dlp's messages into our log, one level down: its errors become our FetchErrors.
    yt-dlp reports each step of its work here, which makes each message a worker's point
    to give way to requests (Foreground)."""

    def __init__(self, foreground: Foreground | None = None):
        self._give_way = foreground.give_way if foreground else lambda: None

    def debug(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)
        self._give_way()

    info = debug

    def warning(self, message: str) -> None:
        log.info("yt-dlp: %s", message)
        self._give_way()

    def error(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)


def phone_formats(can_merge: bool) -> dict:
    """yt-dlp format options for what an iPhone plays: H.264 (else HEVC) video, AAC audio,
    in mp4. With ffmpeg the best such video and audio are merged; without it, the best
    single file, mp4 first. yt-dlp's own sorting does the work; ytdlp_options can override."""
    sort = ["vcodec:h264", "acodec:aac", "ext:mp4:m4a", "res"]
    if can_merge:
        return {"format": "bv*+ba/b", "format_sort": sort, "merge_output_format": "mp4"}
    return {"format": "b[ext=mp4]/b", "format_sort": sort}


def read_post(ydl: Any, url: str, ie_key: str | None) -> dict:
    """yt-dlp's reading of a link by the extractor `ie_key`, without downloading: a TikTok
    slideshow that extractor saw only the sound of is read again by vidserve's own."""
    info = ydl.extract_info(url, download=False, process=False, ie_key=ie_key)
    if tiktok_slideshow(info) and TIKTOK_POST_URL.match(info.get("webpage_url") or url):
        info = ydl.extract_info(
            info.get("webpage_url") or url, download=False, process=False, ie_key="TikTokPhoto"
        )
    return info


def ytdlp_failure(app: App, client: str, error: Exception) -> FetchError:
    """What a yt-dlp error of an egress client (a worker, the follow checker) means: the
    egress proxy's refusal when there was one, else classify_failure's reading of it, told
    with the host the proxy could not reach when that was the cause (yt-dlp saw only a
    "502", and an extractor that swallows it then fails to find its data: `extractor` would
    send a person looking at the link). The whole text stays in the log."""
    reached = app.egress.last_reached(client)
    log.info("%s: yt-dlp failed: %s", client, " ".join(str(error).split()))
    if refused := app.egress.refusal(client):
        return FetchError("private_address", f"refused to follow the link: {refused}", False)
    cookies = app.config.cookie_path.exists()
    failure = classify_failure(error, bool(impersonation_targets()), cookies)
    # http_error too: over plain http, the proxy's own "502" is all yt-dlp is answered
    if failure.code not in ("network", "extractor", "http_error") or reached is None:
        return failure
    if reached.failure:
        return FetchError("network", f"cannot reach {reached.host}: {reached.failure}", True)
    # A handler that connected directly: its error, or (when an extractor swallowed it) the
    # name looked up once more
    if cause := unreachable(error) or (reached.direct and lookup_failure(reached.host)):
        return FetchError("network", f"cannot reach {reached.host}: {cause}", True)
    if failure.code != "http_error" and (handshake := tls_failure(error)):
        return FetchError("network", f"cannot reach {reached.host}: {handshake}", True)
    return failure


def reading_options(config: Config, cookie_copy: Path | None = None) -> dict:
    """What yt-dlp reads a post with, a worker and a try of a new yt-dlp alike: Instagram's
    images have no formats (complete_instagram_images saves them); the owner's cookies (PUT
    /api/v1/cookies), a copy for a try, since yt-dlp writes them back as it closes; then the
    owner's ytdlp_options."""
    options: dict[str, Any] = {"ignore_no_formats_error": True}
    if config.cookie_path.exists():
        options["cookiefile"] = str(cookie_copy or config.cookie_path)
    return options | config.ytdlp_options


def ytdlp_params(
    config: Config, foreground: Foreground, progress_hook: Callable[[dict], None], audio_only: bool
) -> dict:
    """yt-dlp's options: ours, then the user's ytdlp_options on top, then audio-only's."""
    params = {
        "quiet": True,
        "noprogress": True,
        "logger": YtdlpLog(foreground),
        "outtmpl": "%(title).120B [%(id).60B].%(ext)s",
        "cachedir": str(config.data_path / "ytdlp-cache"),
        "socket_timeout": YTDLP_SOCKET_TIMEOUT_S,
        "retries": 3,
        "fragment_retries": 3,
        "overwrites": False,  # a retry keeps the items an earlier attempt finished
        "noplaylist": False,
        "playlistend": config.max_items + 1,  # within_max_items refuses the +1
        "writethumbnail": True,  # API.md: kept with the download, served by vidserve
        **phone_formats(ffmpeg_available()),
    }
    params |= reading_options(config)
    params["progress_hooks"] = [progress_hook, *params.get("progress_hooks", [])]
    if audio_only:  # API.md: the sound as .m4a (AAC), natively when the site has it
        params["format"] = "bestaudio[ext=m4a]/bestaudio/best"
        params["postprocessors"] = [
            *params.get("postprocessors", []),
            {"key": "FFmpegExtractAudio", "preferredcodec": "m4a"},
        ]
    return params


# yt-dlp's protocols that go over HTTP(S), and so are judged by the egress proxy or its hook;
# rtmp, rtsp and mms are handed to programs (rtmpdump, mpv, ffmpeg) that neither sees.
HTTP_PROTOCOLS = {"http", "https", "m3u8", "m3u8_native", "http_dash_segments", "ism", "f4m"}


HTTP_PROTOCOLS |= {"http_dash_segments_generator", "mhtml"}


def http_only() -> type:
    """A yt-dlp PostProcessor run before each download: a format of any protocol but
    HTTP(S) fails the download instead of reaching the network around the proxy. (It
    raises DownloadError: yt-dlp takes a PostProcessingError before a download as a
    warning and downloads anyway.)"""
    from yt_dlp.postprocessor import PostProcessor
    from yt_dlp.utils import DownloadError

    class HttpOnly(PostProcessor):
        def run(self, info: dict) -> tuple[list, dict]:
            protocols = set(str(info.get("protocol") or "https").split("+"))
            if other := protocols - HTTP_PROTOCOLS:
                raise DownloadError(f"refused to download by {', '.join(sorted(other))}")
            return [], info

    return HttpOnly


def ffmpeg_step(info: dict, audio_only: bool) -> bool:
    """Whether ffmpeg will read a file yt-dlp has just downloaded for this format: to take
    the sound out, to merge video and audio, or to fix up a stream's container."""
    protocols = set(str(info.get("protocol") or "https").split("+"))
    merging = bool(info.get("requested_formats"))
    return ffmpeg_available() and (audio_only or merging or not protocols <= {"http", "https"})


def describe_video(info: dict) -> dict:
    thumbnail = info.get("thumbnail")
    return {
        "title": info.get("title"),
        "uploader": info.get("uploader") or info.get("channel"),
        "duration_s": info.get("duration"),
        "thumbnail_url": thumbnail if isinstance(thumbnail, str) else None,
    }


MAX_FORMAT_TRIES = 4  # downloads of one video, the first included, to find a playable one


# ffprobe's codec names as the status object says them, and as yt-dlp's format sorting knows them.
CODECS = {"h264": "avc1", "hevc": "hvc1", "vp9": "vp09", "av1": "av01"}


IPHONE_CODECS = ("h264", "hevc")


def probe_video(path: Path) -> dict | None:
    """What a saved video holds, as ffprobe reads it: its codec (h264, hevc, vp9, av1, or
    ffprobe's name for another), the codec's tag in the file, and whether it has sound.
    None when ffprobe reads no video in it, or the file does not even begin as media
    (ffprobe spends ~0.15 s refusing 100 MB of something else)."""
    if not looks_like_media(str(path)):
        return None
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
            capture_output=True,
            timeout=60,
            check=True,
        )
        streams = json.loads(result.stdout).get("streams") or []
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        return None
    return {
        "codec": video.get("codec_name"),
        "tag": video.get("codec_tag_string"),
        "has_audio": any(s.get("codec_type") == "audio" for s in streams),
    }


def post_has_sound(entry: dict) -> bool:
    """Whether the site offers sound for the post: a format of it says it carries audio."""
    return any(f.get("acodec") not in (None, "none") for f in entry.get("formats") or [])


def needs_another_format(entry: dict, facts: dict) -> bool:
    """A saved video that an iPhone would play silent, or not at all."""
    silent = not facts["has_audio"] and post_has_sound(entry)
    return silent or facts["codec"] not in IPHONE_CODECS


def formats_to_try(entry: dict, facts: dict) -> list[dict] | None:
    """The post's formats for yt-dlp to choose from again, after the saved one was found
    wanting: without it and every other format of its codec when an iPhone cannot play that
    (None when no video format is left: the post has nothing better); else with the saved
    one described as ffprobe read it (silent: yt-dlp then merges the post's audio in)."""
    chosen = entry.get("requested_formats") or [entry]
    ids = {f.get("format_id") for f in chosen if f.get("vcodec") != "none"}
    formats = entry.get("formats") or []
    if facts["codec"] not in IPHONE_CODECS:
        names = (CODECS.get(facts["codec"], facts["codec"]), facts["codec"])
        rest = [
            f
            for f in formats
            if f.get("format_id") not in ids and not str(f.get("vcodec")).startswith(names)
        ]
        return rest if any(f.get("vcodec") != "none" for f in rest) else None
    truth = {"vcodec": CODECS[facts["codec"]]} | ({} if len(chosen) > 1 else {"acodec": "none"})
    return [f | truth if f.get("format_id") in ids else f for f in formats]


def remux_hvc1(path: Path) -> None:
    """HEVC tagged hev1 becomes hvc1, the tag Photos and QuickTime take: the streams are
    copied, not encoded again. Best effort: if ffmpeg fails, the file stays as it came."""
    temporary = path.with_name(f"{path.stem}.hvc1{path.suffix}")
    command = ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-map", "0", "-c", "copy"]
    try:
        subprocess.run(
            [*command, "-tag:v", "hvc1", "-movflags", "+faststart", str(temporary)],
            capture_output=True,
            timeout=300,
            check=True,
        )
        os.replace(temporary, path)
    except (OSError, subprocess.SubprocessError) as err:
        log.info("remuxing %s to hvc1 failed: %s", path.name, err)
        temporary.unlink(missing_ok=True)


def playability(facts: dict) -> dict:
    """A saved video's facts as the status object says them."""
    playable = facts["codec"] in IPHONE_CODECS
    return {
        "codec": facts["codec"],
        "has_audio": facts["has_audio"],
        "playable_on_iphone": playable,
        "playable_note": None
        if playable
        else f"the post is offered only in {facts['codec'].upper()}, which iPhones before"
        " the 15 Pro (AV1) or Photos (VP9) do not play; a player app such as VLC does",
    }


class Fetcher:
    """A worker's warm YoutubeDL instances, re-pointed at each job's private directory.

    Building a YoutubeDL costs tens of milliseconds; keeping one per worker (one for video,
    one for audio-only, made when first needed) is what makes pickup fast. Only `paths`
    changes between jobs, and yt-dlp reads it on every download.
    """

    def __init__(self, app: App, name: str):
        self.app = app
        self.name = name  # the worker's, which the egress proxy knows it by
        self._instances: dict[bool, Any] = {}  # audio_only -> YoutubeDL
        self._cookies_version = app.cookies.version  # YoutubeDL reads cookies when built
        self._job: Job | None = None
        self._run: Run | None = None

    def _youtube_dl(self, audio_only: bool):
        if self._cookies_version != self.app.cookies.version:
            self._instances.clear()
            self._cookies_version = self.app.cookies.version
        if audio_only not in self._instances:
            yt_dlp = import_ytdlp()

            params = ytdlp_params(
                self.app.config, self.app.foreground, self._on_progress, audio_only
            )
            params["proxy"] = self.app.egress.url(self.name)  # every connection is checked
            ydl = self._instances[audio_only] = yt_dlp.YoutubeDL(params)
            self.app.egress.connect_directly(ydl)
            Borrowed.print_nothing(ydl)
            Borrowed.search_embeds_with(ydl, self.app.extractors.embedders)
            ydl.add_info_extractor(tiktok_photo_extractor()())
            ydl.add_post_processor(http_only()(), when="before_dl")
            add_library_postprocessors(ydl)
        return self._instances[audio_only]

    def warm(self, first: bool) -> None:
        """Before the server takes its first request, do what the first link would wait for
        (issue 17, --bench: 201 to first request 0.8 s -> 30 ms, seconds on a Pi): import
        yt-dlp and build this worker's YoutubeDL. The first worker also loads the extractors
        shared links reach and the ExtractorFinder (compiling the ~180 URL patterns every
        link is tried on), and sends one request through the egress proxy: its HTTP handler
        loads the CA certificates then (~20 ms, and 0.7 MB that other workers spend only
        when they are needed)."""
        try:
            ydl = self._youtube_dl(audio_only=False)
            if first:
                for key in WARM_EXTRACTORS:
                    ydl.get_info_extractor(key)
                from yt_dlp.networking import Request

                proxies = {"all": self.app.egress.url(self.name)}  # whichever handler answers
                ydl.urlopen(Request(f"http://{WARM_UP_HOST}/", proxies=proxies)).close()
                saved = self.app.config.data_path / "ytdlp-patterns.json"
                self.app.extractors.load(saved)
                for site in SITES:  # compiles the patterns their links are tried on
                    self.app.extractors.find(ydl, site.example_post)
            # yt-dlp's ~60,000 objects live as long as the process. A full collection walking
            # them held the GIL for 22-27 ms, stalling every request (--bench, submits while
            # downloading); frozen, it takes 1-1.5 ms.
            gc.collect()
            gc.freeze()
        except Exception:  # the first job reports a broken yt-dlp properly
            log.debug("warming yt-dlp failed", exc_info=True)

    def fetch(self, job: Job, workdir: Path, run: Run) -> tuple[dict, list[Path]]:
        """Download into workdir; returns yt-dlp's info and the finished files, in order."""
        import_ytdlp()
        from yt_dlp.utils import DownloadCancelled

        if job.audio_only and not ffmpeg_available():
            raise FetchError(
                "ffmpeg_missing",
                "audio only needs ffmpeg, which is not installed: sudo apt install ffmpeg",
                transient=False,
            )
        ydl = self._youtube_dl(job.audio_only)
        ydl.params["paths"] = {"home": str(workdir), "temp": str(workdir)}
        self._job, self._run = job, run
        self.app.egress.refusal(self.name)  # forget what an earlier job was refused
        try:
            self.app.foreground.give_way()  # before the extractor is found: ~1.2 ms
            info = self.within_max_items(ydl, self.extract(ydl, job.url))
            self.identify_post(job, info)
            complete_instagram_images(info)
            paths = self.download(ydl, info, workdir, job.audio_only)
        except (DownloadCancelled, Stopped) as err:
            if run.failure:
                raise run.failure from err
            raise Stopped() from err
        except (FetchError, AlreadySaved):
            raise
        except Exception as err:
            if run.cancel.is_set() or self.app.queue.stopping.is_set():
                raise Stopped() from err
            raise ytdlp_failure(self.app, self.name, err) from err
        finally:
            self._job = self._run = None
        return info, paths

    def extract(self, ydl: Any, url: str, ie_key: str | None = None) -> dict:
        """yt-dlp's reading of a link, without downloading, by the extractor yt-dlp would
        choose. A TikTok photo post goes to vidserve's extractor where yt-dlp has none of
        its own for the link (only its generic one), or where yt-dlp's saw only its sound:
        yt-dlp's wins wherever it reads the post whole."""
        if ie_key is None:
            ie_key = self.app.extractors.find(ydl, url)
            if ie_key == "Generic" and TIKTOK_POST_URL.match(url):
                ie_key = "TikTokPhoto"
        return read_post(ydl, url, ie_key)

    def identify_post(self, job: Job, info: dict) -> None:
        """Record which post a link is; raise AlreadySaved when an earlier download saved it.

        Only extractors that know the site's own id of a post take part: the generic one
        makes its ids up from file names, which different videos share.
        """
        site, video_id = info.get("extractor_key"), info.get("id")
        video_id = None if video_id is None else str(video_id)
        job = self.app.jobs.record_identity(job.id, site, video_id, describe_video(info)) or job
        if job.forced or not video_id or site in (None, "Generic"):
            return
        for earlier in self.app.library.files.saved_copies(job):
            if self.app.library.files_present(earlier):
                raise AlreadySaved(earlier)

    def download(self, ydl: Any, info: dict, workdir: Path, audio_only: bool) -> list[Path]:
        """Every item of the post, in the post's order: yt-dlp downloads what it can, and
        vidserve saves the items it marked (images, a slideshow's sound)."""
        playlist = info.get("_type") in PLAYLIST_TYPES
        items = list(info["entries"]) if playlist else [info]
        if not any(item.get("vidserve_kind") for item in items):
            return self.download_playable(ydl, info)
        if audio_only:  # a photo post's sound alone
            items = [item for item in items if item.get("vidserve_kind") != "image"]
            if not items:
                raise FetchError("no_media", "this post holds only images, no sound", False)
        paths = []
        for number, item in enumerate(items, start=1):
            item |= {"playlist_index": number, "n_entries": len(items)}
            if item.get("vidserve_kind"):
                paths.append(self.save_item(ydl, item, workdir))
            else:
                for key in ("extractor", "extractor_key", "webpage_url"):
                    item.setdefault(key, info.get(key))
                paths += self.download_playable(ydl, item)
        return paths

    def download_playable(self, ydl: Any, info: dict) -> list[Path]:
        """yt-dlp downloads a video (or each of a playlist's) in the format it prefers; with
        ffmpeg, each saved video is then checked (check_video) for what its format claimed."""
        done = ydl.process_ie_result(info, download=True)
        if not ffmpeg_available():
            return finished_files(done)
        entries = done.get("entries") if done.get("_type") in PLAYLIST_TYPES else [done]
        return [path for entry in entries or [] for path in self.check_video(ydl, entry)]

    def check_video(self, ydl: Any, entry: dict) -> list[Path]:
        """A site's word on a format is often wrong: TikTok's "h264+aac" is HEVC without
        sound now and then, Instagram's progressive formats name no codec. So ffprobe reads
        what was saved, and while it is silent (though the post has sound) or VP9/AV1,
        yt-dlp chooses again (its own sorting: H.264, else HEVC, with sound) from
        formats_to_try, at most MAX_FORMAT_TRIES downloads in all: a silent format is then
        merged with the post's audio, and VP9/AV1 is kept only when nothing else is left (and
        said to be unplayable). HEVC tagged hev1 is remuxed to hvc1, which Photos and
        QuickTime need."""
        paths = finished_files(entry)
        for tries in range(1, MAX_FORMAT_TRIES + 1):
            video = next((path for path in paths if file_kind(path.name) == "video"), None)
            facts = probe_video(video) if video else None
            if not facts:
                return paths
            if tries == MAX_FORMAT_TRIES or not needs_another_format(entry, facts):
                break
            if (formats := formats_to_try(entry, facts)) is None:
                break
            again = {**entry, "formats": formats}
            for key in ("requested_downloads", "requested_formats", "format_id", "format"):
                again.pop(key, None)
            chosen = ydl.process_ie_result(dict(again), download=False).get("format_id")
            if chosen == entry.get("format_id"):  # the best the post has
                break
            for path in paths:
                path.unlink(missing_ok=True)
            entry = ydl.process_ie_result(again, download=True)
            paths = finished_files(entry)
        if not facts["has_audio"] and post_has_sound(entry):
            raise FetchError(
                "no_audio",
                "every format of this post came without sound; retry later",
                transient=True,
            )
        if facts["codec"] == "hevc" and facts["tag"] == "hev1":
            remux_hvc1(video)
        if self._run is not None:
            self._run.playability[video.name] = playability(facts)
        return paths

    def save_item(self, ydl: Any, item: dict, workdir: Path) -> Path:
        """Save an item yt-dlp does not download itself, through its own networking (the
        egress proxy, its cookies, the site's headers), as the site sent it: the extension
        follows the Content-Type. A retry keeps an item saved before."""
        from yt_dlp.networking import Request

        stem = safe_filename(f"{item['title'][:120]} [{item['id']}]")
        for saved in workdir.iterdir():
            if saved.name.startswith(stem + ".") and saved.suffix != ".part":
                return saved
        with ydl.urlopen(Request(item["url"], headers=item.get("http_headers"))) as answer:
            media_type = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            default = "jpg" if item["vidserve_kind"] == "image" else "m4a"
            part = workdir / f"{stem}.{EXTENSIONS.get(media_type, '.' + default)[1:]}.part"
            total, done = int(answer.headers.get("Content-Length") or 0) or None, 0
            with open(part, "wb") as out:
                while chunk := answer.read(RELAY_CHUNK_BYTES):
                    out.write(chunk)
                    done += len(chunk)
                    self._on_progress(
                        {"downloaded_bytes": done, "total_bytes": total, "info_dict": item}
                    )
        return part.rename(part.with_suffix(""))

    def within_max_items(self, ydl: Any, info: dict) -> dict:
        """Follow plain redirections, then refuse a playlist of more than max_items entries
        without fetching any of them: entries are listed lazily, max_items + 1 at most, so a
        profile link never pages through the whole profile."""
        for _ in range(5):  # a short link resolves to the real one, in a step or two
            if info.get("_type") != "url":
                break
            info = self.extract(ydl, info["url"], info.get("ie_key"))
        if info.get("_type") in PLAYLIST_TYPES:
            limit = self.app.config.max_items
            entries = list(itertools.islice(iter(info.get("entries") or []), limit + 2))
            items = [entry for entry in entries if entry.get("vidserve_kind") != "audio"]
            if len(items) > limit:  # a slideshow's sound is not one of its items
                raise FetchError(
                    "too_many_items",
                    f"the link holds more than {limit} items (max_items); raise max_items in"
                    " vidserve.toml to download it",
                    transient=False,
                )
            info["entries"] = entries
        return info

    def _on_progress(self, update: dict) -> None:
        """yt-dlp's progress hook: record progress, and stop the download when asked."""
        run, job = self._run, self._job
        if run is None or job is None:
            return
        self.app.foreground.give_way()
        if run.cancel.is_set() or self.app.queue.stopping.is_set():
            from yt_dlp.utils import DownloadCancelled

            raise DownloadCancelled("stopped by vidserve")
        info = update.get("info_dict") or {}
        finished = update.get("status") == "finished"  # a file is whole: before any ffmpeg step
        if finished and (
            failure := not_media(update["filename"], ffmpeg_step(info, job.audio_only))
        ):
            from yt_dlp.utils import DownloadCancelled

            run.failure = failure
            raise DownloadCancelled("not media")
        if not run.metadata_saved:
            run.metadata_saved = True
            self.app.jobs.record_metadata(job.id, describe_video(info))
        total = update.get("total_bytes") or update.get("total_bytes_estimate")
        done = update.get("downloaded_bytes") or 0
        run.progress = {
            "percent": round(min(100.0, 100.0 * done / total), 1) if total else None,
            "downloaded_bytes": done,
            "total_bytes": total,
            "speed_bps": round(update["speed"]) if update.get("speed") else None,
            "eta_s": update.get("eta"),
            "items_done": (info.get("playlist_index") or 1) - 1,
            "items_total": info.get("n_entries") or 1,
        }
        now = time.monotonic()
        if now - run.published_at >= PROGRESS_INTERVAL_S:
            run.published_at = now
            if current := self.app.jobs.get(job.id):
                self.app.jobs.announce(current)
            if self.app.library.disk_is_low():  # stop before the disk is full, not when it is
                from yt_dlp.utils import DownloadCancelled

                self.app.library.alert_low(self.app.alerts)
                run.failure = FetchError(
                    "disk_full",
                    f"the disk has less than {human_bytes(self.app.config.min_free_bytes)}"
                    " free (min_free_bytes); free some space, then retry",
                    transient=False,
                )
                raise DownloadCancelled("disk nearly full")


def run_job(app: App, fetcher: Fetcher, job: Job) -> None:
    """Download one job into its own directory, then move the files into place."""
    site = site_of_link(job.url)
    if until := app.pushback.waiting_until(site):  # its site refuses us: it waits, others go
        app.jobs.reschedule(job.id, until - time.time(), None, None, tried=0)
        log.info("job %s waits for %s, which refuses this server", job.id, site.title)
        return
    workdir = app.library.partial_dir / job.id  # an earlier attempt's finished items stay
    workdir.mkdir(parents=True, exist_ok=True)
    keep_workdir = False  # for the next attempt: after a transient failure or a shutdown
    run = app.running.start(job.id)
    started = time.monotonic()
    log.info("job %s started: %r", job.id, job.url)
    try:
        folder = app.library.folder(job.user)
        try:
            info, paths = fetcher.fetch(job, workdir, run)
        except AlreadySaved as saved:  # one post, one download: share the earlier files
            placed, files, duplicate_of = [], saved.original.files, saved.original.id
            thumbnail = app.library.keep_thumbnail(
                job, app.library.thumbnail_path(saved.original), copy=True
            )
        else:
            if not paths:
                raise FetchError("no_media", "yt-dlp finished without a file", transient=False)
            if not run.metadata_saved:
                app.jobs.record_metadata(job.id, describe_video(info))
            thumbnail = app.library.keep_thumbnail(job, finished_thumbnail(paths))
            folder.mkdir(exist_ok=True)
            placed = publish_files(paths, folder)
            files = [
                {
                    "filename": p.name,
                    "file_size": p.stat().st_size,
                    **run.playability.get(q.name, {}),
                }
                for p, q in zip(placed, paths)
            ]
            duplicate_of = None
        if thumbnail:
            placed.append(
                app.library.thumbnail_dir / thumbnail
            )  # removed with the files if cancelled
        total = sum(f["file_size"] for f in files)
        progress = {
            "percent": 100.0,
            "downloaded_bytes": total,
            "total_bytes": total,
            "speed_bps": None,
            "eta_s": 0,
            "items_done": len(files),
            "items_total": len(files),
        }
        file_path = str(folder.relative_to(app.library.download_dir) / files[0]["filename"])
        done = app.jobs.complete(job.id, files, progress, file_path, duplicate_of, thumbnail)
        if done is None:  # cancelled just now
            for path in placed:
                path.unlink(missing_ok=True)
        else:
            if site:
                app.pushback.succeeded(site)
            app.notifier.download_ended(app.running.status_object(done))
            if duplicate_of is None:
                app.metrics.count_download(total)
                app.library.enforce_retention()
            log.info(
                "job %s completed in %.1f s%s: %s",
                job.id,
                time.monotonic() - started,
                f" (post saved by {duplicate_of} already)" if duplicate_of else "",
                ", ".join(f"{f['filename']!r} ({human_bytes(f['file_size'])})" for f in files),
            )
    except Stopped:
        if app.queue.stopping.is_set() and not run.cancel.is_set():
            keep_workdir = True
            app.jobs.interrupt(job.id)
            log.info("job %s interrupted by shutdown; it resumes on next start", job.id)
        else:
            log.info("job %s cancelled", job.id)
    except FetchError as failure:
        keep_workdir = settle_failure(app, job, failure, workdir)
    finally:
        app.running.finish(job.id)
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def settle_failure(app: App, job: Job, failure: FetchError, workdir: Path) -> bool:
    """Retry a transient failure with exponential backoff, or fail the job for good, saying
    how many tries were made. Returns whether it will be retried (its finished items are
    then kept); a job failed for good has its workdir removed first, so whoever reads
    "failed" finds nothing of it left."""
    notice_refusal(app, job, failure)
    retries = app.config.max_retries
    if failure.max_retries is not None:
        retries = min(retries, failure.max_retries)
    if failure.transient and job.retry_count < retries:
        delay = max(app.config.retry_backoff_s * 2**job.retry_count, failure.retry_after_s)
        app.jobs.reschedule(job.id, delay, failure.code, failure.message)
        log.info(
            "job %s: %s; retry %d of %d in %.1f s",
            job.id,
            failure.message,
            job.retry_count + 1,
            app.config.max_retries,
            delay,
        )
        app.queue.wake()  # a worker must recompute how long to sleep
        return True
    tries = job.retry_count + 1
    tried = f" (tried {tries} times)" if tries > 1 else ""
    message = in_words(failure.message, MAX_MESSAGE_CHARS - len(tried)) + tried
    shutil.rmtree(workdir, ignore_errors=True)
    if failed := app.jobs.fail(job.id, failure.code, message):
        app.notifier.download_ended(app.running.status_object(failed))
        app.ytdlp.download_failed(failure.code)
    log.info("job %s failed: %s: %s", job.id, failure.code, message)
    return False


def notice_refusal(app: App, job: Job, failure: FetchError) -> None:
    """What a failed try tells the owner: uploaded cookies a site no longer takes, or a site
    refusing this server, which is then left alone for a while (SitePushback)."""
    site = site_of_link(job.url)
    title = site.title if site else urllib.parse.urlsplit(job.url).hostname or "the site"
    if failure.code == "login_required" and app.cookies.cover(site):
        app.alerts.raise_(
            "cookies_invalid",
            site.name if site else title,
            f"The {title} cookies no longer work",
            f"{title} asked for a login although cookies for it are uploaded: they expired or"
            f" were logged out. Export a fresh cookies.txt from a browser logged in to {title}"
            " and upload it (PUT /api/v1/cookies, or the page's settings).",
        )
    if site is None or failure.code not in ("blocked", "rate_limited"):
        return
    in_a_row = app.pushback.refused(site)
    if (until := app.pushback.waiting_until(site)) is None:
        return
    when = time.strftime("%H:%M UTC", time.gmtime(until))
    app.alerts.raise_(
        "site_blocking",
        site.name,
        f"{site.title} is refusing this server",
        f"{in_a_row} downloads in a row from {site.title} ended {failure.code}: its downloads"
        f" and follows wait until {when}, then try again, the wait doubling to an hour while it"
        " refuses. If it goes on: update yt-dlp (vidserve.py update-ytdlp), upload cookies"
        " (PUT /api/v1/cookies), or try another network.",
    )


def trim_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim), as a job
    ends: what its downloads, TLS and parsing freed would otherwise stay in the RSS of a
    server that then idles for hours (--bench: ~0.8 MB after one download)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)  # releases the GIL while it runs
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        pass


def run_worker(app: App, first: bool) -> None:
    """A worker thread's life: warm up, then take a job, run it, repeat until the server
    stops. A submit is answered once the first worker is warm; the others warm up after
    it, so that they do not slow it down, and a first job finds it free. A worker runs at
    the default priority, warm-up included: the first share after a start waits for it
    (beside two busy programs, at nice 19 it took 75 s instead of under one), and every job after
    is what a person waits for (run_in_background says why)."""
    if running_ytdlp_version() is None:  # every job would fail: they wait for a restart with it
        if first:
            log.error(
                "yt-dlp is not installed for %s: nothing can be downloaded, and health says"
                " unhealthy. Install it and run vidserve from there: %s",
                sys.executable,
                YTDLP_INSTALL,
            )
        app.warm.set()
        app.queue.stopping.wait()
        return
    fetcher = Fetcher(app, threading.current_thread().name)
    if not first:
        app.warm.wait(WARM_LIMIT_S)
    started = time.monotonic()
    fetcher.warm(first)
    elapsed_s = time.monotonic() - started
    if first:
        log.info("yt-dlp loaded and warmed up in %.2f s", elapsed_s)
    log.debug("%s warmed up in %.2f s", fetcher.name, elapsed_s)
    app.warm.set()
    while (job := app.queue.take()) is not None:
        try:
            run_job(app, fetcher, job)
        except Exception:  # a bad job must never kill the worker
            log.exception("job %s failed unexpectedly", job.id)
            app.jobs.fail(job.id, "internal", "vidserve hit an unexpected error; see its log")
        trim_heap()


def start_workers(app: App) -> None:
    """The workers, and the checker of followed accounts (section 3e), which queues for them."""
    for number in range(1, app.config.workers + 1):
        thread = threading.Thread(
            target=run_worker, args=(app, number == 1), name=f"worker-{number}"
        )
        thread.start()
        app.workers.append(thread)
    app.follow_checker.start(app)


def work_alive(app: App) -> bool:
    """Every worker and the egress proxy still run (API.md "Hardening": health and the
    watchdog say unhealthy otherwise, since downloads would wait forever)."""
    return app.egress.alive() and all(thread.is_alive() for thread in app.workers)


def stop_workers(app: App, timeout_s: float) -> None:
    app.queue.stop()
    app.feed.close()
    deadline = time.monotonic() + timeout_s
    app.follow_checker.stop(timeout_s)
    for thread in app.workers:
        thread.join(max(0.0, deadline - time.monotonic()))
    app.egress.stop()


# ---- 13. People ------------------------------------------------------------------------------
# The people who share the server, each with a token of their own, the owner's token, who may
# call what (authorize, the throttle on failed tokens), the routes and the `user` CLI.


PERSON_NAME = re.compile(r"[a-z0-9_-]{1,32}")  # API.md: a person's name, also their folder's


AUTH_WINDOW_S = 300.0  # failed tokens are counted per address over this window


# What ends with a person besides their token: statements of other capabilities' tables,
# run in the removal's transaction (given by open_app: jobs cancelled, follows paused).
PersonEndings = tuple[Callable[[sqlite3.Connection, str], None], ...]


class People:
    """The people who share this server, each with a token of their own (the users table).

    Only a SHA-256 of each token is stored: a token is 32 random bytes, so a plain hash is as
    strong as a slow one and costs a microsecond. Every check reads the table, so a person
    added, removed or re-keyed by `vidserve.py user` in another process counts from the very
    next request. Measured on loopback, a person's request costs 0.05 ms more than the
    owner's with 3 people, 0.15 ms with 100: no cache is worth its invalidation.
    """

    def __init__(self, database: Database, endings: PersonEndings = ()):
        self._db = database
        self._endings = endings  # what else ends with a person, in the same transaction

    # What the API tells of a person: never the token's hash.
    PERSON = (
        f"name, created_at, {Jobs.DOWNLOADS_OF_PERSON} AS downloads, quota_bytes,"
        f" {Jobs.BYTES_OF_PERSON} AS used_bytes"
    )

    def _insert(self, name: str, token_sha256: bytes, quota_bytes: int | None) -> dict | None:
        """A new person; None when the name is taken."""
        row = self._db.commit(
            lambda db: db.execute(
                "INSERT INTO users (name, token_sha256, created_at, quota_bytes)"
                f" VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING {self.PERSON}",
                (name, token_sha256, utc_now(), quota_bytes),
            ).fetchone()
        )
        return dict(row) if row else None

    def set_quota(self, name: str, quota_bytes: int | None) -> dict:
        """How much a person's files may take from now on (None: no limit)."""
        row = self._db.commit(
            lambda db: db.execute(
                f"UPDATE users SET quota_bytes = ? WHERE name = ? RETURNING {self.PERSON}",
                (quota_bytes, self.check_name(name)),
            ).fetchone()
        )
        if row is None:
            raise ApiError(404, "not_found", f"no person called {name}")
        log.info(
            "person %r may keep %s",
            name,
            "any amount" if quota_bytes is None else human_bytes(quota_bytes),
        )
        return dict(row)

    def quota_of(self, user: str) -> int | None:
        """How many bytes a person's files may take; None for the owner or no limit."""
        rows = self._db.read("SELECT quota_bytes FROM users WHERE name = ?", (user,))
        return rows[0][0] if rows else None

    def everyone(self) -> list[dict]:
        """Every person, by name, with how many downloads they have submitted."""
        return [
            dict(row) for row in self._db.read(f"SELECT {self.PERSON} FROM users ORDER BY name")
        ]

    def _set_token(self, name: str, token_sha256: bytes) -> bool:
        """Replace a person's token; False when there is no such person."""
        row = self._db.commit(
            lambda db: db.execute(
                "UPDATE users SET token_sha256 = ? WHERE name = ? RETURNING name",
                (token_sha256, name),
            ).fetchone()
        )
        return row is not None

    def _delete(self, name: str) -> dict | None:
        """Forget a person and their token, and end what `endings` end, in one commit (their
        files stay); None when unknown."""

        def delete(db: sqlite3.Connection) -> sqlite3.Row | None:
            row = db.execute(
                f"DELETE FROM users WHERE name = ? RETURNING {self.PERSON}", (name,)
            ).fetchone()
            for end in self._endings if row else ():
                end(db, name)
            return row

        row = self._db.commit(delete)
        return dict(row) if row else None

    def tokens(self) -> list[tuple[str, bytes]]:
        """(name, SHA-256 of the token) of every person: authorization's input."""
        return [(row[0], row[1]) for row in self._db.read("SELECT name, token_sha256 FROM users")]

    @staticmethod
    def check_name(name: Any) -> str:
        if not isinstance(name, str) or not PERSON_NAME.fullmatch(name) or name == OWNER:
            raise ApiError(
                400,
                "invalid_name",
                f"a name is 1..32 of a-z, 0-9, _ and - (and not {OWNER!r})",
            )
        return name

    @staticmethod
    def new_secret() -> tuple[str, bytes]:
        """A new token, and the hash that is all the server keeps of it."""
        token = secrets.token_urlsafe(32)
        return token, hashlib.sha256(token.encode()).digest()

    def add(self, name: Any, quota_bytes: int | None = None) -> dict:
        """A new person: name, created_at, downloads, quota, and the token, shown this once."""
        token, token_sha256 = self.new_secret()
        person = self._insert(self.check_name(name), token_sha256, quota_bytes)
        if person is None:
            raise ApiError(409, "user_exists", f"there is already a person called {name}")
        log.info("person %r added", name)
        return person | {"token": token}

    def remove(self, name: str) -> dict:
        """End a person's token, their waiting and running downloads and their follows'
        checks (API.md "Removing a person"); their files stay, for the owner to see."""
        if (person := self._delete(self.check_name(name))) is None:
            raise ApiError(404, "not_found", f"no person called {name}")
        log.info("person %r removed", name)
        return person

    def new_token(self, name: str) -> dict:
        """A fresh token for a person; the old one ends at once."""
        token, token_sha256 = self.new_secret()
        if not self._set_token(self.check_name(name), token_sha256):
            raise ApiError(404, "not_found", f"no person called {name}")
        log.info("person %r has a new token", name)
        return {"name": name, "token": token}

    def identify(self, token: bytes) -> Caller | None:
        """The person a token belongs to, compared with every stored hash in constant time."""
        sent = hashlib.sha256(token).digest()
        found = None
        for name, stored in self.tokens():
            if hmac.compare_digest(sent, stored):
                found = Caller(name, sent)
        return found

    def holds(self, caller: Caller) -> bool:
        """Whether a caller's token still opens the server (a person may be removed)."""
        return caller.user == OWNER or any(
            name == caller.user and hmac.compare_digest(caller.token_sha256, stored)
            for name, stored in self.tokens()
        )


def ensure_token(config: Config) -> tuple[str, bool]:
    """The configured token, or the one in <data_dir>/token (made, mode 0600, if absent)."""
    if config.token:
        return config.token, False
    path = config.data_path / "token"
    if path.exists():
        return path.read_text().strip(), False
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(token + "\n")
    return token, True


class AuthThrottle:
    """Counts failed token checks per address; too many in a window answer 429 for a while."""

    def __init__(self, allowed: int, window_s: float = AUTH_WINDOW_S):
        self._lock = threading.Lock()  # guards _failures
        self._failures: dict[str, tuple[int, float]] = {}
        self.allowed, self.window_s = allowed, window_s

    def check(self, address: str) -> None:
        with self._lock:
            count, since = self._failures.get(address, (0, 0.0))
            wait_s = since + self.window_s - time.monotonic()
        if self.allowed and count >= self.allowed and wait_s > 0:
            raise ApiError(
                429,
                "too_many_attempts",
                "too many failed tokens; wait and retry",
                {"Retry-After": str(int(wait_s) + 1)},
            )

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 10000:  # bounded memory under a spray of addresses
                self._failures = {
                    a: f for a, f in self._failures.items() if f[1] + self.window_s > now
                }
            count, since = self._failures.get(address, (0, now))
            if since + self.window_s <= now:
                count, since = 0, now
            self._failures[address] = (count + 1, since)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def forwarded_client(peer: str, forwarded: list[str], proxies: tuple) -> str:
    """The address a request comes from, as the failed-token throttle and the log count it:
    the peer's, or, when the peer is one of trusted_proxies (`tailscale serve`, Caddy), the
    last address of X-Forwarded-For that is not a trusted proxy. A proxy appends the address
    it saw to what the client sent, so what comes before that is the client's own word and
    never believed; a hop that is not an address leaves the peer's."""

    def trusted(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        address = ipaddress.ip_address(text)  # a dual-stack listener's ::ffff:a.b.c.d as IPv4
        address = getattr(address, "ipv4_mapped", None) or address
        return None if any(address in network for network in proxies) else address

    hops = [hop.strip() for header in forwarded for hop in header.split(",")]
    try:
        if not proxies or trusted(peer) is not None:
            return peer
        while hops:
            if (client := trusted(hops.pop())) is not None:
                return str(client)
    except ValueError:
        pass
    return peer


def authorize(app: App, headers: Any, client_ip: str, access: Access) -> Caller:
    """Bearer token, compared in constant time; failures counted per address.

    The read-only token (read_token) opens the READ routes only: status, history, files.
    A person's token opens every route but the OWNER ones, for their own downloads only.
    """
    app.auth_failures.check(client_ip)
    scheme, _, sent = (headers.get("Authorization") or "").partition(" ")
    sent = sent.strip().encode()
    if scheme.lower() == "bearer":
        if hmac.compare_digest(sent, app.token.encode()):
            app.auth_failures.succeeded(client_ip)
            return Caller(OWNER)
        read_token = app.config.read_token.encode()
        if read_token and hmac.compare_digest(sent, read_token):
            app.auth_failures.succeeded(client_ip)
            if access in (Access.READ, Access.LINK):
                return Caller(OWNER)
            raise ApiError(403, "read_only_token", "this token may only read")
        if sent and (person := app.people.identify(sent)):
            app.auth_failures.succeeded(client_ip)
            if access == Access.OWNER:
                raise ApiError(403, "owner_only", "only the owner's token may do this")
            return person
    app.auth_failures.failed(client_ip)
    raise ApiError(
        401,
        "unauthorized",
        "missing or wrong token (Authorization: Bearer ...)",
        {"WWW-Authenticate": 'Bearer realm="vidserve"'},
    )


PERSON_NAME_SCHEMA = {
    "type": "string",
    "pattern": f"^{PERSON_NAME.pattern}$",
    "not": {"const": OWNER},
}


MAX_QUOTA_BYTES = 2**53  # a JSON number any client reads exactly

USER_NAME_PARAMETER = parameter("name", "path", PERSON_NAME_SCHEMA, "A person's name")


SCHEMAS |= {
    "Person": {
        "type": "object",
        "required": ["name", "created_at", "downloads", "quota_bytes", "used_bytes"],
        "properties": {
            "name": PERSON_NAME_SCHEMA,
            "created_at": {"type": "string", "format": "date-time"},
            "downloads": {"type": "integer", "minimum": 0},
            "quota_bytes": {
                "type": ["integer", "null"],
                "minimum": 0,
                "maximum": MAX_QUOTA_BYTES,
                "description": "How much the person's files may take; null: no limit",
            },
            "used_bytes": {
                "type": "integer",
                "minimum": 0,
                "description": "What their files take (a file two downloads share, once)",
            },
        },
    },
    "PersonChange": {
        "type": "object",
        "required": ["quota_bytes"],
        "properties": {
            "quota_bytes": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_QUOTA_BYTES}
        },
    },
    "PersonToken": {
        "type": "object",
        "required": ["success", "name", "token"],
        "properties": {
            "success": {"const": True},
            "name": PERSON_NAME_SCHEMA,
            "token": {"type": "string", "description": "Shown this once; only its hash is kept"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
}


@route(
    "GET",
    "/api/v1/users",
    OWNER_ONLY,
    summary="Every person: name, when added, how many downloads (never tokens)",
    replies=json_reply("The people", "Person", many=True),
)
def list_users(app: App, request: Request) -> Reply:
    """GET /api/v1/users (owner only): every person, when added, how many downloads."""
    return Reply(app.people.everyone())


@route(
    "POST",
    "/api/v1/users",
    OWNER_ONLY,
    summary="Add a person; the reply holds their token, shown this once",
    body={
        "required": True,
        "content": {
            kind: {
                "schema": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": PERSON_NAME_SCHEMA},
                }
            }
            for kind in ("application/json", "application/x-www-form-urlencoded")
        },
    },
    replies=json_reply("Added", "PersonToken", status="201"),
    errors=(400, 409, 413, 415),
)
def create_user(app: App, request: Request) -> Reply:
    """POST /api/v1/users (owner only): a new person; their token is in this reply only."""
    person = app.people.add(request.form().get("name"))
    return Reply({"success": True, **person}, 201)


@route(
    "PATCH",
    "/api/v1/users/{name}",
    OWNER_ONLY,
    summary="Set how much a person's files may take (quota_bytes; null for no limit)",
    parameters=[USER_NAME_PARAMETER],
    body={"required": True, "content": json_content(ref("PersonChange"))},
    replies=json_reply("The person, as now", "Person"),
    errors=(400, 404, 413, 415),
)
def change_user(app: App, request: Request, name: str) -> Reply:
    """PATCH /api/v1/users/{name} (owner only): the person's quota (API.md "Space per
    person"); a person past it submits nothing more (507) until files are deleted."""
    form = request.form()
    if "quota_bytes" not in form:
        raise ApiError(400, "invalid_body", "send quota_bytes (a number of bytes, or null)")
    quota = form["quota_bytes"]
    if quota is not None:
        quota = parse_integer(request, form, "quota_bytes", 0, 0, MAX_QUOTA_BYTES)
    return Reply(app.people.set_quota(name, quota))


def parse_size(text: str) -> int:
    """'5G', '500M', '1048576': bytes (K, M, G, T are powers of 1024), or ValueError."""
    match = re.fullmatch(r"(\d{1,16})\s*([KMGT]?)i?B?", text.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"not a size: {text!r} (say 5G, 500M or a number of bytes)")
    return int(match[1]) * 1024 ** " KMGT".index(match[2].upper() or " ")


@route(
    "DELETE",
    "/api/v1/users/{name}",
    OWNER_ONLY,
    summary="Remove a person: their token, downloads waiting or running and follows' checks end",
    parameters=[USER_NAME_PARAMETER],
    replies=json_reply("Removed", "Person"),
    errors=(400, 404),
)
def delete_user(app: App, request: Request, name: str) -> Reply:
    """DELETE /api/v1/users/{name} (owner only): the token ends now, and what the person had
    queued or running is cancelled; the files stay."""
    person = app.people.remove(name)
    app.running.stop_ended(app.jobs)
    app.jobs.announce_removal_of(name)
    return Reply({"success": True, **person})


@route(
    "POST",
    "/api/v1/users/{name}/token",
    OWNER_ONLY,
    summary="A fresh token for a person; the old one ends at once",
    parameters=[USER_NAME_PARAMETER],
    replies=json_reply("The new token, shown this once", "PersonToken"),
    errors=(400, 404),
)
def renew_user_token(app: App, request: Request, name: str) -> Reply:
    """POST /api/v1/users/{name}/token (owner only): a fresh token; the old one ends now."""
    return Reply({"success": True, **app.people.new_token(name)})


USER_USAGE = (
    "usage: vidserve.py user add NAME [--quota 5G] | user list | user remove NAME | user token NAME"
    " | user notify NAME URL|off [--format ntfy|json|text]"
)


def notify_person(
    config: Config, database: Database, people: People, name: str, url: str, target_format: str
) -> str:
    """`user notify NAME URL|off`: where a person's (or the owner's) notifications go, judged
    as PUT /api/v1/me/notify judges it; what was done, in words."""
    if name != OWNER and name not in {person["name"] for person in people.everyone()}:
        raise ApiError(404, "not_found", f"no person is called {name!r}")
    targets = Targets(config, database)
    if url == "off":
        targets.remove(name)
        return f"{name}'s notifications are off" + (
            " (the owner's go to notify_url)" if name == OWNER and config.notify_url else ""
        )
    url, target_format = judge_target(UrlPolicy.of(config), url, target_format)
    targets.set(name, url, target_format)
    return f"{name}'s notifications go to {url} ({target_format})"


def manage_people(
    config: Config,
    operands: list[str],
    endings: PersonEndings,
    quota: str | None = None,
    target_format: str = "ntfy",
) -> int:
    """`vidserve.py user ...`: people and their tokens. It writes the database a running
    server reads on every request, so each change counts there at once, with no restart (a
    removed person's running download stops at the server's next upkeep)."""
    verb, names = (operands[0], operands[1:]) if operands else ("", [])
    if {"add": 1, "list": 0, "remove": 1, "token": 1, "notify": 2}.get(verb) != len(names):
        print(USER_USAGE, file=sys.stderr)
        return 2
    make_private_dir(config.data_path)
    database = Database(config.data_path / "vidserve.db")
    people = People(database, endings)
    try:
        if verb == "list":
            rows = [
                (p["name"], p["created_at"], str(p["downloads"]), human_bytes(p["used_bytes"]))
                + ("any" if p["quota_bytes"] is None else human_bytes(p["quota_bytes"]),)
                for p in people.everyone()
            ]
            for row in [("NAME", "ADDED", "DOWNLOADS", "USED", "QUOTA"), *rows]:
                print(f"{row[0]:<32}  {row[1]:<20}  {row[2]:>9}  {row[3]:>9}  {row[4]:>9}")
        elif verb == "notify":
            print(notify_person(config, database, people, *names, target_format))
        elif verb == "remove":
            person = people.remove(names[0])
            print(
                f"removed {person['name']}: their token no longer works, their waiting"
                " downloads are cancelled and their follows paused; their"
                f" {person['downloads']} download(s) stay, for the owner to see"
            )
        else:
            quota_bytes = None if quota is None else parse_size(quota)
            if verb == "add":
                person = people.add(names[0], quota_bytes)
            else:
                person = people.new_token(names[0])
            print(
                f"{person['name']}'s {'token' if verb == 'add' else 'new token'}"
                " (shown only this once; the server keeps just a hash of it):",
                file=sys.stderr,
            )
            print(person["token"])
    except ValueError as err:  # a --quota that is not a size
        print(f"vidserve: {err}", file=sys.stderr)
        return 2
    except ApiError as err:
        print(f"vidserve: {err.message}", file=sys.stderr)
        return 1
    finally:
        database.close()
    return 0


# ---- 14. Follows -----------------------------------------------------------------------------
# Following an account: which links are accounts, the follows tables' SQL, FollowChecker (one
# timed wait for the next due check, listing a profile, queueing new posts), the routes and
# the `follow` CLI.
#
# A person follows a TikTok (or Instagram) account: the `follows` thread lists it now and
# then, one account at a time, as yt-dlp lists a profile (a flat playlist, through the egress
# proxy), and queues each post that person has not seen as an ordinary download of theirs.
# It sleeps in one timed wait until the next check is due: no polling between checks.


FOLLOW_EVERY_H = (1, 6, 168)  # API.md: every_h from 1 to 168 hours, 6 unless asked


FOLLOW_FIRST = 3  # API.md: the first check queues the 3 newest posts unless asked


FOLLOW_MAX_BACKOFF_S = 24 * 3600.0  # API.md: a failing follow is checked at least daily


FOLLOW_JITTER = 0.2  # a check is due every_h after the last, plus up to 20 % (see follow_delay_s)


FOLLOW_SEEN_RUN = 4  # a later check stops listing after this many known posts in a row


FOLLOWS_THREAD = "follows"  # the thread's name, which the egress proxy knows it by


FOLLOW_FAILING_CHECKS = 3  # API.md: a follow's third failed check in a row is an alert


@dataclass(slots=True)
class Follow:
    """One row of the follows table, with how many posts it has seen (API.md "Following an
    account"); field names are column names."""

    id: str
    user: str
    url: str
    site: str
    account: str
    every_h: int
    audio_only: bool
    paused: bool
    first: int | None  # posts the first check queues; None once a check has succeeded
    created_at: str
    last_checked_at: str | None
    next_check: float  # epoch seconds
    failures: int
    last_error_code: str | None
    last_error_message: str | None
    downloads_queued: int
    posts_seen: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Follow:
        values = dict(row)
        for flag in ("audio_only", "paused"):
            values[flag] = bool(values[flag])
        return cls(**values)

    def to_api(self) -> dict:
        """The follow object of API.md."""
        return {
            "follow_id": self.id,
            "url": self.url,
            "site": self.site,
            "account": self.account,
            "user": self.user,
            "every_h": self.every_h,
            "audio_only": self.audio_only,
            "paused": self.paused,
            "created_at": self.created_at,
            "last_checked_at": self.last_checked_at,
            "next_check_at": None
            if self.paused
            else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.next_check)),
            "last_error_code": self.last_error_code,
            "last_error_message": self.last_error_message,
            "posts_seen": self.posts_seen,
            "downloads_queued": self.downloads_queued,
        }


class Follows:
    """The follows and follow_posts tables: who follows which account, and the posts each
    follow has seen. A check's new posts become jobs in the same transaction (record_check)."""

    def __init__(self, database: Database, jobs: Jobs):
        self._db, self._jobs = database, jobs

    # A follow as the API tells it: its row and how many posts it has seen.
    FOLLOW = "follows.*, (SELECT COUNT(*) FROM follow_posts WHERE follow_id = id) AS posts_seen"

    def add(self, values: dict, limit: int = 0) -> tuple[Follow, bool]:
        """A new follow of the columns in `values`, due at once, or the same user's existing
        follow of that account: (the follow, whether it is new). A new one past `limit`
        follows of that user is ApiError 429 (0: no limit)."""
        columns = {**values, "id": new_download_id(), "created_at": utc_now()}
        columns["next_check"] = time.time()
        key = (values["user"], values["site"], values["account"])

        def insert(db: sqlite3.Connection) -> tuple[sqlite3.Row, bool]:
            sql = "SELECT COUNT(*), SUM(site = ? AND account = ?) FROM follows WHERE user = ?"
            held, again = db.execute(sql, (*key[1:], key[0])).fetchone()
            if limit and held >= limit and not again:
                message = f"you follow {held} accounts (max_follows_per_user); remove one first"
                raise ApiError(429, "too_many_follows", message, {"Retry-After": "3600"})
            added = db.execute(
                f"INSERT INTO follows ({', '.join(columns)})"
                f" VALUES ({', '.join(':' + name for name in columns)})"
                " ON CONFLICT (user, site, account) DO NOTHING RETURNING id",
                columns,
            ).fetchone()
            row = db.execute(
                f"SELECT {self.FOLLOW} FROM follows WHERE user = ? AND site = ? AND account = ?",
                (values["user"], values["site"], values["account"]),
            ).fetchone()
            return row, added is not None

        row, added = self._db.commit(insert)
        return Follow.from_row(row), added

    def of(self, user: str | None = None) -> list[Follow]:
        """Every follow (user None), or one user's, oldest first."""
        where, params = ("WHERE user = ?", (user,)) if user is not None else ("", ())
        rows = self._db.read(
            f"SELECT {self.FOLLOW} FROM follows {where} ORDER BY created_at", params
        )
        return [Follow.from_row(row) for row in rows]

    def get(self, follow_id: str) -> Follow | None:
        rows = self._db.read(f"SELECT {self.FOLLOW} FROM follows WHERE id = ?", (follow_id,))
        return Follow.from_row(rows[0]) if rows else None

    def _change(self, sql: str, params: dict) -> Follow | None:
        """Run one statement that changes the follow params["id"], and read it back."""

        def change(db: sqlite3.Connection) -> sqlite3.Row | None:
            if db.execute(sql, params).rowcount == 0:
                return None
            return db.execute(
                f"SELECT {self.FOLLOW} FROM follows WHERE id = :id", params
            ).fetchone()

        row = self._db.commit(change)
        return Follow.from_row(row) if row else None

    @staticmethod
    def pause_every_follow_of(db: sqlite3.Connection, user: str) -> None:
        """A removed person's follows stop being checked (kept, for the owner to see)."""
        db.execute("UPDATE follows SET paused = 1 WHERE user = ?", (user,))

    def change(self, follow_id: str, changes: dict) -> Follow | None:
        """Set every_h, paused, audio_only or next_check; None when there is no such follow."""
        if not changes.keys() <= {"every_h", "paused", "audio_only", "next_check"}:
            raise ValueError(f"not a follow setting: {sorted(changes)}")
        settings = ", ".join(f"{name} = :{name}" for name in changes)
        return self._change(
            f"UPDATE follows SET {settings} WHERE id = :id", {**changes, "id": follow_id}
        )

    def remove(self, follow_id: str) -> Follow | None:
        """Forget a follow and the posts it saw (its downloads stay); None when unknown."""
        follow = self.get(follow_id)
        if follow is None:
            return None

        def remove(db: sqlite3.Connection) -> int:
            db.execute("DELETE FROM follow_posts WHERE follow_id = ?", (follow_id,))
            return db.execute("DELETE FROM follows WHERE id = ?", (follow_id,)).rowcount

        return follow if self._db.commit(remove) else None

    def due(self, now: float) -> tuple[Follow | None, float | None]:
        """(the active follow most overdue at `now`, else None; when the next one is due,
        epoch seconds, or None when no follow is active)."""
        rows = self._db.read(
            f"SELECT {self.FOLLOW} FROM follows WHERE paused = 0 ORDER BY next_check LIMIT 1"
        )
        if not rows:
            return None, None
        follow = Follow.from_row(rows[0])
        return (follow if follow.next_check <= now else None), follow.next_check

    def seen_posts(self, follow_id: str) -> set[str]:
        rows = self._db.read("SELECT post_id FROM follow_posts WHERE follow_id = ?", (follow_id,))
        return {row[0] for row in rows}

    def record_check(
        self,
        follow: Follow,
        posts: list[str],
        downloads: list[dict],
        delay_s: float,
        still_present: Callable[[Job], bool],
        quota_bytes: int | None = None,
    ) -> list[Job]:
        """A check that listed `posts` (their ids), in one transaction: they are seen from now
        on, each of `downloads` (jobs columns) is queued unless its user already has that
        post (same site and id, or a live duplicate), and the next check is due in delay_s.
        Nothing is queued once the person's files fill quota_bytes, or when the follow was
        paused meanwhile (its person removed, say). Returns the jobs queued."""

        def record(db: sqlite3.Connection) -> list[sqlite3.Row]:
            db.executemany(
                "INSERT INTO follow_posts VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(follow.id, post) for post in posts],
            )
            paused = db.execute("SELECT paused FROM follows WHERE id = ?", (follow.id,))
            full = quota_bytes is not None and Jobs.bytes_kept_by(db, follow.user) >= quota_bytes
            queued = []
            for new in () if full or paused.fetchone()[0] else downloads:
                if Jobs.holds_post(db, new):
                    continue
                row, duplicate = Jobs.insert_job(db, new, still_present)
                if not duplicate:
                    queued.append(row)
            db.execute(
                "UPDATE follows SET last_checked_at = :now, next_check = :due, failures = 0,"
                " first = NULL, last_error_code = NULL, last_error_message = NULL,"
                " downloads_queued = downloads_queued + :queued WHERE id = :id",
                {"now": utc_now(), "due": time.time() + delay_s, "queued": len(queued)}
                | {"id": follow.id},
            )
            return queued

        jobs = [Job.from_row(row) for row in self._db.commit(record)]
        for job in jobs:
            self._jobs.announce(job)
        return jobs

    def postpone(self, follow_id: str, due: float) -> None:
        """Check it no sooner than due (its site's wait: SitePushback), changing nothing else."""
        self._db.commit(
            lambda db: db.execute(
                "UPDATE follows SET next_check = MAX(next_check, ?) WHERE id = ?",
                (due, follow_id),
            ),
            durable=False,
        )

    def record_failure(self, follow_id: str, code: str, message: str, delay_s: float):
        """A failed check: its error, one more failure in a row, the next check in delay_s."""
        return self._change(
            "UPDATE follows SET last_checked_at = :now, next_check = :due,"
            " failures = failures + 1, last_error_code = :code, last_error_message = :message"
            " WHERE id = :id",
            {"id": follow_id, "now": utc_now(), "due": time.time() + delay_s}
            | {"code": code, "message": message},
        )

    def check_failing_soon(self) -> None:
        """After a switch of yt-dlp: every active follow whose last check failed is due now
        (the new version may read it); the server that starts checks them first."""
        self._db.commit(
            lambda db: db.execute(
                "UPDATE follows SET next_check = ? WHERE paused = 0 AND last_error_code IS NOT NULL",
                (time.time(),),
            )
        )

    def counts(self) -> dict[str, int]:
        """Health's follows: active (not paused), and failing (active, last check failed)."""
        row = self._db.read(
            "SELECT COUNT(*), COUNT(last_error_code) FROM follows WHERE paused = 0"
        )[0]
        return {"active": row[0], "failing": row[1]}


def account_of(policy: UrlPolicy, url: Any) -> tuple[Site, str, str]:
    """(site, account, the account's page as vidserve writes it) of a link to an account on
    one of SITES; ApiError 400 or 422 (not_an_account, or the URL rules') otherwise."""
    parts = urllib.parse.urlsplit(policy.check(url)[1])  # normalized: no trailing slash
    for site in SITES:
        if account := site.account_of(parts.hostname or "", parts.path):
            return site, account, site.account_page.format(account=account)
    raise ApiError(
        422,
        "not_an_account",
        "this is not a link to an account: send its page, e.g. https://www.tiktok.com/@name",
    )


def new_follow(config: Config, policy: UrlPolicy, user: str, url: Any, **settings: Any) -> dict:
    """The columns of a new follow of `url` for `user` (settings: every_h, audio_only,
    first), or ApiError: not an account, or Instagram while no cookies are uploaded."""
    site, account, page = account_of(policy, url)
    if site.follow_needs_cookies and not config.cookie_path.exists():
        raise ApiError(
            422,
            "login_required",
            f"yt-dlp lists an {site.title} account only for a logged-in client: upload your"
            " cookies.txt with PUT /api/v1/cookies first (see README)",
        )
    return {"user": user, "url": page, "site": site.name, "account": account} | settings


def follow_delay_s(every_h: int, failures: int) -> float:
    """How long until a follow's next check: every_h, doubled for each check in a row that
    failed (at most 24 h, never below every_h), plus random jitter of up to 20 % (API.md's
    +-10 % around the middle), so follows added together drift apart and never come back
    sooner than every_h."""
    interval = every_h * 3600.0
    if failures:
        interval = max(interval, min(interval * 2**failures, FOLLOW_MAX_BACKOFF_S))
    return interval * (1 + random.uniform(0, FOLLOW_JITTER))


class FollowChecker:
    """Checks followed accounts from a thread of its own, `follows`, one at a time.

    The thread asks the store for the most overdue active follow, checks it, and otherwise
    sleeps until the next one is due, in one timed wait on `_changed`: routes that add,
    resume or check a follow wake it; a follow added by `vidserve.py follow` in another
    process is noticed by the server's upkeep each minute (notice_changes). A check lists
    the account with a YoutubeDL of its own, built for the check and dropped after it (checks
    are hours apart; a kept one would cost its memory all along), at background priority and
    giving way to requests as the workers do; the downloads it queues come after shared
    links (Store.claim_next). A failed check queues nothing and backs off (follow_delay_s).
    """

    def __init__(self):
        self.app: App | None = None  # given by start()
        self._changed = threading.Condition()  # guards _nudges, _stopping and _waiting_for
        self._nudges = 0
        self._stopping = False
        self._waiting_for: float | None = None  # the due time the thread sleeps until
        self._thread = threading.Thread(target=self._run, name=FOLLOWS_THREAD, daemon=True)

    def start(self, app: App) -> None:
        self.app = app
        self._thread.start()

    def alive(self) -> bool:
        """Whether the thread runs (or was never started: a server without workers)."""
        return self.app is None or self._thread.is_alive()

    def nudge(self) -> None:
        """A follow was added, changed or asked to be checked: look again at what is due."""
        with self._changed:
            self._nudges += 1
            self._changed.notify()

    def notice_changes(self) -> None:
        """From the server's upkeep: wake the thread if the next check moved meanwhile."""
        _, due = self.app.follows.due(time.time())
        with self._changed:
            if due != self._waiting_for:
                self._nudges += 1
                self._changed.notify()

    def stop(self, timeout_s: float) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        run_in_background()
        self.app.warm.wait(WARM_LIMIT_S)  # yt-dlp is loaded by worker-1 first
        while True:
            with self._changed:
                if self._stopping:
                    return
                nudges = self._nudges
            try:
                follow, due = self.app.follows.due(time.time())
                if follow is not None:
                    self.check(follow)
                    trim_heap()
                    continue
            except Exception:  # a broken check must never end the thread
                log.exception("checking a followed account failed unexpectedly")
                due = time.time() + UPKEEP_INTERVAL_S
            with self._changed:
                self._waiting_for = due
                self._changed.wait_for(
                    lambda nudges=nudges: self._nudges != nudges or self._stopping,
                    None if due is None else max(0.0, due - time.time()),
                )

    def check(self, follow: Follow) -> list[Job]:
        """List the account; queue what its follower has not seen; record how it went."""
        started, cpu = time.monotonic(), time.thread_time()
        if until := self.app.pushback.waiting_until(site_named(follow.site)):
            self.app.follows.postpone(follow.id, until)  # its site refuses us: later
            return []
        seen = self.app.follows.seen_posts(follow.id)
        try:
            posts = self.list_posts(follow, seen)
        except FetchError as failure:
            delay_s = follow_delay_s(follow.every_h, follow.failures + 1)
            self.app.follows.record_failure(follow.id, failure.code, failure.message, delay_s)
            if follow.failures + 1 >= FOLLOW_FAILING_CHECKS:
                self.app.alerts.raise_(
                    "follow_failing",
                    follow.id,
                    f"Following {follow.url} fails",
                    f"The last {follow.failures + 1} checks of {follow.url} failed"
                    f" ({failure.code}): {failure.message}",
                    person=follow.user,
                )
            log.warning(
                "follow %s of %s: check failed: %s: %s; next check in %.1f h",
                follow.id,
                follow.url,
                failure.code,
                failure.message,
                delay_s / 3600,
            )
            return []
        new = [post for post in posts if post["id"] not in seen]
        wanted = new[: self.app.config.max_items if follow.first is None else follow.first]
        downloads = [d for post in reversed(wanted) if (d := self.download_of(follow, post))]
        jobs = self.app.follows.record_check(
            follow,
            [post["id"] for post in posts],
            downloads,
            follow_delay_s(follow.every_h, 0),
            self.app.library.files_present,
            self.app.people.quota_of(follow.user),
        )
        if jobs:
            self.app.queue.wake()
        log.info(
            "follow %s of %s: %d posts listed, %d new, %d queued in %.2f s (%.2f s CPU)",
            follow.id,
            follow.url,
            len(posts),
            len(new),
            len(jobs),
            time.monotonic() - started,
            time.thread_time() - cpu,
        )
        return jobs

    def list_posts(self, follow: Follow, seen: set[str]) -> list[dict]:
        """The account's posts, newest first ({"id", "url", "site"}): max_items + 1 at most,
        and on a later check only until FOLLOW_SEEN_RUN known posts in a row (the older
        ones were listed before). yt-dlp fetches a page of the listing only when its first
        entry is asked for, so a check with nothing new reads one page. FetchError when
        yt-dlp cannot list it."""
        params = ytdlp_params(self.app.config, self.app.foreground, lambda update: None, False)
        params |= {"extract_flat": "in_playlist", "proxy": self.app.egress.url(FOLLOWS_THREAD)}
        self.app.egress.refusal(FOLLOWS_THREAD)  # forget what an earlier check was refused
        posts: list[dict] = []
        try:
            with import_ytdlp().YoutubeDL(params) as ydl:
                self.app.egress.connect_directly(ydl)
                info = ydl.extract_info(
                    follow.url,
                    download=False,
                    process=False,
                    ie_key=site_named(follow.site).follow_extractor,
                )
                listed = self.app.config.max_items + 1
                entries = itertools.islice(iter(info.get("entries") or []), listed)
                known_in_a_row = 0
                for entry in entries:
                    post_id, url = str(entry.get("id") or ""), entry.get("url")
                    if not post_id or not isinstance(url, str):
                        continue
                    site = entry.get("ie_key") or info.get("extractor_key")
                    posts.append({"id": post_id, "url": url, "site": site})
                    known_in_a_row = known_in_a_row + 1 if post_id in seen else 0
                    if follow.first is None and known_in_a_row >= FOLLOW_SEEN_RUN:
                        break
        except Exception as err:
            raise ytdlp_failure(self.app, FOLLOWS_THREAD, err) from err
        return posts

    def download_of(self, follow: Follow, post: dict) -> dict | None:
        """The jobs columns of a post's download for the follower, or None when its link is
        one vidserve would not fetch (URL rules)."""
        try:
            fetched, normalized = self.app.policy.check(post["url"])
        except ApiError as err:
            log.info("follow %s: post %s skipped: %s", follow.id, post["id"], err.message)
            return None
        return {
            "url": fetched,
            "dedupe_key": dedupe_key(normalized, follow.audio_only),
            "client_id": f"follow:{follow.id}",
            "audio_only": follow.audio_only,
            "forced": False,
            "user": follow.user,
            "follow_id": follow.id,
            "site": post["site"],
            "video_id": post["id"],
        }


EVERY_H_SCHEMA = {"type": "integer", "minimum": FOLLOW_EVERY_H[0], "maximum": FOLLOW_EVERY_H[2]}


SCHEMAS |= {
    "Follow": {
        "type": "object",
        "required": [
            "follow_id",
            "url",
            "site",
            "account",
            "user",
            "every_h",
            "audio_only",
            "paused",
            "created_at",
            "last_checked_at",
            "next_check_at",
            "last_error_code",
            "last_error_message",
            "posts_seen",
            "downloads_queued",
        ],
        "properties": {
            "follow_id": {"type": "string", "format": "uuid"},
            "url": {"type": "string", "description": "The account's page"},
            "site": {"enum": [site.name for site in SITES]},
            "account": {"type": "string"},
            "user": {"type": "string", "description": "Who follows it: owner, or a person"},
            "every_h": {"type": "integer", "minimum": FOLLOW_EVERY_H[0]},
            "audio_only": {"type": "boolean"},
            "paused": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "last_checked_at": nullable("string", format="date-time"),
            "next_check_at": {
                **nullable("string", format="date-time"),
                "description": "null while paused",
            },
            "last_error_code": {
                **nullable("string"),
                "description": "why the last check failed, as a download's error_code",
            },
            "last_error_message": nullable("string"),
            "posts_seen": {"type": "integer", "minimum": 0},
            "downloads_queued": {"type": "integer", "minimum": 0},
        },
    },
    "Following": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "description": "An account's page"},  # see openapi_document
            "every_h": EVERY_H_SCHEMA,
            "audio_only": {"type": "boolean"},
            "first": {"type": "integer", "minimum": 0, "description": "at most max_items"},
        },
    },
    "FollowChange": {
        "type": "object",
        "properties": {
            "every_h": EVERY_H_SCHEMA,
            "paused": {"type": "boolean"},
            "audio_only": {"type": "boolean"},
        },
        "anyOf": [{"required": [name]} for name in ("every_h", "paused", "audio_only")],
    },
}


def account_url_schema(policy: UrlPolicy) -> dict:
    """What an account's link looks like on this server, for the sites followed without
    uploaded cookies (none, where the allow-list holds none of them). The mobile hosts are
    taken, not advertised."""
    patterns = []
    for site in SITES:
        hosts = [h for h in site.account_hosts if not h.startswith("m.")]
        hosts = [host for host in hosts if policy.domain_allowed(host)]
        if hosts and not site.follow_needs_cookies:
            patterns.append(site.account_url_pattern(hosts))
    return {"pattern": "|".join(patterns)} if patterns else {"not": {}}


FOLLOW_ID_PARAMETER = parameter("follow_id", "path", UUID_V4_SCHEMA, "A follow id (UUID v4)")


FOLLOW_REPLY = json_reply("The follow object", "Follow")


def find_follow(app: App, request: Request, text: str) -> Follow:
    """The follow with this id, if the caller may reach it: another's answers 404."""
    follow = app.follows.get(parse_download_id(text, "a follow id"))
    if follow and request.caller.reaches(follow.user):
        return follow
    raise no_such_follow()


def no_such_follow() -> ApiError:
    """404 for a follow id the caller may not reach, or one removed meanwhile."""
    return ApiError(404, "not_found", "no follow with this id")


def parse_every_h(request: Request, form: dict) -> int:
    low, default, high = FOLLOW_EVERY_H
    return parse_integer(request, form, "every_h", default, low, high)


@route(
    "POST",
    "/api/v1/follows",
    WRITE,
    summary="Follow an account: its new posts become downloads of the caller",
    body={"required": True, "content": json_content(ref("Following"))},
    replies={
        **json_reply("Followed; the first check runs now", "Follow", "201", located=True),
        **json_reply(
            "The caller follows this account already: that follow", "Follow", located=True
        ),
    },
    errors=(400, 413, 415, 422),
)
def create_follow(app: App, request: Request) -> Reply:
    """POST /api/v1/follows: follow an account, or find the caller's follow of it."""
    form = request.form()
    settings = {
        "every_h": parse_every_h(request, form),
        "audio_only": parse_bool(request, form, "audio_only"),
        "first": parse_integer(request, form, "first", FOLLOW_FIRST, 0, app.config.max_items),
    }
    values = new_follow(app.config, app.policy, request.caller.user, form.get("url"), **settings)
    bound = 0 if request.caller.user == OWNER else app.config.max_follows_per_user
    follow, added = app.follows.add(values, bound)
    if added:
        app.follow_checker.nudge()
        log.info("follow %s: %s follows %s", follow.id, follow.user, follow.url)
    location = {"Location": f"/api/v1/follows/{follow.id}"}
    return Reply(follow.to_api(), 201 if added else 200, location)


@route(
    "GET",
    "/api/v1/follows",
    READ,
    summary="The caller's follows (the owner's token: everyone's)",
    replies=json_reply("The follows, oldest first", "Follow", many=True),
)
def list_follows(app: App, request: Request) -> Reply:
    """GET /api/v1/follows: the caller's follows; the owner sees everyone's."""
    return Reply([follow.to_api() for follow in app.follows.of(request.caller.only_user)])


@route(
    "GET",
    "/api/v1/follows/{follow_id}",
    READ,
    summary="A follow: its settings and how its checks go",
    parameters=[FOLLOW_ID_PARAMETER],
    replies=FOLLOW_REPLY,
    errors=(400, 404),
)
def get_follow(app: App, request: Request, follow_id: str) -> Reply:
    """GET /api/v1/follows/{id}."""
    return Reply(find_follow(app, request, follow_id).to_api())


@route(
    "PATCH",
    "/api/v1/follows/{follow_id}",
    WRITE,
    summary="Change how often a follow is checked, pause or resume it, sound only",
    parameters=[FOLLOW_ID_PARAMETER],
    body={"required": True, "content": json_content(ref("FollowChange"))},
    replies=FOLLOW_REPLY,
    errors=(400, 404, 413, 415),
)
def change_follow(app: App, request: Request, follow_id: str) -> Reply:
    """PATCH /api/v1/follows/{id}: every_h, paused, audio_only; others are left as they are."""
    follow = find_follow(app, request, follow_id)
    form = request.form()
    changes = {
        key: parse_bool(request, form, key) for key in ("paused", "audio_only") if key in form
    }
    if "every_h" in form:
        changes["every_h"] = parse_every_h(request, form)
    if not changes:
        raise ApiError(400, "invalid_body", "send every_h, paused or audio_only to change")
    changed = app.follows.change(follow.id, changes)
    if changed is None:  # removed meanwhile
        raise no_such_follow()
    app.follow_checker.nudge()
    return Reply(changed.to_api())


@route(
    "DELETE",
    "/api/v1/follows/{follow_id}",
    WRITE,
    summary="Stop following: no more checks; the downloads it queued stay",
    parameters=[FOLLOW_ID_PARAMETER],
    replies=FOLLOW_REPLY,
    errors=(400, 404),
)
def delete_follow(app: App, request: Request, follow_id: str) -> Reply:
    """DELETE /api/v1/follows/{id}: the follow is forgotten; its downloads stay."""
    follow = find_follow(app, request, follow_id)
    if app.follows.remove(follow.id) is None:
        raise no_such_follow()
    log.info("follow %s of %s removed", follow.id, follow.url)
    return Reply(follow.to_api())


CHECK_NOW_EVERY_S = 600  # a person's check-now of one follow, at most this often


def refuse_impolite_check(follow: Follow, now: float) -> None:
    """ApiError 429 when a person asks for a check during a failure's backoff or within
    CHECK_NOW_EVERY_S of the last one: the site sees the Pi, not the person tapping."""
    if follow.failures and follow.next_check > now:
        wait_s, why = follow.next_check - now, "waits after its failed checks"
    elif (
        follow.last_checked_at
        and (last := datetime.fromisoformat(follow.last_checked_at).timestamp()) + CHECK_NOW_EVERY_S
        > now
    ):
        wait_s, why = last + CHECK_NOW_EVERY_S - now, "was checked less than 10 minutes ago"
    else:
        return
    at = time.strftime("%H:%M UTC", time.gmtime(now + wait_s))
    raise ApiError(
        429,
        "check_too_soon",
        f"this follow {why}; it can be checked again at {at}",
        {"Retry-After": str(int(wait_s) + 1)},
    )


@route(
    "POST",
    "/api/v1/follows/{follow_id}/check",
    WRITE,
    summary="Check a follow now",
    parameters=[FOLLOW_ID_PARAMETER],
    replies=json_reply(
        "The check is due now; it runs after any check running", "Follow", status="202"
    ),
    errors=(400, 404, 409, 429),
)
def check_follow(app: App, request: Request, follow_id: str) -> Reply:
    """POST /api/v1/follows/{id}/check: check at once (202); a paused follow is 409. A
    person's check stays polite to the site (API.md "Checks stay polite"); the owner's runs
    at once."""
    follow = find_follow(app, request, follow_id)
    if follow.paused:
        raise ApiError(409, "paused", "this follow is paused; resume it to check it")
    if request.caller.user != OWNER:
        refuse_impolite_check(follow, time.time())
    if (due := app.follows.change(follow.id, {"next_check": time.time()})) is None:
        raise no_such_follow()
    app.follow_checker.nudge()
    return Reply(due.to_api(), 202)


FOLLOW_USAGE = "usage: vidserve.py follow add URL [--user NAME] | follow list | follow remove ID"


def manage_follows(config: Config, operands: list[str], user: str | None) -> int:
    """`vidserve.py follow ...`: follows, as the routes make them (the owner's unless --user
    names a person). A running server checks a follow added here within a minute."""
    verb, rest = (operands[0], operands[1:]) if operands else ("", [])
    if {"add": 1, "list": 0, "remove": 1}.get(verb) != len(rest):
        print(FOLLOW_USAGE, file=sys.stderr)
        return 2
    config.data_path.mkdir(parents=True, exist_ok=True)
    database = Database(config.data_path / "vidserve.db")
    follows = Follows(database, Jobs(database))
    try:
        if verb == "list":
            print(f"{'ID':<36}  {'USER':<12}  {'ACCOUNT':<40}  {'LAST CHECK':<20}  ERROR")
            for follow in follows.of(None if user is None else People.check_name(user)):
                checked = follow.last_checked_at or "never"
                error = follow.last_error_code or ("paused" if follow.paused else "")
                print(f"{follow.id}  {follow.user:<12}  {follow.url:<40}  {checked:<20}  {error}")
        elif verb == "remove":
            follow = follows.remove(parse_download_id(rest[0], "a follow id"))
            if follow is None:
                raise ApiError(404, "not_found", f"no follow {rest[0]}")
            print(f"{follow.user} no longer follows {follow.url}; its downloads stay")
        else:
            name = OWNER if user in (None, OWNER) else People.check_name(user)
            if name != OWNER and name not in {
                person["name"] for person in People(database).everyone()
            }:
                raise ApiError(404, "not_found", f"no person called {name}")
            policy = UrlPolicy(
                config.allowed_domains, config.allow_private_addresses, config.private_networks
            )
            settings = {"every_h": FOLLOW_EVERY_H[1], "audio_only": False, "first": FOLLOW_FIRST}
            values = new_follow(config, policy, name, rest[0], **settings)
            follow, added = follows.add(values)
            state = "now follows" if added else "already follows"
            print(f"{follow.user} {state} {follow.url} (follow {follow.id})")
    except ApiError as err:
        print(f"vidserve: {err.message}", file=sys.stderr)
        return 1
    finally:
        database.close()
    return 0


# ---- 15. yt-dlp updates ----------------------------------------------------------------------
# The yt-dlp vidserve runs, kept current by itself (API.md "Staying current"): versions
# installed by pip under <data_dir>/ytdlp, one directory each, and the record of the one in
# use; the try of a candidate in a process of its own, on this server's own links; the
# switch (a re-execution keeping the listening socket), the downloads it saves queued again,
# rollback; the updater thread, the routes and `update-ytdlp`.


YTDLP_TRY_LIMIT_S = 120  # API.md: a try that takes longer is refused
YTDLP_PIP_LIMIT_S = 600  # an install on a Pi over a slow line
YTDLP_FAILURES = ("extractor", "unsupported_url", "blocked")  # what a new version may fix
YTDLP_TRIED_PER_KIND = 3  # recently completed links of each kind a try reads
YTDLP_TRIED_FAILURES = 10  # recent failures a try reads
SITE_KEYS = ("TikTok", "Instagram")  # yt-dlp's extractors of the links a try reads
YTDLP_REQUEUE_S = 7 * 86400  # failures this recent are queued again after a switch
YTDLP_ROLLBACK_FAILURES = 3  # extractor failures of links the version before read ...
YTDLP_ROLLBACK_WITHIN_S = 86400.0  # ... within this long of a switch: rolled back
YTDLP_DRAIN_S = 20.0  # a switch lets running downloads finish this long; the rest resume
YTDLP_THREAD = "ytdlp"  # the updater's thread, and its name at the egress proxy
INHERITED_LISTENER = "_VIDSERVE_LISTEN_FD"  # the listening socket a re-execution keeps


def ytdlp_version() -> str | None:
    """The installed yt-dlp's version, read without importing it (importing costs ~40 MB)."""
    import importlib.metadata  # only here: it costs ~1 MB of memory for as long as we run

    try:
        return importlib.metadata.version("yt-dlp")
    except importlib.metadata.PackageNotFoundError:
        return None


def ytdlp_age_days() -> int | None:
    """Days since the running yt-dlp was released; its version is its release date."""
    version = running_ytdlp_version() or ""
    match = re.match(r"(\d{4})\.(\d{1,2})\.(\d{1,2})", version)
    if not match:
        return None
    released = time.mktime((int(match[1]), int(match[2]), int(match[3]), 0, 0, 0, 0, 0, -1))
    return max(0, int((time.time() - released) // 86400))


@functools.cache
def running_ytdlp_version() -> str | None:
    """The version this process runs: read once (a scan of sys.path costs ~3 ms), since a
    new yt-dlp is only loaded by a re-execution (Service.switch_ytdlp)."""
    return ytdlp_version()


def ytdlp_adapters_missing() -> list[str]:
    """The Borrowed adapters the yt-dlp imported here cannot serve, by name: what the
    adapter tests check, asked of a candidate in its try (an empty list: all there)."""
    import yt_dlp

    with yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True}) as ydl:
        return Borrowed.missing(ydl)


def try_ytdlp_child() -> None:
    """The try's own process (YtdlpVersions.try_version): the order on stdin (the version's
    directory, or null for the environment's; the links; the egress proxy; ytdlp_options),
    the result as one JSON line on stdout: the version, what it lacks, each link's result."""
    order = json.loads(sys.stdin.read())
    if order["dir"]:
        sys.path.insert(0, order["dir"])
    result: dict[str, Any] = {"version": None, "missing": [], "links": {}}
    try:
        import yt_dlp

        result["version"] = yt_dlp.version.__version__
        result["missing"] = ytdlp_adapters_missing()
    except Exception as err:  # noqa: BLE001 (a candidate that does not import is refused)
        result["import_error"] = first_line(err)
        print(json.dumps(result), flush=True)
        return
    params = {"quiet": True, "no_warnings": True, "socket_timeout": 20, "cachedir": False}
    params |= order["options"] | {"proxy": order["proxy"]}  # every connection is checked
    impersonating = bool(impersonation_targets())
    with yt_dlp.YoutubeDL(params) as ydl:
        ydl.add_info_extractor(tiktok_photo_extractor()())
        for url in order["urls"]:
            try:
                read_post(ydl, url, ytdlp_choice(ydl, url))
                result["links"][url] = "ok"
            except Exception as err:  # noqa: BLE001 (each link's failure is its result)
                failure = classify_failure(err, impersonating, "cookiefile" in params)
                result["links"][url] = failure.code
    import resource  # only here: the try's own peak memory, for the log

    result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result), flush=True)


def ytdlp_choice(ydl: Any, url: str) -> str | None:
    """The extractor yt-dlp itself gives a link (the try has no ExtractorFinder), with
    vidserve's own for a TikTok photo post yt-dlp reads only generically."""
    extractors = Borrowed.extractors_in_order(ydl) or {}
    key = next((key for key, ie in extractors.items() if ie.suitable(url)), None)
    return "TikTokPhoto" if key == "Generic" and TIKTOK_POST_URL.match(url) else key


class UpdateRefused(Exception):
    """A check that ends with the version in use kept: its result and a reason to act on."""

    def __init__(self, result: str, reason: str):
        super().__init__(reason)
        self.result, self.reason = result, reason


class YtdlpVersions:
    """The versions under <data_dir>/ytdlp, one directory each, named by version, and
    state.json: the one in use, the one before, when it was switched to, the last check.

    A JSON file rather than a table: it is read at start before yt-dlp is imported and
    before the database opens (main puts the version's directory first on sys.path), it is
    one small document rewritten whole, and a crash leaves the old or the new (written to
    a temporary file, fsynced, renamed). A version directory is complete before it has its
    name: pip installs into .tmp-*, the data is synced, then it is renamed; a .tmp-* left by
    a crash is removed at the next start."""

    def __init__(self, data_path: Path):
        self.root = data_path / "ytdlp"
        self.state_path = self.root / "state.json"
        self.request_path = self.root / "request.json"  # from `vidserve.py update-ytdlp`
        self._lock = threading.Lock()  # guards state.json's read-modify-writes

    def state(self) -> dict:
        """The record; its defaults where there is none yet (the environment's yt-dlp)."""
        with contextlib.suppress(OSError, ValueError):
            state = json.loads(self.state_path.read_text())
            if isinstance(state, dict):
                return state
        return {"in_use": None, "previous": None, "switched_at": 0.0, "last_check": None}

    def write(self, state: dict) -> None:
        make_private_dir(self.root)
        partial = self.root / f".state-{os.getpid()}.json"
        with open(partial, "w", encoding="utf-8") as file:
            json.dump(state, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self.state_path)

    def update(self, change: Callable[[dict], None]) -> dict:
        with self._lock:
            state = self.state()
            change(state)
            self.write(state)
            return state

    def roll_back(self, reason: str, running: str | None) -> str | None:
        """Record the version before as the one in use (the environment's, when that was it),
        and the one in use (`running`) as the one before; its version, or None: none kept."""
        state = self.state()
        previous, current = state.get("previous"), state.get("in_use")
        if not previous:
            return None
        label = previous.removeprefix("environment:")

        def rolled_back(state: dict) -> None:
            back = None if previous.startswith("environment:") else previous
            state.update(in_use=back, previous=current or f"environment:{running}")
            saved = [url for _, url in state.get("failed", [])]
            state.update(switched_at=time.time(), switched_at_iso=utc_now(), read_before=[])
            state["saved"] = saved
            state["last_check"] = {**(state.get("last_check") or {}), "candidate": label}
            state["last_check"] |= {"result": "rolled_back", "reason": reason, "at": utc_now()}

        self.update(rolled_back)
        return label

    def take_rollback(self) -> None:
        """At start, before yt-dlp is loaded: a rollback `update-ytdlp` asked for while the
        server was stopped is only a change of the record (nothing to re-execute)."""
        with contextlib.suppress(OSError, ValueError):
            if json.loads(self.request_path.read_text()).get("rollback"):
                self.request_path.unlink()
                label = self.roll_back(
                    "asked for by vidserve.py update-ytdlp --rollback", ytdlp_version()
                )
                log.warning("yt-dlp check: rolled_back %s: asked for by update-ytdlp", label)

    def activate(self) -> str | None:
        """At start, before yt-dlp is imported: the version in use first on sys.path; its
        directory, or None for the environment's (none recorded, or its directory gone)."""
        in_use = self.state().get("in_use")
        directory = self.root / in_use if in_use else None
        if directory is None or not (directory / "yt_dlp").is_dir():
            return None
        sys.path.insert(0, str(directory))
        return str(directory)

    def tidy(self) -> None:
        """Remove what a crash left half-made, and every version but the two kept."""
        state = self.state()
        kept = {state.get("in_use"), state.get("previous")}
        with contextlib.suppress(FileNotFoundError):
            for path in self.root.iterdir():
                half_made = path.name.startswith(".tmp-")
                if path.is_dir() and (half_made or path.name not in kept):
                    shutil.rmtree(path, ignore_errors=True)

    def newest(self, channel: str) -> str:
        """The version pip would install for the channel (pip's own configuration applies),
        resolved without installing anything; a pinned channel is its own version."""
        if channel not in ("stable", "nightly"):
            return channel
        command = [*pip_install(channel), "--dry-run", "--ignore-installed", "--report", "-"]
        report = json.loads(run_pip([*command, "--no-deps", "yt-dlp"]) or "{}")
        installs = report.get("install") or [{}]
        version = installs[0].get("metadata", {}).get("version")
        if not version:
            raise UpdateRefused("failed", "pip found no yt-dlp to install")
        return version

    def install(self, channel: str, version: str) -> Path:
        """The version's directory, installed by pip unless it is there: with curl_cffi where
        a wheel exists for this machine, else without it (32-bit ARM)."""
        directory = self.root / version
        if (directory / "yt_dlp").is_dir():
            return directory
        make_private_dir(self.root)
        partial = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=self.root))
        try:
            for packages in YTDLP_PACKAGES:
                *options, package = packages
                command = [*pip_install(channel), "--target", str(partial), *options]
                try:
                    run_pip([*command, f"{package}=={version}"])
                    break
                except UpdateRefused:
                    if packages is YTDLP_PACKAGES[-1]:
                        raise
                    shutil.rmtree(partial, ignore_errors=True)
                    partial.mkdir(mode=0o700)
            os.sync()  # every file of it on disk before it has its name
            partial.rename(directory)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        return directory

    def try_version(self, directory: str | None, urls: list[str], proxy: str, options: dict):
        """A version's try, in a process of its own (try_ytdlp_child), killed at the limit."""
        order = json.dumps({"dir": directory, "urls": urls, "proxy": proxy, "options": options})
        command = vidserve_program("vidserve.try_ytdlp_child()")
        try:
            done = subprocess.run(
                command,
                input=order,
                capture_output=True,
                text=True,
                timeout=YTDLP_TRY_LIMIT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UpdateRefused("refused", f"its try took over {YTDLP_TRY_LIMIT_S} s") from None
        lines = done.stdout.strip().splitlines()
        try:
            return json.loads(lines[-1])
        except (IndexError, ValueError):
            raise UpdateRefused(
                "refused", f"its try ended without a result: {done.stderr.strip()[-300:]}"
            ) from None


def pip_install(channel: str) -> list[str]:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    return [*command, "--pre"] if channel == "nightly" else command


def run_pip(command: list[str]) -> str:
    """pip's output, or UpdateRefused("failed") with the last words of its error."""
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=YTDLP_PIP_LIMIT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise UpdateRefused("failed", f"pip could not run: {err}") from None
    if done.returncode != 0:
        words = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise UpdateRefused("failed", f"pip failed: {words}")
    return done.stdout


def decide(urls: list[str], current: dict, candidate: dict) -> tuple[str, str]:
    """API.md's rule: the candidate is used only if it imports, offers what vidserve uses,
    and reads every link the current version reads; reading one it cannot is a reason."""
    if candidate.get("import_error"):
        return "refused", f"it does not import: {candidate['import_error']}"
    if candidate["missing"]:
        return "refused", f"it lacks what vidserve uses of it: {', '.join(candidate['missing'])}"
    now, then = current.get("links", {}), candidate["links"]
    lost = [url for url in urls if now.get(url) == "ok" and then.get(url) != "ok"]
    if lost:
        return "refused", f"it could not read {len(lost)} of the links the version in use reads"
    gained = [url for url in urls if now.get(url) != "ok" and then.get(url) == "ok"]
    if gained:
        return "switched", f"it reads {len(gained)} links the version in use cannot"
    if not urls:
        return "switched", "it imports and offers what vidserve uses (no links to read yet)"
    return "switched", f"it reads every link the version in use reads ({len(urls)})"


class YtdlpUpdater:
    """Keeps yt-dlp current from a thread of its own, `ytdlp`: one timed wait until the next
    check is due (ytdlp_check_every_h after the last; never when 0), woken by a check asked
    for (the route; `update-ytdlp`, noticed by the server's upkeep) or by a download failed
    with `extractor` (a switched version failing is rolled back: roll_back_if_failing). A
    check at background priority: the newest version of the channel, installed, tried
    against the version in use, then switched to (the server re-executes itself:
    Service.switch_ytdlp) or refused. Every outcome goes through `outcome`, the one place
    that tells the owner."""

    def __init__(self, config: Config):
        self.config = config
        self.versions = YtdlpVersions(config.data_path)
        self.app: App | None = None  # given by start()
        self.switch: Callable[[str], None] = lambda reason: None  # Service.switch_ytdlp
        self._changed = threading.Condition()  # guards _asked, _failed, _checking, _stopping
        self._asked: str | None = None  # a channel to check now
        self._failed = False  # a download failed with extractor since the last look
        self._checking = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=YTDLP_THREAD, daemon=True)
        self.draining = threading.Event()  # a switch: workers start no new download
        self.results: collections.Counter = collections.Counter()  # checks since start

    @property
    def location(self) -> str:
        return "data_dir" if running_ytdlp_dir() else "environment"

    def start(self, app: App, switch: Callable[[str], None]) -> None:
        self.app, self.switch = app, switch
        self.versions.tidy()
        if "since_s" not in self.versions.state():  # the first check an interval after
            self.versions.update(lambda state: state.update(since_s=time.time()))
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()

    def ask(self, channel: str | None = None) -> bool:
        """Check now (with `channel`, once); False while a check runs."""
        with self._changed:
            if self._checking or self._asked:
                return False
            self._asked = channel or self.config.ytdlp_channel
            self._changed.notify()
            return True

    def download_failed(self, code: str) -> None:
        """From the download pipeline: a failure with `extractor` may be the version in use
        failing links the version before it read; the thread looks (roll_back_if_failing)."""
        if code == "extractor":
            with self._changed:
                self._failed = True
                self._changed.notify()

    def checking(self) -> bool:
        with self._changed:
            return self._checking or bool(self._asked)

    def due_in_s(self) -> float | None:
        if not self.config.ytdlp_check_every_h:
            return None
        state = self.versions.state()
        last = max((state.get("last_check") or {}).get("at_s", 0.0), state.get("since_s", 0.0))
        return max(0.0, last + self.config.ytdlp_check_every_h * 3600 - time.time())

    def _run(self) -> None:
        run_in_background()  # a check never delays a shared link: its programs inherit it
        self.app.warm.wait(WARM_LIMIT_S)
        self.take_request()  # one made while the server was stopped
        while True:
            with self._changed:
                self._changed.wait_for(
                    lambda: self._asked or self._failed or self._stopping or self.due_in_s() == 0,
                    self.due_in_s(),
                )
                if self._stopping:
                    return
                failed, self._failed = self._failed, False
                asked, self._asked = self._asked, None
                self._checking = checking = bool(asked) or self.due_in_s() == 0
            try:
                if failed:
                    self.roll_back_if_failing()  # re-executes the server when it rolls back
                if checking:
                    self.check(asked or self.config.ytdlp_channel)
            except Exception:  # a broken check must never end the thread
                log.exception("yt-dlp check failed unexpectedly")
            finally:
                with self._changed:
                    self._checking = False

    def try_both(self, candidate: Path, urls: list[str]) -> tuple[dict, dict]:
        """The tries of the version in use and of the candidate, each reading the links as a
        worker does (reading_options, the owner's cookies copied), through the egress proxy."""
        proxy, config = self.app.egress.url(YTDLP_THREAD), self.app.config
        with tempfile.TemporaryDirectory(prefix=".tmp-try-", dir=self.versions.root) as scratch:
            cookie_copy = Path(scratch) / "cookies.txt"  # the directory is 0700
            with contextlib.suppress(FileNotFoundError):
                shutil.copyfile(config.cookie_path, cookie_copy)
            options = reading_options(config, cookie_copy)
            now = self.versions.try_version(running_ytdlp_dir(), urls, proxy, options)
            return now, self.versions.try_version(str(candidate), urls, proxy, options)

    def check(self, channel: str) -> dict:
        """One check, recorded whole in state.json; a switch re-executes the server."""
        started, current = time.time(), running_ytdlp_version()
        record = {"at": utc_now(), "at_s": started, "channel": channel, "candidate": None}
        record |= {"tried": [], "requeued": 0}
        log.info("yt-dlp check: channel %s, version in use %s", channel, current)
        try:
            record["candidate"] = candidate = self.versions.newest(channel)
            if candidate == current:
                raise UpdateRefused("up_to_date", f"{current} is the newest of {channel}")
            log.info("yt-dlp check: installing %s", candidate)
            directory = self.versions.install(channel, candidate)
            urls = self.app.history.links_to_try(self.versions.state().get("switched_at_iso"))
            log.info("yt-dlp check: trying %s on %d links", candidate, len(urls))
            tried_at = time.monotonic()
            now, then = self.try_both(directory, urls)
            peak_mb = max(now.get("peak_rss_kb", 0), then.get("peak_rss_kb", 0)) // 1024
            took_s = time.monotonic() - tried_at
            log.info("yt-dlp check: both tries took %.1f s, at most %d MB each", took_s, peak_mb)
            record["tried"] = [
                {"url": url, "current": now["links"].get(url), "candidate": then["links"].get(url)}
                for url in urls
            ]
            record["result"], record["reason"] = decide(urls, now, then)
            if record["result"] != "switched":
                shutil.rmtree(directory, ignore_errors=True)  # nothing kept of it
        except UpdateRefused as refused:
            record["result"], record["reason"] = refused.result, refused.reason
        record["took_s"] = round(time.time() - started, 2)
        state = self.versions.update(lambda state: state.update(last_check=record))
        self.results[record["result"]] += 1
        self.outcome(record["result"], record["candidate"], record["reason"])
        if record["result"] == "switched":
            self.use(record["candidate"], state.get("in_use"), record)
        return record

    def use(self, version: str, before: str | None, record: dict) -> None:
        """Make `version` the one in use (the one before kept), then re-execute with it."""

        def switched(state: dict) -> None:
            state.update(in_use=version, switched_at=time.time(), switched_at_iso=utc_now())
            state["previous"] = before or f"environment:{running_ytdlp_version()}"
            state["read_before"] = [t["url"] for t in record["tried"] if t["current"] == "ok"]
            state["saved"] = [t["url"] for t in record["tried"] if t["candidate"] == "ok"]

        self.versions.update(switched)
        self.switch(f"yt-dlp {running_ytdlp_version()} -> {version}")

    def rollback(self, reason: str) -> bool:
        """Back to the version before, then re-execute with it; False: none is kept."""
        label = self.versions.roll_back(reason, running_ytdlp_version())
        if label is None:
            return False
        self.results["rolled_back"] += 1
        self.outcome("rolled_back", label, reason)
        self.switch(f"yt-dlp {running_ytdlp_version()} -> {label} (rolled back)")
        return True

    def take_request(self) -> bool:
        """What `vidserve.py update-ytdlp` asked for, done: at start and at each upkeep."""
        try:
            request = json.loads(self.versions.request_path.read_text())
            self.versions.request_path.unlink()
        except (OSError, ValueError):
            return False
        if not request.get("rollback"):
            return self.ask(request.get("channel"))
        if not self.rollback("asked for by vidserve.py update-ytdlp --rollback"):
            log.warning("yt-dlp rollback asked for, but no version before it is kept")
        return True

    def roll_back_if_failing(self) -> None:
        """A version switched to within a day that has failed, with `extractor`, downloads
        of links the version before it read: rolled back by itself (API.md), those
        downloads queued again by the switch back."""
        state = self.versions.state()
        if not state.get("read_before") or time.time() - state["switched_at"] > 86400:
            return
        since, read_before = state["switched_at_iso"], state["read_before"]
        failed = self.app.history.failed_since(since, ("extractor",), read_before)
        if len(failed) >= YTDLP_ROLLBACK_FAILURES:
            self.versions.update(lambda state: state.update(failed=failed))
            self.rollback(
                f"{len(failed)} downloads of links the version before read failed within a day"
            )

    def after_switch(self, jobs: Jobs, follows: Follows) -> int:
        """In a switch, once the workers are stopped: the failures the new version read
        queued again, once; failing follows checked soon. Returns how many were queued."""
        state = self.versions.state()
        saved, version = state.pop("saved", None), running_target_version(state)
        if not saved:
            return 0
        since = datetime.fromtimestamp(time.time() - YTDLP_REQUEUE_S).strftime("%Y-%m-%dT%H:%M:%SZ")
        failed = self.app.history.failed_since(since, YTDLP_FAILURES, saved)
        ids = [job_id for job_id, _ in failed]
        queued = requeue_after_update(self.app.database, jobs, ids, version)
        follows.check_failing_soon()

        def noted(state: dict) -> None:
            state.pop("saved", None)
            if state.get("last_check"):
                state["last_check"]["requeued"] = len(queued)

        self.versions.update(noted)
        log.info("yt-dlp %s: queued again %d failed downloads it read", version, len(queued))
        return len(queued)

    def outcome(self, result: str, version: str | None, reason: str) -> None:
        """The one place a check's outcome is told: the log, and the owner's alert for a
        switch, a rollback, or a candidate refused or failed (a check up to date is quiet)."""
        line = f"yt-dlp check: {result}" + (f" {version}" if version else "") + f": {reason}"
        (log.warning if result in ("refused", "failed", "rolled_back") else log.info)(line)
        named = version or self.config.ytdlp_channel
        in_use = running_ytdlp_version()
        if result == "switched":
            kind, title = "ytdlp_switched", f"yt-dlp {named} is now in use"
            message = (
                f"vidserve tried yt-dlp {named} on this server's links and switched to it from"
                f" {in_use}: {reason}. Downloads that failed and that it read are queued again."
                " If it breaks downloads: vidserve.py update-ytdlp --rollback."
            )
        elif result == "rolled_back":
            kind, title = "ytdlp_rolled_back", f"yt-dlp rolled back to {named}"
            message = (
                f"vidserve went back from yt-dlp {in_use} to {named}: {reason}. It stays there"
                " until a newer version reads this server's links."
            )
        elif result == "refused":
            kind, title = "ytdlp_refused", f"yt-dlp {named} was not used"
            message = (
                f"vidserve tried yt-dlp {named} and kept {in_use}: {reason}. Nothing to do"
                " unless downloads fail; GET /api/v1/ytdlp lists what each version read."
            )
        elif result == "failed":
            kind, title = "ytdlp_refused", "Checking for a newer yt-dlp failed"
            message = (
                f"vidserve kept yt-dlp {in_use}: {reason}. Check that pip can reach its index"
                " (pip's own configuration applies) and that the disk has room."
            )
        else:  # up to date
            return
        self.app.alerts.raise_(kind, named, title, message)

    def health(self) -> dict:
        last = self.versions.state().get("last_check") or {}
        channel = self.config.ytdlp_channel
        return {
            "version": running_ytdlp_version(),
            "channel": channel,
            "last_result": last.get("result"),
        }

    def describe(self) -> dict:
        """GET /api/v1/ytdlp's body."""
        state = self.versions.state()
        last = state.get("last_check")
        keys = ("at", "candidate", "result", "reason", "tried", "requeued")
        return {
            "version": running_ytdlp_version(),
            "channel": self.config.ytdlp_channel,
            "location": self.location,
            "previous": (state.get("previous") or "").removeprefix("environment:") or None,
            "checking": self.checking(),
            "last_check": {key: last.get(key) for key in keys} if last else None,
        }


def running_target_version(state: dict) -> str:
    """The version a switch made the one in use, as state.json names it."""
    return state.get("in_use") or (state.get("last_check") or {}).get("candidate") or "?"


@functools.cache
def running_ytdlp_dir() -> str | None:
    """The directory under data_dir whose yt-dlp this process runs; None: the environment's."""
    return os.environ.get("_VIDSERVE_YTDLP_DIR") or None


SCHEMAS |= {
    "Ytdlp": {
        "type": "object",
        "required": ["version", "channel", "location", "previous", "checking", "last_check"],
        "properties": {
            "version": nullable("string"),
            "channel": {"type": "string"},
            "location": {"enum": ["data_dir", "environment"]},
            "previous": nullable("string"),
            "checking": {"type": "boolean"},
            "last_check": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "at": {"type": "string", "format": "date-time"},
                            "candidate": nullable("string"),
                            "result": {
                                "enum": ["switched", "refused", "up_to_date", "failed"]
                                + ["rolled_back"]
                            },
                            "reason": {"type": "string"},
                            "tried": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "url": {"type": "string"},
                                        "current": nullable("string"),
                                        "candidate": nullable("string"),
                                    },
                                },
                            },
                            "requeued": {"type": "integer"},
                        },
                    },
                ]
            },
        },
    }
}


@route(
    "GET",
    "/api/v1/ytdlp",
    OWNER_ONLY,
    summary="The yt-dlp in use, its channel, and the last check of a newer one",
    replies=json_reply("The yt-dlp in use and the last check", "Ytdlp"),
)
def get_ytdlp(app: App, request: Request) -> Reply:
    """GET /api/v1/ytdlp: the version in use, the one before, the last check and its try."""
    return Reply(app.ytdlp.describe())


@route(
    "POST",
    "/api/v1/ytdlp/check",
    OWNER_ONLY,
    summary="Check for a newer yt-dlp now, try it and switch to it if it reads as well",
    replies=json_reply("The check has started", "Ytdlp", "202"),
    errors=(409,),
)
def check_ytdlp(app: App, request: Request) -> Reply:
    """POST /api/v1/ytdlp/check: 202 and a check starts now; 409 while one runs."""
    if not app.ytdlp.ask():
        raise ApiError(409, "check_running", "a check of yt-dlp is running; see GET /api/v1/ytdlp")
    return Reply(app.ytdlp.describe(), 202)


def update_ytdlp(config: Config, channel: str | None, check: bool, rollback: bool) -> int:
    """`vidserve.py update-ytdlp [--channel C] [--check] [--rollback]`: tell the running
    server (it notices at its next upkeep, within a minute, or at its next start)."""
    if channel is not None and not YTDLP_CHANNEL.fullmatch(channel):
        print(f"vidserve: --channel {channel!r}: stable, nightly or a version", file=sys.stderr)
        return 2
    versions = YtdlpVersions(config.data_path)
    make_private_dir(versions.root)
    request = {"rollback": rollback, "channel": channel, "check": check or not rollback}
    partial = versions.root / f".request-{os.getpid()}.json"
    partial.write_text(json.dumps(request))
    partial.replace(versions.request_path)
    state = versions.state()
    what = "roll back to the version before" if rollback else "check for a newer yt-dlp"
    print(f"yt-dlp in use: {state.get('in_use') or 'the environment' + chr(39) + 's'}")
    print(f"told the server to {what}; it does within a minute (GET /api/v1/ytdlp shows it)")
    return 0


# ---- 16. Certificates ------------------------------------------------------------------------
# TLS: the self-signed certificate, your own files reloaded on change, ACME (RFC 8555)
# issued and renewed, and the plain-HTTP port that answers its http-01 challenges.
#
# Certificates holds what new connections are served; CertificateFiles replaces it when
# your files change (looked at as a handshake begins) and CertificateRenewer (`acme`) in the
# background; Challenges answers the CA.


CERT_WARN_DAYS = 14  # API.md: health and the page warn when fewer days are left


SELF_SIGNED_DAYS = 825  # API.md: the longest iOS accepts of a TLS server certificate


ACME_TIMEOUT_S = 30.0  # each request to the ACME server, from connect to its last byte


ACME_MIN_WAIT_S = 60.0  # API.md "Hardening": a wait the CA asks for (Retry-After, a renewal


ACME_MAX_WAIT_S = 86400.0  # window) is held to a minute..a day (see clamp_wait_s)


ACME_POLL_LIMIT_S = 120.0  # an authorization or order still pending after this has failed


ACME_POLL_MAX_WAIT_S = 10.0  # polling it waits this long at most, whatever the CA asks


ACME_FIRST_RETRY_S = 2.0  # API.md: a failure is retried within seconds, then ever later,


ACME_MAX_BACKOFF_S = 3600.0  # but at most an hour apart


ARI_RECHECK_S = 6 * 3600.0  # RFC 9773 §4.3: ask for the renewal window again this often


MAX_ACME_REPLY_BYTES = 1024 * 1024  # a certificate chain is a few KB


def clamp_wait_s(
    seconds: float, low_s: float = ACME_MIN_WAIT_S, high_s: float = ACME_MAX_WAIT_S
) -> float:
    """A wait another server asked for (an ACME CA's Retry-After or renewal window) held
    between low_s and high_s, a minute and a day unless told: it can neither make us ask
    again at once nor put us to sleep for ever (`Retry-After: 99999999999` would overflow
    Event.wait and end the thread)."""
    return min(max(seconds, low_s), high_s)


AEAD_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"  # TLS 1.2; every TLS 1.3 suite is AEAD already


def tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """TLS 1.2 and 1.3, forward-secret AEAD ciphers only: testssl.sh calls CBC obsolete."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(AEAD_CIPHERS)
    context.set_alpn_protocols(["http/1.1"])
    context.load_cert_chain(cert_file, key_file)
    return context


def openssl(*arguments: str, data: bytes | None = None) -> bytes:
    """Run the openssl command; its output, or OSError with what it complained about."""
    try:
        done = subprocess.run(
            ["openssl", *arguments], input=data, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise OSError(f"openssl {arguments[0]}: {err}") from err
    if done.returncode:
        raise OSError(f"openssl {arguments[0]}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def ensure_certificate(config: Config) -> tuple[Path, Path]:
    """The configured certificate, or the self-signed one: made with openssl at the first
    start, and made anew at a later one when it lacks a name a phone may type for this
    machine (the Pi got a new address, cert_names changed) or iOS would refuse it (API.md
    "A phone on the home network trusts it"), saying so with the new fingerprint: each
    phone must then install it again, which is why a complete one is always kept."""
    if config.cert_file:
        return Path(config.cert_file).expanduser(), Path(config.key_file).expanduser()
    cert, key = config.data_path / "cert.pem", config.data_path / "key.pem"
    wanted = self_signed_names(config)
    saved = cert.exists() and key.exists()
    if saved and not (shortfall := self_signed_shortfall(cert, wanted)):
        return cert, key
    if shutil.which("openssl") is None:
        raise ConfigError(
            "TLS needs a certificate and the `openssl` command to make one:"
            " install it (apt install openssl), set cert_file and key_file,"
            " or set tls = false behind a proxy"
        )
    make_phone_certificate(cert, key, wanted)
    if saved:
        log.warning(
            "the certificate %s: made a new one for %s, SHA-256 %s; install it again on each"
            " phone from /cert",
            shortfall,
            ", ".join(sorted(wanted)),
            fingerprint(cert),
        )
    else:
        log.info("made a self-signed certificate for %s", ", ".join(sorted(wanted)))
    return cert, key


def self_signed_shortfall(cert: Path, wanted: set[str]) -> str:
    """Why the saved self-signed certificate will not do, in words; "" when it will."""
    try:
        info = CertificateInfo.read(cert, "self-signed")
    except (OSError, KeyError, ValueError) as err:
        return f"could not be read ({err})"
    if missing := sorted(wanted - set(info.names)):
        return f"lacks {', '.join(missing)}"
    if not info.server_auth:
        return "lacks extendedKeyUsage serverAuth, which iOS requires"
    if (valid_days := round((info.not_after - info.not_before) / 86400)) > SELF_SIGNED_DAYS:
        return f"is valid for {valid_days} days, more than iOS accepts ({SELF_SIGNED_DAYS})"
    if info.not_after - time.time() < CERT_WARN_DAYS * 86400:
        return f"expires on {info.expires}"
    return ""


def make_phone_certificate(cert: Path, key: Path, wanted: set[str]) -> None:
    """A self-signed EC P-256 certificate for `wanted`, as iOS and Android accept one.

    Phones are told to trust it as a CA, so it is constrained as one (API.md "Hardening"):
    pathlen:0, and nameConstraints permitting only its own names and addresses, so its key,
    if stolen, cannot vouch for any other site. iOS requires of every TLS server
    certificate, a trusted self-signed one included, extendedKeyUsage serverAuth and at
    most 825 days (support.apple.com/103769)."""
    addresses = sorted(name for name in wanted if is_ip(name))
    names = sorted(wanted - set(addresses))
    san = ",".join([f"DNS:{n}" for n in names] + [f"IP:{a}" for a in addresses])
    permitted = [f"permitted;DNS:{n}" for n in names] + [
        f"permitted;IP:{a}/{ipaddress.ip_network(a).netmask}" for a in addresses
    ]
    subject = f"/CN={socket.gethostname() or 'vidserve'}"
    old_umask = os.umask(0o077)  # only at start, before any other thread makes files
    try:
        make_self_signed(
            cert,
            key,
            subject,
            [
                f"subjectAltName={san}",
                "basicConstraints=critical,CA:TRUE,pathlen:0",
                "keyUsage=critical,digitalSignature,keyCertSign",
                "extendedKeyUsage=serverAuth",
                f"nameConstraints=critical,{','.join(permitted)}",
            ],
            days=SELF_SIGNED_DAYS,
        )
    except OSError as err:
        raise ConfigError(f"openssl could not make a certificate: {err}") from err
    finally:
        os.umask(old_umask)
    cert.chmod(0o644)


def make_self_signed(cert: Path, key: Path, subject: str, extensions: list[str], days: int) -> None:
    """A new EC P-256 key and a self-signed certificate for it, made by openssl."""
    added = [argument for extension in extensions for argument in ("-addext", extension)]
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        str(days),
        "-subj",
        subject,
        *added,
        "-keyout",
        str(key),
        "-out",
        str(cert),
    )


# /proc/net/if_inet6's IFA_F_* flags of addresses that are not, or not for long, this
# machine's own: temporary (privacy: they change daily, and each would mean a new
# certificate to install), DAD failed, deprecated, tentative.
IFA_UNSTABLE = 0x01 | 0x08 | 0x20 | 0x40
IPV6_SCOPE_GLOBAL = 0x00  # /proc/net/if_inet6's scope of global and unique-local addresses
ANY_ADDRESS = ("0.0.0.0", "::", "")  # a `host` that listens on every interface


def phone_addresses() -> set[str]:
    """The addresses a phone at home may type for this machine, read from its interfaces,
    not from the host name (Raspberry Pi OS maps that to 127.0.1.1): every IPv4 address of
    an up interface, and its stable global or unique-local IPv6 addresses (not temporary
    ones, nor link-local)."""
    try:
        entries = interface_addresses()
    except OSError:
        return set()
    return {
        str(entry.address)
        for entry in entries
        if entry.up and entry.scope == IPV6_SCOPE_GLOBAL and not entry.flags & IFA_UNSTABLE
    }


@functools.cache
def host_names() -> frozenset[str]:
    """localhost, the host name, its fully qualified form and HOSTNAME.local (mDNS: what a
    Pi is reached by at home). Read once: getfqdn may ask DNS."""
    host = socket.gethostname().lower()
    names = {"localhost", socket.getfqdn().lower()}
    if host:
        names |= {host, f"{host.split('.')[0]}.local"}
    return frozenset(name_key(name) for name in names if name)


def self_signed_names(config: Config) -> set[str]:
    """Every name and address the self-signed certificate should hold, as name_key writes
    them: the machine's names and its interfaces' addresses, loopback, `host` when it is
    one address or name, and cert_names."""
    wanted = set(host_names()) | {"127.0.0.1", "::1"} | phone_addresses()
    if config.host not in ANY_ADDRESS:
        wanted.add(config.host)
    return {name_key(name) for name in wanted | set(config.cert_names)}


def name_key(name: str) -> str:
    """A certificate name as it is compared: an address in its one short form (openssl
    prints FD00:0:0:0:0:0:0:20), a DNS name in lower case without a final dot."""
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name.lower().rstrip(".")


def missing_names(config: Config, certificate: dict) -> list[str]:
    """Health's certificate.missing_names: what the served self-signed certificate lacks of
    what it should hold now (an address the machine got since it started); a restart makes
    a new one. Empty for your own certificate files and ACME's: those name what you chose."""
    if certificate["source"] != "self-signed":
        return []
    return sorted(self_signed_names(config) - set(certificate["names"]))


def fingerprint(cert_file: Path) -> str:
    der = ssl.PEM_cert_to_DER_cert(cert_file.read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


ACME_TLS_ALPN = "acme-tls/1"  # RFC 8737 §6.2


ACME_IDENTIFIER_OID = "1.3.6.1.5.5.7.1.31"  # RFC 8737 §6.1: id-pe-acmeIdentifier


ACME_HTTP_PATH = "/.well-known/acme-challenge/"  # RFC 8555 §8.3


ACME_BAD_NONCE = "urn:ietf:params:acme:error:badNonce"


TLS_HANDSHAKE_RECORD = b"\x16"  # RFC 8446 §5.1: every TLS connection opens with one


TLS_CLIENT_HELLO = 1  # RFC 8446 §4: the handshake type of a ClientHello


HSTS = "max-age=31536000"  # sent only while a CA-issued certificate serves


@dataclass(frozen=True)
class CertificateInfo:
    """The served certificate as health shows it, read from its PEM by openssl."""

    source: str  # "acme", "self-signed" or "file"
    names: tuple[str, ...]
    not_before: float  # Unix seconds
    not_after: float
    ca_issued: bool  # the issuer is not the subject: a CA vouches for it, so HSTS is safe
    server_auth: bool  # extendedKeyUsage serverAuth, which iOS requires of a TLS server's
    ari_id: str  # RFC 9773 §4.1: base64url(authority key id) "." base64url(serial); or ""

    @classmethod
    def read(cls, cert_file: Path, source: str) -> Self:
        text = openssl(
            "x509",
            "-in",
            str(cert_file),
            "-noout",
            "-subject",
            "-issuer",
            "-startdate",
            "-enddate",
            "-serial",
            "-ext",
            "subjectAltName,authorityKeyIdentifier,extendedKeyUsage",
        ).decode()
        lines = dict(
            re.findall(r"^(subject|issuer|notBefore|notAfter|serial)=(.*)$", text, re.MULTILINE)
        )
        key_id = re.search(r"Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)", text)
        serial = int(lines["serial"], 16)
        ari_id = ""
        if key_id:  # the serial as DER writes it: a leading zero byte keeps it positive
            serial_der = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
            ari_id = f"{b64url(bytes.fromhex(key_id[1].replace(':', '')))}.{b64url(serial_der)}"
        return cls(
            source=source,
            names=tuple(name_key(n) for n in re.findall(r"(?:DNS:|IP Address:)([^,\s]+)", text)),
            not_before=ssl.cert_time_to_seconds(lines["notBefore"]),
            not_after=ssl.cert_time_to_seconds(lines["notAfter"]),
            ca_issued=lines["subject"] != lines["issuer"],
            server_auth="TLS Web Server Authentication" in text,
            ari_id=ari_id,
        )

    @property
    def expires(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.not_after))

    def to_api(self, error: str | None) -> dict:
        days_left = int((self.not_after - time.time()) // 86400)
        return {
            "source": self.source,
            "names": list(self.names),
            "not_after": self.expires,
            "days_left": days_left,
            "error": error,
            "expires_soon": days_left < CERT_WARN_DAYS,
        }


class Certificates:
    """Which certificate a new TLS connection gets. Each install builds a whole new context
    and swaps it in, so a handshake sees the old pair or the new, never half of each, and a
    connection already open keeps the context it was wrapped with."""

    def __init__(self, cert_file: Path, key_file: Path, source: str):
        self._lock = threading.Lock()  # guards context, info and error, which change together
        self.error: str | None = None
        self.before_handshake: Callable[[], None] = lambda: None  # CertificateFiles.check
        self.install(cert_file, key_file, source)  # a pair that does not load stops the start

    def install(self, cert_file: Path, key_file: Path, source: str) -> CertificateInfo:
        """Serve this pair to new connections; OSError (and the old pair kept) if it won't load."""
        context = tls_context(cert_file, key_file)  # reads both files now; paths may change later
        try:
            info = CertificateInfo.read(cert_file, source)
        except (KeyError, ValueError) as err:
            raise OSError(f"{cert_file}: no dates or serial in it ({err})") from err
        with self._lock:
            self.context, self.info, self.error = context, info, None
        return info

    def failed(self, message: str) -> None:
        """The newest attempt at a better certificate failed: health says why."""
        with self._lock:
            self.error = message

    def wrap(self, sock: socket.socket) -> ssl.SSLSocket:
        self.before_handshake()
        return self.context.wrap_socket(sock, server_side=True)

    def to_api(self) -> dict:
        with self._lock:
            return self.info.to_api(self.error)


class CertificateFiles:
    """cert_file and key_file of your own (certbot, `tailscale cert`): served anew when either
    changes on disk. A new pair that does not load (a key that does not match, a half-written
    file) is logged and the old pair keeps serving; the next change is tried again.

    The files are looked at when a connection's handshake begins (two stat calls, ~5 us),
    not by a thread polling them: no connection, no wake-up (issue 25), and the first
    handshake after a renewal already gets the new pair.
    """

    def __init__(self, cert_file: Path, key_file: Path, certificates: Certificates):
        self.cert_file, self.key_file, self.certificates = cert_file, key_file, certificates
        self._lock = threading.Lock()  # guards _seen: one handshake installs a new pair
        self._seen = self.stamp()
        certificates.before_handshake = self.check

    def stamp(self) -> tuple | None:
        try:
            stats = [os.stat(path) for path in (self.cert_file, self.key_file)]
        except OSError:
            return None  # being replaced: look again next time
        return tuple((stat.st_mtime_ns, stat.st_size, stat.st_ino) for stat in stats)

    def check(self) -> None:
        """Install the pair anew if either file changed since it was last looked at."""
        with self._lock:
            stamp = self.stamp()
            if stamp is None or stamp == self._seen:
                return
            self._seen = stamp
            try:
                info = self.certificates.install(self.cert_file, self.key_file, "file")
            except OSError as err:
                message = f"{self.cert_file} and {self.key_file} do not load: {err}; the previous"
                self.certificates.failed(message + " certificate keeps serving")
                log.error("%s certificate keeps serving", message)
                return
            log.info(
                "reloaded %s: %s, valid until %s",
                self.cert_file,
                ", ".join(info.names),
                info.expires,
            )


class Challenges:
    """The answers to the CA's validation requests, held only while one is pending: key
    authorizations by token for http-01, challenge certificates by name for tls-alpn-01."""

    def __init__(self):
        self._lock = threading.Lock()  # guards both tables
        self._http: dict[str, str] = {}
        self._tls: dict[str, ssl.SSLContext] = {}

    @contextlib.contextmanager
    def answering(self, kind: str, domain: str, token: str, key_authorization: str):
        if kind == "http-01":
            table, key, answer = self._http, token, key_authorization
        else:
            table, key, answer = self._tls, domain, challenge_context(domain, key_authorization)
        with self._lock:
            table[key] = answer
        try:
            yield
        finally:
            with self._lock:
                table.pop(key, None)

    def http_answer(self, token: str) -> str | None:
        with self._lock:
            return self._http.get(token)

    def tls_answer(self, sock: socket.socket) -> ssl.SSLContext | None:
        """The challenge context when this connection is the CA validating (RFC 8737 §3: ALPN
        acme-tls/1 and the name as SNI), else None. Python's sni_callback never sees the
        client's ALPN list, so the ClientHello is peeked at, only while a validation is
        pending: every other handshake costs nothing extra."""
        if not self._tls:
            return None
        name, protocols = client_hello_fields(peek_client_hello(sock))
        if ACME_TLS_ALPN.encode() not in protocols:
            return None
        with self._lock:
            return self._tls.get(name)


def peek_client_hello(sock: socket.socket) -> bytes:
    """The first TLS record, left unread for the handshake. MSG_WAITALL needs a blocking
    socket to wait for a record split over segments, so the timeout moves to SO_RCVTIMEO."""
    timeout_s = sock.gettimeout() or 10.0
    try:
        header = sock.recv(5, socket.MSG_PEEK)
        wanted = 5 + int.from_bytes(header[3:5]) if len(header) == 5 else 5
        sock.settimeout(None)
        seconds, micros = int(timeout_s), max(int(timeout_s % 1 * 1e6), 1000)  # never 0: forever
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, micros))
        return sock.recv(min(wanted, 5 + 16384), socket.MSG_PEEK | socket.MSG_WAITALL)
    except OSError:
        return b""
    finally:
        sock.settimeout(timeout_s)


def client_hello_fields(hello: bytes) -> tuple[str, list[bytes]]:
    """The server name and the ALPN protocols a ClientHello offers (RFC 8446 §4.1.2, RFC 6066
    §3, RFC 7301 §3.1); ("", []) when it is not one."""
    name, protocols = "", []
    try:
        if hello[0] != TLS_HANDSHAKE_RECORD[0] or hello[5] != TLS_CLIENT_HELLO:
            return name, protocols
        at = 5 + 4 + 2 + 32  # record header, handshake header, legacy version, random
        at += 1 + hello[at]  # session id
        at += 2 + int.from_bytes(hello[at : at + 2])  # cipher suites
        at += 1 + hello[at]  # compression methods
        end, at = at + 2 + int.from_bytes(hello[at : at + 2]), at + 2
        while at + 4 <= end:
            kind, size = int.from_bytes(hello[at : at + 2]), int.from_bytes(hello[at + 2 : at + 4])
            body, at = hello[at + 4 : at + 4 + size], at + 4 + size
            if kind == 0:  # server_name: list length, name type, name length, name
                name = body[5 : 5 + int.from_bytes(body[3:5])].decode("ascii").lower()
            elif kind == 16:  # ALPN: list length, then each protocol with a one-byte length
                items = body[2:]
                while items:
                    protocols.append(items[1 : 1 + items[0]])
                    items = items[1 + items[0] :]
    except (IndexError, UnicodeDecodeError):
        return "", []
    return name, protocols


def challenge_context(domain: str, key_authorization: str) -> ssl.SSLContext:
    """RFC 8737 §3: a self-signed certificate for domain whose critical acmeIdentifier
    extension holds the SHA-256 of the key authorization, offered with ALPN acme-tls/1 only."""
    digest = b"\x04\x20" + hashlib.sha256(key_authorization.encode()).digest()  # OCTET STRING
    value = ":".join(f"{byte:02X}" for byte in digest)
    with tempfile.TemporaryDirectory() as scratch:  # mode 0700: the key is never readable
        cert, key = Path(scratch) / "cert.pem", Path(scratch) / "key.pem"
        extensions = [f"subjectAltName=DNS:{domain}", f"{ACME_IDENTIFIER_OID}=critical,DER:{value}"]
        make_self_signed(cert, key, f"/CN={domain}", extensions, days=7)
        context = tls_context(cert, key)
    context.set_alpn_protocols([ACME_TLS_ALPN])
    return context


class AcmeError(Exception):
    """The ACME server refused, failed, answered nonsense or could not be reached."""

    def __init__(self, message: str, retry_after_s: float = 0.0):
        super().__init__(message)
        self.retry_after_s = retry_after_s  # the CA's own Retry-After (rate limits, RFC 8555 §6.6)


def acme_json(data: bytes) -> dict:
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise AcmeError(f"the ACME server answered something other than JSON: {data[:60]!r}")
    return value


def acme_problem(state: dict) -> str:
    """The reasons an ACME object gives for failing (RFC 8555 §6.7), its challenges' too."""
    errors = [state.get("error")] + [c.get("error") for c in state.get("challenges", [])]
    details = [str(error.get("detail", error)) for error in errors if isinstance(error, dict)]
    return "; ".join(details) or "no reason given"


class AcmeConnection(http.client.HTTPSConnection):
    """An HTTPS connection to the ACME server: to an address policy allows (the address
    checked is the address used), tracked by deadlines from connect until close."""

    def __init__(self, host: str, port: int, client: AcmeClient):
        super().__init__(host, port, timeout=ACME_TIMEOUT_S, context=client.tls)
        self.client = client
        self.tracked: Connection | None = None

    def connect(self) -> None:
        if not self.client.policy.host_is_plain(self.host.lower()):
            raise AcmeError(f"the ACME server named a host that is not plain: {self.host!r}")
        try:
            with own_connections():
                sock = connect_allowed(self.client.policy, self.host, self.port, ACME_TIMEOUT_S)
        except AddressRefused as refused:
            raise AcmeError(f"the ACME server named an address it may not: {refused}") from None
        # Wrapping takes the file descriptor from sock: track the socket that will be read.
        tls = self.client.tls.wrap_socket(
            sock, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.tracked, self.sock = self.client.deadlines.admit(tls), tls
        tls.do_handshake()  # under the deadline too

    def close(self) -> None:
        super().close()
        if self.tracked is not None:
            self.client.deadlines.leave(self.tracked)
            self.tracked = None


class AcmeClient:
    """RFC 8555, the steps a one-name certificate takes (acme-tiny is the model): an account,
    an order, one challenge per authorization, finalize, download. Runs in the `acme`
    thread; a nonsense answer becomes an AcmeError. The CA is not trusted further than a
    web site (API.md "Hardening"): each request, from connect to its last byte, has
    ACME_TIMEOUT_S in all (`deadlines` closes it then); every URL, the directory's and those
    the CA hands out, goes through UrlPolicy's address rules (no private, loopback or own
    address; port 443 or the directory's) unless acme_ca_file names a private CA, which is
    trusted to be local; and a POST answered with a redirect has failed."""

    def __init__(
        self, config: Config, account_key: Path, challenges: Challenges, stop: threading.Event
    ):
        self.directory_url, self.email = config.acme_directory, config.acme_email
        self.kind = config.acme_challenge
        self.account_key, self.challenges, self.stopping = account_key, challenges, stop
        self.tls = ssl.create_default_context(cafile=config.acme_ca_file or None)
        directory_port = urllib.parse.urlsplit(config.acme_directory).port or 443
        self.policy = UrlPolicy((), bool(config.acme_ca_file), allowed_ports=(443, directory_port))
        self.deadlines = Connections(limit=4, timeout_s=ACME_TIMEOUT_S)
        self._directory: dict | None = None
        self._nonce: str | None = None
        self._kid = ""  # the account URL, once signed in
        self.jwk: dict = {}
        self.thumbprint = ""

    def close(self) -> None:
        self.deadlines.close()  # its reaper thread ends

    def send(self, url: str, body: bytes | None = None, method: str = "") -> tuple[int, Any, bytes]:
        """One HTTPS request; an HTTP error status is an answer too (a problem document)."""
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port or 443
        except ValueError:
            raise AcmeError(f"not a URL: {url!r}") from None
        if parts.scheme != "https" or not parts.hostname:
            raise AcmeError(f"not an https URL: {url!r}")
        connection = AcmeConnection(parts.hostname, port, self)
        headers = {"User-Agent": f"vidserve/{__version__}", "Content-Type": "application/jose+json"}
        deadline = time.monotonic() + ACME_TIMEOUT_S
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method or ("POST" if body else "GET"), path, body, headers)
            reply = connection.getresponse()
            data = reply.read(MAX_ACME_REPLY_BYTES)
        except (OSError, http.client.HTTPException) as err:
            raise self.late(parts.netloc, deadline) or AcmeError(f"{parts.netloc}: {err}") from err
        finally:
            connection.close()
        if late := self.late(parts.netloc, deadline):  # a cut-short body reads as a short one
            raise late
        self._nonce = reply.headers.get("Replay-Nonce") or self._nonce
        return reply.status, reply.headers, data

    @staticmethod
    def late(netloc: str, deadline: float) -> AcmeError | None:
        if time.monotonic() < deadline:
            return None
        return AcmeError(f"{netloc}: no whole answer within {ACME_TIMEOUT_S:.0f} s")

    def directory(self) -> dict:
        if self._directory is None:
            status, _, data = self.send(self.directory_url)
            if status != 200:
                raise AcmeError(f"{self.directory_url} answered {status}")
            self._directory = acme_json(data)
        return self._directory

    def post(self, url: str, payload: dict | None) -> tuple[Any, bytes]:
        """A JWS-signed POST (RFC 8555 §6.2); payload None is a POST-as-GET. A nonce the server
        calls stale is replaced and the request sent again (§6.5)."""
        for _ in range(3):
            if self._nonce is None:
                self.send(self.directory()["newNonce"], method="HEAD")
            protected = {"alg": "RS256", "nonce": self._nonce, "url": url}
            protected |= {"kid": self._kid} if self._kid else {"jwk": self.jwk}
            self._nonce = None
            status, headers, data = self.send(url, self.signed(protected, payload))
            if 200 <= status < 300:
                return headers, data
            if status < 400:  # RFC 8555 §6: the CA answers a POST itself; no redirect is followed
                raise AcmeError(f"{url} answered {status} to a POST")
            problem = acme_json(data)
            if problem.get("type") != ACME_BAD_NONCE:
                raise AcmeError(
                    f"{url} answered {status}: {problem.get('detail', problem)}",
                    retry_after_s(headers.get("Retry-After"), 0.0),
                )
        raise AcmeError("the ACME server refused three fresh nonces")

    def signed(self, protected: dict, payload: dict | None) -> bytes:
        protected64 = b64url(json.dumps(protected).encode())
        payload64 = "" if payload is None else b64url(json.dumps(payload).encode())
        signing_input = f"{protected64}.{payload64}".encode()
        signature = openssl("dgst", "-sha256", "-sign", str(self.account_key), data=signing_input)
        body = {"protected": protected64, "payload": payload64, "signature": b64url(signature)}
        return json.dumps(body).encode()

    def sign_in(self) -> None:
        """Make the account key once (RSA 2048, as acme-tiny), then find or make the account:
        the same key always finds the same account (RFC 8555 §7.3.1)."""
        if self._kid:
            return
        if not self.account_key.exists():
            openssl(
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                str(self.account_key),
            )
            keep_private(self.account_key)
        text = openssl("rsa", "-in", str(self.account_key), "-noout", "-text").decode()
        found = re.search(r"modulus:\s+?00:([a-f0-9:\s]+?)\npublicExponent: (\d+)", text)
        if not found:
            raise OSError(f"{self.account_key} is not an RSA key")
        modulus = bytes.fromhex(re.sub(r"[:\s]", "", found[1]))
        exponent = int(found[2]).to_bytes((int(found[2]).bit_length() + 7) // 8, "big")
        self.jwk = {"e": b64url(exponent), "kty": "RSA", "n": b64url(modulus)}
        canonical = json.dumps(self.jwk, sort_keys=True, separators=(",", ":")).encode()
        self.thumbprint = b64url(hashlib.sha256(canonical).digest())  # RFC 7638
        account = {"termsOfServiceAgreed": True}
        if self.email:
            account["contact"] = [f"mailto:{self.email}"]
        headers, _ = self.post(self.directory()["newAccount"], account)
        self._kid = headers["Location"]

    def issue(self, domain: str, csr_der: bytes, replaces: str = "") -> str:
        """The certificate chain (PEM) for domain and the key behind csr_der."""
        self._directory = None  # read anew each time: a retry must not reuse a broken one
        try:
            self.sign_in()
            order = {"identifiers": [{"type": "dns", "value": domain}]}
            if replaces and "renewalInfo" in self.directory():
                order["replaces"] = replaces  # RFC 9773 §5: this order renews that certificate
            headers, data = self.post(self.directory()["newOrder"], order)
            order_url, state = headers["Location"], acme_json(data)
            for authorization_url in state["authorizations"]:
                self.authorize(authorization_url, domain)
            self.post(state["finalize"], {"csr": b64url(csr_der)})
            state = self.wait_valid(order_url, "order")
            return self.post(state["certificate"], None)[1].decode()
        except (KeyError, TypeError, IndexError, AttributeError, UnicodeDecodeError) as err:
            raise AcmeError(f"the ACME server answered something unexpected ({err!r})") from err

    def authorize(self, url: str, domain: str) -> None:
        """Prove control of domain by the configured challenge (RFC 8555 §7.5.1)."""
        authorization = acme_json(self.post(url, None)[1])
        if authorization["status"] == "valid":  # proven recently; the CA may reuse it
            return
        offered = [c for c in authorization["challenges"] if c["type"] == self.kind]
        if not offered:
            raise AcmeError(f"the ACME server offers no {self.kind} challenge for {domain}")
        token = offered[0]["token"]
        with self.challenges.answering(self.kind, domain, token, f"{token}.{self.thumbprint}"):
            self.post(offered[0]["url"], {})
            self.wait_valid(url, "authorization")

    def wait_valid(self, url: str, what: str) -> dict:
        """Poll an authorization or order until it is valid (RFC 8555 §7.5.1, §7.4): after
        0.25 s, then twice as long each time, or as long as the CA asks (Retry-After), held
        to ACME_POLL_MAX_WAIT_S; ACME_POLL_LIMIT_S in all."""
        delay_s, deadline = 0.25, time.monotonic() + ACME_POLL_LIMIT_S
        while True:
            headers, data = self.post(url, None)
            state = acme_json(data)
            if state["status"] == "valid":
                return state
            if state["status"] not in ("pending", "processing", "ready"):
                raise AcmeError(f"{what} is {state['status']}: {acme_problem(state)}")
            if time.monotonic() > deadline:
                raise AcmeError(f"{what} still {state['status']} after {ACME_POLL_LIMIT_S:.0f} s")
            asked_s = retry_after_s(headers.get("Retry-After"), 0.0)
            if self.stopping.wait(clamp_wait_s(asked_s, delay_s, ACME_POLL_MAX_WAIT_S)):
                raise AcmeError("stopping")
            delay_s = min(delay_s * 2, ACME_POLL_MAX_WAIT_S)

    def renewal_window(self, ari_id: str) -> tuple[float, float, float] | None:
        """RFC 9773 §4.2: the window the CA suggests for renewing, and when to ask again; None
        when it offers none or cannot be asked (the lifetime rule applies then)."""
        try:
            base = self.directory().get("renewalInfo") if ari_id else None
            if not isinstance(base, str):
                return None
            status, headers, data = self.send(f"{base.rstrip('/')}/{ari_id}")
            window = acme_json(data)["suggestedWindow"]
            start, end = (
                datetime.fromisoformat(window[edge]).timestamp() for edge in ("start", "end")
            )
            ask_again_s = clamp_wait_s(retry_after_s(headers.get("Retry-After"), ARI_RECHECK_S))
        except (AcmeError, KeyError, TypeError, ValueError, OverflowError) as err:
            log.debug("no renewal window from the ACME server: %s", err)
            return None
        return (start, end, ask_again_s) if status == 200 and start <= end else None


ACME_FAILURES_ALERTED = 3  # API.md: the third failed renewal in a row is an alert


CERTIFICATE_WARN_S = 14 * 86400  # API.md: fewer days left than this is an alert


def notice_certificate_end(app: App) -> None:
    """Alert the owner (once a day) when the served certificate has under 14 days left:
    phones stop trusting it when it ends."""
    if app.certificates is None:
        return
    info = app.certificates.info
    left_s = info.not_after - time.time()
    if left_s >= CERTIFICATE_WARN_S:
        return
    name = info.names[0] if info.names else "this server"
    fix = {
        "acme": "its renewal keeps failing: see GET /api/v1/health and the log",
        "file": "put a renewed certificate in cert_file (it is reloaded by itself)",
    }.get(info.source, "remove cert.pem and key.pem from the data directory and restart")
    app.alerts.raise_(
        "certificate_expiring",
        name,
        f"The certificate for {name} ends soon",
        f"The certificate for {name} ends in {plural(max(0, int(left_s // 86400)), 'day')}"
        f" ({time.strftime('%Y-%m-%d', time.gmtime(info.not_after))}): {fix}.",
    )


class CertificateRenewer:
    """The `acme` thread: gets a certificate for acme_domain, hands it to Certificates, and
    renews it in time. A failure, of any kind, is logged and tried again after 2 s, then
    twice as long each time, at most an hour apart (or as long as the CA asks, held to a
    minute..a day), while the current certificate keeps serving; the thread never ends
    but by stop(). It sleeps a day at most, whatever the CA's renewal window says."""

    def __init__(
        self,
        config: Config,
        certificates: Certificates,
        challenges: Challenges,
        alerts: Alerts | None = None,  # None: no one to tell (a renewer tried on its own)
    ):
        self.stopping = threading.Event()
        self.alerts = alerts
        self._thread = threading.Thread(target=self.run, name="acme", daemon=True)
        self.domain = config.acme_domain.lower()
        self.directory = config.data_path / "acme"
        self.cert_file, self.key_file = self.directory / "cert.pem", self.directory / "key.pem"
        self.certificates = certificates
        self.client = AcmeClient(config, self.directory / "account.key", challenges, self.stopping)

    def start(self) -> None:
        make_private_dir(self.directory)
        self.reuse_saved()
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=1.0)  # a request to a slow CA may still run; it is a daemon
        self.client.close()

    def reuse_saved(self) -> None:
        """API.md: a restart serves the saved certificate at once while it is still valid."""
        if not self.cert_file.exists():
            return
        try:
            info = CertificateInfo.read(self.cert_file, "acme")
            if self.domain in info.names and info.not_after > time.time():
                self.certificates.install(self.cert_file, self.key_file, "acme")
                log.info(
                    "serving the saved certificate for %s, valid until %s",
                    self.domain,
                    info.expires,
                )
        except OSError as err:
            log.warning("the saved certificate in %s does not load: %s", self.directory, err)

    def run(self) -> None:
        failures, retry_s = 0, 0.0
        while not self.stopping.is_set():
            try:
                if failures:
                    due_s = wait_s = retry_s
                else:
                    due_s, wait_s = self.schedule()
                if self.stopping.wait(wait_s):
                    return
                if due_s > wait_s:
                    continue  # woke only to ask the CA for its renewal window again
                self.renew(first_try=not failures)
                failures = 0
            except Exception as err:  # anything at all: the current certificate keeps serving
                if self.stopping.is_set():
                    return
                failures += 1
                retry_s = min(ACME_FIRST_RETRY_S * 2 ** min(failures - 1, 12), ACME_MAX_BACKOFF_S)
                if asked_s := getattr(err, "retry_after_s", 0.0):  # a rate limit
                    retry_s = max(retry_s, clamp_wait_s(asked_s))
                message = f"could not get a certificate for {self.domain}: {err}"
                self.certificates.failed(message)
                log.warning("%s; trying again in %.0f s", message, retry_s)
                if self.alerts and failures >= ACME_FAILURES_ALERTED:
                    self.alerts.raise_(
                        "certificate_expiring",
                        self.domain,
                        f"The certificate for {self.domain} cannot be renewed",
                        f"Renewing the certificate for {self.domain} failed {failures} times"
                        f" ({in_words(str(err), 120)}); it is retried, but check that port 80"
                        " reaches this server and the name points at it.",
                    )
                log.debug("the failure in full", exc_info=True)

    def schedule(self) -> tuple[float, float]:
        """Seconds until renewal is due, and until this thread should wake (a day at most):
        the CA's window (RFC 9773) when it offers one, asked again as it says; else when a
        third of the certificate's life is left."""
        info = self.certificates.info
        if info.source != "acme":
            return 0.0, 0.0
        if window := self.client.renewal_window(info.ari_id):
            start, end, ask_again_s = window
            due_s = start + secrets.randbelow(int(end - start) + 1) - time.time()
            wake_s = min(due_s, ask_again_s)
        else:
            due_s = info.not_after - (info.not_after - info.not_before) / 3 - time.time()
            wake_s = min(due_s, ACME_MAX_WAIT_S)
        return max(due_s, 0.0), max(wake_s, 0.0)

    def renew(self, first_try: bool) -> None:
        """A new key, a certificate for it, served at once, then saved (mode 0600). Only a
        first try says which certificate it replaces (RFC 9773 §5): should the CA refuse
        that (already replaced), the retries still get a certificate."""
        previous = self.certificates.info
        replaces = previous.ari_id if previous.source == "acme" and first_try else ""
        started = time.monotonic()
        with tempfile.TemporaryDirectory(dir=self.directory) as scratch:
            key, cert = Path(scratch) / "key.pem", Path(scratch) / "cert.pem"
            openssl(
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                str(key),
            )
            csr = openssl(
                "req",
                "-new",
                "-key",
                str(key),
                "-subj",
                f"/CN={self.domain}",
                "-addext",
                f"subjectAltName=DNS:{self.domain}",
                "-outform",
                "DER",
            )
            cert.write_text(self.client.issue(self.domain, csr, replaces))
            keep_private(key, cert)
            info = self.certificates.install(cert, key, "acme")
            os.replace(key, self.key_file)
            os.replace(cert, self.cert_file)
        log.info(
            "certificate for %s %s by the ACME server in %.1f s, valid until %s",
            self.domain,
            "renewed" if replaces or previous.source == "acme" else "issued",
            time.monotonic() - started,
            info.expires,
        )


# ---- 17. Health and metrics ------------------------------------------------------------------
# What the server tells of itself: health, /metrics, and the OpenAPI document assembled from
# every route declared above.


SCHEMAS |= {
    "Health": {
        "type": "object",
        "required": ["status", "timestamp", "version", "database"],
        "properties": {
            "status": {"enum": ["healthy", "unhealthy"]},
            "reason": nullable("string", description="why it is unhealthy; null when healthy"),
            "timestamp": {"type": "string", "format": "date-time"},
            "version": {"type": "string"},
            "database": {"type": "object"},
            "queue": {"type": "object"},
            "yt_dlp_version": nullable("string"),
            "yt_dlp": {
                "type": "object",
                "properties": {
                    "version": nullable("string"),
                    "channel": {"type": "string"},
                    "last_result": nullable("string"),
                },
            },
            "impersonation": {
                "type": "boolean",
                "description": "whether yt-dlp can present itself as a browser (curl_cffi)",
            },
            "disk_free_bytes": {"type": "integer"},
            "follows": {
                "type": "object",
                "properties": {
                    "active": {"type": "integer", "minimum": 0},
                    "failing": {"type": "integer", "minimum": 0},
                },
            },
            "certificate": nullable(
                "object",
                required=["source", "names", "not_after", "days_left", "error"],
                properties={
                    "source": {"enum": ["acme", "self-signed", "file"]},
                    "names": {"type": "array", "items": {"type": "string"}},
                    "not_after": {"type": "string", "format": "date-time"},
                    "days_left": {"type": "integer"},
                    "error": nullable("string"),
                    "expires_soon": {"type": "boolean", "description": "fewer than 14 days"},
                    "missing_names": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "what the self-signed one lacks: an address the"
                        " machine got since it started; a restart makes a new one",
                    },
                },
            ),
        },
    },
}


def notice_stopped_components(app: App) -> None:
    """Alert the owner of a worker, the egress proxy or the follows thread that stopped
    (health says unhealthy too): downloads or checks would wait forever."""
    if app.queue.stopping.is_set():
        return
    stopped = [thread.name for thread in app.workers if not thread.is_alive()]
    stopped += [] if app.egress.alive() else ["egress proxy"]
    stopped += [] if app.follow_checker.alive() else [FOLLOWS_THREAD]
    for name in stopped:
        app.alerts.raise_(
            "component_failed",
            name,
            f"vidserve's {name} stopped",
            f"vidserve's {name} thread stopped: downloads or follow checks wait until vidserve is"
            " restarted (sudo systemctl restart vidserve). Its log says why (journalctl -u"
            " vidserve).",
        )


@route(
    "GET",
    "/metrics",
    OWNER_ONLY,
    summary="Prometheus metrics",
    replies={"200": {"description": "Prometheus text format", "content": {"text/plain": {}}}},
)
def get_metrics(app: App, request: Request) -> Reply:
    """GET /metrics: Prometheus text format, version 0.0.4."""
    counts = app.jobs.counts()
    stored_bytes, stored_files = app.library.files.storage_totals()
    requests, download_bytes = app.metrics.snapshot()
    series = [
        (
            "downloads",
            "gauge",
            "Downloads in the database by status.",
            [(f'status="{status}"', count) for status, count in counts.items()],
        ),
        (
            "user_downloads",
            "gauge",
            "Downloads in the database by user (owner or a person) and status.",
            [
                (f'user="{user}",status="{status}"', count)
                for (user, status), count in sorted(app.jobs.counts_by_user().items())
            ],
        ),
        ("queue_depth", "gauge", "Downloads waiting for a worker.", [("", counts["pending"])]),
        ("workers", "gauge", "Worker threads.", [("", app.config.workers)]),
        ("workers_busy", "gauge", "Workers running a download now.", [("", len(app.running))]),
        (
            "requests_total",
            "counter",
            "HTTP requests by route, method and status.",
            [
                (f'route="{route}",method="{method}",status="{status}"', count)
                for (route, method, status), count in sorted(requests.items())
            ],
        ),
        (
            "download_bytes_total",
            "counter",
            "Bytes of files downloaded since start.",
            [("", download_bytes)],
        ),
        ("stored_bytes", "gauge", "Bytes of finished files on disk.", [("", stored_bytes)]),
        ("stored_files", "gauge", "Finished files on disk.", [("", stored_files)]),
        (
            "disk_free_bytes",
            "gauge",
            "Free space where files land.",
            [("", app.library.free_bytes())],
        ),
    ]
    series += [
        (
            "yt_dlp_info",
            "gauge",
            "The yt-dlp in use: its version, channel and where it was loaded from.",
            [
                (
                    (
                        f'version="{app.ytdlp_version}",channel="{app.config.ytdlp_channel}",'
                        f'location="{app.ytdlp.location}"'
                    ),
                    1,
                )
            ],
        ),
        (
            "yt_dlp_checks_total",
            "counter",
            "Checks for a newer yt-dlp since start, by result.",
            [(f'result="{result}"', count) for result, count in sorted(app.ytdlp.results.items())],
        ),
    ]
    if app.certificates:
        expiry = int(app.certificates.info.not_after)
        series.append(
            (
                "certificate_expiry_timestamp_seconds",
                "gauge",
                "When the served certificate expires, in Unix seconds.",
                [("", expiry)],
            )
        )
    lines = []
    for name, kind, help_text, samples in series:
        lines += [f"# HELP vidserve_{name} {help_text}", f"# TYPE vidserve_{name} {kind}"]
        lines += [
            f"vidserve_{name}{{{labels}}} {value}" if labels else f"vidserve_{name} {value}"
            for labels, value in samples
        ]
    body = ("\n".join(lines) + "\n").encode()
    return Reply(body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


@route(
    "GET",
    "/api/v1/health",
    PUBLIC,
    summary="Health; no token needed",
    replies={
        **json_reply("Healthy", "Health"),
        **json_reply(
            "Unhealthy, saying why in reason: the database is not usable, yt-dlp is not"
            " installed, or a worker or the egress proxy has stopped",
            "Health",
            "503",
        ),
    },
)
def health(app: App, request: Request) -> Reply:
    """GET /api/v1/health: no token; 503, saying why in `reason`, when the database cannot
    be read, yt-dlp is not installed (every download would fail), or a worker or the egress
    proxy has died."""
    try:
        counts = app.jobs.counts()
    except sqlite3.Error as err:
        log.error("health check: database unusable: %s", err)
        body = {
            "status": "unhealthy",
            "timestamp": utc_now(),
            "version": __version__,
            "database": {"connected": False, "total_downloads": None},
            "reason": f"the database cannot be read: {err}",
        }
        return Reply(body, 503)
    working = work_alive(app) or app.queue.stopping.is_set()
    if not working:
        notice_stopped_components(app)
    version = running_ytdlp_version()
    reason = None
    if version is None:
        reason = f"yt-dlp is not installed: {YTDLP_INSTALL}"
    elif not working:
        reason = "a worker or the egress proxy has stopped; restart vidserve"
    age_days = ytdlp_age_days()
    certificate = app.certificates.to_api() if app.certificates else None
    if certificate:
        certificate["missing_names"] = missing_names(app.config, certificate)
    body = {
        "status": "unhealthy" if reason else "healthy",
        "reason": reason,
        "timestamp": utc_now(),
        "version": __version__,
        "database": {"connected": True, "total_downloads": sum(counts.values())},
        "queue": {"pending": counts["pending"], "downloading": counts["downloading"]},
        "yt_dlp_version": version,
        "yt_dlp_age_days": age_days,
        "yt_dlp_outdated": (age_days or 0) > YTDLP_STALE_DAYS,
        "yt_dlp": app.ytdlp.health(),
        "ffmpeg": ffmpeg_available(),
        "impersonation": can_impersonate(app),
        "disk_free_bytes": app.library.free_bytes(),
        "certificate": certificate,
        "follows": app.follows.counts(),
    }
    if reason:
        log.error("health check: %s", reason)
    return Reply(body, 503 if reason else 200)


def openapi_document(policy: UrlPolicy) -> dict:
    """OpenAPI 3.1 for API.md, with this server's own URL rules in the url field's pattern."""
    submission = json.loads(json.dumps(SCHEMAS["Submission"]))
    submission["properties"]["url"] |= {"minLength": 1, "pattern": policy.url_pattern()}
    form = json.loads(json.dumps(submission))
    for flag in ("force", "audio_only"):
        form["properties"][flag] = {"enum": list(FORM_BOOLEANS)}
    following = json.loads(json.dumps(SCHEMAS["Following"]))
    following["properties"]["url"] |= account_url_schema(policy)
    paths: dict[str, dict] = {}
    for declared in ROUTES:
        paths.setdefault(declared.pattern, {})[declared.method.lower()] = declared.operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "vidserve",
            "version": __version__,
            "description": "Share a link, get the video. The contract is API.md.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS
            | {"Submission": submission, "SubmissionForm": form, "Following": following},
        },
        "paths": paths,
    }


@route(
    "GET",
    "/api/v1/openapi.json",
    READ,
    summary="This document",
    replies={"200": {"description": "OpenAPI 3.1", "content": json_content({"type": "object"})}},
)
def get_openapi(app: App, request: Request) -> Reply:
    """GET /api/v1/openapi.json."""
    return Reply(openapi_document(app.policy))


# ---- 18. The page ----------------------------------------------------------------------------
# GET /, /share, the manifest, the icon and /cert: what a phone's browser opens.
#
# GET / is one self-contained page: no CDN, no build step. Its script talks to the same API
# with the token from localStorage, and follows /events through fetch() so that the token
# travels in a header, never in a URL.


PAGE_STYLE = """
:root { --bg: #fff; --fg: #1b1b1f; --muted: #5f5f6b; --card: #f2f2f5; --line: #8e8e99;
        --accent: #0b5cad; --on-accent: #fff; --bad: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111114; --fg: #ececf1; --muted: #a5a5b0; --card: #1d1d23; --line: #5a5a66;
          --accent: #7cbcff; --on-accent: #0b1320; --bad: #ff8a80; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; background: var(--bg);
       color: var(--fg); font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.35rem; margin: .25rem 0 1rem; }
form { display: flex; gap: .5rem; flex-wrap: wrap; margin: 0 0 .75rem; }
label.field { flex: 1 1 15rem; display: flex; flex-direction: column; gap: .2rem;
              font-size: .85rem; color: var(--muted); }
input { padding: .65rem; font: inherit; color: var(--fg); background: var(--bg);
        border: 1px solid var(--line); border-radius: .5rem; min-width: 0; }
button { padding: .55rem .9rem; font: inherit; border-radius: .5rem; cursor: pointer;
         min-height: 2.75rem; border: 1px solid var(--accent); background: var(--accent);
         color: var(--on-accent); }
button.quiet { background: transparent; color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
form button { align-self: flex-end; }
label.switch { align-self: flex-end; display: flex; gap: .35rem; align-items: center;
               min-height: 2.75rem; }
#notice, #count { min-height: 1.5rem; color: var(--muted); margin: 0 0 .5rem; }
#notice:empty { min-height: 0; margin: 0; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; flex-wrap: wrap; gap: .75rem; padding: .75rem; margin: 0 0 .5rem;
     background: var(--card); border-radius: .75rem; }
li > img { width: 4.5rem; height: 4.5rem; object-fit: cover; border-radius: .5rem; flex: none; }
.item { flex: 1 1 12rem; min-width: 0; }
.title { font-weight: 600; overflow-wrap: anywhere; margin: 0; font-size: 1rem; }
.meta { color: var(--muted); font-size: .85rem; overflow-wrap: anywhere; }
.url { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
       overflow: hidden; }
.error { color: var(--bad); font-size: .9rem; }
.error::before { content: "⚠ "; }
progress { width: 100%; height: .6rem; accent-color: var(--accent); }
.actions { display: flex; gap: .4rem; flex-wrap: wrap; margin-top: .4rem; }
.player { flex: 1 1 100%; }
.player video, .player img, .player audio { display: block; width: 100%; max-height: 70vh;
                                            object-fit: contain; border-radius: .5rem;
                                            background: #000; }
.player audio { background: transparent; }
#more { display: block; margin: .5rem auto 0; }
#follows-section { margin: 0 0 .75rem; }
summary { cursor: pointer; color: var(--accent); min-height: 2.75rem; padding: .6rem 0; }
footer { margin-top: 1.5rem; font-size: .85rem; color: var(--muted); }
@media (min-width: 60rem) {
  body { max-width: 60rem; padding: 1.5rem 2rem; }
  li > img { width: 7rem; height: 7rem; }
  .player video, .player img { max-height: 60vh; }
}
"""


PAGE_SCRIPT = """
"use strict";
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
let token = localStorage.getItem("vidserve-token") || "";
let search = "";        // the words in the search box, as last submitted
let oldest = null;      // the last download listed: "load more" asks for those before it
const thumbnails = new Map();  // download id -> blob: URL of its saved thumbnail
const players = new Map();     // download id -> the open player, kept across re-renders

function say(text) { $("notice").textContent = text; }

function showForms() {
  $("token-form").hidden = Boolean(token);
  for (const id of ["submit-form", "search-form", "forget", "follows-section", "settings"]) {
    $(id).hidden = !token;
  }
}

async function call(method, path, body) {
  const headers = { "Authorization": "Bearer " + token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api/v1" + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) {
    token = ""; localStorage.removeItem("vidserve-token"); showForms();
    throw new Error("the token was not accepted; enter it again");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
  return { data, response };
}

async function api(method, path, body) { return (await call(method, path, body)).data; }

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, name, action, quiet) {
  const node = element("button", quiet ? "quiet" : "", label);
  node.type = "button";
  node.setAttribute("aria-label", label + ": " + name);
  node.addEventListener("click", () => action().catch((error) => say(error.message)));
  return node;
}

function size(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let unit = 0;
  while (bytes >= 1024 && unit < units.length - 1) { bytes /= 1024; unit += 1; }
  return (unit && bytes < 10 ? bytes.toFixed(1) : Math.round(bytes)) + " " + units[unit];
}

function ago(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  if (seconds < 60) return "just now";
  const steps = [[3600, 60, "min"], [86400, 3600, "h"], [86400 * 30, 86400, "days"]];
  for (const [below, per, unit] of steps) {
    if (seconds < below) {
      const count = Math.floor(seconds / per);
      return count + " " + (unit === "days" && count === 1 ? "day" : unit) + " ago";
    }
  }
  return new Date(iso).toLocaleDateString();
}

function when(iso) {
  const node = element("time", "", ago(iso));
  node.dateTime = iso;
  node.title = new Date(iso).toLocaleString();
  return node;
}

function describe(job) {
  const progress = job.progress || {};
  if (job.status === "downloading") {
    const parts = [progress.percent == null ? "downloading" : progress.percent + "%"];
    if (progress.total_bytes) parts.push("of " + size(progress.total_bytes));
    if (progress.speed_bps) parts.push(size(progress.speed_bps) + "/s");
    if (progress.items_total > 1) parts.push("item " + (progress.items_done + 1) + " of "
                                             + progress.items_total);
    return parts.join(" · ");
  }
  if (job.status === "completed") {
    return job.file_removed ? "completed · file deleted"
      : "completed · 100% · " + size(job.files.reduce((n, f) => n + f.file_size, 0));
  }
  if (!job.retry_count) return job.status;  // the tries as the error message counts them
  const tries = job.retry_count + 1;
  return job.status + (job.status === "failed" ? " · tried " + tries + " times" : " · try " + tries);
}

async function save(file) {
  say("Fetching " + file.filename + "…");
  const response = await fetch(file.file_url, {
    headers: { "Authorization": "Bearer " + token } });
  if (!response.ok) throw new Error("could not fetch the file (HTTP " + response.status + ")");
  const blob = await response.blob();
  const link = element("a");
  link.href = URL.createObjectURL(blob);
  link.download = file.filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  say("Saved " + file.filename);
  return blob.size;
}

async function showThumbnail(job, image) {
  // An <img> cannot send the token, so the picture comes through fetch() as a blob: URL.
  if (!thumbnails.has(job.download_id)) {
    const response = await fetch(job.thumbnail, {
      headers: { "Authorization": "Bearer " + token } });
    if (!response.ok) return;
    thumbnails.set(job.download_id, URL.createObjectURL(await response.blob()));
  }
  image.src = thumbnails.get(job.download_id);
}

async function play(job, file, name) {
  // A <video> cannot send the token either: it plays a signed link, which seeks by ranges.
  const open = players.get(job.download_id);
  if (open && open.dataset.index === String(file.index)) {
    players.delete(job.download_id);
    open.remove();
    return;
  }
  const { url } = await api("POST", "/files/" + job.download_id + "/link",
                            { index: file.index, expires_in_s: 6 * 3600 });
  const kind = { image: "img", audio: "audio" }[file.kind] || "video";
  const media = element(kind);
  media.src = url;
  if (kind === "img") {
    media.alt = name;
  } else {
    media.controls = true;
    media.preload = "metadata";
    media.playsInline = true;
    media.setAttribute("aria-label", name);
  }
  const player = element("div", "player");
  player.dataset.index = file.index;
  player.append(media);
  players.set(job.download_id, player);
  render(job);
  media.focus();
}

function render(job, place) {
  let row = $("job-" + job.download_id);
  if (!row) {
    if (!place) return;  // not on the page (another search, or older than the list)
    row = element("li");
    row.id = "job-" + job.download_id;
    place === "end" ? $("list").append(row) : $("list").prepend(row);
  }
  const name = job.title || job.url;
  const parts = [];
  if (job.thumbnail) {
    const image = element("img");
    image.alt = "";
    image.width = image.height = 72;
    showThumbnail(job, image).catch(() => image.remove());
    parts.push(image);
  }
  const item = element("div", "item");
  const meta = element("div", "meta");
  if (job.user && job.user !== "owner") meta.append(job.user + " · ");
  if (job.uploader) meta.append(job.uploader + " · ");
  meta.append(when(job.submitted_at));
  const link = element("div", "meta url", job.url);
  link.title = job.url;
  item.append(element("h2", "title", (job.audio_only ? "♪ " : "") + name), meta);
  if (job.title) item.append(link);  // untitled, the heading is the link already
  const bar = element("progress");
  bar.max = 100;
  bar.value = job.status === "completed" ? 100 : (job.progress && job.progress.percent) || 0;
  bar.setAttribute("aria-label", "progress of " + name);
  const status = element("div", "meta status", describe(job));
  status.dataset.status = job.status;
  item.append(bar, status);
  if (job.error_message && job.status !== "completed") {
    item.append(element("div", "error", job.error_message));
  }
  const actions = element("div", "actions");
  const several = (job.files || []).length > 1;
  for (const file of job.files || []) {
    const number = several ? " " + (file.index + 1) : "";
    const kind = file.kind || "video";  // a photo post is images and a sound, not a video
    const toggle = button((kind === "image" ? "Show" : "Play") + number, file.filename,
                          () => play(job, file, name));
    const open = players.get(job.download_id);
    toggle.setAttribute("aria-expanded", String(Boolean(open)
                                                && open.dataset.index === String(file.index)));
    actions.append(toggle);
    actions.append(button("Save " + kind + number, file.filename, () => save(file), true));
  }
  if (job.status === "pending" || job.status === "downloading") {
    actions.append(button("Cancel", name, async () =>
      render(await api("DELETE", "/download/" + job.download_id)), true));
  }
  if (job.status === "failed" || job.status === "cancelled") {
    actions.append(button("Retry", name, async () =>
      render(await api("POST", "/download/" + job.download_id + "/retry")), true));
  }
  if (job.status === "completed" && !job.file_removed) {
    actions.append(button("Delete", name, async () => {
      players.delete(job.download_id);
      render(await api("DELETE", "/download/" + job.download_id));
    }, true));
  }
  item.append(actions);
  parts.push(item);
  if (players.has(job.download_id) && job.files.length) parts.push(players.get(job.download_id));
  row.replaceChildren(...parts);
}

async function loadHistory(more) {
  const query = new URLSearchParams({ limit: PAGE_SIZE });
  if (search) query.set("q", search);
  if (more && oldest) query.set("before", oldest);
  const { data: jobs, response } = await call("GET", "/history?" + query);
  if (!more) $("list").replaceChildren();
  for (const job of jobs) render(job, "end");
  if (jobs.length) oldest = jobs[jobs.length - 1].download_id;
  const total = Number(response.headers.get("X-Total-Count"));
  const shown = $("list").children.length;
  $("more").hidden = shown >= total;
  $("count").textContent = (search ? total + " found for “" + search + "”"
    : total + (total === 1 ? " download" : " downloads")) + (shown < total ? " · showing " + shown : "");
}

async function follow() {
  while (token) {
    try {
      const response = await fetch("/api/v1/events", {
        headers: { "Authorization": "Bearer " + token } });
      if (!response.ok) throw new Error("events: HTTP " + response.status);
      await loadHistory(false);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\\n\\n")) >= 0) {
          const data = buffer.slice(0, end).split("\\n")
            .filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("");
          buffer = buffer.slice(end + 2);
          if (data) render(JSON.parse(data), search ? null : "start");
        }
      }
    } catch (error) {
      say("Reconnecting… (" + error.message + ")");
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

function renderFollow(item) {
  // A followed account: whose, when last checked, its error in words; pause, check, remove.
  const name = "@" + item.account;
  const row = element("li");
  const body = element("div", "item");
  body.append(element("h3", "title", name + (item.paused ? " (paused)" : "")));
  const meta = element("div", "meta");
  if (item.user !== "owner") meta.append(item.user + " · ");
  meta.append(item.site + " · every " + item.every_h + " h · ");
  if (item.last_checked_at) meta.append("checked ", when(item.last_checked_at));
  else meta.append("not checked yet");
  meta.append(" · " + item.downloads_queued + " queued");
  body.append(meta);
  if (item.last_error_message) body.append(element("div", "error", item.last_error_message));
  const path = "/follows/" + item.follow_id;
  const actions = element("div", "actions");
  actions.append(button(item.paused ? "Resume" : "Pause", name, async () => {
    await api("PATCH", path, { paused: !item.paused });
    await loadFollows();
  }, true));
  if (!item.paused) {
    actions.append(button("Check now", name, async () => {
      await api("POST", path + "/check");
      say("Checking " + name + "; new posts appear in the list below.");
    }, true));
  }
  actions.append(button("Remove", name, async () => {
    await api("DELETE", path);
    await loadFollows();
  }, true));
  body.append(actions);
  row.append(body);
  return row;
}

async function loadFollows() {
  $("follows").replaceChildren(...(await api("GET", "/follows")).map(renderFollow));
}

async function loadSettings() {
  // Where this token's own notifications go; for the owner, the alerts too (a person: 403).
  const target = await api("GET", "/me/notify");
  $("notify-url").value = target.url || "";
  $("notify-format").value = target.format || "ntfy";
  $("notify-now").textContent = target.url
    ? "Your notifications go to " + target.url + (target.configured ? " (notify_url)." : ".")
    : "Your notifications go nowhere yet.";
  const alerts = await call("GET", "/alerts").then((r) => r.data).catch(() => null);
  $("alerts-section").hidden = alerts === null;
  $("alerts").replaceChildren(...(alerts || []).map((alert) => {
    const row = element("li", "", "");
    row.append(element("strong", "", alert.title), element("div", "", alert.message),
               element("div", "quiet", alert.at + (alert.delivered ? "" : " (not delivered)")));
    return row;
  }));
}

$("notify-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api("PUT", "/me/notify", { url: $("notify-url").value.trim(),
                                    format: $("notify-format").value });
    say("Saved: your notifications go there now.");
    await loadSettings();
  } catch (error) {
    say(error.message);
  }
});

$("notify-off").addEventListener("click", async () => {
  try {
    await api("DELETE", "/me/notify");
    say("Your notifications are off.");
    await loadSettings();
  } catch (error) {
    say(error.message);
  }
});

$("follow-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const { response } = await call("POST", "/follows", { url: $("follow-url").value.trim() });
    say(response.status === 201 ? "Following: its newest posts are on their way."
                                : "You follow this account already.");
    $("follow-url").value = "";
    await loadFollows();
  } catch (error) {
    say(error.message);
  }
});

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  localStorage.setItem("vidserve-token", token);
  $("token").value = "";
  showForms();
  say("");
  follow();
  loadFollows().catch((error) => say(error.message));
  loadSettings().catch((error) => say(error.message));
});

$("submit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const answer = await api("POST", "/download", { url: $("url").value.trim(),
                                                   audio_only: $("audio-only").checked,
                                                   client_id: "web" });
    say(answer.duplicate ? "Already there: showing the earlier download." : "Queued.");
    $("url").value = "";
    render(await api("GET", "/status/" + answer.download_id), "start");
  } catch (error) {
    say(error.message);
  }
});

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  search = $("search").value.trim();
  oldest = null;
  loadHistory(false).catch((error) => say(error.message));
});

$("search").addEventListener("search", () => $("search-form").requestSubmit());  // the ✕

$("more").addEventListener("click", () => {
  const before = $("list").children.length;
  loadHistory(true).then(() => {
    const next = $("list").children[before];  // keyboard users go on where the new ones start
    const target = next && next.querySelector("button");
    if (target) target.focus();
  }).catch((error) => say(error.message));
});

$("forget").addEventListener("click", () => {
  token = "";
  localStorage.removeItem("vidserve-token");
  $("list").replaceChildren();
  $("count").textContent = "";
  $("more").hidden = true;
  showForms();
});

function sharedLink() {
  // Android's share sheet and the bookmarklet open /share?url=... (apps often put the link
  // in text, after a caption).
  if (location.pathname !== "/share") return "";
  const query = new URLSearchParams(location.search);
  const found = ["url", "text", "title"].map((key) => query.get(key) || "")
    .join(" ").match(/https?:\\/\\/\\S+/);
  history.replaceState(null, "", "/");
  return found ? found[0] : "";
}

function ytdlpInWords(state) {
  // The owner's sentence: "yt-dlp 2026.12.01, nightly; tried yesterday on 5 of your links:
  // switched, 3 failed downloads saved".
  let words = "yt-dlp " + state.version + ", " + state.channel;
  const last = state.last_check;
  if (state.checking) return words + "; checking for a newer one now";
  if (!last) return words + "; not checked for a newer one yet";
  const days = Math.floor((Date.now() - Date.parse(last.at)) / 86400000);
  const when = days <= 0 ? "today" : days === 1 ? "yesterday" : days + " days ago";
  const tried = last.tried && last.tried.length;
  words += "; " + (tried ? "tried " + when + " on " + tried + " of your links: "
    : "checked " + when + ": ");
  words += (last.result || "").replace("_", " ");
  if (last.requeued) words += ", " + last.requeued + " failed downloads saved";
  return words + (last.result === "switched" || !last.reason ? "" : " (" + last.reason + ")");
}

async function showYtdlp() {
  if (!token) return;
  const state = await call("GET", "/ytdlp").then((r) => r.data).catch(() => null);
  $("ytdlp-state").textContent = state ? ytdlpInWords(state) : "";
  $("ytdlp-state").hidden = !state;  // the owner's token only: a person's is 403
}

async function warnFromHealth() {
  const health = await fetch("/api/v1/health").then((r) => r.json()).catch(() => ({}));
  const warnings = [];
  if (health.reason) warnings.push("The server is not healthy: " + health.reason);
  if (health.yt_dlp_outdated) {
    warnings.push("yt-dlp " + health.yt_dlp_version + " is " + health.yt_dlp_age_days
      + " days old; sites change often. Check for a newer one: vidserve.py update-ytdlp --check");
  }
  if (health.impersonation === false) {
    warnings.push("yt-dlp cannot present itself as a browser here, so TikTok and Instagram"
      + " may refuse downloads. On the server: pip install 'yt-dlp[default,curl-cffi]'");
  }
  $("ytdlp-warning").textContent = warnings.join(" ");
  $("ytdlp-warning").hidden = !warnings.length;
  const certificate = health.certificate;
  if (certificate && certificate.expires_soon) {
    $("cert-warning").textContent = "The certificate for " + certificate.names.join(", ")
      + " expires in " + certificate.days_left + " days"
      + (certificate.error ? ": " + certificate.error : "; check the server's log.");
    $("cert-warning").hidden = false;
  }
}

setInterval(() => {  // "3 min ago" stays true while the page is open
  for (const node of document.querySelectorAll("time")) node.textContent = ago(node.dateTime);
}, 30000);
$("bookmarklet").href = "javascript:location.href=" + JSON.stringify(location.origin
  + "/share?url=") + "+encodeURIComponent(location.href)";
if (location.hash.startsWith("#token=")) {  // the one-tap login link start-up prints
  token = decodeURIComponent(location.hash.slice(7));
  localStorage.setItem("vidserve-token", token);
  history.replaceState(null, "", location.pathname + location.search);  // not kept in history
}
showForms();
warnFromHealth();
showYtdlp();
const shared = sharedLink();
if (shared) $("url").value = shared;
if (token) {
  follow();
  loadFollows().catch((error) => say(error.message));
  loadSettings().catch((error) => say(error.message));
  // API.md "Hardening": opened from another site, the link waits for a tap.
  if (shared && document.body.dataset.from === "cross-site") say("Tap Download to fetch it.");
  else if (shared) $("submit-form").requestSubmit();
} else {
  say("Enter the API token: python3 vidserve.py token prints it.");
}
"""


PAGE_HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#0b5cad">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<title>vidserve</title>
<style>{PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>vidserve</h1>
<form id="token-form" hidden>
  <label class="field">API token
    <input id="token" type="password" autocomplete="current-password" required>
  </label>
  <button>Save token</button>
</form>
<form id="submit-form" hidden>
  <label class="field">Video link
    <input id="url" type="url" inputmode="url" placeholder="https://www.tiktok.com/…" required>
  </label>
  <label class="switch"><input id="audio-only" type="checkbox"> Sound only</label>
  <button id="submit">Download</button>
</form>
<form id="search-form" role="search" hidden>
  <label class="field">Search downloads
    <input id="search" type="search" placeholder="words of the title, account or link"
           maxlength="200" autocomplete="off">
  </label>
  <button>Search</button>
</form>
<details id="follows-section" hidden>
  <summary>Followed accounts: every new post saved by itself</summary>
  <form id="follow-form">
    <label class="field">Account link
      <input id="follow-url" type="url" inputmode="url" placeholder="https://www.tiktok.com/@name"
             required>
    </label>
    <button>Follow</button>
  </form>
  <ul id="follows" aria-label="Followed accounts"></ul>
</details>
<details id="settings" hidden>
  <summary>Settings: your notifications, and alerts</summary>
  <p id="notify-now"></p>
  <form id="notify-form">
    <label class="field">Send my notifications to (an ntfy topic's link)
      <input id="notify-url" type="url" inputmode="url" placeholder="https://ntfy.sh/a-secret-topic"
             required>
    </label>
    <label class="field">As
      <select id="notify-format">
        <option value="ntfy">ntfy</option><option value="json">JSON</option>
        <option value="text">one line of text</option>
      </select>
    </label>
    <button>Save</button>
    <button id="notify-off" class="quiet" type="button">Turn off</button>
  </form>
  <section id="alerts-section" hidden>
    <h2>Alerts</h2>
    <ul id="alerts" aria-label="Alerts"></ul>
  </section>
</details>
<p id="notice" role="status" aria-live="polite"></p>
<p id="count" aria-live="polite"></p>
<ul id="list" aria-label="Downloads"></ul>
<button id="more" class="quiet" type="button" hidden>Load older downloads</button>
<footer>
  <p id="ytdlp-warning" class="error" role="alert" hidden></p>
  <p id="ytdlp-state" hidden></p>
  <p id="cert-warning" class="error" role="alert" hidden></p>
  <p>On a computer, drag this link to the bookmarks bar, then click it on any video page:
     <a id="bookmarklet" href="#">Send to vidserve</a></p>
  <button id="forget" class="quiet" type="button" hidden>Forget token</button>
</footer>
</main>
<script>{PAGE_SCRIPT}</script>
</body>
</html>
""".encode()


# The page as another site's link opens it (Sec-Fetch-Site: cross-site, or no Fetch Metadata
# at all): it waits for a tap.
CROSS_SITE_PAGE_HTML = PAGE_HTML.replace(b"<body>", b'<body data-from="cross-site">', 1)


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# Only this page's own script and style run: an injected <script> would not. Pictures and
# media come from this server alone (API.md: the page never loads an image from another site).
PAGE_POLICY = (
    f"default-src 'none'; script-src {csp_hash(PAGE_SCRIPT)}; style-src {csp_hash(PAGE_STYLE)};"
    " img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; form-action 'self';"
    " manifest-src 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)


ICON_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
<rect width="512" height="512" rx="112" fill="#0b5cad"/>
<path d="M196 132v168l136-84z" fill="#fff"/>
<path d="M256 330v62m-52-30l52 52 52-52" stroke="#fff" stroke-width="34" fill="none"
 stroke-linecap="round" stroke-linejoin="round"/>
</svg>"""


# An installable app with a Web Share Target: Android's share sheet then offers vidserve,
# and sharing opens /share?url=... (or text=...), which the page submits.
MANIFEST = {
    "name": "vidserve",
    "short_name": "vidserve",
    "description": "Share a link, get the video",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#111114",
    "theme_color": "#0b5cad",
    "icons": [
        {"src": "/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any maskable"}
    ],
    "share_target": {
        "action": "/share",
        "method": "GET",
        "enctype": "application/x-www-form-urlencoded",
        "params": {"title": "title", "text": "text", "url": "url"},
    },
}


@route(
    "GET",
    "/manifest.webmanifest",
    PUBLIC,
    summary="Web app manifest with a share target",
    replies={"200": {"description": "The manifest", "content": {"application/manifest+json": {}}}},
)
def get_manifest(app: App, request: Request) -> Reply:
    """GET /manifest.webmanifest: makes the page an installable app and a share target."""
    return Reply(
        json.dumps(MANIFEST).encode(), headers={"Content-Type": "application/manifest+json"}
    )


@route(
    "GET",
    "/icon.svg",
    PUBLIC,
    summary="The app icon",
    replies={"200": {"description": "SVG", "content": {"image/svg+xml": {}}}},
)
def get_icon(app: App, request: Request) -> Reply:
    """GET /icon.svg: the app's icon, drawn inline."""
    return Reply(
        ICON_SVG,
        headers={"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400"},
    )


@route(
    "GET",
    "/",
    PUBLIC,
    summary="The web page",
    replies={"200": {"description": "HTML", "content": {"text/html": {}}}},
)
@route(
    "GET",
    "/share",
    PUBLIC,
    summary="Share target: the page, which submits the shared link",
    parameters=[
        parameter(name, "query", {"type": "string"}, f"Shared {name}")
        for name in ("url", "text", "title")
    ],
    replies={"200": {"description": "HTML", "content": {"text/html": {}}}},
)
def index_page(app: App, request: Request) -> Reply:
    """GET / (and /share, the share target): the page. No token: the page asks for it and
    keeps it in localStorage. A shared link is submitted at once only when the share sheet
    or the page itself opened /share; another site's link, or a browser that does not say
    (no Sec-Fetch-Site), only fills the form."""
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-cache",
        "Content-Security-Policy": PAGE_POLICY,
        "Referrer-Policy": "no-referrer",
        "Vary": "Sec-Fetch-Site",
    }
    # The share sheet and a typed address send "none", the page itself "same-origin"; a
    # browser that sends no Fetch Metadata cannot tell another site's link: it waits too.
    opened_by = request.headers.get("Sec-Fetch-Site")
    own = opened_by in ("none", "same-origin")
    return Reply(PAGE_HTML if own else CROSS_SITE_PAGE_HTML, headers=headers)


@route(
    "GET",
    "/cert",
    PUBLIC,
    summary="The server's certificate, for a phone to install",
    replies={
        "200": {
            "description": "DER certificate",
            "content": {"application/x-x509-ca-cert": {}},
        }
    },
    errors=(404,),
)
def get_certificate(app: App, request: Request) -> Reply:
    """GET /cert: the server's certificate, DER, for a phone to install and trust."""
    if app.cert_file is None:
        raise ApiError(404, "not_found", "this server has no certificate of its own")
    der = ssl.PEM_cert_to_DER_cert(app.cert_file.read_text())
    headers = {
        "Content-Type": "application/x-x509-ca-cert",
        "Content-Disposition": 'attachment; filename="vidserve.cer"',
    }
    return Reply(der, headers=headers)


# ---- 19. Serving -----------------------------------------------------------------------------
# The bounded listener, TLS, the handler that turns bytes into Requests and Replies into
# bytes, and the plain-HTTP port.


LINGER_S = 1.0  # how long a closing connection drains the client's unread input


REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


HTTP_SERVER_ERRORS = {  # the errors http.server itself finds, as error codes
    400: "bad_request",
    414: "uri_too_long",
    431: "headers_too_large",
    501: "not_implemented",
    505: "http_version_not_supported",
}


class Handler(BaseHTTPRequestHandler):
    """Turns HTTP/1.1 requests into Request objects and Replies into bytes on the wire."""

    protocol_version = "HTTP/1.1"  # keep-alive; http.server's default 1.0 closes every time
    server_version = f"vidserve/{__version__}"
    sys_version = ""
    server: Server
    command: str | None = None  # until a request line is read (send_error may come first)

    def setup(self) -> None:
        super().setup()
        self.budget = HeaderBudget(self.rfile.detach())
        self.rfile = io.BufferedReader(self.budget)

    def handle_one_request(self) -> None:
        """Read and answer one request; the connection counts as waiting until it is read."""
        connection = self.server.current_connection()
        connection.waiting_since = time.monotonic()
        self.budget.remaining = MAX_HEADER_BYTES
        try:
            super().handle_one_request()
        except http.client.LineTooLong:  # the request line itself blew the header budget
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)

    def parse_request(self) -> bool:
        """http.server's parser, minus HTTP/0.9 (it would wait for headers that never come).
        http.server answers a method that has no do_ method here 501; vidserve answers it
        as every other, from the route table (405 with Allow on a known path)."""
        if len(self.raw_requestline.split()) == 2:
            self.command = None
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 is not supported")
            return False
        if not super().parse_request():
            return False
        if not hasattr(self, f"do_{self.command}"):  # QUERY, BREW: answered now
            self.do_route()
            return False  # http.server then looks for no method
        return True

    def do_route(self) -> None:
        """Every request: the route table finds its handler (404, or 405 with Allow)."""
        self.server.current_connection().waiting_since = None  # read: busy until answered
        self.budget.remaining = None
        self.handle_api_request()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_route

    def handle_api_request(self) -> None:
        app = self.server.app
        started = time.perf_counter()
        self.client_ip = forwarded_client(
            self.client_address[0],
            self.headers.get_all("X-Forwarded-For") or [],
            proxy_networks(app.config.trusted_proxies),
        )
        sent = self.headers.get("X-Request-ID", "")
        request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        path = self.path.split("?", 1)[0]
        self.body_unread = bool(
            self.headers.get("Content-Length", "0").strip("0 ")
            or self.headers.get("Transfer-Encoding")
        )
        self.server.in_flight.enter()
        try:
            with app.foreground.working():
                route_name, reply = self.answer(path, request_id)
                try:
                    self.send_reply(reply, request_id)
                finally:
                    if isinstance(reply.body, Stream):
                        reply.body.end()
        finally:
            self.server.in_flight.leave()
        app.metrics.count_request(self.command, route_name, reply.status)
        log.info(
            "id=%s ip=%s method=%s path=%r status=%d ms=%.1f",
            request_id,
            self.client_ip,
            self.command,
            path,
            reply.status,
            (time.perf_counter() - started) * 1000,
        )

    def answer(self, path: str, request_id: str) -> tuple[str, Reply]:
        """(the route's pattern, for metrics; the route's Reply, or the error's)."""
        app = self.server.app
        route_name = "unmatched"
        try:
            route, params = find_route(self.command, path)
            route_name = route.pattern
            if app.queue.stopping.is_set():
                raise ApiError(
                    503,
                    "shutting_down",
                    "vidserve is stopping; retry in a minute",
                    {"Retry-After": "30"},
                )
            query = self.read_query()
            caller, body = Caller(""), b""
            if route.access == Access.LINK and "sig" in query:  # a signed link: no token
                caller = app.links.check(params, query)
            elif route.access != Access.PUBLIC:  # before the body: strangers cannot make us read it
                caller = authorize(app, self.headers, self.client_ip, route.access)
                self.server.current_connection().trusted = True
                body = self.read_body(route.body_limit)
            # Without a token no body is ever waited for (API.md "Strangers hold nothing"):
            # one announced is ignored, and body_unread closes the connection after the reply.
            request = Request(
                self.command,
                path,
                query,
                self.headers,
                body,
                self.client_ip,
                request_id,
                caller,
            )
            return route_name, route.handler(app, request, **params)
        except ApiError as error:
            body = error_body(error.code, error.message, request_id)
            return route_name, Reply(body, error.status, error.headers)
        except Exception:
            log.exception("request %s %r failed", self.command, path)
            body = error_body("internal_error", "unexpected server error", request_id)
            return route_name, Reply(body, 500)

    def read_query(self) -> dict[str, str]:
        query = self.path.partition("?")[2]
        try:
            return dict(
                urllib.parse.parse_qsl(
                    query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS
                )
            )
        except ValueError:
            raise ApiError(400, "invalid_parameter", "too many query parameters") from None

    def read_body(self, limit: int) -> bytes:
        """The whole body within `limit` bytes and the request timeout, or ApiError."""
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True  # RFC 9112 §6.1: no guessing where the body ends
            raise ApiError(400, "unsupported_transfer_encoding", "send a Content-Length body")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        if len(lengths) > 1 or not re.fullmatch(r"\d{1,12}", lengths[0].strip()):
            self.close_connection = True
            raise ApiError(400, "invalid_content_length", "one decimal Content-Length, please")
        length = int(lengths[0])
        self.body_unread = False  # from here on it is read, or the connection closes
        if length > limit:
            self.close_connection = True  # the unread rest must not be parsed as a request
            if length <= DRAIN_BODY_BYTES:  # read it, so the client sees the 413, not a reset
                self.read_exactly(length, keep=False)
            raise ApiError(413, "body_too_large", f"the body limit is {limit} bytes")
        return self.read_exactly(length)

    def read_exactly(self, length: int, keep: bool = True) -> bytes:
        """Read `length` body bytes within the request timeout: a trickle cannot hold a thread."""
        deadline = time.monotonic() + self.server.app.config.request_timeout_s
        chunks, remaining = [], length
        while remaining:
            if time.monotonic() > deadline:
                self.close_connection = True
                raise ApiError(400, "body_timeout", "the body arrived too slowly")
            try:
                chunk = self.rfile.read1(min(remaining, 65536))
            except TimeoutError:
                chunk = None
            if chunk is None:
                self.close_connection = True
                raise ApiError(400, "body_timeout", "the body arrived too slowly")
            if not chunk:
                self.close_connection = True
                raise ApiError(400, "incomplete_body", "the body ended early")
            if keep:
                chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def send_reply(self, reply: Reply, request_id: str) -> None:
        body = reply.body
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode() + b"\n"
            headers["Content-Type"] = "application/json; charset=utf-8"
        headers |= reply.headers | {"X-Request-ID": request_id}
        if self.server.certificates and self.server.certificates.info.ca_issued:
            headers["Strict-Transport-Security"] = HSTS  # a CA vouches: browsers may insist
        length = len(body) if isinstance(body, bytes) else body.length
        if reply.status == HTTPStatus.NOT_MODIFIED:
            length = None
        elif length is None:  # a stream with no end: the connection's close ends it
            self.close_connection = True
        else:
            headers["Content-Length"] = str(length)
        if getattr(self, "body_unread", False):  # refused before reading it: it must not
            self.close_connection = True  # be parsed as the next request (RFC 9112 §9.3)
        if self.close_connection or self.server.app.queue.stopping.is_set():
            headers["Connection"] = "close"
            self.close_connection = True
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        no_body = self.command == "HEAD" or reply.status == HTTPStatus.NOT_MODIFIED
        if isinstance(body, bytes) and not no_body:
            Borrowed.send_with_headers(self, body)
            return
        self.end_headers()
        if no_body:
            return
        try:
            with self.server.app.foreground.waiting():  # a file or events: mostly waiting
                body.send(self.wfile, self.connection)
        except OSError as err:  # the client went away mid-stream: normal for video
            self.close_connection = True
            log.debug("stream to %s ended: %s", self.client_address[0], err)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """http.server's own errors (bad request line, huge headers) as JSON, not HTML."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # a reply with a status line, even to HTTP/0.9 junk
        request_id = uuid.uuid4().hex
        code_word = HTTP_SERVER_ERRORS.get(code, "bad_request")
        body = error_body(code_word, message or HTTPStatus(code).phrase, request_id)
        self.send_reply(Reply(body, code), request_id)
        log.info("id=%s ip=%s status=%d %r", request_id, self.client_address[0], code, message)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: %s %s", self.client_address[0], format % args)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """The access line is written by handle_api_request, which knows the request id."""


class HeaderBudget(io.RawIOBase):
    """A connection's reader that refuses more than MAX_HEADER_BYTES between requests.

    http.server would accept 100 header lines of 64 KiB each; this keeps a request line and
    its headers to MAX_HEADER_BYTES (431), so 64 connections cannot hold 400 MB of headers.
    """

    def __init__(self, raw: io.RawIOBase):
        self.raw = raw
        self.remaining: int | None = MAX_HEADER_BYTES  # None: the body, no header budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining is not None and self.remaining <= 0:
            raise http.client.LineTooLong(f"request headers over {MAX_HEADER_BYTES} bytes")
        count = self.raw.readinto(buffer)
        if self.remaining is not None and count:
            self.remaining -= count
        return count

    def close(self) -> None:
        self.raw.close()
        super().close()


class InFlight:
    """How many requests are being answered now, so a stop can let them finish."""

    def __init__(self):
        self._idle = threading.Condition()  # guards count
        self.count = 0

    def enter(self) -> None:
        with self._idle:
            self.count += 1

    def leave(self) -> None:
        with self._idle:
            self.count -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout_s: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self.count == 0, timeout_s)


class BoundedServer(ThreadingHTTPServer):
    """A listener whose connections Connections keeps in bounds (evicting the longest
    waiting at the cap, closing any waiting past request_timeout_s in total), each served
    by serve_connection in a thread of its own; a thread that cannot start costs that one
    connection, never the accept loop. The API's Server and http_port's PlainHttpServer.

    Its accept loop sleeps until a client connects: socketserver's serve_forever wakes every
    poll_interval (0.5 s) to look for a shutdown, two wake-ups a second all day on a Pi
    nobody uses (issue 25). Here the loop waits on the listening socket and on a socketpair
    that shutdown() writes to, and on nothing else.
    """

    daemon_threads = True
    allow_reuse_address = True
    connections: Connections

    def __init__(self, *args: Any, **kwargs: Any):
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()  # shutdown() before serve_forever() has nothing to wait for
        super().__init__(*args, **kwargs)

    def serve_forever(self, poll_interval: float | None = None) -> None:
        self._stopped.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                selector.register(self._wake_reader, selectors.EVENT_READ)
                while not self._stopping.is_set():
                    if any(key.fileobj is self.socket for key, _ in selector.select()):
                        self.accept_one()
        finally:
            self._stopped.set()

    def accept_one(self) -> None:
        """socketserver's own step, through its public hooks: get, process, or drop."""
        try:
            request, client_address = self.get_request()
        except OSError:  # the client gave up before accept, or the socket was closed
            return
        try:
            self.process_request(request, client_address)
        except Exception:  # noqa: BLE001 (as socketserver does: that connection only)
            self.handle_error(request, client_address)
            self.shutdown_request(request)

    def shutdown(self) -> None:
        """Stop the accept loop and wait for it, as socketserver's shutdown does."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")
        self._stopped.wait()

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        """In the accept loop: admit the connection and hand it to a thread of its own."""
        connection = self.connections.admit(request)
        if connection is None:
            log.warning(
                "%d connections are all busy; closing a new one from %s",
                self.connections.limit,
                client_address[0],
            )
        elif start_thread(
            self.serve_connection, (connection, client_address), f"client-{client_address[0]}"
        ):
            return
        else:
            self.connections.leave(connection)
        self.shutdown_request(request)

    def serve_connection(self, connection: Connection, client_address: Any) -> None:
        raise NotImplementedError

    def server_close(self) -> None:
        super().server_close()
        self.connections.close()
        self._wake_reader.close()
        self._wake_writer.close()


class Server(BoundedServer):
    """The API's listener: TLS per connection, in the connection's own thread."""

    request_queue_size = 128

    def __init__(self, app: App, certificates: Certificates | None, challenges: Challenges):
        self.app, self.certificates, self.challenges = app, certificates, challenges
        self.connections = Connections(app.config.max_connections, app.config.request_timeout_s)
        self.in_flight = InFlight()
        self._current = threading.local()  # the Connection a handler thread serves
        self.address_family = socket.AF_INET6 if ":" in app.config.host else socket.AF_INET
        super().__init__((app.config.host, app.config.port), Handler)

    def server_bind(self) -> None:
        """Bind, or take the listening socket the server before a switch of yt-dlp passed on
        (INHERITED_LISTENER): connections made meanwhile wait in its backlog, none refused."""
        inherited = os.environ.pop(INHERITED_LISTENER, "")
        if not inherited.isdigit():
            return super().server_bind()
        self.socket.close()
        self.socket = socket.socket(fileno=int(inherited))
        self.socket.set_inheritable(False)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = self.server_address[0], self.server_address[1]
        return None

    def serve_connection(self, connection: Connection, client_address: Any) -> None:
        """Runs in the connection's own thread, so a slow handshake stalls only itself."""
        sock = connection.sock
        sock.settimeout(self.app.config.request_timeout_s)
        # Replies are written whole; Nagle's algorithm would only hold back their last segment
        # until the client's delayed ACK, adding ~40 ms to every keep-alive request.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if self.certificates is not None:
                if sock.recv(1, socket.MSG_PEEK) != TLS_HANDSHAKE_RECORD:
                    answer_plain_http(sock)
                    return
                if challenge := self.challenges.tls_answer(sock):
                    sock = connection.sock = challenge.wrap_socket(sock, server_side=True)
                    return  # RFC 8737 §3: the handshake is the whole validation
                sock = connection.sock = self.certificates.wrap(sock)
            self._current.connection = connection
            Handler(sock, client_address, self)
        except (ssl.SSLError, OSError) as err:  # scanners, plain HTTP, untrusting phones
            log.debug("connection from %s ended: %s", client_address[0], err)
        finally:
            self.connections.leave(connection)  # before close: the fd must not be reused
            linger_and_close(sock)

    def current_connection(self) -> Connection:
        return self._current.connection

    def handle_error(self, request: Any, client_address: Any) -> None:
        """socketserver prints tracebacks to stderr; a dropped client is not worth one."""
        log.debug("error on a connection from %s: %s", client_address[0], sys.exc_info()[1])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        scheme = "https" if self.certificates else "http"
        return f"{scheme}://{'[' + host + ']' if ':' in host else host}:{port}"


def linger_and_close(sock: socket.socket) -> None:
    """Close without resetting the last reply: stop writing, drain what the client still
    sends (bounded), then close. A close with unread input sends RST, and the client may
    lose our error reply (RFC 9112 §9.6)."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_WR)
        deadline, drained = time.monotonic() + LINGER_S, 0  # a trickle ends at the deadline too
        while drained < MAX_HEADER_BYTES * 2 and (left_s := deadline - time.monotonic()) > 0:
            sock.settimeout(left_s)
            if not (chunk := sock.recv(16384)):
                break
            drained += len(chunk)
    with contextlib.suppress(OSError):
        sock.close()


PLAIN_HTTP_BODY = json.dumps(
    error_body("https_required", "this server speaks HTTPS: use https://", "-")
).encode()


def answer_plain_http(sock: socket.socket) -> None:
    """Someone typed http:// for an https:// server: say so in plain HTTP, then close."""
    with contextlib.suppress(OSError):
        sock.recv(MAX_HEADER_BYTES)  # consume the request, or closing would reset the reply
        sock.sendall(
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n%s"
            % (len(PLAIN_HTTP_BODY), PLAIN_HTTP_BODY)
        )
        sock.shutdown(socket.SHUT_WR)


class PlainHttpHandler(BaseHTTPRequestHandler):
    """http_port: answers http-01 validations (RFC 8555 §8.3) and sends every other request
    to HTTPS with 308, which keeps the method and the body."""

    protocol_version = "HTTP/1.1"
    server_version = f"vidserve/{__version__}"
    sys_version = ""
    timeout = 10.0  # seconds for the request line and headers; nothing here is slow
    server: PlainHttpServer

    def do_GET(self) -> None:
        token = (
            self.path.removeprefix(ACME_HTTP_PATH) if self.path.startswith(ACME_HTTP_PATH) else ""
        )
        if token and (answer := self.server.challenges.http_answer(token)):
            self.answer(200, answer.encode(), {"Content-Type": "application/octet-stream"})
            return
        location = self.server.https_url(self.headers.get("Host", ""), self.path)
        self.answer(308, b"", {"Location": location})

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def answer(self, status: int, body: bytes, headers: dict) -> None:
        self.close_connection = True  # the body of a redirected POST is never read
        self.send_response(status)
        for name, value in (headers | {"Content-Length": str(len(body))}).items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request http.server cannot parse: the status alone, no HTML page."""
        self.request_version = "HTTP/1.1"  # a status line, even to HTTP/0.9 junk
        self.answer(code, b"", {})

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http_port: %s %s", self.address_string(), format % args)


class PlainHttpServer(BoundedServer):
    """The plain-HTTP listener on http_port, in its own `http-plain` thread: open to the
    internet when http-01 is used, so bounded like the API's (API.md "Hardening")."""

    def __init__(self, config: Config, challenges: Challenges, https_port: int):
        self.challenges, self.https_port = challenges, https_port
        # One request per connection: it waits from accept to close, and is reaped after
        # request_timeout_s however slowly it trickles.
        self.connections = Connections(config.max_connections, config.request_timeout_s)
        self.public_url = config.public_url.rstrip("/")
        self.fallback_host = config.acme_domain or "localhost"
        self.address_family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        super().__init__((config.host, config.http_port), PlainHttpHandler)
        self.thread = threading.Thread(target=self.serve_forever, name="http-plain", daemon=True)

    def serve_connection(self, connection: Connection, client_address: Any) -> None:
        try:
            self.finish_request(connection.sock, client_address)
        except Exception:  # noqa: BLE001 (socketserver's own handling: one debug line)
            self.handle_error(connection.sock, client_address)
        finally:
            self.connections.leave(connection)  # before close: the fd must not be reused
            self.shutdown_request(connection.sock)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("http_port: error from %s: %s", client_address[0], sys.exc_info()[1])

    def https_url(self, host_header: str, path: str) -> str:
        """Where a plain request goes: public_url when set, else the same host on our port."""
        path = path if path.startswith("/") else "/"
        if self.public_url:
            return self.public_url + path
        try:
            host = urllib.parse.urlsplit(f"//{host_header}").hostname or ""
        except ValueError:  # "[" without "]"
            host = ""
        if not re.fullmatch(r"[A-Za-z0-9.:-]{1,253}", host):
            host = self.fallback_host
        host = f"[{host}]" if ":" in host else host
        port = "" if self.https_port == 443 else f":{self.https_port}"
        return f"https://{host}{port}{path}"


# ---- 20. Selftest and bench ------------------------------------------------------------------
# Loopback media and the measurements of --selftest and --bench.


class LoopbackMedia:
    """A tiny HTTP server on 127.0.0.1 that plays a video site, for --selftest and --bench.

    GET /<name>-<size>.mp4 answers <size> bytes of a repeating pattern as video/mp4, so a
    100 MB "video" costs no memory; GET /hang-... answers nothing until release_hanging();
    `first_request` records when each path was first asked.
    """

    PATTERN = bytes(range(256)) * 256

    def __init__(self):
        media = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                media.first_request.setdefault(self.path, time.perf_counter())
                if self.path.startswith("/hang-"):
                    media.released.wait(120)
                match = re.fullmatch(r"/[\w-]+-(\d+)\.mp4", self.path)
                if not match:
                    self.send_error(404)
                    return
                size = int(match[1])
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                with contextlib.suppress(OSError):
                    for start in range(0, size, len(media.PATTERN)):
                        self.wfile.write(media.PATTERN[: min(len(media.PATTERN), size - start)])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.first_request: dict[str, float] = {}
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a cancelled download
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="media", daemon=True).start()

    @classmethod
    def content(cls, size: int) -> bytes:
        return (cls.PATTERN * (size // len(cls.PATTERN) + 1))[:size]

    def release_hanging(self) -> None:
        self.released.set()

    def close(self) -> None:
        self.release_hanging()
        self.server.shutdown()
        self.server.server_close()


class Client:
    """A small HTTPS client for --selftest and --bench: one keep-alive connection."""

    def __init__(self, base_url: str, token: str, cafile: Path | None):
        parts = urllib.parse.urlsplit(base_url)
        if cafile:
            context = ssl.create_default_context(cafile=str(cafile))
            self.connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=60, context=context
            )
        else:
            self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        with own_connections():  # to this server, on whatever port it listens
            self.connection.connect()  # with TCP_NODELAY, as curl and browsers connect
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """(status, headers, body bytes)."""
        headers = self.headers | (headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        reply = self.connection.getresponse()
        return reply.status, reply.headers, reply.read()

    def json(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        status, _, data = self.call(method, path, body)
        return status, json.loads(data)

    def close(self) -> None:
        self.connection.close()


def loopback_config(directory: str, **settings: Any) -> Config:
    """A server for measuring and checking: loopback only, its own directory, any port."""
    defaults = {
        "host": "127.0.0.1",
        "port": 0,
        "data_dir": directory,
        "min_free_bytes": 0,
        "allowed_domains": ("127.0.0.1",),
        "allow_private_addresses": True,
        "log_level": "warning",
    }
    return Config(**(defaults | settings))


def selftest() -> int:
    """`--selftest`: the whole path on this machine, no internet: exit 0 when all is well."""
    started = time.perf_counter()
    results: list[tuple[str, str]] = []

    def check(passed: bool, text: str, level: str = "fail") -> bool:
        results.append(("ok" if passed else level, text))
        print(f"  {'ok' if passed else level:5} {text}", flush=True)
        return passed

    print(f"vidserve {__version__} selftest (loopback only)")
    version = ytdlp_version()
    check(version is not None, f"yt-dlp {version or 'is missing: pip install yt-dlp'}")
    has_ffmpeg = ffmpeg_available()
    check(
        has_ffmpeg,
        "ffmpeg "
        + (
            "found"
            if has_ffmpeg
            else "not found: merging formats and audio only need it (sudo apt install ffmpeg)"
        ),
        level="warn",
    )
    targets = impersonation_targets()
    check(
        bool(targets),
        f"browser impersonation: yt-dlp presents itself as {targets[0]}"
        if targets
        else "browser impersonation not available: TikTok and Instagram may refuse downloads"
        " (pip install 'yt-dlp[default,curl-cffi]')",
        level="warn",
    )
    media = LoopbackMedia()
    size = 3 * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="vidserve-selftest-") as directory:
        service = None
        try:
            service = Service(loopback_config(directory, workers=1)).start()
            check(
                True,
                f"server with TLS on {service.server.url} (certificate SHA-256"
                f" {fingerprint(service.cert_file)[:23]}...)",
            )
            client = Client(service.server.url, service.token, service.cert_file)
            status, health_body = client.json("GET", "/api/v1/health")
            check(
                status == 200 and health_body["database"]["connected"], "health: database connected"
            )
            status, created = client.json(
                "POST", "/api/v1/download", {"url": f"{media.url}/selftest-{size}.mp4"}
            )
            check(status == 201, f"download submitted with the token ({status})")
            download_id = created.get("download_id", "")
            status, job = client.json("GET", f"/api/v1/status/{download_id}?wait=30")
            check(
                job.get("status") == "completed",
                f"yt-dlp downloaded it: {job.get('status')} {job.get('error_message') or ''}",
            )
            status, _, body = client.call("GET", f"/api/v1/files/{download_id}")
            check(
                status == 200 and body == LoopbackMedia.content(size),
                f"file served back over TLS, {human_bytes(len(body))}, bytes match",
            )
            status, _, body = client.call(
                "GET", f"/api/v1/files/{download_id}", headers={"Range": "bytes=100-199"}
            )
            check(
                status == 206 and body == LoopbackMedia.content(size)[100:200],
                "byte range answered 206",
            )
            app = service.app
            mode = app.database.read("PRAGMA journal_mode")[0][0]
            stored = app.jobs.get(download_id)
            durable = mode == "wal" and stored is not None and stored.status == Status.COMPLETED
            check(durable, "job stored durably (SQLite WAL)")
            client.close()
        except Exception as err:  # noqa: BLE001 (the report says what broke, not a traceback)
            check(False, f"{type(err).__name__}: {err}")
        finally:
            if service:
                service.stop()
            media.close()
    failed = [text for level, text in results if level == "fail"]
    elapsed = time.perf_counter() - started
    print(
        f"{'FAIL' if failed else 'PASS'}: {len(results) - len(failed)} of {len(results)}"
        f" checks passed in {elapsed:.1f} s"
    )
    return 1 if failed else 0


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_text(samples_s: list[float]) -> str:
    p50, p99 = percentile(samples_s, 0.5) * 1000, percentile(samples_s, 0.99) * 1000
    return f"p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   (n={len(samples_s)})"


class BenchServer:
    """A real `vidserve.py` process for --bench: its own directory, its RSS read from /proc."""

    def __init__(
        self, directory: Path, script: bool = False, cpus: set[int] | None = None, **settings
    ):
        self.script, self.cpus = script, cpus  # README's `python3 vidserve.py`; pinned to cpus
        with socket.socket() as probe:  # the port is needed before start, to time the start
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        directory.mkdir()
        self.directory, self.url = directory, f"https://127.0.0.1:{self.port}"
        settings = {
            "host": "127.0.0.1",
            "port": self.port,
            "data_dir": str(directory / "data"),
            "allowed_domains": ["127.0.0.1"],
            "allow_private_addresses": True,
            "min_free_bytes": 0,
            "auth_failures_allowed": 0,
            "log_level": "warning",
            **settings,
        }
        lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
        (directory / "vidserve.toml").write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen | None = None
        self.started = 0.0  # time.perf_counter() when start() began

    def start(self) -> float:
        """Start the process and wait until it accepts connections; returns how long it took."""
        started = self.started = time.perf_counter()
        program = [__file__] if self.script else ["-m", "vidserve"]  # vidserve.service: -m
        own_cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, self.cpus or own_cpus)  # this thread's; the child inherits it
        try:
            self.process = subprocess.Popen(
                [sys.executable, *program, "--config", str(self.directory / "vidserve.toml")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)},
                cwd=Path(__file__).resolve().parent,  # -m looks in the working directory first
            )
        finally:
            os.sched_setaffinity(0, own_cpus)
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return time.perf_counter() - started
            time.sleep(0.002)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)

    def client(self) -> Client:
        data = self.directory / "data"
        return Client(self.url, (data / "token").read_text().strip(), data / "cert.pem")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024

    def wait_idle(self, quiet_s: float = 0.3, limit_s: float = 30.0) -> None:
        """Wait until the process has used no CPU for quiet_s: its workers have warmed
        yt-dlp up, a finished download's bookkeeping is done; then a figure is steady."""
        stat = Path(f"/proc/{self.process.pid}/stat")
        deadline, last, since = time.monotonic() + limit_s, None, time.monotonic()
        while time.monotonic() < deadline:
            used = sum(map(int, stat.read_text().rsplit(")", 1)[1].split()[11:13]))
            if used != last:
                last, since = used, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
            time.sleep(0.05)


class PeakRss:
    """The highest RSS of the server while the `with` block runs, sampled every 20 ms."""

    def __init__(self, server: BenchServer):
        self.server, self.peak_mb, self._done = server, 0.0, threading.Event()

    def __enter__(self) -> Self:
        def sample() -> None:
            while not self._done.wait(0.02):
                self.peak_mb = max(self.peak_mb, self.server.rss_mb())

        self._thread = threading.Thread(target=sample, name="rss", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def submit(client: Client, url: str) -> tuple[float, str]:
    """(seconds the durable submit took, download id)."""
    started = time.perf_counter()
    status, body = client.json("POST", "/api/v1/download", {"url": url})
    if status not in (200, 201):
        raise RuntimeError(f"submit answered {status}: {body}")
    return time.perf_counter() - started, body["download_id"]


def wait_done(client: Client, download_id: str) -> dict:
    return client.json("GET", f"/api/v1/status/{download_id}?wait=120")[1]


def timed_get(client: Client, path: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        status, _, _ = client.call("GET", path)
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return samples


# A hundred made-up words of five letters for the titles of filled rows.
BENCH_WORDS = [
    start + end
    for start, end in itertools.product(
        ("ka", "lo", "mi", "ru", "te", "zo", "ne", "pa", "vi", "su"),
        ("mba", "rto", "ngo", "lix", "sta", "dru", "pel", "quo", "wen", "zar"),
    )
]


def fill_history(database_path: Path, rows: int) -> list[str]:
    """Add `rows` completed jobs straight into the database, oldest first, titled with two
    of BENCH_WORDS each (for search); returns their ids."""
    words = BENCH_WORDS
    ids = [new_download_id() for _ in range(rows)]
    jobs = (
        {
            "id": download_id,
            "url": f"https://www.tiktok.com/v/{n}",
            "dedupe_key": f"k{n}",
            "client_id": f"client-{n % 7}",
            "title": f"{words[n % 100]} {words[n // 100 % 100]} video {n}",
            "uploader": f"user{n % 1000}",
        }
        for n, download_id in enumerate(ids)
    )
    database = Database(database_path)
    try:
        Jobs(database).insert_completed(jobs)
    finally:
        database.close()
    return ids


def bench_while_downloading(media: LoopbackMedia, root: Path, row: Callable) -> None:
    """Issue 17's figures, as a user starts it (`python3 vidserve.py`): submits of real
    1 KiB videos that the workers download as the submits go on, then the same pinned to
    one CPU; the first share after a start; memory after one download beside a warm yt-dlp
    process alone. Targets beside each: the seed design's figures from issue 17's table."""
    server = BenchServer(root / "first", script=True)
    server.start()  # makes the certificate and the token
    server.stop()
    listening = server.start()
    sent = time.perf_counter()
    client = server.client()  # at once: while yt-dlp is still being imported
    path = "/first-at-start-1000.mp4"
    download_id = submit(client, f"{media.url}{path}")[1]
    answered = time.perf_counter()
    row(
        "start to listening (TCP) / first answer (HTTPS)",
        f"{listening * 1000:6.0f} ms / {(answered - server.started) * 1000:.0f} ms"
        "   (python3 vidserve.py; this first answer is a submit's, which waits for yt-dlp to load)",
    )
    wait_done(client, download_id)
    at_start, waited = media.first_request[path] - answered, answered - sent
    server.wait_idle()
    one_download_mb = server.rss_mb()
    client.close()
    server.stop()
    server.start()
    server.wait_idle()
    row("RSS idle, yt-dlp imported and warmed", f"{server.rss_mb():6.1f} MB")
    client = server.client()
    pickups = []
    for n in range(10):
        path = f"/first-warm-{n}-1000.mp4"
        download_id = submit(client, f"{media.url}{path}")[1]
        answered = time.perf_counter()
        wait_done(client, download_id)
        pickups.append(media.first_request[path] - answered)
    row(
        "first share: 201 to yt-dlp's first request",
        f"{at_start * 1000:6.1f} ms at start   {pickups[0] * 1000:.1f} ms once warm"
        f"   (target <= 100 ms; that share, sent as the port opened, was answered"
        f" {waited * 1000:.0f} ms later)",
    )
    floor_mb = warm_ytdlp_rss_mb(media)
    row(
        "RSS after one download (python3 vidserve.py)",
        f"{one_download_mb:6.1f} MB   warm yt-dlp alone {floor_mb:.1f} MB"
        f"   ratio {one_download_mb / floor_mb:.3f} (target <= 1.05)",
    )
    client.close()
    server.stop()
    for name, cpus in (("", None), (", 1 CPU", {0})):
        server = BenchServer(root / f"busy{len(cpus or ())}", script=True, cpus=cpus)
        server.start()
        client = server.client()
        for n in range(20):  # yt-dlp warm, and every worker busy from the first submit
            submit(client, f"{media.url}/busy-warm-{n}-1000.mp4")
        started = time.perf_counter()
        one = [submit(client, f"{media.url}/busy-one-{n}-1024.mp4")[0] for n in range(300)]
        rate = len(one) / (time.perf_counter() - started)
        row(
            f"submit while downloading, 1 client{name}",
            f"{latency_text(one)}   {rate:4.0f} /s   (target p99 <= 15 ms, >= 221 /s)",
        )
        many, rate = submit_concurrently(server, 16, 40, f"{media.url}/busy-many")
        row(
            f"submit while downloading, 16 clients{name}",
            f"{latency_text(many)}   {rate:4.0f} /s   (target >= 334 /s)",
        )
        total = int(client.call("GET", "/api/v1/history?limit=1")[1]["X-Total-Count"])
        if total != 20 + len(one) + len(many):
            raise RuntimeError(f"{total} jobs stored, {20 + len(one) + len(many)} submitted")
        client.close()
        server.stop()


def submit_concurrently(server: BenchServer, clients: int, each: int, url: str):
    """Submits from `clients` keep-alive connections at once: (latencies, submits per s)."""
    samples: list[float] = []
    lock = threading.Lock()

    def submitter(worker: int) -> None:
        own = server.client()
        mine = [submit(own, f"{url}-{worker}-{n}-1024.mp4")[0] for n in range(each)]
        own.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=submitter, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, len(samples) / (time.perf_counter() - started)


def warm_ytdlp_rss_mb(media: LoopbackMedia) -> float:
    """The RSS of a Python process that imported yt-dlp and downloaded one 1 KiB video
    through one YoutubeDL: the memory floor of any server built on yt-dlp."""
    script = (
        "import re, sys, tempfile, yt_dlp\n"
        "with tempfile.TemporaryDirectory() as home:\n"
        "    options = {'quiet': True, 'noprogress': True, 'paths': {'home': home}}\n"
        "    yt_dlp.YoutubeDL(options).extract_info(sys.argv[1])\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(int(re.search(r'VmRSS:\\s+(\\d+)', status)[1]) / 1024)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script, f"{media.url}/floor-rss-1000.mp4"],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(answer.stdout)


def bench() -> int:
    """`--bench`: the figures of issues 7 and 17 on this machine, loopback only, in about two
    minutes, each beside its floor (a warm yt-dlp alone, the file read back) or target."""
    print(
        f"vidserve {__version__} benchmark: Python {sys.version.split()[0]},"
        f" yt-dlp {ytdlp_version()}, {os.cpu_count()} cores, TLS, loopback only"
    )

    def row(name: str, value: str) -> None:
        print(f"  {name:48} {value}", flush=True)

    with contextlib.suppress(OSError):  # the bytecode the server loads, as install.sh makes it
        import py_compile

        py_compile.compile(__file__, doraise=True)
    media = LoopbackMedia()
    with tempfile.TemporaryDirectory(prefix="vidserve-bench-") as directory:
        root = Path(directory)
        bench_while_downloading(media, root, row)
        bench_downloads_and_serving(media, root, row)
        bench_submits(media, root, row)
        bench_history(media, root, row)
    media.close()
    return 0


def bench_downloads_and_serving(media: LoopbackMedia, root: Path, row: Callable) -> None:
    """Server A: start, idle memory, pickup, 100 MB end to end and through the egress proxy
    beside a warm yt-dlp alone, submits beside two large downloads, file serving."""
    mb = 1024 * 1024
    a = BenchServer(root / "a")
    a.start()  # the first start makes the certificate and the token
    a.stop()
    row("start to listening (python -m vidserve)", f"{a.start() * 1000:6.0f} ms")
    client = a.client()
    ids = [submit(client, f"{media.url}/warm-{n}-1000.mp4")[1] for n in range(10)]
    for download_id in ids:
        wait_done(client, download_id)
    row("status, 10 rows", latency_text(timed_get(client, f"/api/v1/status/{ids[0]}", 200)))
    row("history, 10 rows", latency_text(timed_get(client, "/api/v1/history", 200)))
    pickups = []
    for n in range(30):
        path = f"/pickup-{n}-1000.mp4"
        _, download_id = submit(client, f"{media.url}{path}")
        answered = time.perf_counter()
        wait_done(client, download_id)
        pickups.append(media.first_request[path] - answered)
    row("pickup: 201 sent to yt-dlp's first request", latency_text(pickups))
    a.wait_idle()
    row("RSS idle after downloads", f"{a.rss_mb():6.1f} MB")

    big = 100 * mb
    started = time.perf_counter()
    done = wait_done(client, submit(client, f"{media.url}/e2e-{big}.mp4")[1])
    server_s = time.perf_counter() - started
    if done["status"] != "completed":
        raise RuntimeError(f"the 100 MB download did not complete: {done}")
    floor_s = warm_ytdlp_floor(media, big, root)
    row(
        "100 MB submit to on disk",
        f"{server_s:6.2f} s   warm YoutubeDL alone"
        f" {floor_s:.2f} s   ratio {server_s / (floor_s + percentile(pickups, 0.5)):.2f}",
    )
    egress = EgressProxy(UrlPolicy(("127.0.0.1",), allow_private=True)).start()
    switch_s = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_S)  # as in the server, where the relay's threads take turns
    bare_s = min(warm_ytdlp_floor(media, big, root) for _ in range(3))
    guarded_s = min(warm_ytdlp_floor(media, big, root, egress.url("bench")) for _ in range(3))
    sys.setswitchinterval(switch_s)
    egress.stop()
    row(
        "100 MB through the egress relay (curl_cffi's way)",
        f"{big / mb / guarded_s:6.0f} MB/s   without it {big / mb / bare_s:.0f} MB/s"
        f"   ratio {guarded_s / bare_s:.2f} (best of 3 each; target <= 1.3)",
    )

    two = [submit(client, f"{media.url}/busy-{n}-{400 * mb}.mp4")[1] for n in range(2)]
    busy_samples = []
    with PeakRss(a) as during_downloads:
        while len(busy_samples) < 400 and not all(
            client.json("GET", f"/api/v1/status/{i}")[1]["status"] == "completed" for i in two
        ):
            busy_samples += [
                submit(client, f"{media.url}/none-{time.perf_counter()}.txt")[0] for _ in range(5)
            ]
    row("submit, 1 client, two downloads running", latency_text(busy_samples))
    row("RSS peak during 2 downloads", f"{during_downloads.peak_mb:6.1f} MB")
    for download_id in two:
        wait_done(client, download_id)

    served = wait_done(client, submit(client, f"{media.url}/serve-{200 * mb}.mp4")[1])
    rates = []
    with PeakRss(a) as during_serving:
        for _ in range(3):
            started = time.perf_counter()
            client.connection.request("GET", served["file_url"], headers=client.headers)
            reply = client.connection.getresponse()
            size = 0
            while chunk := reply.read(mb):
                size += len(chunk)
            rates.append(size / mb / (time.perf_counter() - started))
    row(
        "file serving over TLS, 200 MB",
        f"{max(rates):6.0f} MB/s best, {percentile(rates, 0.5):.0f} MB/s median",
    )
    row("RSS peak while serving 200 MB", f"{during_serving.peak_mb:6.1f} MB")
    client.close()
    a.stop()


def bench_submits(media: LoopbackMedia, root: Path, row: Callable) -> None:
    """Server B: submit latency with both workers held on downloads that never start."""
    b = BenchServer(root / "b")
    b.start()
    b.wait_idle()  # every worker has warmed yt-dlp up: measure the steady state
    client = b.client()
    for n in range(2):
        submit(client, f"{media.url}/hang-{n}.mp4")
    one = [submit(client, f"{media.url}/one-{n}-1000.mp4")[0] for n in range(300)]
    row("submit, 1 client, keep-alive, durable", latency_text(one))
    with PeakRss(b) as under_load:
        many, rate = submit_concurrently(b, 16, 80, f"{media.url}/many")
    row("submit, 16 clients", latency_text(many))
    row("submissions per second, 16 clients", f"{rate:6.0f} /s")
    row("RSS peak under 16 clients", f"{under_load.peak_mb:6.1f} MB")
    client.close()
    media.release_hanging()
    b.stop()


def bench_history(media: LoopbackMedia, root: Path, row: Callable) -> None:
    """Server C: status, history and search with a million rows."""
    c = BenchServer(root / "c", workers=1)
    c.start()
    c.stop()
    deep = fill_history(root / "c" / "data" / "vidserve.db", 1_000_000)[1000]
    c.start()
    c.wait_idle()  # as for server B
    client = c.client()
    row("status, 1,000,000 rows", latency_text(timed_get(client, f"/api/v1/status/{deep}", 200)))
    row(
        "history newest page, 1,000,000 rows",
        latency_text(timed_get(client, "/api/v1/history", 100)),
    )
    row(
        "history deep page (before=), 1,000,000 rows",
        latency_text(timed_get(client, f"/api/v1/history?before={deep}", 100)),
    )
    row(
        "history by client_id, 1,000,000 rows",
        latency_text(timed_get(client, "/api/v1/history?client_id=client-3", 100)),
    )
    searches = [  # (what the row says, the query)
        ("history ?q= one word (19,900 matches)", f"q={BENCH_WORDS[3]}"),
        ("history ?q= two words (200 matches)", f"q={BENCH_WORDS[3]}+{BENCH_WORDS[5]}"),
        ("history ?q= one word + status filter", f"q={BENCH_WORDS[3]}&status=completed"),
        ("history ?q= word in every row (1,000,000)", "q=tiktok"),
    ]
    for name, query in searches:
        row(name, latency_text(timed_get(client, f"/api/v1/history?{query}", 50)))
    client.close()
    c.stop()


def warm_ytdlp_floor(media: LoopbackMedia, size: int, root: Path, proxy: str = "") -> float:
    """The same download through one warm YoutubeDL in this process: the floor any server
    built on yt-dlp can reach (through `proxy`, to measure what the egress proxy costs)."""
    directory = root / "floor"
    params = {
        "quiet": True,
        "noprogress": True,
        "paths": {"home": str(directory)},
        "logger": YtdlpLog(),
        "proxy": proxy,
    }
    with import_ytdlp().YoutubeDL(params) as ydl:
        ydl.extract_info(f"{media.url}/floor-warm-1000.mp4")
        started = time.perf_counter()
        ydl.extract_info(f"{media.url}/floor-{size}.mp4")
        elapsed = time.perf_counter() - started
    shutil.rmtree(directory, ignore_errors=True)
    return elapsed


# ---- 21. Command line ------------------------------------------------------------------------
# App, what a running server holds, wired once by open_app; the Service that starts and
# stops it; serve, init, token, backup, update-ytdlp and main().


@dataclass(frozen=True)
class App:
    """The objects a running server holds: routes, workers and threads take it as their
    argument, and there is no module-level mutable state. It is wiring only: open_app
    builds it once, in the order the pieces need each other, and nothing assigns to it
    after (frozen); what changes while the server runs (the extractor finder, the cookies)
    is an object of its own, with its own lock."""

    config: Config
    token: str
    cert_file: Path | None  # served at /cert for phones to install
    certificates: Certificates | None  # what TLS serves now; None when tls = false
    database: Database
    jobs: Jobs
    history: History
    people: People
    follows: Follows
    library: Library
    policy: UrlPolicy
    links: LinkSigner  # signs links that need no token
    notifier: Notifier  # each person's target; messages into the outbox
    alerts: Alerts  # what the owner is told when something breaks
    pushback: SitePushback  # the sites refusing this server, left alone for a while
    cookies: Cookies
    queue: JobQueue
    egress: EgressProxy  # every yt-dlp connection's door
    follow_checker: FollowChecker  # checks followed accounts
    feed: ChangeFeed
    running: RunningJobs
    auth_failures: AuthThrottle
    metrics: Metrics
    foreground: Foreground  # requests before downloads
    streams: StreamPlaces  # each person's open streams and waits
    extractors: LoadedExtractors  # loaded by the first worker's warm-up
    workers: list[threading.Thread]  # filled by start_workers
    # Set once worker-1 has imported yt-dlp and warmed its YoutubeDL: from then on a job
    # starts the moment it is queued (submit_download waits for it).
    warm: threading.Event
    ytdlp_version: str | None  # the installed yt-dlp's; None: not installed (submits are 503)
    ytdlp: YtdlpUpdater  # checks for a newer yt-dlp, tries it, switches


# Removing a person ends their downloads and their follows' checks (API.md).
PERSON_ENDINGS: PersonEndings = (
    Jobs.cancel_every_job_of,
    Follows.pause_every_follow_of,
    Targets.forget_target_of,
)


def open_app(
    config: Config, token: str, cert_file: Path | None, certificates: Certificates | None
) -> App:
    """Build what a server holds, and put jobs a crash cut short back in the queue."""
    feed, running = ChangeFeed(), RunningJobs()
    database = Database(config.data_path / "vidserve.db")
    # Every committed change of a job goes to waiting clients and the event stream.
    jobs = Jobs(database, on_change=lambda job: feed.publish(running.status_object(job)))
    people = People(database, PERSON_ENDINGS)
    library = Library(config, database, jobs)
    links = LinkSigner.load(config.data_path, jobs, people)
    ytdlp = YtdlpUpdater(config)
    policy = UrlPolicy.of(config)
    targets, outbox = Targets(config, database), Outbox(config, database, policy)
    notifier = Notifier(config, links, targets, outbox)
    app = App(
        config=config,
        token=token,
        cert_file=cert_file,
        certificates=certificates,
        database=database,
        jobs=jobs,
        history=History(database),
        people=people,
        follows=Follows(database, jobs),
        library=library,
        policy=policy,
        links=links,
        notifier=notifier,
        alerts=Alerts(config, database, notifier),
        pushback=SitePushback(),
        cookies=Cookies(config.cookie_path),
        queue=JobQueue(
            jobs, may_start=lambda: library.disk_allows_work() and not ytdlp.draining.is_set()
        ),
        egress=EgressProxy(policy).start(),
        follow_checker=FollowChecker(),
        feed=feed,
        running=running,
        auth_failures=AuthThrottle(config.auth_failures_allowed),
        metrics=Metrics(),
        foreground=Foreground(),
        streams=StreamPlaces(config.max_streams_per_user),
        extractors=LoadedExtractors(),
        workers=[],
        warm=threading.Event(),
        ytdlp_version=running_ytdlp_version(),
        ytdlp=ytdlp,
    )
    library.open()
    return app


STOP_GRACE_S = 3.0  # how long a stop waits for requests in flight; the whole stop stays under 10 s


def print_welcome(app: App, server: Server, cert: Path | None, new_token: bool) -> None:
    """What a new user needs next: where to point the phone (each address and the .local
    name, /cert, the page's one-tap login link), the token, the fingerprint, a curl line."""
    host = app.config.host
    shown = socket.gethostname() if host in ANY_ADDRESS else host
    scheme, port = "https" if cert else "http", server.server_address[1]
    url = f"{scheme}://{shown}:{port}"
    interactive = sys.stdout.isatty() or new_token
    token = app.token if interactive else "<token>  (print it with: python3 vidserve.py token)"
    phone_urls = [f"{scheme}://{name}:{port}" for name in phone_hosts(host)]
    lines = [f"vidserve {__version__} is ready at {url}/"]
    if phone_urls:
        lines += ["On a phone on this network, open it by any of:"]
        lines += [f"  {phone_url}/" for phone_url in phone_urls]
        if cert:
            lines.append(
                f"  first install the certificate from {phone_urls[0]}/cert as a CA certificate"
                " (README: Trusting the self-signed certificate)"
            )
        lines += [f"  log the page in with one tap: {phone_urls[0]}/#token={token.split()[0]}"]
    lines += [f"  token:        {token}"]
    curl_tls = ""
    if cert:
        lines += [f"  certificate:  {cert}", f"  SHA-256:      {fingerprint(cert)}"]
        curl_tls = f"--cacert {cert} "
    lines += [
        "Submit a video:",
        (
            f"  curl {curl_tls}-H 'Authorization: Bearer {token.split()[0]}'"
            " -H 'Content-Type: application/json'"
            f' -d \'{{"url": "https://www.tiktok.com/@user/video/123"}}\''
            f" {url}/api/v1/download"
        ),
        f"Files land in {app.library.download_dir}",
    ]
    print("\n".join(lines), flush=True)


def phone_hosts(host: str) -> list[str]:
    """What a phone at home may type to reach this server, as URLs write them: the
    addresses it listens on but loopback (IPv4 first; IPv6 where it listens on `::`), then
    HOSTNAME.local; only `host` itself when it is one address or name."""
    if host not in ANY_ADDRESS:
        return [] if host in ("localhost", "127.0.0.1", "::1") else [url_host(host)]
    found = [ipaddress.ip_address(address) for address in phone_addresses()]
    reachable = [a for a in found if not a.is_loopback and (a.version == 4 or host == "::")]
    ordered = sorted(reachable, key=lambda address: (address.version, address))
    local = sorted(name for name in host_names() if name.endswith(".local"))
    return [url_host(str(address)) for address in ordered] + local


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class Service:
    """The whole server, started and stopped as one: used by serve, --selftest and --bench."""

    def __init__(self, config: Config):
        make_private_dir(config.data_path)
        self.token, self.new_token = ensure_token(config)
        passed_on = INHERITED_LISTENER in os.environ  # by the server before a switch of yt-dlp
        for setting in ("port", "http_port") if config.http_port else ("port",):
            if setting == "port" and passed_on:
                continue
            port = getattr(config, setting)
            listen(lambda port=port: probe_listen(config.host, port), config, setting).close()
        cert = key = certificates = None
        if config.tls:  # made (anew) only for a start that can listen
            cert, key = ensure_certificate(config)
            certificates = Certificates(cert, key, "file" if config.cert_file else "self-signed")
        self.cert_file = cert
        self.app = open_app(config, self.token, cert, certificates)
        challenges = Challenges()
        self.server = listen(lambda: Server(self.app, certificates, challenges), config, "port")
        self._http = threading.Thread(target=self.server.serve_forever, name="http")
        self.plain = None
        if config.http_port:
            https_port = self.server.server_address[1]
            self.plain = listen(
                lambda: PlainHttpServer(config, challenges, https_port), config, "http_port"
            )
        self.renewer = None
        if certificates and config.acme_domain:
            self.renewer = CertificateRenewer(config, certificates, challenges, self.app.alerts)
        elif certificates and config.cert_file:
            CertificateFiles(cert, key, certificates)  # looks at the files at each handshake

    def start(self) -> Service:
        """Answer at once, while worker-1 warms yt-dlp up beside (~0.7 s here, seconds on a
        Pi): health, the page and every route answer from the start (issue 25), and only a
        submit's 201 waits for the warm-up (submit_download), so that its download still
        starts within milliseconds of it, not after yt-dlp's import (issue 17)."""
        self.app.egress.guard_python()  # before any yt-dlp is built
        if self.renewer:  # first: a saved ACME certificate serves from the start
            self.renewer.start()
        self.app.notifier.outbox.start()  # what a restart found undelivered goes now
        notice_certificate_end(self.app)
        start_workers(self.app)
        self.app.ytdlp.start(self.app, self.switch_ytdlp)
        self._http.start()
        log.info("vidserve %s listening on %s", __version__, self.server.url)
        if self.plain:
            self.plain.thread.start()
            log.info("plain HTTP on port %d: ACME http-01 and redirects", self.plain.server_port)
        return self

    def switch_ytdlp(self, reason: str) -> None:
        """Load another yt-dlp: re-execute this server in its own process (the same pid under
        systemd, Type=notify needs no new READY), keeping the listening socket, so that a
        submit meanwhile waits in its backlog for the new process (a second or two) instead
        of being refused, as a re-bind or a restart by systemd would have it. Running
        downloads finish (YTDLP_DRAIN_S at most; the rest resume as pending), and submits
        are answered 201 while they do; then what the new version saves is queued again."""
        log.info("switching %s: letting running downloads finish", reason)
        self.app.ytdlp.draining.set()  # JobQueue's may_start says no from now on
        deadline = time.monotonic() + YTDLP_DRAIN_S
        while len(self.app.running) and time.monotonic() < deadline:
            time.sleep(0.1)  # a download's end is no event of its own; the drain is rare
        self.server.shutdown()  # from here connections wait in the backlog
        self.server.in_flight.wait_idle(STOP_GRACE_S)
        stop_workers(self.app, timeout_s=6.0)  # what still runs is interrupted: pending
        self.app.ytdlp.after_switch(self.app.jobs, self.app.follows)
        if self.plain:
            self.plain.shutdown()
            self.plain.server_close()
        self.app.database.close()
        listener = self.server.socket.fileno()
        os.set_inheritable(listener, True)
        os.environ[INHERITED_LISTENER] = str(listener)
        log.info("re-executing with %s", reason)
        logging.shutdown()
        os.execv(sys.executable, [*vidserve_program("sys.exit(vidserve.main())"), *sys.argv[1:]])

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish, interrupt downloads, close."""
        log.info("stopping")
        self.app.ytdlp.stop()
        self.app.queue.stopping.set()  # new requests get 503
        self.app.feed.close()  # long polls and event streams return
        self.server.shutdown()
        if self.renewer:
            self.renewer.stop()
        if self.plain:
            self.plain.shutdown()
            self.plain.server_close()
        self.server.in_flight.wait_idle(STOP_GRACE_S)
        stop_workers(self.app, timeout_s=6.0)
        self.app.notifier.outbox.stop()
        self.server.server_close()
        self.app.database.close()
        log.info("stopped")


def probe_listen(host: str, port: int) -> socket.socket:
    """A listening socket where a listener will be, closed at once: tried before the
    certificate is made for `host`, so that a start that cannot listen changes nothing."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as socketserver does
        sock.bind((host, port))  # a name is resolved here: socket.gaierror
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def listen(make: Callable[[], Any], config: Config, key: str) -> Any:
    """A listener made by make(), or a ConfigError of one line naming the key and the fix
    (API.md: exit code 2, no traceback) for what a person gets wrong when starting it."""
    port = getattr(config, key)
    try:
        return make()
    except socket.gaierror:
        raise ConfigError(
            f"setting host = {config.host!r}: not an address of this machine, nor a name that"
            ' resolves to one; set host = "0.0.0.0" (every address) and put the name in'
            " cert_names"
        ) from None
    except OSError as err:
        if err.errno == errno.EADDRNOTAVAIL:
            raise ConfigError(
                f"setting host = {config.host!r}: not an address of this machine; set host to"
                ' one of its addresses, or to "0.0.0.0" for every one'
            ) from None
        fixes = {
            errno.EADDRINUSE: f"in use by another program (another vidserve? `ss -ltnp"
            f" 'sport = :{port}'` names it): stop it, or choose a free {key}",
            errno.EACCES: f"below 1024, which needs root or CAP_NET_BIND_SERVICE: choose a {key}"
            f" of 1024 or more (8443), or install with `install.sh --port {port}`, which grants"
            " just that",
        }
        problem = fixes.get(err.errno, f"cannot listen on {config.host}:{port}: {err.strerror}")
        raise ConfigError(f"setting {key} = {port}: {problem}") from None


class StopSignals:
    """SIGTERM and SIGINT, waited for by the main thread.

    The kernel may deliver a signal to any thread, but Python runs the handler only in the
    main thread, once that thread wakes: a main thread asleep on a lock could sleep through a
    stop for a whole timeout. The wakeup fd is written by the C-level handler from whatever
    thread caught the signal, so the main thread, waiting in select() on it, wakes at once.
    """

    def __init__(self):
        self._wakeup, writer = socket.socketpair()
        writer.setblocking(False)
        self._writer = writer  # kept open for as long as signals may come
        signal.set_wakeup_fd(writer.fileno())
        self.received = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        self.received = True

    def wait(self, timeout_s: float) -> bool:
        """True once a stop signal has come; otherwise False after timeout_s."""
        if not self.received and select.select([self._wakeup], [], [], timeout_s)[0]:
            self._wakeup.recv(64)  # the handler itself runs before the next line of Python
        return self.received


def serve(config: Config) -> int:
    """Run until SIGTERM or SIGINT, telling systemd how it goes; stops within 10 seconds."""
    stop = StopSignals()  # first: a stop that comes during start-up must not be lost
    # A request thread waits for the GIL behind yt-dlp for up to one switch interval per
    # hand-over, and a submit hands over about ten times (socket, SQLite statements, fsync).
    # 1 ms instead of 5 ms kept submits fast beside two downloads (--bench: p50 12.5 -> 5 ms);
    # 0.2 ms keeps them fast while workers are never idle (issue 17, submits of videos that
    # are downloaded as they come: 1 client 72 -> 111 /s, 16 clients 450 -> 565 /s, medians
    # of 3 on a busy machine). Only a thread waiting for the GIL makes a switch happen.
    sys.setswitchinterval(GIL_SWITCH_S)
    service = Service(config)
    service.start()
    print_welcome(service.app, service.server, service.cert_file, service.new_token)
    if not ffmpeg_available():
        log.warning(
            "ffmpeg is not installed: yt-dlp cannot merge formats or extract audio"
            " (sudo apt install ffmpeg)"
        )
    if running_ytdlp_version() is not None:  # without it, run_worker has said what to do
        threading.Thread(target=report_impersonation, name="warm-up", daemon=True).start()
    notify_systemd("READY=1")
    watchdog_s = int(os.environ.get("WATCHDOG_USEC", "0")) / 2e6  # ping twice per interval
    next_upkeep = 0.0
    while not stop.wait(watchdog_s or UPKEEP_INTERVAL_S):
        if watchdog_s and service.app.database.answers() and work_alive(service.app):
            notify_systemd("WATCHDOG=1")
        notice_stopped_components(service.app)
        if time.monotonic() >= next_upkeep:
            next_upkeep = time.monotonic() + UPKEEP_INTERVAL_S
            notice_certificate_end(service.app)
            service.app.library.enforce_retention()
            service.app.follow_checker.notice_changes()  # `vidserve.py follow` in another process
            service.app.running.stop_ended(service.app.jobs)  # `vidserve.py user remove`
            service.app.ytdlp.take_request()  # `vidserve.py update-ytdlp`
    notify_systemd("STOPPING=1")
    service.stop()
    return 0


def initialize(config: Config) -> int:
    """`vidserve.py init`: make the data directory, token and certificate, say how to connect."""
    make_private_dir(config.data_path)
    token, _ = ensure_token(config)
    cert = ensure_certificate(config)[0] if config.tls else None
    print(f"data directory: {config.data_path}")
    print(f"token:          {token}")
    if cert:
        print(f"certificate:    {cert}")
        print(f"SHA-256:        {fingerprint(cert)}")
    return 0


def print_token(config: Config) -> int:
    token, _ = ensure_token(config) if config.data_path.exists() else (config.token, False)
    if not token:
        print(
            f"no token yet: {config.data_path} does not exist; start vidserve once", file=sys.stderr
        )
        return 1
    print(token)
    return 0


def backup(config: Config, target: str) -> int:
    """`vidserve.py backup PATH`: a consistent copy of the database, safe while it serves."""
    source_path = config.data_path / "vidserve.db"
    if not source_path.exists():
        print(f"vidserve: no database at {source_path}", file=sys.stderr)
        return 1
    target_path = Path(target)
    if target_path.is_dir():
        target_path = target_path / f"vidserve-{time.strftime('%Y%m%d-%H%M%S')}.db"
    Database.copy(source_path, target_path)
    print(f"backed up {count_jobs_in(target_path)} downloads to {target_path}")
    return 0


def config_flags(parser: argparse.ArgumentParser) -> None:
    """One --flag per Config field, so the command line can set anything the file can."""
    group = parser.add_argument_group("settings (override vidserve.toml and VIDSERVE_*)")
    for name, kind in FIELD_TYPES.items():
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=f"set_{name}",
            metavar=describe_type(kind).split()[0].upper(),
        )


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="vidserve.py", description="Share a link, get the video: a small download server."
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "init", "token", "user", "follow", "backup", "update-ytdlp"],
        help="serve (default); init: make the data directory, token and certificate; token:"
        " print the owner's API token; user add|list|remove|token [NAME]: people and their"
        " tokens; user notify NAME URL|off: where their notifications go; follow add URL|list|remove ID: followed accounts; backup PATH: copy the"
        " database; update-ytdlp: check for a newer yt-dlp now, or roll back",
    )
    parser.add_argument(
        "operands",
        nargs="*",
        metavar="ARG",
        help="backup: PATH; user: add|list|remove|token NAME; follow: add URL|list|remove ID",
    )
    parser.add_argument("--user", help="follow add/list: the person (default: the owner)")
    parser.add_argument("--quota", help="user add: how much their files may take (e.g. 5G)")
    parser.add_argument(
        "--format",
        choices=NOTIFY_FORMATS,
        default="ntfy",
        help="user notify: how the target takes a message (default: ntfy)",
    )
    parser.add_argument("--channel", help="update-ytdlp: check this channel once (or a version)")
    parser.add_argument("--check", action="store_true", help="update-ytdlp: check now (default)")
    parser.add_argument(
        "--rollback", action="store_true", help="update-ytdlp: back to the version before"
    )
    parser.add_argument("--config", help="path of vidserve.toml (default: ./vidserve.toml)")
    parser.add_argument(
        "--bench",
        action="store_true",
        help="measure latency, throughput and memory on loopback, print a table, then exit",
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check the whole path on this machine (loopback only), then exit",
    )
    parser.add_argument("--version", action="version", version=f"vidserve {__version__}")
    config_flags(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    flags = {
        key.removeprefix("set_"): value
        for key, value in vars(arguments).items()
        if key.startswith("set_") and value is not None
    }
    try:
        config = load_config(
            flags, dict(os.environ), arguments.config or os.environ.get("VIDSERVE_CONFIG")
        )
    except ConfigError as err:
        print(f"vidserve: {err}", file=sys.stderr)
        return 2
    journald = "JOURNAL_STREAM" in os.environ  # journald stamps the time itself
    logging.basicConfig(
        level="WARNING"
        if arguments.selftest or arguments.bench or arguments.command in ("user", "follow")
        else config.log_level.upper(),
        format="%(levelname)s %(message)s" if journald else "%(asctime)s %(levelname)s %(message)s",
    )
    # Before anything imports yt-dlp: the version in use, from data_dir (read-only /opt too).
    versions = YtdlpVersions(config.data_path)
    if arguments.command == "serve" and not (arguments.selftest or arguments.bench):
        versions.take_rollback()
    os.environ["_VIDSERVE_YTDLP_DIR"] = versions.activate() or ""
    try:
        if arguments.selftest:
            return selftest()
        if arguments.bench:
            return bench()
        if arguments.command == "backup" and len(arguments.operands) != 1:
            print("vidserve: backup needs a PATH to write to", file=sys.stderr)
            return 2
        commands = {
            "serve": lambda: serve(config),
            "init": lambda: initialize(config),
            "token": lambda: print_token(config),
            "user": lambda: manage_people(
                config, arguments.operands, PERSON_ENDINGS, arguments.quota, arguments.format
            ),
            "follow": lambda: manage_follows(config, arguments.operands, arguments.user),
            "backup": lambda: backup(config, arguments.operands[0]),
            "update-ytdlp": lambda: update_ytdlp(
                config, arguments.channel, arguments.check, arguments.rollback
            ),
        }
        return commands[arguments.command]()
    except ConfigError as err:
        print(f"vidserve: {err}", file=sys.stderr)
        return 2


def run_as_module() -> None:
    """`python3 vidserve.py`, README's form, compiled this whole file before running it, and
    the process would keep ~4 MB of what compiling left behind for as long as it serves
    (issue 17). Start over in the same process as the module, from the bytecode cached
    beside this file (written here when missing or stale), as `python -m vidserve` runs."""
    import importlib.util
    import py_compile

    source = Path(__file__).resolve()
    cached = Path(importlib.util.cache_from_source(str(source)))
    with contextlib.suppress(OSError, py_compile.PyCompileError):
        if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
            py_compile.compile(str(source), cfile=str(cached), doraise=True)
    if not (sys.executable and cached.exists()):
        return  # a read-only copy: run from the source, as compiled
    # glibc gives each thread that allocates an arena of its own, up to 8 per core, and
    # memory freed in one cannot serve another: one arena keeps ~1.5 MB less resident
    # (issue 17; Python's own allocator and glibc's per-thread caches keep most allocations
    # off its lock). It is read when the process starts, hence here; vidserve.service sets it.
    os.environ.setdefault("MALLOC_ARENA_MAX", "1")
    os.execv(sys.executable, [*vidserve_program("sys.exit(vidserve.main())"), *sys.argv[1:]])


if __name__ == "__main__":
    if __spec__ is None:  # run as a script, not by `python -m vidserve`
        run_as_module()
    sys.exit(main())
