"""What app.py's st.App adds beside the page (linreg.page.server): the page's Link header that
starts the live views' scripts early, and compression. Driven as ASGI, as uvicorn drives it."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Route

from linreg.page import component, server

PAGE = "<!doctype html><title>linreg</title>" + "<p>x</p>" * 200
BUNDLE = "export const x = 1;\n" * 400  # as one of Streamlit's content-hashed scripts
served: list[str] = []  # the paths the app itself answered


def bundle(request):
    served.append(request.url.path)
    return Response(BUNDLE, media_type="application/javascript")


def live_asset(request):
    served.append(request.url.path)
    return FileResponse(component.ASSETS / request.path_params["name"])


APP = Starlette(
    routes=[
        Route("/", lambda request: HTMLResponse(PAGE)),
        Route("/health", lambda request: PlainTextResponse("ok")),
        Route("/data", lambda request: JSONResponse({"values": list(range(500))})),
        Route("/static/js/index.abc123.js", bundle),
        Route(f"/{component.ASSET_PATH}{{name}}", live_asset),
    ],
    middleware=server.MIDDLEWARE,
)


def get(path: str, accept_encoding: str = "", more: tuple = ()) -> tuple[dict[str, str], bytes]:
    """The headers (lower-case names) and body of GET ``path`` (``more``: other headers)."""
    headers = [(b"accept-encoding", accept_encoding.encode())] if accept_encoding else []
    headers += [(k.encode(), v.encode()) for k, v in more]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("t", 80),
    }  # fmt: skip
    sent = []

    requested = []

    async def receive():  # the request, then nothing until the response is sent
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()

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


def test_scripts_are_compressed_once_and_then_served_from_memory():
    served.clear()
    path = "/static/js/index.abc123.js"
    first = get(path, accept_encoding="gzip, br")
    again = get(path, accept_encoding="gzip")
    assert served == [path]  # the second came from the cache
    for headers, body in (first, again):
        assert headers["content-encoding"] == "gzip"
        assert headers["content-length"] == str(len(body))
        assert "accept-encoding" in headers["vary"].lower()
        assert gzip.decompress(body).decode() == BUNDLE
    plain = get(path)  # a client that does not take gzip: from the app, as it is
    assert plain[1].decode() == BUNDLE and "content-encoding" not in plain[0]
    get(path, accept_encoding="gzip", more=(("range", "bytes=0-9"),))  # ranges pass on,
    get(path, accept_encoding="gzip", more=(("if-none-match", '"abc"'),))  # and revalidations
    assert served == [path] * 4


def test_an_edited_live_view_asset_is_served_afresh(tmp_path, monkeypatch):
    asset = tmp_path / "live.css"
    asset.write_text("/* one */" + " .a { color: red; }" * 100)
    monkeypatch.setattr(component, "ASSETS", tmp_path)
    served.clear()
    path = f"/{component.ASSET_PATH}live.css"
    assert gzip.decompress(get(path, accept_encoding="gzip")[1]).startswith(b"/* one */")
    assert gzip.decompress(get(path, accept_encoding="gzip")[1]).startswith(b"/* one */")
    assert len(served) == 1
    asset.write_text("/* two */" + " .a { color: blue; }" * 100)
    os.utime(asset, ns=(asset.stat().st_atime_ns, asset.stat().st_mtime_ns + 10**9))
    assert gzip.decompress(get(path, accept_encoding="gzip")[1]).startswith(b"/* two */")
    assert len(served) == 2
