"""What app.py's st.App adds beside the page (linreg.page.server): the page's Link header that
starts the live views' scripts early, and compression. Driven as ASGI, as uvicorn drives it."""

from __future__ import annotations

import asyncio
import gzip
import json
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from linreg.page import component, server

PAGE = "<!doctype html><title>linreg</title>" + "<p>x</p>" * 200
APP = Starlette(
    routes=[
        Route("/", lambda request: HTMLResponse(PAGE)),
        Route("/health", lambda request: PlainTextResponse("ok")),
        Route("/data", lambda request: JSONResponse({"values": list(range(500))})),
    ],
    middleware=server.MIDDLEWARE,
)


def get(path: str, accept_encoding: str = "") -> tuple[dict[str, str], bytes]:
    """The headers (lower-case names) and body of GET ``path``."""
    headers = [(b"accept-encoding", accept_encoding.encode())] if accept_encoding else []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("t", 80),
    }  # fmt: skip
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    with ThreadPoolExecutor(1) as thread:  # its own event loop (Playwright's may be running)
        thread.submit(asyncio.run, APP(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_the_page_names_the_live_views_scripts_to_fetch_early():
    headers, body = get("/")
    assert body.decode() == PAGE
    links = [part.strip() for part in headers["link"].split(",")]
    files = [link[1 : link.index(">")] for link in links]
    assert files == [
        f"_stcore/bidi-components/linreg.live/{component.plotly_bundle()}",
        "_stcore/bidi-components/linreg.live/live.js",
        "_stcore/bidi-components/linreg.live/stream.js",
        "_stcore/bidi-components/linreg.live/live.css",
    ]
    for file in files:  # relative (the page may live under a path), and each one is there
        assert not file.startswith("/")
        assert (component.ASSETS / file.rsplit("/", 1)[1]).is_file()
    assert "rel=preload; as=script" in links[0] and "rel=modulepreload" in links[1]


def test_only_the_page_carries_the_header():
    assert "link" not in get("/health")[0]
    assert "link" not in get("/data")[0]


def test_text_is_compressed_where_the_browser_accepts_it():
    headers, body = get("/data", accept_encoding="gzip")
    assert headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["values"][-1] == 499
    headers, body = get("/", accept_encoding="gzip")
    assert headers["content-encoding"] == "gzip" and "link" in headers
    assert gzip.decompress(body).decode() == PAGE
    assert "content-encoding" not in get("/data")[0]  # a client that did not ask
