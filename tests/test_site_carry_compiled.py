"""The theme's compiled templates: kept in the work folder between builds and, within one
process (`bangfu serve`), in memory (site_carry._bytecode_cache)."""

from __future__ import annotations

import jinja2

from generator.build import site_carry
from generator.render import QuietBytecodeCache


def _env(templates, work):
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                              bytecode_cache=site_carry._bytecode_cache(work))


def test_compiled_templates_are_taken_from_memory_until_their_source_changes(tmp_path, monkeypatch):
    templates, work = tmp_path / "templates", tmp_path / "work"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    read = []
    real = QuietBytecodeCache.load_bytecode
    monkeypatch.setattr(QuietBytecodeCache, "load_bytecode", lambda self, bucket: (read.append(bucket.key),
                                                                                    real(self, bucket))[1])
    site_carry._COMPILED.clear()
    assert _env(templates, work).get_template("page.html").render(name="甲") == "<p>甲</p>"
    assert len(read) == 1 and list(work.iterdir())  # compiled, and kept in the work folder
    assert _env(templates, work).get_template("page.html").render(name="乙") == "<p>乙</p>"
    assert len(read) == 1  # a new environment of this process: from memory, not from the folder

    site_carry._COMPILED.clear()  # another process: from the folder
    assert _env(templates, work).get_template("page.html").render(name="丙") == "<p>丙</p>"
    assert len(read) == 2

    (templates / "page.html").write_text("<div>{{ name }}</div>", encoding="utf-8")  # edited: compiled again
    assert _env(templates, work).get_template("page.html").render(name="丁") == "<div>丁</div>"
    assert _env(templates, work).get_template("page.html").render(name="戊") == "<div>戊</div>"
