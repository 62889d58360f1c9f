"""`bangfu` command line: a thin layer over the library.

Every command calls one library function and prints its outcome; user-data
faults come back as problems, so no traceback reaches a clerk. An unexpected
exception (a bug) is caught at the top and reported in Chinese with a hint to
send the log, exit code 3.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from . import report_text
from .pipeline import check_folder

DEFAULT_RECORDS = "records"


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bangfu")
def cli():
    """bangfu（帮扶）：校验困难职工帮扶站的 Excel 记录，生成公示网站和打印材料。"""


@cli.command()
@click.argument("records_dir", default=DEFAULT_RECORDS, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="输出格式：text（中文报告）或 json。")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path),
              help="把标注了问题单元格的工作簿副本写到此文件夹（原文件不会被修改）。")
@click.option("--today", help="按此日期检查（默认今天），如 2026-11-23。")
@click.option("--force", is_flag=True, help="标注副本文件夹已有其他文件时也写入。")
def check(records_dir: Path, fmt: str, annotate_dir: Path | None, today: str | None, force: bool):
    """检查记录文件夹中的工作簿，列出需要改正的问题。

    退出码：0 没有错误（可能有提醒），1 有错误，2 工作簿无法读取。
    """
    outcome = check_folder(records_dir, _parse_today(today))
    if fmt == "json":
        click.echo(json.dumps(report_text.as_json(outcome.problems), ensure_ascii=False, indent=1))
    else:
        click.echo(report_text.render(outcome.problems, records_dir))
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
@click.argument("target_dir", type=click.Path(path_type=Path))
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
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
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
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--workers", default=200, show_default=True, help="困难职工人数。")
@click.option("--records", "payouts", default=600, show_default=True, help="帮扶发放记录条数。")
@click.option("--seed", default=2026, show_default=True, help="随机种子（相同种子生成相同数据）。")
@click.option("--today", help="数据截止日期（默认 2026-11-23）。")
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


@cli.command()
@click.argument("records_dir", default=DEFAULT_RECORDS, type=click.Path(path_type=Path))
@click.option("--site-dir", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
              help="网站输出文件夹。")
@click.option("--private-dir", type=click.Path(path_type=Path), default=Path("private"),
              show_default=True, help="内部材料（档案、签收单）输出文件夹，不能放在网站文件夹内。")
@click.option("--today", help="按此日期生成（公示剩余天数、名单保留期），如 2026-11-23。")
@click.option("--no-private", is_flag=True, help="只生成公开网站。")
@click.option("--pdf/--no-pdf", default=True, help="同时生成 PDF（需安装 PDF 组件）。")
def build(records_dir: Path, site_dir: Path, private_dir: Path, today: str | None,
          no_private: bool, pdf: bool):
    """检查记录并生成公示网站（site/）和内部打印材料（private/）。"""
    from .build import build_all

    code = build_all(records_dir, site_dir=site_dir, private_dir=None if no_private else private_dir,
                     today=_parse_today(today), pdf=pdf, echo=click.echo)
    sys.exit(code)


@cli.command()
@click.argument("records_dir", default=DEFAULT_RECORDS, type=click.Path(path_type=Path))
@click.option("--site-dir", type=click.Path(path_type=Path), default=Path("site"), show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--today", help="按此日期生成。")
def serve(records_dir: Path, site_dir: Path, port: int, today: str | None):
    """在本机预览网站（http://127.0.0.1:端口），工作簿保存后自动重新生成。"""
    from .serve import serve as run_server

    sys.exit(run_server(records_dir, site_dir=site_dir, port=port, today=_parse_today(today),
                        echo=click.echo))


@cli.command()
@click.argument("archive_numbers", nargs=-1, required=True)
@click.option("--records-dir", type=click.Path(path_type=Path), default=Path(DEFAULT_RECORDS),
              show_default=True)
@click.option("--private-dir", type=click.Path(path_type=Path), default=Path("private"),
              show_default=True)
@click.option("--pdf/--no-pdf", default=True)
@click.option("--today", help="打印日期（默认今天）。")
@click.option("--force", is_flag=True, help="内部材料文件夹不是 bangfu 生成的时也写入。")
def dossier(archive_numbers, records_dir: Path, private_dir: Path, pdf: bool, today: str | None,
            force: bool):
    """只生成指定档案编号的一人一档。"""
    from .private import write_dossiers_command

    sys.exit(write_dossiers_command(records_dir, list(archive_numbers), private_dir, pdf=pdf,
                                    today=_parse_today(today), echo=click.echo, force=force))


@cli.command()
@click.option("--quarter", required=True, help="季度，如 2026Q3。")
@click.option("--records-dir", type=click.Path(path_type=Path), default=Path(DEFAULT_RECORDS),
              show_default=True)
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="输出文件（默认 private/ 下）。")
@click.option("--private-dir", type=click.Path(path_type=Path), default=Path("private"),
              show_default=True)
@click.option("--force", is_flag=True, help="输出文件已存在（或文件夹不是 bangfu 生成的）时也覆盖。")
def report(quarter: str, records_dir: Path, out_path: Path | None, private_dir: Path, force: bool):
    """生成报送上级工会的季度统计表（Excel）。"""
    from .private import write_report_command

    sys.exit(write_report_command(records_dir, quarter, out_path, private_dir, echo=click.echo,
                                  force=force))


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
