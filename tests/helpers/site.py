"""A government site on 127.0.0.1 as a crawl meets it: listings with pagination, a Chinese-named PDF, a
download servlet, robots.txt, links to refuse, files that fail; and the operator's webhook receiver (POST).
Shared by the fetcher's tests and the nightly's."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import quote, unquote, urlsplit

import yaml

from helpers.paths import SAMPLES

PDF = {name: (SAMPLES / name).read_bytes() for name in ("0000_sichuan13_2022.pdf", "0001_sichuan13_2023.pdf")}
CHINESE = "/files/佛山市水务局2019年部门决算.pdf"
SERVLET = "/download.do?fileId=5"
FILES = {  # path (unquoted, with its query) → (bytes, Content-Type, extra headers)
    CHINESE: ((SAMPLES / "0000_sichuan13_2022.pdf").read_bytes(), "application/pdf", {}),
    SERVLET: (
        (SAMPLES / "0001_sichuan13_2023.pdf").read_bytes(),
        "application/octet-stream",
        {"Content-Disposition": "attachment; filename*=UTF-8''" + quote("广州市2020年部门决算.pdf")},
    ),
    "/files/page2.pdf": ((SAMPLES / "0002_mof9_2023.pdf").read_bytes(), "application/pdf", {}),
    "/files/page3.pdf": ((SAMPLES / "0003_mof9_2024.pdf").read_bytes(), "application/pdf", {}),
    "/art/8.html": ((SAMPLES / "0005_mof9_2020.pdf").read_bytes(), "application/pdf", {}),  # text says 决算
    "/files/error.pdf": (
        ("<html><body>页面不存在" + "<!-- padding -->" * 200 + "</body></html>").encode(),  # over 1 KB
        "text/html; charset=utf-8",
        {},
    ),
    "/files/huge.pdf": (b"%PDF-1.4\n" + b"0" * 3_000_000, "application/pdf", {}),
    "/private/secret.pdf": ((SAMPLES / "0004_older8_2019.pdf").read_bytes(), "application/pdf", {}),
    # the simple listing of the pace test and the ingest test
    "/files/a.pdf": ((SAMPLES / "0002_mof9_2023.pdf").read_bytes(), "application/pdf", {}),
    "/files/b c.PDF": ((SAMPLES / "0003_mof9_2024.pdf").read_bytes(), "application/pdf", {}),
}
GOOD = (CHINESE, SERVLET, "/art/8.html", "/files/page2.pdf", "/files/page3.pdf")
PAGES = {
    "/dept/index.html": f"""<html><head><meta charset="utf-8"></head><body><ul>
<li><a href="../files/佛山市水务局2019年部门决算.pdf">佛山市水务局2019年部门决算</a></li>
<li><a href="{SERVLET}">点击查看</a></li>
<li><a href="/art/8.html" title="2020年部门决算">2020年</a></li>
<li><a href="/private/secret.pdf">2018年部门决算</a></li>
<li><a href="file:///etc/passwd">2017年部门决算.pdf</a></li>
<li><a href="ftp://127.0.0.1/b.pdf">2016年部门决算</a></li>
<li><a href="http://other.invalid/x.pdf">外站</a></li>
<li><a href="/go.pdf">跳转</a></li>
<li><a href="/files/huge.pdf">全部附件</a></li>
<li><a href="/files/error.pdf">出错的决算</a></li>
<li><a href="/files/gone.pdf">已删除</a></li>
<li><a href="/news/1.html">新闻</a></li><li><a href="mailto:a@b.cn">联系我们</a></li>
</ul><a href="next/index.html">下一页 &gt;</a></body></html>""",
    # page 2 by its 下一页 link, page 3 as page 2's numbered sibling
    "/dept/next/index.html": """<html><body><a href="/files/page2.pdf">2021年度部门决算</a>
<a href="../index.html">上一页</a> <a href="../index.html">1</a>
<a href="index_2.html">3</a></body></html>""",
    "/dept/next/index_2.html": """<html><body><a href="/files/page3.pdf">2022年度部门决算</a>
<a href="index.html">上一页</a></body></html>""",
    "/empty.html": "<html><body>暂无</body></html>",
    "/list.html": """<html><body><ul>
<li><a href="/files/a.pdf">2023年度部门决算</a></li>
<li><a href="files/b%20c.PDF?x=1">2024年度部门决算</a></li>
<li><a href="/news/1.html">新闻</a></li><li><a href="/files/a.pdf">again</a></li>
</ul></body></html>""",
}
REDIRECTS = {"/go.pdf": "http://other.invalid/y.pdf"}


class Site(BaseHTTPRequestHandler):
    log: ClassVar[list[list]] = []  # [arrival time, path, headers, status]
    flaky: ClassVar[int] = 0
    hooks: ClassVar[list[dict]] = []  # what was POSTed (the nightly's webhook)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        Site.hooks.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(204)
        self.end_headers()

    def answer(
        self, status: int, body: bytes = b"", headers: dict | None = None, length: bool = True
    ) -> None:
        self.arrival[3] = status
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped (a size cap)
            self.wfile.write(body)

    def do_GET(self):
        self.arrival = [
            time.monotonic(),
            unquote(self.path),
            dict(self.headers),
            None,
        ]  # status when answered
        Site.log.append(self.arrival)
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        key = path + (f"?{parts.query}" if parts.query else "")
        if path == "/robots.txt":
            self.answer(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        elif path in PAGES:
            self.answer(
                200, PAGES[path].encode(), {"Content-Type": "text/html; charset=utf-8", "ETag": '"p"'}
            )
        elif path == "/slow.html":
            time.sleep(1.5)
            self.answer(200, b"<html></html>", {"Content-Type": "text/html"})
        elif path == "/flaky.html":
            Site.flaky += 1
            if Site.flaky == 1:
                self.answer(503, b"busy")
            else:
                self.answer(200, PAGES["/empty.html"].encode(), {"Content-Type": "text/html; charset=utf-8"})
        elif path in REDIRECTS:
            self.answer(302, b"", {"Location": REDIRECTS[path]})
        elif key in FILES or path in FILES:
            body, kind, extra = FILES.get(key) or FILES[path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.answer(304, b"", {"ETag": etag}, length=False)
                return
            # the huge file has no Content-Length: it has to be stopped while streaming
            self.answer(
                200, body, {"Content-Type": kind, "ETag": etag, **extra}, length=path != "/files/huge.pdf"
            )
        else:
            self.answer(404, b"not found", {"Content-Type": "text/plain"})

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """The site on a free port, its logs empty; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.log, Site.flaky, Site.hooks = [], 0, []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_sources(path, sources, **top):
    path.write_text(yaml.safe_dump({**top, "sources": sources}, allow_unicode=True), "utf-8")
    return path


def requests(path_prefix: str) -> list[list]:
    return [entry for entry in Site.log if entry[1].startswith(path_prefix)]
