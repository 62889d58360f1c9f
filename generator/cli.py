"""`bangfu` command line: a thin layer over the library.

Every command calls one library function and prints its outcome; user-data
faults come back as problems, so no traceback reaches a clerk. An unexpected
exception (a bug) is caught at the top and reported in Chinese with a hint to
send the log, exit code 3.
"""

from __future__ import annotations

import gc
import json
import sys
from datetime import date
from pathlib import Path

import click

from . import places, report_text
from .cli_zh import Context as _Context, install as _chinese_click, show_error as _show_error
from .pipeline import check_folder

_chinese_click()

DEFAULT_RECORDS = "records"
USAGE_ERROR = 4  # the command was typed wrong (README: 退出码)
RECORDS_HELP = "记录文件夹（放四个工作簿的文件夹），默认 records。"


def _parse_today(value: str | None) -> date | None:
    if not value:
        return None
    from .reading.values import DATE_HIGH, DATE_LOW

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应写成 2026-11-23 的形式，而不是“{value}”。") from None
    if not DATE_LOW <= day <= DATE_HIGH:
        raise click.BadParameter(f"日期“{value}”不在 {DATE_LOW.isoformat()} 至 {DATE_HIGH.isoformat()} 之间，"
                                 "请检查年份。")
    return day


class _Command(click.Command):
    context_class = _Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    command_class = _Command
    context_class = _Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """click's standalone handling, with Chinese errors and the README's exit codes."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:  # --help, --version
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo("已取消。", err=True)
            sys.exit(130)
        except click.exceptions.NoArgsIsHelpError as err:  # plain `bangfu`: the help page
            click.echo(err.format_message())
            sys.exit(0)
        except click.ClickException as err:  # the command was typed wrong
            _show_error(err)
            sys.exit(USAGE_ERROR)
        sys.exit(0)


def _records_argument(f):
    return click.argument("records_dir", default=DEFAULT_RECORDS, metavar="[记录文件夹]",
                          type=click.Path(path_type=Path))(f)


def _today_option(text: str = "按此日期生成（默认今天），如 2026-11-23。"):
    return click.option("--today", metavar="日期", help=text)


@click.group("bangfu", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bangfu", message="%(prog)s 版本 %(version)s",
                      help="显示版本号并退出。")
@click.help_option("-h", "--help", help="显示本帮助并退出。")
def cli():
    """bangfu（帮扶）：校验困难职工帮扶站的 Excel 记录，生成公示网站和打印材料。"""


def _kept_by_build(records_dir: Path):
    """(ReadCache, CheckCache) over what the last `bangfu build` of the folder with its default
    folders kept (places.build_kept), only read: a workbook unchanged since that build is not
    parsed (a changed one only in its changed sheets and pieces), and a check module whose
    tables and date are those of the build's check is not run again; the problems are the
    same. (None, None) when there is no such store: every workbook is parsed."""
    store, checks = places.build_kept(records_dir)
    try:
        if not store.is_dir():
            return None, None
    except OSError:
        return None, None
    from .checks import CheckCache
    from .reading import ReadCache

    return ReadCache(store=store, write_store=False), CheckCache.load(checks)


@cli.command()
@_records_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", metavar="格式",
              help="输出格式：text（中文报告，默认）或 json。")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path), metavar="文件夹",
              help="把标注了问题单元格的工作簿副本写到此文件夹（原文件不会被修改）。")
@_today_option("按此日期检查（默认今天），如 2026-11-23。")
@click.option("--force", is_flag=True, help="标注副本文件夹已有其他文件时也写入。")
def check(records_dir: Path, fmt: str, annotate_dir: Path | None, today: str | None, force: bool):
    """检查记录文件夹中的工作簿，列出需要改正的问题。

    退出码：0 没有错误（可能有提醒），1 有错误，2 记录文件夹或工作簿无法读取，4 命令写法不对。
    """
    cache, kept = _kept_by_build(records_dir)
    outcome = check_folder(records_dir, _parse_today(today), cache=cache, kept=kept)
    # The records live until the command ends: no collection (nor the one at exit) need walk
    # the million objects read again. Freed by reference counting as ever.
    gc.freeze()
    if fmt == "json":
        click.echo(json.dumps(report_text.as_json(outcome.problems), ensure_ascii=False, indent=1))
    else:
        click.echo(report_text.render(outcome.problems, records_dir))
        if not outcome.unreadable:
            from .todo import work_list

            click.echo(work_list(outcome.records, _parse_today(today) or date.today()).summary_line(
                f"bangfu todo {records_dir}" + (f" --today {today}" if today else "")))
    if annotate_dir is not None:
        from .annotate import annotate
        from .outputs import OutputRefused

        try:
            written = annotate(records_dir, outcome.problems, annotate_dir, force=force)
        except OutputRefused as err:  # refused: the copies would overwrite the originals
            click.echo(str(err), err=True)
            sys.exit(2)
        if fmt == "text":
            click.echo(f"已在 {annotate_dir} 写出 {len(written)} 个标注副本；原文件未被修改。")
    sys.exit(outcome.exit_code)


@cli.command()
@_records_argument
@_today_option("按此日期列出（默认今天），如 2026-11-23。")
def todo(records_dir: Path, today: str | None):
    """列出待办事项：到期和逾期的核实、公示、发放、签收、回访、复核、接待，以及建议，最紧急的在前。

    退出码：0 已列出（记录中有错误时也尽量列出），2 工作簿无法读取。
    """
    from .todo import render_text, work_list

    outcome = check_folder(records_dir, _parse_today(today))
    if outcome.unreadable:
        click.echo(report_text.render(outcome.problems, records_dir))
        sys.exit(2)
    click.echo(render_text(work_list(outcome.records, _parse_today(today) or date.today())))
    if outcome.exit_code:
        click.echo(f"注意：记录中有错误，清单可能不完整。请运行 bangfu check {records_dir} 查看并改正。")


@cli.command()
@click.argument("target_dir", metavar="记录文件夹", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="目标文件夹已有工作簿时也覆盖。")
def init(target_dir: Path, force: bool):
    """为新站点生成空白工作簿模板（带下拉选项、填写提示和一行示例）。"""
    from .outputs import OutputRefused
    from .templates import write_blank_workbooks

    try:
        written = write_blank_workbooks(target_dir, overwrite=force)
    except FileExistsError as err:
        click.echo(f"{err.filename} 已存在，未覆盖。如确需重新生成，请加 --force（会覆盖原有内容）。", err=True)
        sys.exit(1)
    except OutputRefused as err:
        click.echo(str(err), err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"已生成 {path}")
    click.echo("示例数据可以直接通过 bangfu check。请把“站点设置”中的值改成本站信息，删除其他各表第 2 行的示例后"
               "填写本站数据，然后运行：bangfu check " + str(target_dir))


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, metavar="原台账文件...", type=click.Path(path_type=Path))
@click.option("--into", "into", required=True, type=click.Path(path_type=Path),
              help="站点的记录文件夹：导入的行写进其中的工作簿（没有就新建）。")
@click.option("--yes", "-y", is_flag=True, help="第一次运行也直接写入（不先停下来核对导入对照表）。")
@click.option("--dry-run", is_flag=True, help="只显示对照关系和问题，什么文件都不写。")
def import_command(sources, into: Path, yes: bool, dry_run: bool):
    """导入本站原有的台账（.xlsx/.xls/.ods），写成 bangfu 的工作簿；原文件不会被修改。

    第一次运行只显示并写出“导入对照表.xlsx”（原表每一列导入到哪里），请核对、改正后
    再运行同一命令写入。已导入过的行不会重复导入。
    """
    from . import schema
    from .importing import import_registers
    from .importing.report import render

    first = not (into / schema.IMPORT_MAPPING_FILE).exists()
    write = not dry_run and (yes or not first)
    outcome = import_registers(list(sources), into, write=write, write_mapping=not dry_run)
    click.echo(render(outcome, into, wrote=write, dry_run=dry_run))
    sys.exit(2 if outcome.refused else 0)


@cli.command("demo-data")
@click.argument("out_dir", metavar="记录文件夹", type=click.Path(path_type=Path))
@click.option("--workers", default=200, show_default=True, metavar="人数", help="困难职工人数。")
@click.option("--records", "payouts", default=600, show_default=True, metavar="条数",
              help="帮扶发放记录条数。")
@click.option("--seed", default=2026, show_default=True, metavar="数字",
              help="随机种子（相同种子生成相同数据）。")
@_today_option("数据截止日期（默认 2026-11-23）。")
@click.option("--force", is_flag=True, help="目标文件夹已有工作簿时也覆盖。")
def demo_data(out_dir: Path, workers: int, payouts: int, seed: int, today: str | None, force: bool):
    """生成虚构的示范站点数据（用于试用和性能测试）。"""
    from .demo import write_demo
    from .outputs import OutputRefused

    try:
        written = write_demo(out_dir, workers=workers, payouts=payouts, seed=seed,
                             today=_parse_today(today), force=force)
    except OutputRefused as err:
        click.echo(str(err), err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"已生成 {path}")


SITE_HELP = "网站输出文件夹，默认是记录文件夹旁边的 site。"
PRIVATE_HELP = "内部材料（档案、签收单、季度统计表）输出文件夹，默认是记录文件夹旁边的 private；不能放在网站文件夹内。"


@cli.command()
@_records_argument
@click.option("--site-dir", type=click.Path(path_type=Path), metavar="文件夹", help=SITE_HELP)
@click.option("--private-dir", type=click.Path(path_type=Path), metavar="文件夹", help=PRIVATE_HELP)
@_today_option("按此日期生成（公示剩余天数、名单保留期），如 2026-11-23。")
@click.option("--no-private", is_flag=True, help="只生成公开网站。")
@click.option("--pdf/--no-pdf", default=True, help="同时生成 PDF（默认生成；需安装 PDF 组件）。")
def build(records_dir: Path, site_dir: Path | None, private_dir: Path | None, today: str | None,
          no_private: bool, pdf: bool):
    """检查记录并生成公示网站（site/）和内部打印材料（private/），都放在记录文件夹旁边。"""
    from .build import build_all

    site_dir = site_dir or places.site_dir(records_dir)
    private_dir = private_dir or places.private_dir(records_dir)
    code = build_all(records_dir, site_dir=site_dir, private_dir=None if no_private else private_dir,
                     today=_parse_today(today), pdf=pdf, echo=click.echo)
    # the command ends here: what is left is frozen, so the interpreter's last collection at
    # exit does not walk the build's objects (20k payout rebuild: exit 0.6-0.8 s -> 0.1-0.3 s)
    gc.freeze()
    sys.exit(code)


@cli.command()
@click.argument("station_dirs", nargs=-1, required=True, metavar="站点记录文件夹...",
                type=click.Path(path_type=Path))
@click.option("--into", "county_dir", required=True, type=click.Path(path_type=Path), metavar="文件夹",
              help="县中心自己的记录文件夹（县中心的帮扶政策同时规定梯次帮扶的审批限额）。")
@click.option("--site-dir", type=click.Path(path_type=Path), metavar="文件夹",
              help="汇总网站输出文件夹，默认是县中心记录文件夹旁边的 network-site。")
@click.option("--private-dir", type=click.Path(path_type=Path), metavar="文件夹",
              help="汇总内部材料（问题清单、待办清单、季度统计）输出文件夹，"
                   "默认是县中心记录文件夹旁边的 network-private。")
@_today_option("按此日期检查和汇总（默认今天），如 2026-11-23。")
def merge(station_dirs, county_dir: Path, site_dir: Path | None, private_dir: Path | None, today: str | None):
    """县中心汇总各站记录：逐站检查，查找跨站重复建档和重复发放，列出超过站点审批权限的帮扶（梯次帮扶）。

    每个站点记录文件夹也可以是放着多个站点文件夹的上级文件夹。问题清单和待办清单写在汇总内部材料文件夹中。

    退出码：0 没有错误（可能有提醒），1 有站点或跨站检查发现错误，2 有记录文件夹或工作簿无法读取，4 命令写法不对。
    """
    from .build.network import site_stage
    from .network.merge import OUTPUT_STAGES, PROBLEMS_TEXT, merge as run_merge, summary_line

    if site_stage not in OUTPUT_STAGES:
        OUTPUT_STAGES.append(site_stage)

    day = _parse_today(today) or date.today()
    private_dir = private_dir or places.network_private_dir(county_dir)
    outcome = run_merge(list(station_dirs), county_dir, today=day, site_dir=site_dir, private_dir=private_dir,
                        echo=click.echo)
    if outcome.refused:
        click.echo(outcome.refused, err=True)
    click.echo(summary_line(outcome))
    if outcome.written:
        click.echo(f"问题清单和待办清单已写到 {private_dir}（{PROBLEMS_TEXT} 等）。")
    sys.exit(outcome.exit_code)


@cli.command()
@_records_argument
@click.option("--site-dir", type=click.Path(path_type=Path), metavar="文件夹", help=SITE_HELP)
@click.option("--port", default=8000, show_default=True, metavar="端口", help="预览用的端口号。")
@_today_option()
def serve(records_dir: Path, site_dir: Path | None, port: int, today: str | None):
    """在本机预览网站（http://127.0.0.1:端口），工作簿保存后自动重新生成。"""
    from .serve import serve as run_server

    site_dir = site_dir or places.site_dir(records_dir)
    sys.exit(run_server(records_dir, site_dir=site_dir, port=port, today=_parse_today(today),
                        echo=click.echo))


@cli.command()
@click.argument("archive_numbers", nargs=-1, required=True, metavar="[记录文件夹] 档案编号...")
@click.option("--records-dir", type=click.Path(path_type=Path), metavar="文件夹",
              help="记录文件夹（也可以写在档案编号前面），默认 records。")
@click.option("--private-dir", type=click.Path(path_type=Path), metavar="文件夹", help=PRIVATE_HELP)
@click.option("--pdf/--no-pdf", default=True, help="同时生成 PDF（默认生成；需安装 PDF 组件）。")
@_today_option("打印日期（默认今天），如 2026-11-23。")
@click.option("--force", is_flag=True, help="内部材料文件夹不是 bangfu 生成的时也写入。")
def dossier(archive_numbers, records_dir: Path | None, private_dir: Path | None, pdf: bool,
            today: str | None, force: bool):
    """只生成指定档案编号的一人一档，例如：bangfu dossier 我的站点 SF-0001 SF-0002"""
    from .private import write_dossiers_command

    archive_numbers = list(archive_numbers)
    if records_dir is None and archive_numbers and places.looks_like_folder(archive_numbers[0]):
        records_dir = Path(archive_numbers.pop(0))
    records_dir = records_dir or Path(DEFAULT_RECORDS)
    if not archive_numbers:
        raise click.UsageError("请在记录文件夹后面写至少一个档案编号，例如：bangfu dossier 我的站点 SF-0001")
    private_dir = private_dir or places.private_dir(records_dir)
    sys.exit(write_dossiers_command(records_dir, archive_numbers, private_dir, pdf=pdf,
                                    today=_parse_today(today), echo=click.echo, force=force))


@cli.command()
@click.argument("records_arg", required=False, metavar="[记录文件夹]", type=click.Path(path_type=Path))
@click.option("--quarter", required=True, metavar="季度", help="季度，如 2026Q3。")
@click.option("--records-dir", type=click.Path(path_type=Path), metavar="文件夹",
              help="记录文件夹（也可以直接写在命令后面），默认 records。")
@click.option("--out", "out_path", type=click.Path(path_type=Path), metavar="文件",
              help="输出的 .xlsx 文件，默认在内部材料文件夹的“季度统计”下。")
@click.option("--private-dir", type=click.Path(path_type=Path), metavar="文件夹", help=PRIVATE_HELP)
@click.option("--force", is_flag=True, help="输出文件已存在（或文件夹不是 bangfu 生成的）时也覆盖。")
def report(records_arg: Path | None, quarter: str, records_dir: Path | None, out_path: Path | None,
           private_dir: Path | None, force: bool):
    """生成报送上级工会的季度统计表（Excel），例如：bangfu report 我的站点 --quarter 2026Q3"""
    from .private import write_report_command

    records_dir = records_arg or records_dir or Path(DEFAULT_RECORDS)
    private_dir = private_dir or places.private_dir(records_dir)
    sys.exit(write_report_command(records_dir, quarter, out_path, private_dir, echo=click.echo,
                                  force=force))


@cli.command()
@click.argument("records_arg", required=False, metavar="[记录文件夹]", type=click.Path(path_type=Path))
@click.option("--from", "start", required=True, metavar="日期", help="起始日期，如 2026-01-01。")
@click.option("--to", "end", metavar="日期", help="截止日期（默认今天），如 2026-06-30。")
@click.option("--records-dir", type=click.Path(path_type=Path), metavar="文件夹",
              help="记录文件夹（也可以直接写在命令后面），默认 records。")
@click.option("--private-dir", type=click.Path(path_type=Path), metavar="文件夹", help=PRIVATE_HELP)
def cases(records_arg: Path | None, start: str, end: str | None, records_dir: Path | None,
          private_dir: Path | None):
    """生成一段时间的办结表（Excel），例如：bangfu cases 我的站点 --from 2026-01-01 --to 2026-06-30"""
    from .private import write_closing_command

    records_dir = records_arg or records_dir or Path(DEFAULT_RECORDS)
    private_dir = private_dir or places.private_dir(records_dir)
    sys.exit(write_closing_command(records_dir, _parse_today(start), _parse_today(end), private_dir,
                                   echo=click.echo))


@cli.command("columns")
def columns():
    """打印工作簿列说明（Markdown），与文档中的列说明相同。"""
    from .docs import column_reference

    click.echo(column_reference())


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except Exception as err:  # a bug in bangfu, not in the user's data
        import traceback

        log = Path.home() / ".bangfu-error.log"
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"详细信息已写入 {log}，请把该文件发给维护人员。"
        except OSError:
            where = "请把出现问题时的操作告诉维护人员。"
        click.echo(f"bangfu 内部出错（{type(err).__name__}），这不是您的数据的问题。{where}", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
