"""test_vidserve.py: proves that vidserve keeps API.md, end to end, on this machine.

Every test drives a real `python3 vidserve.py` process over HTTPS on 127.0.0.1, verified
against the server's own certificate, with the real yt-dlp downloading from MediaServer: a
loopback HTTP server started here that serves generated clips, pages with og:video, slow
streams and failing URLs. Nothing leaves the machine. Fakes appear only where a fault cannot
be made for real.

Order: the client, the media server, the fixtures, then tests grouped by the capability they
prove, in API.md order, then configuration, durability and the figures that keep it fast;
each group opens with its own helpers and fixtures, and each test proves one behaviour.
"""

import ast
import base64
import calendar
import collections
import contextlib
import ctypes
import functools
import hashlib
import hmac
import html
import http.client
import http.cookies
import inspect
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import vidserve

HERE = Path(__file__).resolve().parent


VIDSERVE = HERE / "vidserve.py"


CLIP_BYTES = random.Random(7).randbytes(300_000)  # what /clip.mp4 serves


CLIP_SHA256 = hashlib.sha256(CLIP_BYTES).digest()


BROKEN_MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + CLIP_BYTES  # /broken.mp4


UUID_V4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def run_command(command: list, cwd=None, env=None, timeout_s: float = 60, check=False):
    """Run a command to its end; the test asserts on its exit code and text output."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s, check=check
    )


def wait_until(predicate, timeout_s: float, what: str):
    """Poll a condition the API cannot wait on for us; fail with `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


# ---- the client -----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Api:
    """A small HTTPS client for one vidserve: `api.get(path)` returns an Answer."""

    base_url: str
    cafile: Path | None
    token: str
    data_dir: Path
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    extra: dict = field(default_factory=dict)
    namespace: "Namespace | None" = None  # where the server runs, if not on this host's network

    @property
    def download_dir(self) -> Path:
        return self.data_dir / "downloads"

    def connection(self, timeout_s: float = 30) -> http.client.HTTPConnection:
        """A connected keep-alive connection with TCP_NODELAY, as curl and browsers use."""
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=str(self.cafile))
            connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout_s, context=context
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
        if self.namespace is None:
            connection.connect()
        else:  # the socket is made inside the namespace; TLS goes on as usual
            address = (parts.hostname, parts.port)
            sock = self.namespace.run(socket.create_connection, address, timeout_s)
            if parts.scheme == "https":
                sock = context.wrap_socket(sock, server_hostname=parts.hostname)
            connection.sock = sock
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def request(self, method, path, body=None, headers=None, token=True, connection=None):
        headers = dict(headers or {})
        if token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        own = connection is None
        connection = connection or self.connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            return Answer(reply.status, reply.headers, reply.read())
        finally:
            if own:
                connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def submit(self, url, **fields):
        answer = self.post("/api/v1/download", {"url": url, **fields})
        assert answer.status in (200, 201), answer.body
        return answer.json["download_id"]

    def wait_for(self, download_id, seconds=60):
        connection = self.connection(timeout_s=seconds + 10)  # the server holds it `seconds`
        try:
            answer = self.get(f"/api/v1/status/{download_id}?wait={seconds}", connection=connection)
        finally:
            connection.close()
        assert answer.status == 200, answer.body
        return answer.json

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


# ---- the media server -----------------------------------------------------------------------


class QuietHandler(BaseHTTPRequestHandler):
    """A loopback test server's handler: HTTP/1.1, whole answers, no log lines."""

    protocol_version = "HTTP/1.1"

    def send_body(self, body: bytes, content_type: str, status=200, headers=None, head=False):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class MediaHandler(QuietHandler):
    """Loopback stand-in for TikTok and Instagram. Routes:

    /clip.mp4, /clip-<name>.mp4   the CLIP_BYTES clip (any name: a distinct URL, same bytes)
    /page.html?video=PATH         an HTML page whose og:video is PATH
              &titlehex=HEX       ... titled with these UTF-8 bytes (kept out of the URL's text)
              &image=PATH         ... and whose og:image (the thumbnail) is PATH
    /thumb.jpg, /thumb.webp       a real 64x48 JPEG (WebP) picture made with ffmpeg
    /slow.mp4?seconds=S&size=N    N bytes trickled over about S seconds
    /status/CODE                  always answers CODE
    /flaky.mp4?key=K&fail=N       503 for the first N requests with key K, then the clip
    /redirect?to=URL              302 to URL
    /carousel.html?items=N&key=K  a page with N <video> items /clip-K-<i>.mp4 (a playlist);
                  &flaky=I        item I answers 429 (Retry-After: 1) once
                  &slow=S         every item trickles for S seconds
    /real.mp4                     real H.264 + AAC media made with ffmpeg (real_media)
    /real.webm                    real VP9 + Opus media made with ffmpeg
    /broken.mp4                   an mp4 ftyp box, then noise: looks like mp4, ffmpeg cannot read it
    /choice.html                  one <video> offering VP9 webm first, then H.264 mp4
    /needs-cookie.mp4             403 unless the request carries the cookie session=abc
    /stall.mp4                    accepts, then says nothing for 30 s
    /novideo.html                 a page with no video at all
    /playlist.EXT?path=P          an HLS playlist naming the local file P, as video/mp4, audio/mp4
                                  or image/gif by EXT
    """

    def do_GET(self):
        self.server.seen.append((time.monotonic(), self.path))
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        if re.fullmatch(r"/clip(-[\w-]+)?\.mp4", parts.path):
            return self.send_body(CLIP_BYTES, "video/mp4")
        if parts.path == "/page.html":
            video = query.get("video", "/clip.mp4")
            title = query.get("title") or bytes.fromhex(query.get("titlehex", "")).decode()
            title = html.escape(title or "A cat video")
            image = html.escape(query.get("image", ""))
            page = (
                f"<html><head><title>{title}</title>"
                f'<meta property="og:title" content="{title}">'
                + (f'<meta property="og:image" content="{image}">' if image else "")
                + f'<meta property="og:video" content="{video}"></head><body></body></html>'
            )
            return self.send_body(page.encode(), "text/html; charset=utf-8")
        if parts.path == "/slow.mp4":
            return self.send_slowly(
                int(query.get("size", 1_000_000)), float(query.get("seconds", 3))
            )
        if parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if parts.path == "/flaky.mp4":
            key = query.get("key", "")
            failures = self.server.failures
            failures[key] = failures.get(key, 0) + 1
            if failures[key] <= int(query.get("fail", 1)):
                status = int(query.get("status", 503))
                return self.send_body(b"try later", "text/plain", status, {"Retry-After": "1"})
            return self.send_body(CLIP_BYTES, "video/mp4")
        if parts.path == "/carousel.html":
            return self.send_body(carousel_page(query).encode(), "text/html; charset=utf-8")
        if parts.path == "/real.mp4":
            return self.send_body(real_media(), "video/mp4")
        if parts.path == "/real.webm":
            return self.send_body(real_media("webm"), "video/webm")
        if parts.path == "/broken.mp4":
            return self.send_body(BROKEN_MP4, "video/mp4")
        if parts.path in ("/thumb.jpg", "/thumb.webp"):
            kind = parts.path.rsplit(".", 1)[1]
            return self.send_body(real_picture(kind), f"image/{kind.replace('jpg', 'jpeg')}")
        if parts.path == "/choice.html":
            return self.send_body(CHOICE_PAGE.encode(), "text/html")
        if parts.path == "/needs-cookie.mp4":
            if "session=abc" not in (self.headers.get("Cookie") or ""):
                return self.send_body(b"log in first", "text/plain", 403)
            return self.send_body(CLIP_BYTES, "video/mp4")
        if parts.path == "/stall.mp4":
            time.sleep(30)  # a server that never answers, for a timeout
            return None
        if parts.path == "/novideo.html":
            return self.send_body(
                b"<html><head><title>Nothing</title></head><body>Hi</body></html>", "text/html"
            )
        if match := re.fullmatch(r"/playlist\.(mp4|m4a|gif)", parts.path):
            playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:7\n#EXTINF:7,\n{query['path']}\n"
            kind = {"mp4": "video/mp4", "m4a": "audio/mp4", "gif": "image/gif"}[match[1]]
            return self.send_body((playlist + "#EXT-X-ENDLIST\n").encode(), kind)
        if match := re.fullmatch(r"/status/(\d{3})", parts.path):
            return self.send_body(b"no", "text/plain", int(match[1]))
        return self.send_body(b"not here", "text/plain", 404)

    def send_slowly(self, size: int, seconds: float):
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        steps = 50
        chunk = CLIP_BYTES * (size // len(CLIP_BYTES) + 1)
        with contextlib.suppress(OSError):
            for step in range(steps):
                self.wfile.write(chunk[step * size // steps : (step + 1) * size // steps])
                self.wfile.flush()
                time.sleep(seconds / steps)  # the simulated slow network, not a test wait

    def log_message(self, format, *args):
        pass


CHOICE_PAGE = (
    "<html><head><title>Choice</title></head><body><video>"
    """<source src="/real.webm" type='video/webm; codecs="vp9, opus"'>"""
    """<source src="/real.mp4" type='video/mp4; codecs="avc1.42E01E, mp4a.40.2"'>"""
    "</video></body></html>"
)


def carousel_page(query: dict) -> str:
    key, count = query.get("key", "k"), int(query.get("items", 3))
    sources = []
    for index in range(count):
        if str(index) == query.get("flaky"):
            sources.append(f"/flaky.mp4?key={key}-{index}&fail=1&status=429")
        elif "slow" in query:
            sources.append(f"/slow.mp4?seconds={query['slow']}&size=1000000&n={key}-{index}")
        else:
            sources.append(f"/clip-{key}-{index}.mp4")
    videos = "".join(f'<video src="{html.escape(src)}"></video>' for src in sources)
    return f"<html><head><title>Carousel {key}</title></head><body>{videos}</body></html>"


@functools.cache
def real_media(container: str = "mp4") -> bytes:
    """Two seconds of real video and sound, made by ffmpeg once: H.264 + AAC in mp4, or
    VP9 + Opus in webm."""
    codecs = {
        "mp4": ["-c:v", "libx264", "-c:a", "aac", "-movflags", "+faststart"],
        "webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus"],
    }
    return encoded(codecs[container], container)


def encoded(options: list[str], container: str) -> bytes:
    """Two seconds of a test pattern and a tone, encoded by ffmpeg with these options."""
    source = [
        *("-f", "lavfi", "-i", "testsrc=duration=2:size=160x120"),
        *("-f", "lavfi", "-i", "sine=frequency=440:duration=2"),
    ]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"real.{container}"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", *source, *options, "-shortest", str(path)],
            check=True,
            timeout=120,
        )
        return path.read_bytes()


@functools.cache
def real_picture(kind: str = "jpg") -> bytes:
    """A 64x48 test pattern picture made by ffmpeg once, as JPEG or WebP."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"thumb.{kind}"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48"]
            + ["-frames:v", "1", str(path)],
            check=True,
            timeout=60,
        )
        return path.read_bytes()


@contextlib.contextmanager
def page_server(page: bytes):
    """A loopback server answering every GET with one HTML page: yields its URL."""

    class PageHandler(QuietHandler):
        def do_GET(self):
            self.send_body(page, "text/html; charset=utf-8")

    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=server.serve_forever, name="page-server", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/embeds.html"
    finally:
        server.shutdown()
        server.server_close()


FFMPEG = shutil.which("ffmpeg") and shutil.which("ffprobe")


@pytest.fixture(scope="session")
def media_server():
    """The loopback media server: yields its base URL; `.seen` lists paths requested."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), MediaHandler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # clients killed mid-download
    server.seen = []
    server.failures = {}
    thread = threading.Thread(target=server.serve_forever, name="media-server", daemon=True)
    thread.start()
    yield MediaUrl(f"http://127.0.0.1:{server.server_address[1]}", server)
    server.shutdown()


class MediaUrl(str):
    """The media server's base URL, which also knows what was requested of it."""

    def __new__(cls, url, server):
        self = super().__new__(cls, url)
        self.server = server
        return self

    def requests_for(self, path_prefix: str) -> list[str]:
        return [path for _, path in self.server.seen if path.startswith(path_prefix)]


# ---- the vidserve process -------------------------------------------------------------------


TEST_SETTINGS = {
    "host": "127.0.0.1",
    "port": 0,
    "allowed_domains": ["127.0.0.1", "localhost"],
    "allow_private_addresses": True,
    "min_free_bytes": 0,
    "retry_backoff_s": 0.2,
    "log_level": "debug",
}


def toml_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)  # strings, numbers and booleans read the same in TOML


def write_config(path: Path, settings: dict) -> Path:
    path.write_text("".join(f"{key} = {toml_value(value)}\n" for key, value in settings.items()))
    return path


def launch(
    directory: Path, env: dict | None = None, args=(), namespace=None, python=sys.executable
) -> subprocess.Popen:
    log_path = directory / "vidserve.log"
    prefix = namespace.command_prefix(directory) if namespace else []
    with open(log_path, "ab") as log_file:
        return subprocess.Popen(
            [
                *prefix,
                *(python, str(VIDSERVE), "--config", str(directory / "vidserve.toml")),
                *args,
            ],
            cwd=directory,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )


def start_process(directory: Path, env=None, args=(), namespace=None, python=sys.executable) -> Api:
    """Start vidserve in `directory` (its vidserve.toml already written); wait until it serves."""
    log_path = directory / "vidserve.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    process = launch(directory, env, args, namespace, python)

    def listening():
        assert process.poll() is None, log_path.read_text()
        text = log_path.read_bytes()[offset:].decode(errors="replace")
        return re.search(r"listening on (https?://(?:[\d.]+|\[[\da-f:]+\]):\d+)", text)

    base_url = wait_until(listening, 20, "vidserve to listen")[1]
    data_dir = directory / "vidserve-data"
    cafile = data_dir / "cert.pem" if base_url.startswith("https") else None
    token = (data_dir / "token").read_text().strip()
    return Api(base_url, cafile, token, data_dir, process, log_path, namespace=namespace)


def stop_process(api: Api, signum=signal.SIGTERM) -> int:
    if api.process.poll() is None:
        api.process.send_signal(signum)
    return api.process.wait(timeout=20)


@contextlib.contextmanager
def start_vidserve(directory: Path, env=None, namespace=None, python=sys.executable, **settings):
    """A real vidserve process with TEST_SETTINGS (overridden by `settings`), run by `python`."""
    directory.mkdir(parents=True, exist_ok=True)
    write_config(directory / "vidserve.toml", TEST_SETTINGS | settings)
    api = start_process(directory, env, namespace=namespace, python=python)
    try:
        yield api
    finally:
        stop_process(api)


@pytest.fixture(scope="session")
def vidserve_api(tmp_path_factory, media_server):
    """One server shared by the tests that only add jobs of their own."""
    with start_vidserve(tmp_path_factory.mktemp("shared")) as api:
        yield api


@pytest.fixture
def own_vidserve(tmp_path, media_server):
    """A server of the test's own, for tests that count, restart or throttle."""
    with start_vidserve(tmp_path / "server") as api:
        yield api


def unique(media_server, name="clip") -> str:
    """A clip URL no other test uses, so duplicates never cross tests."""
    return f"{media_server}/clip-{name}-{random.randrange(10**9)}.mp4"


def assert_error(answer: Answer, status: int, code: str | None = None):
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    body = answer.json
    assert body["success"] is False
    assert body["error"]["message"]
    assert body["request_id"] == answer.headers["X-Request-ID"]
    if code:
        assert body["error"]["code"] == code, body


# ---- helpers: a finished download ------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(vidserve_api, media_server):
    """A completed download whose title needs RFC 6266: emoji, CJK and a quote."""
    title = urllib.parse.quote('猫 🐱 "clip"')
    page = f"{media_server}/page.html?title={title}&n={random.random()}"
    status = vidserve_api.wait_for(vidserve_api.submit(page))
    assert status["status"] == "completed"
    return status


# ---- helpers: an event reader ----------------------------------------------------------------


class EventReader:
    """Reads a Server-Sent Events stream on a thread of its own."""

    def __init__(self, api: Api, headers=None):
        self.connection = api.connection(timeout_s=60)
        self.connection.request(
            "GET",
            "/api/v1/events",
            headers={"Authorization": f"Bearer {api.token}", **(headers or {})},
        )
        self.reply = self.connection.getresponse()
        self.events, self.comments = [], []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        fields = {}
        with contextlib.suppress(OSError, ValueError):
            for raw in self.reply:
                line = raw.decode().rstrip("\n")
                if line.startswith(":"):
                    self.comments.append(line)
                elif line:
                    name, _, value = line.partition(": ")
                    fields[name] = value
                elif "data" in fields:
                    self.events.append((fields.get("event"), json.loads(fields["data"])))
                    fields = {}

    def for_download(self, download_id):
        return [data for event, data in self.events if data["download_id"] == download_id]

    def close(self):
        """Hang up as a phone does: the server sees the connection end at once."""
        if self.reply.fp is not None:
            with contextlib.suppress(OSError):
                self.reply.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()


# ---- helpers: ffprobe ------------------------------------------------------------------------


def ffprobe_streams(path: Path) -> list[dict]:
    result = run_command(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        check=True,
        timeout_s=30,
    )
    return json.loads(result.stdout)["streams"]


# ---- helpers: the library: thumbnails and search ---------------------------------------------


def page_url(media_server, title="A cat video", **query) -> str:
    """An og:video page no other test uses, with this title (and og:image, if given). The
    title travels hex-encoded, so a search for its words finds the title, not the URL."""
    query = {"titlehex": title.encode().hex(), "n": random.randrange(10**9), **query}
    return f"{media_server}/page.html?{urllib.parse.urlencode(query)}"


def make_link(api: Api, download_id: str, **body) -> dict:
    answer = api.post(f"/api/v1/files/{download_id}/link", body or None)
    assert answer.status == 201, answer.body
    return answer.json


def search(api: Api, query: str, **more) -> tuple[list[str], int]:
    """The names (library fixture) of the downloads history?q= lists, and X-Total-Count."""
    answer = api.get("/api/v1/history?" + urllib.parse.urlencode({"q": query, **more}))
    assert answer.status == 200, answer.body
    names = {download_id: name for name, download_id in api.extra["ids"].items()}
    return [names[item["download_id"]] for item in answer.json], int(
        answer.headers["X-Total-Count"]
    )


# ---- helpers: the browser: Chromium and the page ---------------------------------------------


class Chromium:
    """Headless Chromium driven through the DevTools protocol on a pipe: no extra packages."""

    def __init__(self, binary: str, profile: Path):
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def wire_pipes():  # the protocol wants fd 3 in and fd 4 out
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-pipe",
                "--ignore-certificate-errors",
                "--window-size=420,900",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            preexec_fn=wire_pipes,  # noqa: PLW1509 (runs before exec; dup2 only)
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._next_id = b"", 0
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]

    def call(self, method, session=None, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._read, 1 << 16)
                assert chunk, "chromium closed the pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                assert "error" not in reply, reply
                return reply["result"]

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def close(self):
        self.process.kill()
        self.process.wait()
        os.close(self._read)
        os.close(self._write)


CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
    None,
)


@dataclass
class PageScene:
    """The page open in Chromium, signed in, over a server holding a video with a thumbnail
    of its own, a picture and thirty older downloads."""

    api: "Api"
    browser: "Chromium"
    video: dict
    picture: dict
    directory: Path

    def row(self, job: dict) -> str:
        return f"document.getElementById('job-{job['download_id']}')"

    def open(self) -> None:
        """Load the page afresh and wait for the video's row with its thumbnail."""
        self.browser.call("Page.navigate", self.browser.session, url=self.api.base_url + "/")
        row = self.row(self.video)
        wait_until(
            lambda: self.browser.evaluate(f"{row} && {row}.querySelector('img')?.naturalWidth > 0"),
            20,
            "the row with its thumbnail",
        )


@pytest.fixture(scope="module")
def page(tmp_path_factory, media_server):
    if CHROMIUM is None or not FFMPEG:
        pytest.skip("needs Chromium and ffmpeg (.ci/run)")
    directory = tmp_path_factory.mktemp("page")
    with start_vidserve(directory / "server") as api:
        pass  # the first start makes the database
    vidserve.fill_history(api.data_dir / "vidserve.db", 30)  # thirty older downloads
    browser = Chromium(CHROMIUM, directory / "profile")
    try:
        with start_vidserve(directory / "server") as api:
            thumbnail = f"{media_server}/thumb.webp"
            video = api.wait_for(
                api.submit(
                    page_url(media_server, "Zebra crossing", video="/real.mp4", image=thumbnail)
                )
            )
            picture = api.wait_for(api.submit(f"{media_server}/thumb.jpg?n={random.random()}"))
            browser.call("Page.navigate", browser.session, url=api.base_url + "/")
            wait_until(lambda: browser.evaluate("document.readyState === 'complete'"), 20, "load")
            browser.evaluate(f"localStorage.setItem('vidserve-token', {json.dumps(api.token)})")
            yield PageScene(api, browser, video, picture, directory)
    finally:
        browser.close()


# ---- helpers: certificates: Pebble, trusted connections, free ports --------------------------


ACME_DOMAIN = "vidserve.example.com"  # pebble-challtestsrv answers 127.0.0.1 for every name


def free_port() -> int:
    """A free port outside the ephemeral range, so no outgoing connection takes it meanwhile:
    Pebble must know vidserve's port before vidserve starts."""
    while True:
        port = random.randrange(20000, 30000)
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port


def make_certificate(directory: Path, name: str, issuer: tuple[Path, Path] | None = None):
    """An EC key and a certificate for 127.0.0.1 and localhost: self-signed, or signed by
    `issuer` (a CA's certificate and key). Returns (certificate, key)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subject = ["-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    if issuer is None:
        command = ["openssl", "req", "-x509", *new_key, *subject, "-days", "2", "-keyout", key]
        subprocess.run([*command, "-out", cert], check=True, capture_output=True)
    else:
        command = ["openssl", "req", "-new", *new_key, *subject, "-keyout", key]
        request = subprocess.run(command, check=True, capture_output=True).stdout
        command = ["openssl", "x509", "-req", "-CA", issuer[0], "-CAkey", issuer[1], "-days", "2"]
        command += ["-copy_extensions", "copy", "-out", cert]
        subprocess.run(command, check=True, capture_output=True, input=request)
    return cert, key


def file_modes(directory: Path) -> dict:
    return {path.name: path.stat().st_mode & 0o777 for path in directory.iterdir()}


# ---- helpers: cookies and receivers ----------------------------------------------------------


COOKIES_TXT = (
    "# Netscape HTTP Cookie File\n"
    "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tsession\tabc\n"
    "#HttpOnly_.instagram.com\tTRUE\t/\tTRUE\t4102444800\tsessionid\tsecret-value\n"
)


def put_cookies(api: Api, body: bytes, content_type: str = "text/plain") -> Answer:
    return api.request("PUT", "/api/v1/cookies", body, headers={"Content-Type": content_type})


# ---- helpers: site doubles: TikTok and Instagram in a private namespace ----------------------


TIKTOK_USER = "pi.at.home"


TIKTOK_VIDEO = "7450000000000000001"  # a video post


TIKTOK_WALLED = "7450000000000000002"  # its page redirects to an intranet address


TIKTOK_PHOTOS = "7450000000000000003"  # a photo post: three images and a sound


TIKTOK_FLAKY = "7450000000000000004"  # the same, but its second image answers 429 once


TIKTOK_PHOTO_POSTS = (TIKTOK_PHOTOS, TIKTOK_FLAKY)


# A video whose page came the way TikTok changes its pages: the data script renamed
# (__UNIVERSAL_DATA_FOR_REHYDRATION_V2__), which the installed yt-dlp cannot read.
TIKTOK_RENAMED = "7450000000000000019"


INSTAGRAM_REEL = "DBreel0Pi12"  # a public reel


INSTAGRAM_CAROUSEL = "DBcarousel1"  # two images, then a video


INSTAGRAM_PHOTO = "DBphoto0001"  # a single image


TIKTOK_CDN, INSTAGRAM_CDN = "v16-webapp-prime.tiktok.com", "scontent.cdninstagram.com"


SITE_HOSTS = (
    "www.tiktok.com",
    "vm.tiktok.com",
    "vt.tiktok.com",
    "www.instagram.com",
    "i.instagram.com",
)


INTRANET = "intranet.test"  # 127.0.0.2: where no redirect may lead


SITE_MEDIA = {  # what each CDN path serves, and as what: distinct bytes, to tell them apart
    f"/video/{TIKTOK_VIDEO}.mp4": (random.Random(12).randbytes(180_000), "video/mp4"),
    f"/video/{TIKTOK_RENAMED}.mp4": (random.Random(22).randbytes(90_000), "video/mp4"),
    f"/v/{INSTAGRAM_REEL}.mp4": (random.Random(13).randbytes(150_000), "video/mp4"),
    "/photo/1.jpeg": (b"\xff\xd8\xff\xe0" + random.Random(14).randbytes(40_000), "image/jpeg"),
    "/photo/2.webp": (b"RIFF" + random.Random(15).randbytes(30_000), "image/webp"),
    "/photo/3.heic": (b"\0\0\0\x18ftypheic" + random.Random(16).randbytes(20_000), "image/heic"),
    "/photo/sound.mp3": (b"ID3" + random.Random(17).randbytes(50_000), "audio/mpeg"),
    "/v/c1.jpg": (b"\xff\xd8\xff\xe0" + random.Random(18).randbytes(35_000), "image/jpeg"),
    "/v/c2.webp": (b"RIFF" + random.Random(19).randbytes(25_000), "image/webp"),
    "/v/c3.mp4": (random.Random(20).randbytes(120_000), "video/mp4"),
    "/v/single.jpg": (b"\xff\xd8\xff\xe0" + random.Random(21).randbytes(45_000), "image/jpeg"),
}


SMALL_VERSION = "/v/small.jpg"  # the small version of every Instagram image: never chosen


CLONE_NEWNET = 0x40000000


RENAMED_SCRIPT = ("__UNIVERSAL_DATA_FOR_REHYDRATION__", "__UNIVERSAL_DATA_FOR_REHYDRATION_V2__")


GREASE = {0x0A0A + 0x1010 * n for n in range(16)}  # RFC 8701 values: browsers send them


def instagram_pk(shortcode: str) -> int:
    """The numeric media id behind a shortcode, as instagram.py's _id_to_pk computes it."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return functools.reduce(lambda pk, char: pk * 64 + alphabet.index(char), shortcode, 0)


def offers_grease(sock: socket.socket) -> bool:
    """Whether the TLS ClientHello waiting on sock offers a GREASE cipher suite, as browsers
    and curl_cffi do and Python's ssl never does. Peeks (as vidserve's tls-alpn-01 answer
    does): the handshake still sees it all."""
    hello = vidserve.peek_client_hello(sock)
    if len(hello) < 44 or hello[0] != 0x16 or hello[5] != 1:  # not a ClientHello
        return False
    at = 43 + 1 + hello[43]  # record and handshake headers, version, random; session id
    count = int.from_bytes(hello[at : at + 2])
    suites = hello[at + 2 : at + 2 + count]
    return any(int.from_bytes(suites[i : i + 2]) in GREASE for i in range(0, len(suites), 2))


class Namespace:
    """A private mount + network namespace, held open by a sleeping process."""

    def __init__(self, directory: Path):
        hosts = directory / "hosts"
        names = [*SITE_HOSTS, TIKTOK_CDN, INSTAGRAM_CDN]
        hosts.write_text(
            "127.0.0.1 localhost\n"
            + "".join(f"127.0.0.1 {name}\n" for name in names)
            + f"127.0.0.2 {INTRANET}\n"
        )
        script = f"mount --bind {hosts} /etc/hosts && ip link set lo up && echo ready"
        self.holder = subprocess.Popen(
            ["unshare", "--mount", "--net", "--", "sh", "-c", f"{script} && exec sleep infinity"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if self.holder.stdout.readline().strip() != "ready":
            raise OSError(self.holder.stderr.read().strip() or "unshare failed")
        self._network = os.open(f"/proc/{self.holder.pid}/ns/net", os.O_RDONLY)
        self._libc = ctypes.CDLL(None, use_errno=True)

    def command_prefix(self, directory: Path) -> list[str]:
        """What runs a command inside, in directory (entering a mount namespace goes to /)."""
        target = f"--target={self.holder.pid}"
        return ["nsenter", target, "--net", "--mount", f"--wd={directory}", "--"]

    def run(self, function, *args):
        """function(*args) in a thread that entered the namespace's network, so sockets it
        makes live there (setns changes only the calling thread)."""
        outcome = {}

        def inside():
            if self._libc.setns(self._network, CLONE_NEWNET) != 0:
                outcome["error"] = OSError(ctypes.get_errno(), "setns into the namespace")
                return
            try:
                outcome["value"] = function(*args)
            except Exception as err:  # noqa: BLE001 (handed back to the caller)
                outcome["error"] = err

        thread = threading.Thread(target=inside)
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def close(self):
        self.holder.kill()
        self.holder.wait()
        os.close(self._network)


class SiteHandler(QuietHandler):
    """Answers as TikTok, Instagram and their CDNs, by Host. Routes:

    vm.tiktok.com/<code>/, vt.tiktok.com/<code>/, www.tiktok.com/t/<code>/
                                          301 to the video's (ZTphoto...: the photo post's
                                          /photo/) page, a tracking query per share
    www.tiktok.com/@<user>/video/<id>     the page with __UNIVERSAL_DATA_FOR_REHYDRATION__:
                                          the post in webapp.video-detail (a photo post's
                                          with imagePost); <user> may be empty or _
    www.tiktok.com/@<user>/photo/<id>     as the real site: rehydration data WITHOUT
                                          webapp.video-detail, only seo.abtest.canonical;
                                          both a bot wall: non-browsers get a page without it
    www.tiktok.com/@<user>/video/WALLED   302 to https://intranet.test/ (127.0.0.2)
    www.instagram.com/                    the LSD token and a csrftoken cookie
    www.instagram.com/api/v1/web/get_ruling_for_content/   {"status": "ok"}
    www.instagram.com/api/graphql         the post, for browsers only (403 to others);
                                          nothing for a members-only post
    www.instagram.com/p/<code>            the logged-out page: no media in it
    www.instagram.com/api/v1/media/...    (logged in) 302 to the login page: cookies expired
    <cdn>/<path>                          SITE_MEDIA; any .jpg a small image;
    <cdn>/photo/flaky.webp                429 the first time, then /photo/2.webp
    any host on port 80                   301 to https
    """

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.answer(form=dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))

    def answer(self, head=False, form=None):
        host = (self.headers.get("Host") or "").split(":")[0]
        path = urllib.parse.urlsplit(self.path).path
        browser = self.server.browsers.get(self.client_address)
        self.server.seen.append((host, self.command, path, browser))
        if browser is None:  # plain http
            return self.send_body(
                b"", "text/plain", status=301, headers={"Location": f"https://{host}{self.path}"}
            )
        if self.server.accounts.answer(self, host, browser, head):  # TikTokAccounts, below
            return None
        if host in ("vm.tiktok.com", "vt.tiktok.com") or (
            host == "www.tiktok.com" and path.startswith("/t/")
        ):
            share = path.removeprefix("/t/").strip("/")
            post = (
                f"photo/{TIKTOK_PHOTOS}" if share.startswith("ZTphoto") else f"video/{TIKTOK_VIDEO}"
            )
            page = f"https://www.tiktok.com/@{TIKTOK_USER}/{post}"
            return self.send_body(
                b"", "text/plain", status=301, headers={"Location": f"{page}?_r=1&_t={share}"}
            )
        if host == "www.tiktok.com" and (
            match := re.fullmatch(r"/@[\w.-]*/(video|photo)/(\d+)", path)
        ):
            if match[2] == TIKTOK_WALLED:
                return self.send_body(
                    b"", "text/plain", status=302, headers={"Location": f"https://{INTRANET}/admin"}
                )
            if not browser:  # the bot wall: TikTok refuses clients that are not browsers
                return self.send_body(b"<html><body>Access denied</body></html>", "text/html")
            if match[2] == TIKTOK_REHYDRATE and (page := self.challenged_page()):
                return self.send_body(page.encode(), "text/html")
            page = tiktok_page(
                match[2],
                with_post=match[1] == "video",
                app_context="app-context dropped" not in self.server.changes,
            )
            if match[2] == TIKTOK_RENAMED:
                page = page.replace(RENAMED_SCRIPT[0], RENAMED_SCRIPT[1])
            return self.send_body(page.encode(), "text/html", head=head)
        if host.endswith("instagram.com") and path.startswith("/api/v1/media/"):
            # Logged-in media info with cookies Instagram no longer takes: to the login page
            # (yt-dlp then says "cookies are no longer valid" and goes on logged out).
            login = {"Location": "https://www.instagram.com/accounts/login/?next=/"}
            return self.send_body(b"", "text/plain", status=302, headers=login)
        if host == "www.instagram.com":
            return self.instagram(path, form, browser)
        if path == "/photo/flaky.webp" and self.first_time("flaky"):
            return self.send_body(
                b"slow down", "text/plain", status=429, headers={"Retry-After": "1"}
            )
        if path == f"/video/{TIKTOK_404_ONCE}.mp4" and self.first_time(path):
            return self.send_body(b"not here", "text/plain", status=404)
        if made := made_media(path):
            return self.send_body(*made, head=head)
        if path in SITE_MEDIA or path == "/photo/flaky.webp":
            return self.send_body(*SITE_MEDIA[path.replace("flaky", "2")], head=head)
        if path.endswith(".jpg"):
            return self.send_body(b"\xff\xd8\xff\xe0 a cover", "image/jpeg", head=head)
        return self.send_body(b"not here", "text/plain", status=404)

    def first_time(self, key: str) -> bool:
        """Whether key is asked for the first time in the session (flaky answers fail once)."""
        first = key not in self.server.failed_once
        self.server.failed_once.add(key)
        return first

    def challenged_page(self) -> str | None:
        """TikTok's page as it comes now and then (yt-dlp #17393): first its JS challenge,
        then, to the request carrying the solved challenge's cookie, still no rehydration
        data. Only the first time; None after (the page as usual)."""
        if not self.first_time("challenge"):
            cookie = http.cookies.SimpleCookie(self.headers.get("Cookie") or "")
            if "_wafchallengeid" in cookie and self.first_time("challenge answered"):
                self.server.challenge_answers.append(cookie["_wafchallengeid"].value)
                return "<html><head></head><body>Please wait...</body></html>"
            return None
        return tiktok_challenge_page()

    def instagram(self, path, form, browser):
        if path == "/":
            page = '<html><script type="application/json" id="__eqmc">{"l":"lsd-42"}</script>'
            cookie = {"Set-Cookie": "csrftoken=csrf42; Path=/; Domain=.instagram.com; Secure"}
            return self.send_body(page.encode(), "text/html", headers=cookie)
        if path == "/api/v1/web/get_ruling_for_content/":
            return self.send_body(b'{"status": "ok"}', "application/json")
        if path == "/api/graphql" and form is not None:
            if not browser:
                return self.send_body(
                    b'{"message": "login_required"}', "application/json", status=403
                )
            media_id = json.loads(form.get("variables", "{}")).get("media_id")
            post = INSTAGRAM_POSTS.get(media_id)
            body = {"data": {"xig_polaris_media": post and {"if_not_gated_logged_out": post}}}
            return self.send_body(json.dumps(body).encode(), "application/json")
        if path.startswith("/p/"):
            return self.send_body(b"<html><body>Log in to see this</body></html>", "text/html")
        return self.send_body(b"not here", "text/plain", status=404)


def tiktok_page(video_id: str, with_post: bool = True, app_context: bool = True) -> str:
    """A TikTok post's page as the real site sends it: rehydration data whose slashes are
    escaped (\\u002F), naming the post in seo.abtest.canonical, and holding the post itself
    (webapp.video-detail) only on its /video/ page, never on its /photo/ one; its
    webapp.app-context (language, region) a part TikTok may leave out."""
    photos = video_id in TIKTOK_PHOTO_POSTS
    canonical = f"https://www.tiktok.com/@{TIKTOK_USER}/{'photo' if photos else 'video'}/{video_id}"
    scope = {
        "webapp.app-context": {"language": "en", "region": "GB"},
        "seo.abtest": {"canonical": canonical, "pageId": video_id, "vidList": []},
        "webapp.a-b": {"b_c": "0"},
    }
    if not app_context:
        del scope["webapp.app-context"]
    if with_post:
        item = tiktok_item(video_id)
        scope["webapp.video-detail"] = {
            "statusCode": 0,
            "statusMsg": "",
            "itemInfo": {"itemStruct": item},
        }
    data = json.dumps({"__DEFAULT_SCOPE__": scope}).replace("/", "\\u002F")
    return (
        '<html><head></head><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"'
        f' type="application/json">{data}</script></body></html>'
    )


def tiktok_item(video_id: str) -> dict:
    """A post's itemStruct, shaped as the real site's: a video (playAddr) with its sound,
    or a photo post: a still video of no duration, imagePost and the sound."""
    item = {
        "id": video_id,
        "desc": "Sunset over the allotment #pi",
        "createTime": "1764500000",
        "author": {
            "id": "6800000000000000001",
            "uniqueId": TIKTOK_USER,
            "nickname": "Pi at home",
            "secUid": "MS4wLjABAAAApiathome",
        },
        "video": {
            "width": 576,
            "height": 1024,
            "duration": 3,
            "ratio": "540p",
            "format": "mp4",
            "playAddr": f"https://{TIKTOK_CDN}/video/{video_id}.mp4",
            "cover": f"https://{TIKTOK_CDN}/cover/{video_id}.jpg",
        },
        "music": {
            "title": "original sound",
            "authorName": "Pi at home",
            "original": True,
            "playUrl": f"https://{TIKTOK_CDN}/photo/sound.mp3",
        },
        "stats": {"playCount": 10, "diggCount": 2, "shareCount": 0, "commentCount": 0},
    }
    item["video"] |= tiktok_formats(video_id)  # the posts of issue 23's tests
    if video_id in TIKTOK_PHOTO_POSTS:  # a still video, and imagePost
        item["desc"] = "Three views of the Pi"
        item["video"] = {"width": 1080, "height": 1440, "duration": 0}
        second = "flaky" if video_id == TIKTOK_FLAKY else "2"
        image = {"imageWidth": 1080, "imageHeight": 1440}
        item["imagePost"] = {
            "images": [
                {"imageURL": {"urlList": [f"https://{TIKTOK_CDN}{path}"]}, **image}
                for path in ("/photo/1.jpeg", f"/photo/{second}.webp", "/photo/3.heic")
            ],
            "cover": {"imageURL": {"urlList": [f"https://{TIKTOK_CDN}/cover/1.jpg"]}, **image},
            "title": "",
        }
    return item


def instagram_reel() -> dict:
    """An Instagram reel as the logged-out GraphQL query answers it."""
    return instagram_post(
        INSTAGRAM_REEL,
        caption={"text": "Bread from the Pi oven"},
        video_duration=3.0,
        video_versions=[
            {"url": f"https://{INSTAGRAM_CDN}/v/{INSTAGRAM_REEL}.mp4", "width": 720, "height": 1280}
        ],
        image_versions2={
            "candidates": [
                {
                    "url": f"https://{INSTAGRAM_CDN}/v/{INSTAGRAM_REEL}.jpg",
                    "width": 720,
                    "height": 1280,
                }
            ]
        },
    )


def instagram_image(code: str, large: str) -> dict:
    """An image of a post as Instagram lists it: versions, largest first, and no video."""
    return {
        "pk": str(instagram_pk(code)),
        "code": code,
        "media_type": 1,
        "image_versions2": {
            "candidates": [
                {"url": f"https://{INSTAGRAM_CDN}{large}", "width": 1080, "height": 1350},
                {"url": f"https://{INSTAGRAM_CDN}{SMALL_VERSION}", "width": 320, "height": 400},
            ]
        },
    }


def instagram_post(code: str, **media) -> dict:
    """A post as the logged-out GraphQL query answers it: who, when, then its media."""
    return {
        "pk": str(instagram_pk(code)),
        "code": code,
        "user": {"username": "pi.at.home", "pk": "17841400000000001", "full_name": "Pi"},
        "caption": {"text": "The Pi, seen from three sides"},
        "taken_at": 1764500000,
        **media,
    }


INSTAGRAM_POSTS = {  # by media id, as the GraphQL query asks
    str(instagram_pk(INSTAGRAM_REEL)): instagram_reel(),
    str(instagram_pk(INSTAGRAM_CAROUSEL)): instagram_post(
        INSTAGRAM_CAROUSEL,
        carousel_media=[
            instagram_image("DBcarItem01", "/v/c1.jpg"),
            instagram_image("DBcarItem02", "/v/c2.webp"),
            {
                **instagram_image("DBcarItem03", "/v/c3.jpg"),
                "media_type": 2,
                "video_versions": [
                    {"url": f"https://{INSTAGRAM_CDN}/v/c3.mp4", "width": 720, "height": 1280}
                ],
            },
        ],
    ),
    str(instagram_pk(INSTAGRAM_PHOTO)): instagram_post(
        INSTAGRAM_PHOTO,
        media_type=1,
        image_versions2=instagram_image(INSTAGRAM_PHOTO, "/v/single.jpg")["image_versions2"],
    ),
}


class SiteDoubles(ThreadingHTTPServer):
    """One server answering for every site name on a port: TLS on 443, plain on 80. Records
    (host, method, path, browser) for each request, browser being whether the client's
    ClientHello carried GREASE (None over plain http)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple, context: ssl.SSLContext | None, seen: list):
        super().__init__(address, SiteHandler)
        self.context, self.seen = context, seen
        self.browsers: dict = {}  # client address -> browser, per connection
        self.failed_once: set = set()  # flaky items that have failed their once
        self.changes: set = set()  # how a test has the sites change their pages meanwhile
        self.challenge_answers: list = []  # the _wafchallengeid cookies TikTok's page got
        self.accounts = TikTokAccounts()  # followed accounts' profiles and listings

    def finish_request(self, sock, client_address):
        browser = None
        if self.context is not None:
            sock.settimeout(10)
            browser = offers_grease(sock)
            try:
                sock = self.context.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                sock.close()
                return
        self.browsers[client_address] = browser
        super().finish_request(sock, client_address)

    def handle_error(self, request, client_address):
        pass  # clients cut off mid-answer


def site_certificate(directory: Path) -> ssl.SSLContext:
    """One self-signed certificate for every name the doubles answer for."""
    names = ",".join(f"DNS:{name}" for name in (*SITE_HOSTS, TIKTOK_CDN, INSTAGRAM_CDN, INTRANET))
    cert, key = directory / "sites.pem", directory / "sites.key"
    run_command(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "2", "-subj", "/CN=site doubles", "-addext"),
            *(f"subjectAltName={names}", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    """The namespace, with the site doubles serving in it; `sites.seen` lists what they were
    asked, `sites.intranet_seen` what reached 127.0.0.2 (which nothing may). Skips where a
    namespace cannot be made (it needs root)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("site doubles need root, unshare and nsenter (CI runs as root)")
    directory = tmp_path_factory.mktemp("sites")
    try:
        namespace = Namespace(directory)
    except OSError as err:
        pytest.skip(f"cannot make a private network namespace here: {err}")
    context = site_certificate(directory)
    namespace.seen, namespace.intranet_seen = [], []
    servers = namespace.run(
        lambda: [
            SiteDoubles(("127.0.0.1", 443), context, namespace.seen),
            SiteDoubles(("127.0.0.1", 80), None, namespace.seen),
            SiteDoubles(("127.0.0.2", 443), context, namespace.intranet_seen),
        ]
    )
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    namespace.doubles = servers[0]
    yield namespace
    for server in servers:
        server.shutdown()
    namespace.close()


SITE_SETTINGS = {
    "allowed_domains": ["tiktok.com", "instagram.com"],
    "allow_private_addresses": True,  # the doubles are at 127.0.0.1
    "ytdlp_options": {"nocheckcertificate": True},  # their certificate is self-signed
}


def asked(sites, host: str, path: str, method: str = "GET") -> list:
    """For each time a double was asked for host+path: whether the client was a browser."""
    return [browser for h, m, p, browser in sites.seen if (h, m, p) == (host, method, path)]


# ---- helpers: a household: people and the CLI ------------------------------------------------


def vidserve_cli(api: Api, *arguments: str) -> subprocess.CompletedProcess:
    """`vidserve.py ARGUMENTS` with a running server's own configuration and data directory."""
    return run_command(
        [sys.executable, str(VIDSERVE), *arguments, "--config", "vidserve.toml"],
        cwd=api.data_dir.parent,
    )


def add_person(owner: Api, name: str) -> Api:
    """A person added with the CLI while the server runs; their client, with their token."""
    added = vidserve_cli(owner, "user", "add", name)
    assert added.returncode == 0, added.stderr
    return replace(owner, token=added.stdout.strip())


@dataclass
class Household:
    owner: Api
    alice: Api  # added with the CLI while the server runs
    bob: Api  # added with POST /api/v1/users
    shared_url: str  # each of the three has downloaded it once
    downloads: dict  # who -> the status object of that download


@pytest.fixture(scope="module")
def household(tmp_path_factory, media_server):
    """The owner and two people on one running server, each with the same link downloaded."""
    with start_vidserve(tmp_path_factory.mktemp("household"), events_heartbeat_s=0.5) as owner:
        alice = add_person(owner, "alice")
        created = owner.post("/api/v1/users", {"name": "bob"})
        assert created.status == 201, created.body
        bob = replace(owner, token=created.json["token"])
        shared_url = unique(media_server, "household")
        downloads = {
            who: api.wait_for(api.submit(shared_url))
            for who, api in (("owner", owner), ("alice", alice), ("bob", bob))
        }
        yield Household(owner, alice, bob, shared_url, downloads)


# ---- helpers: a server in this process, yt-dlp's own choice ----------------------------------


@contextlib.contextmanager
def serve_in_process(directory: Path):
    """vidserve in this process (to look at its threads, or change a limit of its own)."""
    config = vidserve.loopback_config(
        str(directory), allowed_domains=("127.0.0.1", "localhost"), log_level="debug"
    )
    service = vidserve.Service(config).start()
    try:
        yield service, Api(service.server.url, service.cert_file, service.token, config.data_path)
    finally:
        service.stop()


# ---- helpers: the source of vidserve.py ------------------------------------------------------


SOURCE = Path(vidserve.__file__).read_text()


BANNER = re.compile(r"^# ---- (\d+[a-z]?)\. (.+?) -+$", re.MULTILINE)


def sections() -> list[tuple[str, str, int]]:
    """The banners in the file: (number, title, lines up to the next banner or the end)."""
    found = list(BANNER.finditer(SOURCE))
    ends = [m.start() for m in found[1:]] + [len(SOURCE)]
    return [
        (m[1], m[2], SOURCE.count("\n", m.start(), end)) for m, end in zip(found, ends, strict=True)
    ]


@pytest.fixture(scope="module")
def ydl():
    yt_dlp = vidserve.import_ytdlp()
    with yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True}) as instance:
        yield instance


# ---- helpers: TikTok's pages and formats, made media -----------------------------------------


TIKTOK_REHYDRATE = "7450000000000000005"  # its page comes once without rehydration data


TIKTOK_404_ONCE = "7450000000000000006"  # its video answers 404 once, as TikTok's CDN does


CHALLENGE_BASE, CHALLENGE_NUMBER = b"vidserve double", b"4242"  # sha256(base + number)


def tiktok_challenge_page() -> str:
    """TikTok's JS challenge as yt-dlp's _solve_challenge_and_set_cookies reads it: base64
    JSON (its padding cut) in #cs's class, asking for the number whose sha256 after `a` is
    `c`; the cookie to answer it in, named in #wci's class."""
    digest = hashlib.sha256(CHALLENGE_BASE + CHALLENGE_NUMBER).digest()
    challenge = {
        "v": {
            "a": base64.b64encode(CHALLENGE_BASE).decode(),
            "c": base64.b64encode(digest).decode(),
        }
    }
    encoded = base64.b64encode(json.dumps(challenge).encode()).decode().rstrip("=")
    return (
        f'<html><body><div id="cs" class="{encoded}"></div>'
        '<div id="wci" class="_wafchallengeid"></div>Please wait...</body></html>'
    )


TIKTOK_SILENT_PLAY = "7450000000000000008"  # its first choice, "play", is HEVC without sound


TIKTOK_HEV1 = "7450000000000000009"  # HEVC only, tagged hev1


VIDEO_RECIPES = {  # ffmpeg's options for the media these posts serve, all in mp4
    "h264": ["-c:v", "libx264", "-c:a", "aac"],
    "hevc-silent": ["-an", "-c:v", "libx265", "-tag:v", "hvc1", "-x265-params", "log-level=1"],
    "hev1": ["-c:v", "libx265", "-tag:v", "hev1", "-x265-params", "log-level=1", "-c:a", "aac"],
    "av1": ["-c:v", "libaom-av1", "-cpu-used", "8", "-b:v", "200k", "-c:a", "aac"],
    "vp9": ["-an", "-c:v", "libvpx-vp9", "-deadline", "realtime"],
    "aac": ["-vn", "-c:a", "aac"],
}


MADE_MEDIA = {  # CDN path -> recipe
    f"/video/{TIKTOK_REHYDRATE}.mp4": "h264",
    f"/video/{TIKTOK_404_ONCE}.mp4": "h264",
    f"/video/{TIKTOK_SILENT_PLAY}.mp4": "hevc-silent",
    f"/video/{TIKTOK_SILENT_PLAY}-h264.mp4": "h264",
    f"/video/{TIKTOK_HEV1}.mp4": "hev1",
    f"/video/{TIKTOK_HEV1}-bytevc1.mp4": "hev1",
    "/v/choice-h264.mp4": "h264",
    "/v/choice-av1.mp4": "av1",
    "/v/choice-vp9.mp4": "vp9",
    "/v/choice-audio.m4a": "aac",
}


@functools.cache
def made_video(recipe: str) -> bytes:
    return encoded(VIDEO_RECIPES[recipe], "mp4")


def made_media(path: str) -> tuple[bytes, str] | None:
    """What the doubles serve for the posts of this block: real media, made by ffmpeg."""
    if path not in MADE_MEDIA:
        return None
    return made_video(MADE_MEDIA[path]), "audio/mp4" if path.endswith(".m4a") else "video/mp4"


def bitrate_info(post_id: str, url_key: str, suffix: str, width: int, height: int) -> dict:
    """One entry of a TikTok video's bitrateInfo, shaped as the real site's (a UrlKey that
    names codec, resolution and bitrate, which yt-dlp reads them from)."""
    bitrate = int(url_key.rsplit("_", 1)[1])
    return {
        "Bitrate": bitrate,
        "CodecType": "h265_hvc1" if "bytevc1" in url_key else "h264",
        "GearName": f"normal_{height}_0",
        "QualityType": 20,
        "PlayAddr": {
            "Uri": f"v12044gd0000{post_id}",
            "UrlKey": f"v12044gd0000{post_id}_{url_key}",
            "DataSize": 60000,
            "Width": width,
            "Height": height,
            "UrlList": [f"https://{TIKTOK_CDN}/video/{post_id}{suffix}.mp4"],
        },
    }


def tiktok_formats(post_id: str) -> dict:
    """The video part of this block's TikTok posts: a silent HEVC file as playAddr (which
    yt-dlp calls h264 with aac, #16950) beside a smaller H.264 with sound; HEVC alone."""
    if post_id == TIKTOK_SILENT_PLAY:
        return {"bitrateInfo": [bitrate_info(post_id, "h264_360p_500000", "-h264", 360, 640)]}
    if post_id == TIKTOK_HEV1:
        return {
            "codecType": "h265_hvc1",
            "bitrateInfo": [bitrate_info(post_id, "bytevc1_540p_400000", "-bytevc1", 576, 1024)],
        }
    return {}


# ---- helpers: a Pi's network in a namespace --------------------------------------------------


def trickling(address: tuple, count: int, first: bytes) -> list[socket.socket]:
    """count connections that each send `first` and then nothing: a slowloris' opening."""
    flood = []
    for _ in range(count):
        sock = socket.create_connection(address, timeout=10)
        sock.sendall(first)
        flood.append(sock)
    return flood


# ---- helpers: a phone's home network, a start that fails, a python without yt-dlp -----------
#
# A Pi at home as a phone sees it: a private network namespace (Namespace's, reused) whose
# veth pair is up, `home0` holding a LAN address and a unique-local IPv6 one, as eth0 would.
# vidserve runs inside through nsenter; these tests use no address outside it.


HOME_IPV4, HOME_ULA, HOME_NEW_IPV4 = "192.168.77.20", "fd00:77::20", "192.168.77.21"


# Run as `python3 -c WITHOUT_NETLINK COMMAND...`: COMMAND, unable to open a netlink socket
# (a seccomp filter, as systemd makes one of vidserve.service's RestrictAddressFamilies=
# AF_INET AF_INET6 AF_UNIX): getifaddrs(3) and if_nameindex(3) then fail, as under the unit.
WITHOUT_NETLINK = """
import ctypes, os, platform, socket, struct, sys
NR_SOCKET = {"x86_64": 41, "aarch64": 198, "armv7l": 281}[platform.machine()]
def op(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)
program = b"".join([  # socket(AF_NETLINK, ...) fails with EAFNOSUPPORT; the rest is allowed
    op(0x20, 0), op(0x15, NR_SOCKET, 0, 3), op(0x20, 16), op(0x15, socket.AF_NETLINK, 0, 1),
    op(0x06, 0x00050000 | 97), op(0x06, 0x7FFF0000),
])
code = ctypes.create_string_buffer(program)
fprog = struct.pack("HP", len(program) // 8, ctypes.addressof(code))  # struct sock_fprog
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, fprog, 0, 0):  # no new privs; the filter
    raise OSError(ctypes.get_errno(), "seccomp")
os.execvp(sys.argv[1], sys.argv[1:])
"""


class HomeNetwork(Namespace):
    """Namespace with the home LAN on `home0` (a veth pair works where there is no dummy
    driver); `ip(...)` changes it while vidserve runs, which runs without netlink, as
    vidserve.service has it."""

    def __init__(self, directory: Path):
        super().__init__(directory)
        self.ip("link", "add", "home0", "type", "veth", "peer", "name", "home1")
        self.ip("link", "set", "home1", "up")
        self.ip("link", "set", "home0", "up")
        self.ip("addr", "add", f"{HOME_IPV4}/24", "dev", "home0")
        self.ip("-6", "addr", "add", f"{HOME_ULA}/64", "dev", "home0", "nodad")  # not tentative

    def ip(self, *arguments: str) -> None:
        command = ["nsenter", f"--target={self.holder.pid}", "--net", "ip", *arguments]
        run_command(command, check=True)

    def command_prefix(self, directory: Path) -> list[str]:
        return [*super().command_prefix(directory), sys.executable, "-c", WITHOUT_NETLINK]


@pytest.fixture
def home(tmp_path):
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("the home network needs root, unshare and nsenter (CI runs as root)")
    try:
        network = HomeNetwork(tmp_path)
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip(f"cannot make a network namespace with a veth pair here: {err}")
    yield network
    network.close()


@contextlib.contextmanager
def home_vidserve(directory: Path, network: HomeNetwork, **settings):
    """vidserve listening on every address of the home network (IPv4 unless `host` says
    otherwise); its Api speaks to the LAN address, verifying the certificate with hostname
    checking on, as a phone does."""
    settings = {"host": "0.0.0.0"} | settings
    with start_vidserve(directory, namespace=network, **settings) as api:
        yield replace(api, base_url=f"https://{HOME_IPV4}:{api_port(api)}")


def certificate_text(cert: Path) -> str:
    return run_command(["openssl", "x509", "-noout", "-text", "-in", cert], check=True).stdout


def failed_start(directory: Path, settings: dict, prefix=()) -> subprocess.CompletedProcess:
    """vidserve started with `settings`, expected to stop at once: its exit and output."""
    directory.mkdir(parents=True, exist_ok=True)
    write_config(directory / "vidserve.toml", TEST_SETTINGS | settings)
    command = [*prefix, sys.executable, str(VIDSERVE), "--config", str(directory / "vidserve.toml")]
    return run_command(command, cwd=directory, timeout_s=30)


def assert_one_line_error(result: subprocess.CompletedProcess, *named: str):
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("vidserve: setting "), result.stderr
    assert all(word in lines[0] for word in named), lines[0]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> str:
    """A python with nothing but the standard library: a venv of the base interpreter, as
    `python3 vidserve.py` runs on a fresh Raspberry Pi OS."""
    directory = tmp_path_factory.mktemp("bare-python")
    base = getattr(sys, "_base_executable", sys.executable)
    run_command([base, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = str(directory / "bin" / "python")
    assert run_command([python, "-c", "import yt_dlp"]).returncode != 0
    return python


# ---- helpers: TikTok accounts ----------------------------------------------------------------


class TikTokAccount:
    """One account: its posts, newest first, and what its listing was asked."""

    def __init__(self, name: str, posts: int):
        self.name = name
        self.sec_uid = "MS4wLjABAAAA" + hashlib.sha256(name.encode()).hexdigest()  # [\\w-]{64}
        self.posts: list[tuple[str, int]] = []  # (id, createTime in seconds), newest first
        self.blocked = False  # the listing answers 403, as TikTok does to a refused network
        self.queries: list[dict] = []  # each item_list request's query
        for _ in range(posts):
            self.publish()

    def publish(self) -> str:
        """A new post, newer than all before and older than now; its id."""
        number = len(self.posts) + 1
        post_id = (
            f"76{int(hashlib.sha256(self.name.encode()).hexdigest()[:8], 16):010d}{number:05d}"
        )
        self.posts.insert(0, (post_id, int(time.time()) - 86400 + number * 60))
        return post_id

    @property
    def url(self) -> str:
        return f"https://www.tiktok.com/@{self.name}"

    def post_url(self, post_id: str) -> str:
        return f"{self.url}/video/{post_id}"

    @property
    def checks(self) -> int:
        """How many listings began: first pages asked for (a cursor of about now)."""
        return sum(int(query["cursor"]) > (time.time() - 3600) * 1000 for query in self.queries)

    def profile_page(self) -> bytes:
        user = {"id": "6800000000000000009", "uniqueId": self.name, "nickname": self.name}
        detail = {
            "statusCode": 0,
            "userInfo": {
                "user": user | {"secUid": self.sec_uid, "privateAccount": False},
                "stats": {"followerCount": 3, "videoCount": len(self.posts)},
                "statsV2": {"videoCount": str(len(self.posts))},
                "itemList": [],
            },
        }
        data = json.dumps({"__DEFAULT_SCOPE__": {"webapp.user-detail": detail}})
        return (
            '<html><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"'
            f' type="application/json">{data}</script></body></html>'
        ).encode()

    def listing(self, query: dict) -> bytes:
        """One page of item_list: posts older than the cursor, newest first."""
        self.queries.append(query)
        cursor, count = int(query["cursor"]), min(int(query["count"]), 15)
        older = [(i, t) for i, t in self.posts if t * 1000 < cursor]
        author = {"id": "6800000000000000009", "uniqueId": self.name, "secUid": self.sec_uid}
        items = [
            {
                "id": post_id,
                "desc": f"post {post_id}",
                "createTime": created,
                "author": author | {"nickname": self.name},
                "video": {"id": post_id, "duration": 3, "cover": f"https://{TIKTOK_CDN}/c.jpg"},
                "music": {"title": "original sound", "authorName": self.name},
                "stats": {"playCount": 1, "diggCount": 0},
            }
            for post_id, created in older[:count]
        ]
        page = {"statusCode": 0, "status_code": 0, "hasMore": False, "itemList": items}
        return json.dumps(page | {"hasMorePrevious": len(older) > count}).encode()


class TikTokAccounts:
    """The accounts TikTok's doubles know, by name; SiteHandler asks `answer` first."""

    def __init__(self):
        self.by_name: dict[str, TikTokAccount] = {}

    def add(self, posts: int) -> TikTokAccount:
        account = TikTokAccount(f"acct.{random.randrange(10**9)}", posts)
        self.by_name[account.name] = account
        return account

    def media(self, post_id: str) -> bytes | None:
        """A post's video (its page is tiktok_page's), if it is one of theirs."""
        if any(post_id in dict(a.posts) for a in list(self.by_name.values())):
            return random.Random(post_id).randbytes(20_000)
        return None

    def answer(self, handler: SiteHandler, host: str, browser: bool, head: bool) -> bool:
        path, _, query = handler.path.partition("?")
        match = re.fullmatch(r"/video/(\d+)\.mp4", path)
        if host == TIKTOK_CDN and match and (body := self.media(match[1])) is not None:
            handler.send_body(body, "video/mp4", head=head)
            return True
        if host != "www.tiktok.com":
            return False
        if (match := re.fullmatch(r"/@([\w.-]+)", path)) and match[1] in self.by_name:
            page = self.by_name[match[1]].profile_page() if browser else b"<html>Access denied"
            handler.send_body(page, "text/html", head=head)
        elif path.startswith("/embed/@"):
            handler.send_body(b"not here", "text/plain", status=404)
        elif path == "/api/creator/item_list/":
            fields = dict(urllib.parse.parse_qsl(query))
            found = [a for a in self.by_name.values() if a.sec_uid == fields.get("secUid")]
            if not found or found[0].blocked:
                handler.send_body(b'{"statusCode": 10000}', "application/json", status=403)
            else:
                handler.send_body(found[0].listing(fields), "application/json")
        else:
            return False
        return True


def hours_until(timestamp: str) -> float:
    then = time.mktime(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    return (then - time.time()) / 3600


def checked(api: Api, follow_id: str) -> dict:
    """The follow once its due check has run (its next check is then an hour away at least)."""

    def done():
        follow = api.get(f"/api/v1/follows/{follow_id}").json
        return follow if hours_until(follow["next_check_at"]) > 0.9 else None

    return wait_until(done, 60, "the follow's check")


def follow(api: Api, account: TikTokAccount, **fields) -> dict:
    """Follow the account; the follow once its first check has run."""
    created = api.post("/api/v1/follows", {"url": account.url, **fields})
    assert created.status == 201, created.body
    return checked(api, created.json["follow_id"])


# ---- helpers: an ACME double -----------------------------------------------------------------


def rate_limited(base: str) -> dict:
    problem = {"type": "urn:ietf:params:acme:error:rateLimited", "detail": "slow down"}
    return {
        ("POST", "/account"): (429, {"Retry-After": "99999999999"}, json.dumps(problem).encode())
    }


# ---- 1. Limits and shared helpers: the file itself, the names it borrows, private files ------


def table_of_contents() -> list[tuple[str, str]]:
    """The sections the module docstring names: (number, title), in order."""
    entry = re.compile(r"^ +(\d+[a-z]?)\. (.+?)(?:\s{2,}|$)")
    return [m.groups() for line in vidserve.__doc__.splitlines() if (m := entry.match(line))]


def test_module_docstring_names_exactly_the_sections_the_banners_open():
    banners = [(number, title) for number, title, _ in sections()]

    assert table_of_contents() == banners


def test_the_tests_follow_the_sections_of_the_file_in_its_order():
    own = Path(__file__).read_text()
    groups = re.findall(r"^# ---- (\d+)\. ([^:]+?)(?::.*?)? -+$", own, re.MULTILINE)
    titles = {number: title for number, title, _ in sections()}

    assert [int(number) for number, _ in groups] == sorted(int(number) for number in titles)
    assert all(titles[number] == title for number, title in groups)


def test_no_section_passes_a_thousand_lines():
    too_long = [(title, length) for _, title, length in sections() if length > 1000]

    assert too_long == []


def test_no_function_passes_150_lines():
    functions = [node for node in ast.walk(ast.parse(SOURCE)) if isinstance(node, ast.FunctionDef)]
    too_long = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in functions
        if node.end_lineno - node.lineno + 1 > 150
    ]

    assert too_long == []


def test_nothing_stands_outside_a_banner_for_more_than_150_lines():
    first_banner = SOURCE.count("\n", 0, BANNER.search(SOURCE).start())

    assert first_banner <= 150  # the docstring and the imports


def test_no_class_passes_300_lines():
    classes = [node for node in ast.walk(ast.parse(SOURCE)) if isinstance(node, ast.ClassDef)]
    too_long = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in classes
        if node.end_lineno - node.lineno + 1 > 300
    ]

    assert too_long == []


# Tables whose SQL more than one capability runs: the jobs table's counts and search index are
# read by History too. Every other table is named in SQL by one section, and the migrations.
SHARED_TABLES = {
    "jobs": {"Jobs", "History and events"},
    "job_counts": {"Jobs", "History and events"},
}


def sections_naming_tables_in_sql() -> dict[str, set[str]]:
    """table -> the titles of the sections (but Database, whose migrations make every table)
    whose string constants name it in SQL (FROM, INTO, UPDATE, JOIN, TABLE)."""
    tables = set(re.findall(r"CREATE (?:VIRTUAL )?TABLE (\w+)", "".join(vidserve.MIGRATIONS)))
    naming = re.compile(rf"\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\s+({'|'.join(tables)})\b")
    starts = [(SOURCE.count("\n", 0, m.start()) + 1, m[2]) for m in BANNER.finditer(SOURCE)]
    found: dict[str, set[str]] = collections.defaultdict(set)
    for node in ast.walk(ast.parse(SOURCE)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            title = next((title for line, title in reversed(starts) if line <= node.lineno), "")
            for table in naming.findall(node.value):
                if title != "Database":
                    found[table].add(title)
    return found


def test_each_tables_sql_stands_in_its_capabilitys_section_and_the_migrations():
    found = sections_naming_tables_in_sql()
    strays = {
        table: titles
        for table, titles in found.items()
        if len(titles) > 1 and titles != SHARED_TABLES.get(table)
    }

    assert {"jobs", "users", "follows"} <= found.keys()  # the check sees SQL where it is
    assert strays == {}


def test_private_names_of_other_libraries_are_used_only_through_borrowed():
    borrowed = inspect.getsource(vidserve.Borrowed)
    elsewhere = SOURCE.replace(borrowed, "")
    private = re.compile(
        r"\b(?:_ies|_parser|_constants|_headers_buffer|_get_available_\w+"
        r"|_extract_web_data_and_status|_parse_aweme_video_web|_get_universal_data|_request_director"
        r"|_extract_embeds|_EMBED_REGEX|real_class)\b"
    )

    assert private.findall(borrowed)
    assert private.findall(elsewhere) == []


def test_borrowed_extractors_in_order_are_yt_dlps_with_generic_last(ydl):
    extractors = vidserve.Borrowed.extractors_in_order(ydl)

    assert list(extractors)[-1] == "Generic"
    assert "TikTok" in extractors and "Instagram" in extractors


def test_borrowed_url_patterns_of_an_extractor_match_its_links(ydl):
    patterns = vidserve.Borrowed.url_patterns(ydl.get_info_extractor("TikTok").__class__)

    patterns = [patterns] if isinstance(patterns, str) else patterns
    assert any(re.match(p, "https://www.tiktok.com/@someone/video/7123") for p in patterns)


def test_borrowed_impersonate_targets_list_browsers_where_curl_cffi_is_installed(ydl):
    targets = vidserve.Borrowed.impersonate_targets(ydl)

    assert isinstance(targets, list)
    try:
        import curl_cffi  # noqa: F401
    except ImportError:
        return
    assert targets and all(len(target) == 2 for target in targets)


def test_borrowed_regex_parser_gives_the_texts_a_pattern_requires():
    parsed = vidserve.Borrowed.parse_regex(r"https?://(?:www\.)?example\.com/watch/(?P<id>\d+)")
    literal = vidserve.Borrowed.regex_opcodes().LITERAL

    assert any(op is literal for op, _ in parsed)
    assert "example.com/watch/" in json.dumps(vidserve.requirements_of(parsed))


def test_borrowed_print_nothing_skips_yt_dlps_print_tables_unless_asked_to_print(ydl):
    yt_dlp = vidserve.import_ytdlp()
    info = {"id": "x", "title": "t", "ext": "mp4", "formats": []}
    printing = yt_dlp.YoutubeDL({"quiet": True, "forceprint": {"video": ["id"]}})

    vidserve.Borrowed.print_nothing(ydl)
    vidserve.Borrowed.print_nothing(printing)

    assert "formats_table" in inspect.getsource(type(ydl)._forceprint)  # what it would render
    assert ydl._forceprint("video", info) is info
    assert "_forceprint" not in vars(printing)


def test_borrowed_connect_directly_clears_the_proxy_of_the_python_handlers_only():
    yt_dlp = vidserve.import_ytdlp()
    proxy = "http://worker-1:secret@127.0.0.1:9"
    with yt_dlp.YoutubeDL({"quiet": True, "proxy": proxy}) as ydl:
        vidserve.Borrowed.connect_directly(ydl)
        handlers = ydl._request_director.handlers

        assert {"Urllib", "Requests"} <= handlers.keys()  # both installed here
        assert handlers["Urllib"].proxies == handlers["Requests"].proxies == {}
        for key in handlers.keys() - {"Urllib", "Requests"}:  # curl_cffi, websockets
            assert handlers[key].proxies == {"all": proxy}, key


def test_borrowed_tiktok_post_info_reads_a_posts_item(ydl):
    extractor = ydl.get_info_extractor("TikTok")
    item = {
        "id": "7123",
        "desc": "a post",
        "createTime": 1700000000,
        "author": {"uniqueId": "someone", "nickname": "Some One"},
    }

    info = vidserve.Borrowed.tiktok_post_info(
        extractor, item, "https://www.tiktok.com/@someone/video/7123", "7123"
    )

    assert info["id"] == "7123" and info["timestamp"] == 1700000000
    assert info["uploader"] == "someone"


class RehydrationPage(BaseHTTPRequestHandler):
    """A post's page as TikTok's web site writes it: the item inside the rehydration data."""

    def do_GET(self):
        data = {
            "__DEFAULT_SCOPE__": {
                "webapp.video-detail": {
                    "statusCode": 0,
                    "itemInfo": {"itemStruct": {"id": "7123", "desc": "a post"}},
                },
                "seo.abtest": {"canonical": "https://www.tiktok.com/@someone/video/7123"},
            }
        }
        body = (
            '<html><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
            + json.dumps(data)
            + "</script></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_borrowed_tiktok_web_item_reads_the_item_and_status_of_a_posts_page(ydl):
    server = ThreadingHTTPServer(("127.0.0.1", 0), RehydrationPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/@someone/video/7123"

    try:
        item, status, canonical = vidserve.Borrowed.tiktok_web_item(
            ydl.get_info_extractor("TikTok"), url, "7123"
        )
    finally:
        server.shutdown()

    assert (item["id"], item["desc"], status) == ("7123", "a post", 0)
    assert canonical == "https://www.tiktok.com/@someone/video/7123"


class OneWrite(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        vidserve.Borrowed.send_with_headers(self, b"hello")

    def log_message(self, *args):
        pass


def test_borrowed_send_with_headers_sends_the_headers_and_body_together():
    server = ThreadingHTTPServer(("127.0.0.1", 0), OneWrite)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        connection.request("GET", "/")
        reply = connection.getresponse()
        status, body = reply.status, reply.read()
        connection.close()
    finally:
        server.shutdown()

    assert (status, body) == (200, b"hello")


def test_files_are_0600_and_directories_0700_under_umask_000(tmp_path, media_server):
    ca_file, _ = make_certificate(tmp_path, "some-ca")
    settings = {
        "acme_domain": ACME_DOMAIN,
        "acme_directory": f"https://127.0.0.1:{free_port()}/dir",
        "acme_ca_file": str(ca_file),
    }
    old_umask = os.umask(0)
    try:
        with start_vidserve(tmp_path / "server", **settings) as api:
            api.wait_for(api.submit(unique(media_server, "modes")))
            assert put_cookies(api, COOKIES_TXT.encode()).status == 200
            wait_until(lambda: (api.data_dir / "acme" / "account.key").exists(), 20, "a key")
            data, downloads = file_modes(api.data_dir), file_modes(api.download_dir)
            acme = file_modes(api.data_dir / "acme")
            data_dir = api.data_dir.stat().st_mode & 0o777
    finally:
        os.umask(old_umask)

    assert data_dir == 0o700
    secrets_ = ("vidserve.db", "vidserve.db-wal", "vidserve.db-shm", "token", "key.pem")
    assert {
        name: data[name] for name in (*secrets_, "link-secret", "cookies.txt")
    } == dict.fromkeys((*secrets_, "link-secret", "cookies.txt"), 0o600)
    assert data["acme"] == 0o700 and acme["account.key"] == 0o600
    assert downloads[".partial"] == downloads[".thumbnails"] == 0o700


# ---- 2. Configuration ------------------------------------------------------------------------


def test_config_precedence_is_defaults_then_file_then_environment_then_flags(tmp_path):
    path = write_config(tmp_path / "vidserve.toml", {"port": 1111, "workers": 3, "tls": False})
    environ = {"VIDSERVE_PORT": "2222", "VIDSERVE_MAX_RETRIES": "7"}

    config = vidserve.load_config({"port": "3333"}, environ, str(path))

    assert config.port == 3333  # flag beats environment beats file
    assert config.workers == 3 and config.tls is False  # from the file
    assert config.max_retries == 7  # from the environment
    assert config.retry_backoff_s == 30.0  # default


def test_config_lists_and_tables_read_from_every_source(tmp_path):
    path = write_config(tmp_path / "vidserve.toml", {"ytdlp_options": {"format": "best"}})
    environ = {"VIDSERVE_ALLOWED_DOMAINS": "a.example, B.example"}

    config = vidserve.load_config({}, environ, str(path))

    assert config.allowed_domains == ("a.example", "b.example")
    assert config.ytdlp_options == {"format": "best"}


@pytest.mark.parametrize(
    "settings, environ, flags, named",
    [
        ({"portt": 1}, {}, {}, "portt"),
        ({"port": "high"}, {}, {}, "port"),
        ({"port": 70000}, {}, {}, "port"),
        ({"tls": "maybe"}, {}, {}, "tls"),
        ({"workers": 0}, {}, {}, "workers"),
        ({}, {"VIDSERVE_WORKERS": "two"}, {}, "VIDSERVE_WORKERS"),
        ({}, {"VIDSERVE_NOPE": "1"}, {}, "nope"),
        ({}, {}, {"max_retries": "-1"}, "max_retries"),
        ({"ytdlp_options": "format=best"}, {}, {}, "ytdlp_options"),
        ({"log_level": "chatty"}, {}, {}, "log_level"),
    ],
)
def test_bad_configuration_is_refused_naming_the_key(tmp_path, settings, environ, flags, named):
    path = write_config(tmp_path / "vidserve.toml", settings)

    with pytest.raises(vidserve.ConfigError, match=named):
        vidserve.load_config(flags, environ, str(path))


def test_example_vidserve_toml_documents_every_setting_at_its_default():
    text = (HERE / "vidserve.toml").read_text()

    config = vidserve.load_config({}, {}, str(HERE / "vidserve.toml"))

    assert config == vidserve.Config()
    for name in vidserve.FIELD_TYPES:
        assert re.search(rf"^(# )?{name} = |^\[{name}\]", text, re.MULTILINE), name


# ---- 3. Database: durable commits, migrations, checkpoints, kill -9 --------------------------


def test_database_of_the_first_schema_is_migrated_forward_keeping_its_jobs(tmp_path):
    import sqlite3

    data = tmp_path / "vidserve-data"
    data.mkdir()
    db = sqlite3.connect(data / "vidserve.db")
    db.executescript(vidserve.MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    ids = [str(vidserve.uuid.uuid4()) for _ in range(3)]
    for number, download_id in enumerate(ids):
        db.execute(
            "INSERT INTO jobs (id, url, dedupe_key, client_id, status, created_at, last_updated)"
            " VALUES (?, ?, ?, 'old-client', ?, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
            (
                download_id,
                f"https://x/{number}",
                f"k{number}",
                ["failed", "failed", "cancelled"][number],
            ),
        )
    db.commit()
    db.close()

    with start_vidserve(tmp_path) as api:
        history = api.get("/api/v1/history?client_id=old-client")
        failed = api.get("/api/v1/history?status=failed")
        searched = api.get("/api/v1/history?q=x/1")
        health = api.get("/api/v1/health").json

    assert [item["download_id"] for item in history.json] == ids[::-1]
    assert history.headers["X-Total-Count"] == "3"
    assert {item["user"] for item in history.json} == {"owner"}
    assert failed.headers["X-Total-Count"] == "2"
    assert [item["download_id"] for item in searched.json] == [ids[1]]  # old rows indexed
    assert health["database"]["total_downloads"] == 3
    db = sqlite3.connect(data / "vidserve.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(vidserve.MIGRATIONS)
    db.close()


def test_schema_is_versioned_and_in_wal_mode(own_vidserve):
    import sqlite3

    db = sqlite3.connect(own_vidserve.data_dir / "vidserve.db")

    assert db.execute("PRAGMA user_version").fetchone()[0] == len(vidserve.MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def submit_from_clients(api, clients: int, urls, on_answer=lambda number, answer: None):
    """Every client submits its `urls(client_number)` over its own keep-alive connection, all
    clients at once; returns the Answers. A connection the server drops ends its client."""
    answers, lock = [], threading.Lock()

    def client(number: int) -> None:
        connection = api.connection(timeout_s=10)
        with contextlib.suppress(OSError, http.client.HTTPException):
            for url in urls(number):
                answer = api.post("/api/v1/download", {"url": url}, connection=connection)
                with lock:
                    answers.append((url, answer))
                    on_answer(len(answers), answer)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


class Traced:
    """Runs the server under strace on this host's own network (a Namespace stand-in)."""

    def __init__(self, trace: Path, calls="openat,pwrite64,fsync,fdatasync,sendto,write"):
        self.trace, self.calls = trace, calls

    def command_prefix(self, directory: Path) -> list[str]:
        calls = f"trace={self.calls}"
        return ["strace", "-f", "-qq", "-s", "65536", "-e", calls, "-o", str(self.trace)]

    def run(self, function, *args):
        return function(*args)

    @staticmethod
    def stop(api: Api) -> None:
        """SIGTERM to the server itself: strace would only detach from it."""
        server = Path(f"/proc/{api.process.pid}/task/{api.process.pid}/children").read_text()
        os.kill(int(server.split()[0]), signal.SIGTERM)
        api.process.wait(timeout=20)


def whole_calls(trace: str) -> list[tuple[str, str]]:
    """(thread, call) in the order calls began, a call strace split across other threads'
    lines ("<unfinished ...>", then "<... name resumed>") joined whole."""
    calls: list[list[str]] = []
    unfinished: dict[str, list[str]] = {}  # thread -> its call begun but not ended
    for line in trace.splitlines():
        thread, call = line.split(None, 1)
        if call.endswith("<unfinished ...>"):
            unfinished[thread] = [thread, call.removesuffix("<unfinished ...>").rstrip()]
            calls.append(unfinished[thread])
        elif (resumed := re.match(r"<\.\.\. \w+ resumed>(.*)", call)) and thread in unfinished:
            unfinished.pop(thread)[1] += resumed[1]
        else:
            calls.append([thread, call])
    return [(thread, call) for thread, call in calls]


def synced_before_answered(trace: str) -> tuple[set[str], set[str]]:
    """Read a trace in order: (ids answered 201, ids answered 201 before a completed fsync of
    the WAL followed the WAL write that holds them)."""
    wal_fds, written, synced, answered, early = set(), set(), set(), set(), set()
    syncing: dict[str, str] = {}  # thread -> the fd its unfinished sync is on
    for line in trace.splitlines():
        thread, call = line.split(None, 1)
        if "vidserve.db-wal" in call and call.startswith("openat") and " = " in call:
            wal_fds.add(call.rsplit(" = ", 1)[1].strip())
        elif match := re.match(r"pwrite64\((\d+), ", call):
            if match[1] in wal_fds:
                written.update(UUID_V4.findall(call))
        elif match := re.match(r"f(?:data)?sync\((\d+)", call):
            if "<unfinished" in call:
                syncing[thread] = match[1]
            elif match[1] in wal_fds and call.rstrip().endswith("= 0"):
                synced |= written
        elif re.match(r"<\.\.\. f(?:data)?sync resumed>.*= 0$", call.rstrip()):
            if syncing.pop(thread, None) in wal_fds:
                synced |= written
        elif call.startswith(("sendto(", "write(")) and "HTTP/1.1 201" in call:
            for download_id in set(UUID_V4.findall(call)):
                answered.add(download_id)
                if download_id not in synced:
                    early.add(download_id)
    return answered, early


def test_job_interrupted_by_kill_9_is_completed_after_restart(tmp_path, media_server):
    url = f"{media_server}/slow.mp4?seconds=3&n={random.random()}"
    with start_vidserve(tmp_path) as api:
        download_id = api.submit(url)
        wait_until(
            lambda: (
                (api.download_dir / ".partial" / download_id).exists()
                and api.get(f"/api/v1/status/{download_id}").json["status"] == "downloading"
            ),
            20,
            "the download to start",
        )

        api.process.kill()
        api.process.wait()
        restarted = start_process(tmp_path)
        try:
            status = restarted.wait_for(download_id)
        finally:
            stop_process(restarted)

    assert status["status"] == "completed"
    assert status["file_size"] == 1_000_000
    assert (restarted.download_dir / status["filename"]).stat().st_size == 1_000_000
    assert list((restarted.download_dir / ".partial").iterdir()) == []


def test_accepted_jobs_survive_kill_9_before_any_worker_runs(tmp_path, media_server):
    with start_vidserve(tmp_path, workers=1) as api:
        ids = [
            api.submit(f"{media_server}/slow.mp4?seconds=5&n={i}-{random.random()}")
            for i in range(4)
        ]
        api.process.kill()
        api.process.wait()
        restarted = start_process(tmp_path)
        try:
            history = restarted.get("/api/v1/history").json
        finally:
            stop_process(restarted)

    assert {item["download_id"] for item in history} == set(ids)


def test_sixteen_clients_submitting_while_downloads_run_lose_nothing(tmp_path, media_server):
    """Group commit under load: sixteen clients submit at once while the workers download
    what they submit; each 201 names a job of its own, one link sent by every client is
    one job, and the history holds exactly the jobs answered 201."""
    shared = unique(media_server, "shared")

    def urls(number: int) -> list[str]:
        return [shared if n == 4 else unique(media_server, f"load-{number}-{n}") for n in range(12)]

    with start_vidserve(tmp_path / "server") as api:
        answers = submit_from_clients(api, 16, urls)
        total = int(api.get("/api/v1/history?limit=1").headers["X-Total-Count"])
        created = [answer.json["download_id"] for _, answer in answers if answer.status == 201]
        missing = [i for i in created if api.get(f"/api/v1/status/{i}").status != 200]

    assert sorted(answer.status for _, answer in answers) == [200] * 15 + [201] * 177
    assert len(set(created)) == len(created) == total
    assert len({answer.json["download_id"] for url, answer in answers if url == shared}) == 1
    assert missing == []


def test_every_201_survives_a_sigkill_right_after_it_under_concurrent_submits(
    tmp_path, media_server
):
    """Several submits share one fsync, and none is answered before it: eight clients submit
    at once, the server is SIGKILLed the moment the 80th 201 arrives, and every job
    answered 201 is there after the restart."""
    directory = tmp_path / "server"
    directory.mkdir()
    write_config(directory / "vidserve.toml", TEST_SETTINGS)
    api = start_process(directory)

    def kill_at_the_80th(count: int, answer: Answer) -> None:
        if count == 80:
            api.process.kill()

    answers = submit_from_clients(
        api,
        8,
        lambda number: [unique(media_server, f"kill-{number}") for _ in range(40)],
        kill_at_the_80th,
    )
    api.process.wait()
    restarted = start_process(directory)
    try:
        created = [answer.json["download_id"] for _, answer in answers if answer.status == 201]
        found = [restarted.get(f"/api/v1/status/{i}").status for i in created]
    finally:
        stop_process(restarted)

    assert len(created) >= 80
    assert found == [200] * len(created)


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (.ci/run installs it)")
def test_every_201_is_sent_after_an_fsync_of_the_wal_write_holding_its_job(tmp_path, media_server):
    """The syscall trace issue 17 is checked with: eight clients submit at once, so commits
    are shared, and each 201 leaves only after the WAL write holding its job was fsync'd."""
    directory = tmp_path / "server"
    directory.mkdir()
    write_config(directory / "vidserve.toml", TEST_SETTINGS | {"tls": False, "workers": 1})
    traced = Traced(tmp_path / "trace")
    api = start_process(directory, namespace=traced)
    try:
        answers = submit_from_clients(
            api, 8, lambda number: [unique(media_server, f"trace-{number}") for _ in range(10)]
        )
    finally:
        traced.stop(api)

    answered, early = synced_before_answered(traced.trace.read_text(errors="replace"))
    created = {answer.json["download_id"] for _, answer in answers if answer.status == 201}
    assert len(created) == 80
    assert answered == created
    assert early == set()


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (.ci/run installs it)")
def test_a_saved_files_bytes_reach_the_disk_before_its_name_and_its_completion(
    tmp_path, media_server
):
    """A power cut cannot be made here; the order that makes one harmless can be read: in
    the worker, the finished file fdatasync'd, then linked into the person's folder, whose
    names are fsync'd; then the WAL holding 'completed' fsync'd."""
    directory = tmp_path / "server"
    directory.mkdir()
    write_config(directory / "vidserve.toml", TEST_SETTINGS | {"tls": False, "workers": 1})
    traced = Traced(tmp_path / "trace", "openat,fsync,fdatasync,link,linkat")
    api = start_process(directory, namespace=traced)
    try:
        status = api.wait_for(api.submit(unique(media_server, "synced")))
    finally:
        traced.stop(api)
    assert status["status"] == "completed", status["error_message"]
    lines = whole_calls(traced.trace.read_text(errors="replace"))
    name = status["files"][0]["filename"]
    wal_fds = {call.rsplit(" = ", 1)[1] for _, call in lines if "vidserve.db-wal" in call}

    [linked] = [n for n, (_, call) in enumerate(lines) if call.startswith("link(") and name in call]
    worker = lines[linked][0]
    calls = [(n, call) for n, (thread, call) in enumerate(lines) if thread == worker]
    before = [call for n, call in calls if n < linked]
    after = [call for n, call in calls if n > linked]
    source_fd = next(c for c in reversed(before) if name in c and "O_RDONLY" in c).rsplit(" = ")[1]
    folder_fd = next(c for c in after if "O_DIRECTORY" in c).rsplit(" = ")[1]
    syncs = [call for call in after if "sync(" in call]
    wal_synced = re.compile(rf"f(?:data)?sync\(({'|'.join(wal_fds)})\) += 0$")
    committed = [call for _, call in lines[linked:] if wal_synced.match(call)]
    assert lines[linked][1].endswith(" = 0")
    assert f"fdatasync({source_fd})" in before[-1]  # its bytes, just before its name
    assert re.fullmatch(rf"fsync\({folder_fd}\) += 0", syncs[0])  # then the folder's names
    assert committed  # then the WAL holding 'completed'


def test_wal_is_checkpointed_into_the_database_while_the_server_runs(tmp_path, media_server):
    """Checkpoints run in a thread of their own, not inside commits: 1,600 submits reach the
    database file itself while the server runs, and the WAL stops growing: the second 800
    submits leave it about as long as the first 800 did (without checkpoints, twice)."""
    database = tmp_path / "server" / "vidserve-data" / "vidserve.db"
    wal = database.with_name("vidserve.db-wal")
    largest_wal = [0, 0]  # after each round of 800 submits

    def checkpointed_jobs() -> bool:
        copy = tmp_path / "checkpointed.db"  # the database file alone, without its WAL
        shutil.copyfile(database, copy)
        with (
            contextlib.suppress(sqlite3.DatabaseError),
            contextlib.closing(sqlite3.connect(copy)) as db,
        ):
            return db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] >= 1600
        return False

    answers = []
    with start_vidserve(tmp_path / "server", workers=1) as api:
        api.submit(f"{media_server}/stall.mp4")  # the worker waits; the submits go on
        for round_number in range(2):

            def note_wal_size(count: int, answer: Answer, round_number=round_number) -> None:
                largest_wal[round_number] = max(largest_wal[round_number], wal.stat().st_size)

            answers += submit_from_clients(
                api,
                8,
                lambda n: [unique(media_server, f"wal-{n}") for _ in range(100)],
                note_wal_size,
            )
        wait_until(checkpointed_jobs, 20, "the jobs to reach the database file")

    print(f"largest WAL after 800 and 1,600 submits: {[f'{n / 1e6:.1f} MB' for n in largest_wal]}")
    assert [answer.status for _, answer in answers] == [201] * 1600
    assert largest_wal[1] < 1.5 * largest_wal[0]


def test_accepted_jobs_survive_kill_9_a_dozen_times_and_complete_whole(tmp_path, media_server):
    """Submissions and downloads interrupted by SIGKILL at random moments, twelve times:
    every job the server answered 201/200 for exists afterwards, ends in a terminal state,
    and every completed file is whole."""
    directory = tmp_path / "server"
    directory.mkdir()
    write_config(
        directory / "vidserve.toml",
        TEST_SETTINGS | {"max_retries": 5, "retry_backoff_s": 0.05, "log_level": "info"},
    )
    chance = random.Random(12)
    accepted, submitted = set(), 0
    for _ in range(12):
        api = start_process(directory)
        killer = threading.Timer(chance.uniform(0.1, 1.5), api.process.kill)
        killer.start()
        connection = api.connection(timeout_s=5)
        with contextlib.suppress(OSError, http.client.HTTPException):
            for _ in range(30):
                url = unique(media_server, f"crash-{submitted}")
                submitted += 1
                answer = api.post("/api/v1/download", {"url": url}, connection=connection)
                if answer.status in (200, 201):
                    accepted.add(answer.json["download_id"])
        killer.join()
        api.process.wait()

    final = start_process(directory)
    try:
        statuses = [final.wait_for(download_id, seconds=120) for download_id in accepted]
        total = int(final.get("/api/v1/history?limit=1").headers["X-Total-Count"])
    finally:
        stop_process(final)

    completed = [s for s in statuses if s["status"] == "completed"]
    print(
        f"crash test: {submitted} submitted, {len(accepted)} accepted, 12 SIGKILLs,"
        f" {len(completed)} completed whole"
    )
    assert len(accepted) >= 100
    assert all(s["status"] in ("completed", "failed", "cancelled") for s in statuses)
    assert len(completed) == len(accepted)
    assert total >= len(accepted)
    for status in completed:
        data = (final.download_dir / status["filename"]).read_bytes()
        assert hashlib.sha256(data).digest() == CLIP_SHA256, status["filename"]
    leftovers = [p for p in final.download_dir.rglob("*") if p.name.endswith((".part", ".ytdl"))]
    assert leftovers == []
    assert list((final.download_dir / ".partial").iterdir()) == []


# ---- 4. HTTP machinery: routes, methods, request ids, requests before downloads --------------


def test_valid_request_id_is_echoed_and_a_bad_one_replaced(vidserve_api):
    echoed = vidserve_api.get("/api/v1/health", headers={"X-Request-ID": "abc.DEF_1-2"})
    replaced = vidserve_api.get("/api/v1/health", headers={"X-Request-ID": "bad id!"})

    assert echoed.headers["X-Request-ID"] == "abc.DEF_1-2"
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", replaced.headers["X-Request-ID"])
    assert replaced.headers["X-Request-ID"] != "bad id!"


def test_access_log_has_one_structured_line_per_request(own_vidserve):
    own_vidserve.get("/api/v1/health", headers={"X-Request-ID": "trace-me-1"})

    lines = wait_until(  # the line is written just after the reply is sent
        lambda: [line for line in own_vidserve.log_text().splitlines() if "id=trace-me-1" in line],
        10,
        "the access line",
    )

    assert len(lines) == 1
    assert re.search(
        r"ip=127\.0\.0\.1 method=GET path='/api/v1/health' status=200 ms=[\d.]+", lines[0]
    )


def test_unknown_route_is_404_json(vidserve_api):
    assert_error(vidserve_api.get("/api/v1/nothing"), 404, "not_found")


def test_wrong_method_is_405_with_allow(vidserve_api):
    answer = vidserve_api.request("PATCH", "/api/v1/download")

    assert_error(answer, 405, "method_not_allowed")
    assert "POST" in answer.headers["Allow"]


def test_workers_give_way_to_requests_at_work_but_not_to_waiting_ones(monkeypatch):
    """Foreground (issue 17): a worker pauses while a request is being worked on, not
    while one only waits (a long poll, a stream), and never for longer than GIVE_WAY_S."""
    monkeypatch.setattr(vidserve, "GIVE_WAY_S", 3600)
    foreground = vidserve.Foreground()
    passed = threading.Event()

    def worker() -> None:
        foreground.give_way()
        passed.set()

    with foreground.working():
        thread = threading.Thread(target=worker)
        thread.start()
        assert not passed.wait(0.3)  # paused behind the request
        with foreground.waiting():
            assert passed.wait(10)  # the request waits: the worker goes on
    thread.join()
    passed.clear()
    worker()  # nobody at work: no pause
    assert passed.is_set()
    monkeypatch.setattr(vidserve, "GIVE_WAY_S", 0.05)
    passed.clear()
    with foreground.working():
        worker()  # a flood of requests slows a worker down, never stops it
        assert passed.is_set()


# ---- 5. Sites: TikTok and Instagram doubles in a private namespace ---------------------------


INSTAGRAM_MEMBERS = "DBmembers01"  # a post Instagram shows only to people logged in


TIKTOK_PAGE = f"https://www.tiktok.com/@{TIKTOK_USER}/video/{TIKTOK_VIDEO}"


TIKTOK_MEDIA = f"/video/{TIKTOK_VIDEO}.mp4"


INSTAGRAM_MEDIA = f"/v/{INSTAGRAM_REEL}.mp4"


@pytest.fixture(scope="module")
def site_vidserve(sites, tmp_path_factory):
    """vidserve in the namespace, with curl_cffi: yt-dlp can present itself as a browser."""
    directory = tmp_path_factory.mktemp("real-sites")
    with start_vidserve(directory, namespace=sites, **SITE_SETTINGS) as api:
        yield api


@pytest.fixture(scope="module")
def plain_site_vidserve(sites, tmp_path_factory):
    """vidserve in the namespace on a platform without curl_cffi: no impersonation."""
    with site_vidserve_without_curl_cffi(sites, tmp_path_factory.mktemp("no-curl-cffi")) as api:
        yield api


@contextlib.contextmanager
def site_vidserve_without_curl_cffi(sites, directory: Path):
    """vidserve in the namespace, its curl_cffi shadowed as where no wheel is built for it."""
    shadow = directory / "shadow" / "curl_cffi"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no curl_cffi for this platform')\n")
    env = {"PYTHONPATH": str(shadow.parent)}
    with start_vidserve(directory / "server", env, namespace=sites, **SITE_SETTINGS) as api:
        yield api


def assert_files_as_served(api, status, paths: list[str]):
    """The download's files are the doubles' items, in order, of the right kind and type."""
    assert len(status["files"]) == len(paths), status["files"]
    for item, path in zip(status["files"], paths):
        body, media_type = SITE_MEDIA[path]
        answer = api.get(item["file_url"])
        assert answer.status == 200 and answer.body == body, item
        assert answer.headers["Content-Type"] == media_type
        assert item["kind"] == media_type.split("/")[0]


def test_tiktok_video_is_saved_by_the_real_extractor_presenting_itself_as_a_browser(
    site_vidserve, sites
):
    url = f"{TIKTOK_PAGE}?is_from_webapp=1&sender_device=pc"

    status = site_vidserve.wait_for(site_vidserve.submit(url, force=True))

    assert status["status"] == "completed", status["error_message"]
    assert (status["site"], status["video_id"]) == ("TikTok", TIKTOK_VIDEO)
    assert status["title"].startswith("Sunset over the allotment")
    assert site_vidserve.get(status["file_url"]).body == SITE_MEDIA[TIKTOK_MEDIA][0]
    pages = asked(sites, "www.tiktok.com", f"/@{TIKTOK_USER}/video/{TIKTOK_VIDEO}")
    assert pages and all(pages), "the page must be asked for with a browser's TLS ClientHello"


def test_instagram_reel_is_saved_by_the_real_extractor(site_vidserve, sites):
    url = f"https://www.instagram.com/reel/{INSTAGRAM_REEL}/?igsh=c2hhcmVk"

    status = site_vidserve.wait_for(site_vidserve.submit(url, force=True))

    assert status["status"] == "completed", status["error_message"]
    assert (status["site"], status["video_id"]) == ("Instagram", INSTAGRAM_REEL)
    assert site_vidserve.get(status["file_url"]).body == SITE_MEDIA[INSTAGRAM_MEDIA][0]
    queries = asked(sites, "www.instagram.com", "/api/graphql", "POST")
    assert queries and all(queries), "Instagram's API answers browsers only"


def test_instagram_post_for_members_only_fails_login_required_pointing_at_cookies(
    site_vidserve,
):
    url = f"https://www.instagram.com/p/{INSTAGRAM_MEMBERS}/"

    status = site_vidserve.wait_for(site_vidserve.submit(url))

    assert status["status"] == "failed"
    assert status["error_code"] == "login_required"
    assert "PUT /api/v1/cookies" in status["error_message"]
    assert status["retry_count"] == 0


def test_health_and_log_say_yt_dlp_presents_itself_as_a_browser(site_vidserve):
    health = site_vidserve.get("/api/v1/health", token=False).json

    assert health["impersonation"] is True
    wait_until(lambda: "impersonation available" in site_vidserve.log_text(), 10, "the log line")


def test_tiktok_photo_post_is_saved_whole_images_in_order_then_its_sound(site_vidserve, sites):
    status = site_vidserve.wait_for(site_vidserve.submit("https://vm.tiktok.com/ZTphotoOne/"))

    assert status["status"] == "completed", status["error_message"]
    assert (status["site"], status["video_id"]) == ("TikTok", TIKTOK_PHOTOS)
    photos = ["/photo/1.jpeg", "/photo/2.webp", "/photo/3.heic", "/photo/sound.mp3"]
    assert_files_as_served(site_vidserve, status, photos)
    assert [Path(item["filename"]).suffix for item in status["files"]] == [
        *(".jpg", ".webp", ".heic", ".mp3")
    ]
    assert all(f"[{TIKTOK_PHOTOS}_" in item["filename"] for item in status["files"])
    pages = asked(sites, "www.tiktok.com", f"/@{TIKTOK_USER}/video/{TIKTOK_PHOTOS}")
    assert pages and all(pages), "the post's /video/ page is asked for as a browser"


def test_deleting_a_photo_post_removes_every_file(site_vidserve):
    url = f"https://www.tiktok.com/@{TIKTOK_USER}/photo/{TIKTOK_PHOTOS}"
    status = site_vidserve.wait_for(site_vidserve.submit(url, force=True))

    deleted = site_vidserve.delete(f"/api/v1/download/{status['download_id']}").json

    assert len(status["files"]) == 4 and deleted["file_removed"] is True
    assert not any((site_vidserve.download_dir / f["filename"]).exists() for f in status["files"])


def test_photo_post_audio_only_saves_its_sound_alone(site_vidserve):
    url = f"https://www.tiktok.com/@{TIKTOK_USER}/photo/{TIKTOK_PHOTOS}?n=sound"

    status = site_vidserve.wait_for(site_vidserve.submit(url, audio_only=True))

    assert status["status"] == "completed", status["error_message"]
    assert_files_as_served(site_vidserve, status, ["/photo/sound.mp3"])


def test_photo_post_item_answering_429_is_retried_keeping_the_items_saved_before(
    site_vidserve, sites
):
    url = f"https://www.tiktok.com/@{TIKTOK_USER}/photo/{TIKTOK_FLAKY}"
    first_before = len(asked(sites, TIKTOK_CDN, "/photo/1.jpeg"))

    status = site_vidserve.wait_for(site_vidserve.submit(url))

    assert status["status"] == "completed", status["error_message"]
    assert status["retry_count"] == 1
    photos = ["/photo/1.jpeg", "/photo/2.webp", "/photo/3.heic", "/photo/sound.mp3"]
    assert_files_as_served(site_vidserve, status, photos)
    assert len(asked(sites, TIKTOK_CDN, "/photo/1.jpeg")) == first_before + 1


def test_instagram_carousel_is_saved_whole_in_the_posts_order(site_vidserve, sites):
    url = f"https://www.instagram.com/p/{INSTAGRAM_CAROUSEL}/?img_index=1&igsh=eA"

    status = site_vidserve.wait_for(site_vidserve.submit(url))

    assert status["status"] == "completed", status["error_message"]
    assert (status["site"], status["video_id"]) == ("Instagram", INSTAGRAM_CAROUSEL)
    assert_files_as_served(site_vidserve, status, ["/v/c1.jpg", "/v/c2.webp", "/v/c3.mp4"])
    assert asked(sites, INSTAGRAM_CDN, SMALL_VERSION) == [], "the largest version is saved"


def test_single_instagram_image_is_a_one_file_download_of_kind_image(site_vidserve):
    url = f"https://www.instagram.com/p/{INSTAGRAM_PHOTO}/"

    status = site_vidserve.wait_for(site_vidserve.submit(url))

    assert status["status"] == "completed", status["error_message"]
    assert status["filename"].endswith(".jpg") and status["file_size"] > 0
    assert_files_as_served(site_vidserve, status, ["/v/single.jpg"])


def test_photo_post_over_max_items_fails_before_fetching_any_image(sites, tmp_path):
    url = f"https://www.tiktok.com/@{TIKTOK_USER}/photo/{TIKTOK_PHOTOS}?n=limit"
    fetched_before = len(asked(sites, TIKTOK_CDN, "/photo/1.jpeg"))
    with start_vidserve(tmp_path, namespace=sites, max_items=2, **SITE_SETTINGS) as api:
        status = api.wait_for(api.submit(url))

    assert status["status"] == "failed" and status["error_code"] == "too_many_items"
    assert len(asked(sites, TIKTOK_CDN, "/photo/1.jpeg")) == fetched_before


def test_two_share_links_to_one_post_make_one_download_sharing_its_files(sites, tmp_path):
    with start_vidserve(tmp_path, namespace=sites, **SITE_SETTINGS) as api:
        fetched_before = len(asked(sites, TIKTOK_CDN, TIKTOK_MEDIA))
        first = api.wait_for(api.submit("https://vm.tiktok.com/ZTshareOne/"))
        second = api.wait_for(api.submit("https://vm.tiktok.com/ZTshareTwo/"))
        fetched = len(asked(sites, TIKTOK_CDN, TIKTOK_MEDIA)) - fetched_before
        second_file = api.get(f"/api/v1/files/{second['download_id']}/0").body
        api.delete(f"/api/v1/download/{first['download_id']}")
        after_first_deleted = api.get(f"/api/v1/files/{second['download_id']}/0")
        api.delete(f"/api/v1/download/{second['download_id']}")

    assert first["status"] == second["status"] == "completed", second["error_message"]
    assert (second["site"], second["video_id"]) == ("TikTok", TIKTOK_VIDEO)
    assert first["duplicate_of"] is None and second["duplicate_of"] == first["download_id"]
    assert fetched == 1, "the media of a post already saved must not be fetched again"
    assert second["files"][0]["file_url"] == f"/api/v1/files/{second['download_id']}/0"
    assert second_file == SITE_MEDIA[TIKTOK_MEDIA][0]
    assert after_first_deleted.status == 200 and after_first_deleted.body == second_file
    assert not (api.download_dir / second["filename"]).exists()


def test_a_download_sharing_an_earlier_ones_files_keeps_a_thumbnail_of_its_own(sites, tmp_path):
    with start_vidserve(tmp_path, namespace=sites, **SITE_SETTINGS) as api:
        first = api.wait_for(api.submit("https://vm.tiktok.com/ZTthumbOne/"))
        second = api.wait_for(api.submit("https://vm.tiktok.com/ZTthumbTwo/"))
        cover = api.get(first["thumbnail"]).body
        api.delete(f"/api/v1/download/{first['download_id']}")
        kept = api.get(second["thumbnail"])

    assert second["duplicate_of"] == first["download_id"]
    assert cover == b"\xff\xd8\xff\xe0 a cover"  # ffmpeg could not convert it: kept as sent
    assert kept.status == 200 and kept.body == cover


def test_force_fetches_a_saved_post_again(sites, tmp_path):
    with start_vidserve(tmp_path, namespace=sites, **SITE_SETTINGS) as api:
        first = api.wait_for(api.submit("https://vm.tiktok.com/ZTforceOne/"))
        fetched_before = len(asked(sites, TIKTOK_CDN, TIKTOK_MEDIA))
        again = api.wait_for(api.submit("https://vm.tiktok.com/ZTforceTwo/", force=True))
        fetched = len(asked(sites, TIKTOK_CDN, TIKTOK_MEDIA)) - fetched_before

    assert first["status"] == again["status"] == "completed", again["error_message"]
    assert again["duplicate_of"] is None and fetched == 1
    assert again["filename"] != first["filename"]


def test_one_post_one_download_holds_per_person_and_never_across_people(sites, tmp_path):
    with start_vidserve(tmp_path, namespace=sites, **SITE_SETTINGS) as owner:
        alice, bob = add_person(owner, "alice"), add_person(owner, "bob")
        first = alice.wait_for(alice.submit("https://vm.tiktok.com/ZTpeopleOne/"))
        bobs = bob.wait_for(bob.submit("https://vm.tiktok.com/ZTpeopleTwo/"))
        again = alice.wait_for(alice.submit("https://vm.tiktok.com/ZTpeopleThree/"))
        bob.delete(f"/api/v1/download/{bobs['download_id']}")
        alices_file = alice.get(f"/api/v1/files/{again['download_id']}/0")

    assert first["status"] == bobs["status"] == again["status"] == "completed"
    assert bobs["duplicate_of"] is None, "bob's download must not point at alice's"
    assert again["duplicate_of"] == first["download_id"]
    assert (owner.download_dir / "alice" / first["filename"]).is_file()
    assert not (owner.download_dir / "bob" / bobs["filename"]).exists()
    assert alices_file.status == 200 and alices_file.body == SITE_MEDIA[TIKTOK_MEDIA][0]


def test_without_impersonation_health_page_and_log_say_so(plain_site_vidserve):
    health = plain_site_vidserve.get("/api/v1/health", token=False).json

    assert health["impersonation"] is False
    wait_until(lambda: "impersonation NOT available" in plain_site_vidserve.log_text(), 10, "log")


def test_tiktok_bot_wall_without_impersonation_fails_blocked_saying_why(plain_site_vidserve, sites):
    status = plain_site_vidserve.wait_for(plain_site_vidserve.submit(f"{TIKTOK_PAGE}?n=plain"))

    assert status["status"] == "failed"
    assert status["error_code"] == "blocked"
    assert "cannot present itself as a browser" in status["error_message"]
    assert "cookies" in status["error_message"] and "update" in status["error_message"]
    assert status["retry_count"] == 0
    assert False in asked(sites, "www.tiktok.com", f"/@{TIKTOK_USER}/video/{TIKTOK_VIDEO}")


def test_instagram_without_impersonation_fails_login_required_saying_why(plain_site_vidserve):
    url = f"https://www.instagram.com/reel/{INSTAGRAM_REEL}/?igsh=plain"

    status = plain_site_vidserve.wait_for(plain_site_vidserve.submit(url))

    assert status["status"] == "failed"
    assert status["error_code"] == "login_required"
    assert "PUT /api/v1/cookies" in status["error_message"]
    assert "impersonation" in status["error_message"]


@pytest.fixture(scope="module")
def youtube_dl():
    yt_dlp = vidserve.import_ytdlp()
    with yt_dlp.YoutubeDL({"quiet": True}) as ydl:
        yield ydl


def ytdlp_choice(ydl, url: str) -> str | None:
    """The extractor yt-dlp itself gives a link: the first whose suitable() takes it."""
    return next((key for key, extractor in ydl._ies.items() if extractor.suitable(url)), None)


def test_extractor_finder_chooses_as_yt_dlp_does_for_all_its_test_links(tmp_path, youtube_dl):
    """ExtractorFinder (issue 17) must choose exactly the extractor yt-dlp would, for every
    link in yt-dlp's own tests of its ~1,800 extractors, also in other letter cases and
    with a non-ASCII character, while compiling only the patterns a link could match."""
    from yt_dlp.extractor import gen_extractor_classes

    fresh = (  # a process of its own, where nothing else has compiled patterns yet
        "import sys, vidserve\n"
        "from pathlib import Path\n"
        "from yt_dlp.extractor import gen_extractor_classes\n"
        "ydl = vidserve.import_ytdlp().YoutubeDL({'quiet': True})\n"
        "finder = vidserve.ExtractorFinder.load(Path(sys.argv[1]))\n"
        "print(finder.find(ydl, vidserve.TIKTOK.example_post), finder.find(ydl, 'http://127.0.0.1/v.mp4'),"
        " sum('_VALID_URL_RE' in ie.__dict__ for ie in gen_extractor_classes()))\n"
    )
    command = [sys.executable, "-c", fresh, str(tmp_path / "patterns.json")]
    tiktok, generic, compiled = run_command(command, cwd=HERE, check=True).stdout.split()
    assert (tiktok, generic) == ("TikTok", "Generic")
    assert int(compiled) < 300  # of ~1,800: yt-dlp's own search compiles them all
    finder = vidserve.ExtractorFinder.load(tmp_path / "patterns.json")
    links = sorted(
        {
            case["url"]
            for ie in gen_extractor_classes()
            for case in ie.get_testcases(include_onlymatching=True)
            if isinstance(case.get("url"), str)
        }
    )
    assert len(links) > 3000
    chosen = random.Random(17).sample(links, 800)
    for link in links + [link.swapcase() for link in chosen] + [f"{link}\u00e9" for link in chosen]:
        assert finder.find(youtube_dl, link) == ytdlp_choice(youtube_dl, link), link


def test_extractor_finder_keeps_what_it_read_and_reads_again_what_does_not_fit(
    tmp_path, youtube_dl
):
    """The patterns are read once, by a child process, and kept in the data directory: a
    kept file is used as it is (here, one made to rule TikTok out), one that is damaged or
    was made from other patterns is read anew and replaced, and where none can be saved
    the server reads the patterns itself."""
    saved = tmp_path / "patterns.json"
    vidserve.ExtractorFinder.load(saved)
    kept = json.loads(saved.read_text())
    tiktok_link = "https://www.tiktok.com/@someone/video/7300000000000000000"
    kept["looks"]["TikTok"] = ["only.in.this.test", None]
    saved.write_text(json.dumps(kept))
    assert vidserve.ExtractorFinder.load(saved).find(youtube_dl, tiktok_link) != "TikTok"
    for damage in ("{not json", json.dumps({**kept, "patterns": "other patterns"})):
        saved.write_text(damage)
        assert vidserve.ExtractorFinder.load(saved).find(youtube_dl, tiktok_link) == "TikTok"
        assert json.loads(saved.read_text())["looks"]["TikTok"] != ["only.in.this.test", None]
    unsaveable = tmp_path / "no such directory" / "patterns.json"
    assert vidserve.ExtractorFinder.load(unsaveable).find(youtube_dl, tiktok_link) == "TikTok"
    assert not unsaveable.parent.exists()


def embed_page(link: str) -> str:
    """A page embedding a link every way yt-dlp's embed patterns look for one."""
    return (
        f'<iframe src="{link}"></iframe><iframe width="640" src=\'{link}\'></iframe>'
        f'<script src="{link}"></script><embed src="{link}"><object data="{link}"></object>'
        f'<a href="{link}">a</a><meta property="og:video" content="{link}">'
        f'<div data-src="{link}" data-url="{link}"></div> {link} '
    )


def test_extractor_finder_offers_a_page_every_extractor_whose_embed_patterns_find_a_player():
    """The generic extractor's search of a page for players is offered only the extractors
    that could find one in it (issue 33: loading all ~1,800 kept 26 MB): none may be left
    out whose embed patterns match the page, for pages embedding each link of yt-dlp's own
    tests, in other letter cases too, and with the letters re.IGNORECASE takes for i, s, k."""
    from yt_dlp.extractor import gen_extractor_classes

    finder = vidserve.ExtractorFinder(
        {},
        vidserve.ExtractorFinder.looks(embed_patterns := vidserve.ExtractorFinder.embed_patterns()),
    )
    by_text = {
        key: [re.compile(p) for p in patterns]
        for key, patterns in embed_patterns.items()
        if patterns
    }
    links = {
        case["url"]
        for ie in gen_extractor_classes()
        for case in ie.get_testcases(include_onlymatching=True)
        if isinstance(case.get("url"), str)
    }
    folds = str.maketrans({"i": "\u0131", "s": "\u017f", "k": "\u212a", "I": "\u0130"})
    pages = [embed_page(link) for link in sorted(links)]
    pages += [page.swapcase() for page in pages[::7]] + [
        page.translate(folds) for page in pages[::7]
    ]
    matched = 0
    for page in pages:
        offered = finder.embedders(page)
        for key, regexes in by_text.items():
            if any(regex.search(page) for regex in regexes):
                matched += 1
                assert key in offered, (key, page[:200])
    assert matched > 200  # the pages do embed players the patterns find
    folding = r'(?i)<iframe[^>]+src="(?P<url>https?://kiosk\.example/embed/\d+)"'
    kiosk = vidserve.ExtractorFinder({}, vidserve.ExtractorFinder.looks({"Kiosk": [folding]}))
    for page in ('<iframe src="https://kiosk.example/embed/1">'.translate(folds), "<IFRAME SRC="):
        assert (re.search(folding, page) is not None) == ("Kiosk" in kiosk.embedders(page))
    assert len(embed_patterns) < 400  # of ~1,800: the rest cannot find a player at all
    plain = finder.embedders("<html><video src='clip.mp4'></video></html>")
    assert {key for key, patterns in embed_patterns.items() if patterns is None} <= plain
    assert len(plain) < 150


GENERIC_EMBEDS_SCRIPT = r"""
import json, sys, vidserve
from pathlib import Path
url, saved = sys.argv[1], Path(sys.argv[2])
yt_dlp = vidserve.import_ytdlp()
finder = vidserve.ExtractorFinder.load(saved)
limited = yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True})
vidserve.Borrowed.search_embeds_with(limited, finder.embedders)
read = limited.extract_info(url, download=False, process=False, ie_key="Generic")
loaded = sum(name.startswith("yt_dlp.extractor.") for name in sys.modules)
restored = len(limited._ies)
everyone = yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True})
full = everyone.extract_info(url, download=False, process=False, ie_key="Generic")
entries = lambda info: [(e.get("url"), e.get("ie_key")) for e in info.get("entries") or [info]]
print(json.dumps({"limited": entries(read), "full": entries(full), "loaded": loaded,
                  "restored": restored == len(everyone._ies),
                  "all": sum(name.startswith("yt_dlp.extractor.") for name in sys.modules)}))
"""


def test_generic_search_for_embeds_finds_what_yt_dlps_does_loading_a_fraction(tmp_path):
    """Borrowed.search_embeds_with on a real page (loopback): the same players found as by
    yt-dlp's own search, in the same order, with a fraction of the extractors loaded."""
    links = [
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://player.vimeo.com/video/76979871",
        "https://www.dailymotion.com/embed/video/x5kesuj",
        "https://streamable.com/e/dnd1",
    ]
    page = "<html><head><title>embeds</title></head><body>"
    page += "".join(f'<iframe src="{link}"></iframe>' for link in links) + "</body></html>"
    with page_server(page.encode()) as url:
        answer = run_command(
            [sys.executable, "-c", GENERIC_EMBEDS_SCRIPT, url, str(tmp_path / "patterns.json")],
            cwd=HERE,
            check=True,
        )
    found = json.loads(answer.stdout)

    assert found["limited"] == found["full"]
    assert len(found["full"]) == len(links)
    assert found["restored"]  # the YoutubeDL has all its extractors again
    assert found["loaded"] < found["all"] / 2, found  # yt-dlp's search loads them all


PHOTO_POST_FILES = ["/photo/1.jpeg", "/photo/2.webp", "/photo/3.heic", "/photo/sound.mp3"]


TIKTOK_GONE = "7450000000000000007"  # its video answers 404 every time


INSTAGRAM_CHOICE = "DBav1vp9h26"  # AV1 (the largest), VP9 (DASH) and one H.264, with sound


INSTAGRAM_VP9 = "DBvp9only01"  # VP9 only (DASH), and its sound


def dash_manifest(video: list[tuple[str, str, int]], audio: str) -> str:
    """An Instagram video_dash_manifest: video-only representations (id, codecs, height)
    and one of sound, each at a CDN path of its own."""
    videos = "".join(
        f'<Representation id="{name}" mimeType="video/mp4" codecs="{codecs}"'
        f' width="{height * 9 // 16}" height="{height}" frameRate="30" bandwidth="{height * 900}">'
        f"<BaseURL>https://{INSTAGRAM_CDN}/v/choice-{name}.mp4</BaseURL></Representation>"
        for name, codecs, height in video
    )
    return (
        '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"'
        ' mediaPresentationDuration="PT2S" minBufferTime="PT1.5S"'
        ' profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period duration="PT2S">'
        f'<AdaptationSet contentType="video" subsegmentAlignment="true">{videos}</AdaptationSet>'
        '<AdaptationSet contentType="audio"><Representation id="audio" mimeType="audio/mp4"'
        ' codecs="mp4a.40.2" audioSamplingRate="44100" bandwidth="64000">'
        f"<BaseURL>https://{INSTAGRAM_CDN}{audio}</BaseURL></Representation></AdaptationSet>"
        "</Period></MPD>"
    )


VP9_720P = ("vp9", "vp09.00.31.08", 1280)


INSTAGRAM_POSTS[str(instagram_pk(INSTAGRAM_CHOICE))] = instagram_post(
    INSTAGRAM_CHOICE,
    video_duration=2.0,
    video_versions=[  # progressive, largest first: Instagram names no codec for these
        {
            "type": 101,
            "url": f"https://{INSTAGRAM_CDN}/v/choice-av1.mp4",
            "width": 1080,
            "height": 1920,
        },
        {
            "type": 103,
            "url": f"https://{INSTAGRAM_CDN}/v/choice-h264.mp4",
            "width": 480,
            "height": 854,
        },
    ],
    video_dash_manifest=dash_manifest([VP9_720P], "/v/choice-audio.m4a"),
)


INSTAGRAM_POSTS[str(instagram_pk(INSTAGRAM_VP9))] = instagram_post(
    INSTAGRAM_VP9,
    video_duration=2.0,
    video_dash_manifest=dash_manifest([VP9_720P], "/v/choice-audio.m4a"),
)


def tiktok_link(post_id: str) -> str:
    return f"https://www.tiktok.com/@{TIKTOK_USER}/video/{post_id}"


def stream_codecs(path: Path) -> dict:
    """The saved file's streams as ffprobe reads them: {codec_type: codec_name}."""
    return {stream["codec_type"]: stream["codec_name"] for stream in ffprobe_streams(path)}


def test_tiktok_photo_page_double_holds_no_post_as_the_real_site():
    """The double's /photo/ page has rehydration data naming the post only in its canonical
    link, as TikTok's since 2025-04 (TikTok-Api#1234); its /video/ page holds the post."""

    def scope(page: str) -> dict:
        data = page.split('type="application/json">')[1].split("</script>")[0]
        assert "/" not in data, "the real site escapes every slash as \\u002F"
        return json.loads(data)["__DEFAULT_SCOPE__"]

    photo_page, video_page = (
        scope(tiktok_page(TIKTOK_PHOTOS, with_post=False)),
        scope(tiktok_page(TIKTOK_PHOTOS)),
    )

    assert "webapp.video-detail" not in photo_page
    assert photo_page["seo.abtest"]["canonical"].endswith(f"/photo/{TIKTOK_PHOTOS}")
    item = video_page["webapp.video-detail"]["itemInfo"]["itemStruct"]
    assert "imagePost" in item and item["video"]["duration"] == 0


@pytest.mark.parametrize(
    "link",
    [
        f"https://www.tiktok.com/@{TIKTOK_USER}/photo/{TIKTOK_PHOTOS}?is_from_webapp=1",
        f"https://www.tiktok.com/@{TIKTOK_USER}/video/{TIKTOK_PHOTOS}",
        f"https://www.tiktok.com/@/video/{TIKTOK_PHOTOS}",
        "https://vm.tiktok.com/ZTphotoVm/",
        "https://vt.tiktok.com/ZTphotoVt/",
        "https://www.tiktok.com/t/ZTphotoT/",
    ],
)
def test_tiktok_photo_post_is_saved_whole_from_every_link_form(site_vidserve, sites, link):
    status = site_vidserve.wait_for(site_vidserve.submit(link, force=True))

    assert status["status"] == "completed", status["error_message"]
    assert (status["site"], status["video_id"]) == ("TikTok", TIKTOK_PHOTOS)
    assert_files_as_served(site_vidserve, status, PHOTO_POST_FILES)


def test_tiktok_photo_post_audio_only_from_its_video_link_saves_its_sound(site_vidserve):
    link = f"https://www.tiktok.com/@{TIKTOK_USER}/video/{TIKTOK_PHOTOS}?n=sound"

    status = site_vidserve.wait_for(site_vidserve.submit(link, audio_only=True, force=True))

    assert status["status"] == "completed", status["error_message"]
    assert_files_as_served(site_vidserve, status, ["/photo/sound.mp3"])


def test_tiktok_video_shared_as_a_photo_link_is_saved_as_the_video(site_vidserve):
    link = f"https://www.tiktok.com/@{TIKTOK_USER}/photo/{TIKTOK_VIDEO}"

    status = site_vidserve.wait_for(site_vidserve.submit(link, force=True))

    assert status["status"] == "completed", status["error_message"]
    assert (status["site"], status["video_id"]) == ("TikTok", TIKTOK_VIDEO)
    assert site_vidserve.get(status["file_url"]).body == SITE_MEDIA[TIKTOK_MEDIA][0]


@pytest.mark.parametrize(
    "message",
    ["Unable to extract universal data for rehydration", "Unable to extract webpage video data"],
)
def test_tiktoks_intermittent_page_failures_are_transient(message):
    from yt_dlp.utils import DownloadError, ExtractorError

    cause = ExtractorError(message, video_id=TIKTOK_VIDEO)
    error = DownloadError(f"ERROR: [TikTok] {TIKTOK_VIDEO}: {message}", (None, cause, None))

    failure = vidserve.classify_failure(error, impersonation=True, cookies=False)

    assert failure.transient and failure.code == "extractor"
    assert message in failure.message


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_tiktok_page_without_rehydration_data_once_is_retried_and_saved(site_vidserve, sites):
    status = site_vidserve.wait_for(site_vidserve.submit(tiktok_link(TIKTOK_REHYDRATE)))

    assert status["status"] == "completed", status["error_message"]
    assert status["retry_count"] == 1
    assert "Unable to extract universal data for rehydration" in site_vidserve.log_text()
    answer = json.loads(base64.b64decode(sites.doubles.challenge_answers[0]))
    assert base64.b64decode(answer["d"]) == CHALLENGE_NUMBER, "yt-dlp solved the challenge"
    saved = stream_codecs(site_vidserve.download_dir / status["filename"])
    assert saved == {"video": "h264", "audio": "aac"}


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_tiktok_video_answering_404_once_is_retried_and_saved(site_vidserve):
    status = site_vidserve.wait_for(site_vidserve.submit(tiktok_link(TIKTOK_404_ONCE)))

    assert status["status"] == "completed", status["error_message"]
    assert status["retry_count"] == 1
    saved = stream_codecs(site_vidserve.download_dir / status["filename"])
    assert saved == {"video": "h264", "audio": "aac"}


def test_tiktok_video_answering_404_twice_fails_not_found_saying_it_was_tried_twice(
    site_vidserve, sites
):
    status = site_vidserve.wait_for(site_vidserve.submit(tiktok_link(TIKTOK_GONE)))

    assert status["status"] == "failed"
    assert (status["error_code"], status["retry_count"]) == ("not_found", 1)
    assert "tried 2 times" in status["error_message"]
    assert len(asked(sites, TIKTOK_CDN, f"/video/{TIKTOK_GONE}.mp4")) == 2


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_tiktok_first_choice_without_sound_is_fetched_again_with_sound(site_vidserve, sites):
    status = site_vidserve.wait_for(site_vidserve.submit(tiktok_link(TIKTOK_SILENT_PLAY)))

    assert status["status"] == "completed", status["error_message"]
    assert asked(sites, TIKTOK_CDN, f"/video/{TIKTOK_SILENT_PLAY}.mp4"), "play was the first choice"
    saved = stream_codecs(site_vidserve.download_dir / status["filename"])
    assert saved == {"video": "h264", "audio": "aac"}
    assert (status["codec"], status["has_audio"], status["playable_on_iphone"]) == (
        "h264",
        True,
        True,
    )


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_tiktok_hevc_tagged_hev1_is_saved_tagged_hvc1_without_encoding_again(site_vidserve):
    status = site_vidserve.wait_for(site_vidserve.submit(tiktok_link(TIKTOK_HEV1)))

    assert status["status"] == "completed", status["error_message"]
    streams = ffprobe_streams(site_vidserve.download_dir / status["filename"])
    video = next(stream for stream in streams if stream["codec_type"] == "video")
    assert (video["codec_name"], video["codec_tag_string"]) == ("hevc", "hvc1")
    assert {stream["codec_type"] for stream in streams} == {"video", "audio"}
    assert status["files"][0]["codec"] == status["codec"] == "hevc"
    assert status["playable_on_iphone"] is True and status["playable_note"] is None


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_instagram_reel_in_av1_vp9_and_one_h264_is_saved_in_h264_with_sound(site_vidserve, sites):
    url = f"https://www.instagram.com/reel/{INSTAGRAM_CHOICE}/"

    status = site_vidserve.wait_for(site_vidserve.submit(url))

    assert status["status"] == "completed", status["error_message"]
    assert asked(sites, INSTAGRAM_CDN, "/v/choice-av1.mp4"), "the largest, AV1, came first"
    saved = stream_codecs(site_vidserve.download_dir / status["filename"])
    assert saved == {"video": "h264", "audio": "aac"}
    assert (status["codec"], status["has_audio"]) == ("h264", True)


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_instagram_reel_only_in_vp9_is_saved_and_said_unplayable_on_iphone(site_vidserve):
    url = f"https://www.instagram.com/reel/{INSTAGRAM_VP9}/"

    status = site_vidserve.wait_for(site_vidserve.submit(url))

    assert status["status"] == "completed", status["error_message"]
    saved = stream_codecs(site_vidserve.download_dir / status["filename"])
    assert saved == {"video": "vp9", "audio": "aac"}
    assert (status["codec"], status["has_audio"], status["playable_on_iphone"]) == (
        "vp9",
        True,
        False,
    )
    assert "VP9" in status["playable_note"]


# ---- 6. Links and the egress proxy: what a link may reach ------------------------------------


def test_tracking_parameters_do_not_make_a_new_download(vidserve_api, media_server):
    url = unique(media_server)
    first = vidserve_api.submit(url + "?igsh=abc")

    again = vidserve_api.post("/api/v1/download", {"url": url + "?utm_source=ig&igsh=xyz"})
    tiktok = vidserve_api.post(
        "/api/v1/download", {"url": url + "?share_item_id=7&share_app_id=1233&_r=1&_t=8x"}
    )

    assert again.json["download_id"] == tiktok.json["download_id"] == first
    assert again.json["duplicate"] is True


def test_redirect_of_a_browser_request_to_an_intranet_address_is_refused(sites, tmp_path):
    settings = SITE_SETTINGS | {
        "allow_private_addresses": False,
        "private_networks": ["127.0.0.1/32"],
    }
    url = f"https://www.tiktok.com/@{TIKTOK_USER}/video/{TIKTOK_WALLED}"
    with start_vidserve(tmp_path, namespace=sites, **settings) as api:
        status = api.wait_for(api.submit(url))

    assert status["status"] == "failed"
    assert status["error_code"] == "private_address"
    assert INTRANET in status["error_message"]
    hops = asked(sites, "www.tiktok.com", f"/@{TIKTOK_USER}/video/{TIKTOK_WALLED}")
    assert hops and all(hops), "curl_cffi, impersonating a browser, carried the first hop"
    assert sites.intranet_seen == []


def test_host_resolving_to_a_private_address_is_422(tmp_path, media_server):
    with start_vidserve(tmp_path, allow_private_addresses=False) as api:
        for host in ("127.0.0.1", "localhost"):
            answer = api.post("/api/v1/download", {"url": f"http://{host}:8080/clip.mp4"})
            assert_error(answer, 422, "private_address")


HOSTILE_URLS = [
    # id, url, status, code; the server allows only 127.0.0.1-style literal hosts and no
    # private addresses, so nothing here is ever fetched or even looked up in DNS.
    ("ipv6-loopback", "http://[::1]/x.mp4", 422, "private_address"),
    ("ipv4-mapped-ipv6", "http://[::ffff:127.0.0.1]/x.mp4", 422, "private_address"),
    ("loopback", "http://127.0.0.1/x.mp4", 422, "private_address"),
    ("private-10", "http://10.0.0.1/x.mp4", 422, "private_address"),
    ("private-192", "http://192.168.1.1/x.mp4", 422, "private_address"),
    ("cloud-metadata", "http://169.254.169.254/latest/meta-data/", 422, "private_address"),
    ("zero-address", "http://0.0.0.0/x", 422, "private_address"),
    ("decimal-ip", "http://2130706433/x", 422, "domain_not_allowed"),
    ("octal-ip", "http://0177.0.0.1/x", 422, "domain_not_allowed"),
    ("hex-ip", "http://0x7f.0.0.1/x", 422, "domain_not_allowed"),
    ("short-ip", "http://127.1/x", 422, "domain_not_allowed"),
    ("suffix-lookalike", "https://tiktok.com.evil.net/x", 422, "domain_not_allowed"),
    ("prefix-lookalike", "https://eviltiktok.com/x", 422, "domain_not_allowed"),
    ("dash-lookalike", "https://evil-tiktok.com/x", 422, "domain_not_allowed"),
    ("idn-lookalike", "https://tіktok.com/x", 422, "domain_not_allowed"),
    ("punycode-lookalike", "https://xn--tktok-5ve.com/x", 422, "domain_not_allowed"),
    ("userinfo", "https://tiktok.com@evil.net/", 422, "userinfo_not_allowed"),
    ("userinfo-password", "https://tiktok.com:pw@evil.net/", 422, "userinfo_not_allowed"),
    ("encoded-at", "https://tiktok.com%40evil.net/", 422, "domain_not_allowed"),
    ("backslash-at", "https://evil.net\\@tiktok.com/", 422, "userinfo_not_allowed"),
    ("fragment-host", "https://evil.net#@tiktok.com/", 422, "domain_not_allowed"),
    ("no-scheme", "tiktok.com/@user/video/1", 422, "scheme_not_allowed"),
    ("scheme-relative", "//tiktok.com/@user/video/1", 422, "scheme_not_allowed"),
    ("file", "file:///etc/passwd", 422, "scheme_not_allowed"),
    ("file-host", "file://tiktok.com/etc/passwd", 422, "scheme_not_allowed"),
    ("javascript", "javascript:alert(document.cookie)", 422, "scheme_not_allowed"),
    ("data", "data:text/html,<script>alert(1)</script>", 422, "scheme_not_allowed"),
    ("gopher", "gopher://tiktok.com:70/_GET", 422, "scheme_not_allowed"),
    ("ftp", "ftp://tiktok.com/video.mp4", 422, "scheme_not_allowed"),
    ("empty-host", "https:///tiktok.com", 400, "invalid_url"),
    ("tab-in-host", "https://tiktok.com\t.evil.net/", 400, "invalid_url"),
    ("nul-in-host", "https://tiktok.com\x00.evil.net/", 400, "invalid_url"),
    ("space", "https://tiktok.com/ x", 400, "invalid_url"),
    ("space-in-host", "https://www.tik tok.com/@someone", 422, "domain_not_allowed"),
    ("space-in-port", "https://www.tiktok.com: 443/@someone", 422, "domain_not_allowed"),
    ("bad-ipv6", "http://[::1/x", 400, "invalid_url"),
    ("port-overflow", "http://127.0.0.1:65536/", 400, "invalid_url"),
    ("huge-label", "https://" + "a" * 300 + ".tiktok.com/", 400, "invalid_url"),
    ("over-2048", "https://www.tiktok.com/" + "v" * 2100, 400, "invalid_url"),
    ("crlf", "https://www.tiktok.com/\r\nX-Injected: 1", 400, "invalid_url"),
]


@pytest.fixture(scope="module")
def strict_vidserve(tmp_path_factory):
    """A server with the shipped URL rules, and literal private hosts on the allow-list so
    that the private-address check is reached without any DNS lookup."""
    allowed = [
        "tiktok.com",
        "instagram.com",
        "127.0.0.1",
        "10.0.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "::ffff:127.0.0.1",
    ]
    with start_vidserve(
        tmp_path_factory.mktemp("strict"), allowed_domains=allowed, allow_private_addresses=False
    ) as api:
        yield api


# yt-dlp's plain HTTP handlers: requests (preferred when installed) and urllib. curl_cffi's
# own turn is test_redirect_of_a_browser_request_to_an_intranet_address_is_refused.
HANDLERS = [
    pytest.param({}, id="requests"),
    pytest.param({"compat_opts": ["prefer-legacy-http-handler"]}, id="urllib"),
]


@pytest.mark.parametrize(
    "url, status, code", [case[1:] for case in HOSTILE_URLS], ids=[case[0] for case in HOSTILE_URLS]
)
def test_hostile_url_is_refused_with_the_contract_error(strict_vidserve, url, status, code):
    answer = strict_vidserve.post("/api/v1/download", {"url": url})

    assert_error(answer, status, code)
    assert strict_vidserve.get("/api/v1/health").json["database"]["total_downloads"] == 0


@pytest.mark.parametrize("handler", HANDLERS)
def test_redirect_to_a_private_address_is_not_followed(tmp_path, media_server, handler):
    port = urllib.parse.urlsplit(media_server).port
    hidden = f"http://127.0.0.2:{port}/clip-hidden.mp4"
    url = f"{media_server}/redirect?to={urllib.parse.quote(hidden)}&n={random.random()}"
    with start_vidserve(
        tmp_path,
        allow_private_addresses=False,
        private_networks=["127.0.0.1/32"],
        ytdlp_options=handler,
    ) as api:
        status = api.wait_for(api.submit(url))

    assert status["status"] == "failed"
    assert status["error_code"] == "private_address"
    assert "127.0.0.2" in status["error_message"]
    assert status["retry_count"] == 0
    assert "egress: refused 127.0.0.2" in api.log_text()


def test_redirect_within_allowed_networks_is_followed(tmp_path, media_server):
    second = ThreadingHTTPServer(("127.0.0.2", 0), MediaHandler)
    second.seen, second.failures = [], {}
    threading.Thread(target=second.serve_forever, daemon=True).start()
    target = f"http://127.0.0.2:{second.server_address[1]}/clip-elsewhere.mp4"
    url = f"{media_server}/redirect?to={urllib.parse.quote(target)}&n={random.random()}"
    try:
        with start_vidserve(
            tmp_path, allow_private_addresses=False, private_networks=["127.0.0.0/8"]
        ) as api:
            status = api.wait_for(api.submit(url))
    finally:
        second.shutdown()

    assert status["status"] == "completed"
    assert second.seen


def test_egress_proxy_answers_the_warm_up_request_itself():
    """Fetcher.warm's request through the egress proxy (which builds yt-dlp's HTTP handler
    before the first link needs it) is answered by the proxy, with no name lookup."""
    egress = vidserve.EgressProxy(vidserve.UrlPolicy(("example.com",), False)).start()
    try:
        proxy = urllib.parse.urlsplit(egress.url("test"))
        credentials = base64.b64encode(f"test:{egress.secret}".encode()).decode()
        with socket.create_connection((proxy.hostname, proxy.port), timeout=10) as sock:
            sock.sendall(
                f"GET http://{vidserve.WARM_UP_HOST}/ HTTP/1.1\r\nHost: {vidserve.WARM_UP_HOST}"
                f"\r\nProxy-Authorization: Basic {credentials}\r\n\r\n".encode()
            )
            reply = sock.makefile("rb").readline()
    finally:
        egress.stop()
    assert reply.startswith(b"HTTP/1.1 204 ")
    assert egress.refusal("test") is None


EGRESS_HOOK_SCRIPT = r"""
import json, socket, sys, threading
import vidserve

egress = vidserve.EgressProxy(vidserve.UrlPolicy(("example.com",), False)).start()
egress.guard_python()
listener = socket.create_server(("127.0.0.1", 0))
port = listener.getsockname()[1]
unix = socket.socket(socket.AF_UNIX)
unix.bind(sys.argv[1])
unix.listen()
results = {}


def attempt(name, connect):
    try:
        connect().close()
        results[name] = "connected"
    except PermissionError as err:
        results[name] = "refused: " + str(err)


def fast_open():
    sock = socket.socket()
    sock.sendto(b"GET /", socket.MSG_FASTOPEN, ("127.0.0.1", port))
    return sock


def connect_ex():
    sock = socket.socket()
    sock.connect_ex(("127.0.0.1", port))
    return sock


def datagram():
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.sendmsg([b"x"], [], 0, ("::1", port))
    return sock


def unix_socket():
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(sys.argv[1])
    return sock


def own():
    with vidserve.own_connections():
        return socket.create_connection(("127.0.0.1", port), 5)


attempt("by address", lambda: socket.create_connection(("127.0.0.1", port), 5))
attempt("by name", lambda: socket.create_connection(("localhost", port), 5))
attempt("name to connect", lambda: socket.socket().connect(("localhost", port)))
attempt("fast open", fast_open)
attempt("connect_ex", connect_ex)
attempt("datagram", datagram)
attempt("not plain", lambda: socket.getaddrinfo("localhost\\@example.com", 80))
refused = egress.refusal("any client")
thread = threading.Thread(
    target=attempt, args=("another thread", lambda: socket.create_connection(("::1", port), 5))
)
thread.start()
thread.join()
attempt("own", own)
attempt("the proxy", lambda: socket.create_connection(egress.address, 5))
attempt("unix", unix_socket)
print(json.dumps({"results": results, "refusal": refused, "after": egress.refusal("any")}))
"""


def test_egress_hook_refuses_every_python_connection_the_proxy_would_have(tmp_path):
    """EgressProxy.guard_python, in a process of its own (an audit hook stays for life): on
    any thread, a name that is not plain, or a connect() or TCP Fast Open to an address the
    policy refuses, fails with PermissionError before any packet leaves, and is kept for
    refusal(); vidserve's own connections, the proxy itself and non-internet sockets pass."""
    answer = subprocess.run(
        [sys.executable, "-c", EGRESS_HOOK_SCRIPT, str(tmp_path / "unix.sock")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(VIDSERVE.parent)},
    )
    assert answer.returncode == 0, answer.stderr
    found = json.loads(answer.stdout)
    results = found["results"]

    refused = ["by address", "by name", "name to connect", "fast open", "connect_ex", "datagram"]
    for name in [*refused, "another thread"]:
        assert results[name].startswith("refused: "), (name, results[name])
    assert "vidserve refused to look up" in results["not plain"]
    assert results["own"] == results["the proxy"] == results["unix"] == "connected"
    assert found["refusal"] == "not a plain host name"  # the last refused, as the proxy says it
    assert found["after"] is None  # asking forgets
    assert "egress: refused 127.0.0.1:" in answer.stderr  # the log says it as the proxy does
    assert "localhost is at a non-public address (127.0.0.1 port" in answer.stderr


PI_PUBLIC = "5.5.5.5"  # a public address the namespace's machine holds, as a Pi holds its own


UNROUTED_PUBLIC = "6.6.6.6"  # a public address with no route in the namespace


@pytest.fixture(scope="module")
def pi_network(tmp_path_factory):
    """A network namespace standing for the Pi's: lo holds PI_PUBLIC as well, `page.test` is
    127.0.0.1, where MediaHandler serves on port 80 (`.page`), and `.own_service` listens on
    PI_PUBLIC:80 without accepting, so any connection that reached it is left queued."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("the Pi's network needs root, unshare and nsenter (CI runs as root)")
    directory = tmp_path_factory.mktemp("pi-network")
    namespace = Namespace(directory)
    with open(directory / "hosts", "a") as hosts:  # the file bound over the namespace's
        hosts.write("127.0.0.1 page.test\n")
    run_command(
        [*namespace.command_prefix(directory), "ip", "addr", "add", f"{PI_PUBLIC}/32", "dev", "lo"],
        check=True,
    )
    page = namespace.run(lambda: ThreadingHTTPServer(("127.0.0.1", 80), MediaHandler))
    page.seen, page.failures, page.daemon_threads = [], {}, True
    threading.Thread(target=page.serve_forever, daemon=True).start()
    namespace.own_service = namespace.run(socket.create_server, (PI_PUBLIC, 80))
    namespace.own_service.setblocking(False)
    namespace.directory = directory
    yield namespace
    page.shutdown()
    namespace.own_service.close()
    namespace.close()


PI_SETTINGS = {
    "allowed_domains": ["page.test"],
    "allow_private_addresses": False,
    "private_networks": ["127.0.0.0/8"],  # the page's own server, on any port
}


def nothing_connected(listener: socket.socket) -> bool:
    try:
        listener.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def through_proxy(egress: "vidserve.EgressProxy", request_line: str) -> bytes:
    """The status line the egress proxy answers a request of vidserve's own worker with."""
    proxy = urllib.parse.urlsplit(egress.url("test"))
    credentials = base64.b64encode(f"test:{egress.secret}".encode()).decode()
    with socket.create_connection((proxy.hostname, proxy.port), timeout=10) as sock:
        sock.sendall(
            f"{request_line} HTTP/1.1\r\nProxy-Authorization: Basic {credentials}\r\n\r\n".encode()
        )
        return sock.makefile("rb").readline()


@contextlib.contextmanager
def egress_in(namespace, policy: "vidserve.UrlPolicy"):
    """An EgressProxy whose threads live in the namespace: nothing it might connect to is
    outside it."""
    egress = namespace.run(lambda: vidserve.EgressProxy(policy).start())
    try:
        yield egress
    finally:
        egress.stop()


@pytest.mark.parametrize(
    "host",
    ["evil.test\\.localhost", "evil.test%5c.localhost", "evil%2etest.localhost"],
    ids=["backslash", "escaped-backslash", "escaped-dot"],
)
def test_host_another_parser_reads_as_another_site_is_refused_with_422(
    vidserve_api, media_server, host
):
    port = urllib.parse.urlsplit(media_server).port
    before = vidserve_api.get("/api/v1/health").json["database"]["total_downloads"]

    answer = vidserve_api.post("/api/v1/download", {"url": f"http://{host}:{port}/clip.mp4"})

    assert_error(answer, 422, "domain_not_allowed")
    assert vidserve_api.get("/api/v1/health").json["database"]["total_downloads"] == before


@pytest.mark.parametrize(
    "request_line",
    ["CONNECT evil.net\\.www.tiktok.com:443", "GET http://evil.net\\.www.tiktok.com/x"],
    ids=["connect", "plain-http"],
)
def test_egress_proxy_refuses_a_backslash_host_without_looking_it_up(pi_network, request_line):
    policy = vidserve.UrlPolicy(("tiktok.com",), False)
    with egress_in(pi_network, policy) as egress:
        answer = pi_network.run(through_proxy, egress, request_line)

    assert answer.startswith(b"HTTP/1.1 403 ")
    assert "plain host" in egress.refusal("test")


@pytest.mark.parametrize(
    "address", ["64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe"], ids=["loopback", "metadata"]
)
def test_egress_proxy_refuses_a_nat64_address_embedding_a_private_ipv4(pi_network, address):
    policy = vidserve.UrlPolicy(("tiktok.com",), False)
    with egress_in(pi_network, policy) as egress:
        answer = pi_network.run(through_proxy, egress, f"CONNECT [{address}]:443")

    assert answer.startswith(b"HTTP/1.1 403 ")
    assert "non-public" in egress.refusal("test")


def test_page_redirecting_to_the_pis_own_public_address_is_refused(pi_network, tmp_path):
    assert ipaddress.ip_address(PI_PUBLIC).is_global
    url = f"http://page.test/redirect?to=http://{PI_PUBLIC}/clip.mp4"

    with start_vidserve(tmp_path, namespace=pi_network, **PI_SETTINGS) as api:
        status = api.wait_for(api.submit(url))

    assert status["status"] == "failed"
    assert status["error_code"] == "private_address"
    assert PI_PUBLIC in status["error_message"]
    assert nothing_connected(pi_network.own_service)


def test_page_redirecting_to_port_22_of_a_public_address_is_refused(pi_network, tmp_path):
    url = f"http://page.test/redirect?to=http://{UNROUTED_PUBLIC}:22/"

    with start_vidserve(tmp_path, namespace=pi_network, **PI_SETTINGS) as api:
        status = api.wait_for(api.submit(url))

    # Refused by the port rule: a connection attempt would have failed as a network error.
    assert status["status"] == "failed"
    assert status["error_code"] == "private_address"
    assert "port 22" in status["error_message"]


def test_ytdlp_options_header_choosing_no_proxy_stops_the_server_with_exit_2(tmp_path):
    options = {"http_headers": {"Ytdl-Request-Proxy": "__noproxy__"}}
    write_config(tmp_path / "vidserve.toml", {"port": 0, "ytdlp_options": options})

    result = run_command(
        [sys.executable, str(VIDSERVE), "--config", "vidserve.toml"], cwd=tmp_path, timeout_s=20
    )

    assert result.returncode == 2
    assert "http_headers" in result.stderr + result.stdout


def test_page_whose_video_is_rtmp_fails_without_connecting_to_it(vidserve_api, media_server):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        video = f"rtmp://127.0.0.1:{listener.getsockname()[1]}/live/cat"
        page = f"{media_server}/page.html?video={urllib.parse.quote(video)}&n={random.random()}"

        status = vidserve_api.wait_for(vidserve_api.submit(page))

        assert status["status"] == "failed"
        assert "refused to download by rtmp" in status["error_message"]
        assert nothing_connected(listener)


PAGE_POLICY = vidserve.UrlPolicy(("page.test",), False, ["127.0.0.0/8"])


def test_proxy_slot_flood_of_trickling_strangers_does_not_keep_out_a_worker(pi_network):
    with egress_in(pi_network, PAGE_POLICY) as egress:
        proxy = urllib.parse.urlsplit(egress.url("test"))
        flood = pi_network.run(trickling, (proxy.hostname, proxy.port), 200, b"C")
        try:
            answer = pi_network.run(through_proxy, egress, "CONNECT 127.0.0.1:80")
        finally:
            for sock in flood:
                sock.close()

    assert answer.startswith(b"HTTP/1.1 200 ")


def test_proxy_password_that_is_not_ascii_is_refused_with_407(pi_network):
    with egress_in(pi_network, PAGE_POLICY) as egress:
        proxy = urllib.parse.urlsplit(egress.url("test"))
        credentials = base64.b64encode("test:pässwört".encode()).decode()

        def ask() -> bytes:
            with socket.create_connection((proxy.hostname, proxy.port), timeout=10) as sock:
                sock.sendall(
                    b"CONNECT 127.0.0.1:80 HTTP/1.1\r\n"
                    + f"Proxy-Authorization: Basic {credentials}\r\n\r\n".encode()
                )
                return sock.makefile("rb").readline()

        answer = pi_network.run(ask)

    assert answer.startswith(b"HTTP/1.1 407 ")


def test_proxy_accept_loop_survives_a_thread_start_failing_once(pi_network, monkeypatch):
    """The fault is injected: a TasksMax that refuses exactly one thread cannot be made for
    real in a test."""
    start, failed = threading.Thread.start, []

    def start_or_fail_once(thread):
        if thread.name == "egress" and not failed:  # the accept loop itself already runs
            failed.append(thread)
            raise RuntimeError("can't start new thread")
        return start(thread)

    with egress_in(pi_network, PAGE_POLICY) as egress:
        monkeypatch.setattr(threading.Thread, "start", start_or_fail_once)
        proxy = urllib.parse.urlsplit(egress.url("test"))
        refused = pi_network.run(trickling, (proxy.hostname, proxy.port), 1, b"C")[0]
        wait_until(lambda: failed, 10, "the thread start to fail")
        answer = pi_network.run(through_proxy, egress, "CONNECT 127.0.0.1:80")
        refused.close()

        assert egress.alive()
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_health_says_unhealthy_with_503_once_the_egress_proxy_has_died(tmp_path):
    with serve_in_process(tmp_path) as (service, api):
        service.app.egress.stop()  # the accept loop ends, as an uncaught error once ended it
        wait_until(lambda: not service.app.egress.alive(), 10, "the proxy to end")

        answer = api.get("/api/v1/health", token=False)

    assert answer.status == 503
    assert answer.json["status"] == "unhealthy"


def test_own_addresses_are_read_from_the_interfaces_where_netlink_is_forbidden(home, tmp_path):
    statement = "print(sorted(map(str, vidserve.own_addresses())))"
    netlink = "import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)"

    listed = run_command([*home.command_prefix(tmp_path), *vidserve.vidserve_program(statement)])
    refused = run_command([*home.command_prefix(tmp_path), sys.executable, "-c", netlink])

    assert listed.returncode == 0, listed.stderr  # as UrlPolicy reads them at each check
    assert set(ast.literal_eval(listed.stdout)) >= {"127.0.0.1", "::1", HOME_IPV4, HOME_ULA}
    assert "Address family not supported" in refused.stderr  # the restriction holds


# ---- 7. Jobs: submit, status, wait, cancel, retry --------------------------------------------


def test_submitted_video_is_downloaded_and_reported_completed(vidserve_api, media_server):
    url = unique(media_server)

    created = vidserve_api.post("/api/v1/download", {"url": url, "client_id": "ios-app"})
    status = vidserve_api.wait_for(created.json["download_id"])

    assert created.status == 201
    assert created.headers["Location"] == f"/api/v1/status/{created.json['download_id']}"
    assert UUID_V4.fullmatch(created.json["download_id"])
    assert created.json["success"] is True
    assert created.json["status"] == "pending"
    assert created.json["duplicate"] is False
    assert TIMESTAMP.fullmatch(created.json["submitted_at"])
    assert status["status"] == "completed"
    assert status["client_id"] == "ios-app"
    assert status["url"] == url
    assert status["file_size"] == len(CLIP_BYTES)
    assert status["file_url"] == f"/api/v1/files/{status['download_id']}"
    assert "/" not in status["filename"]
    assert (vidserve_api.download_dir / status["filename"]).read_bytes() == CLIP_BYTES
    assert all(TIMESTAMP.fullmatch(status[k]) for k in ("started_at", "completed_at"))
    assert status["progress"]["percent"] == 100.0
    assert status["error_code"] is None and status["retry_count"] == 0


def test_status_object_has_every_contract_field(vidserve_api, media_server):
    download_id = vidserve_api.submit(unique(media_server))

    status = vidserve_api.wait_for(download_id)

    contract = {
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
        "thumbnail",
    }
    assert contract <= status.keys()
    assert set(status["progress"]) >= {
        "percent",
        "downloaded_bytes",
        "total_bytes",
        "speed_bps",
        "eta_s",
    }


def test_page_with_og_video_is_downloaded_under_its_title(vidserve_api, media_server):
    page = f"{media_server}/page.html?title=Cat+%F0%9F%90%B1+%2F+dog&n={random.random()}"

    status = vidserve_api.wait_for(vidserve_api.submit(page))

    assert status["status"] == "completed"
    assert status["title"] == "Cat 🐱 / dog"
    assert status["filename"].startswith("Cat 🐱")
    assert status["filename"].endswith(".mp4") and "/" not in status["filename"]
    assert (vidserve_api.download_dir / status["filename"]).read_bytes() == CLIP_BYTES


def test_title_with_bidi_and_zero_width_characters_is_saved_under_a_name_without_them(
    vidserve_api, media_server
):
    title = "innocent\u202egpj.exe\u200b\u2066x\u2069"  # shows as "innocentexe.jpg"
    page = page_url(media_server, title=title)

    status = vidserve_api.wait_for(vidserve_api.submit(page))

    assert status["status"] == "completed"
    assert status["title"] == title  # the title is the site's, as it came
    assert status["filename"] == "innocentgpj.exex [clip].mp4"
    assert (vidserve_api.download_dir / status["filename"]).read_bytes() == CLIP_BYTES
    names = [path.name for path in vidserve_api.download_dir.rglob("*")]
    assert not any(unicodedata.category(char) == "Cf" for name in names for char in name)


def test_form_encoded_submission_is_accepted(vidserve_api, media_server):
    body = urllib.parse.urlencode({"url": unique(media_server), "client_id": "shortcut"})

    answer = vidserve_api.post(
        "/api/v1/download",
        body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert answer.status == 201
    assert vidserve_api.wait_for(answer.json["download_id"])["client_id"] == "shortcut"


def test_form_booleans_are_true_or_1_while_json_needs_a_boolean(vidserve_api, media_server):
    url = unique(media_server)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    first = vidserve_api.post(
        "/api/v1/download", urllib.parse.urlencode({"url": url}).encode(), headers=form
    )

    forced = vidserve_api.post(
        "/api/v1/download",
        urllib.parse.urlencode({"url": url, "force": "1"}).encode(),
        headers=form,
    )
    as_text = vidserve_api.post("/api/v1/download", {"url": url, "force": "true"})

    assert first.status == 201 and forced.status == 201
    assert forced.json["download_id"] != first.json["download_id"]
    assert_error(as_text, 400, "invalid_field")


def test_same_url_twice_gives_the_first_download_marked_duplicate(vidserve_api, media_server):
    url = unique(media_server)
    first = vidserve_api.post("/api/v1/download", {"url": url})

    again = vidserve_api.post("/api/v1/download", {"url": url + "#t=3"})

    assert first.status == 201
    assert again.status == 200
    assert again.json["duplicate"] is True
    assert again.json["download_id"] == first.json["download_id"]


def test_duplicate_of_a_completed_download_points_at_it(vidserve_api, media_server):
    url = unique(media_server)
    first = vidserve_api.submit(url)
    vidserve_api.wait_for(first)

    again = vidserve_api.post("/api/v1/download", {"url": url})

    assert (again.status, again.json["download_id"], again.json["duplicate"]) == (200, first, True)
    assert again.json["status"] == "completed"


def test_force_queues_a_second_download_with_its_own_file(vidserve_api, media_server):
    url = unique(media_server)
    first = vidserve_api.wait_for(vidserve_api.submit(url))

    forced = vidserve_api.post("/api/v1/download", {"url": url, "force": True})
    second = vidserve_api.wait_for(forced.json["download_id"])

    assert forced.status == 201 and forced.json["duplicate"] is False
    assert second["status"] == "completed"
    assert second["filename"] != first["filename"]
    assert (vidserve_api.download_dir / first["filename"]).read_bytes() == CLIP_BYTES
    assert (vidserve_api.download_dir / second["filename"]).read_bytes() == CLIP_BYTES


def test_deleted_file_makes_the_url_downloadable_again(vidserve_api, media_server):
    url = unique(media_server)
    first = vidserve_api.wait_for(vidserve_api.submit(url))
    (vidserve_api.download_dir / first["filename"]).unlink()

    again = vidserve_api.post("/api/v1/download", {"url": url})

    assert again.status == 201
    assert vidserve_api.wait_for(again.json["download_id"])["status"] == "completed"


def test_status_of_unknown_id_is_404(vidserve_api):
    assert_error(
        vidserve_api.get("/api/v1/status/0b6f1a52-8d4a-4f7e-9a41-3f0c2d1e5b6a"), 404, "not_found"
    )


@pytest.mark.parametrize(
    "bad_id",
    ["123", "not-a-uuid", "0b6f1a52-8d4a-1f7e-9a41-3f0c2d1e5b6a", "..%2F..%2Fetc%2Fpasswd", "%00"],
)
def test_status_of_malformed_id_is_400(vidserve_api, bad_id):
    assert_error(vidserve_api.get(f"/api/v1/status/{bad_id}"), 400, "invalid_id")


def test_wait_returns_as_soon_as_the_download_ends(vidserve_api, media_server):
    download_id = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=1&n={random.random()}")

    status = vidserve_api.get(f"/api/v1/status/{download_id}?wait=60").json

    assert status["status"] == "completed"
    assert status["file_size"] == 1_000_000


def test_wait_gives_up_after_n_seconds_with_the_current_state(vidserve_api, media_server):
    download_id = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=8&n={random.random()}")

    status = vidserve_api.get(f"/api/v1/status/{download_id}?wait=1").json

    assert status["status"] in ("pending", "downloading")
    vidserve_api.delete(f"/api/v1/download/{download_id}")


@pytest.mark.parametrize("wait", ["-1", "121", "abc", "1e3", ""])
def test_wait_outside_0_to_120_is_400(vidserve_api, media_server, wait):
    download_id = vidserve_api.submit(unique(media_server))

    answer = vidserve_api.get(f"/api/v1/status/{download_id}?wait={wait}")

    assert_error(answer, 400, "invalid_parameter")


def test_running_download_reports_progress(vidserve_api, media_server):
    download_id = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=4&n={random.random()}")

    def progressing():
        status = vidserve_api.get(f"/api/v1/status/{download_id}").json
        progress = status["progress"] or {}
        return status["status"] == "downloading" and (progress.get("percent") or 0) > 0 and status

    status = wait_until(progressing, 20, "progress to be reported")

    assert status["progress"]["total_bytes"] == 1_000_000
    assert 0 < status["progress"]["downloaded_bytes"] <= 1_000_000
    assert vidserve_api.wait_for(download_id)["status"] == "completed"


def test_url_that_keeps_failing_with_500_is_retried_then_failed(tmp_path, media_server):
    path = f"/status/500?n={random.random()}"
    with start_vidserve(tmp_path, max_retries=2, retry_backoff_s=0.1) as api:
        status = api.wait_for(api.submit(f"{media_server}{path}"))

    assert status["status"] == "failed"
    assert status["retry_count"] == 2
    assert status["error_code"] == "http_error"
    assert "500" in status["error_message"]
    assert len(media_server.requests_for(path)) >= 3
    assert not list((tmp_path / "vidserve-data" / "downloads" / ".partial").iterdir())


def test_url_that_answers_404_fails_at_once_without_retry(vidserve_api, media_server):
    path = f"/status/404?n={random.random()}"

    status = vidserve_api.wait_for(vidserve_api.submit(f"{media_server}{path}"))

    assert status["status"] == "failed"
    assert status["retry_count"] == 0
    assert status["error_code"] == "not_found"


def test_cancelling_a_pending_download_is_immediate(tmp_path, media_server):
    with start_vidserve(tmp_path, workers=1) as api:
        busy = api.submit(f"{media_server}/slow.mp4?seconds=8&n={random.random()}")
        queued = api.submit(unique(media_server))

        answer = api.delete(f"/api/v1/download/{queued}")
        api.delete(f"/api/v1/download/{busy}")

    assert answer.status == 200
    assert answer.json["status"] == "cancelled"
    assert answer.json["error_code"] == "cancelled"


def test_cancelling_a_running_download_stops_it_and_leaves_no_partial_file(
    vidserve_api, media_server
):
    url = f"{media_server}/slow.mp4?seconds=20&size=4000000&n={random.random()}"
    files_before = set(vidserve_api.download_dir.iterdir())
    download_id = vidserve_api.submit(url)
    partial = vidserve_api.download_dir / ".partial" / download_id
    wait_until(lambda: partial.exists() and any(partial.iterdir()), 20, "a partial file")

    answer = vidserve_api.delete(f"/api/v1/download/{download_id}")

    assert answer.json["status"] == "cancelled"
    wait_until(lambda: not partial.exists(), 3, "the partial file to be removed")
    assert vidserve_api.get(f"/api/v1/status/{download_id}?wait=5").json["status"] == "cancelled"
    assert set(vidserve_api.download_dir.iterdir()) == files_before


def test_deleting_a_completed_download_removes_its_file_and_keeps_the_record(
    vidserve_api, media_server
):
    status = vidserve_api.wait_for(vidserve_api.submit(unique(media_server)))

    answer = vidserve_api.delete(f"/api/v1/download/{status['download_id']}")

    assert answer.status == 200
    assert answer.json["status"] == "completed" and answer.json["file_removed"] is True
    assert not (vidserve_api.download_dir / status["filename"]).exists()
    assert_error(vidserve_api.get(status["file_url"]), 410, "file_removed")
    assert vidserve_api.delete(f"/api/v1/download/{status['download_id']}").status == 200


def test_failed_download_can_be_retried_to_completion(tmp_path, media_server):
    url = f"{media_server}/flaky.mp4?key={random.random()}&fail=1"
    with start_vidserve(tmp_path, max_retries=0) as api:
        failed = api.wait_for(api.submit(url))

        answer = api.post(f"/api/v1/download/{failed['download_id']}/retry")
        retried = api.wait_for(failed["download_id"])

    assert failed["status"] == "failed" and failed["error_code"] == "http_error"
    assert answer.status == 200 and answer.json["status"] == "pending"
    assert retried["status"] == "completed"
    assert retried["error_code"] is None and retried["retry_count"] == 0


def test_transient_failures_are_retried_by_themselves(tmp_path, media_server):
    url = f"{media_server}/flaky.mp4?key={random.random()}&fail=2"
    with start_vidserve(tmp_path, max_retries=3, retry_backoff_s=0.1) as api:
        status = api.wait_for(api.submit(url))

    assert status["status"] == "completed"
    assert status["retry_count"] == 2
    assert status["error_code"] is None


def test_cancelled_download_can_be_retried(vidserve_api, media_server):
    download_id = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=3&n={random.random()}")
    vidserve_api.delete(f"/api/v1/download/{download_id}")

    answer = vidserve_api.post(f"/api/v1/download/{download_id}/retry")
    status = vidserve_api.wait_for(download_id, seconds=60)

    assert answer.status == 200
    assert status["status"] == "completed"


def test_retrying_a_completed_download_is_409(vidserve_api, finished):
    answer = vidserve_api.post(f"/api/v1/download/{finished['download_id']}/retry")

    assert_error(answer, 409, "invalid_state")


# fmt: off
BAD_SUBMISSIONS = [
    # id, body, content type, status, code
    ("not-json", b"{url:", "application/json", 400, "invalid_json"),
    ("json-array", b'["http://127.0.0.1/x"]', "application/json", 400, "invalid_json"),
    ("json-string", b'"http://127.0.0.1/x"', "application/json", 400, "invalid_json"),
    ("invalid-utf8", b'{"url": "\xff\xfe"}', "application/json", 400, "invalid_body"),
    ("deep-nesting", b"[" * 50000 + b"]" * 50000, "application/json", 413, "body_too_large"),
    ("nested-30k", b"[" * 30000 + b"]" * 30000, "application/json", 400, "invalid_json"),
    ("no-url", b'{"client_id": "x"}', "application/json", 400, "invalid_url"),
    ("url-number", b'{"url": 5}', "application/json", 400, "invalid_url"),
    ("url-null", b'{"url": null}', "application/json", 400, "invalid_url"),
    ("url-list", b'{"url": ["http://127.0.0.1/"]}', "application/json", 400, "invalid_url"),
    ("url-empty", b'{"url": ""}', "application/json", 400, "invalid_url"),
    ("url-nul", b'{"url": "http://127.0.0.1/a\\u0000b"}', "application/json", 400,
     "invalid_url"),
    ("url-newline", b'{"url": "http://127.0.0.1/a\\r\\nb"}', "application/json", 400,
     "invalid_url"),
    ("url-too-long", json.dumps({"url": "http://127.0.0.1/" + "a" * 2100}).encode(),
     "application/json", 400, "invalid_url"),
    ("bad-port", b'{"url": "http://127.0.0.1:99999/"}', "application/json", 400, "invalid_url"),
    ("file-scheme", b'{"url": "file:///etc/passwd"}', "application/json", 422,
     "scheme_not_allowed"),
    ("javascript", b'{"url": "javascript:alert(1)"}', "application/json", 422,
     "scheme_not_allowed"),
    ("data-url", b'{"url": "data:video/mp4;base64,AAAA"}', "application/json", 422,
     "scheme_not_allowed"),
    ("ftp", b'{"url": "ftp://127.0.0.1/x.mp4"}', "application/json", 422, "scheme_not_allowed"),
    ("other-domain", b'{"url": "https://evil.example/x"}', "application/json", 422,
     "domain_not_allowed"),
    ("suffix-trick", b'{"url": "https://127.0.0.1.evil.example/x"}', "application/json", 422,
     "domain_not_allowed"),
    ("userinfo", b'{"url": "http://127.0.0.1@evil.example/x"}', "application/json", 422,
     "userinfo_not_allowed"),
    ("client-id-long", json.dumps({"url": "http://127.0.0.1/x", "client_id": "c" * 65}).encode(),
     "application/json", 400, "invalid_field"),
    ("client-id-number", b'{"url": "http://127.0.0.1/x", "client_id": 7}', "application/json",
     400, "invalid_field"),
    ("force-string", b'{"url": "http://127.0.0.1/x", "force": "yes"}', "application/json", 400,
     "invalid_field"),
    ("audio-number", b'{"url": "http://127.0.0.1/x", "audio_only": 1}', "application/json", 400,
     "invalid_field"),
    ("force-string-true", b'{"url": "http://127.0.0.1/x", "force": "true"}', "application/json",
     400, "invalid_field"),
    ("audio-string-1", b'{"url": "http://127.0.0.1/x", "audio_only": "1"}', "application/json",
     400, "invalid_field"),
    ("text-plain", b"http://127.0.0.1/x", "text/plain", 415, "unsupported_media_type"),
    ("no-content-type", b'{"url": "http://127.0.0.1/x"}', None, 415, "unsupported_media_type"),
    ("too-large", b'{"url": "' + b"a" * 70000 + b'"}', "application/json", 413, "body_too_large"),
    ("form-garbage", b"%%%&&&==", "application/x-www-form-urlencoded", 400, "invalid_body"),
]


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [case[1:] for case in BAD_SUBMISSIONS],
    ids=[case[0] for case in BAD_SUBMISSIONS],
)
def test_bad_submission_gets_a_4xx_json_error_and_queues_nothing(
    vidserve_api, body, content_type, status, code
):
    before = vidserve_api.get("/api/v1/health").json["database"]["total_downloads"]
    headers = {"Content-Type": content_type} if content_type else {}

    answer = vidserve_api.post("/api/v1/download", body, headers=headers)

    assert_error(answer, status, code)
    assert vidserve_api.get("/api/v1/health").json["database"]["total_downloads"] == before


def test_submission_below_the_free_space_floor_is_507(tmp_path):
    with start_vidserve(tmp_path, min_free_bytes=2**62) as api:
        answer = api.post("/api/v1/download", {"url": "http://127.0.0.1/clip.mp4"})

        assert_error(answer, 507, "insufficient_storage")
        assert api.get("/api/v1/health").json["database"]["total_downloads"] == 0


def test_a_download_completes_under_its_own_long_poll(tmp_path, media_server, monkeypatch):
    """?wait holds its request open while the download runs: with the workers' pauses for
    requests made endless, the download must still finish and the long poll see it."""
    monkeypatch.setattr(vidserve, "GIVE_WAY_S", 3600)
    with serve_in_process(tmp_path) as (_, api):
        download_id = api.submit(unique(media_server, "long-poll"))
        assert api.wait_for(download_id, 60)["status"] == "completed"


# ---- 8. History and events: pages, search, the event stream ----------------------------------


@pytest.fixture
def history_jobs(vidserve_api, media_server):
    """Five finished jobs of a client of this test's own, oldest first."""
    client_id = f"history-{random.randrange(10**9)}"
    ids = [vidserve_api.submit(unique(media_server), client_id=client_id) for _ in range(5)]
    for download_id in ids:
        vidserve_api.wait_for(download_id)
    return client_id, ids


def test_history_lists_newest_first_with_total_count(vidserve_api, history_jobs):
    client_id, ids = history_jobs

    answer = vidserve_api.get(f"/api/v1/history?client_id={client_id}")

    assert answer.status == 200
    assert [item["download_id"] for item in answer.json] == ids[::-1]
    assert answer.headers["X-Total-Count"] == "5"
    assert all(item["status"] == "completed" for item in answer.json)


def test_history_pages_by_limit_and_offset(vidserve_api, history_jobs):
    client_id, ids = history_jobs

    page = vidserve_api.get(f"/api/v1/history?client_id={client_id}&limit=2&offset=2")

    assert [item["download_id"] for item in page.json] == [ids[2], ids[1]]
    assert page.headers["X-Total-Count"] == "5"


def test_history_pages_by_keyset_before(vidserve_api, history_jobs):
    client_id, ids = history_jobs

    page = vidserve_api.get(f"/api/v1/history?client_id={client_id}&before={ids[3]}&limit=2")

    assert [item["download_id"] for item in page.json] == [ids[2], ids[1]]


def test_history_filters_by_status(vidserve_api, history_jobs):
    client_id, _ = history_jobs

    completed = vidserve_api.get(f"/api/v1/history?client_id={client_id}&status=completed")
    failed = vidserve_api.get(f"/api/v1/history?client_id={client_id}&status=failed")

    assert len(completed.json) == 5
    assert failed.json == [] and failed.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=abc",
        "offset=-1",
        "status=done",
        "before=nope",
        "client_id=" + "x" * 65,
    ],
)
def test_history_with_bad_parameters_is_400(vidserve_api, query):
    assert vidserve_api.get(f"/api/v1/history?{query}").status == 400


def test_events_stream_every_state_change_of_a_download(vidserve_api, media_server):
    reader = EventReader(vidserve_api)
    download_id = vidserve_api.submit(unique(media_server))
    vidserve_api.wait_for(download_id)

    statuses = wait_until(
        lambda: (
            (seen := [e["status"] for e in reader.for_download(download_id)])
            and seen[-1] == "completed"
            and seen
        ),
        10,
        "the completed event",
    )
    reader.close()

    assert reader.reply.headers["Content-Type"].startswith("text/event-stream")
    assert statuses[0] == "pending" and "downloading" in statuses
    assert all(event == "download" for event, _ in reader.events)


def test_events_carry_progress_at_most_twice_a_second(vidserve_api, media_server):
    reader = EventReader(vidserve_api)
    download_id = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=3&n={random.random()}")
    vidserve_api.wait_for(download_id)
    wait_until(
        lambda: any(e["status"] == "completed" for e in reader.for_download(download_id)),
        10,
        "the completed event",
    )
    reader.close()

    progress = [e for e in reader.for_download(download_id) if e["status"] == "downloading"]

    assert len(progress) >= 3
    assert len(progress) <= 2 * 3 + 4  # ≤ 2/s over a ~3 s download, plus state changes
    percents = [e["progress"]["percent"] for e in progress if e["progress"]]
    assert percents == sorted(percents)


def test_completed_event_carries_the_final_progress_of_every_item(vidserve_api, media_server):
    reader = EventReader(vidserve_api)
    download_id = vidserve_api.submit(
        f"{media_server}/carousel.html?items=3&key=ev{random.randrange(10**9)}"
    )
    vidserve_api.wait_for(download_id)

    completed = wait_until(
        lambda: [e for e in reader.for_download(download_id) if e["status"] == "completed"],
        10,
        "the completed event",
    )[-1]
    reader.close()

    assert completed["progress"]["percent"] == 100.0
    assert completed["progress"]["items_done"] == completed["progress"]["items_total"] == 3
    assert len(completed["files"]) == 3


def test_events_send_heartbeat_comments(tmp_path):
    with start_vidserve(tmp_path, events_heartbeat_s=0.2) as api:
        reader = EventReader(api)

        wait_until(lambda: len(reader.comments) >= 3, 10, "heartbeats")
        reader.close()

    assert ": heartbeat" in reader.comments


def test_clients_that_never_read_events_block_nobody(tmp_path, media_server):
    with start_vidserve(tmp_path, request_timeout_s=5) as api:
        stalled = []
        for _ in range(10):
            sock = socket.create_connection(urllib.parse.urlsplit(api.base_url).netloc.split(":"))
            tls = ssl.create_default_context(cafile=str(api.cafile)).wrap_socket(
                sock, server_hostname="127.0.0.1"
            )
            tls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            tls.sendall(
                f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.token}\r\n\r\n".encode()
            )
            stalled.append(tls)  # never read from again

        ids = [api.submit(unique(media_server)) for _ in range(5)]
        statuses = [api.wait_for(download_id)["status"] for download_id in ids]
        health = api.get("/api/v1/health")
        for sock in stalled:
            sock.close()

    assert statuses == ["completed"] * 5
    assert health.status == 200


def test_events_end_cleanly_when_the_server_stops(tmp_path):
    with start_vidserve(tmp_path) as api:
        reader = EventReader(api)
        code = stop_process(api)
        reader.thread.join(timeout=10)

    assert code == 0
    assert not reader.thread.is_alive()


@pytest.fixture(scope="module")
def library(tmp_path_factory, media_server):
    """A server of its own holding downloads with tricky titles, for exact search counts."""
    titles = {
        "percent": "Sale 100% off",
        "hundred": "Sale 100 x off",
        "underscore": "snake_case cat",
        "quote": 'She said "meow" loudly',
        "caps": "GRUMPY Cat Compilation",
        "unicode": "Ünïcode Straße Katze",
        "failed": None,
    }
    with start_vidserve(tmp_path_factory.mktemp("library")) as api:
        ids = {}
        for name, title in titles.items():
            if title is None:
                url = f"{media_server}/status/404?n={random.random()}"
            else:
                url = page_url(media_server, title)
            ids[name] = api.wait_for(api.submit(url))["download_id"]
        api.extra["ids"] = ids
        yield api


# Searches of the library fixture, and the downloads each lists (newest first).
LIBRARY_SEARCHES = [
    ("sale", ["hundred", "percent"]),
    ("100%", ["percent"]),
    ("%", ["percent"]),
    ("_", ["underscore"]),
    ("e_c", ["underscore"]),
    ('"meow"', ["quote"]),
    ('"', ["quote"]),
    ("grumpy cat", ["caps"]),
    ("cat grumpy", ["caps"]),
    ("cat dog", []),
    ("ünïcode straße", ["unicode"]),
    ("ÜNÏCODE", ["unicode"]),
    ("status/404", ["failed"]),
    ("127.0.0.1 snake", ["underscore"]),
    ("   ", ["failed", "unicode", "caps", "quote", "underscore", "hundred", "percent"]),
]


@pytest.mark.parametrize("query, expected", LIBRARY_SEARCHES)
def test_search_matches_every_word_in_title_uploader_or_url_literally(library, query, expected):
    names, total = search(library, query)

    assert names == expected
    assert total == len(expected)


def test_ended_downloads_join_the_search_index_in_a_batch_and_are_found_the_same(library):
    """Until its batch a download that ended is found by matching its words one job at a
    time (Store._search); after it, by the trigram index. Either way, each search lists the
    same downloads."""
    db = sqlite3.connect(f"file:{library.data_dir / 'vidserve.db'}?mode=ro", uri=True)
    unindexed = "SELECT COUNT(*) FROM jobs WHERE NOT searchable"

    wait_until(lambda: db.execute(unindexed).fetchone()[0] == 0, 10, "the batch")
    indexed = db.execute("SELECT rowid FROM jobs_search WHERE jobs_search MATCH 'katze'").fetchall()
    db.close()

    assert len(indexed) == 1
    assert [search(library, query)[0] for query, _ in LIBRARY_SEARCHES] == [
        expected for _, expected in LIBRARY_SEARCHES
    ]


def test_search_combines_with_status_filter_and_keyset_paging(library):
    ids = library.extra["ids"]

    completed, completed_total = search(library, "127.0.0.1", status="completed")
    older, older_total = search(library, "sale", before=ids["hundred"])
    paged, paged_total = search(library, "cat", limit=1)

    assert "failed" not in completed and completed_total == 6
    assert older == ["percent"] and older_total == 2  # X-Total-Count ignores paging
    assert paged == ["caps"] and paged_total == 2


@pytest.mark.parametrize(
    "query", ["x" * 201, "cat\x00", "a\nb"], ids=["too-long", "nul", "newline"]
)
def test_over_long_or_control_character_search_is_400(library, query):
    answer = library.get("/api/v1/history?" + urllib.parse.urlencode({"q": query}))

    assert_error(answer, 400, "invalid_parameter")
    assert library.get("/api/v1/health", token=False).json["status"] == "healthy"


def test_a_search_of_8_words_is_answered_and_of_9_words_is_400(library):
    eight, total = search(library, "grumpy cat GRUMPY CAT Grumpy Cat grumpy cat")
    nine = library.get("/api/v1/history?" + urllib.parse.urlencode({"q": "a " * 9}))

    assert eight == ["caps"] and total == 1
    assert_error(nine, 400, "invalid_parameter")
    assert "8 words" in nine.json["error"]["message"]


# ---- 9. Saved files: serving files, thumbnails, tags, signed links, retention, the disk ------


def test_file_is_served_whole_with_type_length_and_validators(vidserve_api, finished):
    answer = vidserve_api.get(finished["file_url"])

    assert answer.status == 200
    assert answer.body == CLIP_BYTES
    assert answer.headers["Content-Type"] == "video/mp4"
    assert answer.headers["Content-Length"] == str(len(CLIP_BYTES))
    assert answer.headers["Accept-Ranges"] == "bytes"
    assert answer.headers["ETag"].startswith('"')
    assert answer.headers["Last-Modified"].endswith("GMT")


def test_file_name_is_sent_per_rfc_6266_in_utf_8(vidserve_api, finished):
    disposition = vidserve_api.get(finished["file_url"]).headers["Content-Disposition"]

    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)[1]
    assert disposition.startswith("attachment;")
    assert urllib.parse.unquote(encoded) == finished["filename"]
    assert finished["title"] == '猫 🐱 "clip"'
    assert finished["filename"].startswith("猫 🐱 ")
    assert re.search(r'filename="[\x20-\x7e]+"', disposition)


def test_file_by_index_0_is_the_same_file(vidserve_api, finished):
    answer = vidserve_api.get(finished["files"][0]["file_url"])

    assert finished["files"][0]["file_url"] == finished["file_url"] + "/0"
    assert answer.status == 200 and answer.body == CLIP_BYTES


@pytest.mark.parametrize(
    "range_header, first, last",
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, 299_999),
        ("bytes=-500", 299_500, 299_999),
        ("bytes=299990-400000", 299_990, 299_999),
        ("bytes=10-19, 50-59", 10, 19),
    ],
    ids=["head", "open-ended", "suffix", "past-the-end", "multi-range-first"],
)
def test_byte_range_is_answered_206(vidserve_api, finished, range_header, first, last):
    answer = vidserve_api.get(finished["file_url"], headers={"Range": range_header})

    assert answer.status == 206
    assert answer.body == CLIP_BYTES[first : last + 1]
    assert answer.headers["Content-Range"] == f"bytes {first}-{last}/{len(CLIP_BYTES)}"
    assert answer.headers["Content-Length"] == str(last - first + 1)


@pytest.mark.parametrize("range_header", ["bytes=300000-", "bytes=999999-1000000", "bytes=-0"])
def test_range_beyond_the_file_is_416(vidserve_api, finished, range_header):
    answer = vidserve_api.get(finished["file_url"], headers={"Range": range_header})

    assert_error(answer, 416, "range_not_satisfiable")
    assert answer.headers["Content-Range"] == f"bytes */{len(CLIP_BYTES)}"


@pytest.mark.parametrize("range_header", ["bytes=abc", "pages=1-2", "bytes=9-3", "bytes=-", "x"])
def test_malformed_range_is_ignored_and_the_whole_file_sent(vidserve_api, finished, range_header):
    answer = vidserve_api.get(finished["file_url"], headers={"Range": range_header})

    assert answer.status == 200 and answer.body == CLIP_BYTES


def test_if_none_match_with_the_etag_is_304(vidserve_api, finished):
    etag = vidserve_api.get(finished["file_url"]).headers["ETag"]

    answer = vidserve_api.get(finished["file_url"], headers={"If-None-Match": etag})

    assert answer.status == 304 and answer.body == b""
    assert answer.headers["ETag"] == etag


def test_if_modified_since_last_modified_is_304(vidserve_api, finished):
    modified = vidserve_api.get(finished["file_url"]).headers["Last-Modified"]

    answer = vidserve_api.get(finished["file_url"], headers={"If-Modified-Since": modified})

    assert answer.status == 304


def test_if_range_with_a_stale_etag_sends_the_whole_file(vidserve_api, finished):
    headers = {"Range": "bytes=0-9", "If-Range": '"stale"'}

    answer = vidserve_api.get(finished["file_url"], headers=headers)

    assert answer.status == 200 and answer.body == CLIP_BYTES


def test_head_of_a_file_has_headers_and_no_body(vidserve_api, finished):
    answer = vidserve_api.request("HEAD", finished["file_url"])

    assert answer.status == 200
    assert answer.headers["Content-Length"] == str(len(CLIP_BYTES))
    assert answer.body == b""


def test_file_of_unknown_download_is_404_and_of_missing_index_404(vidserve_api, finished):
    unknown = vidserve_api.get("/api/v1/files/0b6f1a52-8d4a-4f7e-9a41-3f0c2d1e5b6a")
    index = vidserve_api.get(finished["file_url"] + "/1")
    bad_index = vidserve_api.get(finished["file_url"] + "/..%2F..%2Fvidserve.db")

    assert_error(unknown, 404, "not_found")
    assert_error(index, 404, "not_found")
    assert_error(bad_index, 404, "not_found")


def test_file_of_an_unfinished_download_is_409(vidserve_api, media_server):
    download_id = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=5&n={random.random()}")

    answer = vidserve_api.get(f"/api/v1/files/{download_id}")

    assert_error(answer, 409, "not_ready")
    vidserve_api.delete(f"/api/v1/download/{download_id}")


def test_file_removed_by_hand_is_410_and_reported_removed(vidserve_api, media_server):
    status = vidserve_api.wait_for(vidserve_api.submit(unique(media_server)))
    (vidserve_api.download_dir / status["filename"]).unlink()

    answer = vidserve_api.get(status["file_url"])
    after = vidserve_api.get(f"/api/v1/status/{status['download_id']}").json

    assert_error(answer, 410, "file_removed")
    assert after["file_removed"] is True and after["file_url"] is None


def test_client_dropping_mid_file_leaves_the_server_healthy(vidserve_api, media_server):
    status = vidserve_api.wait_for(
        vidserve_api.submit(f"{media_server}/slow.mp4?seconds=0.1&size=8000000&n={random.random()}")
    )
    connection = vidserve_api.connection()
    connection.request(
        "GET", status["file_url"], headers={"Authorization": f"Bearer {vidserve_api.token}"}
    )
    reply = connection.getresponse()
    assert reply.read(1000)
    connection.close()  # gone after 1 kB of 8 MB

    again = vidserve_api.get(status["file_url"], headers={"Range": "bytes=7999990-"})

    assert again.status == 206 and len(again.body) == 10


@pytest.fixture(scope="module")
def with_thumbnail(vidserve_api, media_server):
    """A completed real video whose page names a WebP thumbnail."""
    url = page_url(
        media_server, "Tagged cat", video="/real.mp4", image=f"{media_server}/thumb.webp"
    )
    return vidserve_api.wait_for(vidserve_api.submit(url))


def signature(secret: bytes, download_id: str, index: str, expires: str) -> str:
    """The signature as vidserve makes it; lets a test forge an expired or foreign link."""
    digest = hmac.new(secret, f"{download_id}/{index}/{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def broken_link(api: Api, download_id: str, other_id: str, how: str) -> str:
    good = make_link(api, download_id)["url"]
    path, _, query = good.partition("?")
    fields = dict(urllib.parse.parse_qsl(query))
    secret = (api.data_dir / "link-secret").read_text().strip().encode()
    past = str(int(time.time()) - 5)
    return {
        "altered-sig": f"{path}?expires={fields['expires']}&sig={fields['sig'][:-2]}AA",
        "longer-expiry": f"{path}?expires={int(fields['expires']) + 9}&sig={fields['sig']}",
        "other-download": f"/api/v1/files/{other_id}/0?{query}",
        "other-index": f"/api/v1/files/{download_id}/1?{query}",
        "no-expiry": f"{path}?sig={fields['sig']}",
        "foreign": f"{path}?expires={fields['expires']}&sig="
        + signature(b"another server's secret", download_id, "0", fields["expires"]),
        "expired": f"{path}?expires={past}&sig={signature(secret, download_id, '0', past)}",
    }[how]


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_thumbnail_is_saved_with_the_download_and_served_as_jpeg(vidserve_api, with_thumbnail):
    download_id = with_thumbnail["download_id"]

    answer = vidserve_api.get(with_thumbnail["thumbnail"])
    again = vidserve_api.get(
        with_thumbnail["thumbnail"], headers={"If-None-Match": answer.headers["ETag"]}
    )

    assert with_thumbnail["thumbnail"] == f"/api/v1/files/{download_id}/thumbnail"
    assert with_thumbnail["thumbnail_url"].endswith("/thumb.webp")  # still the site's own URL
    assert answer.status == 200 and answer.headers["Content-Type"] == "image/jpeg"
    assert answer.body.startswith(b"\xff\xd8\xff")  # converted from WebP by ffmpeg
    assert again.status == 304
    assert (vidserve_api.download_dir / ".thumbnails" / f"{download_id}.jpg").is_file()


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_saved_video_carries_title_uploader_and_source_url_in_its_tags(
    vidserve_api, with_thumbnail
):
    result = run_command(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json"]
        + [str(vidserve_api.download_dir / with_thumbnail["filename"])],
        check=True,
    )

    tags = json.loads(result.stdout)["format"]["tags"]
    assert tags["title"] == "Tagged cat"
    assert tags["artist"] == with_thumbnail["uploader"]
    assert tags["comment"] == with_thumbnail["url"]


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
@pytest.mark.parametrize("video", ["/broken.mp4", "/clip.mp4"], ids=["cut-short", "not-media"])
def test_file_ffmpeg_cannot_tag_is_kept_exactly_as_it_came(vidserve_api, media_server, video):
    url = page_url(media_server, "Cannot be tagged", video=video)

    status = vidserve_api.wait_for(vidserve_api.submit(url))

    expected = BROKEN_MP4 if video == "/broken.mp4" else CLIP_BYTES
    assert status["status"] == "completed" and status["title"] == "Cannot be tagged"
    assert (vidserve_api.download_dir / status["filename"]).read_bytes() == expected


def owners_secret(api: Api) -> Path:
    """A file of the owner's that a person's link tries to make ffmpeg read."""
    secret = api.download_dir / "secret.mp4"
    secret.write_bytes(real_media())
    return secret


def files_under(directory: Path) -> set[Path]:
    return {path for path in directory.rglob("*") if path.is_file()}


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
@pytest.mark.parametrize("audio_only", [False, True], ids=["video", "audio-only"])
def test_hls_playlist_naming_a_local_file_fails_not_media_and_ffmpeg_never_reads_it(
    own_vidserve, media_server, audio_only
):
    secret = owners_secret(own_vidserve)
    before = files_under(own_vidserve.download_dir)
    playlist = f"/playlist.{'m4a' if audio_only else 'mp4'}?path={urllib.parse.quote(str(secret))}"
    url = page_url(media_server, "Playlist", video=playlist)

    status = own_vidserve.wait_for(own_vidserve.submit(url, audio_only=audio_only))

    assert (status["status"], status["error_code"]) == ("failed", "not_media")
    assert "text" in status["error_message"]
    assert files_under(own_vidserve.download_dir) == before  # nothing kept, nothing converted


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_gif_thumbnail_that_is_a_playlist_is_dropped_and_the_download_goes_on(
    own_vidserve, media_server
):
    secret = owners_secret(own_vidserve)
    image = f"{media_server}/playlist.gif?path={urllib.parse.quote(str(secret))}"
    url = page_url(media_server, "Playlist thumbnail", image=image)

    status = own_vidserve.wait_for(own_vidserve.submit(url))

    assert status["status"] == "completed"
    assert status["thumbnail"] is None
    assert list((own_vidserve.download_dir / ".thumbnails").glob("*")) == []


def test_download_without_a_thumbnail_has_none_and_its_route_is_404(vidserve_api, media_server):
    status = vidserve_api.wait_for(vidserve_api.submit(unique(media_server)))

    answer = vidserve_api.get(f"/api/v1/files/{status['download_id']}/thumbnail")

    assert status["thumbnail"] is None
    assert_error(answer, 404, "no_thumbnail")


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_deleting_a_download_removes_its_thumbnail_too(vidserve_api, media_server):
    url = page_url(media_server, "Gone", image=f"{media_server}/thumb.jpg")
    status = vidserve_api.wait_for(vidserve_api.submit(url))
    saved = vidserve_api.download_dir / ".thumbnails" / f"{status['download_id']}.jpg"
    assert saved.is_file()

    deleted = vidserve_api.delete(f"/api/v1/download/{status['download_id']}").json

    assert deleted["thumbnail"] is None
    assert not saved.exists()
    assert_error(vidserve_api.get(status["thumbnail"]), 404, "no_thumbnail")


def test_signed_link_serves_the_file_without_a_token_like_the_files_route(vidserve_api, finished):
    link = make_link(vidserve_api, finished["download_id"], expires_in_s=600)

    whole = vidserve_api.get(link["url"], token=False)
    part = vidserve_api.get(link["url"], token=False, headers={"Range": "bytes=10-19"})
    head = vidserve_api.request("HEAD", link["url"], token=False)
    cached = vidserve_api.get(
        link["url"], token=False, headers={"If-None-Match": whole.headers["ETag"]}
    )

    assert re.fullmatch(
        rf"/api/v1/files/{finished['download_id']}/0\?expires=\d+&sig=[\w-]+", link["url"]
    )
    expires_at = time.mktime(time.strptime(link["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert 590 <= expires_at - time.mktime(time.gmtime()) <= 610
    assert whole.status == 200 and whole.body == CLIP_BYTES
    assert whole.headers["Content-Disposition"].startswith("attachment;")
    assert part.status == 206 and part.body == CLIP_BYTES[10:20]
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(CLIP_BYTES))
    assert cached.status == 304


@pytest.mark.parametrize(
    "how",
    [
        "altered-sig",
        "longer-expiry",
        "other-download",
        "other-index",
        "no-expiry",
        "foreign",
        "expired",
    ],
)
def test_altered_foreign_or_expired_signed_link_is_403(vidserve_api, finished, media_server, how):
    other = vidserve_api.wait_for(vidserve_api.submit(unique(media_server)))
    url = broken_link(vidserve_api, finished["download_id"], other["download_id"], how)

    answer = vidserve_api.get(url, token=False)

    assert_error(answer, 403, "link_expired" if how == "expired" else "invalid_signature")
    assert vidserve_api.get("/api/v1/health", token=False).status == 200


def test_signed_link_to_a_deleted_file_is_410(vidserve_api, media_server):
    status = vidserve_api.wait_for(vidserve_api.submit(unique(media_server)))
    link = make_link(vidserve_api, status["download_id"])
    vidserve_api.delete(f"/api/v1/download/{status['download_id']}")

    assert_error(vidserve_api.get(link["url"], token=False), 410, "file_removed")
    assert_error(
        vidserve_api.post(f"/api/v1/files/{status['download_id']}/link"), 410, "file_removed"
    )


def test_link_for_an_unknown_or_unfinished_download_or_missing_index_is_404_or_409(
    vidserve_api, finished, media_server
):
    running = vidserve_api.submit(f"{media_server}/slow.mp4?seconds=3&n={random.random()}")

    unknown = vidserve_api.post(f"/api/v1/files/{vidserve.new_download_id()}/link")
    unfinished = vidserve_api.post(f"/api/v1/files/{running}/link")
    no_index = vidserve_api.post(f"/api/v1/files/{finished['download_id']}/link", {"index": 1})

    assert_error(unknown, 404, "not_found")
    assert_error(unfinished, 409, "not_ready")
    assert_error(no_index, 404, "not_found")
    vidserve_api.delete(f"/api/v1/download/{running}")


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in_s": 59},
        {"expires_in_s": 604801},
        {"expires_in_s": "3600"},
        {"expires_in_s": 3600.5},
        {"expires_in_s": True},
        {"expires_in_s": None},
        {"index": -1},
        {"index": "0"},
        b"{not json",
        b"[1, 2]",
    ],
    ids=lambda body: repr(body)[:30],
)
def test_link_with_a_bad_expiry_or_index_is_400(vidserve_api, finished, body):
    answer = vidserve_api.post(
        f"/api/v1/files/{finished['download_id']}/link",
        body,
        headers={"Content-Type": "application/json"},
    )

    assert_error(answer, 400)


@pytest.mark.parametrize(
    "method, path, token, status",
    [
        ("GET", "/api/v1/files/not-a-uuid/thumbnail", True, 400),
        ("POST", "/api/v1/files/not-a-uuid/link", True, 400),
        ("GET", "/api/v1/files/not-a-uuid/0?expires=1&sig=x", False, 403),
        ("GET", "/api/v1/files/{id}/0?expires=" + "9" * 5000 + "&sig=x", False, 403),
        ("GET", "/api/v1/files/{id}/0?sig=", False, 403),
        ("HEAD", "/api/v1/files/{id}/0?expires=1&sig=x", False, 403),
        ("GET", "/api/v1/files/{id}/thumbnail/x", True, 404),
        ("PUT", "/api/v1/files/{id}/link", True, 405),
        ("GET", "/api/v1/history?q=" + "%FF" * 10, True, 200),  # read as U+FFFD: no match
    ],
)
def test_hostile_library_requests_get_a_clear_answer_and_the_server_stays_up(
    vidserve_api, finished, method, path, token, status
):
    answer = vidserve_api.request(method, path.format(id=finished["download_id"]), token=token)

    assert answer.status == status, answer.body
    if method != "HEAD":
        assert answer.json == [] if status == 200 else answer.json["success"] is False
    assert vidserve_api.get("/api/v1/health", token=False).json["status"] == "healthy"


def test_link_secret_is_kept_in_the_data_directory_readable_only_by_its_owner(vidserve_api):
    mode = (vidserve_api.data_dir / "link-secret").stat().st_mode & 0o777

    assert mode == 0o600


@contextlib.contextmanager
def small_disk(path: Path, size: str):
    """A tmpfs of `size` at `path`, or skip: a full disk made for real, not faked."""
    path.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_retention_by_total_size_removes_the_oldest_files_first(tmp_path, media_server):
    with start_vidserve(tmp_path, max_total_bytes=len(CLIP_BYTES) * 2) as api:
        ids = [api.wait_for(api.submit(unique(media_server)))["download_id"] for _ in range(3)]
        removed = lambda: api.get(f"/api/v1/status/{ids[0]}").json["file_removed"]
        wait_until(removed, 10, "retention, which runs once a download has completed")
        statuses = [api.get(f"/api/v1/status/{i}").json for i in ids]
        oldest_file = api.get(f"/api/v1/files/{ids[0]}")

    assert [s["file_removed"] for s in statuses] == [True, False, False]
    assert [s["status"] for s in statuses] == ["completed"] * 3
    assert oldest_file.status == 410
    assert len(list((tmp_path / "vidserve-data/downloads").glob("*.mp4"))) == 2


def test_retention_past_max_total_bytes_removes_a_persons_files_not_the_owners(
    tmp_path, media_server
):
    with start_vidserve(tmp_path, max_total_bytes=len(CLIP_BYTES) * 3) as owner:
        hana = add_person(owner, "hana")
        owners = owner.wait_for(owner.submit(unique(media_server, "owners-first")))
        hanas = [hana.wait_for(hana.submit(unique(media_server, f"h{n}"))) for n in range(4)]
        wait_until(
            lambda: hana.get(f"/api/v1/status/{hanas[1]['download_id']}").json["file_removed"],
            10,
            "retention",
        )
        after = [owner.get(f"/api/v1/status/{s['download_id']}").json for s in [owners, *hanas]]
        owners_file = owner.get(f"/api/v1/files/{owners['download_id']}")
        person = owner.get("/api/v1/users").json[0]

    assert [s["file_removed"] for s in after] == [False, True, True, False, False]
    assert owners_file.status == 200 and owners_file.body == CLIP_BYTES  # the oldest file
    assert (person["name"], person["used_bytes"]) == ("hana", 2 * len(CLIP_BYTES))


def test_a_person_at_their_quota_gets_507_and_the_owner_sets_it_by_route_and_cli(
    tmp_path, media_server
):
    with start_vidserve(tmp_path) as owner:
        added = vidserve_cli(owner, "user", "add", "ivan", "--quota", "1K")
        ivan = replace(owner, token=added.stdout.strip())
        first = ivan.wait_for(ivan.submit(unique(media_server, "under")))  # 1 KiB is < a clip
        full = ivan.post("/api/v1/download", {"url": unique(media_server, "over")})
        listed = owner.get("/api/v1/users").json
        raised = owner.request("PATCH", "/api/v1/users/ivan", {"quota_bytes": 10**9})
        again = ivan.post("/api/v1/download", {"url": unique(media_server, "after")})
        unlimited = owner.request("PATCH", "/api/v1/users/ivan", {"quota_bytes": None})
        hostile = [
            owner.request("PATCH", "/api/v1/users/ivan", body)
            for body in ({}, {"quota_bytes": -1}, {"quota_bytes": "5G"}, {"quota_bytes": 2**60})
        ]
        by_person = ivan.request("PATCH", "/api/v1/users/ivan", {"quota_bytes": None})
        unknown = owner.request("PATCH", "/api/v1/users/nobody", {"quota_bytes": 1})
        bad_size = vidserve_cli(owner, "user", "add", "jane", "--quota", "lots")

    assert added.returncode == 0, added.stderr
    assert first["status"] == "completed"
    assert_error(full, 507, "quota_exceeded")
    assert [(p["quota_bytes"], p["used_bytes"]) for p in listed] == [(1024, len(CLIP_BYTES))]
    assert raised.json["quota_bytes"] == 10**9 and again.status == 201
    assert unlimited.status == 200 and unlimited.json["quota_bytes"] is None
    for answer in hostile:
        assert_error(answer, 400)
    assert_error(by_person, 403)
    assert_error(unknown, 404, "not_found")
    assert bad_size.returncode == 2 and "not a size" in bad_size.stderr


def test_retention_by_age_removes_files_older_than_keep_days(tmp_path, media_server):
    with start_vidserve(tmp_path, keep_days=2 / 86400) as api:  # two seconds
        old = api.wait_for(api.submit(unique(media_server)))
        wait_until(
            lambda: (
                time.time()
                - time.mktime(time.strptime(old["completed_at"], "%Y-%m-%dT%H:%M:%SZ"))
                + time.timezone
                > 3
            ),
            10,
            "the clock",
        )
        new = api.wait_for(api.submit(unique(media_server)))  # each completion runs retention
        removed = lambda: api.get(f"/api/v1/status/{old['download_id']}").json["file_removed"]
        wait_until(removed, 10, "retention, which runs once a download has completed")

        statuses = [api.get(f"/api/v1/status/{s['download_id']}").json for s in (old, new)]

    assert [s["file_removed"] for s in statuses] == [True, False]


def test_download_filling_the_disk_fails_with_disk_full(tmp_path, media_server):
    url = f"{media_server}/slow.mp4?seconds=2&size=6000000&n={random.random()}"
    with (
        small_disk(tmp_path / "disk", "4m") as disk,
        start_vidserve(
            tmp_path / "server", download_dir=str(disk), min_free_bytes=1_500_000
        ) as api,
    ):
        status = api.wait_for(api.submit(url))
        healthy = api.get("/api/v1/health").json

    assert status["status"] == "failed"
    assert status["error_code"] == "disk_full"
    assert "min_free_bytes" in status["error_message"]
    assert healthy["database"]["connected"] is True
    assert [p for p in disk.rglob("*") if p.is_file()] == []


def test_workers_pause_while_the_disk_is_low_and_resume_when_space_returns(tmp_path, media_server):
    with (
        small_disk(tmp_path / "disk", "4m") as disk,
        start_vidserve(
            tmp_path / "server", download_dir=str(disk), min_free_bytes=1_500_000, workers=1
        ) as api,
    ):
        busy = api.submit(f"{media_server}/slow.mp4?seconds=3&size=100000&n={random.random()}")
        waiting = api.submit(unique(media_server))
        wait_until(  # the worker may still be warming yt-dlp up
            lambda: api.get(f"/api/v1/status/{busy}").json["status"] == "downloading",
            30,
            "the first download to start",
        )
        filler = disk / "someone-elses-file"
        filler.write_bytes(b"x" * 3_000_000)

        refused = api.post("/api/v1/download", {"url": unique(media_server)})
        busy_status = api.wait_for(busy)
        paused = api.get(f"/api/v1/status/{waiting}?wait=2").json["status"]
        filler.unlink()
        resumed = api.wait_for(waiting)

    assert_error(refused, 507, "insufficient_storage")
    assert busy_status["error_code"] == "disk_full"
    assert paused == "pending"
    assert resumed["status"] == "completed"


def test_disk_full_for_real_fails_the_job_and_keeps_the_database(tmp_path, media_server):
    url = f"{media_server}/slow.mp4?seconds=1&size=6000000&n={random.random()}"
    with (
        small_disk(tmp_path / "disk", "2m") as disk,
        start_vidserve(tmp_path / "server", download_dir=str(disk), min_free_bytes=0) as api,
    ):
        status = api.wait_for(api.submit(url))
        after = api.wait_for(api.submit(unique(media_server)))

    assert status["status"] == "failed"
    assert status["error_code"] == "disk_full"
    assert after["status"] == "completed"  # the failed job's partial file was cleaned up


def test_readme_curl_of_a_signed_link_saves_the_file_under_its_name(
    vidserve_api, finished, tmp_path
):
    link = make_link(vidserve_api, finished["download_id"])
    readme = (HERE / "README.md").read_text()
    options = re.search(r"^curl (-\w+) --cacert \S+ \"\$VS/api/v1/files/", readme, re.MULTILINE)

    run_command(
        ["curl", "-s", options[1], "--cacert", vidserve_api.cafile, vidserve_api.base_url + link["url"]],
        cwd=tmp_path, check=True,
    )  # fmt: skip

    saved = list(tmp_path.iterdir())
    assert [path.name for path in saved] != ["0"] and len(saved) == 1
    assert saved[0].suffix == ".mp4" and saved[0].read_bytes() == CLIP_BYTES


# ---- 10. Notifications and alerts: each person's target, the outbox, alerts ----------------------


class Receiver:
    """A loopback notification receiver: records what it is sent; answers `status`, after
    answering 500 to the first `failing` sends."""

    def __init__(self, status: int = 200, failing: int = 0):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(500 if len(received) <= failing else status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()


def test_completion_and_failure_are_notified_as_json(tmp_path, media_server):
    receiver = Receiver()
    settings = {
        "notify_url": receiver.url,
        "public_url": "https://pi.example:8443",
        "notify_headers": {"X-Secret": "s3"},
    }
    with start_vidserve(tmp_path, **settings) as api:
        done = api.wait_for(api.submit(unique(media_server)))
        failed = api.wait_for(api.submit(f"{media_server}/status/404?n={random.random()}"))
        wait_until(lambda: len(receiver.received) == 2, 10, "two notifications")
        messages = {
            json.loads(body)["download_id"]: (headers, json.loads(body))
            for headers, body in receiver.received
        }
        link = messages[done["download_id"]][1]["link"]
        opened = api.get(link.removeprefix("https://pi.example:8443"), token=False)
    receiver.close()

    headers, completed = messages[done["download_id"]]
    assert headers["X-Secret"] == "s3"
    assert completed["event"] == "download.completed" and completed["status"] == "completed"
    assert completed["user"] == "owner"
    assert completed["file_url"] == f"https://pi.example:8443/api/v1/files/{done['download_id']}"
    assert link.startswith(f"https://pi.example:8443/api/v1/files/{done['download_id']}/0?")
    assert completed["links"] == [link]
    assert opened.status == 200 and opened.body == CLIP_BYTES  # no token: the link is enough
    assert messages[failed["download_id"]][1]["error_code"] == "not_found"
    assert messages[failed["download_id"]][1]["link"] is None


def test_text_notifications_speak_ntfy(tmp_path, media_server):
    receiver = Receiver()
    with start_vidserve(
        tmp_path, notify_url=receiver.url, notify_format="text", public_url="https://pi.example"
    ) as api:
        done = api.wait_for(api.submit(f"{media_server}/page.html?title=Cat&n={random.random()}"))
        wait_until(lambda: receiver.received, 10, "the notification")
        headers, body = receiver.received[0]
        tapped = api.get(headers["Click"].removeprefix("https://pi.example"), token=False)
    receiver.close()

    assert body.decode() == "Downloaded: Cat"
    assert headers["Title"] == "vidserve"
    assert headers["Click"].startswith(f"https://pi.example/api/v1/files/{done['download_id']}/0?")
    assert tapped.status == 200 and tapped.body == CLIP_BYTES  # opens with no token


def test_a_failing_notification_receiver_never_affects_the_job(tmp_path, media_server):
    receiver = Receiver(status=500)
    with start_vidserve(tmp_path, notify_url=receiver.url) as api:
        status = api.wait_for(api.submit(unique(media_server)))
        wait_until(lambda: receiver.received, 10, "the notification")
        wait_until(lambda: "notification for job" in api.log_text(), 10, "the logged failure")
    receiver.close()

    assert status["status"] == "completed"


# ---- 11. Cookies -----------------------------------------------------------------------------


def assert_no_secret_in(receivers, *secrets: str):
    """API.md: a notification never carries a token (or a cookie)."""
    for receiver in receivers:
        for headers, body in receiver.received:
            for secret in secrets:
                assert secret not in body.decode() and secret not in json.dumps(headers)


def test_a_persons_download_notifies_that_person_and_the_owner_and_no_one_else(
    tmp_path, media_server
):
    owners, alices, bobs = Receiver(), Receiver(), Receiver()
    settings = {"notify_url": owners.url, "public_url": "https://pi.example"}
    with start_vidserve(tmp_path, **settings) as owner:
        alice, bob = add_person(owner, "alice"), add_person(owner, "bob")
        put = alice.request("PUT", "/api/v1/me/notify", {"url": alices.url, "format": "ntfy"})
        by_cli = vidserve_cli(owner, "user", "notify", "bob", bobs.url, "--format", "json")
        shown = alice.get("/api/v1/me/notify").json
        owners_shown = owner.get("/api/v1/me/notify").json
        done = alice.wait_for(alice.submit(f"{media_server}/page.html?title=Cat&n={random.random()}"))
        wait_until(lambda: owners.received and alices.received, 10, "both notifications")
        time.sleep(0.5)  # bob's receiver would have had it by now
        headers, body = alices.received[0]
        tapped = alice.get(headers["Click"].removeprefix("https://pi.example"), token=False)
        failed = bob.wait_for(bob.submit(f"{media_server}/status/404?n={random.random()}"))
        wait_until(lambda: bobs.received and len(owners.received) == 2, 10, "bob's failure told")
    for receiver in (owners, alices, bobs):
        receiver.close()

    assert put.status == 200, put.body
    assert by_cli.returncode == 0 and "bob's notifications go to" in by_cli.stdout
    assert shown == {"url": alices.url, "format": "ntfy", "configured": False}
    assert owners_shown == {"url": owners.url, "format": "json", "configured": True}
    assert [json.loads(b)["download_id"] for _, b in owners.received] == [
        done["download_id"],
        failed["download_id"],
    ]
    assert len(alices.received) == 1  # bob's download never reached alice
    assert body.decode() == "Downloaded: Cat"
    assert (headers["Title"], headers["Priority"], headers["Tags"]) == (
        "Downloaded",
        "3",
        "white_check_mark",
    )
    assert headers["Click"].startswith(f"https://pi.example/api/v1/files/{done['download_id']}/0?")
    assert tapped.status == 200 and tapped.body == CLIP_BYTES
    assert [json.loads(b)["error_code"] for _, b in bobs.received] == ["not_found"]
    assert_no_secret_in((owners, alices, bobs), owner.token, alice.token, bob.token)


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"url": "https://ntfy.sh/t", "format": "xml"}, 400, "invalid_format"),
        ({"url": "ftp://ntfy.sh/t", "format": "ntfy"}, 422, "scheme_not_allowed"),
        ({"url": "https://me@ntfy.sh/t"}, 422, "userinfo_not_allowed"),
        ({"url": "http://127.0.0.1:9/hook"}, 422, "private_address"),
        ({"format": "json"}, 400, "invalid_url"),
    ],
)
def test_a_bad_notification_target_is_refused_and_changes_nothing(tmp_path, body, status, code):
    with start_vidserve(tmp_path, allow_private_addresses=False) as api:
        answer = api.request("PUT", "/api/v1/me/notify", body)
        shown = api.get("/api/v1/me/notify").json
        removed = api.delete("/api/v1/me/notify")

    assert_error(answer, status, code)
    assert shown == {"url": None, "format": None, "configured": False}
    assert_error(removed, 404, "not_found")


def test_a_receiver_failing_twice_then_answering_across_a_restart_gets_it_once(
    tmp_path, media_server
):
    receiver = Receiver(failing=2)
    with start_vidserve(tmp_path, notify_url=receiver.url, notify_format="ntfy") as api:
        done = api.wait_for(api.submit(unique(media_server)))
        wait_until(lambda: len(receiver.received) == 2, 20, "two failed sends")
        stop_process(api)
        restarted = start_process(tmp_path)
        try:
            wait_until(lambda: len(receiver.received) == 3, 20, "the send after the restart")
            time.sleep(NOTIFY_SETTLE_S)  # a second delivery would come meanwhile
            log_text = restarted.log_text()
        finally:
            stop_process(restarted)
    receiver.close()

    assert len(receiver.received) == 3  # twice refused, then once delivered: never again
    assert {body for _, body in receiver.received} == {b"Downloaded: " + done["title"].encode()}
    assert "tried again in 2 s" in log_text and "tried again in 4 s" in log_text


NOTIFY_SETTLE_S = 1.0


def alerts_of(api: Api, kind: str) -> list[dict]:
    answer = api.get("/api/v1/alerts")
    assert answer.status == 200, answer.body
    return [alert for alert in answer.json if alert["kind"] == kind]


def assert_alert(alert: dict, subject: str, *words: str):
    """An alert as API.md writes it: its subject, a title, and a sentence that says what to do."""
    assert alert["subject"] == subject, alert
    assert TIMESTAMP.fullmatch(alert["at"]) and alert["title"]
    assert_in_words(alert["message"], *words)


def test_a_low_disk_is_told_to_the_owner_once_a_day_never_with_a_token(tmp_path):
    receiver = Receiver()
    with start_vidserve(tmp_path, min_free_bytes=2**62, notify_url=receiver.url) as api:
        alice = add_person(api, "alice")
        refused = [
            who.post("/api/v1/download", {"url": f"http://127.0.0.1/{n}.mp4"})
            for n, who in enumerate((api, alice, api))
        ]
        wait_until(lambda: receiver.received, 10, "the alert")
        time.sleep(NOTIFY_SETTLE_S)  # a second one would come meanwhile
        alerts = alerts_of(api, "disk_low")
        persons = alice.get("/api/v1/alerts")
    receiver.close()

    assert [answer.status for answer in refused] == [507] * 3
    assert len(alerts) == 1 and alerts[0]["delivered"] is True
    assert_alert(alerts[0], str(api.download_dir), "min_free_bytes", "Delete")
    assert len(receiver.received) == 1
    sent = json.loads(receiver.received[0][1])
    assert (sent["event"], sent["kind"]) == ("alert", "disk_low")
    assert sent["message"] == alerts[0]["message"]
    assert_error(persons, 403, "owner_only")
    assert_no_secret_in([receiver], api.token, alice.token)


def test_a_stopped_egress_proxy_is_told_to_the_owner_once(tmp_path):
    with serve_in_process(tmp_path) as (service, api):
        service.app.egress.stop()  # the accept loop ends, as an uncaught error once ended it
        wait_until(lambda: not service.app.egress.alive(), 10, "the proxy to end")
        health = [api.get("/api/v1/health", token=False).status for _ in range(2)]
        alerts = alerts_of(api, "component_failed")

    assert health == [503, 503]
    assert len(alerts) == 1
    assert_alert(alerts[0], "egress proxy", "restart")


def test_a_certificate_near_its_end_is_told_to_the_owner(tmp_path):
    cert, key = make_certificate(tmp_path, "ending")  # valid for 2 days
    with start_vidserve(tmp_path / "server", cert_file=str(cert), key_file=str(key)) as api:
        alerts = alerts_of(replace(api, cafile=cert), "certificate_expiring")

    assert len(alerts) == 1
    assert_alert(alerts[0], "127.0.0.1", "ends in 1 day ", "cert_file")


def test_a_follows_third_failed_check_is_told_to_the_owner_and_its_person(followers, sites):
    receiver = sites.run(Receiver)  # where the server is: in the namespace
    target = {"url": receiver.url, "format": "json"}
    set_target = followers.alice.request("PUT", "/api/v1/me/notify", target)
    account = followers.accounts.add(posts=1)
    account.blocked = True
    followed = follow(followers.alice, account)
    after_two = check_now(followers.owner, followed["follow_id"])
    after_three = check_now(followers.owner, followed["follow_id"])
    wait_until(lambda: receiver.received, 10, "alice's alert")
    alerts = [
        alert
        for alert in alerts_of(followers.owner, "follow_failing")
        if alert["subject"] == followed["follow_id"]
    ]
    followers.alice.delete("/api/v1/me/notify")
    receiver.close()

    assert set_target.status == 200, set_target.body
    assert (after_two["last_error_code"], after_three["last_error_code"]) == ("blocked",) * 2
    assert len(alerts) == 1
    assert_alert(alerts[0], followed["follow_id"], "3 checks", account.url, "blocked")
    sent = [json.loads(body) for _, body in receiver.received]
    assert [(m["kind"], m["subject"]) for m in sent] == [("follow_failing", followed["follow_id"])]
    assert_no_secret_in([receiver], followers.owner.token, followers.alice.token)


@pytest.fixture(scope="module")
def refused_vidserve(sites, tmp_path_factory):
    """vidserve in the namespace without curl_cffi, of its own: TikTok's bot wall refuses it,
    and Instagram asks it for a login."""
    with site_vidserve_without_curl_cffi(sites, tmp_path_factory.mktemp("refused")) as api:
        yield api


def test_three_bot_walls_leave_tiktok_alone_for_a_minute_while_instagram_goes_on(refused_vidserve):
    api = refused_vidserve
    walled = [api.wait_for(api.submit(f"{TIKTOK_PAGE}?n=wall{n}")) for n in range(3)]
    alerts = alerts_of(api, "site_blocking")
    waiting = api.get(f"/api/v1/status/{api.submit(f'{TIKTOK_PAGE}?n=waits')}").json
    time.sleep(0.5)  # a worker would have taken it by now
    still = api.get(f"/api/v1/status/{waiting['download_id']}").json
    instagram = api.wait_for(api.submit(f"https://www.instagram.com/reel/{INSTAGRAM_REEL}/?n=goes"))

    assert [s["error_code"] for s in walled] == ["blocked"] * 3
    assert len(alerts) == 1
    assert_alert(alerts[0], "tiktok", "3 downloads in a row", "TikTok", "update-ytdlp")
    assert still["status"] == "pending" and still["retry_count"] == 0
    until = time.strptime(still["waiting_until"], "%Y-%m-%dT%H:%M:%SZ")
    waits_s = calendar.timegm(until) - time.time()
    assert 30 < waits_s <= 61
    assert instagram["status"] == "failed" and instagram["waiting_until"] is None


def test_a_follow_of_a_site_left_alone_is_checked_once_its_wait_is_over(refused_vidserve, sites):
    api = refused_vidserve
    for n in range(3):  # TikTok refuses this server: left alone (if it is not already)
        api.submit(f"{TIKTOK_PAGE}?n=follow-wall{n}")
    wait_until(lambda: alerts_of(api, "site_blocking"), 30, "TikTok to be left alone")
    account = sites.doubles.accounts.add(posts=1)
    created = api.post("/api/v1/follows", {"url": account.url})
    time.sleep(1)  # the checker would have listed it by now
    followed = api.get(f"/api/v1/follows/{created.json['follow_id']}").json

    assert created.status == 201, created.body
    assert followed["last_checked_at"] is None and account.queries == []
    due = calendar.timegm(time.strptime(followed["next_check_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert 30 < due - time.time() <= 3601


def test_a_sites_wait_doubles_while_it_refuses_and_a_success_ends_it():
    pushback, site = vidserve.SitePushback(), vidserve.TIKTOK
    counts = [pushback.refused(site) for _ in range(2)]
    before_third = pushback.waiting_until(site)
    waits = []
    for _ in range(8):
        pushback.refused(site)
        waits.append(round(pushback.waiting_until(site) - time.time()))
    others = pushback.waiting_until(vidserve.INSTAGRAM)
    pushback.succeeded(site)

    assert counts == [1, 2] and before_third is None and others is None
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert pushback.waiting_until(site) is None and pushback.waiting_sites() == {}


def test_a_login_wall_with_cookies_uploaded_says_the_cookies_no_longer_work(refused_vidserve):
    api = refused_vidserve
    assert put_cookies(api, COOKIES_TXT.encode()).status == 200
    try:
        status = api.wait_for(api.submit(f"https://www.instagram.com/reel/{INSTAGRAM_REEL}/?n=c"))
        alerts = alerts_of(api, "cookies_invalid")
    finally:
        api.delete("/api/v1/cookies")

    assert status["error_code"] == "login_required"
    assert len(alerts) == 1
    assert_alert(alerts[0], "instagram", "Instagram", "cookies.txt", "PUT /api/v1/cookies")
    assert "secret-value" not in json.dumps(alerts)


def test_cookies_round_trip_never_shows_their_values(own_vidserve):
    empty = own_vidserve.get("/api/v1/cookies").json

    stored = put_cookies(own_vidserve, COOKIES_TXT.encode())
    shown = own_vidserve.get("/api/v1/cookies")
    removed = own_vidserve.delete("/api/v1/cookies").json

    assert empty == {"present": False, "domains": [], "updated_at": None}
    assert stored.status == 200
    assert shown.json["present"] is True
    assert shown.json["domains"] == ["127.0.0.1", "instagram.com"]
    assert TIMESTAMP.fullmatch(shown.json["updated_at"])
    assert b"secret-value" not in shown.body and b"abc" not in shown.body
    assert removed["present"] is False
    assert not (own_vidserve.data_dir / "cookies.txt").exists()


def test_cookies_are_stored_with_mode_0600(own_vidserve):
    put_cookies(own_vidserve, COOKIES_TXT.encode())

    assert (own_vidserve.data_dir / "cookies.txt").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [
        (b"not a cookie file", "text/plain", 400, "invalid_cookies"),
        (b"# only a comment\n", "text/plain", 400, "invalid_cookies"),
        (b"a.com\tMAYBE\t/\tFALSE\t0\tn\tv\n", "text/plain", 400, "invalid_cookies"),
        (b"a.com\tTRUE\t/\tFALSE\tsoon\tn\tv\n", "text/plain", 400, "invalid_cookies"),
        (b"\xff\xfe", "text/plain", 400, "invalid_cookies"),
        (COOKIES_TXT.encode(), "application/json", 415, "unsupported_media_type"),
        (b"#" * (1024 * 1024 + 1), "text/plain", 413, "body_too_large"),
    ],
    ids=["prose", "comment-only", "bad-flag", "bad-expiry", "not-utf8", "wrong-type", "over-1MiB"],
)
def test_bad_cookies_are_refused_and_keep_the_old_ones(
    own_vidserve, body, content_type, status, code
):
    put_cookies(own_vidserve, COOKIES_TXT.encode())

    answer = put_cookies(own_vidserve, body, content_type)

    assert_error(answer, status, code)
    assert own_vidserve.get("/api/v1/cookies").json["domains"] == ["127.0.0.1", "instagram.com"]


def test_uploaded_cookies_are_used_by_the_next_downloads(own_vidserve, media_server):
    before = own_vidserve.wait_for(
        own_vidserve.submit(f"{media_server}/needs-cookie.mp4?n={random.random()}")
    )

    put_cookies(own_vidserve, COOKIES_TXT.encode())
    after = own_vidserve.wait_for(
        own_vidserve.submit(f"{media_server}/needs-cookie.mp4?n={random.random()}")
    )

    assert before["status"] == "failed" and before["error_code"] == "blocked"
    assert "PUT /api/v1/cookies" in before["error_message"]
    assert after["status"] == "completed"


# ---- 12. The worker: several files per link, audio only, formats, failures, warm-up ----------


def carousel(media_server, items=3, **options) -> str:
    query = urllib.parse.urlencode(
        {"items": items, "key": f"c{random.randrange(10**9)}", **options}
    )
    return f"{media_server}/carousel.html?{query}"


def test_carousel_is_one_download_with_every_item_in_order(vidserve_api, media_server):
    status = vidserve_api.wait_for(vidserve_api.submit(carousel(media_server, items=3)))

    assert status["status"] == "completed"
    assert [f["index"] for f in status["files"]] == [0, 1, 2]
    assert [f["file_url"] for f in status["files"]] == [
        f"/api/v1/files/{status['download_id']}/{i}" for i in range(3)
    ]
    assert status["filename"] == status["files"][0]["filename"]
    assert status["file_url"] == f"/api/v1/files/{status['download_id']}"
    assert status["file_size"] == status["files"][0]["file_size"] == len(CLIP_BYTES)
    assert [re.search(r"\((\d)\)", f["filename"])[1] for f in status["files"]] == ["1", "2", "3"]
    assert status["progress"]["items_done"] == status["progress"]["items_total"] == 3


def test_every_carousel_item_is_served_by_index_with_ranges(vidserve_api, media_server):
    status = vidserve_api.wait_for(vidserve_api.submit(carousel(media_server, items=4)))

    for item in status["files"]:
        whole = vidserve_api.get(item["file_url"])
        part = vidserve_api.get(item["file_url"], headers={"Range": "bytes=10-19"})
        assert whole.status == 200 and whole.body == CLIP_BYTES
        assert part.status == 206 and part.body == CLIP_BYTES[10:20]
        assert (
            urllib.parse.unquote(whole.headers["Content-Disposition"].split("''")[1])
            == (item["filename"])
        )
    assert_error(vidserve_api.get(f"/api/v1/files/{status['download_id']}/4"), 404, "not_found")


def test_carousel_item_answering_429_is_retried_without_fetching_finished_items_again(
    vidserve_api, media_server
):
    url = carousel(media_server, items=3, flaky=1)
    key = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["key"][0]

    status = vidserve_api.wait_for(vidserve_api.submit(url))

    assert status["status"] == "completed"
    assert status["retry_count"] == 1
    assert len(status["files"]) == 3
    assert len(media_server.requests_for(f"/clip-{key}-0.mp4")) == 1  # not fetched again
    assert len(media_server.requests_for(f"/flaky.mp4?key={key}-1")) == 2


def test_link_with_more_items_than_max_items_fails_without_fetching_any(vidserve_api, media_server):
    url = carousel(media_server, items=36)  # max_items is 35 by default
    key = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["key"][0]

    status = vidserve_api.wait_for(vidserve_api.submit(url))

    assert status["status"] == "failed"
    assert status["error_code"] == "too_many_items"
    assert "max_items" in status["error_message"]
    assert status["retry_count"] == 0
    assert media_server.requests_for(f"/clip-{key}-") == []


def test_link_with_exactly_max_items_is_downloaded(tmp_path, media_server):
    with start_vidserve(tmp_path, max_items=4) as api:
        status = api.wait_for(api.submit(carousel(media_server, items=4)))

    assert status["status"] == "completed" and len(status["files"]) == 4


def test_cancelling_mid_carousel_leaves_none_of_its_files(vidserve_api, media_server):
    files_before = set(vidserve_api.download_dir.iterdir())
    download_id = vidserve_api.submit(carousel(media_server, items=3, slow=1.5))
    wait_until(
        lambda: (
            (vidserve_api.get(f"/api/v1/status/{download_id}").json["progress"] or {}).get(
                "items_done", 0
            )
            >= 1
        ),
        20,
        "the first item to finish",
    )

    answer = vidserve_api.delete(f"/api/v1/download/{download_id}")

    assert answer.json["status"] == "cancelled"
    wait_until(
        lambda: not (vidserve_api.download_dir / ".partial" / download_id).exists(),
        5,
        "the partial directory to go",
    )
    assert set(vidserve_api.download_dir.iterdir()) == files_before


def test_deleting_a_finished_carousel_removes_every_file(vidserve_api, media_server):
    status = vidserve_api.wait_for(vidserve_api.submit(carousel(media_server, items=3)))

    answer = vidserve_api.delete(f"/api/v1/download/{status['download_id']}")

    assert answer.json["file_removed"] is True and answer.json["files"] == []
    for item in status["files"]:
        assert not (vidserve_api.download_dir / item["filename"]).exists()
        assert_error(vidserve_api.get(item["file_url"]), 410, "file_removed")


def test_video_and_sound_of_one_url_are_two_downloads(vidserve_api, media_server):
    url = unique(media_server)

    video = vidserve_api.post("/api/v1/download", {"url": url})
    sound = vidserve_api.post("/api/v1/download", {"url": url, "audio_only": True})
    sound_again = vidserve_api.post("/api/v1/download", {"url": url, "audio_only": True})
    form = vidserve_api.post(
        "/api/v1/download",
        urllib.parse.urlencode({"url": url, "audio_only": "1"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert video.status == 201 and sound.status == 201
    assert video.json["download_id"] != sound.json["download_id"]
    assert sound_again.status == 200 and sound_again.json["duplicate"] is True
    assert form.json["download_id"] == sound.json["download_id"]
    status = vidserve_api.get(f"/api/v1/status/{sound.json['download_id']}").json
    assert status["audio_only"] is True
    vidserve_api.delete(f"/api/v1/download/{sound.json['download_id']}")


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_audio_only_saves_the_sound_as_aac_in_m4a(vidserve_api, media_server):
    url = f"{media_server}/real.mp4?n={random.random()}"

    status = vidserve_api.wait_for(vidserve_api.submit(url, audio_only=True))

    assert status["status"] == "completed", status["error_message"]
    assert status["filename"].endswith(".m4a")
    streams = ffprobe_streams(vidserve_api.download_dir / status["filename"])
    assert [s["codec_type"] for s in streams] == ["audio"]
    assert streams[0]["codec_name"] == "aac"
    answer = vidserve_api.get(status["file_url"])
    assert answer.headers["Content-Type"] in ("audio/mp4", "audio/x-m4a", "audio/m4a")


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_video_of_real_media_keeps_video_and_sound(vidserve_api, media_server):
    status = vidserve_api.wait_for(
        vidserve_api.submit(f"{media_server}/real.mp4?n={random.random()}")
    )

    streams = ffprobe_streams(vidserve_api.download_dir / status["filename"])
    assert sorted(s["codec_type"] for s in streams) == ["audio", "video"]


def test_audio_only_without_ffmpeg_fails_at_once_saying_how_to_install_it(tmp_path, media_server):
    bare_path = tmp_path / "bin"  # a PATH with python and nothing else
    bare_path.mkdir()
    (bare_path / "python3").symlink_to(sys.executable)
    with start_vidserve(tmp_path / "server", env={"PATH": str(bare_path)}, tls=False) as api:
        status = api.wait_for(api.submit(unique(media_server), audio_only=True))

    assert status["status"] == "failed"
    assert status["error_code"] == "ffmpeg_missing"
    assert "apt install ffmpeg" in status["error_message"]
    assert status["retry_count"] == 0


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here (.ci/run installs it)")
def test_iphone_playable_h264_mp4_is_chosen_over_vp9_webm(vidserve_api, media_server):
    status = vidserve_api.wait_for(
        vidserve_api.submit(f"{media_server}/choice.html?n={random.random()}")
    )

    assert status["status"] == "completed", status["error_message"]
    assert status["filename"].endswith(".mp4")
    streams = ffprobe_streams(vidserve_api.download_dir / status["filename"])
    assert {s["codec_type"]: s["codec_name"] for s in streams} == {"video": "h264", "audio": "aac"}


@pytest.mark.skipif(not FFMPEG, reason="no ffmpeg here to make the test media")
def test_without_ffmpeg_the_best_single_mp4_is_chosen(tmp_path, media_server):
    real_media("webm"), real_media()  # made while ffmpeg is still on the PATH
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    with start_vidserve(tmp_path / "server", env={"PATH": str(bare_path)}, tls=False) as api:
        status = api.wait_for(api.submit(f"{media_server}/choice.html?n={random.random()}"))

    assert status["status"] == "completed", status["error_message"]
    assert status["filename"].endswith(".mp4")


@pytest.mark.parametrize(
    "path, code",
    [
        ("/status/401", "login_required"),
        ("/status/403", "blocked"),
        ("/status/404", "not_found"),
        ("/status/410", "not_found"),
        ("/novideo.html", "unsupported_url"),
    ],
)
def test_permanent_failures_fail_at_once_with_a_short_human_error(
    vidserve_api, media_server, path, code
):
    status = vidserve_api.wait_for(vidserve_api.submit(f"{media_server}{path}?n={random.random()}"))

    assert status["status"] == "failed"
    assert status["error_code"] == code
    assert status["retry_count"] == 0
    assert 10 < len(status["error_message"]) < 300


@pytest.mark.parametrize(
    "path, code",
    [
        ("/status/503", "http_error"),
        ("/status/429", "rate_limited"),
        ("/stall.mp4", "network"),
    ],
)
def test_transient_failures_are_retried_then_failed_with_their_cause(
    tmp_path, media_server, path, code
):
    settings = {"max_retries": 1, "retry_backoff_s": 0.1, "ytdlp_options": {"socket_timeout": 1}}
    with start_vidserve(tmp_path, **settings) as api:
        status = api.wait_for(api.submit(f"{media_server}{path}?n={random.random()}"))

    assert status["status"] == "failed"
    assert status["error_code"] == code
    assert status["retry_count"] == 1


class UntrustedTls:
    """A TLS listener with a certificate no one trusts: every handshake with it fails."""

    def __init__(self, directory: Path):
        cert, key = make_certificate(directory, "untrusted")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.listener = context.wrap_socket(socket.create_server(("127.0.0.1", 0)), True)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                with contextlib.suppress(ssl.SSLError):
                    self.listener.accept()[0].close()


def assert_in_words(message: str, *expected: str):
    """API.md "Errors in words": a sentence of at most 300 characters saying what happened,
    with none of yt-dlp's advice to report it and no yt-dlp URL."""
    assert len(message) <= 300, message
    for words in expected:
        assert words in message, message
    for never in ("please report", "github.com/yt-dlp", "yt-dlp -U", "502 Bad Gateway"):
        assert never not in message, message


def test_the_offline_messages_say_which_host_could_not_be_reached_and_why(tmp_path):
    untrusted = UntrustedTls(tmp_path)
    closed = free_port()
    domains = ["127.0.0.1", "tiktok.com"]  # offline here: no name of tiktok.com resolves
    with start_vidserve(tmp_path / "server", allowed_domains=domains, max_retries=1) as api:
        unresolved = api.submit("https://vm.tiktok.com/ZMabc123/")
        refused = api.submit(f"http://127.0.0.1:{closed}/clip.mp4")
        handshake = api.submit(f"https://127.0.0.1:{untrusted.port}/clip.mp4")
        follow = api.post("/api/v1/follows", {"url": "https://www.tiktok.com/@offline.pi"})
        ended = {name: api.wait_for(d) for name, d in [
            ("unresolved", unresolved), ("refused", refused), ("handshake", handshake)
        ]}
        checked = wait_until(
            lambda: api.get(f"/api/v1/follows/{follow.json['follow_id']}").json["last_error_code"],
            30,
            "the follow's first check",
        )
        log_text = api.log_text()
    untrusted.listener.close()

    assert {s["error_code"] for s in ended.values()} == {"network"}, [
        (s["error_code"], s["error_message"]) for s in ended.values()
    ]
    assert ended["unresolved"]["error_message"].startswith(
        "cannot reach vm.tiktok.com: its name does not resolve"
    )
    assert_in_words(ended["unresolved"]["error_message"], "(tried 2 times)")
    assert_in_words(ended["refused"]["error_message"], "cannot reach 127.0.0.1: it refused")
    assert_in_words(ended["handshake"]["error_message"], "cannot reach 127.0.0.1: its TLS")
    assert checked == "network"  # not `extractor`: the link is right, the network is not
    assert "Failed to resolve 'vm.tiktok.com'" in log_text  # yt-dlp's whole text stays in the log


def test_a_share_sent_as_the_port_opens_is_answered_once_yt_dlp_is_warm(tmp_path, media_server):
    """Issues 17 and 25: after a (re)start the server answers at once, while worker-1 loads
    yt-dlp beside it; a share sent the moment the port opens is queued at once and answered
    once yt-dlp is warm, so that its download starts right after its 201."""
    port = free_port()
    write_config(tmp_path / "vidserve.toml", TEST_SETTINGS | {"port": port})
    assert run_command([sys.executable, str(VIDSERVE), "init"], cwd=tmp_path).returncode == 0
    process = launch(tmp_path)
    log_path = tmp_path / "vidserve.log"

    try:
        wait_until(lambda: "listening on" in log_path.read_text(), 20, "the port to open")
        data_dir = tmp_path / "vidserve-data"
        token = (data_dir / "token").read_text().strip()
        api = Api(f"https://127.0.0.1:{port}", data_dir / "cert.pem", token, data_dir, process)
        download_id = api.submit(unique(media_server, "at-start"))
        warm_when_answered = "yt-dlp loaded and warmed" in log_path.read_text()
        status = api.wait_for(download_id)["status"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)

    assert warm_when_answered
    assert status == "completed"


def test_only_work_no_one_waits_for_runs_at_background_priority(tmp_path):
    """The checkpointer and the follows checker run at nice 19; the data path of a download
    (the workers, the egress proxy and its tunnels) stays at the default with the threads
    answering requests: beside busy programs, at nice 19 it moved a video 40x slower."""

    def nice(thread: threading.Thread) -> int:
        stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[16])  # field 19 of proc(5)

    with serve_in_process(tmp_path):
        threads = {thread.name: thread for thread in threading.enumerate()}
        for name in ("checkpoint", vidserve.FOLLOWS_THREAD):
            assert nice(threads[name]) == vidserve.BACKGROUND_NICE, name
        for name in ("worker-1", "worker-2", "egress", "http"):
            assert nice(threads[name]) == nice(threading.main_thread()) == 0, name


# ---- 13. People: tokens, the read-only token, the throttle, one server for a household -------


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic abc", "Bearer", ""])
def test_api_without_the_right_token_is_401(vidserve_api, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}

    answer = vidserve_api.get("/api/v1/history", headers=headers, token=False)

    assert_error(answer, 401, "unauthorized")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_repeated_token_failures_are_throttled_with_429(own_vidserve):
    wrong = {"Authorization": "Bearer wrong"}
    statuses = [
        own_vidserve.get("/api/v1/history", headers=wrong, token=False).status for _ in range(12)
    ]

    throttled = own_vidserve.get("/api/v1/history")

    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert_error(throttled, 429, "too_many_attempts")
    assert int(throttled.headers["Retry-After"]) > 0


def test_token_never_appears_in_the_log(own_vidserve, media_server):
    own_vidserve.submit(unique(media_server))
    own_vidserve.get("/api/v1/history", headers={"Authorization": "Bearer guess"}, token=False)

    log_lines = [
        line
        for line in own_vidserve.log_text().splitlines()
        if re.match(r"\d{4}-\d\d-\d\d \S+ (DEBUG|INFO|WARNING|ERROR) ", line)
    ]
    assert len(log_lines) > 5
    assert not [line for line in log_lines if own_vidserve.token in line or "guess" in line]


READ_TOKEN = "r" * 43


@pytest.fixture(scope="module")
def two_token_vidserve(tmp_path_factory, media_server):
    with start_vidserve(tmp_path_factory.mktemp("tokens"), read_token=READ_TOKEN) as api:
        status = api.wait_for(api.submit(unique(media_server)))
        yield api, status


def as_reader(api: Api, method: str, path: str, status: dict) -> Answer:
    """The request made with the read-only token; {id} stands for the download's id."""
    body = {"url": "http://127.0.0.1/x"} if method == "POST" else None
    return api.request(
        method,
        path.format(id=status["download_id"]),
        body,
        headers={"Authorization": f"Bearer {READ_TOKEN}"},
        token=False,
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/status/{id}"),
        ("GET", "/api/v1/history"),
        ("GET", "/api/v1/files/{id}"),
        ("GET", "/api/v1/files/{id}/0"),
    ],
)
def test_read_only_token_reads_status_history_and_files(two_token_vidserve, method, path):
    api, status = two_token_vidserve

    assert as_reader(api, method, path, status).status == 200


def test_read_only_token_may_make_a_signed_link_since_it_may_read_the_file(two_token_vidserve):
    api, status = two_token_vidserve

    answer = as_reader(api, "POST", "/api/v1/files/{id}/link", status)

    assert answer.status == 201
    assert api.get(answer.json["url"], token=False).status == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/download"),
        ("DELETE", "/api/v1/download/{id}"),
        ("POST", "/api/v1/download/{id}/retry"),
        ("GET", "/api/v1/events"),
        ("GET", "/metrics"),
        ("PUT", "/api/v1/cookies"),
    ],
)
def test_read_only_token_cannot_change_anything(two_token_vidserve, method, path):
    api, status = two_token_vidserve

    answer = as_reader(api, method, path, status)

    assert_error(answer, 403, "read_only_token")
    assert api.get(f"/api/v1/status/{status['download_id']}").json["file_removed"] is False


def saw_complete(reader: "EventReader", download_id: str) -> bool:
    return any(event["status"] == "completed" for event in reader.for_download(download_id))


def test_a_persons_search_thumbnails_and_links_reach_only_their_own_downloads(household):
    alice, bob = household.alice, household.bob
    bobs = household.downloads["bob"]["download_id"]
    path = urllib.parse.urlsplit(household.shared_url).path

    found = alice.get("/api/v1/history?" + urllib.parse.urlencode({"q": path}))
    link_to_bobs = alice.post(f"/api/v1/files/{bobs}/link")
    thumbnail_of_bobs = alice.get(f"/api/v1/files/{bobs}/thumbnail")
    bobs_own_link = bob.post(f"/api/v1/files/{bobs}/link").json["url"]

    assert [item["download_id"] for item in found.json] == [
        household.downloads["alice"]["download_id"]
    ]
    assert found.headers["X-Total-Count"] == "1"
    assert_error(link_to_bobs, 404, "not_found")
    assert_error(thumbnail_of_bobs, 404, "not_found")
    assert bob.get(bobs_own_link, token=False).body == CLIP_BYTES  # in bob's own folder


def test_people_get_a_token_shown_once_and_are_listed_without_it(household):
    import sqlite3

    listed = household.owner.get("/api/v1/users")
    by_cli = vidserve_cli(household.owner, "user", "list")
    db = sqlite3.connect(household.owner.data_dir / "vidserve.db")
    stored = dict(db.execute("SELECT name, token_sha256 FROM users"))
    db.close()
    database_bytes = b"".join(p.read_bytes() for p in household.owner.data_dir.glob("vidserve.db*"))

    assert [(p["name"], p["downloads"]) for p in listed.json] == [("alice", 1), ("bob", 1)]
    assert all(TIMESTAMP.fullmatch(p["created_at"]) for p in listed.json)
    alice_line = r"^alice\s+\S+\s+1\s+\d+(\.\d)? [KMG]?B\s+any$"  # downloads, used, quota
    assert by_cli.returncode == 0 and re.search(alice_line, by_cli.stdout, re.MULTILINE)
    for person in (household.alice, household.bob):
        assert person.token.encode() not in listed.body + by_cli.stdout.encode()
        assert person.token.encode() not in database_bytes
        assert hashlib.sha256(person.token.encode()).digest() in stored.values()


def test_status_object_says_whose_download_it_is(household):
    users = {who: status["user"] for who, status in household.downloads.items()}

    assert users == {"owner": "owner", "alice": "alice", "bob": "bob"}
    assert all(status["status"] == "completed" for status in household.downloads.values())


def test_same_link_is_one_download_per_person_never_one_across_people(household):
    ids = {who: status["download_id"] for who, status in household.downloads.items()}

    again = household.alice.post("/api/v1/download", {"url": household.shared_url})

    assert len(set(ids.values())) == 3
    assert again.status == 200 and again.json["duplicate"] is True
    assert again.json["download_id"] == ids["alice"]


def test_persons_files_land_in_their_folder_and_the_owners_in_download_dir(household):
    folders = {
        who: household.owner.download_dir / ("" if who == "owner" else who) / status["filename"]
        for who, status in household.downloads.items()
    }

    served = household.alice.get(household.downloads["alice"]["file_url"])

    assert all(path.read_bytes() == CLIP_BYTES for path in folders.values())
    assert folders["alice"].parent.name == "alice" and folders["bob"].parent.name == "bob"
    assert served.status == 200 and served.body == CLIP_BYTES


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/status/{id}"),
        ("GET", "/api/v1/status/{id}?wait=1"),
        ("GET", "/api/v1/files/{id}"),
        ("GET", "/api/v1/files/{id}/0"),
        ("HEAD", "/api/v1/files/{id}"),
        ("GET", "/api/v1/history?before={id}"),
        ("POST", "/api/v1/download/{id}/retry"),
        ("DELETE", "/api/v1/download/{id}"),
    ],
)
@pytest.mark.parametrize("owner_of_it", ["bob", "owner"])
def test_another_persons_download_answers_404_and_stays_untouched(
    household, method, path, owner_of_it
):
    theirs = household.downloads[owner_of_it]

    answer = household.alice.request(method, path.format(id=theirs["download_id"]))

    assert answer.status == 404
    if method != "HEAD":
        assert_error(answer, 404, "not_found")
    after = household.owner.get(f"/api/v1/status/{theirs['download_id']}").json
    assert after["status"] == "completed" and after["file_removed"] is False


def test_history_and_its_count_hold_only_the_persons_own_downloads(household):
    mine = household.alice.get("/api/v1/history?limit=100")
    completed = household.alice.get("/api/v1/history?status=completed")
    everyone = household.owner.get("/api/v1/history?limit=100")

    assert {item["user"] for item in mine.json} == {"alice"}
    assert int(mine.headers["X-Total-Count"]) == len(mine.json) >= 1
    assert {item["user"] for item in completed.json} == {"alice"}
    assert int(completed.headers["X-Total-Count"]) == len(completed.json)
    assert {"owner", "alice", "bob"} <= {item["user"] for item in everyone.json}
    assert int(everyone.headers["X-Total-Count"]) > int(mine.headers["X-Total-Count"])


def test_event_stream_of_a_person_carries_only_their_own_downloads(household, media_server):
    alices_reader, owners_reader = EventReader(household.alice), EventReader(household.owner)
    hers = household.alice.submit(unique(media_server, "hers"))
    his = household.bob.submit(unique(media_server, "his"))
    household.alice.wait_for(hers)
    household.bob.wait_for(his)

    wait_until(
        lambda: (
            saw_complete(owners_reader, hers)
            and saw_complete(owners_reader, his)
            and saw_complete(alices_reader, hers)
        ),
        10,
        "the owner to see both downloads complete, and alice hers",
    )
    alices_reader.close()
    owners_reader.close()

    assert {data["user"] for _, data in alices_reader.events} == {"alice"}
    assert alices_reader.for_download(his) == []


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/api/v1/users", None),
        ("POST", "/api/v1/users", {"name": "mallory"}),
        ("DELETE", "/api/v1/users/bob", None),
        ("POST", "/api/v1/users/bob/token", None),
        ("GET", "/api/v1/cookies", None),
        ("PUT", "/api/v1/cookies", b".x.com\tTRUE\t/\tTRUE\t0\tsid\tv\n"),
        ("DELETE", "/api/v1/cookies", None),
        ("GET", "/metrics", None),
    ],
)
def test_owner_only_routes_answer_403_to_a_person_and_change_nothing(household, method, path, body):
    headers = {"Content-Type": "text/plain"} if isinstance(body, bytes) else None

    answer = household.alice.request(method, path, body, headers=headers)

    assert_error(answer, 403, "owner_only")
    names = [person["name"] for person in household.owner.get("/api/v1/users").json]
    assert "mallory" not in names and "bob" in names
    assert household.bob.get("/api/v1/history").status == 200
    assert household.owner.get("/api/v1/cookies").json["present"] is False


@pytest.mark.parametrize("how", ["cli", "route"])
def test_removing_a_person_ends_their_token_at_once_and_keeps_their_downloads(
    household, media_server, how
):
    name = f"leaver-{how}"
    person = add_person(household.owner, name)
    theirs = person.wait_for(person.submit(unique(media_server, name)))
    reader = EventReader(person)

    if how == "cli":
        removed = vidserve_cli(household.owner, "user", "remove", name)
        assert removed.returncode == 0, removed.stderr
    else:
        assert household.owner.delete(f"/api/v1/users/{name}").status == 200

    assert_error(person.get("/api/v1/history"), 401, "unauthorized")
    reader.thread.join(timeout=10)
    assert not reader.thread.is_alive(), "the removed person's event stream kept running"
    kept = household.owner.get(f"/api/v1/status/{theirs['download_id']}").json
    assert kept["user"] == name and kept["status"] == "completed"
    assert (household.owner.download_dir / name / kept["filename"]).read_bytes() == CLIP_BYTES
    assert name not in [p["name"] for p in household.owner.get("/api/v1/users").json]
    readded = household.owner.post("/api/v1/users", {"name": name}).json
    assert readded["downloads"] == 1, "the same name again gets the downloads back"


@pytest.mark.parametrize("how", ["cli", "route"])
def test_a_new_token_ends_the_old_one_at_once(household, media_server, how):
    name = f"rekeyed-{how}"
    old = add_person(household.owner, name)
    download_id = old.submit(unique(media_server, name))

    if how == "cli":
        renewed = vidserve_cli(household.owner, "user", "token", name)
        assert renewed.returncode == 0, renewed.stderr
        new_token = renewed.stdout.strip()
    else:
        new_token = household.owner.post(f"/api/v1/users/{name}/token").json["token"]
    new = replace(old, token=new_token)

    assert_error(old.get(f"/api/v1/status/{download_id}"), 401, "unauthorized")
    assert new.wait_for(download_id)["user"] == name


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [
        ({"name": "Alice"}, None, 400, "invalid_name"),
        ({"name": "a" * 33}, None, 400, "invalid_name"),
        ({"name": ""}, None, 400, "invalid_name"),
        ({"name": "owner"}, None, 400, "invalid_name"),
        ({"name": "../etc"}, None, 400, "invalid_name"),
        ({"name": "ann b"}, None, 400, "invalid_name"),
        ({"name": "zoë"}, None, 400, "invalid_name"),
        ({"name": 7}, None, 400, "invalid_name"),
        ({"name": None}, None, 400, "invalid_name"),
        ({"name": ["x"]}, None, 400, "invalid_name"),
        ({}, None, 400, "invalid_name"),
        (["name", "x"], None, 400, "invalid_json"),
        (b'"x"', "application/json", 400, "invalid_json"),
        (b"{", "application/json", 400, "invalid_json"),
        (b"name=Bad!", "application/x-www-form-urlencoded", 400, "invalid_name"),
        (b"name=x", "text/plain", 415, "unsupported_media_type"),
        ({"name": "bob"}, None, 409, "user_exists"),
    ],
    ids=lambda value: str(value)[:20],
)
def test_bad_person_is_refused_with_a_4xx_and_nothing_is_stored(
    household, body, content_type, status, code
):
    before = household.owner.get("/api/v1/users").json
    headers = {"Content-Type": content_type} if content_type else None

    answer = household.owner.post("/api/v1/users", body, headers=headers)

    assert_error(answer, status, code)
    assert household.owner.get("/api/v1/users").json == before
    assert household.bob.get("/api/v1/history").status == 200
    assert household.owner.get("/api/v1/health").json["status"] == "healthy"


@pytest.mark.parametrize(
    "path, status, code",
    [
        ("/api/v1/users/Bob", 400, "invalid_name"),
        ("/api/v1/users/owner", 400, "invalid_name"),
        ("/api/v1/users/nobody", 404, "not_found"),
        ("/api/v1/users/nobody/token", 404, "not_found"),
    ],
)
def test_removing_or_rekeying_an_unknown_or_malformed_name_is_a_4xx(household, path, status, code):
    method = "POST" if path.endswith("/token") else "DELETE"

    assert_error(household.owner.request(method, path), status, code)


@pytest.mark.parametrize(
    "arguments",
    [
        ["add", "Bad!"],
        ["add", "owner"],
        ["add", "bob"],
        ["remove", "nobody"],
        ["token", "nobody"],
        ["add"],
        ["rename", "bob"],
    ],
    ids=" ".join,
)
def test_cli_refuses_bad_people_commands_with_a_message_and_stores_nothing(household, arguments):
    before = household.owner.get("/api/v1/users").json

    result = vidserve_cli(household.owner, "user", *arguments)

    assert result.returncode in (1, 2)
    assert result.stderr.strip() and not result.stdout.strip()
    assert household.owner.get("/api/v1/users").json == before


def test_removed_persons_signed_link_is_403_at_once(household, media_server):
    person = add_person(household.owner, "leaver-link")
    theirs = person.wait_for(person.submit(unique(media_server, "leaver-link")))
    link = make_link(person, theirs["download_id"])["url"]
    assert person.get(link, token=False).status == 200

    removed = vidserve_cli(household.owner, "user", "remove", "leaver-link")

    assert removed.returncode == 0, removed.stderr
    assert_error(person.get(link, token=False), 403, "person_removed")


@pytest.mark.parametrize("removed_by", ["route", "cli"])
def test_removing_a_person_cancels_their_downloads_and_pauses_their_follows(
    tmp_path, media_server, removed_by
):
    domains = ["127.0.0.1", "tiktok.com"]  # a follow of TikTok: checks fail offline, harmless
    with start_vidserve(tmp_path, workers=1, allowed_domains=domains) as owner:
        gina = add_person(owner, "gina")
        running = gina.submit(slow_links(media_server, "running", 1)[0])
        wait_until(lambda: owner.get(f"/api/v1/status/{running}").json["status"] == "downloading", 10, "its start")
        waiting = [gina.submit(url) for url in slow_links(media_server, "waiting", 2)]
        followed = gina.post("/api/v1/follows", {"url": "https://www.tiktok.com/@gina.follows"})
        owners = owner.submit(unique(media_server, "owners"))
        if removed_by == "route":
            assert owner.delete("/api/v1/users/gina").status == 200
        else:
            assert vidserve_cli(owner, "user", "remove", "gina").returncode == 0
        ended = [owner.get(f"/api/v1/status/{d}").json for d in [running, *waiting]]
        assert followed.status == 201, followed.body
        follow_now = owner.get(f"/api/v1/follows/{followed.json['follow_id']}").json
        owners_status = owner.wait_for(owners, 30) if removed_by == "route" else None

    assert {(s["status"], s["error_code"]) for s in ended} == {("cancelled", "user_removed")}
    assert follow_now["paused"] is True and follow_now["next_check_at"] is None
    if owners_status:  # the one worker stopped gina's download at once
        assert owners_status["status"] == "completed"


def test_new_token_for_a_person_leaves_their_signed_links_working(household, media_server):
    person = add_person(household.owner, "rekeyed-link")
    theirs = person.wait_for(person.submit(unique(media_server, "rekeyed-link")))
    link = make_link(person, theirs["download_id"])["url"]

    renewed = vidserve_cli(household.owner, "user", "token", "rekeyed-link")

    assert renewed.returncode == 0, renewed.stderr
    assert person.get(link, token=False).body == CLIP_BYTES


def test_token_throttle_behind_a_trusted_proxy_counts_each_client(tmp_path):
    def history(api, token: str, forwarded: str | None = None):
        headers = {"Authorization": f"Bearer {token}"}
        if forwarded:
            headers["X-Forwarded-For"] = forwarded
        return api.get("/api/v1/history", headers=headers, token=False).status

    with start_vidserve(tmp_path / "proxied", trusted_proxies=["127.0.0.1"]) as api:
        # A client's own X-Forwarded-For comes first; the proxy appends the address it saw.
        wrong = [history(api, "wrong", f"198.51.100.{n}, 203.0.113.5") for n in range(10)]
        after = history(api, api.token, "198.51.100.99, 203.0.113.5")
        other = history(api, api.token, "203.0.113.6")
        proxy_itself = history(api, api.token)
        logged = api.log_text()
    with start_vidserve(tmp_path / "direct") as api:  # no trusted_proxies: the header is ignored
        spoofed = [history(api, "wrong", f"203.0.113.{n}") for n in range(10)]
        direct = history(api, api.token, "203.0.113.200")

    assert wrong == [401] * 10 and after == 429  # that client, whatever it claims first
    assert other == 200 and proxy_itself == 200  # every other client, and the proxy
    assert "ip=203.0.113.5 method=GET" in logged
    assert spoofed == [401] * 10 and direct == 429


def slow_links(media_server, key: str, count: int, seconds: float = 60) -> list[str]:
    """Links no worker finishes soon; each a distinct download."""
    return [f"{media_server}/slow.mp4?seconds={seconds}&size=200000&n={key}-{n}" for n in range(count)]


def pending_of(api: Api) -> int:
    return int(api.get("/api/v1/history?status=pending&limit=1").headers["X-Total-Count"])


def test_a_person_filling_the_queue_gets_429_queue_full_at_200_and_the_owner_does_not(
    tmp_path, media_server
):
    with start_vidserve(tmp_path, workers=1) as owner:
        carol = add_person(owner, "carol")
        carol.submit(slow_links(media_server, "running", 1)[0])  # the one worker's
        wait_until(lambda: pending_of(carol) == 0, 10, "the worker to start it")
        answers = submit_from_clients(
            carol, 4, lambda n: slow_links(media_server, f"c{n}", 50)
        )  # 200 pending: the bound
        refused = carol.post("/api/v1/download", {"url": unique(media_server, "one-more")})
        owners = owner.post("/api/v1/download", {"url": unique(media_server, "owner")})
        pending = pending_of(carol)

    assert sorted(answer.status for _, answer in answers) == [201] * 200
    assert_error(refused, 429, "queue_full")
    assert int(refused.headers["Retry-After"]) > 0
    assert pending == 200  # nothing stored for the refused one
    assert owners.status == 201


def test_ones_share_starts_while_anothers_thousand_wait(tmp_path, media_server):
    with start_vidserve(tmp_path, workers=1, max_pending_per_user=0) as owner:
        dave, erin = add_person(owner, "dave"), add_person(owner, "erin")
        dave.submit(slow_links(media_server, "first", 1, seconds=2)[0])
        answers = submit_from_clients(
            dave, 8, lambda n: slow_links(media_server, f"d{n}", 125, seconds=2)
        )
        shared = time.monotonic()
        status = erin.wait_for(erin.submit(unique(media_server, "erins")), 30)
        waited_s = time.monotonic() - shared
        waiting = pending_of(dave)

    assert len(answers) == 1000
    assert status["status"] == "completed"
    assert waited_s < 10  # at most the one running download of dave's, then erin's
    assert waiting >= 990


def test_a_persons_51st_follow_is_429_and_the_owners_is_not(tmp_path):
    domains = ["127.0.0.1", "tiktok.com"]  # follows of TikTok: their checks fail offline
    with start_vidserve(tmp_path, allowed_domains=domains) as owner:
        kim = add_person(owner, "kim")
        accounts = [f"https://www.tiktok.com/@kim.{n}" for n in range(52)]
        fifty = [kim.post("/api/v1/follows", {"url": url}) for url in accounts[:50]]
        refused = kim.post("/api/v1/follows", {"url": accounts[50]})
        again = kim.post("/api/v1/follows", {"url": accounts[0]})  # one kim has: no new one
        owners = owner.post("/api/v1/follows", {"url": accounts[51]})
        held = len(kim.get("/api/v1/follows").json)

    assert [answer.status for answer in fifty] == [201] * 50
    assert_error(refused, 429, "too_many_follows")
    assert int(refused.headers["Retry-After"]) > 0
    assert again.status == 200 and owners.status == 201
    assert held == 50


def test_a_persons_streams_and_waits_stop_at_8_and_a_closed_stream_frees_its_place_at_once(
    tmp_path, media_server
):
    with start_vidserve(tmp_path, events_heartbeat_s=60) as owner:
        frank = add_person(owner, "frank")
        held = frank.submit(slow_links(media_server, "held", 1)[0])
        streams = [EventReader(frank) for _ in range(7)]

        def hold_a_wait():  # the eighth place: a ?wait hold (again if a probe took its place)
            wait_until(
                lambda: frank.get(f"/api/v1/status/{held}?wait=30").status != 429, 30, "a hold"
            )

        hold = threading.Thread(target=hold_a_wait)
        hold.start()
        wait_until(
            lambda: frank.get(f"/api/v1/status/{held}?wait=1").status == 429, 10, "the hold"
        )
        ninth_stream = EventReader(frank)
        ninth_wait = frank.get(f"/api/v1/status/{held}?wait=1")
        owners = [EventReader(owner) for _ in range(9)]
        streams.pop().close()
        closed = time.monotonic()
        wait_until(
            lambda: frank.get(f"/api/v1/status/{held}?wait=1").status == 200, 10, "a place"
        )
        freed_s = time.monotonic() - closed
        again = EventReader(frank)
        statuses = [reader.reply.status for reader in streams]
    hold.join()

    assert statuses == [200] * 6
    assert ninth_stream.reply.status == 429
    assert_error(ninth_wait, 429, "too_many_streams")
    assert [reader.reply.status for reader in owners] == [200] * 9  # the owner is not bound
    assert freed_s < 5  # the stream's place, not at the 60 s heartbeat
    assert again.reply.status == 200


# ---- 14. Follows: following an account -------------------------------------------------------


def check_now(api: Api, follow_id: str) -> dict:
    asked = api.post(f"/api/v1/follows/{follow_id}/check")
    assert asked.status == 202, asked.body
    return checked(api, follow_id)


def queued_by(api: Api, follow_id: str) -> list[dict]:
    """The downloads a follow queued, oldest first."""
    answer = api.get(f"/api/v1/history?client_id=follow:{follow_id}")
    assert answer.status == 200, answer.body
    return list(reversed(answer.json))


@dataclass
class Followers:
    owner: Api
    alice: Api
    bob: Api
    accounts: TikTokAccounts


@pytest.fixture(scope="module")
def followers(sites, tmp_path_factory):
    """vidserve in the namespace (with curl_cffi), with two people, alice and bob."""
    directory = tmp_path_factory.mktemp("followers")
    with start_vidserve(directory, namespace=sites, **SITE_SETTINGS) as owner:
        people = [owner.post("/api/v1/users", {"name": name}) for name in ("alice", "bob")]
        alice, bob = [replace(owner, token=person.json["token"]) for person in people]
        yield Followers(owner, alice, bob, sites.doubles.accounts)


def test_first_check_queues_the_first_newest_posts_as_downloads_of_that_person(followers):
    account = followers.accounts.add(posts=6)

    followed = follow(followers.alice, account, first=2)
    downloads = queued_by(followers.alice, followed["follow_id"])

    assert [d["video_id"] for d in downloads] == [account.posts[1][0], account.posts[0][0]]
    assert {(d["user"], d["follow_id"]) for d in downloads} == {("alice", followed["follow_id"])}
    assert (followed["posts_seen"], followed["downloads_queued"]) == (6, 2)
    assert followed["last_error_code"] is None and TIMESTAMP.fullmatch(followed["last_checked_at"])


def test_listing_asks_as_tiktoks_web_app_newest_first_by_cursor_pages_of_15(followers):
    account = followers.accounts.add(posts=20)

    follow(followers.alice, account, first=0)

    assert [(q["secUid"], q["type"], q["count"]) for q in account.queries] == [
        (account.sec_uid, "1", "15")
    ] * 2
    assert int(account.queries[1]["cursor"]) == account.posts[14][1] * 1000


def test_a_followed_accounts_post_is_downloaded_whole(followers):
    account = followers.accounts.add(posts=1)

    followed = follow(followers.bob, account, first=1)
    status = followers.bob.wait_for(
        queued_by(followers.bob, followed["follow_id"])[0]["download_id"]
    )

    assert status["status"] == "completed", status
    assert (followers.bob.download_dir / "bob" / status["filename"]).read_bytes() == (
        followers.accounts.media(account.posts[0][0])
    )


def test_a_new_post_is_queued_once_on_the_next_check(followers):
    account = followers.accounts.add(posts=3)
    followed = follow(followers.alice, account, first=0)
    new_post = account.publish()

    check_now(followers.owner, followed["follow_id"])  # the owner's token checks at once
    after = check_now(followers.owner, followed["follow_id"])

    assert [d["video_id"] for d in queued_by(followers.alice, followed["follow_id"])] == [new_post]
    assert (after["posts_seen"], after["downloads_queued"]) == (4, 1)


def test_a_post_the_person_already_has_is_not_queued_again(followers):
    account = followers.accounts.add(posts=2)
    shared = followers.bob.wait_for(followers.bob.submit(account.post_url(account.posts[0][0])))

    followed = follow(followers.bob, account, first=2)

    assert shared["status"] == "completed", shared
    assert [d["video_id"] for d in queued_by(followers.bob, followed["follow_id"])] == [
        account.posts[1][0]
    ]


def test_first_0_queues_nothing_and_remembers_what_is_there(followers):
    account = followers.accounts.add(posts=5)

    followed = follow(followers.alice, account, first=0)

    assert queued_by(followers.alice, followed["follow_id"]) == []
    assert (followed["posts_seen"], followed["downloads_queued"]) == (5, 0)


def test_a_blocked_listing_says_blocked_queues_nothing_and_backs_off_doubling(followers):
    account = followers.accounts.add(posts=3)
    account.blocked = True

    first = follow(followers.alice, account, every_h=1)
    second = check_now(followers.owner, first["follow_id"])

    assert (first["last_error_code"], second["last_error_code"]) == ("blocked", "blocked")
    assert "refused" in first["last_error_message"]
    first_h, second_h = (hours_until(f["next_check_at"]) for f in (first, second))

    # Doubled, plus up to 20 % jitter; the slack is for the seconds since each check.
    assert 2 <= first_h + 0.02 and first_h <= 2.4
    assert 4 <= second_h + 0.02 and second_h <= 4.8
    assert queued_by(followers.alice, first["follow_id"]) == []
    assert followers.owner.get("/api/v1/health").json["follows"]["failing"] >= 1


def test_two_people_following_one_account_each_get_their_own_downloads(followers):
    account = followers.accounts.add(posts=2)

    by_alice = follow(followers.alice, account, first=1)
    by_bob = follow(followers.bob, account, first=1)
    alices = queued_by(followers.alice, by_alice["follow_id"])
    bobs = queued_by(followers.bob, by_bob["follow_id"])

    assert [(d["user"], d["video_id"]) for d in alices + bobs] == [
        ("alice", account.posts[0][0]),
        ("bob", account.posts[0][0]),
    ]
    assert by_alice["follow_id"] != by_bob["follow_id"]


def test_following_the_same_account_again_answers_200_with_the_existing_follow(followers):
    account = followers.accounts.add(posts=1)
    followed = follow(followers.alice, account, first=0)

    again = followers.alice.post("/api/v1/follows", {"url": account.url + "?lang=en"})

    assert again.status == 200, again.body
    assert again.json["follow_id"] == followed["follow_id"]


def test_another_persons_follow_answers_404_and_stays_as_it_was(followers):
    followed = follow(followers.alice, followers.accounts.add(posts=1), first=0)
    path = f"/api/v1/follows/{followed['follow_id']}"

    answers = [
        followers.bob.get(path),
        followers.bob.request("PATCH", path, {"paused": True}),
        followers.bob.post(path + "/check"),
        followers.bob.delete(path),
    ]

    for answer in answers:
        assert_error(answer, 404, "not_found")
    assert followers.alice.get(path).json == followed
    assert followed["follow_id"] not in [
        f["follow_id"] for f in followers.bob.get("/api/v1/follows").json
    ]
    assert followed["follow_id"] in [
        f["follow_id"] for f in followers.owner.get("/api/v1/follows").json
    ]


def test_a_persons_check_now_waits_10_minutes_and_a_backoff_and_the_owners_does_not(followers):
    account = followers.accounts.add(posts=1)
    followed = follow(followers.alice, account, first=0)
    path = f"/api/v1/follows/{followed['follow_id']}/check"
    queries = len(account.queries)

    again = [followers.alice.post(path) for _ in range(30)]
    owners = check_now(followers.owner, followed["follow_id"])
    listed = len(account.queries)
    account.blocked = True
    failed = check_now(followers.owner, followed["follow_id"])
    in_backoff = followers.alice.post(path)

    for answer in again:
        assert_error(answer, 429, "check_too_soon")
        assert 0 < int(answer.headers["Retry-After"]) <= 600
    assert "10 minutes" in again[0].json["error"]["message"]
    assert listed == queries + 1  # the owner's check alone listed the account again
    assert owners["last_error_code"] is None and failed["last_error_code"] == "blocked"
    assert_error(in_backoff, 429, "check_too_soon")
    assert "failed checks" in in_backoff.json["error"]["message"]
    assert int(in_backoff.headers["Retry-After"]) > 600  # the backoff's 2 hours, not 10 min


def test_a_paused_follow_is_not_checked_until_resumed(followers):
    followed = follow(followers.alice, followers.accounts.add(posts=1), first=0)
    path = f"/api/v1/follows/{followed['follow_id']}"

    paused = followers.alice.request("PATCH", path, {"paused": True})
    check = followers.alice.post(path + "/check")
    resumed = followers.alice.request("PATCH", path, {"paused": False, "every_h": 2})

    assert (paused.json["paused"], paused.json["next_check_at"]) == (True, None)
    assert_error(check, 409, "paused")
    assert (resumed.json["paused"], resumed.json["every_h"]) == (False, 2)


def test_removing_a_follow_ends_its_checks_and_keeps_its_downloads(followers):
    account = followers.accounts.add(posts=1)
    followed = follow(followers.bob, account, first=1)
    path = f"/api/v1/follows/{followed['follow_id']}"

    removed = followers.bob.delete(path)

    assert removed.status == 200 and removed.json["follow_id"] == followed["follow_id"]
    assert_error(followers.bob.get(path), 404, "not_found")
    assert len(queued_by(followers.bob, followed["follow_id"])) == 1


FOLLOW_ID = "0b7c6a1e-8d2f-4c3b-9a5e-1f2d3c4b5a69"


@pytest.mark.parametrize(
    "method, path, body, status, code",
    [
        ("POST", "", {"url": "https://www.tiktok.com/@a/video/1"}, 422, "not_an_account"),
        ("POST", "", {"url": "https://example.com/@a"}, 422, "domain_not_allowed"),
        ("POST", "", {"url": "https://www.tik tok.com/@someone"}, 422, "domain_not_allowed"),
        ("POST", "", {"url": "https://www.instagram.com/a.b/"}, 422, "login_required"),
        ("POST", "", {"url": "https://www.instagram.com/p/DBreel0Pi12/"}, 422, "not_an_account"),
        ("POST", "", {"url": "https://www.tiktok.com/@"}, 422, "not_an_account"),
        ("POST", "", {"url": "javascript:alert(1)"}, 422, "scheme_not_allowed"),
        ("POST", "", {"url": ""}, 400, "invalid_url"),
        ("POST", "", {"url": 7}, 400, "invalid_url"),
        ("POST", "", {}, 400, "invalid_url"),
        ("POST", "", {"url": "https://www.tiktok.com/@a", "every_h": 0}, 400, "invalid_field"),
        ("POST", "", {"url": "https://www.tiktok.com/@a", "every_h": 169}, 400, "invalid_field"),
        ("POST", "", {"url": "https://www.tiktok.com/@a", "every_h": "6"}, 400, "invalid_field"),
        ("POST", "", {"url": "https://www.tiktok.com/@a", "first": 36}, 400, "invalid_field"),
        ("POST", "", {"url": "https://www.tiktok.com/@a", "first": -1}, 400, "invalid_field"),
        ("POST", "", {"url": "https://www.tiktok.com/@a", "audio_only": 1}, 400, "invalid_field"),
        ("POST", "", b"{not json", 400, "invalid_json"),
        ("POST", "", b"[]", 400, "invalid_json"),
        ("GET", "/not-a-uuid", None, 400, "invalid_id"),
        ("GET", f"/{FOLLOW_ID}", None, 404, "not_found"),
        ("PATCH", f"/{FOLLOW_ID}", {"paused": True}, 404, "not_found"),
        ("DELETE", f"/{FOLLOW_ID}", None, 404, "not_found"),
        ("POST", f"/{FOLLOW_ID}/check", None, 404, "not_found"),
        ("POST", "/..%2f..%2fetc/check", None, 400, "invalid_id"),
        ("PUT", f"/{FOLLOW_ID}", None, 405, "method_not_allowed"),
    ],
    ids=lambda value: value if isinstance(value, str) and value else None,
)
def test_hostile_follow_request_gets_a_clear_4xx_json_error(
    followers, method, path, body, status, code
):
    headers = {"Content-Type": "application/json"} if isinstance(body, bytes) else None

    answer = followers.alice.request(method, "/api/v1/follows" + path, body, headers=headers)

    assert_error(answer, status, code)


@pytest.mark.parametrize(
    "body, code",
    [({}, "invalid_body"), ({"paused": "yes"}, "invalid_field"), ({"every_h": 0}, "invalid_field")],
    ids=["nothing to change", "paused not a boolean", "every_h out of range"],
)
def test_bad_change_to_a_follow_is_400_and_changes_nothing(followers, body, code):
    followed = follow(followers.alice, followers.accounts.add(posts=1), first=0)
    path = f"/api/v1/follows/{followed['follow_id']}"

    answer = followers.alice.request("PATCH", path, body)

    assert_error(answer, 400, code)
    assert followers.alice.get(path).json == followed


def test_restart_keeps_the_follow_and_runs_an_overdue_check_once(sites, tmp_path):
    account = sites.doubles.accounts.add(posts=2)
    with start_vidserve(tmp_path, namespace=sites, **SITE_SETTINGS) as api:
        followed = follow(api, account, first=0)
    with sqlite3.connect(api.data_dir / "vidserve.db") as db:  # as if a day passed while down
        db.execute("UPDATE follows SET next_check = next_check - 24 * 3600")
    new_post, checks = account.publish(), account.checks

    api = start_process(tmp_path, namespace=sites)
    try:
        after = checked(api, followed["follow_id"])
        downloads = queued_by(api, followed["follow_id"])
    finally:
        stop_process(api)

    assert [d["video_id"] for d in downloads] == [new_post]
    assert account.checks == checks + 1
    assert after["created_at"] == followed["created_at"]


def test_cli_follows_an_account_for_a_person_lists_and_removes_it(followers):
    account = followers.accounts.add(posts=1)

    added = vidserve_cli(followers.owner, "follow", "add", account.url, "--user", "bob")
    listed = vidserve_cli(followers.owner, "follow", "list", "--user", "bob")
    follow_id = re.search(r"follow ([0-9a-f-]{36})", added.stdout)[1]
    removed = vidserve_cli(followers.owner, "follow", "remove", follow_id)

    assert added.returncode == 0 and f"bob now follows {account.url}" in added.stdout
    assert follow_id in listed.stdout
    assert removed.returncode == 0
    assert_error(followers.bob.get(f"/api/v1/follows/{follow_id}"), 404, "not_found")


# ---- 15. yt-dlp updates: new versions tried on this server's links, switched, rolled back ---


INSTALLED_YTDLP = vidserve.ytdlp_version()


FIXED_YTDLP = "2099.1.1"  # reads the renamed data script


NIGHTLY_YTDLP = "2099.1.2.123456.dev0"  # a pre-release, as yt-dlp's nightlies are numbered


BROKEN_YTDLP = "2099.1.3"  # lacks a private method vidserve's Borrowed adapters use


REGRESSING_YTDLP = "2099.1.4"  # reads the renamed script, but needs a part pages may drop


def yt_dlp_wheel(directory: Path, version: str, change=lambda tiktok: tiktok) -> Path:
    """A wheel of the installed yt-dlp numbered `version`, its TikTok extractor's source
    passed through `change`: a directory of its package, a proper dist-info, zipped."""
    import importlib.util
    import zipfile

    source = Path(importlib.util.find_spec("yt_dlp").origin).parent
    wheel = directory / f"yt_dlp-{version}-py3-none-any.whl"
    info = f"yt_dlp-{version}.dist-info"
    files = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = f"yt_dlp/{path.relative_to(source)}"
            files[name] = path.read_bytes()
    files["yt_dlp/version.py"] = re.sub(
        rb"__version__ = '[^']*'", f"__version__ = '{version}'".encode(), files["yt_dlp/version.py"]
    )
    tiktok = "yt_dlp/extractor/tiktok.py"
    files[tiktok] = change(files[tiktok].decode()).encode()
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: yt-dlp\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
    files[f"{info}/WHEEL"] += b"Tag: py3-none-any\n"
    record = [
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b'=').decode()},{len(body)}"
        for name, body in files.items()
    ]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return wheel


def reads_renamed_script(tiktok: str) -> str:
    old = f'\\bid="{RENAMED_SCRIPT[0]}"'
    assert old in tiktok
    return tiktok.replace(old, '\\bid="__UNIVERSAL_DATA_FOR_REHYDRATION(?:_V2)?__"')


def needs_app_context(tiktok: str) -> str:
    """A release that reads the renamed script and, as releases broken the day after (yt-dlp
    #17604), leans on a part of the page that TikTok then drops: a KeyError once it does."""
    status = "        status = traverse_obj(universal_data, ('webapp.video-detail', 'statusCode'"
    assert status in tiktok
    region = "        universal_data['webapp.app-context']['region']\n"
    return reads_renamed_script(tiktok).replace(status, region + status)


def without_post_info(tiktok: str) -> str:
    return tiktok.replace("def _parse_aweme_video_web(", "def _parse_aweme_video_web_gone(")


@pytest.fixture(scope="session")
def wheels(tmp_path_factory) -> dict[str, Path]:
    """Find-links directories, each holding the wheels of one scenario (built once)."""
    built = tmp_path_factory.mktemp("wheels")
    made = {
        "fixed": yt_dlp_wheel(built, FIXED_YTDLP, reads_renamed_script),
        "nightly": yt_dlp_wheel(built, NIGHTLY_YTDLP, reads_renamed_script),
        "broken": yt_dlp_wheel(built, BROKEN_YTDLP, without_post_info),
        "regressing": yt_dlp_wheel(built, REGRESSING_YTDLP, needs_app_context),
    }
    scenarios = {name: [name] for name in ("fixed", "broken", "regressing")}
    scenarios["both"] = ["fixed", "nightly"]
    directories = {}
    for scenario, names in scenarios.items():
        directory = directories[scenario] = built / scenario
        directory.mkdir()
        for name in names:
            os.link(made[name], directory / made[name].name)
    return directories


def pip_from(directory: Path) -> dict:
    """pip's own configuration: these wheels and no index (no network in tests)."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(directory), "PIP_NO_CACHE_DIR": "1"}


def last_check(api: Api, result: str | None = None, seconds: float = 120) -> dict:
    """GET /api/v1/ytdlp once its check is over (with `result`, if given)."""

    def over():
        answer = api.get("/api/v1/ytdlp")
        body = answer.json if answer.status == 200 else {}
        last = body.get("last_check") or {}
        done = not body.get("checking") and last.get("result")
        return body if done and result in (None, last["result"]) else None

    return wait_until(over, seconds, f"a yt-dlp check ending {result}")


def serving_version(api: Api, version: str, seconds: float = 60) -> dict:
    """Health once the server runs `version` (after a re-execution)."""

    def running():
        with contextlib.suppress(OSError):
            answer = api.get("/api/v1/health", token=False)
            return answer.json if answer.json.get("yt_dlp_version") == version else None
        return None

    return wait_until(running, seconds, f"vidserve to run yt-dlp {version}")


@pytest.mark.parametrize(
    "setting, value, ok",
    [
        ("ytdlp_check_every_h", 0, True),
        ("ytdlp_check_every_h", 168, True),
        ("ytdlp_check_every_h", 169, False),
        ("ytdlp_check_every_h", -1, False),
        ("ytdlp_channel", "nightly", True),
        ("ytdlp_channel", "2026.11.23", True),
        ("ytdlp_channel", "2026.12.07.123456.dev0", True),
        ("ytdlp_channel", "beta", False),
        ("ytdlp_channel", "2026.11.23; rm -rf /", False),
    ],
)
def test_ytdlp_settings_are_checked_at_start_naming_the_key(setting, value, ok):
    if ok:
        assert getattr(vidserve.load_config({setting: str(value)}, {}, None), setting) == value
    else:
        with pytest.raises(vidserve.ConfigError, match=setting):
            vidserve.load_config({setting: str(value)}, {}, None)


def test_nightly_takes_the_pre_release_and_stable_the_release(wheels, monkeypatch, tmp_path):
    for name, value in pip_from(wheels["both"]).items():
        monkeypatch.setenv(name, value)
    versions = vidserve.YtdlpVersions(tmp_path)

    assert versions.newest("stable") == FIXED_YTDLP
    assert versions.newest("nightly") == NIGHTLY_YTDLP
    assert versions.newest("2026.11.23") == "2026.11.23"  # pinned: pip is not asked
    assert not versions.root.exists()  # resolving installs nothing


def test_installed_yt_dlp_offers_every_borrowed_adapter():
    assert vidserve.ytdlp_adapters_missing() == []


def test_fixed_yt_dlp_is_tried_switched_to_and_the_failure_it_reads_completes(
    sites, wheels, tmp_path
):
    renamed = f"https://www.tiktok.com/@{TIKTOK_USER}/video/{TIKTOK_RENAMED}"
    settings = SITE_SETTINGS | {"ytdlp_check_every_h": 0}
    with start_vidserve(
        tmp_path, pip_from(wheels["fixed"]), namespace=sites, **settings
    ) as api:
        assert put_cookies(api, COOKIES_TXT.encode()).status == 200  # a try reads a copy
        read = api.wait_for(api.submit(TIKTOK_PAGE, force=True))
        image = api.wait_for(api.submit(f"https://www.instagram.com/p/{INSTAGRAM_PHOTO}/"))
        failed = api.wait_for(api.submit(renamed))
        assert read["status"] == image["status"] == "completed", image["error_message"]
        assert failed["status"] == "failed" and failed["error_code"] in ("extractor", "blocked")
        assert failed["requeued_after_update"] is None

        assert api.post("/api/v1/ytdlp/check").status == 202
        assert_error(api.post("/api/v1/ytdlp/check"), 409, "check_running")
        health = serving_version(api, FIXED_YTDLP, 150)

        assert health["yt_dlp"] == {
            "version": FIXED_YTDLP,
            "channel": "stable",
            "last_result": "switched",
        }
        state = last_check(api, "switched")
        assert (state["version"], state["location"]) == (FIXED_YTDLP, "data_dir")
        assert state["previous"] == INSTALLED_YTDLP
        tried = {item["url"]: item for item in state["last_check"]["tried"]}
        assert tried[TIKTOK_PAGE] == {"url": TIKTOK_PAGE, "current": "ok", "candidate": "ok"}
        assert tried[renamed] == {"url": renamed, "current": failed["error_code"], "candidate": "ok"}
        assert (tried[image["url"]]["current"], tried[image["url"]]["candidate"]) == ("ok", "ok")
        assert (api.data_dir / "cookies.txt").read_text() == COOKIES_TXT  # not written back
        assert state["last_check"]["requeued"] == 1
        saved = api.wait_for(failed["download_id"])
        assert saved["status"] == "completed", saved["error_message"]
        assert saved["requeued_after_update"] == FIXED_YTDLP
        body = SITE_MEDIA[f"/video/{TIKTOK_RENAMED}.mp4"][0]
        assert api.get(saved["file_url"]).body == body
        assert (api.data_dir / "ytdlp" / FIXED_YTDLP / "yt_dlp").is_dir()
        [switched] = alerts_of(api, "ytdlp_switched")  # queued before, told after the switch
        assert_alert(switched, FIXED_YTDLP, INSTALLED_YTDLP, "--rollback")
        metrics = api.get("/metrics").body.decode()
        assert f'vidserve_yt_dlp_info{{version="{FIXED_YTDLP}",channel="stable"' in metrics
        log_text = api.log_text()
        for step in ("yt-dlp check: installing", "yt-dlp check: trying", "re-executing"):
            assert step in log_text

        stop_process(api)  # rolled back by the command line, told to the server
        rolled = vidserve_cli(api, "update-ytdlp", "--rollback")
        assert rolled.returncode == 0, rolled.stderr
        api = start_process(tmp_path, pip_from(wheels["fixed"]), namespace=sites)
        try:
            assert serving_version(api, INSTALLED_YTDLP, 10)["yt_dlp"]["last_result"] == "rolled_back"
            state = last_check(api, "rolled_back")
            assert (state["location"], state["previous"]) == ("environment", FIXED_YTDLP)
        finally:
            stop_process(api)


def test_a_switched_yt_dlp_failing_what_the_one_before_read_is_rolled_back_by_itself(
    sites, wheels, tmp_path
):
    settings = SITE_SETTINGS | {"ytdlp_check_every_h": 0}
    with start_vidserve(
        tmp_path, pip_from(wheels["regressing"]), namespace=sites, **settings
    ) as api:
        assert api.wait_for(api.submit(TIKTOK_PAGE, force=True))["status"] == "completed"
        assert api.post("/api/v1/ytdlp/check").status == 202
        serving_version(api, REGRESSING_YTDLP, 150)
        assert alerts_of(api, "ytdlp_rolled_back") == []
        sites.doubles.changes.add("app-context dropped")  # the day after the release
        try:
            failed = [api.wait_for(api.submit(TIKTOK_PAGE, force=True)) for _ in range(3)]
            assert [f["error_code"] for f in failed] == ["extractor"] * 3, failed

            health = serving_version(api, INSTALLED_YTDLP, 60)  # the third one rolled it back

            assert health["yt_dlp"]["last_result"] == "rolled_back"
            state = last_check(api, "rolled_back")
            assert (state["location"], state["previous"]) == ("environment", REGRESSING_YTDLP)
            assert "3 downloads" in state["last_check"]["reason"]
            body = SITE_MEDIA[f"/video/{TIKTOK_VIDEO}.mp4"][0]
            for download in failed:  # queued again, read by the version before
                saved = api.wait_for(download["download_id"])
                assert saved["status"] == "completed", saved["error_message"]
                assert saved["requeued_after_update"] == INSTALLED_YTDLP
                assert api.get(saved["file_url"]).body == body
            [rolled_back] = alerts_of(api, "ytdlp_rolled_back")
            assert_alert(rolled_back, INSTALLED_YTDLP, REGRESSING_YTDLP, "3 downloads")
        finally:
            sites.doubles.changes.clear()


def test_broken_yt_dlp_is_refused_and_nothing_changes(wheels, tmp_path, media_server):
    with start_vidserve(tmp_path, pip_from(wheels["broken"]), ytdlp_check_every_h=0) as api:
        assert api.post("/api/v1/ytdlp/check").status == 202
        state = last_check(api)

        check = state["last_check"]
        assert (check["result"], check["candidate"]) == ("refused", BROKEN_YTDLP)
        assert "tiktok_post_info" in check["reason"]
        assert (state["version"], state["location"]) == (INSTALLED_YTDLP, "environment")
        assert not (api.data_dir / "ytdlp" / BROKEN_YTDLP).exists()
        assert api.get("/api/v1/health").json["yt_dlp_version"] == INSTALLED_YTDLP
        [refused] = alerts_of(api, "ytdlp_refused")
        assert_alert(refused, BROKEN_YTDLP, INSTALLED_YTDLP, "tiktok_post_info")


def test_pinned_yt_dlp_is_up_to_date_and_a_persons_token_is_403(tmp_path, media_server):
    with start_vidserve(tmp_path, ytdlp_channel=INSTALLED_YTDLP, ytdlp_check_every_h=0) as api:
        alice = add_person(api, "alice")
        assert_error(alice.get("/api/v1/ytdlp"), 403, "owner_only")
        assert_error(alice.post("/api/v1/ytdlp/check"), 403, "owner_only")
        assert api.post("/api/v1/ytdlp/check").status == 202

        state = last_check(api)

        assert state["last_check"]["result"] == "up_to_date"
        assert state["channel"] == INSTALLED_YTDLP and state["version"] == INSTALLED_YTDLP
        assert api.get("/api/v1/alerts").json == []  # up to date: nothing to tell


def pip_installing(parent: int) -> int | None:
    """The pid of the pip that `parent` runs to install into a directory, if any."""
    for pid in run_command(["pgrep", "-P", str(parent)]).stdout.split():
        with contextlib.suppress(OSError):
            if b"--target" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return int(pid)
    return None


def test_kill_9_during_an_install_leaves_the_version_in_use(wheels, tmp_path, media_server):
    with start_vidserve(tmp_path, pip_from(wheels["fixed"]), ytdlp_check_every_h=0) as api:
        root = api.data_dir / "ytdlp"
        assert api.post("/api/v1/ytdlp/check").status == 202
        installing = wait_until(lambda: pip_installing(api.process.pid), 60, "pip to install")
        stop_process(api, signal.SIGKILL)
        os.kill(installing, signal.SIGKILL)  # pip too: a power cut takes it with it
        assert list(root.glob(".tmp-*"))  # what the install left half-made

        api = start_process(tmp_path)
        try:
            assert api.get("/api/v1/health").json["yt_dlp_version"] == INSTALLED_YTDLP
            assert api.get("/api/v1/ytdlp").json["location"] == "environment"
            assert not list(root.glob(".tmp-*")) and not (root / FIXED_YTDLP).exists()
        finally:
            stop_process(api)


# ---- 16. Certificates: self-signed, your own files, ACME against Pebble ----------------------


PEBBLE = shutil.which("pebble") and shutil.which("pebble-challtestsrv")


needs_pebble = pytest.mark.skipif(
    not PEBBLE,
    reason="Pebble is not installed (apt install pebble): the ACME tests need a real ACME server",
)


@dataclass
class Pebble:
    """A running Pebble: its directory URL, and its management API for the roots."""

    directory: str
    management: str
    ca_file: Path  # the certificate of Pebble's own HTTPS
    process: subprocess.Popen

    def root(self, path: Path) -> Path:
        """Pebble's root CA (made anew at each start), written to path."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        with urllib.request.urlopen(f"{self.management}/roots/0", context=context) as reply:
            path.write_bytes(reply.read())
        return path


@pytest.fixture(scope="session")
def pebble_setup(tmp_path_factory):
    """What every Pebble shares: its HTTPS certificate, a DNS server answering 127.0.0.1 for
    every name, and vidserve's two ports, which Pebble's validator connects to."""
    if not PEBBLE:
        pytest.skip("Pebble is not installed (apt install pebble)")
    directory = tmp_path_factory.mktemp("pebble")
    ca_file, key = make_certificate(directory, "pebble-https")
    dns_port = free_port()
    dns = subprocess.Popen(
        ["pebble-challtestsrv", "-dns01", f"127.0.0.1:{dns_port}", "-http01", "",
         "-https01", "", "-tlsalpn01", "", "-management", f"127.0.0.1:{free_port()}",
         "-defaultIPv6", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield {"directory": directory, "ca_file": ca_file, "key": key, "dns_port": dns_port,
           "tls_port": free_port(), "http_port": free_port()}  # fmt: skip
    dns.terminate()
    dns.wait(timeout=10)


@contextlib.contextmanager
def run_pebble(setup: dict, validity_s: int = 0, port: int = 0):
    """A Pebble of its own: a fresh CA, validating at once (PEBBLE_VA_NOSLEEP), certificates
    valid for validity_s seconds when given."""
    port = port or free_port()
    management = free_port()
    config = {
        "listenAddress": f"127.0.0.1:{port}",
        "managementListenAddress": f"127.0.0.1:{management}",
        "certificate": str(setup["ca_file"]),
        "privateKey": str(setup["key"]),
        "httpPort": setup["http_port"],
        "tlsPort": setup["tls_port"],
        "ocspResponderURL": "",
        "externalAccountBindingRequired": False,
    }
    if validity_s:
        config["certificateValidityPeriod"] = validity_s
    path = setup["directory"] / f"pebble-{port}.json"
    path.write_text(json.dumps({"pebble": config}))
    log_path = setup["directory"] / f"pebble-{port}.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            ["pebble", "-config", str(path), "-dnsserver", f"127.0.0.1:{setup['dns_port']}"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PEBBLE_VA_NOSLEEP": "1"},
        )
    try:
        wait_until(lambda: b"ACME directory available" in log_path.read_bytes(), 20, "Pebble")
        yield Pebble(f"https://127.0.0.1:{port}/dir", f"https://127.0.0.1:{management}",
                     setup["ca_file"], process)  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def pebble(pebble_setup):
    with run_pebble(pebble_setup) as server:
        yield server


def acme_settings(setup: dict, pebble_directory: str, **more) -> dict:
    return {
        "port": setup["tls_port"],
        "acme_domain": ACME_DOMAIN,
        "acme_directory": pebble_directory,
        "acme_ca_file": str(setup["ca_file"]),
        **more,
    }


def trusted_connection(port: int, root: Path) -> http.client.HTTPSConnection:
    """A connection as a phone makes it to ACME_DOMAIN: SNI and verification for that name,
    trusting only `root`; the name is dialled as 127.0.0.1."""
    context = ssl.create_default_context(cafile=str(root))
    connection = http.client.HTTPSConnection(ACME_DOMAIN, port, timeout=30, context=context)
    connection._create_connection = lambda address, *args: socket.create_connection(
        ("127.0.0.1", address[1]), *args
    )
    return connection


def trusted_get(port: int, root: Path, path: str = "/api/v1/health") -> Answer | None:
    """GET path over a trusted connection; None while the server's certificate fails."""
    connection = trusted_connection(port, root)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        return Answer(reply.status, reply.headers, reply.read())
    except ssl.SSLCertVerificationError:
        return None
    finally:
        connection.close()


def served_certificate(port: int) -> bytes:
    """The DER certificate a new connection to 127.0.0.1:port gets, trusted or not."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    with context.wrap_socket(sock, server_hostname=ACME_DOMAIN) as tls:
        return tls.getpeercert(binary_form=True)


def api_port(api: Api) -> int:
    return urllib.parse.urlsplit(api.base_url).port


RENEWAL_VALIDITY_S = 24  # Pebble's certificates last this long: renewed after about 16 s


class RenewalInfoDirectory(QuietHandler):
    """Pebble's directory plus RFC 9773's renewalInfo, which Pebble 2.4 lacks: the first
    certificate asked about is told to renew now, every later one in a day."""

    def do_GET(self):
        if self.path == "/dir":
            context = ssl.create_default_context(cafile=str(self.server.pebble.ca_file))
            with urllib.request.urlopen(self.server.pebble.directory, context=context) as reply:
                directory = json.load(reply)
            port = self.server.server_address[1]
            body = directory | {"renewalInfo": f"https://127.0.0.1:{port}/renewal-info"}
            return self.send_body(json.dumps(body).encode(), "application/json")
        asked = self.server.asked
        asked.append(self.path.removeprefix("/renewal-info/"))
        start = time.time() - 60 if asked[-1] == asked[0] else time.time() + 86400
        window = {
            edge: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + offset))
            for edge, offset in (("start", 0), ("end", 30))
        }
        body = json.dumps({"suggestedWindow": window}).encode()
        return self.send_body(body, "application/json", headers={"Retry-After": "3600"})


def client_hello(server_name: str, protocols: list[str]) -> bytes:
    """The first flight of a real TLS client (Python's own), as it would reach the server."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(protocols)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname=server_name)
    with contextlib.suppress(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


class NonsenseAcme(QuietHandler):
    """An ACME server gone wrong: `/garbage` answers HTML to everything, `/stall` never
    answers at all."""

    def do_GET(self):
        if self.path.startswith("/stall"):
            self.server.stalled.wait(60)
            return
        self.send_body(b"<html>maintenance</html>", "text/html")


@pytest.fixture(scope="module")
def plain_port(tmp_path_factory):
    """A vidserve with a plain-HTTP port and no ACME: (its Api, the plain port)."""
    port = free_port()
    with start_vidserve(tmp_path_factory.mktemp("plain"), http_port=port) as api:
        yield api, port


def tls_health(port: int, cafile: Path) -> Answer:
    context = ssl.create_default_context(cafile=str(cafile))
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    try:
        connection.request("GET", "/api/v1/health")
        reply = connection.getresponse()
        return Answer(reply.status, reply.headers, reply.read())
    finally:
        connection.close()


def der_of(cert: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert.read_text())


@needs_pebble
def test_certificate_is_issued_by_tls_alpn_01_and_served_without_restart(
    tmp_path, pebble_setup, pebble
):
    launched = time.monotonic()
    settings = acme_settings(pebble_setup, pebble.directory, acme_email="me@example.com")
    with start_vidserve(tmp_path, **settings) as api:
        root = pebble.root(tmp_path / "root.pem")

        answer = wait_until(lambda: trusted_get(api_port(api), root), 30, "a trusted certificate")
        trusted_after_s = time.monotonic() - launched
        metrics = api.request("GET", "/metrics", connection=trusted_connection(api_port(api), root))

    print(f"\nstart to a trusted certificate (tls-alpn-01): {trusted_after_s:.2f} s")
    certificate = answer.json["certificate"]
    assert certificate["source"] == "acme"
    assert certificate["names"] == [ACME_DOMAIN]
    assert TIMESTAMP.fullmatch(certificate["not_after"])
    assert certificate["days_left"] > 14 and certificate["error"] is None
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    expiry = re.search(rb"\nvidserve_certificate_expiry_timestamp_seconds (\d+)\n", metrics.body)
    assert (
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(expiry[1]))) == certificate["not_after"]
    )
    assert f"certificate for {ACME_DOMAIN} issued" in api.log_text()
    assert file_modes(api.data_dir / "acme") == {
        "account.key": 0o600, "cert.pem": 0o600, "key.pem": 0o600,
    }  # fmt: skip


@needs_pebble
def test_certificate_is_issued_by_http_01_and_plain_http_redirects_to_https(
    tmp_path, pebble_setup, pebble
):
    http_port = pebble_setup["http_port"]
    settings = acme_settings(
        pebble_setup, pebble.directory, acme_challenge="http-01", http_port=http_port
    )
    launched = time.monotonic()
    with start_vidserve(tmp_path, **settings) as api:
        root = pebble.root(tmp_path / "root.pem")
        answer = wait_until(lambda: trusted_get(api_port(api), root), 30, "a trusted certificate")
        print(f"\nstart to a trusted certificate (http-01): {time.monotonic() - launched:.2f} s")
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        plain.request("POST", "/api/v1/download?x=1", b"{}", {"Host": f"{ACME_DOMAIN}:80"})
        redirect = plain.getresponse()
        plain.close()

    assert answer.json["certificate"]["source"] == "acme"
    assert redirect.status == 308
    assert (
        redirect.headers["Location"] == f"https://{ACME_DOMAIN}:{api_port(api)}/api/v1/download?x=1"
    )


@needs_pebble
def test_restart_serves_the_saved_certificate_at_once_without_a_new_order(
    tmp_path, pebble_setup, pebble
):
    with start_vidserve(tmp_path, **acme_settings(pebble_setup, pebble.directory)) as api:
        root = pebble.root(tmp_path / "root.pem")
        wait_until(lambda: trusted_get(api_port(api), root), 30, "a trusted certificate")
        issued = served_certificate(api_port(api))

    restarted = start_process(tmp_path)
    try:
        first_answer = trusted_get(api_port(restarted), root)  # the first connection after start
        served = served_certificate(api_port(restarted))
    finally:
        stop_process(restarted)

    assert first_answer is not None and first_answer.json["certificate"]["source"] == "acme"
    assert served == issued
    assert "serving the saved certificate" in restarted.log_text()
    assert restarted.log_text().count("by the ACME server") == 1


@needs_pebble
def test_certificate_is_renewed_without_restart_while_an_open_connection_keeps_working(
    tmp_path, pebble_setup
):
    with (
        run_pebble(pebble_setup, validity_s=RENEWAL_VALIDITY_S) as short_lived,
        start_vidserve(tmp_path, **acme_settings(pebble_setup, short_lived.directory)) as api,
    ):
        port, root = api_port(api), short_lived.root(tmp_path / "root.pem")
        wait_until(lambda: trusted_get(port, root), 30, "a trusted certificate")
        first = served_certificate(port)
        open_connection = trusted_connection(port, root)
        before = api.request("GET", "/api/v1/health", connection=open_connection)

        renewed = wait_until(
            lambda: served_certificate(port) != first, RENEWAL_VALIDITY_S * 3, "a renewal"
        )
        after = api.request("GET", "/api/v1/health", connection=open_connection)
        kept = open_connection.sock.getpeercert(binary_form=True)
        open_connection.close()
        fresh = trusted_get(port, root)

    assert renewed and fresh is not None
    assert before.status == after.status == 200
    assert kept == first  # the open connection kept its certificate and was not cut
    certificate = fresh.json["certificate"]
    assert certificate["source"] == "acme" and certificate["error"] is None
    assert certificate["days_left"] == 0 and certificate["expires_soon"] is True
    assert f"certificate for {ACME_DOMAIN} renewed" in api.log_text()


def test_renewal_information_id_is_the_one_rfc_9773_gives_for_its_example(tmp_path):
    """RFC 9773 §4.1: authority key id 69:88:5B:...:C8:D4 and serial 0x87654321 (DER: a zero
    byte first) make the id aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE."""
    key_id = "69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4"
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca, ca_key, leaf = tmp_path / "ca.pem", tmp_path / "ca.key", tmp_path / "leaf.pem"
    (tmp_path / "leaf.ext").write_text("authorityKeyIdentifier=keyid\n")
    subprocess.run(
        ["openssl", "req", "-x509", *new_key, "-subj", "/CN=ca", "-days", "2", "-keyout", ca_key,
         "-addext", f"subjectKeyIdentifier={key_id}", "-out", ca],
        check=True, capture_output=True,
    )  # fmt: skip
    request = subprocess.run(
        ["openssl", "req", "-new", *new_key, "-subj", "/CN=leaf", "-keyout", tmp_path / "leaf.key"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(
        ["openssl", "x509", "-req", "-CA", ca, "-CAkey", ca_key, "-set_serial", "0x87654321",
         "-days", "2", "-extfile", tmp_path / "leaf.ext", "-out", leaf],
        check=True, capture_output=True, input=request,
    )  # fmt: skip

    info = vidserve.CertificateInfo.read(leaf, "acme")

    assert info.ari_id == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"


@needs_pebble
def test_certificate_is_renewed_in_the_window_the_ca_suggests(tmp_path, pebble_setup, pebble):
    directory = ThreadingHTTPServer(("127.0.0.1", 0), RenewalInfoDirectory)
    directory.daemon_threads, directory.pebble, directory.asked = True, pebble, []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pebble_setup["ca_file"], pebble_setup["key"])
    directory.socket = context.wrap_socket(directory.socket, server_side=True)
    threading.Thread(target=directory.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{directory.server_address[1]}/dir"
    try:
        with start_vidserve(tmp_path, **acme_settings(pebble_setup, url)) as api:
            wait_until(lambda: len(set(directory.asked)) == 2, 30, "the renewed certificate")
    finally:
        directory.shutdown()

    first, renewed = dict.fromkeys(directory.asked)
    assert f"certificate for {ACME_DOMAIN} renewed" in api.log_text()
    assert first != renewed and directory.asked.count(renewed) == 1  # then it waits a day


@needs_pebble
def test_acme_server_down_at_start_leaves_vidserve_serving_and_is_retried_until_it_is_back(
    tmp_path, pebble_setup
):
    acme_port = free_port()
    settings = acme_settings(pebble_setup, f"https://127.0.0.1:{acme_port}/dir")
    with start_vidserve(tmp_path, **settings) as api:
        error = wait_until(
            lambda: api.get("/api/v1/health").json["certificate"]["error"], 20, "the failure"
        )
        while_down = api.get("/api/v1/health")
        with run_pebble(pebble_setup, port=acme_port) as late:
            root = late.root(tmp_path / "root.pem")
            answer = wait_until(lambda: trusted_get(api_port(api), root), 60, "the retry")

    assert while_down.status == 200
    assert while_down.json["certificate"]["source"] == "self-signed"
    assert "could not get a certificate" in error
    assert "Strict-Transport-Security" not in while_down.headers  # self-signed: no HSTS
    assert answer.json["certificate"]["source"] == "acme"
    assert answer.json["certificate"]["error"] is None


def test_client_hello_is_read_for_its_server_name_and_alpn_protocols():
    hello = client_hello("Vidserve.Example.com", ["acme-tls/1", "http/1.1"])

    assert vidserve.client_hello_fields(hello) == (
        "vidserve.example.com",
        [b"acme-tls/1", b"http/1.1"],
    )
    assert vidserve.client_hello_fields(hello[:60]) == ("", [])  # cut short
    assert vidserve.client_hello_fields(b"GET / HTTP/1.1\r\n\r\n") == ("", [])


@needs_pebble
@pytest.mark.parametrize("path", ["/garbage", "/stall"])
def test_acme_server_answering_nonsense_or_nothing_never_stops_serving(
    tmp_path, pebble_setup, media_server, path
):
    nonsense = ThreadingHTTPServer(("127.0.0.1", 0), NonsenseAcme)
    nonsense.daemon_threads, nonsense.stalled = True, threading.Event()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pebble_setup["ca_file"], pebble_setup["key"])
    nonsense.socket = context.wrap_socket(nonsense.socket, server_side=True)
    threading.Thread(target=nonsense.serve_forever, daemon=True).start()
    directory = f"https://127.0.0.1:{nonsense.server_address[1]}{path}"
    try:
        with start_vidserve(tmp_path, **acme_settings(pebble_setup, directory)) as api:
            if path == "/garbage":
                wait_until(
                    lambda: api.get("/api/v1/health").json["certificate"]["error"], 20, "a failure"
                )
            health = api.get("/api/v1/health")
            submitted = api.submit(unique(media_server))
    finally:
        nonsense.stalled.set()
        nonsense.shutdown()

    assert health.status == 200
    assert health.json["certificate"]["source"] == "self-signed"
    assert UUID_V4.fullmatch(submitted)
    if path == "/garbage":
        assert "other than JSON" in health.json["certificate"]["error"]


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /a?b=1 HTTP/1.1\r\nHost: vidserve.example.com\r\n\r\n", 308),
        (b"GET /a HTTP/1.1\r\nHost: [::1\r\n\r\n", 308),
        (b"GET /a HTTP/1.0\r\n\r\n", 308),
        (b"GET http://evil.example/x HTTP/1.1\r\nHost: x\r\n\r\n", 308),
        (b"GET /.well-known/acme-challenge/nope HTTP/1.1\r\nHost: x\r\n\r\n", 308),
        (b"\x16\x03\x01\x00\x05hello\r\n\r\n", 400),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
    ids=[
        "plain",
        "unclosed-bracket-host",
        "no-host",
        "absolute-url",
        "unknown-token",
        "tls",
        "long",
    ],
)
def test_plain_http_port_redirects_to_https_and_answers_junk_with_a_status(
    plain_port, request_bytes, status
):
    api, port = plain_port

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request_bytes)
        reply = sock.makefile("rb").read()

    assert reply.startswith(b"HTTP/1.1 %d " % status), reply[:100]
    if status == 308:
        location = re.search(rb"\r\nLocation: (\S+)\r\n", reply)[1].decode()
        assert location.startswith("https://") and f":{api_port(api)}/" in location
    assert api.get("/api/v1/health").status == 200


def test_own_certificate_files_are_reloaded_on_change_and_a_broken_pair_is_not(tmp_path):
    ca = make_certificate(tmp_path, "ca")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    first = make_certificate(tmp_path, "first", issuer=ca)
    shutil.copy(first[0], cert_file)
    shutil.copy(first[1], key_file)
    settings = {"cert_file": str(cert_file), "key_file": str(key_file)}
    with start_vidserve(tmp_path / "server", **settings) as api:
        port = api_port(api)
        served_first = served_certificate(port)
        second = make_certificate(tmp_path, "second", issuer=ca)
        shutil.copy(second[1], key_file)
        shutil.copy(second[0], cert_file)
        wait_until(lambda: served_certificate(port) == der_of(second[0]), 20, "the reload")
        reloaded = tls_health(port, ca[0])
        mismatched = make_certificate(tmp_path, "mismatched", issuer=ca)
        shutil.copy(mismatched[0], cert_file)  # its key never comes
        error = wait_until(
            lambda: tls_health(port, ca[0]).json["certificate"]["error"], 20, "the refusal"
        )
        still = served_certificate(port)

    assert served_first == der_of(first[0])
    assert reloaded.json["certificate"]["source"] == "file"
    assert reloaded.json["certificate"]["error"] is None
    assert reloaded.headers["Strict-Transport-Security"].startswith("max-age=")  # CA-issued
    assert str(cert_file) in error
    assert still == der_of(second[0])
    assert "do not load" in api.log_text()


@pytest.mark.parametrize(
    "settings, named",
    [
        ({"acme_domain": ACME_DOMAIN, "acme_challenge": "dns-01"}, "acme_challenge"),
        ({"acme_domain": "my server"}, "acme_domain"),
        ({"acme_domain": "192.0.2.7"}, "acme_domain"),
        ({"port": 8444, "http_port": 8444}, "http_port"),
        ({"acme_domain": ACME_DOMAIN, "acme_challenge": "http-01"}, "http_port"),
        ({"acme_domain": ACME_DOMAIN, "acme_ca_file": "/nonexistent/ca.pem"}, "acme_ca_file"),
    ],
    ids=[
        "unknown-challenge",
        "not-a-dns-name",
        "an-ip-address",
        "http-port-is-port",
        "http-01-no-port",
        "no-ca-file",
    ],
)
def test_bad_acme_configuration_exits_2_before_listening_naming_the_key(tmp_path, settings, named):
    write_config(tmp_path / "vidserve.toml", {"port": 0} | settings)

    result = run_command(
        [sys.executable, str(VIDSERVE), "--config", "vidserve.toml"], cwd=tmp_path, timeout_s=30
    )

    assert result.returncode == 2
    assert named in result.stderr
    assert not (tmp_path / "vidserve-data").exists()


def test_health_certificate_is_null_without_tls(tmp_path):
    with start_vidserve(tmp_path, tls=False) as api:
        health = api.get("/api/v1/health").json
        metrics = api.get("/metrics").body

    assert health["certificate"] is None
    assert b"vidserve_certificate_expiry_timestamp_seconds" not in metrics


@pytest.mark.skipif(not shutil.which("testssl"), reason="testssl.sh is not installed")
def test_testssl_finds_only_tls_1_2_and_1_3_with_aead_ciphers(vidserve_api, tmp_path):
    report = tmp_path / "testssl.json"

    run_command(
        ["testssl", "--quiet", "--color", "0", "--warnings", "batch", "-p", "-s",
         "--jsonfile", str(report), urllib.parse.urlsplit(vidserve_api.base_url).netloc],
        timeout_s=180,
    )  # fmt: skip

    findings = {item["id"]: item["finding"] for item in json.loads(report.read_text())}
    # testssl.sh 3.0 names the obsolete CBC ciphers AVERAGE, and the AEAD ones STRONG
    weak = ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "cipherlist_LOW", "cipherlist_3DES_IDEA")
    for name in (*weak, "cipherlist_AVERAGE"):
        assert findings[name].startswith("not offered"), (name, findings[name])
    assert findings["cipherlist_STRONG"] == "offered"
    assert findings["TLS1_2"] == "offered" and findings["TLS1_3"].startswith("offered")


class AcmeDouble(QuietHandler):
    """An ACME server doing what Pebble never would. server.script maps (method, path) to
    (status, headers, body); an answer in server.trickle is sent a byte every 0.25 s from
    its status line's fourth byte on ("head") or its body's tenth ("body"). Every request is
    recorded in server.seen."""

    def answer(self):
        self.server.seen.append((self.command, self.path))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = (self.command, self.path)
        status, headers, body = self.server.script.get(key, (404, {}, b"{}"))
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = head.encode() + b"Content-Type: application/json\r\n\r\n"
        reply = head + body
        start = {"head": 3, "body": len(head) + 10}.get(self.server.trickle.get(key), len(reply))
        self.wfile.write(reply[:start])
        self.wfile.flush()
        for index in range(start, len(reply)):
            if self.server.done.wait(0.25):
                return
            self.wfile.write(reply[index : index + 1])
            self.wfile.flush()

    do_GET = do_HEAD = do_POST = answer


@contextlib.contextmanager
def acme_double(directory: Path, script, trickle=None):
    """An AcmeDouble over TLS on 127.0.0.1 (its certificate is acme_ca_file), with a
    directory of newNonce, newAccount and newOrder and a nonce; `script(base_url)` adds to or
    replaces its answers. Yields the server; server.directory is its directory's URL."""
    cert, key = make_certificate(directory, "acme-double")
    server = ThreadingHTTPServer(("127.0.0.1", 0), AcmeDouble)
    server.daemon_threads, server.seen, server.done = True, [], threading.Event()
    server.trickle, server.ca_file = trickle or {}, cert
    base = f"https://127.0.0.1:{server.server_address[1]}"
    names = {"newNonce": "/nonce", "newAccount": "/account", "newOrder": "/order"}
    server.script = {
        ("GET", "/dir"): (200, {}, json.dumps({k: base + v for k, v in names.items()}).encode()),
        ("HEAD", "/nonce"): (200, {"Replay-Nonce": "nonce"}, b""),
    } | script(base)
    server.directory = f"{base}/dir"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.done.set()
        server.shutdown()


def acme_renewer(directory: Path, acme_directory: str, ca_file: Path | None):
    """The `acme` keeper of a server serving a self-signed certificate, not yet started."""
    cert, key = make_certificate(directory, "served")
    config = vidserve.loopback_config(
        str(directory / "data"),
        acme_domain=ACME_DOMAIN,
        acme_directory=acme_directory,
        acme_ca_file=str(ca_file or ""),
    )
    vidserve.make_private_dir(config.data_path)
    certificates = vidserve.Certificates(cert, key, "self-signed")
    renewer = vidserve.CertificateRenewer(config, certificates, vidserve.Challenges())
    vidserve.make_private_dir(renewer.directory)  # where its client keeps the account key
    return renewer


class RecordingStop(threading.Event):
    """The keeper's stop Event, recording each wait asked of it and returning within 0.1 s:
    a wait of a day (the most a CA may ask) cannot be sat through in a test."""

    def __init__(self):
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return super().wait(0.1 if timeout is None else min(timeout, 0.1))


def test_acme_retry_after_of_99999999999_is_held_to_a_day_and_the_thread_lives_and_retries(
    tmp_path,
):
    with acme_double(tmp_path, rate_limited) as ca:
        renewer = acme_renewer(tmp_path, ca.directory, ca.ca_file)
        renewer.stopping = renewer.client.stopping = RecordingStop()
        renewer.start()
        try:
            wait_until(lambda: ca.seen.count(("POST", "/account")) >= 3, 30, "three attempts")
            alive = renewer._thread.is_alive()
            error = renewer.certificates.error
        finally:
            renewer.stop()

    assert alive
    asked = [wait for wait in renewer.stopping.waits if wait]
    assert asked and set(asked) == {vidserve.ACME_MAX_WAIT_S}
    assert max(asked) <= threading.TIMEOUT_MAX  # Event.wait takes it: no OverflowError
    assert "slow down" in error


def test_acme_clamp_holds_any_wait_between_a_minute_and_a_day():
    assert [vidserve.clamp_wait_s(s) for s in (0, 1, 3600, 99999999999, float("inf"))] == [
        60.0, 60.0, 3600.0, 86400.0, 86400.0,
    ]  # fmt: skip


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_acme_redirect_answering_a_post_is_an_error_and_is_not_followed(tmp_path, status):
    def redirecting(base):
        return {("POST", "/account"): (status, {"Location": f"{base}/elsewhere"}, b"{}")}

    with acme_double(tmp_path, redirecting) as ca:
        client = acme_renewer(tmp_path, ca.directory, ca.ca_file).client

        with pytest.raises(vidserve.AcmeError):
            client.sign_in()

    assert not [path for _, path in ca.seen if path == "/elsewhere"]


@pytest.fixture
def loopback_target():
    """A plain TCP listener on 127.0.0.2, counting the connections it accepts."""
    listener = socket.create_server(("127.0.0.2", 0))
    listener.settimeout(0.2)
    accepted, done = [], threading.Event()

    def accept():
        while not done.is_set():
            with contextlib.suppress(OSError):
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], accepted
    done.set()
    listener.close()


@pytest.mark.parametrize(
    "host",
    ["127.0.0.2", "[::1]", "[::ffff:127.0.0.2]", "10.0.0.1", "169.254.169.254", "[64:ff9b::a00:1]"],
    ids=["loopback", "ipv6-loopback", "mapped-loopback", "private", "metadata", "nat64-private"],
)
def test_acme_url_the_ca_hands_out_at_a_private_address_is_refused(tmp_path, loopback_target, host):
    port, accepted = loopback_target

    def pointing_inward(base):
        entries = {k: f"https://{host}:{port}/{k}" for k in ("newNonce", "newAccount", "newOrder")}
        return {("GET", "/dir"): (200, {}, json.dumps(entries).encode())}

    with acme_double(tmp_path, pointing_inward) as ca:
        client = acme_renewer(tmp_path, ca.directory, ca_file=None).client
        # The double stands for a public CA: only its own address is let through (there is
        # no public address to serve it from here), as the CA's would be; and trusted.
        client.policy = vidserve.UrlPolicy((), False, ("127.0.0.1/32",), (port, ca.server_port))
        client.tls = ssl.create_default_context(cafile=str(ca.ca_file))
        started = time.monotonic()

        with pytest.raises(vidserve.AcmeError, match="non-public"):
            client.sign_in()

    assert time.monotonic() - started < 10  # refused, not tried until a timeout
    assert ca.seen == [("GET", "/dir")] and accepted == []


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1:{port}/dir", "https://localhost:{port}/dir", "https://[::1]:{port}/dir"],
    ids=["loopback", "localhost", "ipv6-loopback"],
)
def test_acme_directory_at_a_private_address_is_refused_without_a_private_ca(tmp_path, url):
    with acme_double(tmp_path, lambda base: {}) as ca:
        client = acme_renewer(tmp_path, url.format(port=ca.server_port), ca_file=None).client

        with pytest.raises(vidserve.AcmeError, match="non-public"):
            client.directory()

    assert ca.seen == []


@pytest.mark.parametrize("where", ["head", "body"])
def test_acme_server_trickling_its_answer_is_cut_off_at_the_request_deadline(
    tmp_path, monkeypatch, where
):
    monkeypatch.setattr(vidserve, "ACME_TIMEOUT_S", 2.0)
    body = json.dumps({"newNonce": "x", "padding": "." * 1000}).encode()

    def slow(base):
        return {("GET", "/dir"): (200, {}, body)}

    with acme_double(tmp_path, slow, {("GET", "/dir"): where}) as ca:
        client = acme_renewer(tmp_path, ca.directory, ca.ca_file).client
        started = time.monotonic()

        with pytest.raises(vidserve.AcmeError):
            client.directory()
        took_s = time.monotonic() - started
        client.close()

    assert 2.0 <= took_s < 5.0  # each byte came within the socket timeout; the whole did not


SELF_SIGNED_NAMES = [
    ("localhost", "DNS:localhost", True),
    ("bank", "DNS:www.bank.example", False),
    ("public-ip", "IP:93.184.216.34", False),
    ("lan-ip", "IP:192.168.1.1", False),
]


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """The certificate and key a first start makes, under umask 000."""
    directory = tmp_path_factory.mktemp("self-signed")
    old_umask = os.umask(0)
    try:
        config = vidserve.loopback_config(str(directory / "data"))
        vidserve.make_private_dir(config.data_path)
        return vidserve.ensure_certificate(config)
    finally:
        os.umask(old_umask)


def test_self_signed_certificate_is_a_ca_only_for_its_own_names_and_no_further_ca(self_signed):
    text = run_command(["openssl", "x509", "-noout", "-text", "-in", self_signed[0]]).stdout

    assert re.search(r"Basic Constraints: critical\s+CA:TRUE, pathlen:0\n", text)
    constraints = text.split("Name Constraints: critical")[1].split("Signature Algorithm")[0]
    listed = constraints.split("Permitted:")[1]
    permitted = re.findall(r"^\s+((?:DNS|IP):\S+)$", listed, re.MULTILINE)
    assert "Excluded:" not in constraints
    assert {"DNS:localhost", "IP:127.0.0.1/255.255.255.255"} <= set(permitted)
    names = set(re.findall(r"DNS:([^\s,]+)", text.split("Name Constraints")[0]))
    addresses = set(re.findall(r"IP Address:([0-9A-Fa-f:.]+)", text))
    assert set(permitted) == {f"DNS:{name}" for name in names} | {
        f"IP:{address}/{'255.255.255.255' if '.' in address else ':'.join(['FFFF'] * 8)}"
        for address in addresses
    }  # its own names and addresses, each alone, and nothing else


def sign_with(issuer: tuple[Path, Path], directory: Path, name: str, san: str, ca=False) -> Path:
    """A certificate for san signed by issuer's key, as a thief of that key would make one."""
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    extensions = ["-addext", f"subjectAltName={san}"]
    if ca:
        extensions += ["-addext", "basicConstraints=critical,CA:TRUE"]
    command = ["openssl", "req", "-new", *new_key, "-subj", f"/CN={name}", *extensions]
    request = run_command([*command, "-keyout", key], check=True).stdout
    command = ["openssl", "x509", "-req", "-CA", issuer[0], "-CAkey", issuer[1], "-days", "2"]
    subprocess.run(
        [*command, "-copy_extensions", "copy", "-out", cert], input=request.encode(), check=True,
        capture_output=True,
    )  # fmt: skip
    return cert


@pytest.mark.parametrize(
    "name, san, trusted", SELF_SIGNED_NAMES, ids=[n[0] for n in SELF_SIGNED_NAMES]
)
def test_certificate_signed_by_the_self_signed_key_is_trusted_only_for_its_own_names(
    self_signed, tmp_path, name, san, trusted
):
    leaf = sign_with(self_signed, tmp_path, name, san)

    verified = run_command(["openssl", "verify", "-CAfile", self_signed[0], leaf])

    assert (verified.returncode == 0) == trusted, verified.stdout + verified.stderr


def test_ca_signed_by_the_self_signed_key_cannot_sign_even_for_its_names(self_signed, tmp_path):
    middle = sign_with(self_signed, tmp_path, "middle", "DNS:localhost", ca=True)
    leaf = sign_with((middle, tmp_path / "middle.key"), tmp_path, "leaf", "DNS:localhost")

    verified = run_command(
        ["openssl", "verify", "-CAfile", self_signed[0], "-untrusted", middle, leaf]
    )

    assert verified.returncode != 0 and "path length" in verified.stdout + verified.stderr


def test_certificate_names_every_address_and_local_name_is_for_825_days_and_serves_tls(
    home, tmp_path
):
    host = socket.gethostname().lower()
    with home_vidserve(
        tmp_path / "pi", home, cert_names=["pi.tail1234.ts.net", "100.64.0.7"]
    ) as api:
        health = api.get("/api/v1/health")  # verified as https://192.168.77.20 is
        text = certificate_text(api.cafile)
        dates = run_command(["openssl", "x509", "-noout", "-dates", "-in", api.cafile]).stdout

    sans = set(re.findall(r"(DNS:[^\s,]+|IP Address:[^\s,]+)", text.split("Name Constraints")[0]))
    assert {
        "DNS:localhost", f"DNS:{host}", f"DNS:{host}.local", "DNS:pi.tail1234.ts.net",
        f"IP Address:{HOME_IPV4}", "IP Address:FD00:77:0:0:0:0:0:20", "IP Address:100.64.0.7",
        "IP Address:127.0.0.1",
    } <= sans  # fmt: skip
    assert not [name for name in sans if "FE80" in name]  # link-local: no phone types it
    not_before, not_after = (
        ssl.cert_time_to_seconds(line.split("=", 1)[1]) for line in dates.splitlines()
    )
    assert not_after - not_before == 825 * 86400
    assert re.search(r"Extended Key Usage:\s+TLS Web Server Authentication\n", text)
    assert re.search(r"Basic Constraints: critical\s+CA:TRUE, pathlen:0\n", text)
    constraints = text.split("Name Constraints: critical")[1]
    assert f"IP:{HOME_IPV4}/255.255.255.255" in constraints and f"DNS:{host}.local" in constraints
    assert health.status == 200 and health.json["certificate"]["missing_names"] == []


def test_phone_verifies_the_lan_address_and_local_name_and_start_says_where_to_point_it(
    home, tmp_path
):
    host = socket.gethostname().lower()
    with home_vidserve(tmp_path / "pi", home) as api:
        port = api_port(api)
        context = ssl.create_default_context(cafile=str(api.cafile))  # hostname checking on
        for name in (HOME_IPV4, f"{host}.local"):  # the name as mDNS would resolve it
            sock = home.run(socket.create_connection, (HOME_IPV4, port), 10)
            with context.wrap_socket(sock, server_hostname=name) as tls:
                assert tls.version() in ("TLSv1.2", "TLSv1.3")
        with pytest.raises(ssl.SSLCertVerificationError):  # and for no other name
            sock = home.run(socket.create_connection, (HOME_IPV4, port), 10)
            context.wrap_socket(sock, server_hostname="192.168.77.99").close()
        cert = api.get("/cert", token=False)
        banner = api.log_text()

    assert cert.status == 200 and cert.body == der_of(api.cafile)
    assert f"  https://{HOME_IPV4}:{port}/\n" in banner
    assert f"  https://{host}.local:{port}/\n" in banner
    assert f"https://{HOME_IPV4}:{port}/cert as a CA certificate" in banner
    assert f"log the page in with one tap: https://{HOME_IPV4}:{port}/#token={api.token}" in banner
    assert "127.0.0.1:" not in banner.split("is ready at")[1].split("token:")[0]


def test_phone_on_ipv6_verifies_the_unique_local_address_where_it_listens_on_both(
    home, tmp_path
):
    with home_vidserve(tmp_path / "pi", home, host="::") as api:
        port = api_port(api)
        context = ssl.create_default_context(cafile=str(api.cafile))  # hostname checking on
        for address in (HOME_ULA, HOME_IPV4):  # "::" takes IPv4 too
            sock = home.run(socket.create_connection, (address, port), 10)
            with context.wrap_socket(sock, server_hostname=address) as tls:
                tls.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: pi\r\nConnection: close\r\n\r\n")
                assert tls.recv(12) == b"HTTP/1.1 200"
        banner = api.log_text()

    urls = banner.split("open it by any of:\n")[1].split("  first install")[0].split()
    assert urls[:2] == [f"https://{HOME_IPV4}:{port}/", f"https://[{HOME_ULA}]:{port}/"]


def test_new_address_shows_in_health_and_makes_a_new_certificate_at_restart_saying_so(
    home, tmp_path
):
    directory = tmp_path / "pi"
    with home_vidserve(directory, home) as api:
        first = der_of(api.cafile)
        home.ip("addr", "add", f"{HOME_NEW_IPV4}/24", "dev", "home0")  # DHCP gave it another
        missing = api.get("/api/v1/health").json["certificate"]["missing_names"]
    with home_vidserve(directory, home) as api:
        second = der_of(api.cafile)
        health = api.get("/api/v1/health").json
        remade = api.log_text()
    with home_vidserve(directory, home) as api:
        third = der_of(api.cafile)

    assert missing == [HOME_NEW_IPV4]
    assert first != second == third  # made again once, then kept
    assert f"the certificate lacks {HOME_NEW_IPV4}: made a new one" in remade
    assert f"SHA-256 {vidserve.fingerprint(api.cafile)}; install it again" in remade
    assert HOME_NEW_IPV4 in health["certificate"]["names"]
    assert health["certificate"]["missing_names"] == []


# ---- 17. Health and metrics: health, /metrics, the OpenAPI document --------------------------


def test_health_needs_no_token_and_reports_queue_and_versions(vidserve_api):
    answer = vidserve_api.get("/api/v1/health", token=False)

    assert answer.status == 200
    body = answer.json
    assert body["status"] == "healthy"
    assert body["database"]["connected"] is True
    assert body["database"]["total_downloads"] >= 0
    assert set(body["queue"]) == {"pending", "downloading"}
    assert re.fullmatch(r"\d{4}\.\d\d\.\d\d.*", body["yt_dlp_version"])
    assert body["version"] == vidserve.__version__
    assert body["disk_free_bytes"] > 0
    assert TIMESTAMP.fullmatch(body["timestamp"])


def test_self_signed_certificate_shows_in_health_and_metrics_without_hsts(vidserve_api):
    health = vidserve_api.get("/api/v1/health")
    metrics = vidserve_api.get("/metrics").body.decode()

    certificate = health.json["certificate"]
    assert certificate["source"] == "self-signed"
    assert "127.0.0.1" in certificate["names"]
    assert 823 <= certificate["days_left"] < 825 and certificate["expires_soon"] is False
    assert "Strict-Transport-Security" not in health.headers
    expiry = int(re.search(r"\nvidserve_certificate_expiry_timestamp_seconds (\d+)\n", metrics)[1])
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry)) == certificate["not_after"]


def test_metrics_need_the_token_and_speak_prometheus_text(vidserve_api, finished):
    refused = vidserve_api.get("/metrics", token=False)
    answer = vidserve_api.get("/metrics")

    text = answer.body.decode()
    assert refused.status == 401
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert re.search(r'^vidserve_downloads\{status="completed"\} [1-9]\d*$', text, re.MULTILINE)
    assert re.search(r"^vidserve_queue_depth \d+$", text, re.MULTILINE)
    assert re.search(r"^vidserve_workers_busy \d+$", text, re.MULTILINE)
    assert re.search(
        r'^vidserve_requests_total\{route="/api/v1/download",method="POST",'
        r'status="201"\} [1-9]\d*$',
        text,
        re.MULTILINE,
    )
    assert re.search(r"^vidserve_download_bytes_total [1-9]\d*$", text, re.MULTILINE)
    assert re.search(r"^vidserve_stored_files [1-9]\d*$", text, re.MULTILINE)
    assert "# TYPE vidserve_requests_total counter" in text


def test_health_tells_the_age_of_yt_dlp(vidserve_api):
    body = vidserve_api.get("/api/v1/health", token=False).json

    assert isinstance(body["yt_dlp_age_days"], int) and body["yt_dlp_age_days"] >= 0
    assert body["yt_dlp_outdated"] is (body["yt_dlp_age_days"] > 30)


def test_metrics_count_downloads_by_person(household):
    metrics = household.owner.get("/metrics").body.decode()

    for who in ("owner", "alice", "bob"):
        assert re.search(
            rf'^vidserve_user_downloads{{user="{who}",status="completed"}} [1-9]',
            metrics,
            re.MULTILINE,
        )


SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which(
    "schemathesis"
)


def test_openapi_document_describes_every_route_in_the_table(vidserve_api):
    document = vidserve_api.get("/api/v1/openapi.json").json

    assert document["openapi"].startswith("3.1")
    for route in vidserve.ROUTES:
        template = route.pattern
        assert template in document["paths"], template
        assert route.method.lower() in document["paths"][template], (route.method, template)
    url_schema = document["components"]["schemas"]["Submission"]["properties"]["url"]
    assert re.fullmatch(url_schema["pattern"].strip("^$"), "http://127.0.0.1/clip.mp4")
    assert not re.fullmatch(url_schema["pattern"].strip("^$"), "http://evil.example/")


def test_docs_api_md_lists_every_route_and_status_of_the_openapi_document(vidserve_api):
    document = vidserve_api.get("/api/v1/openapi.json").json
    reference = (HERE / "docs" / "API.md").read_text()
    sections = dict(
        re.findall(r"^### `([A-Z]+ \S+)`\n(.*?)(?=^### |\Z)", reference, re.MULTILINE | re.DOTALL)
    )

    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            section = sections.pop(f"{method.upper()} {path}", None)
            assert section is not None, f"docs/API.md has no section for {method} {path}"
            for status in operation["responses"]:
                assert f"\n| {status} |" in section, f"{method} {path}: status {status}"
    assert not sections, f"docs/API.md describes routes vidserve does not have: {list(sections)}"
    assert "](docs/API.md)" in (HERE / "README.md").read_text()
    assert "../shared" not in (HERE / "README.md").read_text()


@pytest.mark.skipif(SCHEMATHESIS is None, reason="schemathesis is not installed (.ci/run does)")
def test_schemathesis_finds_no_server_error_undocumented_status_or_schema_violation(tmp_path):
    settings = {"max_retries": 0, "auth_failures_allowed": 0}  # fuzzed jobs end quickly
    with start_vidserve(tmp_path / "server", **settings) as api:
        result = run_command(
            [
                SCHEMATHESIS,
                "run",
                f"{api.base_url}/api/v1/openapi.json",
                "--tls-verify",
                str(api.cafile),
                "-H",
                f"Authorization: Bearer {api.token}",
                "--checks",
                "all",
                "--exclude-path",
                "/api/v1/events",  # endless by design
                "--exclude-path",
                "/api/v1/follows",  # takes TikTok accounts only; this server allows loopback
                "--exclude-method",
                "PUT",  # cookies.txt's format is more than a schema can say; tested above
                "--max-examples",
                "25",
                "--request-timeout",
                "20",
                "--seed",
                "7",
                "--no-color",
            ],
            cwd=tmp_path,  # schemathesis keeps a cache where it runs: not in the checkout
            timeout_s=240,
        )
        server_errors = api.log_text().count("status=500")

    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert " passed" in summary and "failure" not in summary.split("Test cases:")[-1]
    assert server_errors == 0


def test_health_answers_while_yt_dlp_is_still_loading(tmp_path):
    port = free_port()
    write_config(tmp_path / "vidserve.toml", TEST_SETTINGS | {"port": port})
    assert run_command([sys.executable, str(VIDSERVE), "init"], cwd=tmp_path).returncode == 0
    process = launch(tmp_path)
    log_path = tmp_path / "vidserve.log"
    data_dir = tmp_path / "vidserve-data"
    api = Api(f"https://127.0.0.1:{port}", data_dir / "cert.pem", "", data_dir, process)

    try:
        wait_until(lambda: "listening on" in log_path.read_text(), 20, "the port to open")
        status = api.get("/api/v1/health").status
        warm_then = "yt-dlp loaded and warmed" in log_path.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)

    assert status == 200
    assert not warm_then  # answered before the warm-up was done


def test_without_yt_dlp_health_is_503_submits_are_refused_saying_how_to_install_it(
    bare_python, tmp_path, media_server
):
    with start_vidserve(tmp_path / "bare", python=bare_python) as api:
        health = api.get("/api/v1/health")
        submitted = api.post("/api/v1/download", {"url": unique(media_server, "bare")})
        history = api.get("/api/v1/history").json
        text = api.log_text()

    assert health.status == 503
    assert health.json["status"] == "unhealthy" and health.json["yt_dlp_version"] is None
    assert "yt-dlp is not installed" in health.json["reason"]
    assert_error(submitted, 503, "yt_dlp_missing")
    assert "pip install -U 'yt-dlp[default,curl-cffi]'" in submitted.json["error"]["message"]
    assert history == []  # nothing queued to fail later
    assert "yt-dlp is not installed for" in text and "warmed up" not in text


# ---- 18. The page: GET /, /share, the manifest, /cert, the iOS Shortcut ----------------------


SHORTCUT_WAIT_S = 50  # README's recipe: each request stays under iOS's 60 s request timeout


SHORTCUT_REPEATS = 20  # ... and the Repeat gives a download 20 x 50 s in all


def screenshot(browser: "Chromium", path: Path, width: int, height: int) -> bytes:
    """A PNG of the page at this window size, kept in TEST_ARTIFACTS too, for people to see."""
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        browser.session,
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    shot = base64.b64decode(browser.call("Page.captureScreenshot", browser.session)["data"])
    path.write_bytes(shot)
    if artifacts := os.environ.get("TEST_ARTIFACTS"):
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        (Path(artifacts) / path.name).write_bytes(shot)
    return shot


ROWS = "document.querySelectorAll('#list li').length"


def test_page_is_served_without_token_with_a_strict_content_security_policy(vidserve_api):
    answer = vidserve_api.get("/", token=False)

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<script>" in answer.body and b"localStorage" in answer.body
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert b"http://" not in answer.body.replace(b"http://www.w3.org", b"")  # no CDN


def test_certificate_is_served_for_phones_to_install(vidserve_api):
    answer = vidserve_api.get("/cert", token=False)

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/x-x509-ca-cert"
    assert answer.body == ssl.PEM_cert_to_DER_cert(vidserve_api.cafile.read_text())


def test_readme_shortcut_waits_under_the_ios_request_timeout_with_these_numbers():
    readme = (HERE / "README.md").read_text()

    assert SHORTCUT_WAIT_S < 60
    assert f"?wait={SHORTCUT_WAIT_S}`" in readme
    assert f"**Repeat** `{SHORTCUT_REPEATS}` times" in readme
    assert "?wait=120" not in readme


def test_ios_shortcut_recipe_round_trip_returns_the_video_bytes(vidserve_api, media_server):
    """Exactly the requests README's Shortcut makes: submit, then wait in a Repeat while the
    status contains "ing" (pending, downloading), then fetch the file."""
    shortcut = {"Authorization": f"Bearer {vidserve_api.token}", "Content-Type": "application/json"}
    url = f"{media_server}/slow.mp4?seconds=1&size=300000&n={random.random()}"
    submitted = vidserve_api.request(
        "POST", "/api/v1/download", json.dumps({"url": url}).encode(), headers=shortcut, token=False
    )
    download_id = submitted.json["download_id"]

    status, answer = "pending", None
    for _ in range(SHORTCUT_REPEATS):
        if "ing" in status:
            answer = vidserve_api.request(
                "GET",
                f"/api/v1/status/{download_id}?wait={SHORTCUT_WAIT_S}",
                headers=shortcut,
                token=False,
            ).json
            status = answer["status"]
    video = vidserve_api.request("GET", answer["file_url"], headers=shortcut, token=False)

    assert submitted.status == 201
    assert status == "completed"
    assert video.status == 200 and len(video.body) == 300000
    assert video.headers["Content-Type"] == "video/mp4"


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs it)")
def test_page_in_a_real_browser_submits_shows_progress_and_fetches_the_file(
    vidserve_api, media_server, tmp_path
):
    browser = Chromium(CHROMIUM, tmp_path / "profile")
    try:
        browser.call("Page.navigate", browser.session, url=vidserve_api.base_url + "/")
        wait_until(
            lambda: browser.evaluate(
                "document.readyState === 'complete' && !document.getElementById('token-form').hidden"
            ),
            20,
            "the token form",
        )
        browser.evaluate(f"""
            document.getElementById('token').value = {json.dumps(vidserve_api.token)};
            document.getElementById('token-form').requestSubmit();""")
        wait_until(
            lambda: browser.evaluate("!document.getElementById('submit-form').hidden"),
            10,
            "the submit form",
        )
        url = f"{media_server}/slow.mp4?seconds=2&n={random.random()}"
        browser.evaluate(f"""
            document.getElementById('url').value = {json.dumps(url)};
            document.getElementById('submit-form').requestSubmit();""")

        row = (
            "[...document.querySelectorAll('#list li')]"
            f".find(row => row.textContent.includes({json.dumps(url)}))"
        )
        completed = wait_until(
            lambda: browser.evaluate(f"""(() => {{
                const row = {row};
                return row && row.querySelector('.status').dataset.status === 'completed'
                    && row.querySelector('progress').value === 100
                    && row.querySelector('.status').textContent; }})()"""),
            30,
            "the page to show the download at 100%",
        )
        size = browser.evaluate(f"""(async () => {{
            const response = await fetch('/api/v1/files/' + {row}.id.slice(4), {{ headers:
                {{ Authorization: 'Bearer ' + localStorage.getItem('vidserve-token') }} }});
            return (await response.arrayBuffer()).byteLength; }})()""")
        shot = base64.b64decode(browser.call("Page.captureScreenshot", browser.session)["data"])
        (tmp_path / "page.png").write_bytes(shot)
        token_form_shown = browser.evaluate(
            "getComputedStyle(document.getElementById('token-form')).display !== 'none'"
        )
        save_button = browser.evaluate(
            f"[...{row}.querySelectorAll('button')].map(b => b.textContent)"
        )
        if artifacts := os.environ.get("TEST_ARTIFACTS"):  # for CI, or a person, to look at
            Path(artifacts).mkdir(parents=True, exist_ok=True)
            (Path(artifacts) / "page.png").write_bytes(shot)
    finally:
        browser.close()

    assert "100%" in completed
    assert size == 1_000_000
    assert "Save video" in save_button
    assert token_form_shown is False
    assert shot.startswith(b"\x89PNG")


def test_page_shows_each_download_with_its_own_thumbnail_through_the_api(page, media_server):
    page.open()

    thumbnail_src = page.browser.evaluate(f"{page.row(page.video)}.querySelector('img').src")
    resources = page.browser.evaluate(
        "performance.getEntriesByType('resource').map((entry) => entry.name)"
    )

    assert thumbnail_src.startswith("blob:")  # its own copy, through the API with the token
    assert all(name.startswith(page.api.base_url) for name in resources), resources
    assert not any(name.startswith(media_server) for name in resources)


def test_page_row_says_the_size_in_kilobytes_and_when_it_was_saved(page):
    page.open()
    row = page.row(page.video)

    status_text = page.browser.evaluate(f"{row}.querySelector('.status').textContent")
    time_text = page.browser.evaluate(f"{row}.querySelector('time').textContent")

    assert status_text.endswith(f" {round(page.video['file_size'] / 1024)} KB")  # not "0.0 MB"
    assert time_text == "just now"


def test_page_plays_a_video_inline_from_a_signed_link_and_seeks(page):
    page.open()
    row = page.row(page.video)

    page.browser.evaluate(f"{row}.querySelector('button').click()")  # Play
    wait_until(
        lambda: page.browser.evaluate(f"{row}.querySelector('video')?.readyState >= 1"),
        20,
        "the video's metadata",
    )
    duration = page.browser.evaluate(f"{row}.querySelector('video').duration")
    expanded = page.browser.evaluate(f"{row}.querySelector('button').ariaExpanded")
    video_src = page.browser.evaluate(f"{row}.querySelector('video').src")
    page.browser.evaluate(f"""new Promise((resolve) => {{
        const player = {row}.querySelector('video');
        player.addEventListener('seeked', resolve, {{ once: true }});
        player.currentTime = 1.5; }})""")
    seeked_to = page.browser.evaluate(f"{row}.querySelector('video').currentTime")

    assert abs(duration - 2.0) < 0.2 and expanded == "true"  # screen readers hear it opened
    assert "sig=" in video_src and page.api.token not in video_src
    assert abs(seeked_to - 1.5) < 0.1


def test_page_shows_a_picture_in_place_instead_of_playing_it(page):
    page.open()
    row = page.row(page.picture)

    label = page.browser.evaluate(f"{row}.querySelector('button').textContent")
    page.browser.evaluate(f"{row}.querySelector('button').click()")  # Show
    wait_until(
        lambda: page.browser.evaluate(f"{row}.querySelector('.player img')?.naturalWidth > 0"),
        20,
        "the picture shown in place",
    )
    phone = screenshot(page.browser, page.directory / "page-phone.png", 420, 900)
    desktop = screenshot(page.browser, page.directory / "page-desktop.png", 1280, 900)

    assert label == "Show"
    assert phone.startswith(b"\x89PNG") and desktop.startswith(b"\x89PNG")


def test_page_loads_older_downloads_and_moves_focus_to_the_first_of_them(page):
    page.open()
    first_page = page.browser.evaluate(ROWS)
    more_shown = page.browser.evaluate("!document.getElementById('more').hidden")

    page.browser.evaluate("document.getElementById('more').click()")
    wait_until(lambda: page.browser.evaluate(ROWS) == 32, 10, "the older downloads")
    focused = page.browser.evaluate(
        "document.activeElement.closest('li') === document.querySelectorAll('#list li')[20]"
    )
    more_after = page.browser.evaluate("!document.getElementById('more').hidden")

    assert first_page == 20 and more_shown
    assert focused and not more_after  # keyboard focus moves to the first older download


def test_page_search_finds_a_download_by_title_words_in_any_case(page):
    page.open()

    page.browser.evaluate("""document.getElementById('search').value = 'ZEBRA cross';
        document.getElementById('search-form').requestSubmit();""")
    wait_until(lambda: page.browser.evaluate(ROWS) == 1, 10, "the search result")
    found = page.browser.evaluate("document.querySelector('#list li').id")
    count_text = page.browser.evaluate("document.getElementById('count').textContent")
    screenshot(page.browser, page.directory / "page-search.png", 420, 900)

    assert found == f"job-{page.video['download_id']}" and count_text.startswith("1 found")


def test_page_gives_every_visible_control_a_name(page):
    page.open()

    unnamed = page.browser.evaluate("""[...document.querySelectorAll('button, input')]
        .filter((node) => !node.hidden && node.offsetParent !== null)
        .filter((node) => !(node.getAttribute('aria-label') || node.textContent.trim()
                            || node.labels?.length)).length""")

    assert unnamed == 0


def test_web_app_manifest_offers_a_share_target_and_an_icon(vidserve_api):
    manifest = vidserve_api.get("/manifest.webmanifest", token=False)
    icon = vidserve_api.get("/icon.svg", token=False)
    share = vidserve_api.get("/share?text=look+https://x.example/v", token=False)

    assert manifest.headers["Content-Type"] == "application/manifest+json"
    target = manifest.json["share_target"]
    assert target["action"] == "/share" and target["params"]["url"] == "url"
    assert icon.headers["Content-Type"] == "image/svg+xml" and icon.body.startswith(b"<svg")
    assert share.status == 200 and b'rel="manifest"' in share.body


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs it)")
def test_shared_link_opens_the_page_which_submits_it(vidserve_api, media_server, tmp_path):
    url = unique(media_server, "shared")
    browser = Chromium(CHROMIUM, tmp_path / "profile")
    try:
        browser.call("Page.navigate", browser.session, url=vidserve_api.base_url + "/")
        wait_until(lambda: browser.evaluate("document.readyState === 'complete'"), 20, "the page")
        browser.evaluate(
            f"localStorage.setItem('vidserve-token', {json.dumps(vidserve_api.token)})"
        )
        manifest = browser.call("Page.getAppManifest", browser.session)
        shared = f"{vidserve_api.base_url}/share?text=" + urllib.parse.quote(f"Look! {url}")
        browser.call("Page.navigate", browser.session, url=shared)

        def submitted():
            history = vidserve_api.get("/api/v1/history?client_id=web&limit=100").json
            return [item for item in history if item["url"] == url]

        found = wait_until(submitted, 20, "the shared link to be submitted")
        bookmarklet = browser.evaluate("document.getElementById('bookmarklet').href")
    finally:
        browser.close()

    assert manifest["errors"] == []
    assert json.loads(manifest["data"])["share_target"]["action"] == "/share"
    assert found[0]["client_id"] == "web"
    assert bookmarklet.startswith("javascript:location.href=")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs it)")
def test_page_with_a_persons_token_lists_only_their_downloads(household, tmp_path):
    browser = Chromium(CHROMIUM, tmp_path / "profile")
    try:
        browser.call("Page.navigate", browser.session, url=household.alice.base_url + "/")
        wait_until(lambda: browser.evaluate("document.readyState === 'complete'"), 20, "the page")
        browser.evaluate(
            f"localStorage.setItem('vidserve-token', {json.dumps(household.alice.token)})"
        )
        browser.call("Page.reload", browser.session)
        theirs = household.alice.get("/api/v1/history?limit=50").json
        rows = wait_until(
            lambda: (
                (
                    shown := browser.evaluate(
                        "[...document.querySelectorAll('#list li')].map(r => r.id)"
                    )
                )
                and len(shown) >= len(theirs)
                and shown
            ),
            20,
            "the page to list alice's downloads",
        )
        meta = browser.evaluate("document.querySelector('#list li .meta').textContent")
    finally:
        browser.close()

    assert {row.removeprefix("job-") for row in rows} == {item["download_id"] for item in theirs}
    assert f"job-{household.downloads['bob']['download_id']}" not in rows
    assert meta.startswith("alice · ")


@pytest.mark.parametrize("opened_by", ["cross-site", "same-site", None])
def test_share_opened_from_another_site_or_without_fetch_metadata_waits_for_a_tap(
    vidserve_api, media_server, opened_by
):
    shared = urllib.parse.quote(unique(media_server, "cross-site"))
    headers = {"Sec-Fetch-Site": opened_by} if opened_by else {}  # None: an older browser

    answer = vidserve_api.get(f"/share?url={shared}", token=False, headers=headers)

    assert answer.status == 200
    assert b'<body data-from="cross-site">' in answer.body
    assert "Sec-Fetch-Site" in answer.headers["Vary"]


@pytest.mark.parametrize("opened_by", ["none", "same-origin"])
def test_share_opened_by_the_share_sheet_or_the_page_submits_at_once(
    vidserve_api, media_server, opened_by
):
    shared = urllib.parse.quote(unique(media_server, "share-sheet"))

    answer = vidserve_api.get(
        f"/share?url={shared}", token=False, headers={"Sec-Fetch-Site": opened_by}
    )

    assert answer.status == 200
    assert b"<body>" in answer.body and b"data-from" not in answer.body.split(b"<script>")[0]


def test_page_lists_follows_with_last_check_and_error_in_words_and_pauses_one(page):
    database = vidserve.Database(page.api.data_dir / "vidserve.db")  # as `vidserve.py follow`
    try:
        follows = vidserve.Follows(database, vidserve.Jobs(database))
        values = {"user": "owner", "url": "https://www.tiktok.com/@pi.page", "site": "tiktok"}
        added, _ = follows.add(
            values | {"account": "pi.page", "every_h": 6, "audio_only": False, "first": 0}
        )
        follows.record_failure(added.id, "blocked", "the site refused this server", 3600)
    finally:
        database.close()
    page.open()
    page.browser.evaluate("document.getElementById('follows-section').open = true")
    rows = "document.querySelectorAll('#follows li')"
    wait_until(lambda: page.browser.evaluate(f"{rows}.length") == 1, 10, "the follow's row")

    text = page.browser.evaluate(f"{rows}[0].textContent")
    page.browser.evaluate(f"{rows}[0].querySelector('button').click()")  # Pause
    wait_until(lambda: page.api.get(f"/api/v1/follows/{added.id}").json["paused"], 10, "the pause")
    screenshot(page.browser, page.directory / "page-follows.png", 420, 900)

    assert "@pi.page" in text and "checked" in text and "the site refused this server" in text


def test_page_settings_set_where_my_notifications_go_and_show_the_owner_alerts(page):
    page.open()
    js = "document.getElementById"
    page.browser.evaluate(f"{js}('settings').open = true")
    wait_until(lambda: page.browser.evaluate(f"{js}('notify-now').textContent"), 10, "settings")
    before = page.browser.evaluate(f"{js}('notify-now').textContent")
    page.browser.evaluate(
        f"{js}('notify-url').value = 'https://ntfy.sh/page-topic';"
        f" {js}('notify-form').requestSubmit()"
    )
    saved = wait_until(
        lambda: page.api.get("/api/v1/me/notify").json["url"] == "https://ntfy.sh/page-topic",
        10,
        "the target saved",
    )
    alerts_shown = not page.browser.evaluate(f"{js}('alerts-section').hidden")
    page.api.delete("/api/v1/me/notify")

    assert before == "Your notifications go nowhere yet."
    assert saved and alerts_shown  # the owner's token: the alerts are the owner's to see


def test_page_opened_by_its_login_link_keeps_the_token_and_says_yt_dlp_is_missing(
    bare_python, tmp_path
):
    if CHROMIUM is None:
        pytest.skip("needs Chromium (.ci/run)")
    browser = Chromium(CHROMIUM, tmp_path / "profile")
    try:
        with start_vidserve(tmp_path / "bare", python=bare_python) as api:
            vidserve.fill_history(api.data_dir / "vidserve.db", 1)  # one earlier download
            login = f"{api.base_url}/#token={api.token}"
            browser.call("Page.navigate", browser.session, url=login)
            warning = "document.getElementById('ytdlp-warning')"
            warned = f"Boolean({warning}) && !{warning}.hidden"  # the page loaded, then warned
            wait_until(lambda: browser.evaluate(warned), 20, "the warning")
            shown = browser.evaluate(f"{warning}.textContent")
            count = "document.getElementById('count').textContent"
            counted = wait_until(lambda: browser.evaluate(count), 20, "the count")
            kept = browser.evaluate("localStorage.getItem('vidserve-token')")
            address = browser.evaluate("location.href")
            form_shown = browser.evaluate("!document.getElementById('submit-form').hidden")
            card = browser.evaluate("describe({status: 'failed', retry_count: 3})")
    finally:
        browser.close()

    assert "yt-dlp is not installed" in shown and "pip install" in shown
    assert kept == api.token and form_shown
    assert address == api.base_url + "/"  # the token is not left in the address or history
    assert card == "failed · tried 4 times"  # as its message says: "(tried 4 times)"
    assert counted == "1 download"


# ---- 19. Serving: hostile clients, bounded listeners, TLS, an idle server --------------------


def test_keep_alive_serves_several_requests_on_one_connection(vidserve_api):
    connection = vidserve_api.connection()

    answers = [vidserve_api.get("/api/v1/health", connection=connection) for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    assert connection.sock is not None  # still open: the server did not close it
    connection.close()


def tls_socket(api: Api) -> ssl.SSLSocket:
    host, port = urllib.parse.urlsplit(api.base_url).netloc.split(":")
    raw = socket.create_connection((host, int(port)), timeout=10)
    return ssl.create_default_context(cafile=str(api.cafile)).wrap_socket(raw, server_hostname=host)


def read_reply(sock) -> bytes:
    """Everything the server sends until it closes the connection (or 10 s pass)."""
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


RAW_REQUESTS = [
    (
        "content-length-and-chunked",
        (
            b"POST /api/v1/download HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        400,
    ),
    (
        "chunked-only",
        b"POST /api/v1/download HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    (
        "duplicate-content-length",
        (
            b"POST /api/v1/download HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 20\r\n"
            b"Content-Type: application/json\r\n\r\n{}"
        ),
        400,
    ),
    (
        "negative-content-length",
        b"POST /api/v1/download HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        400,
    ),
    (
        "hex-content-length",
        b"POST /api/v1/download HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
        400,
    ),
    ("http-0.9", b"GET /api/v1/health\r\n", 400),
    ("http-2.0-line", b"GET /api/v1/health HTTP/2.0\r\n\r\n", 505),
    ("garbage-line", b"\x00\x01\x02 nonsense\r\n\r\n", 400),
    ("lone-lf-and-nul", b"GET /api/v1/he\x00alth HTTP/1.1\nHost: x\n\n", 404),
    (
        "crlf-in-header-value",
        b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\rb\r\n\r\n",
        200,
    ),
    ("absolute-uri-to-elsewhere", b"GET http://169.254.169.254/ HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    ("unknown-method", b"BREW /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 405),
]


def test_200_slowloris_connections_do_not_lock_out_a_real_client(own_vidserve, media_server):
    host, port = urllib.parse.urlsplit(own_vidserve.base_url).netloc.split(":")
    attackers = []
    for number in range(200):
        sock = socket.create_connection((host, int(port)), timeout=10)
        if number % 2:
            sock.sendall(b"\x16\x03\x01")  # the start of a TLS handshake, never finished
        attackers.append(sock)

    created = own_vidserve.post("/api/v1/download", {"url": unique(media_server)})
    status = own_vidserve.wait_for(created.json["download_id"])
    for sock in attackers:
        sock.close()

    assert created.status == 201
    assert status["status"] == "completed"


PUBLIC_PATHS = ["/api/v1/health", "/", "/share?url=x", "/cert", "/icon.svg", "/manifest.webmanifest"]


def body_holders(api: Api, path: str, count: int) -> list[ssl.SSLSocket]:
    """Strangers' connections that announce a body on `path` and never send it."""
    holders = []
    for _ in range(count):
        sock = tls_socket(api)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n".encode())
        holders.append(sock)
    time.sleep(0.5)  # every request line and header read by the server
    return holders


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_64_strangers_announcing_a_body_to_a_public_route_never_keep_the_owner_out(
    own_vidserve, path
):
    holders = body_holders(own_vidserve, path, 64)  # max_connections: 64

    started = time.monotonic()
    answer = own_vidserve.get("/api/v1/history?limit=1")
    waited_s = time.monotonic() - started
    replies = [read_reply(sock) for sock in holders]  # each closed by the server

    assert answer.status == 200
    assert waited_s < 2
    assert all(reply.startswith((b"HTTP/1.1 200 ", b"HTTP/1.1 413 ")) for reply in replies)
    assert all(b"\r\nConnection: close\r\n" in reply for reply in replies)


def test_headers_trickled_byte_by_byte_are_cut_off_after_the_request_timeout(tmp_path):
    with start_vidserve(tmp_path, request_timeout_s=1) as api:
        sock = tls_socket(api)
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\n")
        started = time.monotonic()

        def cut_off():
            try:
                sock.sendall(b"X")
                sock.settimeout(0.2)
                return sock.recv(100) == b""
            except TimeoutError:
                return False
            except OSError:
                return True

        wait_until(cut_off, 10, "the trickling connection to be closed")
        healthy = api.get("/api/v1/health").status

    assert time.monotonic() - started < 10
    assert healthy == 200


def test_idle_keep_alive_connection_is_closed_after_the_request_timeout(tmp_path):
    with start_vidserve(tmp_path, request_timeout_s=1) as api:
        connection = api.connection()
        first = api.get("/api/v1/health", connection=connection)
        sock = connection.sock
        sock.settimeout(10)

        closed = sock.recv(100)

    assert first.status == 200
    assert closed == b""


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Big": "a" * 40000},
        {f"X-H{i}": "v" for i in range(120)},
    ],
    ids=["one-huge-header", "too-many-headers"],
)
def test_oversized_headers_get_431(vidserve_api, headers):
    answer = vidserve_api.get("/api/v1/health", headers=headers)

    assert_error(answer, 431)
    assert vidserve_api.get("/api/v1/health").status == 200


@pytest.mark.parametrize(
    "raw, status", [case[1:] for case in RAW_REQUESTS], ids=[case[0] for case in RAW_REQUESTS]
)
def test_malformed_and_smuggling_requests_get_a_4xx_and_the_server_stays_up(
    vidserve_api, raw, status
):
    sock = tls_socket(vidserve_api)
    raw = re.sub(rb"Host: x(\r?\n)", rb"Host: x\1Connection: close\1", raw, count=1)
    if status != 200:
        raw = raw.replace(
            b"Host: x\r\n",
            b"Host: x\r\nAuthorization: Bearer " + vidserve_api.token.encode() + b"\r\n",
            1,
        )
    sock.sendall(raw)

    reply = read_reply(sock)
    sock.close()

    assert reply.startswith(b"HTTP/1."), reply[:200]
    assert int(reply.split(b" ")[1]) == status, reply[:300]
    if status >= 400:
        assert b'"success": false' in reply
        assert b"<html" not in reply.lower()
    assert vidserve_api.get("/api/v1/health").status == 200


def test_body_shorter_than_its_length_times_out_with_400(tmp_path):
    with start_vidserve(tmp_path, request_timeout_s=1) as api:
        sock = tls_socket(api)
        sock.sendall(
            b"POST /api/v1/download HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + api.token.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{}"
        )
        reply = read_reply(sock)
        healthy = api.get("/api/v1/health").status

    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b'"body_timeout"' in reply
    assert healthy == 200


def test_garbage_instead_of_a_tls_handshake_is_dropped_and_the_server_stays_up(vidserve_api):
    host, port = urllib.parse.urlsplit(vidserve_api.base_url).netloc.split(":")
    for garbage in (b"\x16\x03\x01\x00\x05hello", b"\x16" + os.urandom(3000), b"\x00" * 100):
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(garbage)
            read_reply(sock)

    assert vidserve_api.get("/api/v1/health").status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/status/../../vidserve.db",
        "/api/v1/files/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/files/%2e%2e/%2e%2e/token",
        "/api/v1/status/" + "a" * 5000,
        "/api/v1/files/0b6f1a52-8d4a-4f7e-9a41-3f0c2d1e5b6a/../../token",
        "/api/v1/history?limit=10&limit=" + "9" * 30,
        "/api/v1/history?" + "&".join(["a=1"] * 50),
        "/%00",
        "/api/v1/download/0b6f1a52-8d4a-4f7e-9a41-3f0c2d1e5b6a/retry/../../..",
    ],
    ids=[
        "dotdot-status",
        "encoded-dotdot-file",
        "dot-segments",
        "long-id",
        "dotdot-after-index",
        "huge-number",
        "many-params",
        "nul",
        "dotdot-retry",
    ],
)
def test_hostile_path_or_query_gets_a_4xx_and_reveals_nothing(vidserve_api, path):
    answer = vidserve_api.get(path)

    assert 400 <= answer.status < 500, answer.body
    assert vidserve_api.token.encode() not in answer.body
    assert b"SQLite" not in answer.body and b"Traceback" not in answer.body


def test_plain_http_to_the_tls_port_is_refused_cleanly(vidserve_api):
    host, port = urllib.parse.urlsplit(vidserve_api.base_url).netloc.split(":")

    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = sock.makefile("rb").read()

    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b'"https_required"' in reply
    assert vidserve_api.get("/api/v1/health").status == 200


@pytest.fixture
def plain_listener(tmp_path, media_server):
    """vidserve with http_port on, bounded by max_connections = 16."""
    port = free_port()
    with start_vidserve(tmp_path, http_port=port, max_connections=16) as api:
        yield api, port


def thread_count(process: subprocess.Popen) -> int:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)", status, re.MULTILINE)[1])


def test_trickling_http_port_flood_leaves_downloads_submits_and_plain_http_working(
    plain_listener, media_server
):
    api, port = plain_listener
    before = thread_count(api.process)
    flood = trickling(("127.0.0.1", port), 150, b"G")
    try:
        download_id = api.submit(unique(media_server, "flooded"))
        status = api.wait_for(download_id)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: pi.test\r\n\r\n")
            plain = sock.makefile("rb").readline()
        threads = thread_count(api.process)
    finally:
        for sock in flood:
            sock.close()

    assert status["status"] == "completed"
    assert plain.startswith(b"HTTP/1.1 308 ")
    assert threads <= before + 16 + 4, "the flood held more threads than max_connections"


def context_switches(pid: int) -> int:
    """Every thread's context switches so far: each is a wake-up of the process."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def cpu_ticks(pid: int) -> int:
    return sum(map(int, Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]))


def settled(pid: int) -> bool:
    """Whether the process used no CPU for half a second (start-up is over)."""
    before = cpu_ticks(pid)
    time.sleep(0.5)
    return cpu_ticks(pid) == before


def test_an_idle_server_wakes_at_most_once_a_second(tmp_path):
    idle_window_s = 5.0
    workers = 2
    with start_vidserve(tmp_path, workers=workers) as api:
        api.get("/api/v1/health")  # a connection came and went: the reaper had work once
        # Workers warm up at nice 19: on a busy machine a starved one can go half a second
        # without a CPU tick, so their warm-ups are waited for by name.
        warm_ups = re.compile(r"worker-\d+ warmed up in")
        wait_until(lambda: len(warm_ups.findall(api.log_text())) == workers, 120, "warm-ups")
        wait_until(lambda: settled(api.process.pid), 30, "the server to settle")
        before = context_switches(api.process.pid)
        time.sleep(idle_window_s)  # the window measured, not a wait for something to happen
        switches = context_switches(api.process.pid) - before

    assert switches <= idle_window_s


# ---- 20. Selftest and bench ------------------------------------------------------------------


def test_selftest_passes_on_this_machine_without_the_internet(tmp_path):
    result = run_command(
        [sys.executable, str(VIDSERVE), "--selftest"],
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout and "bytes match" in result.stdout
    assert "fail " not in result.stdout


def test_selftest_fails_with_exit_1_when_yt_dlp_cannot_download(tmp_path):
    broken = tmp_path / "yt_dlp"  # a yt_dlp package that shadows the real one and fails
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('broken on purpose')\n")

    result = run_command(
        [sys.executable, str(VIDSERVE), "--selftest"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )

    assert result.returncode == 1
    assert "FAIL" in result.stdout


# ---- 21. Command line: systemd, install.sh, first start, stopping ----------------------------


class NotifySocket:
    """A stand-in for systemd's $NOTIFY_SOCKET: collects sd_notify datagrams."""

    def __init__(self, path: Path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.1)
        self.messages = []

    def received(self) -> list[str]:
        with contextlib.suppress(TimeoutError):
            while True:
                self.messages.append(self.sock.recv(4096).decode())
        return self.messages


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def exposure(unit: Path) -> float:
    result = run_command(
        [SYSTEMD_ANALYZE, "security", "--offline=true", str(unit)],
    )
    return float(re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """install.sh run once into a temporary root, as the tests of install.sh see it."""
    root = tmp_path_factory.mktemp("root")
    result = run_command(
        ["sh", str(HERE / "install.sh"), "--root", str(root), "--no-start"],
        timeout_s=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


def run_install(root: Path, *options: str) -> subprocess.CompletedProcess:
    return run_command(
        ["sh", str(HERE / "install.sh"), "--root", str(root), "--no-start", *options],
        timeout_s=300,
    )


def test_systemd_hears_ready_watchdog_and_stopping(tmp_path):
    notify = NotifySocket(tmp_path / "notify.sock")
    env = {"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "200000"}
    with start_vidserve(tmp_path / "server", env=env) as api:
        wait_until(lambda: "READY=1" in notify.received(), 10, "READY=1")
        wait_until(lambda: notify.received().count("WATCHDOG=1") >= 3, 10, "watchdog pings")
        stop_process(api)

    assert "STOPPING=1" in notify.received()
    assert notify.messages.index("READY=1") < notify.messages.index("STOPPING=1")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="no systemd-analyze here")
def test_systemd_unit_is_rated_ok_by_systemd_analyze_security(tmp_path):
    assert exposure(HERE / "vidserve.service") <= 3.0


def test_install_sh_lays_out_program_venv_config_data_and_units(installed):
    root, output = installed

    token = (root / "var/lib/vidserve/token").read_text().strip()
    assert (root / "opt/vidserve/vidserve.py").read_bytes() == VIDSERVE.read_bytes()
    assert (root / "var/lib/vidserve/token").stat().st_mode & 0o777 == 0o600
    assert token in output and "SHA-256" in output
    config = vidserve.load_config({}, {}, str(root / "etc/vidserve/vidserve.toml"))
    assert config.data_dir == "/var/lib/vidserve"
    assert (root / "etc/vidserve/vidserve.toml").stat().st_mode & 0o777 == 0o640
    unit = (root / "etc/systemd/system/vidserve.service").read_text()
    assert "ExecStart=/opt/vidserve/venv/bin/python -m vidserve --config" in unit
    assert "Environment=PYTHONPATH=/opt/vidserve" in unit
    assert list((root / "opt/vidserve/__pycache__").glob("vidserve.*.pyc"))
    assert not (root / "etc/systemd/system/vidserve-ytdlp-update.timer").exists()  # vidserve's own


def test_installed_copy_passes_its_selftest_from_its_own_venv(installed, tmp_path):
    root, _ = installed
    python = root / "opt/vidserve/venv/bin/python"

    result = run_command(
        [str(python), str(root / "opt/vidserve/vidserve.py"), "--selftest"],
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="no systemd-analyze here")
def test_installed_unit_is_rated_ok_by_systemd_analyze_security(installed):
    root, _ = installed

    assert exposure(root / "etc/systemd/system/vidserve.service") <= 3.0


def test_install_sh_run_again_keeps_an_edited_configuration(installed):
    root, _ = installed
    config = root / "etc/vidserve/vidserve.toml"
    config.write_text(config.read_text().replace("workers = 2", "workers = 1"))
    token = (root / "var/lib/vidserve/token").read_text()

    result = run_install(root)

    assert result.returncode == 0, result.stderr
    assert "workers = 1" in config.read_text()
    assert (root / "var/lib/vidserve/token").read_text() == token


def test_install_sh_dry_run_changes_nothing(tmp_path):
    result = run_install(tmp_path / "root", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "+ install -m 0755" in result.stdout
    assert f"Open https://{socket.gethostname()}:8443/ " in result.stdout  # not "https://vm:/"
    assert not (tmp_path / "root").exists()


def test_install_sh_for_a_low_port_grants_only_net_bind_service(tmp_path):
    root = tmp_path / "root"
    (root / "etc/vidserve").mkdir(parents=True)
    (root / "etc/vidserve/vidserve.toml").write_text('port = 443\ndata_dir = "/var/lib/vidserve"\n')
    (root / "opt/vidserve/venv/bin").mkdir(parents=True)
    (root / "opt/vidserve/venv/bin/python").symlink_to(sys.executable)

    result = run_install(root, "--offline")

    unit = (root / "etc/systemd/system/vidserve.service").read_text()
    assert result.returncode == 0, result.stderr
    assert "AmbientCapabilities=CAP_NET_BIND_SERVICE" in unit
    assert "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" in unit
    assert not re.search(r"^PrivateUsers=", unit, re.MULTILINE)


def test_install_sh_uninstall_keeps_data_and_purge_removes_it(tmp_path):
    root = tmp_path / "root"
    (root / "opt/vidserve/venv/bin").mkdir(parents=True)
    (root / "opt/vidserve/venv/bin/python").symlink_to(sys.executable)
    assert run_install(root, "--offline").returncode == 0

    kept = run_install(root, "--uninstall")
    state_after_uninstall = [
        (root / p).exists()
        for p in (
            "opt/vidserve",
            "etc/vidserve/vidserve.toml",
            "var/lib/vidserve/token",
            "etc/systemd/system/vidserve.service",
        )
    ]
    purged = run_install(root, "--uninstall", "--purge")

    assert kept.returncode == 0 and purged.returncode == 0
    assert state_after_uninstall == [False, True, True, False]
    assert not (root / "etc/vidserve").exists() and not (root / "var/lib/vidserve").exists()


def test_backup_taken_during_a_download_restores_and_opens(tmp_path, media_server):
    import sqlite3

    with start_vidserve(tmp_path) as api:
        done = api.wait_for(api.submit(unique(media_server)))
        running = api.submit(f"{media_server}/slow.mp4?seconds=4&n={random.random()}")
        wait_until(
            lambda: api.get(f"/api/v1/status/{running}").json["status"] == "downloading",
            20,
            "the download to start",
        )

        result = run_command(
            [
                sys.executable,
                str(VIDSERVE),
                "backup",
                str(tmp_path / "copy.db"),
                "--config",
                "vidserve.toml",
            ],
            cwd=tmp_path,
        )
        still_running = api.get(f"/api/v1/status/{running}").json["status"]

    copy = sqlite3.connect(tmp_path / "copy.db")
    rows = dict(copy.execute("SELECT id, status FROM jobs").fetchall())
    assert result.returncode == 0, result.stderr
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert rows[done["download_id"]] == "completed" and running in rows
    assert still_running == "downloading"
    copy.close()


def test_server_with_bad_configuration_exits_2_before_listening(tmp_path):
    write_config(tmp_path / "vidserve.toml", {"port": 0, "wokers": 2})

    result = run_command(
        [sys.executable, str(VIDSERVE), "--config", "vidserve.toml"],
        cwd=tmp_path,
        timeout_s=30,
    )

    assert result.returncode == 2
    assert "wokers" in result.stderr
    assert not (tmp_path / "vidserve-data").exists()


def test_flag_overrides_environment_in_the_real_process(tmp_path):
    directory = tmp_path / "server"
    directory.mkdir()
    write_config(directory / "vidserve.toml", TEST_SETTINGS | {"tls": True})

    api = start_process(directory, env={"VIDSERVE_TLS": "true"}, args=["--tls", "false"])
    try:
        assert api.base_url.startswith("http://")
        assert api.get("/api/v1/health").status == 200
    finally:
        stop_process(api)


def test_first_start_creates_token_certificate_and_prints_next_steps(tmp_path):
    with start_vidserve(tmp_path) as api:
        token_file = api.data_dir / "token"
        banner = api.log_text()
        fingerprint = vidserve.fingerprint(api.cafile)

    assert token_file.stat().st_mode & 0o777 == 0o600
    assert len(api.token) >= 43  # 32 random bytes, URL-safe
    assert re.fullmatch(r"[A-Za-z0-9_-]+", api.token)
    assert api.token in banner
    assert fingerprint in banner
    assert "curl --cacert" in banner and "/api/v1/download" in banner
    cert_text = run_command(
        ["openssl", "x509", "-noout", "-text", "-in", str(api.cafile)],
        check=True,
    ).stdout
    assert "prime256v1" in cert_text and "IP Address:127.0.0.1" in cert_text


def test_token_command_prints_the_token(own_vidserve):
    result = run_command(
        [sys.executable, str(VIDSERVE), "token", "--config", "vidserve.toml"],
        cwd=own_vidserve.data_dir.parent,
        timeout_s=30,
        check=True,
    )

    assert result.returncode == 0
    assert result.stdout.strip() == own_vidserve.token


def test_sigterm_stops_within_10_s_and_the_download_resumes_on_start(tmp_path, media_server):
    url = f"{media_server}/slow.mp4?seconds=6&n={random.random()}"
    with start_vidserve(tmp_path) as api:
        download_id = api.submit(url)
        wait_until(
            lambda: api.get(f"/api/v1/status/{download_id}").json["status"] == "downloading",
            20,
            "the download to start",
        )

        started = time.monotonic()
        code = stop_process(api)
        stopped_in = time.monotonic() - started
        restarted = start_process(tmp_path)
        try:
            status = restarted.wait_for(download_id)
        finally:
            stop_process(restarted)

    assert code == 0
    assert stopped_in < 10
    assert status["status"] == "completed"
    assert status["retry_count"] == 0


def test_sigterm_right_after_start_is_never_lost(tmp_path):
    """A signal can reach any thread; the main thread must still wake and stop at once."""
    with start_vidserve(tmp_path) as api:
        stop_process(api)
    for _ in range(5):
        api = start_process(tmp_path)
        api.process.send_signal(signal.SIGTERM)
        assert api.process.wait(timeout=10) == 0


def test_port_in_use_is_one_line_naming_the_key_and_the_fix_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = failed_start(tmp_path, {"port": port})

    assert_one_line_error(result, f"port = {port}", "in use", "choose a free port")
    assert not (tmp_path / "vidserve-data" / "cert.pem").exists()  # nothing made for it


@pytest.mark.parametrize(
    "settings, named",
    [
        ({"host": "192.168.77.99"}, ("host = '192.168.77.99'", "not an address of this machine")),
        ({"host": "vm.invalid"}, ("host = 'vm.invalid'", "cert_names")),  # a socket.gaierror
        ({"host": "0.0.0.0", "port": 443}, ("port = 443", "CAP_NET_BIND_SERVICE", "8443")),
        ({"port": 8443, "http_port": 80}, ("http_port = 80", "below 1024")),
        ({"cert_names": ["*.ts.net"]}, ("cert_names", "no wildcards")),
        ({"trusted_proxies": ["localhost"]}, ("trusted_proxies", "localhost")),
    ],
    ids=["address-not-here", "unresolvable-name", "low-port", "low-http-port", "wildcard", "proxy"],
)
def test_what_a_person_gets_wrong_at_start_is_one_line_exit_2(home, tmp_path, settings, named):
    without_privilege = ["setpriv", "--bounding-set", "-net_bind_service", "--inh-caps", "-all"]
    prefix = [*home.command_prefix(tmp_path), *without_privilege]  # root without that one right

    result = failed_start(tmp_path, settings, prefix)

    assert_one_line_error(result, *named)
