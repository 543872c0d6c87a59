# Prints, for each GGUF file given, the log-probability Hugging Face transformers' own model (its Llama, Qwen, Phi-3, Gemma
# or Qwen3-MoE) gives each token of a prompt after the tokens before it (transformers reads the GGUF itself, through the
# gguf package, and dequantises it).
# usage: python transformers_logprobs.py TOKENS_CSV [--int8-input] [--config KEY=VALUE ...] FILE [...]
#   -> one line per file, "OUT " and the log-probabilities
# --config KEY=VALUE: a setting of the next file's model config that transformers' GGUF reader does not take from the
# file (VALUE read as JSON: 256, true), such as a Qwen3-MoE expert's width, or attn_implementation="eager" (the only
# one of transformers' attention implementations that caps Gemma 2's scores).
# --int8-input: every linear layer of the next file's model takes its input rounded to 8 bits per block of 32 (scale =
# largest magnitude / 127, each value the nearest whole number of scales), as Tangram's Q4_0 matrices with rows in
# lanes (and llama.cpp's Q4_0 products) do; Q4_K and Q6_K ones too.
import json
import os
import sys

import torch
from transformers import AutoModelForCausalLM


def round_to_8_bits(module, args):
    x = args[0]
    blocks = x.reshape(*x.shape[:-1], x.shape[-1] // 32, 32)
    scale = blocks.abs().amax(-1, keepdim=True) / 127
    inverse = torch.where(scale == 0, torch.zeros_like(scale), 1 / scale)
    return (torch.round(blocks * inverse) * scale).reshape(x.shape),


ids = [int(x) for x in sys.argv[1].split(",")]
int8_input = False
config = {}
args = iter(sys.argv[2:])
for arg in args:
    if arg == "--int8-input":
        int8_input = True
        continue
    if arg == "--config":
        key, value = next(args).split("=", 1)
        config[key] = json.loads(value)
        continue
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(arg), gguf_file=os.path.basename(arg), dtype=torch.float32,
                                                 **config)
    for key, value in config.items():
        if key == "attn_implementation":  # how transformers computes attention, not a setting of the model
            key = "_" + key
        assert getattr(model.config, key) == value, f"{key} is {getattr(model.config, key)}, not {value}"
    config = {}
    if int8_input:
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                module.register_forward_pre_hook(round_to_8_bits)
    int8_input = False
    with torch.no_grad():
        logprobs = torch.log_softmax(model(torch.tensor([ids])).logits[0].double(), -1)
    print("OUT " + ",".join(repr(logprobs[i - 1][ids[i]].item()) for i in range(1, len(ids))), flush=True)
