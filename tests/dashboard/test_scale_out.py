"""Scale-out for the campaign week: two ``cpc tableau-de-bord`` processes behind nginx, exactly as
the committed recipe ``docs/deploiement/nginx-tableaux.conf`` says (HTTPS, ``ip_hash`` affinity,
websockets), with a real browser drawing and filtering a dashboard through the proxy.

nginx is Debian's binary, installed by ``make nginx`` (``make test`` does it) into ``.venv/nginx``
without any system service; the test only replaces ports, listen address and certificate paths.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpc_toolkit import reference
from cpc_toolkit.dashboard import harness
from cpc_toolkit.store import Store

from .conftest import PAGE_TIMEOUT_MS, START_TIMEOUT_S, open_dashboard

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
RECIPE = REPO / "docs" / "deploiement" / "nginx-tableaux.conf"
BASE = "/tableaux/"


def nginx_binary() -> str:
    for cand in (os.environ.get("CPC_NGINX"), shutil.which("nginx"), str(REPO / ".venv" / "nginx" / "usr" / "sbin" / "nginx")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    pytest.fail("nginx introuvable : lancez « make nginx » (ou définissez CPC_NGINX).")


def recipe_for_test(ports: tuple[int, int], listen: int, cert: Path, key: Path) -> str:
    """The committed recipe with the test's ports, listen address and certificate (each replaced once)."""
    text = RECIPE.read_text(encoding="utf-8")
    for old, new in (("server 127.0.0.1:8866;", f"server 127.0.0.1:{ports[0]};"),
                     ("server 127.0.0.1:8867;", f"server 127.0.0.1:{ports[1]};"),
                     ("listen 443 ssl;", f"listen 127.0.0.1:{listen} ssl;"),
                     ("/etc/ssl/certs/cpc-tableaux.pem", str(cert)),
                     ("/etc/ssl/private/cpc-tableaux.key", str(key))):
        assert text.count(old) == 1, f"la recette a changé : « {old} » n'y figure plus une seule fois"
        text = text.replace(old, new)
    return text


def _port(srv: harness.RunningServer) -> int:
    m = re.search(r":(\d+)/", srv.url)
    assert m
    return int(m.group(1))


@pytest.fixture(scope="module")
def proxied(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list]]:
    nginx = nginx_binary()
    logs = tmp_path_factory.mktemp("journaux")
    servers = []
    # nginx workers may run as another user: a world-readable prefix outside pytest's private folder
    prefix = Path(tempfile.mkdtemp(prefix="cpc-nginx-"))
    prefix.chmod(0o755)
    proc = None
    try:
        for k in range(2):  # no preheated kernel: the kernels a visit starts say which process served it
            servers.append(harness.start(demo_store.root, logs / f"serveur-{k}.log", extra=("--noyaux-prechauffes", "0"),
                                         timeout=START_TIMEOUT_S, base_url=BASE))
        cert, key = prefix / "cert.pem", prefix / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / d).mkdir()
            (prefix / d).chmod(0o777)
        listen = harness.free_port()
        (prefix / "cpc-tableaux.conf").write_text(
            recipe_for_test((_port(servers[0]), _port(servers[1])), listen, cert, key), encoding="utf-8")
        (prefix / "nginx.conf").write_text(f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    include {prefix}/cpc-tableaux.conf;
}}
""", encoding="utf-8")
        args = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        url = f"https://127.0.0.1:{listen}{BASE}"
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5, context=ctx) as resp:
                    home = resp.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline, (prefix / "error.log").read_text(errors="replace")
                time.sleep(0.3)
        assert f"{BASE}voila/render/tableau_de_bord_cour.ipynb" in home  # links keep the prefix
        yield url, servers
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGQUIT)  # graceful stop of the master and its worker
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for srv in servers:
            harness.stop(srv)
        shutil.rmtree(prefix, ignore_errors=True)


def test_two_servers_behind_the_nginx_recipe_serve_and_filter_with_affinity(proxied: tuple[str, list],
                                                                             browser: object) -> None:
    url, servers = proxied
    page, console = open_dashboard(browser, f"{url}voila/render/tableau_de_bord_national.ipynb?cour=ca-lyon", 4,
                                   ignore_https_errors=True)
    try:
        assert page.url.startswith(url)  # type: ignore[attr-defined]
        # a filter change travels over the kernel's websocket through nginx and redraws the chart
        page.select_option(".cpc-filtre-cour select", label=reference.court_name("ca-rennes"))  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => { const el = document.querySelector('.cpc-panel-classement .js-plotly-plot');"
            " return el && el.data[0].hovertext.some(t => t.includes('Rennes')); }", timeout=PAGE_TIMEOUT_MS)
        second, console2 = open_dashboard(browser, f"{url}voila/render/tableau_de_bord_juridiction.ipynb", 3,
                                          ignore_https_errors=True)
        try:
            # affinity: both pages of this client started their kernels in the same process
            kernels = sorted(harness.server_memory(s)[1] for s in servers)
            assert kernels[0] == 0 and kernels[1] >= 2, kernels
            assert console.errors == [] and console2.errors == []
        finally:
            second.close()  # type: ignore[attr-defined]
    finally:
        page.close()  # type: ignore[attr-defined]
