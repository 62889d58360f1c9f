"""Compiled templates kept in the build's work folder: reused, and never a reason to fail."""

import shutil

from generator import render


def test_compiled_templates_are_cached_and_a_lost_cache_only_means_compiling_again(tmp_path):
    folder = tmp_path / ".bangfu" / "templates"
    render.cache_compiled_templates(folder)
    try:
        render.environment([]).get_template("private/receipt.html")
        assert list(folder.iterdir())  # written
        env, compiled = render.environment([]), []
        real = env.compile
        env.compile = lambda *args, **kwargs: compiled.append(args[1:2]) or real(*args, **kwargs)
        env.get_template("private/receipt.html")
        assert compiled == []  # a fresh environment (the next run) loads the compiled code
        shutil.rmtree(folder)  # deleted while the program runs
        html = render.environment([]).get_template("private/home.html")
        assert html.name == "private/home.html"
        (folder.parent).mkdir(parents=True, exist_ok=True)
        folder.write_text("not a folder", encoding="utf-8")  # unusable
        assert render.environment([]).get_template("private/dossier_index.html").name
    finally:
        render.cache_compiled_templates(None)
