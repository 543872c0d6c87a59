# Prints, for each GGUF file given, the log-probability Hugging Face transformers' own Llama gives each token of a
# prompt after the tokens before it (transformers reads the GGUF itself, through the gguf package, and dequantises it).
# usage: python transformers_logprobs.py TOKENS_CSV FILE [FILE ...]   -> one JSON list per file, "OUT " first
import os
import sys

import torch
from transformers import AutoModelForCausalLM

ids = [int(x) for x in sys.argv[1].split(",")]
for path in sys.argv[2:]:
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path), dtype=torch.float32)
    with torch.no_grad():
        logprobs = torch.log_softmax(model(torch.tensor([ids])).logits[0].double(), -1)
    print("OUT " + ",".join(repr(logprobs[i - 1][ids[i]].item()) for i in range(1, len(ids))), flush=True)
