"""The downloader against a small HTTP server on localhost (no outside network).

The server's behaviour is chosen by the first part of the path: ``/ok/...`` serves PAYLOAD
and honours ``Range: bytes=N-`` as real servers do (416 past the end); the other modes
misbehave in one way each. Every test finishes in a few seconds.
"""

import hashlib
import http.server
import threading
import time

import pytest

from companion.data._download import RemoteFile, fetch
from companion.errors import ChecksumError, CompanionError, DownloadError
from parallel import run_twice_at_once

PAYLOAD = bytes(range(256)) * 64
SHA = hashlib.sha256(PAYLOAD).hexdigest()
SIZE = len(PAYLOAD)


class Handler(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):
        Handler.requests.append((self.path, self.headers.get("Range")))
        mode = self.path.split("/")[1]
        asked = self.headers.get("Range", "")
        start = int(asked[6:].rstrip("-")) if asked.startswith("bytes=") else 0
        if mode == "badstatus":
            self.wfile.write(b"NONSENSE\r\n\r\n")  # not an HTTP status line
            return
        if asked and start >= SIZE:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{SIZE}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "wrongrange" and asked:
            # answers a resume with the whole file, labelled as such: appending it would corrupt the
            # .part
            self._send(206, PAYLOAD, {"Content-Range": f"bytes 0-{SIZE - 1}/{SIZE}"})
        elif mode == "truncated":  # promises the whole file, sends half, hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(SIZE))
            self.end_headers()
            self.wfile.write(PAYLOAD[: SIZE // 2])
        elif mode == "endless":  # no Content-Length, far more than the file
            self.send_response(200)
            self.end_headers()
            for _ in range(200):
                self.wfile.write(PAYLOAD)
        elif mode == "toolong":  # announces more than the file
            self._send(200, PAYLOAD + PAYLOAD)
        elif mode == "crawl":  # a few bytes at a time, for at most 4 s
            self.send_response(200)
            self.send_header("Content-Length", str(SIZE))
            self.end_headers()
            for i in range(40):
                self.wfile.write(PAYLOAD[i * 16 : (i + 1) * 16])
                self.wfile.flush()
                time.sleep(0.1)
        elif mode == "slow":  # the whole file in 8 pieces over about 0.4 s
            self.send_response(206 if asked else 200)
            if asked:
                self.send_header("Content-Range", f"bytes {start}-{SIZE - 1}/{SIZE}")
            self.send_header("Content-Length", str(SIZE - start))
            self.end_headers()
            body = PAYLOAD[start:]
            for i in range(8):
                self.wfile.write(body[i * len(body) // 8 : (i + 1) * len(body) // 8])
                self.wfile.flush()
                time.sleep(0.05)
        elif asked:
            self._send(206, PAYLOAD[start:], {"Content-Range": f"bytes {start}-{SIZE - 1}/{SIZE}"})
        else:
            self._send(200, PAYLOAD)

    def _send(self, status, body, headers=()):
        self.send_response(status)
        for key, value in dict(headers).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    Handler.requests.clear()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMPANION_MIRROR", raising=False)
    return tmp_path / "cache"


def closed_port_url(name):
    return f"http://127.0.0.1:9/{name}"  # the discard port: nothing listens there


def remote(url, size=SIZE):
    return RemoteFile("demo", "file.bin", url, SHA, size)


def write_part(cache, data):
    part = cache / "demo" / "file.bin.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(data)
    return part


def test_downloads_checks_and_caches(server, cache):
    path = fetch(remote(f"{server}/ok/file.bin"))
    assert path == cache / "demo" / "file.bin"
    assert path.read_bytes() == PAYLOAD
    assert sorted(p.name for p in path.parent.iterdir()) == ["file.bin"]
    fetch(remote(f"{server}/ok/file.bin"))  # second call: from the cache, no new request
    assert len(Handler.requests) == 1


def test_mirror_is_tried_first(server, cache, monkeypatch):
    monkeypatch.setenv("COMPANION_MIRROR", f"{server}/ok/mirror")
    fetch(remote(closed_port_url("file.bin")))
    assert Handler.requests[0][0] == "/ok/mirror/file.bin"


def test_resumes_a_partial_download(server, cache):
    write_part(cache, PAYLOAD[:1000])
    path = fetch(remote(f"{server}/ok/file.bin"))
    assert Handler.requests == [("/ok/file.bin", "bytes=1000-")]
    assert path.read_bytes() == PAYLOAD


def test_wrong_checksum_leaves_nothing_behind(server, cache):
    with pytest.raises(DownloadError, match="sha256"):
        fetch(RemoteFile("demo", "file.bin", f"{server}/ok/file.bin", "0" * 64))
    assert not any((cache / "demo").iterdir())


def test_corrupt_cached_file_is_refused(server, cache):
    (cache / "demo").mkdir(parents=True)
    (cache / "demo" / "file.bin").write_bytes(b"not it")
    with pytest.raises(ChecksumError, match="delete it and run again"):
        fetch(remote(f"{server}/ok/file.bin"))


def test_a_corrupt_cached_file_is_named_with_what_to_do_and_kept(server, cache):
    (cache / "demo").mkdir(parents=True)
    (cache / "demo" / "file.bin").write_bytes(b"not it")
    with pytest.raises(ChecksumError) as info:
        fetch(remote(f"{server}/ok/file.bin"))
    message = str(info.value)
    assert str(cache / "demo" / "file.bin") in message and "download cache" in message
    assert "run again" in message and f"{SIZE:,} bytes" in message
    assert (cache / "demo" / "file.bin").read_bytes() == b"not it"
    assert Handler.requests == []


def test_an_unreadable_cached_file_is_named_with_what_to_do(server, cache):
    (cache / "demo" / "file.bin").mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(CompanionError) as info:
        fetch(remote(f"{server}/ok/file.bin"))
    message = str(info.value)
    assert str(cache / "demo" / "file.bin") in message and "download cache" in message


def test_offline_error_says_what_to_do(cache):
    with pytest.raises(DownloadError) as info:
        fetch(remote(closed_port_url("file.bin")), timeout=2)
    message = str(info.value)
    assert "file.bin" in message
    assert str(cache / "demo" / "file.bin") in message
    assert "by hand" in message and "COMPANION_MIRROR" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


# --- a .part left behind by a crash ------------------------------------------------------------


def test_a_complete_part_is_finished_without_asking_the_server(server, cache):
    write_part(cache, PAYLOAD)  # the crash came after the last byte, before the rename
    assert fetch(remote(f"{server}/ok/file.bin")).read_bytes() == PAYLOAD
    assert Handler.requests == []


def test_an_oversized_part_is_dropped_and_the_file_downloaded_again(server, cache):
    part = write_part(cache, PAYLOAD + b"junk")
    assert fetch(remote(f"{server}/ok/file.bin")).read_bytes() == PAYLOAD
    assert Handler.requests == [("/ok/file.bin", None)] and not part.exists()


def test_http_416_restarts_the_download_when_the_size_is_unknown(server, cache):
    write_part(cache, PAYLOAD + b"junk")
    assert fetch(remote(f"{server}/ok/file.bin", size=None)).read_bytes() == PAYLOAD
    assert Handler.requests == [("/ok/file.bin", f"bytes={SIZE + 4}-"), ("/ok/file.bin", None)]


def test_a_resume_answered_with_another_range_is_not_appended(server, cache):
    write_part(cache, PAYLOAD[:1000])
    assert fetch(remote(f"{server}/wrongrange/file.bin")).read_bytes() == PAYLOAD
    assert [r for _, r in Handler.requests] == ["bytes=1000-", None]


# --- broken servers and a mistyped mirror: the original address is still tried ------------------


@pytest.mark.parametrize("mode", ["badstatus", "truncated"])
def test_a_broken_mirror_falls_back_to_the_original(server, cache, monkeypatch, mode):
    monkeypatch.setenv("COMPANION_MIRROR", f"{server}/{mode}")
    assert fetch(remote(f"{server}/ok/file.bin")).read_bytes() == PAYLOAD
    assert [p for p, _ in Handler.requests][-1] == "/ok/file.bin"


@pytest.mark.parametrize(
    "mode, reason", [("badstatus", "BadStatusLine"), ("truncated", "ended after")]
)
def test_a_broken_server_is_a_clear_error(server, cache, mode, reason):
    with pytest.raises(DownloadError, match=reason) as info:
        fetch(remote(f"{server}/{mode}/file.bin"))
    if mode == "truncated":  # what arrived is kept and resumed next time; the message says so
        assert "file.bin.part" in str(info.value) and "resumes" in str(info.value)
        assert (cache / "demo" / "file.bin.part").stat().st_size == SIZE // 2


def test_a_mirror_without_a_scheme_is_reported_and_skipped(server, cache, monkeypatch):
    monkeypatch.setenv("COMPANION_MIRROR", "mirror.example.org/data")
    with pytest.warns(UserWarning, match="COMPANION_MIRROR='mirror.example.org/data' is not a URL"):
        assert fetch(remote(f"{server}/ok/file.bin")).read_bytes() == PAYLOAD


# --- size cap and deadline ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["endless", "toolong"])
def test_a_server_may_not_send_more_than_the_file(server, cache, mode):
    with pytest.raises(DownloadError, match=f"{SIZE:,}") as info:
        fetch(remote(f"{server}/{mode}/file.bin"))
    assert "more than" in str(info.value) or "announces" in str(info.value)
    assert (
        not (cache / "demo" / "file.bin.part").exists()
        or (cache / "demo" / "file.bin.part").stat().st_size <= SIZE
    )


def test_a_crawling_download_is_given_up_at_the_deadline(server, cache):
    started = time.monotonic()
    with pytest.raises(DownloadError, match="too slow"):
        fetch(remote(f"{server}/crawl/file.bin"), timeout=5, deadline=0.5)
    assert time.monotonic() - started < 3


# --- two downloads of one file at once ----------------------------------------------------------


def test_two_simultaneous_fetches_of_one_file_both_succeed(server, cache):
    results, errors = run_twice_at_once(
        lambda: fetch(remote(f"{server}/slow/file.bin")).read_bytes(), 20
    )
    assert not errors, errors
    assert results == [PAYLOAD, PAYLOAD]
    assert len(Handler.requests) == 1  # the second waited for the first, then used its file
