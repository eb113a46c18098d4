"""What the server adds beside the page: HTTP routes and middleware for ``st.App`` (app.py)."""

from __future__ import annotations

import gzip

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linreg.page import component, stream

# Streamlit serves its own scripts uncompressed (index.js 480 KB, 147 KB gzipped); a first
# visit over venue Wi-Fi pays for every byte. GZip leaves event streams alone.
COMPRESS_FROM_BYTES = 500
# Streamlit's content-hashed bundles and the live views' assets: compressed once per process.
# Compressing them again for every visit held the server's one event loop ~0.15 s per first
# visit, and a page's ~130 requests queue on the browser's six connections behind it.
CACHED_PREFIXES = ("/static/", f"/{component.ASSET_PATH}")
CACHE_LIMIT_BYTES = 32 * 2**20  # compressed; Streamlit's whole frontend is ~7 MB gzipped
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


def preloads() -> str:
    """The Link header of the page: the live views' scripts, fetched while Streamlit starts
    instead of after the page's script has run (relative: the page may live under a path)."""
    assets = component.ASSET_PATH
    return ", ".join(
        [
            f"<{assets}{component.plotly_bundle()}>; rel=preload; as=script",
            f"<{assets}live.js>; rel=modulepreload",
            f"<{assets}stream.js>; rel=modulepreload",
            f"<{assets}live.css>; rel=preload; as=style",
        ]
    )


class PreloadMiddleware:
    """Adds ``preloads()`` as a Link header to every HTML response (the page itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.link = preloads()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_link(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("Link", self.link)
            await send(message)

        await self.app(scope, receive, send_with_link)


class CompressedAssets:
    """GET responses under CACHED_PREFIXES, gzipped once and then served from memory to every
    browser that accepts gzip (keyed by path, and for the live views' assets by the file's
    modification time, so an edited live.js is served afresh). Other requests pass on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cache: dict[tuple[str, int], tuple[list, bytes]] = {}
        self.cached_bytes = 0

    def _key(self, scope: Scope) -> tuple[str, int] | None:
        """The cache's key for this request, None for one the app answers itself (not a GET
        of a cached asset, no gzip, or a range or a conditional request)."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if not any(prefix in path for prefix in CACHED_PREFIXES):
            return None
        request = Headers(scope=scope)
        if "gzip" not in request.get("accept-encoding", "") or any(
            name in request for name in ("range", "if-none-match", "if-modified-since")
        ):
            return None
        version = 0
        if component.ASSET_PATH in path:
            try:
                version = (component.ASSETS / path.rsplit("/", 1)[1]).stat().st_mtime_ns
            except OSError:
                return None
        return path, version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        hit = self.cache.get(key)
        if hit is None:
            messages: list[Message] = []

            async def keep(message: Message) -> None:
                messages.append(message)

            await self.app(scope, receive, keep)
            hit = await self._compress(key, messages)
            if hit is None:  # not a response to keep: as it came
                for message in messages:
                    await send(message)
                return
        headers, body = hit
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _compress(self, key: tuple[str, int], messages: list[Message]):
        start = messages[0] if messages else {}
        if start.get("type") != "http.response.start" or start.get("status") != 200:
            return None
        headers = MutableHeaders(raw=list(start["headers"]))
        body = b"".join(m.get("body", b"") for m in messages[1:])
        if (
            "content-encoding" in headers
            or not headers.get("content-type", "").startswith(COMPRESSIBLE)
            or len(body) < COMPRESS_FROM_BYTES
        ):
            return None
        compressed = await run_in_threadpool(gzip.compress, body, 9, mtime=0)
        headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(compressed))
        headers.add_vary_header("Accept-Encoding")
        hit = (headers.raw, compressed)
        if self.cached_bytes + len(compressed) <= CACHE_LIMIT_BYTES:
            self.cache[key] = hit
            self.cached_bytes += len(compressed)
        return hit


MIDDLEWARE = [  # outermost first: GZip leaves alone what CompressedAssets compressed
    Middleware(GZipMiddleware, minimum_size=COMPRESS_FROM_BYTES),
    Middleware(CompressedAssets),
    Middleware(PreloadMiddleware),
]
ROUTES = [*stream.ROUTES]
