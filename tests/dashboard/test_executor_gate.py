"""The server's executor (untimed waiting cell, French failures) and its admission counts, without a server."""

from __future__ import annotations

import nbformat

from cpc_toolkit.dashboard.executor import WAIT_TAG, CpcExecutor
from cpc_toolkit.dashboard.gate import Admission, busy_page


def _cell(tags: list[str]) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["tags"] = tags
    return cell


def test_only_the_waiting_cell_has_no_timeout() -> None:
    ex = CpcExecutor(nbformat.v4.new_notebook(), timeout=20)
    assert ex._get_timeout(_cell([WAIT_TAG])) is None
    assert ex._get_timeout(_cell([])) == 20
    assert ex._get_timeout(_cell(["parameters"])) == 20


def test_timeouts_and_errors_become_a_french_message_with_a_retry() -> None:
    ex = CpcExecutor(nbformat.v4.new_notebook(), timeout=20)
    cell = _cell([])
    ex.show_code_cell_timeout(cell)
    cell2 = _cell([])
    cell2.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                            traceback=["Traceback …"])]
    ex.strip_code_cell_errors(cell2)
    for c in (cell, cell2):
        (out,) = c.outputs
        body = out["data"]["text/html"]
        assert out["output_type"] == "display_data" and "Réessayer" in body and "Erreur" in body
        for english in ("timed out", "Voilà", "Voila", "There was an error", "Traceback", "division"):
            assert english not in body


class _Kernels:
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self._pools: dict[str, list] = {}

    def list_kernel_ids(self) -> list[str]:
        return list(self.ids)


def test_admission_bounds_live_kernels_and_each_client() -> None:
    km = _Kernels(["k1", "k2"])
    adm = Admission(max_kernels=4, max_per_client=1)
    assert adm.admit("10.0.0.1", km)  # 2 live + 0 in flight < 4
    assert not adm.admit("10.0.0.1", km)  # one page of this client is being rendered
    assert adm.admit("10.0.0.2", km)  # 2 live + 1 in flight < 4
    assert not adm.admit("10.0.0.3", km)  # 2 live + 2 in flight = 4
    adm.release("10.0.0.1", "k3")
    km.ids.append("k3")
    assert not adm.admit("10.0.0.1", km)  # its kernel k3 is still alive
    km.ids.remove("k3")  # closed page: kernel shut down
    adm.release("10.0.0.2", None)
    assert adm.admit("10.0.0.1", km)


def test_a_page_kernel_without_connection_for_the_grace_period_is_an_orphan() -> None:
    km = _Kernels(["pool", "open", "closed", "never"])
    km._kernel_connections = {"pool": 0, "open": 1, "closed": 1, "never": 0}  # type: ignore[attr-defined]
    adm = Admission(max_kernels=0, max_per_client=0)
    for kid in ("open", "closed", "never"):
        adm.admit("10.0.0.1", km)
        adm.release("10.0.0.1", kid, now=0.0)
    assert adm.orphans(km, grace_s=30, now=10.0) == []  # "never" not yet connected, within the grace
    km._kernel_connections["closed"] = 0  # type: ignore[attr-defined]  # its page is closed
    assert adm.orphans(km, grace_s=30, now=20.0) == []  # "closed" seen without connection from t=20
    assert adm.orphans(km, grace_s=30, now=31.0) == ["never"]  # 31 s without any connection
    assert adm.orphans(km, grace_s=30, now=49.0) == ["never"]  # "closed": 29 s only
    assert sorted(adm.orphans(km, grace_s=30, now=51.0)) == ["closed", "never"]
    km.ids.remove("never")
    assert adm.orphans(km, grace_s=30, now=60.0) == ["closed"]  # shut down: forgotten
    assert "pool" not in adm.unconnected_since and "never" not in adm.unconnected_since


def test_busy_page_is_french() -> None:
    page = busy_page()
    assert "Serveur occupé, réessayez dans un instant" in page and 'lang="fr"' in page
