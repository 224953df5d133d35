"""The server's front door: one token gate for every route, and kernel admission.

* **Token.** With ``--token``, every route (dashboards, tree, static files, ``/rapports/``,
  kernel API) requires it: ``?token=…`` (the first visit, which also sets a signed cookie),
  ``Authorization: token …``, or that cookie. Otherwise: 403 and a French page. Only the socket
  through which a preheated kernel receives its request (used by the kernels themselves, keyed by
  a random kernel id) is left out.
* **Admission.** Each dashboard page starts (or takes) a kernel of a few hundred MB. Before a page
  is rendered, the live kernels (started, being started, being rendered) are counted against a
  maximum, and a client's against a per-client maximum; beyond them the visitor gets a French
  « serveur occupé » page with HTTP 503 and ``Retry-After``, and no kernel is started.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["COOKIE", "Admission", "busy_page", "check_token", "client_key", "gated", "status_page"]

COOKIE = "cpc_acces"
RETRY_AFTER_S = 10
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


def status_page(code: int, title: str, message: str, retry: bool = False) -> str:
    """A small French HTML page for gate answers (403, 503)."""
    refresh = f'<meta http-equiv="refresh" content="{RETRY_AFTER_S}">' if retry else ""
    link = ('<p><a href="" onclick="window.location.reload(); return false;">Réessayer maintenant</a></p>'
            if retry else "")
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">{refresh}'
            f"<title>Tableau de bord — {html.escape(title)}</title>"
            "<style>body{font-family:Marianne,Arial,sans-serif;max-width:800px;margin:3rem auto;color:#161616}"
            "h1{color:#000091}</style></head><body><main>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>{link}"
            f"<p>(code {code})</p></main></body></html>")


def busy_page() -> str:
    return status_page(503, "Serveur occupé", "Serveur occupé, réessayez dans un instant : le nombre maximal de "
                       "tableaux de bord ouverts en même temps est atteint. La page se rechargera d'elle-même.",
                       retry=True)


def _forbidden_page() -> str:
    return status_page(403, "Accès refusé", "Accès refusé : cette adresse exige le jeton d'accès du serveur "
                       "(lien fourni par l'administrateur, de la forme …?token=JETON).")


def check_token(handler: Any, token: str) -> bool:
    """True when the request carries the token (query, header or signed cookie); sets the cookie."""
    supplied = handler.get_query_argument("token", None)
    auth = handler.request.headers.get("Authorization", "")
    if supplied is None and auth.lower().startswith("token "):
        supplied = auth[6:].strip()
    if supplied is not None and hmac.compare_digest(supplied.encode(), token.encode()):
        if handler.application.settings.get("cookie_secret"):
            handler.set_secure_cookie(COOKIE, "1", httponly=True, samesite="Strict")
        return True
    if handler.application.settings.get("cookie_secret"):
        return handler.get_secure_cookie(COOKIE) == b"1"
    return False


def gated(cls: type, token: str) -> type:
    """A subclass of a Tornado handler class that answers 403 (French page) without the token."""

    class Gated(cls):
        async def prepare(self, *args: Any, **kwargs: Any) -> Any:
            if not check_token(self, token):
                self.clear()
                self.set_status(403)
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.finish(_forbidden_page())
                return None
            result = super().prepare(*args, **kwargs)
            if result is not None and hasattr(result, "__await__"):
                result = await result
            return result

    Gated.__name__ = Gated.__qualname__ = f"Gated{cls.__name__}"
    return Gated


def client_key(handler: Any) -> str:
    """The visitor's address; behind a local reverse proxy, the first ``X-Forwarded-For`` address."""
    ip = handler.request.remote_ip or ""
    try:
        local = ipaddress.ip_address(ip).is_loopback
    except ValueError:
        local = False
    forwarded = handler.request.headers.get("X-Forwarded-For", "")
    if local and forwarded:
        return forwarded.split(",")[0].strip()
    return ip


@dataclass
class Admission:
    """Counts of live kernels per server and per client (one instance per server process)."""

    max_kernels: int
    max_per_client: int
    in_flight: int = 0
    in_flight_by_client: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kernels_by_client: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: page kernels → since when they have had no browser connection (None: connected now)
    unconnected_since: dict[str, float | None] = field(default_factory=dict)

    def live(self, kernel_manager: Any) -> int:
        """Kernels started or starting (pools included) plus pages being rendered (conservative)."""
        ids = set(kernel_manager.list_kernel_ids())
        pending = sum(1 for pool in getattr(kernel_manager, "_pools", {}).values() for t in pool if not t.done())
        return len(ids) + pending + self.in_flight

    def client_live(self, client: str, kernel_manager: Any) -> int:
        ids = set(kernel_manager.list_kernel_ids())
        mine = self.kernels_by_client.get(client, set())
        mine &= ids  # forget culled / shut down kernels
        return len(mine) + self.in_flight_by_client.get(client, 0)

    def admit(self, client: str, kernel_manager: Any) -> bool:
        if self.max_kernels > 0 and self.live(kernel_manager) >= self.max_kernels:
            return False
        if self.max_per_client > 0 and self.client_live(client, kernel_manager) >= self.max_per_client:
            return False
        self.in_flight += 1
        self.in_flight_by_client[client] += 1
        return True

    def release(self, client: str, kernel_id: str | None, now: float | None = None) -> None:
        self.in_flight -= 1
        self.in_flight_by_client[client] -= 1
        if self.in_flight_by_client[client] <= 0:
            self.in_flight_by_client.pop(client, None)
        if kernel_id:
            self.kernels_by_client[client].add(kernel_id)
            self.unconnected_since[kernel_id] = time.monotonic() if now is None else now

    def orphans(self, kernel_manager: Any, grace_s: float, now: float | None = None) -> list[str]:
        """Kernels given to a page that have had no browser connection for ``grace_s`` seconds: the
        page was closed without asking for its kernel's shutdown (a quick navigation cancels that
        request). Preheated kernels waiting for a visitor are never listed (they belong to no page)."""
        now = time.monotonic() if now is None else now
        alive = set(kernel_manager.list_kernel_ids())
        connections = getattr(kernel_manager, "_kernel_connections", {})
        out = []
        for kid, since in list(self.unconnected_since.items()):
            if kid not in alive:
                self.unconnected_since.pop(kid)
            elif connections.get(kid, 0) > 0:
                self.unconnected_since[kid] = None
            elif since is None:
                self.unconnected_since[kid] = now
            elif now - since >= grace_s:
                out.append(kid)
        return out
