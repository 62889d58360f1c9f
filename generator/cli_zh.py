"""click's own texts (Usage, Options, errors, help) in Simplified Chinese.

click marks its messages with gettext; we put a Chinese catalogue in front of it by
replacing `_` and `ngettext` in click's modules. A text missing from the catalogue
stays as click wrote it, which tests/test_cli_zh.py catches.
"""

from __future__ import annotations

import importlib
import re

import click

ZH = {
    "Usage:": "用法:",  # HelpFormatter below writes the Chinese prefix
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "No such command {name!r}.": "没有“{name}”这个命令。",
    "No such option {name!r}.": "没有“{name}”这个选项。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "Invalid value: {message}": "值不对：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Option {name!r} does not take a value.": "选项“{name}”后面不能跟值。",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”需要 {nargs} 个值。",
    "Aborted!": "已取消。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是一个文件。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是一个文件夹。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "Value must be an iterable.": "值必须是一组。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Do you want to continue?": "是否继续？",
    "Error: invalid input": "错误：输入不对",
}

ZH_PLURAL = {
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "Option {name!r} requires an argument.": "选项“{name}”后面要跟一个值。",
    "{value!r} is not {choice}.": "“{value}”不在可选范围内，可选：{choice}。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，但只给了 1 个。",
}
ZH_PLURAL.update({
    "Got unexpected extra arguments ({args})": ZH_PLURAL["Got unexpected extra argument ({args})"],
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”后面要跟 {nargs} 个值。",
    "{value!r} is not one of {choices}.": "“{value}”不在可选范围内，可选：{choices}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats} 中的任何一种。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，但给了 {len} 个。",
})


def gettext(message: str) -> str:
    return ZH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    text = singular if n == 1 else plural
    return ZH_PLURAL.get(text, text)


def install() -> None:
    """Put the Chinese catalogue in front of click's messages (idempotent)."""
    for name in ("core", "exceptions", "formatting", "types", "parser", "decorators", "termui",
                 "utils", "_termui_impl"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:
            continue
        if hasattr(module, "_"):
            setattr(module, "_", gettext)  # noqa: B010 - click's private gettext alias
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", ngettext)  # noqa: B010


class Formatter(click.HelpFormatter):
    """Headings and the usage line with Chinese punctuation."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)


class Context(click.Context):
    formatter_class = Formatter


_QUOTED = re.compile(r"'([^'\n]*)'")


def tidy(message: str) -> str:
    """click quotes names with ASCII quotes and ends sentences with '.': Chinese style instead."""
    text = _QUOTED.sub(r"“\1”", message).strip()
    text = re.sub(r"\.(\s|$)", lambda m: "。" + ("" if m.group(1) in (" ", "") else m.group(1)), text)
    text = re.sub(r"。\s+", "。", text).replace("有效的integer", "有效的整数").replace("有效的float", "有效的数字")
    return text


def show_error(err: click.ClickException) -> None:
    """An error as the clerk sees it: usage line, where to get help, the error in Chinese."""
    ctx = getattr(err, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"运行“{ctx.command_path} --help”查看帮助。")
        lines.append("")
    lines.append(f"错误：{tidy(err.format_message())}")
    click.echo("\n".join(lines), err=True)
