"""Text from users shown as text: Streamlit renders Markdown in alerts, captions and labels."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")


def plain(text: object) -> str:
    """``text`` with every Markdown-active character backslash-escaped, so it shows literally."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
