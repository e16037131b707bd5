"""A small classifier trained from scratch, with a WordPiece vocabulary learned from its data.

The MiniLM starter encoder reads Korean poorly: its uncased vocabulary decomposes
Hangul syllables into jamo. A language's own model starts here instead: a WordPiece
vocabulary trained on the training texts (NFKC, no accent stripping, so syllables stay
whole) and a shallow BERT initialised at random. It is a regular transformers model, so
the scorer loads it like any other. ``base_model`` ``scratch`` selects it in training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from tokenizers.trainers import WordPieceTrainer
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

from sentiment.labels import CANONICAL_LABELS

SCRATCH_MODEL = "scratch"
SPECIAL_TOKENS = {
    "pad_token": "[PAD]",
    "unk_token": "[UNK]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}


@dataclass(frozen=True)
class ScratchShape:
    """Size of the from-scratch model; small enough for CPU training and inference."""

    vocab_size: int = 16_000
    hidden_size: int = 256
    layers: int = 2
    heads: int = 4
    intermediate_size: int = 1024
    max_positions: int = 128


def train_tokenizer(texts: Sequence[str], shape: ScratchShape) -> PreTrainedTokenizerFast:
    """A BERT-style WordPiece tokenizer learned from `texts`."""
    core = Tokenizer(models.WordPiece(unk_token=SPECIAL_TOKENS["unk_token"]))
    core.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    core.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = WordPieceTrainer(
        vocab_size=shape.vocab_size, special_tokens=list(SPECIAL_TOKENS.values())
    )
    core.train_from_iterator(texts, trainer)
    # The trainer numbers tokens in hash-map order, which changes from run to run; sorted
    # ids make a seeded run repeatable. (On tied merge counts the trainer can still pick
    # another token: huggingface/tokenizers#1794.)
    specials = list(SPECIAL_TOKENS.values())
    learned = sorted(token for token in core.get_vocab() if token not in specials)
    vocab = {token: index for index, token in enumerate(specials + learned)}
    core.model = models.WordPiece(vocab=vocab, unk_token=SPECIAL_TOKENS["unk_token"])
    cls_id, sep_id = core.token_to_id("[CLS]"), core.token_to_id("[SEP]")
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    core.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=core, model_max_length=shape.max_positions, **SPECIAL_TOKENS
    )


def build_scratch_model(texts: Sequence[str], shape: ScratchShape) -> tuple[Any, Any]:
    """(tokenizer, randomly initialised 3-label BERT classifier) for `texts`' language."""
    tokenizer = train_tokenizer(texts, shape)
    return tokenizer, scratch_classifier(tokenizer, shape)


def scratch_classifier(tokenizer: Any, shape: ScratchShape) -> Any:
    """A randomly initialised 3-label BERT classifier over the tokenizer's vocabulary."""
    id2label = dict(enumerate(CANONICAL_LABELS))
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=shape.hidden_size,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.intermediate_size,
        max_position_embeddings=shape.max_positions,
        pad_token_id=tokenizer.pad_token_id,
        id2label=id2label,
        label2id={label: index for index, label in id2label.items()},
    )
    return BertForSequenceClassification(config)
