"""上墙公示: public A4 printouts of running notices and policies, with no personal data."""

from datetime import date
from pathlib import Path

import pytest
import segno

from generator import schema
from generator.records import Batch, Payout, Records, Worker
from generator.site.wall import write_wall_printouts

from private_station import MEMBERS, TODAY, WORKERS, read_station


@pytest.fixture(scope="module")
def wall(tmp_path_factory):
    records = read_station(tmp_path_factory.mktemp("station") / "records")
    out = tmp_path_factory.mktemp("wall")
    paths = write_wall_printouts(records, out, today=TODAY)
    return records, out, paths


def pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}


def test_running_notices_and_every_policy(wall):
    records, out, paths = wall
    names = sorted(pages(out))
    assert names == sorted(["index.html", "notices/GS-2026-05.html", "policies/生活救助.html",
                            "policies/医疗救助_大病.html", "policies/医疗互助.html",
                            "policies/金秋助学_大学.html", "policies/送温暖.html"])
    assert all(p.exists() for p in paths)


def test_notice_content(wall):
    _, out, _ = wall
    page = pages(out)["notices/GS-2026-05.html"]
    for text in ("示范镇总工会困难职工帮扶站", "2026年第四季度生活救助公示", "张*", "谢*", "尉迟*",
                 "示范镇纺织厂", "生活救助", "300.00", "合计 3 人次", "900.00",
                 "公示期：2026年11月20日至2026年11月26日（共 7 天）", "0531-88880000",
                 "示范镇人民路 88 号镇总工会一楼", "12351", "2026年11月20日", "如有异议"):
        assert text in page, text
    assert '<html lang="zh-CN">' in page and 'font-family: "Noto Sans CJK SC"' in page


def sensitive_values(records: Records, include_names: bool) -> set[str]:
    """Every identifying value of a person in the records, by the schema's marks."""
    marks = {schema.S_IDNO, schema.S_PHONE, schema.S_ADDRESS, schema.S_BANK, schema.S_FAMILY,
             schema.S_NOTE} | ({schema.S_NAME} if include_names else set())
    values = set()
    for key, sheet in (("workers", schema.WORKERS), ("members", schema.MEMBERS), ("visits", schema.VISITS)):
        for rec in getattr(records, key):
            for col in sheet.columns:
                value = getattr(rec, col.key)
                if col.sensitive in marks and isinstance(value, str) and len(value) >= 2:
                    values.add(value)
    return values


def test_no_personal_data_on_the_wall(wall):
    records, out, _ = wall
    leaks = sensitive_values(records, include_names=True)
    assert {w["id_number"] for w in WORKERS} <= leaks and {m["name"] for m in MEMBERS} <= leaks
    for name, page in pages(out).items():
        found = sorted(v for v in leaks if v in page)
        assert not found, (name, found)
    notice = pages(out)["notices/GS-2026-05.html"]
    for health in schema.HEALTH[1:]:
        assert health not in notice


def test_full_names_only_when_the_station_opts_in(tmp_path):
    records = read_station(tmp_path / "records", settings={"full_names": True})
    write_wall_printouts(records, tmp_path / "wall", today=TODAY)
    page = (tmp_path / "wall" / "notices" / "GS-2026-05.html").read_text(encoding="utf-8")
    assert "张伟" in page and "尉迟敬" in page and "姓名已部分隐去" not in page
    leaks = sensitive_values(records, include_names=False)
    assert not [v for v in leaks if v in page]


def test_qr_codes_link_to_the_site_pages(wall):
    _, out, _ = wall
    notice = pages(out)["notices/GS-2026-05.html"]
    url = "https://bangfu.example.org/notices/GS-2026-05/"
    expected = segno.make(url, error="m").svg_inline(scale=0.8, unit="mm", title="扫码查看网上公示")
    assert expected in notice and url in notice
    policy = pages(out)["policies/医疗救助_大病.html"]
    # the site has no directory URLs (it also works as files): a policy page is policies/<name>.html
    encoded = "https://bangfu.example.org/policies/%E5%8C%BB%E7%96%97%E6%95%91%E5%8A%A9_%E5%A4%A7%E7%97%85.html"
    assert segno.make(encoded, error="m").svg_inline(scale=0.8, unit="mm", title="扫码查看网上政策") in policy
    assert "https://bangfu.example.org/policies/医疗救助_大病.html" in policy


def test_no_qr_code_without_a_site_address(tmp_path):
    records = read_station(tmp_path / "records", settings={"site_url": None})
    write_wall_printouts(records, tmp_path / "wall", today=TODAY)
    for page in pages(tmp_path / "wall").values():
        assert "<svg" not in page and "扫码" not in page


def test_policy_content(wall):
    _, out, _ = wall
    page = pages(out)["policies/医疗救助_大病.html"]
    for text in ("帮扶对象", "本人、配偶或子女患重大疾病的困难职工", "医疗自付费用超过 5,000.00 元的部分按 80% 救助",
                 "最高 10,000.00 元", "救助金额 =（医疗自付费用 − 5,000.00）× 80%",
                 "例：医疗自付费用 10,000.00 元，救助金额 =（10,000.00 − 5,000.00）× 80% = 4,000.00 元",
                 "<li>县级以上医院病情证明</li>", "<li>户口簿</li>", "6 个工作日", "须经公示 7 天无异议后发放",
                 "每年最多 1 次", "0531-88880000", "12351"):
        assert text in page, text
    custom = pages(out)["policies/生活救助.html"]
    assert "<li>公示 7 天</li>" in custom and "<li>本人申请</li>" in custom
    assert "无需公示" in pages(out)["policies/送温暖.html"]


def test_unsafe_batch_numbers_stay_in_the_folder(tmp_path):
    records = Records(folder=tmp_path / "records",
                      workers=[Worker(archive_no="A1", name="张三", employer="甲厂", category="相对困难")],
                      batches=[Batch(batch_no="../../x", title="公示", kind="帮扶公示", start=date(2026, 11, 20)),
                               Batch(batch_no="CON", title="公示", kind="帮扶公示", start=date(2026, 11, 21))],
                      payouts=[Payout(record_no="1", archive_no="A1", item="生活救助", batch="CON")])
    out = tmp_path / "wall"
    paths = write_wall_printouts(records, out, today=TODAY)
    assert sorted(p.name for p in (out / "notices").iterdir()) == ["_CON.html", "x.html"]
    assert all(out.resolve() in p.resolve().parents for p in paths)
    assert "张*" in (out / "notices" / "_CON.html").read_text(encoding="utf-8")


def test_printout_names_and_qr_addresses_match_the_site_pages(tmp_path):
    """The site (generator.site) names notice and policy pages with the same functions."""
    from generator.paths import notice_slugs, policy_slugs
    from generator.site.notices import build_notices
    from generator.site.policies import build_items

    from private_station import BATCHES

    extra = [{"batch_no": "index", "title": "保留名", "kind": "帮扶公示", "start": date(2026, 11, 21)},
             {"batch_no": "gs-2026-05", "title": "大小写", "kind": "建档公示", "start": date(2026, 11, 22)}]
    records = read_station(tmp_path / "records", tables={"batches": [*BATCHES, *extra]})
    site_notices = {str(n.batch_no): n.slug for n in build_notices(records, TODAY)}
    from generator import disclosure
    assert notice_slugs([v.batch.batch_no for v in disclosure.views(records, TODAY)]) == site_notices
    assert policy_slugs([i.name for i in records.items]) == {i.name: i.slug for i in build_items(records, TODAY)}
    write_wall_printouts(records, tmp_path / "wall", today=TODAY)
    for batch_no in ("index", "gs-2026-05", "GS-2026-05"):
        slug = site_notices[batch_no]
        page = (tmp_path / "wall" / "notices" / f"{slug}.html").read_text(encoding="utf-8")
        assert f"https://bangfu.example.org/notices/{slug}/" in page


@pytest.mark.slow
def test_the_address_under_the_qr_code_never_runs_into_the_contact_lines(tmp_path):
    """A long site address and long office hours: the URL under the QR code stays in its own
    column, right of every contact line (as printed by WeasyPrint)."""
    from generator.private import pdf

    if not pdf.available() or pdf.engine() != "weasyprint":
        pytest.skip("needs WeasyPrint with a Chinese font")
    long_settings = {"site_url": "https://ghbf.shifanzhen-zonggonghui.example.gov.cn/kunnan-zhigong/bangfu-zhan/",
                     "hours": "周一至周五 8:30-12:00，13:30-17:30（法定节假日除外，夏季作息时间另行通知）",
                     "address": "示范县示范镇人民路 88 号镇总工会办公楼一楼东侧职工服务中心帮扶窗口"}
    records = read_station(tmp_path / "records", settings=long_settings)
    write_wall_printouts(records, tmp_path / "wall", today=TODAY)

    def lines(box, inside=""):
        for child in getattr(box, "children", None) or []:
            el = getattr(child, "element", None)
            cls = el.get("class") if el is not None else None
            here = cls if cls in ("url", "channel") else inside
            if type(child).__name__ == "LineBox" and here:
                yield here, child.position_x, child.position_x + child.width, child.position_y
            yield from lines(child, here)

    for page in ("notices/GS-2026-05.html", "policies/医疗救助_大病.html"):
        doc = pdf.render(tmp_path / "wall" / page)
        assert len(doc.pages) == 1, page
        found = list(lines(doc.pages[0]._page_box))
        url = [b for b in found if b[0] == "url"]
        channel = [b for b in found if b[0] == "channel"]
        assert url and channel, page
        assert max(b[2] for b in channel) <= min(b[1] for b in url), page
