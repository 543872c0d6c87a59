"""Rewrites a GGUF file as a split through gguf-py's own writer (GGUFWriter with split_max_tensors, as llama.cpp's
convert_hf_to_gguf.py --split-max-tensors does): every metadata key and tensor copied as read by gguf-py's GGUFReader.
Usage: gguf_py_split.py IN.gguf OUT.gguf MAX_TENSORS; prints the files written, one per line, prefixed FILE."""
import sys
from pathlib import Path

import gguf

source, target, max_tensors = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
reader = gguf.GGUFReader(source)
arch = reader.fields["general.architecture"].contents()
writer = gguf.GGUFWriter(target, arch, split_max_tensors=max_tensors)
for field in reader.fields.values():
    if field.name.startswith("GGUF.") or field.name == "general.architecture":
        continue
    kind = field.types[0]
    sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
    writer.add_key_value(field.name, field.contents(), kind, sub_type=sub)
for tensor in reader.tensors:
    writer.add_tensor(tensor.name, tensor.data, raw_shape=tensor.data.shape, raw_dtype=tensor.tensor_type)
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
for f in sorted(target.parent.glob(target.stem + "-*-of-*.gguf")):
    print("FILE", f)
