"""The downloader against a small HTTP server on localhost (no outside network)."""

import hashlib
import http.server
import threading

import pytest

from companion.data._download import RemoteFile, fetch
from companion.errors import ChecksumError, DownloadError

PAYLOAD = bytes(range(256)) * 64
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path, honouring a simple ``Range: bytes=N-`` header."""

    requests = []

    def do_GET(self):
        RangeHandler.requests.append((self.path, self.headers.get("Range")))
        start = 0
        if self.headers.get("Range", "").startswith("bytes="):
            start = int(self.headers["Range"][6:].rstrip("-"))
            self.send_response(206)
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    RangeHandler.requests.clear()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMPANION_MIRROR", raising=False)
    return tmp_path / "cache"


def closed_port_url(name):
    return f"http://127.0.0.1:9/{name}"  # the discard port: nothing listens there


def test_downloads_checks_and_caches(server, cache):
    remote = RemoteFile("demo", "file.bin", f"{server}/orig/file.bin", SHA)
    path = fetch(remote)
    assert path == cache / "demo" / "file.bin"
    assert path.read_bytes() == PAYLOAD
    assert not list(path.parent.glob("*.part"))
    fetch(remote)  # second call: from the cache, no new request
    assert len(RangeHandler.requests) == 1


def test_mirror_is_tried_first(server, cache, monkeypatch):
    monkeypatch.setenv("COMPANION_MIRROR", f"{server}/mirror")
    fetch(RemoteFile("demo", "file.bin", closed_port_url("file.bin"), SHA))
    assert RangeHandler.requests[0][0] == "/mirror/file.bin"


def test_resumes_a_partial_download(server, cache):
    part = cache / "demo" / "file.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(PAYLOAD[:1000])
    path = fetch(RemoteFile("demo", "file.bin", f"{server}/file.bin", SHA))
    assert RangeHandler.requests == [("/file.bin", "bytes=1000-")]
    assert path.read_bytes() == PAYLOAD


def test_wrong_checksum_leaves_nothing_behind(server, cache):
    with pytest.raises(DownloadError, match="sha256"):
        fetch(RemoteFile("demo", "file.bin", f"{server}/file.bin", "0" * 64))
    assert not any((cache / "demo").iterdir())


def test_corrupt_cached_file_is_refused(server, cache):
    (cache / "demo").mkdir(parents=True)
    (cache / "demo" / "file.bin").write_bytes(b"not it")
    with pytest.raises(ChecksumError, match="Delete it"):
        fetch(RemoteFile("demo", "file.bin", f"{server}/file.bin", SHA))


def test_offline_error_says_what_to_do(cache):
    remote = RemoteFile("demo", "file.bin", closed_port_url("file.bin"), SHA)
    with pytest.raises(DownloadError) as info:
        fetch(remote, timeout=2)
    message = str(info.value)
    assert "file.bin" in message
    assert str(cache / "demo" / "file.bin") in message
    assert "by hand" in message and "COMPANION_MIRROR" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
