"""Server settings: security refusals, Voilà arguments, runtime layout (no server started here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpc_toolkit.cli.main import main
from cpc_toolkit.dashboard.server import (
    DASHBOARD_NOTEBOOKS,
    ServerOptions,
    check_options,
    check_port_free,
    prepare_runtime,
    voila_argv,
)
from cpc_toolkit.errors import UsageError


def _opts(**kw: object) -> ServerOptions:
    base = {"data_dir": Path("donnees"), "reports_dir": Path("reports")}
    return ServerOptions(**{**base, **kw})  # type: ignore[arg-type]


def test_public_address_without_token_is_refused() -> None:
    with pytest.raises(UsageError) as exc:
        check_options(_opts(ip="0.0.0.0"))
    assert "Refus de démarrer" in exc.value.message and "--token" in exc.value.message


def test_short_token_is_refused_and_long_token_accepted() -> None:
    with pytest.raises(UsageError, match="Jeton trop court"):
        check_options(_opts(ip="0.0.0.0", token="abc"))
    assert check_options(_opts(ip="0.0.0.0", token="x" * 20)).token == "x" * 20


def test_loopback_needs_no_token() -> None:
    for ip in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert check_options(_opts(ip=ip)).ip == ip


@pytest.mark.parametrize("bad", ["not an ip", "999.1.1.1"])
def test_invalid_address(bad: str) -> None:
    with pytest.raises(UsageError, match="Adresse d'écoute invalide"):
        check_options(_opts(ip=bad))


def test_base_url_normalised_and_validated() -> None:
    assert check_options(_opts(base_url="/tableaux")).base_url == "/tableaux/"
    with pytest.raises(UsageError, match="Préfixe"):
        check_options(_opts(base_url="/a b/"))


def test_voila_arguments_enforce_the_hardening() -> None:
    argv = voila_argv(check_options(_opts(port=9001)), Path("/srv/tableaux"))
    expected = {
        "--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO", "--VoilaConfiguration.allow_theme_override=NO",
        "--Voila.ip=127.0.0.1", "--Voila.port=9001", "--Voila.port_retries=0",
        "--VoilaConfiguration.preheat_kernel=True", "--HTMLExporter.language_code=fr",
        "--VoilaConfiguration.extension_denylist=jupyterlab-plotly",
    }
    assert expected <= set(argv)
    assert argv[0] == "/srv/tableaux"
    assert not any("debug" in a.lower() for a in argv)


def test_cli_refuses_public_address_with_french_message(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CPC_TABLEAU_JETON", raising=False)
    code = main(["tableau-de-bord", "--ip", "0.0.0.0", "--port", "8999"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Refus de démarrer" in err and "Traceback" not in err


def test_port_in_use_is_reported_in_french() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(UsageError, match="déjà utilisé"):
            check_port_free("127.0.0.1", port)


def test_runtime_holds_only_the_dashboards_and_the_french_template(tmp_path: Path) -> None:
    rt = prepare_runtime(tmp_path)
    assert sorted(p.name for p in rt["notebooks"].iterdir()) == sorted(DASHBOARD_NOTEBOOKS)
    tpl = rt["template"]
    assert json.loads((tpl / "conf.json").read_text())["base_template"] == "lab"
    assert (tpl / "static" / "plotly-widget.js").stat().st_size > 1_000_000
    assert (tpl / "static" / "plotly-basic.min.js").read_text(encoding="utf-8").startswith("/**")
    assert "Chargement du tableau de bord" in (tpl / "spinner.macro.html.j2").read_text(encoding="utf-8")


def test_committed_notebooks_are_thin_and_without_outputs() -> None:
    import nbformat

    from cpc_toolkit.dashboard.executor import WAIT_TAG
    from cpc_toolkit.dashboard.server import notebooks_dir

    for name in DASHBOARD_NOTEBOOKS:
        nb = nbformat.read(notebooks_dir() / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code)
        assert "parameters" in code[0].metadata.get("tags", [])
        assert sum(len(c.source.splitlines()) for c in code) <= 6
        assert "prepare(niveau)" in code[1].source and "show(pret)" in code[-1].source
        # the preheated kernel waits for its visitor in a cell of its own, which the server never times out
        waiting = [c for c in code if WAIT_TAG in c.metadata.get("tags", [])]
        assert len(waiting) == 1 and waiting[0].source.startswith("wait_for_visitor()")
        assert code.index(waiting[0]) == len(code) - 2
