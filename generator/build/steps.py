"""The steps of one build, run under the build lock by `build_all` (run.py): check the
records (pipeline.check_folder), render the site's docs and the wall printouts, run mkdocs,
scan for leaks, write the private records, then swap the new folders in."""

from __future__ import annotations

import gc
import hashlib
import pickle
import re
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import jinja2

from .. import disclosure_audit, keptfile, places, privacy, record_views, report_text, trace
from ..checks import CheckCache
from ..checks.examples import EXAMPLE_CODES
from ..gcpause import gc_paused, give_back
from ..money import yuan
from ..pipeline import CheckOutcome, check_read
from ..private import browser_share, memory, parallel, pdf as pdf_output, pdf_cache, printing, scratch, write_private
from ..private.browser import profile_parent
from ..private.carry import NAME as CARRY_NAME, link_or_copy
from ..private.paths import PRIVATE_MARKER
from ..progress import Progress
from ..reading import ReadCache, ReadResult, input_files, installed_cache, read_records
from ..render import PACKAGE_TEMPLATES, cache_compiled_templates, zh_date
from ..site import jieba_lazy, mkdocs_memo, render_site
from ..site.common import public_text
from ..site.mkdocs_run import MkdocsFailed, jieba_dictionary, run_mkdocs
from ..site.plan_facts import FactBlocks
from ..site.prints import wall_printouts
from ..site.public import fingerprint as public_fingerprint, public_view
from ..station import station
from . import publish
from .folders import SITE_MARKER, template_dirs, work_dir
from .private_job import Prelink, PrivateJob, start_method
from .site_carry import PageCarry, shared_key, versions
from .state import (
    code_key,
    input_key,
    load_state,
    manifest,
    options_key,
    pdf_inputs_unchanged,
    save_state,
    site_input_key,
    theme_fingerprint,
)


class Build:
    def __init__(self, records_dir: Path, site_dir: Path, private_dir: Path | None, today: date,
                 pdf: bool, echo, timings: dict, started: float):
        self.records_dir, self.site_dir, self.private_dir = records_dir, site_dir, private_dir
        self.today, self.pdf, self.echo, self.timings, self.started = today, pdf, echo, timings, started
        self.work = work_dir(site_dir)
        self.private_work = work_dir(private_dir) if private_dir is not None else None
        self.job: PrivateJob | None = None  # the private writer running beside the site stages
        self.prelink: Prelink | None = None  # its documents being linked during the read (private_job)
        self.private_manifest: str | None = None  # of the private folder written (private_folder)
        self.discard_later = False  # `bangfu serve`: the old site is deleted in the background
        self.on_swap = None  # `bangfu serve`: told the moment the new site is in place
        # the footprint of this build's leak scan (privacy.Footprint) to keep; None: none (the
        # scan failed or did not run). `footprint_holds`: the kept one is of this very site
        self.footprint: privacy.Footprint | None = None
        self.footprint_holds = False
        self.prints_likely = True  # whether this build will print a private PDF (_run, _prestart_browser)
        self.read: ReadResult | None = None  # the read, until its book left to keep is kept (_keep_read)
        self.pdf_key = ""  # with PDFs, pdf_cache.engine_fingerprint() (_run): in the build's keys
        # the browser does not fit beside this build's Python processes early (_prestart_browser):
        # the writer starts it only once it prints (memory.promise_room)
        self.browser_late = False

    @contextmanager
    def step(self, key: str, text: str):
        self.echo(f"{text}……")
        t = time.monotonic()
        with trace.span(key):
            yield
        self.timings[key] = time.monotonic() - t

    def _staging(self, work: Path, target: Path, prefix: str) -> Path:
        return work / f"{prefix}-{target.name}"

    def _prepare(self) -> None:
        if self.pdf:  # a browser profile (or joined pages) of a build the system killed
            scratch.remove_stale(scratch.places(profile_parent()))
        self.work.mkdir(parents=True, exist_ok=True)
        pairs = [(self.work, self.site_dir)]
        if self.private_dir is not None:
            self.private_work.mkdir(parents=True, exist_ok=True)
            pairs.append((self.private_work, self.private_dir))
        for work, target in pairs:
            if publish.recover(target, self._staging(work, target, "old")):
                self.echo(f"已恢复上次中断时的 {target}。")
            publish.remove(self._staging(work, target, "new"))
            publish.remove(self._staging(work, target, "old"))
            # leftovers of a killed build or remover, or a file that was held open: deleted
            # by a thread while this build reads, and handed over at its end if still there
            publish.clear_trash(work, how="thread" if self.discard_later else "process")

    def run(self) -> int:
        """The build; a fault of the computer (a read-only folder, a full disk, a file in use)
        ends it with a Chinese message, exit code 2, the previous site and private folder as
        they were, and no staging folder (with personal data) left behind."""
        try:
            return self._run()
        except OSError as err:
            self._stop_private()
            for work, target in ((self.work, self.site_dir), (self.private_work, self.private_dir)):
                if target is not None:
                    try:
                        publish.remove(self._staging(work, target, "new"))
                    except OSError:
                        self.echo(f"请手动删除临时文件夹 {self._staging(work, target, 'new')}（其中可能有个人信息）。")
            self.echo(environment_fault(err))
            return 2
        finally:
            self._keep_read()
            self._stop_private()  # a build that ends without the private records keeps none
            memory.room_made()  # (a writer stopped, or waited for: nothing to tell it any more)
            browser_share.discard_prestarted()  # the browser started for the writer (_prestart_browser)
            self._hand_over()
            gc.unfreeze()  # what _run froze is collected as ever again (`bangfu serve` builds on)

    def _keep_read(self) -> None:
        """Keep in the read store the book the read left to keep (read_records keep_later: a
        fresh build's register, whose sheet keys a child works out meanwhile). Called where the
        build waits for its private writer anyway, else at its end."""
        read, self.read = self.read, None
        if read is not None:
            try:
                read.keep_now()
            except OSError:  # only the next build's parse is at stake
                pass

    def _hand_over(self) -> None:
        """A build run once (not serve) does not wait for the old folders' deletion: what its
        threads have not deleted yet goes on being deleted by a detached process
        (publish.hand_over), and what that leaves the next build removes."""
        if not self.discard_later:
            publish.hand_over()

    def _discard(self, path: Path) -> None:
        """An old folder goes without the build waiting: under serve by a thread at once, in a
        build run once by a detached process at its end (publish.set_aside, hand_over)."""
        (publish.discard_later if self.discard_later else publish.set_aside)(path)

    def _stop_private(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
        if self.prelink is not None:  # a build that ended before its private writer started
            self.prelink.cancel()
            self.prelink = None

    def _run(self) -> int:
        self._prepare()
        cache_compiled_templates(self.work / "templates")
        tdirs = template_dirs(self.records_dir)
        state_path = self.work / f"state-{self.site_dir.name}.json"
        state = load_state(state_path)
        code = code_key(tdirs)
        self.code = code
        books: dict = {}
        private_key = self.private_dir and self.private_dir.resolve()
        # what the PDFs depend on besides their pages: another engine, version or font prints them again
        self.pdf_key = pdf_cache.engine_fingerprint() if self.pdf else ""
        key = input_key(self.records_dir, tdirs, today=self.today, pdf=self.pdf,
                        private_dir=private_key, code=code, books=books, pdf_key=self.pdf_key)
        options = options_key(today=self.today, pdf=self.pdf, private_dir=private_key, code=code,
                              pdf_key=self.pdf_key)
        # nothing a private PDF is made from changed (only the fund accounts): no browser started early
        self.prints_likely = not pdf_inputs_unchanged(state, books, options)
        site_now = manifest(self.site_dir)  # once per folder: a large private folder has 20,000 files
        site_ok = site_now is not None and state.get("site") == site_now
        # the pages of the site online, by fingerprint: unchanged ones are carried over
        self.pages = (state.get("pages") or {}) if site_ok else {}
        # the private folder (20,000 files at 20k workers: 0.3 s) is listed only when nothing
        # else changed: otherwise the build goes on, and the read starts without waiting for it
        if state.get("key") == key and site_ok and self._private_unchanged(state):
            if state.get("report"):
                self.echo(state["report"])
            self.echo(f"记录、模板和程序都没有变化，网站已是最新：{self.site_dir}"
                      f"（用时 {time.monotonic() - self.started:.1f} 秒）。")
            return 0
        outcome = self._check()
        report = report_text.render(outcome.problems, self.records_dir) if outcome.problems else ""
        if report:
            self.echo(report)
        if outcome.exit_code:
            self.echo("记录中有错误或无法读取的工作簿，本次没有生成网站，原网站保持不变。")
            return outcome.exit_code
        if any(p.code in EXAMPLE_CODES for p in outcome.problems):
            self.echo("工作簿中还有 bangfu init 生成的示例行或示例站点设置（见上面的提醒），不能作为本站数据公开："
                      "本次没有生成网站，原网站保持不变。请删除示例行、把站点设置改成本站信息后再生成。")
            return 1
        records = outcome.records
        site_input = self._site_input(records, code)
        kept = self._kept_site(state, site_input) if site_ok else None
        if kept is not None:  # nothing the pages are rendered from changed: none is rendered
            info, page_count = kept
            digest = state["docs"]
            self.echo("网站用到的记录、模板和程序都没有变化，沿用现有网站（没有重新生成页面）。")
        else:
            with self.step("render", "生成页面"):
                try:
                    docs, info = self._render(public_view(records), tdirs)
                except jinja2.TemplateError as err:
                    self.echo(f"网页模板有错误，本次没有生成网站：{_template_error(err)}")
                    return 1
            digest = hashlib.sha256("|".join((docs.digest(), theme_fingerprint(), repr(info.nav),
                                              repr(info.station))).encode()).hexdigest()
            docs_dir = self.work / "docs"
            if docs_dir.is_dir():  # the last build's Markdown goes in the background (folders are slow to delete)
                self._discard(docs_dir)
            docs.write(docs_dir)
            page_count = docs.page_count
            self.echo(f"已生成 {page_count} 个页面。")
        new_site = None
        scan = None
        if state.get("docs") == digest and site_ok:
            if kept is None:
                self.echo("页面内容没有变化，沿用现有网站。")
            with self.step("scan", "隐私检查（按新的记录检查现有网站）"):
                scan = self._kept_scan(records, code, site_now)
                if scan is None:
                    scan = self._footprint_scan(records, code, site_now)
                if scan is None:
                    scan = self._scan(self.site_dir, records)
                else:
                    self.footprint_holds = True  # the kept footprint is of this very site: it stays
            if not scan.ok:  # records changed: a name already on the site may now be a person's
                self.echo(privacy.report(scan).replace(
                    "原网站保持不变", "但现有网站中已有这些信息，请尽快改正后重新生成"))
                return 1
        else:
            new_site = self._staging(self.work, self.site_dir, "new")
            failed, scan = self._mkdocs(docs_dir, new_site, docs, info, records, tdirs)
            if failed:
                publish.remove(new_site)
                return failed
        tables = record_views.digest(records, record_views.TABLES)  # the scan's key (_keep_scan)
        new_private = None
        if self.private_dir is not None:
            if self._lets_go():  # nothing of the records is needed here any more: the writer prints on
                records = outcome = docs = kept = None
                self._keep_read()  # the read's book too, before the memory is handed back
                self._give_back()
                memory.room_made()  # the writer, waiting for this to print (memory.wait_for_room), prints
            try:
                new_private = self._private(records, info)
            except jinja2.TemplateError as err:  # a station's own private template (site_templates/private)
                publish.remove(self._staging(self.private_work, self.private_dir, "new"))
                if new_site is not None:
                    publish.remove(new_site)
                self.echo(f"内部材料模板有错误，本次没有更新网站和内部材料，原来的保持不变：{_template_error(err)}")
                return 1
        pairs = []
        if new_site is not None:
            pairs.append((new_site, self.site_dir, self._staging(self.work, self.site_dir, "old")))
        if new_private is not None:
            pairs.append((new_private, self.private_dir,
                          self._staging(self.private_work, self.private_dir, "old")))
        swapped = time.monotonic()
        # Both or neither. The old folders are deleted in the background: under serve (without
        # a private folder) while the new site is served; a build run once while it writes its
        # state below, and then by a detached process after it returns (`run`: publish.hand_over).
        background = not self.discard_later or new_private is None
        publish.swap_all(pairs, discard=self._discard if background else None)
        self.timings["swap"] = time.monotonic() - swapped
        if self.on_swap is not None and pairs:
            self.on_swap()
        if new_private is not None:
            self.echo(self.private_summary)
        try:
            self._keep_site_info(site_input, info, page_count)
            site_then = manifest(self.site_dir) if new_site is not None else site_now  # a carried site is as it was
            self._keep_scan(tables, code, site_then, scan)
            self._keep_footprint(code, site_then)
            save_state(state_path, {"key": key, "docs": digest, "site": site_then, "pages": self.pages,
                                    "private": self._private_manifest(new_private),
                                    "report": report, "site_input": site_input,
                                    "books": books, "options": options})
        except OSError as err:  # the new folders are in place: only the build's notes are missing
            _forget_state(state_path)
            self.echo(notes_fault(err))
        self.echo(summary_line(info, page_count, scan, time.monotonic() - self.started, self.site_dir))
        if privacy.excused_note(scan):
            self.echo(privacy.excused_note(scan))
        return 0

    def _private_manifest(self, new_private: Path | None) -> str | None:
        """The manifest of the private folder now in place: the one its writer worked out."""
        if self.private_dir is None:
            return None
        if new_private is not None and self.private_manifest is not None:
            return self.private_manifest
        return manifest(self.private_dir)

    def _private_unchanged(self, state: dict) -> bool:
        """The private folder is the one the last build wrote (or there is none)."""
        if self.private_dir is None:
            return True
        now = manifest(self.private_dir)
        return now is not None and state.get("private") == now

    def _check(self) -> CheckOutcome:
        """Read and check the records. Parsed workbooks are kept in the work folder of the
        private records (personal data stays beside the private staging folder), so the next
        build parses only the workbook that was saved (reading.cache)."""
        cache = installed_cache()
        if cache is None:
            cache = ReadCache()
        elif cache.store is None:  # `bangfu serve`: books stay in memory; the store only starts it
            cache.write_store = False
        if cache.store is None:
            cache.store = places.read_store(self.private_work or self.work, self.site_dir)
        with gc_paused():  # as check_folder: no collection over the records in between
            self.prelink = self._start_prelink()  # the last build's documents linked meanwhile
            self._prestart_browser()
            with self.step("read", "读取记录"):
                result = read_records(self.records_dir, cache=cache, keep_later=True, idle=self._idle_work())
            self.read = result
            if not result.unreadable:  # the private records start now, beside the check and the site;
                self.job = self._start_private(result.records)  # a build that stops ends them (run)
            # the checks' problems by module, with the personal data beside the read store
            kept_path = places.checks_kept(self.private_work or self.work, self.site_dir)
            kept = CheckCache.load(kept_path)
            outcome = check_read(result, self.today, step=self.step, kept=kept)
            kept.save(kept_path)
            # The records read and checked live until the build ends and hold no cycles: frozen
            # before the collector is back on, no collection of the stages after this walks
            # their millions of objects again (a full one, right here, cost 0.25 CPU s at
            # 20,000 workers). `run` unfreezes them at the end of the build.
            gc.freeze()
            return outcome

    def _site_input(self, records, code: str) -> str:
        """The fingerprint of everything the site is rendered from (state.site_input_key)."""
        with self.step("site_input", "核对网站用到的记录"):
            return site_input_key(public_fingerprint(public_view(records)), code=code, today=self.today,
                                  pdf_engine=self.pdf_key if pdf_writer(self.pdf) is not None else "",
                                  versions=versions())

    def _site_info_path(self) -> Path:
        return self.work / f"site-info-{self.site_dir.name}.pickle"

    def _kept_site(self, state: dict, site_input: str):
        """(SiteInfo, page count) of the live site when it was rendered from the same input,
        else None (the pages must be rendered)."""
        if state.get("site_input") != site_input or not state.get("docs"):
            return None
        try:
            kept = pickle.loads(self._site_info_path().read_bytes())
        except Exception:  # noqa: BLE001 - anything unreadable: render the pages
            return None
        if not isinstance(kept, dict) or kept.get("input") != site_input:
            return None
        return kept.get("info"), kept.get("pages")

    def _keep_site_info(self, site_input: str, info, page_count: int) -> None:
        """What the summary line and the private writer need from the rendering, for a build
        that carries the site (public information only: the site's own figures)."""
        path = self._site_info_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps({"input": site_input, "info": info, "pages": page_count}))
        tmp.replace(path)

    def _facts_path(self) -> Path:
        # archive numbers and amounts per payout: beside the private staging folders, as the read store
        return (self.private_work or self.work) / f"plan-facts-{self.site_dir.name}.pickle"

    def _render(self, records, tdirs):
        kept = keptfile.load_value(self._facts_path(), FactBlocks) or FactBlocks()
        site: dict = {}

        def pages(links) -> None:  # while the wall printouts' PDFs are laid out by one worker process
            try:
                site["pages"] = render_site(records, self.today, template_dirs=tdirs, prints=links, kept_facts=kept)
            except BaseException as err:  # noqa: BLE001 - raised below, after the PDFs
                site["error"] = err

        with tempfile.TemporaryDirectory(dir=self.work) as tmp:
            to_pdf = pdf_writer(self.pdf)
            files, _ = wall_printouts(records, Path(tmp), today=self.today, to_pdf=to_pdf,
                                      pdf_cache=self.work / "wall-pdf",
                                      pdf_key=self.pdf_key if to_pdf else "", meanwhile=pages)
        if "error" in site:
            raise site["error"]
        docs, info = site["pages"]
        if kept.changed:  # keyed by content: kept whether or not this build goes on to succeed
            keptfile.save(self._facts_path(), kept)
        for path, data in files.items():
            docs.add(path, data, kind="prints")
        return docs, info

    def _mkdocs(self, docs_dir, new_site, docs, info, records, tdirs):
        """mkdocs, the leak scan and the audit of the new site; the pages' conversions are kept
        in the work folder for the next build (mkdocs_memo.stored) once the site passed both."""
        store = self.work / f"pages-{self.site_dir.name}.pickle"
        with mkdocs_memo.stored(store, shared_key(self.code, versions(), sys.version)) as memo:
            failed, scan = self._mkdocs_run(docs_dir, new_site, docs, info, records)
            if not failed:
                memo.keep()
        return failed, scan

    def _mkdocs_run(self, docs_dir, new_site, docs, info, records):
        bar = Progress(self.echo, "MkDocs 写出页面", docs.page_count)
        with self.step("mkdocs", f"MkDocs 生成网站（{docs.page_count} 个页面）"):
            options = {"site_name": info.station.name, "nav": info.nav, "site_url": info.station.site_url,
                       "station": info.station.name, "date_text": zh_date(self.today),
                       "jieba_dict": jieba_dictionary(self.work, info.search_words)}
            shared = {k: v for k, v in options.items() if k != "jieba_dict"}  # its content, not its place
            carry = PageCarry(shared_key(shared, options["jieba_dict"].read_bytes(), theme_fingerprint()),
                              self.pages, self.site_dir if self.pages else None, self.work / "templates-mkdocs")
            try:
                warnings = run_mkdocs(docs_dir, new_site, **options, pages=docs.page_count, progress=bar.update,
                                      plugins={"bangfu/carry": carry})
                bar.done()
            except MkdocsFailed as err:
                self.echo(f"{err}。本次没有生成网站，原网站保持不变。")
                return 1, None
        for w in warnings:
            self.echo(f"MkDocs 提示：{w}")
        self.pages = carry.fingerprints
        if carry.carried:
            self.echo(f"其中 {len(carry.carried)} 个页面没有变化，沿用现有网站的页面。")
        (new_site / SITE_MARKER).write_text("bangfu\n", encoding="utf-8")
        with self.step("scan", "隐私检查"):
            scan = self._scan(new_site, records)
        if not scan.ok:
            self.echo(privacy.report(scan))
            return 1, scan
        with self.step("audit", "统计推算检查"):
            derived = disclosure_audit.audit(new_site, records, self.today)
        if derived:
            self.echo(disclosure_audit.report(derived))
            return 1, scan
        return 0, scan

    def _scan_key(self, tables: str, code: str, site: str | None) -> str | None:
        """Everything the leak scan's verdict depends on: every table of the records with the
        sheets' places (whose digests the read keeps: record_views), the program and the
        templates (`code`, state.code_key), the theme's version and the site's files (their
        manifest). None without a site."""
        if site is None:
            return None
        return hashlib.sha256("|".join(("scan-1", tables, code, versions(), site)).encode()).hexdigest()

    def _scan_result_path(self) -> Path:
        return self.work / f"scan-result-{self.site_dir.name}.pickle"

    def _kept_scan(self, records, code: str, site: str | None) -> privacy.Scan | None:
        """The last scan's verdict when it judged the same records against the same site with the
        same program, else None (scan). An edited visit note changes the records: it is scanned."""
        key = self._scan_key(record_views.digest(records, record_views.TABLES), code, site)
        try:
            kept = pickle.loads(self._scan_result_path().read_bytes())
        except Exception:  # noqa: BLE001 - anything unreadable: scan
            return None
        if key is None or not isinstance(kept, dict) or kept.get("key") != key \
                or not isinstance(kept.get("scan"), privacy.Scan):
            return None
        return kept["scan"]

    def _keep_scan(self, tables: str, code: str, site: str | None, scan) -> None:
        """Keep the verdict of the scan of the site now online, keyed by its inputs (_scan_key);
        written whole or not at all, and only ever read back for exactly the same inputs."""
        key = self._scan_key(tables, code, site)
        path = self._scan_result_path()
        if key is None or scan is None:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps({"key": key, "scan": scan}, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)

    def _footprint_path(self) -> Path:
        # digests of personal data: beside the private staging folders, as the kept values
        return (self.private_work or self.work) / f"scan-footprint-{self.site_dir.name}.pickle"

    def _footprint_key(self, code: str, site: str | None) -> str | None:
        return None if site is None else hashlib.sha256(
            "|".join(("footprint-1", code, versions(), site)).encode()).hexdigest()

    def _footprint_scan(self, records, code: str, site: str | None) -> privacy.Scan | None:
        """The scan of the live site, unchanged since its last scan passed, for these records
        from that scan's footprint (privacy.Footprint.judge): only values new since then are
        looked for, in the text it searched; None (scan the site) without a footprint of
        exactly this site and program, or when the footprint cannot decide."""
        started = time.monotonic()
        key = self._footprint_key(code, site)
        footprint = keptfile.load_value(self._footprint_path(), privacy.Footprint)
        if key is None or footprint is None or footprint.key != key:
            return None
        try:
            scan = footprint.judge(records)
        except Exception:  # noqa: BLE001 - a footprint of another shape (an older program): scan
            return None
        if scan is not None:
            self.timings["footprint"] = time.monotonic() - started
        return scan

    def _keep_footprint(self, code: str, site: str | None) -> None:
        """Keep the footprint of the scan this build ran (if it ran one and it passed) for the
        site now online; a build that judged from the footprint keeps the one it used (the site
        is the same); any other build removes it."""
        footprint, path = self.footprint, self._footprint_path()
        if self.footprint_holds:
            return
        key = self._footprint_key(code, site)
        if footprint is None or key is None:
            path.unlink(missing_ok=True)
            return
        footprint.key = key
        keptfile.save(path, footprint)

    def _scan(self, site: Path, records) -> privacy.Scan:
        """The leak scan; the files that did not change since the last scan are not read again
        (their text is kept in the work folder, see privacy.FileCache)."""
        with gc_paused():  # loading the kept texts and values makes many objects, none of them cyclic
            return self._scan_with_caches(site, records)

    def _scan_with_caches(self, site: Path, records) -> privacy.Scan:
        path = self.work / f"scan-{self.site_dir.name}.pickle"
        cache = privacy.FileCache.load(path)
        # the values looked for, by table: personal data, kept beside the private staging folder
        kept_path = (self.private_work or self.work) / f"needles-{self.site_dir.name}.pickle"
        needles = privacy.NeedleCache.load(kept_path)
        tables: dict = {}
        scan = privacy.scan_site(site, records, [PACKAGE_TEMPLATES], cache, needles, tables=tables)
        self.footprint = privacy.Footprint.take("", records, tables, cache, scan, needles.blobs(tables))
        cache.save(path)
        needles.save(kept_path)
        return scan

    def _start_private(self, records) -> PrivateJob | None:
        """The private writer started in a process of its own (private_job.py), so that it
        runs while this process builds the site; None when there is no private folder or
        one core (then `_private` writes it here, after the site)."""
        if self.private_dir is None or parallel.jobs() <= 1:
            return None
        staging = self._staging(self.private_work, self.private_dir, "new")
        prelink, self.prelink = self.prelink, None
        if prelink is None:  # else the staging folder is the one the prelink fills
            publish.remove(staging)
            staging.mkdir(parents=True)
        job = PrivateJob(private_folder, records, staging, self.private_dir, today=self.today, pdf=self.pdf,
                         site_url=station(records, self.today, text=public_text).site_url or None,
                         prelink=prelink)
        if self._will_let_go():  # the writer may wait for this process to let go before it prints
            memory.promise_room(late=self.browser_late)
        job.start()
        if start_method() == "fork" and job.process is not None and job.process.pid is not None:
            # the browser _prestart_browser started: the forked writer's now (adopt_prestarted)
            browser_share.hand_to_child(job.process.pid)
        return job

    def _prestart_browser(self) -> None:
        """A build with PDFs prints: all of them when the last build printed none (a fresh build),
        and, after most edits, a dossier, a receipt sheet, the index or the work list. So the
        browser is started now, before the read, and boots while the workbooks are read and the
        forked private writer renders or works out what changed (on a fresh build the second core
        is idle while the read runs); the writer takes it over (browser_share.adopt_prestarted)
        and ends it, or `run` does (a rebuild that printed nothing). Not when the last build
        printed and only workbooks that feed no PDF changed since (the fund accounts: `_run`,
        state.pdf_inputs_unchanged): a browser started for nothing costs about 0.7 CPU-s. Linux
        only (the writer watches it through /proc); elsewhere the writer starts it itself once it
        finds a document to print."""
        if not self.pdf or self.private_dir is None or parallel.jobs() <= 1 or not sys.platform.startswith("linux") \
                or start_method() != "fork":
            return
        if not self.prints_likely and (self.private_dir / pdf_cache.Cache.NAME).is_file():
            return  # the last build printed, and only workbooks that feed no PDF changed since
        if pdf_output.volume_engine() != "chromium":
            return  # no browser prints (WeasyPrint): none to start, no budget to wait for
        if not memory.early_browser(_book_bytes(self.records_dir), printing.memory_budget_mb(), printing.BROWSER_MB):
            # not started now; the writer starts it when it prints: on a fresh build (the estimate's
            # case: the writer renders every document) only once this process let go (`late`); on a
            # rebuild when it fits beside the build's processes as measured then (printing.write)
            self.browser_late = self._will_let_go() and self._fresh()
            return
        if pdf_output.document_engine() == "chromium":
            pdf_output.prestart_for_child()

    def _idle_work(self):
        """What the read does while it waits for a child's book (read_records' `idle`): the pinyin
        of the filing order, for a private writer forked after the read that has no readings of a
        last build to seed it (a fresh build: _fresh). None otherwise."""
        if self.private_dir is None or not self._fresh() or parallel.jobs() <= 1 \
                or start_method() != "fork":
            return None
        from ..private.filing_warmup import warm_filing_order

        return warm_filing_order

    def _fresh(self) -> bool:
        """Whether the private writer has no last build to carry from (a fresh build): no
        fingerprints file in the private folder. It renders every document then, and has no
        readings to seed its filing order: the early browser's `late` (_prestart_browser) and the
        filing order's warm-up (_idle_work) ask this, and the prelink (private_job.Prelink.start)
        starts only where it is not. The same after a private folder deleted by hand (fresh) or an
        interrupted build (the private folder is swapped in whole or not at all: the last whole
        build's fingerprints stay); a changed setting or template is not fresh (its fingerprints
        file stays, and tells the writer what to render again)."""
        return self.private_dir is None or not (self.private_dir / CARRY_NAME).is_file()

    def _start_prelink(self) -> Prelink | None:
        """The prelink of the private writer's documents (private_job.Prelink), started before
        the read where the writer will run in a forked process; None otherwise."""
        if self.private_dir is None or parallel.jobs() <= 1 or not self.private_dir.is_dir():
            return None
        staging = self._staging(self.private_work, self.private_dir, "new")
        publish.remove(staging)
        staging.mkdir(parents=True)
        return Prelink.start(self.private_dir, staging)

    def _will_let_go(self) -> bool:
        """Whether this process will let go of its records before it waits for a private writer
        it forks (_lets_go), as known before the writer starts."""
        return (self.pdf and self.private_dir is not None and not self.discard_later and installed_cache() is None
                and parallel.jobs() > 1 and start_method() == "fork")

    def _lets_go(self) -> bool:
        """Whether this process lets go of the records before waiting for its private writer: a
        build run once (not serve, which keeps its books between builds) whose writer runs in a
        process of its own and prints PDFs. Printing takes most of such a build (20,000 workers:
        about half an hour), all of it beside this process's records, checks and site (about
        540 MiB) kept for nothing: the build's memory budget is the whole tree's
        (printing.MEMORY_BUDGET_MB). Without PDFs the wait is short and the freeing would cost
        more than it gives."""
        return self.job is not None and self.pdf and not self.discard_later and installed_cache() is None

    def _give_back(self) -> None:
        """Let go of what this process keeps of the records beyond the build's locals (the writer
        has its own: forked, or sent pickled) and hand the memory back to the system."""
        record_views.forget_tables()
        privacy.forget()
        jieba_lazy.forget()  # the search index's dictionary: no more site is built here
        gc.unfreeze()  # what _check froze: collected again, now that most of it is garbage
        give_back()

    def _private(self, records, info) -> Path:
        staging = self._staging(self.private_work, self.private_dir, "new")
        if self.job is not None:
            self._keep_read()  # while the writer works on (this process would only wait for it)
            memory.room_made()  # (made already where this process let go: _run)
            with self.step("private", "生成内部材料"):
                self.private_summary, self.private_manifest = self.job.wait(self.echo)
            self.timings["private_wait"] = self.timings["private"]  # the part the site did not cover
            self.timings["private"] = self.job.seconds
            self.job = None
            return staging
        publish.remove(staging)
        staging.mkdir(parents=True)
        with self.step("private", "生成内部材料"):
            self.private_summary, self.private_manifest = private_folder(
                records, staging, self.private_dir, today=self.today, pdf=self.pdf,
                site_url=info.station.site_url or None, echo=self.echo)
        return staging


def _book_bytes(records_dir: Path) -> int:
    """The size of the workbooks in `records_dir` in bytes (what memory.early_browser estimates
    the build's Python processes from)."""
    total = 0
    for path in input_files(records_dir):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def private_folder(records, staging: Path, private_dir: Path, *, today: date, pdf: bool,
                   site_url: str | None, echo) -> tuple[str, str | None]:
    """Write the private records into the empty staging folder (carrying unchanged documents
    over from the live `private_dir`); the summary for the clerk, naming the live folder, and
    the folder's manifest (state.manifest, the same once it is swapped in: its documents' sizes
    and times known to the writer, not looked at again)."""
    _seed_pdfs(private_dir, staging)
    written = write_private(records, staging, today=today, pdf=pdf, site_url=site_url, echo=echo,
                            previous=private_dir if private_dir.is_dir() else None)
    _keep_reports(private_dir, staging)
    (staging / PRIVATE_MARKER).write_text("bangfu\n", encoding="utf-8")
    return written.summary().replace(str(staging), str(private_dir)), manifest(staging, written.known)


def summary_line(info, pages: int, scan, seconds: float, site_dir: Path) -> str:
    return (f"完成：网站已生成到 {site_dir}（{pages} 个页面；公示 {info.notices} 个，其中公示中 {info.running} 个；"
            f"帮扶政策 {info.items} 项；资金账户 {info.funds} 个，累计收入 {yuan(info.income)} 元、"
            f"支出 {yuan(info.spending)} 元，余额 {yuan(info.balance)} 元）。"
            + (f"隐私检查通过（{scan.files} 个文件，{scan.values} 项个人信息）。" if scan else "")
            + f"用时 {seconds:.1f} 秒。")


def pdf_writer(pdf: bool):
    """The PDF renderer for the wall printouts (all changed pages at once, in worker processes)
    when PDFs are wanted and an engine works here, else None."""
    return pdf_output.write_many if pdf and pdf_output.available() else None


def _seed_pdfs(old: Path, staging: Path) -> None:
    """Link (or copy) the last build's PDFs and their digests into the new folder, so that the
    private writer re-renders only the PDFs whose documents changed."""
    cache = pdf_cache.Cache.NAME
    if not old.is_dir() or not (old / cache).exists():
        return
    for path in [old / cache, *old.rglob("*.pdf")]:
        link_or_copy(path, staging / path.relative_to(old))


def _keep_reports(old: Path, staging: Path) -> None:
    """Workbooks the clerk asked for survive the build's swap: the build never deletes them.
    These are quarterly workbooks that `bangfu report` saved in its default place (for
    example a quarter still running) and 办结表 of a period from `bangfu cases`. A workbook the
    last build wrote itself (in its fingerprints file, untouched since) is not the clerk's: one
    this build no longer writes (a quarter no longer present) goes, as in a fresh build."""
    from ..private import carry, closing
    from ..private.report import FOLDER

    built = carry.load(Path(old) / carry.NAME)
    for name, kept in ((FOLDER, lambda path: True), (closing.FOLDER, lambda path: closing.is_period_name(path.name))):
        folder = Path(old) / name
        if not folder.is_dir():
            continue
        for path in folder.glob("*.xlsx"):
            target = staging / name / path.name
            if kept(path) and not target.exists() and not _built(built.get(f"{name}/{path.name}"), path):
                target.parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(path, target)


def _built(entry, path: Path) -> bool:
    """Whether `path` is the file a build wrote (its fingerprints entry's size and time)."""
    if type(entry) is not dict:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return entry.get("size") == st.st_size and entry.get("mtime") == st.st_mtime_ns


def _template_error(err: jinja2.TemplateError) -> str:
    """Where a template went wrong and why. A syntax error names its file and line; an error
    while rendering (e.g. an undefined field) only has them in its traceback, which for the
    private writer's process is in the note it came back with."""
    where = getattr(err, "filename", None) or getattr(err, "name", None) or ""
    line = getattr(err, "lineno", None)
    if not where:
        frames = re.findall(r'File "([^"]+\.(?:html|j2|css|md))", line (\d+)', "".join(traceback.format_exception(err)))
        if frames:
            where, line = frames[-1][0], int(frames[-1][1])
    place = f"{where} 第 {line} 行：" if where and line else (f"{where}：" if where else "")
    return f"{place}{err.message if hasattr(err, 'message') and err.message else err}"


def environment_fault(err: OSError) -> str:
    """The Chinese message for a fault of the computer, not of the records, before anything
    was put in place."""
    return (f"无法写入{_fault_where(err)}：{_fault_reason(err)}。本次没有更新网站和内部材料，"
            "原来的网站和内部材料保持不变。请检查文件夹权限和磁盘空间后重新运行。")


def notes_fault(err: OSError) -> str:
    """The Chinese message for a fault of the computer after the new site and private folder
    were put in place, while the build kept its notes (state, scan results): the output is
    the new one, the next build checks and writes everything again."""
    return (f"网站和内部材料已经更新，但无法写入{_fault_where(err)}：{_fault_reason(err)}。"
            "本次构建的记录没有保存，下次运行会重新检查并生成全部内容（需要多花一些时间）。"
            "请检查文件夹权限和磁盘空间。")


def _forget_state(state_path: Path) -> None:
    """The last build's state no longer describes the folders in place: removed where it can be
    (a state that cannot be removed still names the old folders' manifests, which no longer
    match, so nothing is carried by it)."""
    try:
        state_path.unlink()
    except OSError:
        pass


def _fault_where(err: OSError) -> str:
    return f"“{err.filename}”" if err.filename else "输出文件夹"


def _fault_reason(err: OSError) -> str:
    import errno

    return {
        errno.EACCES: "没有写入权限，文件夹可能是只读的或被其他程序占用",
        errno.EPERM: "不允许修改，文件夹可能是只读的或被锁定",
        errno.EROFS: "所在的磁盘是只读的",
        errno.ENOSPC: "磁盘空间不足",
        errno.EDQUOT: "磁盘空间配额已用完",
        errno.EFBIG: "文件过大或磁盘空间不足",
        errno.EBUSY: "文件正被其他程序使用",
    }.get(err.errno or 0, err.strerror or type(err).__name__)
