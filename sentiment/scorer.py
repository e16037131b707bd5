"""The scorer: preprocess -> forward -> postprocess, in the shape of a transformers pipeline.

``Scorer.load("starter")`` loads the model shipped in ``sentiment/starter_model/``;
a local directory or a Hugging Face hub id works the same way. Each stage is a method
that can be called alone; ``score`` runs the three. Rating fusion is described in
:mod:`sentiment.fusion`, the input and result types in :mod:`sentiment.results`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as transformers_logging

from sentiment.correction import Correction
from sentiment.exceptions import ModelLoadError
from sentiment.fusion import fuse
from sentiment.labels import LabelMap, build_label_map
from sentiment.ngram_head import NgramHead
from sentiment.preprocess import PreparedText, clean_text, encode, preprocess
from sentiment.results import ScoreInput, SentimentResult, result_from_probs

__all__ = ["STARTER_MODEL_DIR", "ScoreInput", "Scorer", "SentimentResult"]

STARTER_MODEL_NAME = "starter"
STARTER_MODEL_ID = "repwatch-starter"
STARTER_MODEL_DIR = Path(__file__).resolve().parent / "starter_model"
# Bundled models by name: the default and the Korean one (docs/model-card.md).
BUNDLED_MODELS = {
    STARTER_MODEL_NAME: (STARTER_MODEL_DIR, STARTER_MODEL_ID),
    "starter-ko": (Path(__file__).resolve().parent / "starter_model_ko", "repwatch-starter-ko"),
}


def resolve_model(model: str) -> tuple[str, str]:
    """Return (what to load from, model id to report)."""
    if model in BUNDLED_MODELS:
        directory, model_id = BUNDLED_MODELS[model]
        if not (directory / "config.json").is_file():
            raise ModelLoadError(f"the bundled model {model!r} is missing from {directory}")
        return str(directory), model_id
    return model, model


_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def resolve_device(name: str) -> torch.device:
    """The torch device for a configured name; "auto" takes CUDA when torch sees one.

    Raises ModelLoadError for an unknown name or a device this torch build cannot use.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ModelLoadError(f"unknown device {name!r}: {exc}") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(
            f"device {name!r}: torch {torch.__version__} sees no CUDA device "
            "(a CUDA build of torch and a GPU are needed; use 'cpu' or 'auto')"
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ModelLoadError(f"device {name!r}: this machine has no Apple MPS device")
    return device


def quantize_int8(network: Any) -> Any:
    """Every Linear layer as int8 weights with one scale per output channel (dynamic).

    Per-channel scales keep the kept accuracy targets where per-tensor ones do not
    (docs/benchmarks.md, "Sentiment scoring").
    """
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch 2.13 marks torch.ao.quantization deprecated in favour of torchao; the
        # dynamic int8 kernels it runs are the ones torch still ships for the CPU.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", "torch.quantize_per_tensor", UserWarning)
        return quantize_dynamic(network, {torch.nn.Linear: per_channel_dynamic_qconfig})


def _load_pretrained(source: str) -> tuple[Any, Any]:
    # A worker loads the model once; a progress bar on stderr is noise in its logs.
    transformers_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        # Weights may be stored in float16 to stay small; CPU inference runs in float32.
        network = AutoModelForSequenceClassification.from_pretrained(source, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load sentiment model {source!r}: {exc}") from exc
    return tokenizer, network.float().eval()


class Scorer:
    """Scores texts with a sequence-classification model; see the module docstring."""

    def __init__(
        self,
        network: Any,
        tokenizer: Any,
        label_map: LabelMap,
        model_id: str,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        device: torch.device | None = None,
        ngram_head: NgramHead | None = None,
        parallel_batches: int = 1,
    ) -> None:
        self.network = network
        self.tokenizer = tokenizer
        self.label_map = label_map
        self.base_model_id = model_id
        self.batch_size = batch_size
        self.max_length = _usable_length(tokenizer, max_length)
        self.device = device or torch.device("cpu")
        self.ngram_head = ngram_head
        self._pool = (
            ThreadPoolExecutor(parallel_batches, thread_name_prefix="repwatch-score")
            if parallel_batches > 1
            else None
        )
        # A refit from responders' corrections (sentiment.correction), set by the worker.
        self.correction: Correction | None = None

    @property
    def model_id(self) -> str:
        """The model's id, with the refit it runs with (``repwatch-starter+refit-3``)."""
        if self.correction is None:
            return self.base_model_id
        return f"{self.base_model_id}+{self.correction.name}"

    @classmethod
    def load(
        cls,
        model: str,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        num_threads: int | None = None,
        label_map: Mapping[str, str] | None = None,
        quantize: bool | None = False,
        device: str = "cpu",
        dtype: str = "float32",
    ) -> Scorer:
        """Load "starter", a local model directory or a hub id; raise ModelLoadError.

        `quantize` converts the Linear layers to int8 (dynamic quantisation, CPU only):
        about twice as fast on CPU, at the accuracy measured in docs/benchmarks.md;
        None quantises when the model runs on the CPU in float32. `device`
        ("cpu", "cuda", "cuda:1", "mps" or "auto") and `dtype` ("float32", "float16",
        "bfloat16") place the model, e.g. a GPU scoring worker in half precision.

        On the CPU, `num_threads` (default: torch's, one per core) batches are scored at
        once, each on one thread: this model's matrices are too small for torch to split
        one batch over threads well (docs/benchmarks.md, "Batches side by side").
        """
        target = resolve_device(device)
        parallel_batches = 1
        if target.type == "cpu":
            parallel_batches = num_threads or torch.get_num_threads()
            torch.set_num_threads(1)
        elif num_threads is not None:
            torch.set_num_threads(num_threads)
        if quantize is None:
            quantize = target.type == "cpu" and dtype == "float32"
        if quantize and target.type != "cpu":
            raise ModelLoadError(f"int8 quantisation runs on the CPU only, not on {target}")
        source, model_id = resolve_model(model)
        tokenizer, network = _load_pretrained(source)
        if quantize:
            network = quantize_int8(network)
        else:
            network = network.to(device=target, dtype=_DTYPES[dtype])
        labels = build_label_map(network.config.id2label, label_map)
        # A model trained with --ngram-head keeps it beside its weights (local directories).
        ngram_head = NgramHead.load(Path(source)) if Path(source).is_dir() else None
        return cls(
            network,
            tokenizer,
            labels,
            model_id,
            batch_size=batch_size,
            max_length=max_length,
            device=target,
            ngram_head=ngram_head,
            parallel_batches=parallel_batches,
        )

    def preprocess(self, inputs: Sequence[ScoreInput]) -> list[PreparedText]:
        """Clean, detect language and encode each input (head + tail cut)."""
        texts = [item.text for item in inputs]
        langs = [item.lang for item in inputs]
        return preprocess(self.tokenizer, texts, langs, self.max_length)

    def forward(self, prepared: Sequence[PreparedText]) -> list[list[float]]:
        """Model output probabilities per text, in input order.

        Texts are sorted by length so each batch pads little, then put back in order.
        """
        order = sorted(range(len(prepared)), key=lambda index: len(prepared[index].input_ids))
        chunks = [
            order[start : start + self.batch_size]
            for start in range(0, len(order), self.batch_size)
        ]
        batches = ([prepared[index].input_ids for index in chunk] for chunk in chunks)
        outputs: list[list[float]] = [[] for _ in prepared]
        for chunk, probs in zip(chunks, self._forward_batches(batches), strict=True):
            for index, row in zip(chunk, probs, strict=True):
                outputs[index] = row
        return outputs

    def _forward_batches(self, batches: Iterable[list[list[int]]]) -> Iterator[list[list[float]]]:
        """Each batch's probabilities, in order; several batches at once with a pool."""
        if self._pool is None:
            return map(self._forward_batch, batches)
        return self._pool.map(self._forward_batch, batches)

    def _forward_batch(self, ids: list[list[int]]) -> list[list[float]]:
        # inference_mode is per thread: entered here, on whichever thread runs the batch.
        with torch.inference_mode():
            batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt").to(self.device)
            logits = self.network(**batch).logits
            return [list(map(float, row)) for row in logits.float().softmax(dim=-1)]

    def postprocess(
        self,
        prepared: Sequence[PreparedText],
        outputs: Sequence[Sequence[float]],
        ratings: Sequence[float | None],
    ) -> list[SentimentResult]:
        """Collapse model outputs to the three labels, fuse ratings, build results."""
        results = []
        label_probs = self.label_probabilities(prepared, outputs)
        for item, probs, rating in zip(prepared, label_probs, ratings, strict=True):
            results.append(result_from_probs(fuse(probs, rating), self.model_id, item.lang))
        return results

    def label_probabilities(
        self, prepared: Sequence[PreparedText], outputs: Sequence[Sequence[float]]
    ) -> list[dict[str, float]]:
        """{negative, neutral, positive} per text, the n-gram head's vote added if any,
        then the refit's correction if one is set."""
        probs = [self.label_map.collapse(output) for output in outputs]
        texts = [item.text for item in prepared]
        for head in (self.ngram_head, self.correction.head if self.correction else None):
            if head is not None:
                votes = head.log_odds(texts)
                probs = [head.combine(p, float(vote)) for p, vote in zip(probs, votes, strict=True)]
        return probs

    def text_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """{negative, neutral, positive} from the text alone (no rating), for evaluation."""
        cleaned = [clean_text(text) for text in texts]
        ids = encode(self.tokenizer, cleaned, self.max_length)
        prepared = [PreparedText(text, None, row) for text, row in zip(cleaned, ids, strict=True)]
        return self.label_probabilities(prepared, self.forward(prepared))

    def score(self, inputs: Sequence[ScoreInput]) -> list[SentimentResult]:
        """Score texts: preprocess -> forward -> postprocess."""
        if not inputs:
            return []
        prepared = self.preprocess(inputs)
        outputs = self.forward(prepared)
        return self.postprocess(prepared, outputs, [item.rating for item in inputs])


def _usable_length(tokenizer: Any, max_length: int) -> int:
    limit = getattr(tokenizer, "model_max_length", max_length)
    return min(max_length, limit) if isinstance(limit, int) and limit > 0 else max_length
