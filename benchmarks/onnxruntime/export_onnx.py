#!/usr/bin/env python3
"""Exports a CLIP model in Hugging Face layout (e.g. the random ViT-L/14 that
dev.jclip.bench.RandomVitL14 writes) to two fp32 ONNX files for the ONNX Runtime side of the speed
comparison: vision.onnx (pixel_values [1, 3, S, S] -> image_embeds [1, E]) and text.onnx
(input_ids [1, L], L dynamic -> text_embeds [1, E]), the projected, not normalised, embeddings
jclip's encodeImage / encodeText return. Also checks ONNX Runtime's outputs against PyTorch's.
Run by hand on the reference stack (torch, transformers, onnx, onnxscript, onnxruntime wheels):

    V/bin/python benchmarks/onnxruntime/export_onnx.py /tmp/vitl-hf /tmp/vitl-onnx
"""
import sys
from pathlib import Path

import numpy as np
import torch
from transformers import CLIPModel


class Vision(torch.nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, pixel_values):
        pooled = self.clip.vision_model(pixel_values=pixel_values).pooler_output
        return self.clip.visual_projection(pooled)


class Text(torch.nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids):
        pooled = self.clip.text_model(input_ids=input_ids).pooler_output
        return self.clip.text_projection(pooled)


def main():
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    torch.set_grad_enabled(False)
    clip = CLIPModel.from_pretrained(src, torch_dtype=torch.float32, attn_implementation="eager").eval()
    size = clip.config.vision_config.image_size
    pixels = torch.randn(1, 3, size, size)
    ids = torch.tensor([[49406] + [320] * 75 + [49407]])
    torch.onnx.export(Vision(clip), (pixels,), out / "vision.onnx", input_names=["pixel_values"],
                      output_names=["image_embeds"], dynamo=False, opset_version=17)
    torch.onnx.export(Text(clip), (ids,), out / "text.onnx", input_names=["input_ids"], output_names=["text_embeds"],
                      dynamic_axes={"input_ids": {1: "tokens"}}, dynamo=False, opset_version=17)

    import onnxruntime as ort
    for name, module, feed in [("vision", Vision(clip), {"pixel_values": pixels}), ("text", Text(clip), {"input_ids": ids})]:
        session = ort.InferenceSession(str(out / f"{name}.onnx"), providers=["CPUExecutionProvider"])
        got = session.run(None, {k: v.numpy() for k, v in feed.items()})[0]
        want = module(*feed.values()).numpy()
        print(f"{name}.onnx: max |ONNX Runtime - PyTorch| = {np.abs(got - want).max():.2e}")


if __name__ == "__main__":
    main()
