"""The search index's Chinese segmentation (site/mkdocs_run._search_mode_segmenter) keeps each
Han run's segmentation while the user dictionary is the same: the same text comes out as
jieba's search-mode cut gives it, and a new dictionary starts afresh."""

from __future__ import annotations

import jieba

from generator.site import mkdocs_run

TEXT = "两节送温暖：金秋助学 2026 年，帮扶站（金秋助学）"


def _cut(text: str) -> str:
    import re

    han = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
    return han.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut_for_search(m.group(0))) + "\u200b",
                   text).strip("\u200b")


def test_kept_segmentation_is_jiebas_and_starts_afresh_with_another_dictionary():
    segment = mkdocs_run._search_mode_segmenter(None, b"one")
    assert segment(TEXT) == _cut(TEXT)
    assert "\u200b金秋\u200b" in segment(TEXT)  # a part of a word is found
    runs = mkdocs_run._SEGMENTED["runs"]
    assert set(runs) == {"两节送温暖", "金秋助学", "年", "帮扶站"}
    assert segment(TEXT) == _cut(TEXT)  # the second time from what was kept
    mkdocs_run._search_mode_segmenter(None, b"one")
    assert mkdocs_run._SEGMENTED["runs"] is runs  # the same dictionary: kept
    mkdocs_run._search_mode_segmenter(None, b"two")
    assert mkdocs_run._SEGMENTED["runs"] == {}  # another dictionary: segmented again
