from pathlib import Path

from transformers import AutoTokenizer

from sentiment.preprocess import clean_text, encode, keep_head_and_tail, preprocess


def test_clean_text_collapses_whitespace_and_drops_invisible_characters() -> None:
    assert clean_text("  great\u200b\n\n phone\t ") == "great phone"


def test_clean_text_replaces_lone_surrogates() -> None:
    assert clean_text("ok \ud800 \udfff") == "ok \ufffd \ufffd"


def test_keep_head_and_tail_keeps_a_quarter_from_the_start_and_the_rest_from_the_end() -> None:
    ids = list(range(100))
    kept = keep_head_and_tail(ids, 8)
    assert kept == [0, 1, 94, 95, 96, 97, 98, 99]
    assert keep_head_and_tail(ids[:5], 8) == [0, 1, 2, 3, 4]


def test_encode_cuts_long_texts_and_keeps_special_tokens(tiny_models: dict[str, Path]) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["three"])
    text = "great " + "phone " * 200 + "terrible"
    [ids] = encode(tokenizer, [text], 16)
    assert len(ids) == 16
    tokens = tokenizer.convert_ids_to_tokens(ids)
    assert tokens[:2] == ["[CLS]", "great"]
    assert tokens[-2:] == ["terrible", "[SEP]"]


def test_preprocess_handles_empty_and_emoji_only_text(tiny_models: dict[str, Path]) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["three"])
    empty, emoji, given = preprocess(tokenizer, ["", " 😀 ", "좋아요"], [None, None, "xx"], 32)
    assert (empty.text, empty.lang, len(empty.input_ids)) == ("", None, 2)
    assert (emoji.text, emoji.lang) == ("😀", None)
    assert tokenizer.convert_ids_to_tokens(emoji.input_ids) == ["[CLS]", "[UNK]", "[SEP]"]
    assert given.lang == "xx"
