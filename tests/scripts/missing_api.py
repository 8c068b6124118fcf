"""Calls a PyTorch API that Ember does not have: the error must name it."""
import torch

x = torch.ones(4, 4)
print("before the missing call")
print(torch.onnx.export(x))
