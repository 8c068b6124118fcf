"""Linear regression with autograd: the first training loop of the course, on plain tensors."""
import ember as torch

torch.manual_seed(0) if hasattr(torch, "manual_seed") else None
x = torch.linspace(-1, 1, 200).view(-1, 1)
y = 3.0 * x + 0.5 + 0.1 * torch.tensor(__import__("numpy").random.default_rng(0).standard_normal((200, 1)),
                                      dtype=torch.float32)
w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.5
for step in range(200):
    loss = ((x @ w + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad = None
    b.grad = None
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")
print(f"learned w={w.item():.3f} b={b.item():.3f} (true 3.0, 0.5)")
