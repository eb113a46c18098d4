"""What the server adds beside the page: HTTP routes and middleware for ``st.App`` (app.py)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linreg.page import component, stream

# Streamlit serves its own scripts uncompressed (index.js 480 KB, 147 KB gzipped); a first
# visit over venue Wi-Fi pays for every byte. GZip leaves event streams alone.
COMPRESS_FROM_BYTES = 500


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


MIDDLEWARE = [
    Middleware(GZipMiddleware, minimum_size=COMPRESS_FROM_BYTES),
    Middleware(PreloadMiddleware),
]
ROUTES = [*stream.ROUTES]
