"""``cpc tableau-de-bord``: the three dashboards served by a hardened *standalone* Voilà.

Never a Jupyter server extension (a full Jupyter server would accept code from the browser): the
standalone Voilà app only relays widget messages to its kernels. Settings enforced on the command
line (which outranks any ``voila.json``): sources stripped, tracebacks hidden, ``?template=`` and
``?theme=`` ignored, the French ``cpc`` template (no CDN request), preheated kernels, idle kernels
culled. Bound to 127.0.0.1 by default; any other address requires a token.

The served folder is a fresh runtime directory holding only the three dashboard notebooks, so
nothing else of the repository is reachable; built reports are served read-only under
``<base-url>rapports/``.
"""

from __future__ import annotations

import errno
import inspect
import ipaddress
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from cpc_toolkit import settings
from cpc_toolkit.dashboard.figwidget import ENV_SERVER, TEMPLATE_NAME, copy_bundle
from cpc_toolkit.errors import DashboardError, ReasonCode, UsageError

__all__ = [
    "DASHBOARD_NOTEBOOKS",
    "LOCAL_ADDRESSES",
    "ServerOptions",
    "check_options",
    "notebooks_dir",
    "prepare_runtime",
    "serve",
    "voila_argv",
]

DASHBOARD_NOTEBOOKS = (
    "tableau_de_bord_national.ipynb",
    "tableau_de_bord_cour.ipynb",
    "tableau_de_bord_juridiction.ipynb",
    "tableau_de_bord_simulateur.ipynb",
)
LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")
ENV_TOKEN = "CPC_TABLEAU_JETON"
MIN_TOKEN_LENGTH = 12
REPORT_FILES = r".*\.(html|pdf|png|svg|css|js|json|woff2?)"
DEFAULT_MAX_KERNELS = 40
DEFAULT_MAX_PER_CLIENT = 8
#: a page kernel without any browser connection for this long is shut down (page closed, its unload
#: request lost); a reload or a short network cut reconnects well within it
ORPHAN_GRACE_S = 30
FRENCH_CELL_ERROR = ("Une erreur est survenue. Le détail a été consigné dans le journal du serveur ; "
                     "contactez l'administrateur des données.")


@dataclass(frozen=True)
class ServerOptions:
    """Options of ``cpc tableau-de-bord`` (validated by :func:`check_options`)."""

    data_dir: Path
    reports_dir: Path
    port: int = 8866
    ip: str = "127.0.0.1"
    base_url: str = "/"
    token: str | None = None
    preheat: bool = True
    pool_size: int = 1
    #: a kernel with no page connected is shut down after this idle time (the page also asks for it on close)
    cull_idle_seconds: int = 120
    #: a page's kernel without browser connection for this long is shut down (0: left to the idle cull)
    orphan_grace_seconds: int = ORPHAN_GRACE_S
    #: per-cell execution limit (the preheated kernel's waiting cell has none, see executor.py)
    cell_timeout_seconds: int = 120
    #: live kernels at most, preheated ones included (≈ 0,4 Go each: 40 fit a 24 Go machine); 0 = no limit
    max_kernels: int = DEFAULT_MAX_KERNELS
    #: live kernels at most per client address; 0 = no limit
    max_kernels_per_client: int = DEFAULT_MAX_PER_CLIENT
    extra_env: dict[str, str] = field(default_factory=dict)


def is_local(ip: str) -> bool:
    """True for loopback addresses (127.0.0.0/8, ::1, ``localhost``)."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def check_options(opts: ServerOptions) -> ServerOptions:
    """Refuse unsafe or invalid settings with a French message; return normalised options."""
    if not 1 <= opts.port <= 65535:
        raise UsageError(f"Port invalide : {opts.port} (attendu : 1 à 65535).", ReasonCode.USAGE)
    if opts.ip != "localhost":
        try:
            ipaddress.ip_address(opts.ip)
        except ValueError as exc:
            raise UsageError(f"Adresse d'écoute invalide : « {opts.ip} » (exemple : 127.0.0.1).",
                             ReasonCode.USAGE) from exc
    token = opts.token or None
    if not is_local(opts.ip):
        if not token:
            raise UsageError(
                f"Refus de démarrer : l'adresse {opts.ip} expose les tableaux de bord au réseau. "
                f"Donnez un jeton d'accès (--token JETON ou variable ${ENV_TOKEN}) d'au moins "
                f"{MIN_TOKEN_LENGTH} caractères, ou gardez l'adresse par défaut 127.0.0.1.",
                ReasonCode.SECURITY)
        if len(token) < MIN_TOKEN_LENGTH:
            raise UsageError(f"Jeton trop court : au moins {MIN_TOKEN_LENGTH} caractères sont exigés.",
                             ReasonCode.SECURITY)
    base = opts.base_url or "/"
    if not re.fullmatch(r"/([A-Za-z0-9._~-]+/)*", base if base.endswith("/") else base + "/"):
        raise UsageError(f"Préfixe d'adresse invalide : « {opts.base_url} » (exemple : /tableaux/).",
                         ReasonCode.USAGE)
    base = base if base.endswith("/") else base + "/"
    for name, value, low in (("--delai-cellule", opts.cell_timeout_seconds, 5),
                             ("--noyaux-max", opts.max_kernels, 0), ("--noyaux-par-client", opts.max_kernels_per_client, 0),
                             ("--fermeture-noyaux", opts.cull_idle_seconds, 10),
                             ("--fermeture-pages", opts.orphan_grace_seconds, 0)):
        if value < low:
            raise UsageError(f"Valeur invalide pour {name} : {value} (au moins {low}).", ReasonCode.USAGE)
    pool = max(0, opts.pool_size)
    if opts.max_kernels and opts.preheat and opts.max_kernels <= pool * len(DASHBOARD_NOTEBOOKS):
        raise UsageError(f"--noyaux-max {opts.max_kernels} ne laisse aucun noyau aux visiteurs : "
                         f"{pool * len(DASHBOARD_NOTEBOOKS)} noyaux sont déjà préchauffés ; donnez plus.",
                         ReasonCode.USAGE)
    return replace(opts, data_dir=Path(opts.data_dir).resolve(), reports_dir=Path(opts.reports_dir).resolve(),
                   base_url=base, token=token, pool_size=pool, extra_env=dict(opts.extra_env))


def check_port_free(ip: str, port: int) -> None:
    """French error when the port is taken (Voilà would silently pick another one)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"Le port {port} est déjà utilisé : choisissez-en un autre avec --port.",
                                 ReasonCode.USAGE) from exc
            raise UsageError(f"Impossible d'écouter sur {ip}:{port} ({exc.strerror}).", ReasonCode.USAGE) from exc


def notebooks_dir() -> Path:
    """Folder of the dashboard notebooks shipped with the package (:func:`cpc_toolkit.settings.notebooks_dir`)."""
    folder = settings.notebooks_dir()
    missing = [n for n in DASHBOARD_NOTEBOOKS if not (folder / n).is_file()]
    if missing:
        raise DashboardError(f"Carnets des tableaux de bord introuvables dans {folder} : {', '.join(missing)}.",
                             ReasonCode.NOT_FOUND)
    return folder


def prepare_runtime(root: Path) -> dict[str, Path]:
    """Lay out a runtime folder: the three notebooks, the ``cpc`` Voilà template (+ plotly bundle), logs.

    Returns the paths: ``notebooks`` (served root), ``jupyter_path`` (to prepend to
    ``JUPYTER_PATH``), ``template``, ``log``.
    """
    nb_src = notebooks_dir()
    served = root / "tableaux"
    served.mkdir(parents=True, exist_ok=True)
    for name in DASHBOARD_NOTEBOOKS:
        shutil.copyfile(nb_src / name, served / name)
    share = root / "share"
    template = share / "voila" / "templates" / TEMPLATE_NAME
    template.mkdir(parents=True, exist_ok=True)
    src = resources.files("cpc_toolkit.dashboard").joinpath("templates", TEMPLATE_NAME)
    for entry in src.iterdir():
        if entry.is_file():
            (template / entry.name).write_bytes(entry.read_bytes())
    copy_bundle(template / "static")
    log = root / "journal.log"
    log.touch()
    return {"notebooks": served, "jupyter_path": share, "template": template, "log": log}


def voila_argv(opts: ServerOptions, served: Path, connection_root: Path | None = None) -> list[str]:
    """Command-line settings of the standalone Voilà app (they outrank any voila.json)."""
    argv = [
        str(served),
        "--no-browser",
        f"--Voila.ip={opts.ip}",
        f"--Voila.port={opts.port}",
        "--Voila.port_retries=0",
        f"--Voila.base_url={opts.base_url}",
        f"--Voila.token={opts.token or ''}",
        f"--VoilaConfiguration.template={TEMPLATE_NAME}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.classic_tree=True",
        "--VoilaConfiguration.progressive_rendering=False",
        f"--VoilaConfiguration.preheat_kernel={opts.preheat and opts.pool_size > 0}",
        f"--VoilaConfiguration.default_pool_size={opts.pool_size}",
        f"--VoilaExecutor.cell_error_instruction={FRENCH_CELL_ERROR}",
        # plotly's mimetype renderer eagerly loads its own 4.8 MB copy of plotly.js on every page;
        # the dashboards only draw FigureWidgets (bundle served once, see figwidget.py)
        "--VoilaConfiguration.extension_denylist=jupyterlab-plotly",
        f"--VoilaExecutor.timeout={opts.cell_timeout_seconds}",
        "--HTMLExporter.language_code=fr",
        f"--MappingKernelManager.cull_idle_timeout={opts.cull_idle_seconds}",
        f"--MappingKernelManager.cull_interval={min(60, max(5, opts.cull_idle_seconds // 4))}",
        "--MappingKernelManager.cull_connected=False",
        f"--CpcVoila.max_kernels={opts.max_kernels}",
        f"--CpcVoila.max_kernels_per_client={opts.max_kernels_per_client}",
        f"--CpcVoila.orphan_grace_s={opts.orphan_grace_seconds}",
    ]
    if connection_root is not None:
        argv.append(f"--Voila.connection_dir_root={connection_root}")
    return argv


def kernel_env(opts: ServerOptions, runtime: dict[str, Path]) -> dict[str, str]:
    """Environment variables the server sets for itself and its kernels."""
    env = {
        "CPC_DONNEES": str(opts.data_dir),
        "CPC_RAPPORTS": str(opts.reports_dir),
        ENV_SERVER: "1",
        "CPC_TABLEAU_JOURNAL": str(runtime["log"]),
        "JUPYTER_PATH": os.pathsep.join([str(runtime["jupyter_path"]),
                                         *[p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]]),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if opts.ip not in ("0.0.0.0", "::", "localhost"):
        env["VOILA_APP_IP"] = opts.ip if ":" not in opts.ip else f"[{opts.ip}]"
    env.pop("PLOTLY_RENDERER", None)
    env.update(opts.extra_env)
    return env


def _voila_class() -> Any:
    """The Voilà app with a read-only ``/rapports/`` route for the built static reports."""
    from jupyter_server.utils import url_path_join
    from traitlets import Int, Unicode
    from voila.app import Voila
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.static_file_handler import AllowListFileHandler
    from voila.tornado.handler import TornadoVoilaHandler

    from cpc_toolkit.dashboard import executor, gate

    executor.install()  # the preheated kernels' waiting cell has no timeout; failures in French

    class CpcVoilaHandler(TornadoVoilaHandler):
        """Never sees ``?template=`` / ``?theme=`` (overrides are off anyway; a stray value would also
        bypass the preheated kernels and force a cold start)."""

        def get_argument(self, name: str, default: Any = None, strip: bool = True) -> Any:
            if name in ("template", "theme"):
                return default
            return super().get_argument(name, default, strip)

        async def prepare(self, *args: Any, **kwargs: Any) -> None:
            result = super().prepare(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
            # sets the _xsrf cookie that Voilà's page sends back when it asks, on unload, to shut
            # its kernel down (without it the request is refused and kernels wait for culling)
            _ = self.xsrf_token

        async def get(self, path: str | None = None) -> None:
            """Render a dashboard if a kernel may be started for it, else a French 503 page."""
            admission: gate.Admission = self.settings["cpc_admission"]
            client = gate.client_key(self)
            if not admission.admit(client, self.kernel_manager):
                self.set_status(503)
                self.set_header("Retry-After", str(gate.RETRY_AFTER_S))
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.set_header("Cache-Control", "no-store")
                self.finish(gate.busy_page())
                return
            self._cpc_kernel_id: str | None = None
            try:
                await super().get(path)
            finally:
                admission.release(client, self._cpc_kernel_id)

        def write(self, chunk: Any) -> None:
            if getattr(self, "_cpc_kernel_id", "") is None:  # first chunks: note the page's kernel
                m = gate.KERNEL_ID.search(chunk if isinstance(chunk, str) else "")
                if m:
                    self._cpc_kernel_id = m.group(1)
            super().write(chunk)

        def should_use_rendered_notebook(self, notebook_data: Any, pool_size: int, template_name: Any,
                                         theme: Any, request_args: Any) -> bool:
            return super().should_use_rendered_notebook(notebook_data, pool_size, None, None, request_args)

    class CpcVoila(Voila):
        reports_root = Unicode("", config=True, help="Dossier des rapports statiques servis sous /rapports/.")
        max_kernels = Int(DEFAULT_MAX_KERNELS, config=True, help="Noyaux vivants au plus (0 : sans limite).")
        max_kernels_per_client = Int(DEFAULT_MAX_PER_CLIENT, config=True, help="Noyaux vivants au plus par client.")
        orphan_grace_s = Int(ORPHAN_GRACE_S, config=True,
                             help="Arrêt du noyau d'une page sans connexion depuis ce nombre de secondes.")

        def init_handlers(self) -> list:
            admission = gate.Admission(self.max_kernels, self.max_kernels_per_client)
            self.app.settings["cpc_admission"] = admission
            self._start_orphan_reaper(admission)
            handlers = [(h[0], CpcVoilaHandler, *h[2:]) if len(h) > 1 and h[1] is TornadoVoilaHandler else h
                        for h in super().init_handlers()]
            if self.reports_root:
                handlers.insert(0, (url_path_join(self.server_url, r"/rapports/(.*)"), AllowListFileHandler,
                                    {"allowlist": [REPORT_FILES], "denylist": [r".*\.(ipynb|py)", r"(.*/)?\..*"],
                                     "path": self.reports_root}))
            if self.token:  # one gate: every route but the kernels' own request-info socket
                handlers = [(h[0], gate.gated(h[1], self.token), *h[2:])
                            if len(h) > 1 and isinstance(h[1], type) and h[1] is not RequestInfoSocketHandler else h
                            for h in handlers]
            return handlers

        def _start_orphan_reaper(self, admission: gate.Admission) -> None:
            """Every few seconds, shut down the kernels of pages closed without asking for it
            (their kernel would otherwise wait for the idle cull, counting against the limits)."""
            from jupyter_core.utils import ensure_async
            from tornado.ioloop import PeriodicCallback

            km, grace, log = self.kernel_manager, self.orphan_grace_s, self.log

            async def reap() -> None:
                for kid in admission.orphans(km, grace):
                    admission.unconnected_since.pop(kid, None)
                    log.info("Noyau %s arrêté : sa page n'a plus de connexion depuis %s s.", kid, grace)
                    try:
                        await ensure_async(km.shutdown_kernel(kid))
                    except Exception:  # already gone: nothing to do
                        log.debug("arrêt du noyau %s", kid, exc_info=True)

            if grace > 0:
                self._cpc_reaper = PeriodicCallback(reap, max(1000, min(5000, grace * 250)))
                self._cpc_reaper.start()

    return CpcVoila


def serve(opts: ServerOptions, argv_extra: Sequence[str] = ()) -> int:
    """Run the dashboards server in the foreground until Ctrl-C / SIGTERM (kernels are shut down)."""
    opts = check_options(opts)
    check_port_free(opts.ip, opts.port)
    runtime_root = Path(tempfile.mkdtemp(prefix="cpc-tableau-"))
    try:
        runtime = prepare_runtime(runtime_root)
        env = kernel_env(opts, runtime)
        os.environ.update(env)
        os.environ.pop("PLOTLY_RENDERER", None)
        opts.reports_dir.mkdir(parents=True, exist_ok=True)
        argv = [*voila_argv(opts, runtime["notebooks"], runtime_root), *argv_extra,
                f"--CpcVoila.reports_root={opts.reports_dir}"]
        _voila_class().launch_instance(argv=argv)
    finally:
        shutil.rmtree(runtime_root, ignore_errors=True)
    return 0
