"""A real build with PDFs within a memory budget: the browser lanes are as many as the budget
holds beside the build's Python processes (printing.browser_lanes, lanes_within); a budget too
small for two lanes prints with one, and every PDF reads as when two lanes print them."""
from pathlib import Path

import pytest

from generator.private import pdf as pdf_output

from private_station import TODAY, write_station


def page_texts(folder: Path) -> dict[str, list[str]]:
    """The text of every page of every PDF under `folder` (the stamps left out), by name."""
    import pypdf

    return {p.relative_to(folder).as_posix(): [page.extract_text() for page in pypdf.PdfReader(p).pages]
            for p in sorted(folder.rglob("*.pdf")) if ".pdf-stamps" not in p.parts}


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(pdf_output.find_browser() is None, reason="needs Chromium")
def test_a_build_with_a_tiny_memory_budget_prints_with_one_lane_the_same_pdfs(tmp_path, monkeypatch):
    from generator.build import build_all, private_job
    from generator.private import printing

    monkeypatch.delenv("BANGFU_PDF_ENGINE", raising=False)
    monkeypatch.setattr(pdf_output, "_state", {})  # the engine chosen afresh, not as an earlier test left it
    monkeypatch.setenv("BANGFU_PDF_JOBS", "2")  # two cores
    monkeypatch.setattr(printing, "LANE_DOCUMENTS", 1)  # enough work for two lanes at this size
    chosen = tmp_path / "lanes.txt"  # written by the private writer, a child process
    real = printing.browser_lanes

    def counted(*args, **kwargs):
        lanes = real(*args, **kwargs)
        with open(chosen, "a", encoding="ascii") as f:
            f.write(f"{lanes}\n")
        return lanes

    monkeypatch.setattr(printing, "browser_lanes", counted)
    # the writer forked, so that it counts with `counted`: in a long run a thread an earlier test
    # left behind would make the build spawn it (no other threads: fork), with the real function
    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    texts = {}
    for name, budget in (("roomy", "100000"), ("tiny", "1")):
        monkeypatch.setenv("BANGFU_MEMORY_MB", budget)
        chosen.write_text("", encoding="ascii")
        write_station(tmp_path / name / "records")
        lines: list[str] = []
        code = build_all(tmp_path / name / "records", site_dir=tmp_path / name / "site",
                         private_dir=tmp_path / name / "private", today=TODAY, pdf=True, echo=lines.append)
        assert code == 0, "\n".join(lines)
        lanes = [int(n) for n in chosen.read_text(encoding="ascii").split()]
        assert lanes and max(lanes) == (2 if name == "roomy" else 1), (lanes, lines)
        texts[name] = page_texts(tmp_path / name / "private")
    assert texts["tiny"] == texts["roomy"]
    assert "档案/档案目录.pdf" in texts["tiny"] and "签收单/全部签收单.pdf" in texts["tiny"]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(pdf_output.find_browser() is None, reason="needs Chromium")
def test_the_build_lets_go_of_its_records_while_its_writer_prints_and_writes_the_same(tmp_path, monkeypatch):
    """A build run once with PDFs (Build._lets_go) lets go of its records, the rows the digests
    kept and the scans' memory once the site is built, while its private writer (forked) prints
    on; the private folder, its PDFs and the scan's key it keeps are those of a build that
    holds everything to its end."""
    import pickle

    from generator import record_views
    from generator.build import build_all, private_job, steps
    from generator.reading import read_records

    monkeypatch.delenv("BANGFU_PDF_ENGINE", raising=False)
    monkeypatch.setattr(pdf_output, "_state", {})
    monkeypatch.setenv("BANGFU_PDF_JOBS", "2")
    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    let_go: list[bool] = []
    real = steps.Build._give_back

    def given_back(self):
        assert self.job is not None and self.job.records is None  # the writer (done or printing) has its own
        real(self)
        assert not record_views._LAST
        let_go.append(True)

    monkeypatch.setattr(steps.Build, "_give_back", given_back)
    texts, pages = {}, {}
    for name, lets_go in (("lets go", True), ("holds", False)):
        if not lets_go:
            monkeypatch.setattr(steps.Build, "_lets_go", lambda self: False)
        write_station(tmp_path / name / "records")
        lines: list[str] = []
        code = build_all(tmp_path / name / "records", site_dir=tmp_path / name / "site",
                         private_dir=tmp_path / name / "private", today=TODAY, pdf=True, echo=lines.append)
        assert code == 0, "\n".join(lines)
        assert let_go == [True], lines  # the first build only
        texts[name] = page_texts(tmp_path / name / "private")
        pages[name] = {p.relative_to(tmp_path / name / "private").as_posix(): p.read_bytes()
                       for p in sorted((tmp_path / name / "private").rglob("*.html"))}
        kept = pickle.loads(next((tmp_path / name / ".bangfu").glob("scan-result-*.pickle")).read_bytes())
        records = read_records(tmp_path / name / "records").records
        site = steps.manifest(tmp_path / name / "site")
        expected = steps.Build._scan_key(None, record_views.digest(records, record_views.TABLES),  # type: ignore[arg-type]
                                         steps.code_key(steps.template_dirs(tmp_path / name / "records")), site)
        assert kept["key"] == expected  # the next build with nothing changed takes the kept verdict
    assert texts["lets go"] == texts["holds"] and "签收单/全部签收单.pdf" in texts["holds"]
    assert pages["lets go"] == pages["holds"]
