"""Pinyin filing order (按音序) with surnames read as surnames."""

import pytest

from generator.names import initial, name_key, pinyin_text, reading


def order(names):
    return sorted(names, key=name_key)


def test_heteronym_surnames_sort_by_their_surname_reading():
    # 单 shan after 沙 sha; 曾 zeng before 张 zhang; 解 xie after 吴 and before 杨
    assert order(["张伟", "曾明", "单田芳", "沙小红"]) == ["沙小红", "单田芳", "曾明", "张伟"]
    assert order(["杨洋", "解晓东", "吴刚", "贾平"]) == ["贾平", "吴刚", "解晓东", "杨洋"]
    # read as common words they would land elsewhere: 单 dan before 方, 曾 ceng before 丁
    assert order(["方明", "单田芳"]) == ["方明", "单田芳"]
    assert order(["丁一", "曾明"]) == ["丁一", "曾明"]


@pytest.mark.parametrize("name, first", [
    ("单田芳", "shan4"), ("曾明", "zeng1"), ("解晓东", "xie4"), ("查良镛", "zha1"), ("仇英", "qiu2"),
    ("区志强", "ou1"), ("朴槿", "piao2"), ("盖聂", "ge3"), ("覃丽", "qin2"), ("乐嘉", "yue4"),
    ("缪青", "miao4"), ("翟强", "zhai2"), ("召忠", "shao4"), ("吕布", "lv3"),
])
def test_surname_readings(name, first):
    assert reading(name)[0] == first


@pytest.mark.parametrize("name, syllables", [
    ("尉迟敬", ("yu4", "chi2", "jing4")), ("万俟卨", ("mo4", "qi2", "xie4")),
    ("长孙无忌", ("zhang3", "sun1", "wu2", "ji4")), ("单于丹", ("chan2", "yu2", "dan1")),
    ("欧阳修", ("ou1", "yang2", "xiu1")),
])
def test_compound_surnames(name, syllables):
    assert reading(name) == syllables


def test_table_applies_to_the_surname_only():
    assert reading("李单")[1] == "dan1"
    assert reading("王曾")[1] == "ceng2"
    assert reading("单单")[0] == "shan4" and reading("单单")[1] == "dan1"


def test_ties_broken_by_archive_number_and_tones():
    assert name_key("王芳", "SF-0001") < name_key("王芳", "SF-0002")
    assert order(["吕明", "卢明"]) == ["卢明", "吕明"]  # lu before lv (ü)
    assert order(["谢丽", "谢晓东"]) == ["谢丽", "谢晓东"]  # xie li before xie xiao


def test_unusual_names_sort_without_errors():
    names = ["", "Tom Li", "阿依古丽·买买提", "张三2", None]
    ordered = sorted(names, key=name_key)
    assert ordered[0] == "阿依古丽·买买提"
    assert ordered[-2:] in (["", None], [None, ""])
    assert initial("单田芳") == "S" and initial("") == "#" and initial("Tom") == "T"
    assert pinyin_text("单田芳") == "shan tian fang"


def test_each_surname_stays_together():
    # 姜 jiāng and 蒋 jiǎng share a reading without tones: their dossiers must not interleave
    names = ["蒋明", "姜爱国", "蒋爱华", "姜明", "蒋子", "姜子"]
    assert order(names) == ["姜爱国", "姜明", "姜子", "蒋爱华", "蒋明", "蒋子"]
    # 谢 and 解 (both xiè as surnames) are two surnames too
    ordered = order(["谢丽", "解晓东", "谢明", "解安"])
    assert {tuple(ordered[:2]), tuple(ordered[2:])} == {("解安", "解晓东"), ("谢丽", "谢明")}
    # a surname group still sorts among the others by pinyin: 江 jiāng with 姜, before 蒋
    assert order(["蒋明", "江明", "姜明"]) in (["江明", "姜明", "蒋明"], ["姜明", "江明", "蒋明"])


@pytest.mark.parametrize("name, syllables", [
    ("蕃明", ("pi2",)), ("乜红", ("nie4",)), ("佴军", ("nai4",)), ("炅光", ("gui4",)), ("角丽", ("jue2",)),
    ("华强", ("hua4",)), ("纪文", ("ji3",)), ("种田", ("chong2",)), ("冼星海", ("xian3",)), ("折英", ("she2",)),
    ("单于丹", ("chan2", "yu2")),
])
def test_rare_surnames_read_as_surnames(name, syllables):
    assert reading(name)[:len(syllables)] == syllables


def _lazy_reading(text: str) -> tuple:
    """What names._pinyin gave when it called lazy_pinyin on the whole text."""
    import re

    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for part in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True):
        out.extend(re.findall(r"[0-9a-z]+", part.lower()))
    return tuple(out)


def test_words_read_one_by_one_read_as_lazy_pinyin_reads_the_whole_name():
    """names._pinyin cuts a name into words as lazy_pinyin does and reads each distinct word
    once: the same syllables as lazy_pinyin over the whole text, for names whose characters
    pypinyin reads as phrases (长江, 重庆, 银行, 朝阳, 音乐), heteronyms, neutral tones, ü,
    non-Han runs, full-width letters and digits, dots, spaces and characters without pinyin."""
    import random

    from generator import names

    surnames = ["王", "李", "张", "单", "曾", "解", "朴", "吕", "欧阳", "尉迟", "重", "长孙", "乐", "查", "区"]
    chars = list("长江重庆银行朝阳音乐会计了的么子女绿略虐觉得地都和还没为着调传行长安都乐") + \
        ["小明", "建国", "红梅", "长春", "重阳", "银行", "朝霞", "音乐", "Tom", "ＡＢ", "２", "·", " ", "𠀋", "丫丫"]
    rng = random.Random(17)
    texts = {"", "单田芳", "阿依古丽·买买提", "Tom Li", "张三2", "王　芳", "𠀋𠀋", "长江长江", "银行行长"}
    for _ in range(3000):
        given = "".join(rng.choice(chars) for _ in range(rng.randint(1, 3)))
        texts.add(rng.choice(surnames) + given)
        texts.add(given)
    for text in sorted(texts):
        assert names._pinyin(text) == _lazy_reading(text), text
