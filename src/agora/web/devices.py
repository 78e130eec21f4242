"""Signed-in devices as people name them: "Chrome on Linux", "Safari on iPhone".

A user-agent string is a history of browsers pretending to be each other (Chrome says Safari,
Edge says Chrome), so the tests run from the most specific token to the least. Only what the
account page needs: the browser's family and the system, never versions.
"""

from __future__ import annotations

import re

from agora.core.i18n import gettext as _
from agora.web.render import env

# (token, name), most specific first: every Chromium browser also says "Chrome" and "Safari".
_BROWSERS = (
    ("MicroMessenger/", "WeChat"),
    ("Edg", "Edge"),  # Edg/ (desktop), EdgA/ (Android), EdgiOS/
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("UCBrowser/", "UC Browser"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
# Phones and tablets before the systems they also name (an iPhone says "like Mac OS X").
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("HarmonyOS", "HarmonyOS"),
    ("Linux", "Linux"),
)
_PRODUCT = re.compile(r"^([A-Za-z][\w.\-]{0,40})/")


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for token, name in table if token in user_agent), None)


def device_name(user_agent: str | None) -> str:
    """ "Chrome on Linux"; a client that is no browser by its product name ("curl",
    "python-httpx"); "Unknown device" when nothing is recognisable."""
    text = (user_agent or "").strip()
    browser = _first(text, _BROWSERS) if "Mozilla/" in text or "Opera" in text else None
    system = _first(text, _SYSTEMS)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return str(browser or system)
    product = _PRODUCT.match(text)
    return product.group(1) if product else _("Unknown device")


env.filters["device"] = device_name
