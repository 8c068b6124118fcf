"""Study notes 000-004: every tensor/autograd snippet and every network, run under real PyTorch and
under Ember (``torch`` bound to each), comparing printed output, errors and final variables.

The learner's code is kept as written. Edits, each marked ``# EDIT:`` in the snippet:
- code that cannot run at all in PyTorch 2.13 (syntax errors, ``Variable.creator``,
  ``loss.data[0]``, ``dataiter.next()``) is run once as written, to compare the error, and once
  in its modern form;
- data the notes load from disk (MNIST, FashionMNIST, CIFAR10) is replaced by seeded random
  tensors of the same shape, and batch sizes of heavy convolutions are reduced;
- ``print(...)`` lines are added where the note shows an output or where a value is the point.
Snippets whose code is only shown in a note's screenshot are reconstructed from the caption and
the well-known tutorial the note follows (PyTorch 60-minute blitz, Udacity DL_PyTorch).
"""
import textwrap

import numpy as np
import pytest

from snippets.harness import compare, run_both



def _ind(code):
    """Indent a column-0 block like the snippet literals, so the whole snippet dedents as one."""
    return textwrap.indent(textwrap.dedent(code), " " * 8)


# Udacity DL_PyTorch fc_model.Network (used by note 001 Part 6; also the ModuleList network of note 000).
FC_MODEL = '''
class Network(nn.Module):
    def __init__(self, input_size, output_size, hidden_layers, drop_p=0.5):
        super().__init__()
        self.hidden_layers = nn.ModuleList([nn.Linear(input_size, hidden_layers[0])])
        layer_sizes = zip(hidden_layers[:-1], hidden_layers[1:])
        self.hidden_layers.extend([nn.Linear(h1, h2) for h1, h2 in layer_sizes])
        self.output = nn.Linear(hidden_layers[-1], output_size)
        self.dropout = nn.Dropout(p=drop_p)

    def forward(self, x):
        for each in self.hidden_layers:
            x = F.relu(each(x))
            x = self.dropout(x)
        x = self.output(x)
        return F.log_softmax(x, dim=1)

class fc_model:  # EDIT: stands in for `import fc_model`
    Network = Network
'''

CLASSIFIER = '''
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 64)
        self.fc4 = nn.Linear(64, 10)

        # 在构造器中创建dropout，只要创建这个神将网络就会使用这个避免过拟合的方法
        self.dropout = nn.Dropout(p=0.2)

    def forward(self, x):
        # 确保输入x被flatted
        x = x.view(x.shape[0], -1)

        # 在网络中使用 dropout
        x = self.dropout(F.relu(self.fc1(x)))
        x = self.dropout(F.relu(self.fc2(x)))
        x = self.dropout(F.relu(self.fc3(x)))

        # 输出层不需要 dropout
        x = F.log_softmax(self.fc4(x), dim=1)

        return x
'''

BLITZ_NET = '''
import torch
from torch.autograd import Variable
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # If the size is a square you can only specify a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


net = Net()
print(net)
'''

CIFAR_NET = '''
from torch.autograd import Variable
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

net = Net()
print(net)

import torch.optim as optim
#交叉熵损失函数和SGD梯度下降方法
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

# EDIT: CIFAR10 is not on disk: 16 seeded random 3x32x32 "images" in a TensorDataset, no workers
trainset = torch.utils.data.TensorDataset(torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,)))
trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=True, num_workers=0)
testset = torch.utils.data.TensorDataset(torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,)))
testloader = torch.utils.data.DataLoader(testset, batch_size=4, shuffle=False, num_workers=0)
classes = ('plane', 'car', 'bird', 'cat',
           'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
'''

CIFAR_TRAIN = '''
for epoch in range(2):  # loop(遍历) over the dataset multiple times

    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        # get the inputs
        inputs, labels = data

        # wrap them in Variable
        inputs, labels = Variable(inputs), Variable(labels)

        # zero the parameter gradients
        optimizer.zero_grad()

        # forward + backward + optimize
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        # print statistics
        running_loss += LOSS_VALUE
        if i % 2 == 1:    # EDIT: every 2 mini-batches (was 2000)
            print('[%d, %5d] loss: %.3f' %
                  (epoch + 1, i + 1, running_loss / 2))
            running_loss = 0.0

print('Finished Training')
'''

# Adam's first steps are lr * g / (|g| + eps): for an element whose gradient is near eps (1e-8), the
# float32 rounding of g (BLAS summation order, ~1e-9) moves its step by a few percent of lr. Measured
# over 10 steps of this network: at most 5.2e-4 (lr is 3e-3), in 0.3% of the elements, and once a ReLU
# unit near 0 flips the runs drift apart, so the loop below runs 6 steps.
# So trained parameters compare to 1e-3 here; "001p3_adam_exact_steps" checks Adam's arithmetic exactly.
ADAM_TOL = dict(rtol=1e-4, atol=1e-3)

SNIPPETS = {
    # ------------------------------------------------------------------ note 000
    "000_normalize_arithmetic": ('''
        # EDIT: Normalize written out on a tensor: image = (image - mean) / std, and back
        image = torch.tensor([0.0, 0.25, 1.0])
        std, mean = 0.5, 0.5
        image = (image - mean) / std
        print(image)
        image = ((image * std) + mean)
        print(image)
    ''', {}),
    "000_requires_grad_no_grad": ('''
        x = torch.zeros(1, requires_grad=True)
        with torch.no_grad():
            y = x * 2
        print(y.requires_grad)
        torch.set_grad_enabled(False)
        y2 = x * 2
        print(y2.requires_grad, y2.grad_fn)
        torch.set_grad_enabled(True)
        z = (x * 2 + 1).sum()
        print(z.grad_fn)
        z.backward()
        print(x.grad)
    ''', {}),
    "000_sequential_criterion_sgd": ('''
        from collections import OrderedDict
        input_size = 784
        hidden_sizes = [128, 64]
        output_size = 10
        model = nn.Sequential(OrderedDict([
                              ('fc1', nn.Linear(input_size, hidden_sizes[0])),
                              ('relu1', nn.ReLU()),
                              ('fc2', nn.Linear(hidden_sizes[0], hidden_sizes[1])),
                              ('relu2', nn.ReLU()),
                              ('output', nn.Linear(hidden_sizes[1], output_size))]))
        print(model)
        # --sync--
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.SGD(model.parameters(), lr=0.01)
        images = torch.randn(64, 784)
        labels = torch.randint(0, 10, (64,))
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        print(loss)
        loss.backward()
        optimizer.step()
        print(model.fc1.weight[:2, :4])
    ''', {}),
    "000_ordereddict_wrong_form": ('''
        from collections import OrderedDict
        input_size, hidden_sizes = 784, [128, 64]
        OrderedDict(['key',nn.Linear(input_size,hidden_sizes[0])])
    ''', {}),
    "000_modulelist_zip": ('''
        hidden_layers = [512, 256, 128, 64]
        layer_sizes = zip(hidden_layers[:-1], hidden_layers[1:])
        for each in layer_sizes:
            print(each)
    ''' + _ind(FC_MODEL) + '''
        model = Network(784, 10, [512, 256, 128, 64])
        print(model)
        print([p.shape for p in model.parameters()])
        # --sync--
        model.eval()
        out = model(torch.randn(4, 784))
        print(out.exp().sum(dim=1))
    ''', {}),

    # ------------------------------------------------------------------ note 001 Part 1
    "001p1_random_data": ('''
        def activation(x):
            return 1/(1+torch.exp(-x))
        torch.manual_seed(7)
        features = torch.randn((1, 5))
        weights = torch.randn_like(features)
        bias = torch.randn((1, 1))
        print(features, weights, bias)
        y = activation(torch.sum(features * weights) + bias)
        print(y)
        y = activation((features * weights).sum() + bias)
        print(y)
    ''', {}),
    "001p1_mm_size_mismatch": ('''
        torch.manual_seed(7)
        features = torch.randn((1, 5))
        weights = torch.randn_like(features)
        torch.mm(features, weights)
    ''', {}),
    "001p1_shapes_view_reshape_resize": ('''
        def activation(x):
            return 1/(1+torch.exp(-x))
        torch.manual_seed(7)
        features = torch.randn((1, 5))
        weights = torch.randn_like(features)
        bias = torch.randn((1, 1))
        print(weights.shape)
        print(weights.reshape(5, 1))
        print(weights.view(5,1))
        y = activation(torch.mm(features, weights.view(5,1)) + bias)
        print(y)
        w = weights.clone()
        print(w.resize_(5, 1))
        print(w.resize_(2, 2))       # fewer elements: the rest stay in memory
        print(w.view(-1), w.view(4, -1).shape)
        weights.view(2, 2)
    ''', {}),
    "001p1_multilayer": ('''
        def activation(x):
            return 1/(1+torch.exp(-x))
        torch.manual_seed(7)
        features = torch.randn((1, 3))
        n_input = features.shape[1]
        n_hidden = 2
        n_output = 1
        W1 = torch.randn(n_input, n_hidden)
        W2 = torch.randn(n_hidden, n_output)
        B1 = torch.randn((1, n_hidden))
        B2 = torch.randn((1, n_output))
        h = activation(torch.mm(features, W1) + B1)
        output = activation(torch.mm(h, W2) + B2)
        print(output)
    ''', {}),
    "001p1_numpy_bridge": ('''
        a = np.random.rand(4,3)
        b = torch.from_numpy(a)
        print(b)
        print(b.numpy())
        b.mul_(2)          # in place on the tensor: the array changes too
        print(a)
        a += 1             # in place on the array: the tensor changes too
        print(b)
        c = b.numpy()
        print(np.shares_memory(c, a))
    ''', {}),
    "001p1_numpy_gives_a_new_array_object": ('''
        a = np.arange(12.).reshape(4, 3)
        b = torch.from_numpy(a)
        c = b.numpy()
        print(c is a, np.shares_memory(c, a))
        c.shape = (12,)      # reshaping the NumPy array object must not reshape the tensor
        a.shape = (2, 6)
        print(b.shape)
        print(b)
    ''', {}),

    # ------------------------------------------------------------------ note 001 Part 2
    "001p2_softmax": ('''
        torch.manual_seed(7)
        x = torch.randn(64, 10)
        def softmax(x):
            return torch.exp(x)/torch.sum(torch.exp(x), dim=1).view(-1, 1)
        probabilities = softmax(x)
        print(probabilities.shape)
        print(probabilities.sum(dim=1))
        print(torch.sum(torch.exp(x), dim=1).shape, torch.sum(torch.exp(x), dim=0).shape)
    ''', {}),
    "001p2_softmax_64_vector_error": ('''
        x = torch.randn(64, 10)
        torch.exp(x)/torch.sum(torch.exp(x), dim=1)
    ''', {}),
    "001p2_dims": ('''
        a = torch.tensor([9.8609e+07, 1.3485e+06, 6.7135e+09])
        print(a, a.shape)
        b = torch.tensor([[1,2],[3,4]])
        print(b, b.shape, b.dtype)
        print(torch.tensor([[1,2],[3,4]]).view(-1), torch.tensor([[1,2],[3,4]]).view(1, -1))
        torch.manual_seed(0)
        x = torch.randn(1, 8, 2, requires_grad=True)
        s = F.softmax(x, dim=1)
        print(s)
        print(s.size())
    ''', {}),
    "001p2_network_class_sigmoid": ('''
        # EDIT: the class described in prose (语法3): nn.Sigmoid and nn.Softmax modules
        class Network(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(784, 256)
                self.output = nn.Linear(256, 10)
                self.sigmoid = nn.Sigmoid()
                self.softmax = nn.Softmax(dim=1)

            def forward(self, x):
                x = self.hidden(x)
                x = self.sigmoid(x)
                x = self.output(x)
                x = self.softmax(x)
                return x

        model = Network()
        print(model)
        # --sync--
        images = torch.randn(64, 1, 28, 28)
        ps = model(images.view(images.shape[0], -1))
        print(ps.shape, ps.sum(dim=1)[:3])
    ''', dict(fuzzy=True)),  # the softmax rows sum to 1 within a few ulp: exactly 1 or not depends on the last
    #                          bits of matmul and exp, which NumPy and PyTorch's CPU kernels round differently
    "001p2_network_functional": ('''
        import torch.nn.functional as F

        class Network(nn.Module):
            def __init__(self):
                super().__init__()
                # Inputs to hidden layer linear transformation
                self.hidden = nn.Linear(784, 256)
                # Output layer, 10 units - one for each digit
                self.output = nn.Linear(256, 10)
            # 1. 不需要在 init 中定义 sigmoid和softmax 激活函数
            # 2. 使用 F module 的定义函数方法
            def forward(self, x):
                # Hidden layer with sigmoid activation
                x = F.sigmoid(self.hidden(x))
                # Output layer with softmax activation
                x = F.softmax(self.output(x), dim=1)

                return x
        model = Network()
        print(model)
        print(model.hidden.weight.shape, model.hidden.bias.shape)
        # --sync--
        images = torch.randn(64, 1, 28, 28)
        inputs = images.view(images.shape[0], -1)
        img_flat = torch.flatten(images, start_dim=1)
        print(inputs.shape, torch.equal(inputs, img_flat))
        ps = model(inputs)
        print(ps[0])
    ''', {}),
    "001p2_weight_init": ('''
        # EDIT: Udacity's Part 2 network with fc1/fc2/fc3, to hold model.fc1
        class Network(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 128)
                self.fc2 = nn.Linear(128, 64)
                self.fc3 = nn.Linear(64, 10)
            def forward(self, x):
                x = F.relu(self.fc1(x))
                x = F.relu(self.fc2(x))
                return F.softmax(self.fc3(x), dim=1)
        model = Network()
        print(model.fc1.weight)
        print(model.fc1.bias)
        model.fc1.bias.data.fill_(0)
        model.fc1.weight.data.normal_(std=0.01)
        print(model.fc1.weight)
        print(model.fc1.bias[:5])
    ''', {}),
    "001p2_sequential": ('''
        # Hyperparameters for our network
        input_size = 784
        hidden_sizes = [128, 64]
        output_size = 10
        # Build a feed-forward network
        model = nn.Sequential(nn.Linear(input_size, hidden_sizes[0]),
                              nn.ReLU(),
                              nn.Linear(hidden_sizes[0], hidden_sizes[1]),
                              nn.ReLU(),
                              nn.Linear(hidden_sizes[1], output_size),
                              nn.Softmax(dim=1))
        print(model)
        print(model[0])
        print(model[0].weight.shape)
        # --sync--
        images = torch.randn(64, 1, 28, 28)
        images.resize_(images.shape[0], 1, 784)
        ps = model.forward(images[0,:])
        print(ps)
    ''', {}),
    "001p2_sequential_ordereddict": ('''
        input_size = 784
        hidden_sizes = [128, 64]
        output_size = 10
        from torch import nn
        from collections import OrderedDict
        model = nn.Sequential(OrderedDict([
                              ('fc1', nn.Linear(input_size, hidden_sizes[0])),
                              ('relu1', nn.ReLU()),
                              ('fc2', nn.Linear(hidden_sizes[0], hidden_sizes[1])),
                              ('relu2', nn.ReLU()),
                              ('output', nn.Linear(hidden_sizes[1], output_size)),
                              ('softmax', nn.Softmax(dim=1))]))
        print(model[0])
        print(model[1])
        print(model.fc1)
        print(model.relu1)
        print(model)
        print(list(model.state_dict().keys()))
    ''', {}),

    # ------------------------------------------------------------------ note 001 Part 3
    "001p3_cross_entropy": ('''
        # Build a feed-forward network
        model = nn.Sequential(nn.Linear(784, 128),
                              nn.ReLU(),
                              nn.Linear(128, 64),
                              nn.ReLU(),
                              nn.Linear(64, 10))
        # --sync--
        # Define the loss
        criterion = nn.CrossEntropyLoss()
        # EDIT: a random batch instead of MNIST
        images, labels = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        # Flatten images
        images = images.view(images.shape[0], -1)
        # Forward pass, get our logits
        logits = model(images)
        # Calculate the loss with the logits and the labels
        loss = criterion(logits, labels)
        print(loss)
    ''', {}),
    "001p3_log_softmax_nll": ('''
        model = nn.Sequential(nn.Linear(784, 128),
                              nn.ReLU(),
                              nn.Linear(128, 64),
                              nn.ReLU(),
                              nn.Linear(64, 10),
                              nn.LogSoftmax(dim=1))
        print(model)
        # --sync--
        criterion = nn.NLLLoss()
        images, labels = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        images = images.view(images.shape[0], -1)
        logps = model(images)
        loss = criterion(logps, labels)
        print(loss)
        print(torch.exp(logps).sum(dim=1)[:4])
        loss2 = F.nll_loss(F.log_softmax(model[:-1](images), dim=1), labels)
        print(loss2, nn.CrossEntropyLoss()(model[:-1](images), labels))
        print(F.log_softmax(logps, dim=0).exp().sum(dim=0)[:3])
    ''', {}),
    "001p3_autograd": ('''
        x = torch.randn(2,2, requires_grad=True)
        print(x)
        y = x**2
        print(y)
        ## grad_fn shows the function that generated this variable
        print(y.grad_fn)
        z = y.mean()
        print(z)
        print(x.grad)
        z.backward()
        print(x.grad)
        print(x/2)
        x.requires_grad_(True)
        print(x.is_leaf, y.is_leaf, y.requires_grad)
    ''', {}),
    "001p3_no_grad_set_grad_enabled": ('''
        x = torch.zeros(1, requires_grad=True)
        with torch.no_grad():
            y = x * 2
        print(y.requires_grad)
        torch.set_grad_enabled(False)
        w = x * 2
        print(w.requires_grad)
        torch.set_grad_enabled(True)
        with torch.set_grad_enabled(False):
            v = x * 3
        print(v.requires_grad, torch.is_grad_enabled())
        d = (x * 2).detach()
        print(d.requires_grad, d.grad_fn)
    ''', {}),
    "001p3_second_backward_error": ('''
        x = torch.randn(2,2, requires_grad=True)
        y = x**2
        z = y.mean()
        z.backward()
        z.backward()
    ''', {}),
    "001p3_retain_graph_accumulates": ('''
        model = nn.Sequential(nn.Linear(784, 128),
                              nn.ReLU(),
                              nn.Linear(128, 64),
                              nn.ReLU(),
                              nn.Linear(64, 10),
                              nn.LogSoftmax(dim=1))
        # --sync--
        criterion = nn.NLLLoss()
        images, labels = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        images = images.view(images.shape[0], -1)
        logps = model(images)
        loss = criterion(logps, labels)
        print('Before backward pass: \\n', model[0].weight.grad)
        loss.backward(retain_graph=True)
        print('Before backward pass: \\n', model[0].weight.grad)
        loss.backward()
        print('After backward pass: \\n', model[0].weight.grad)
    ''', dict(tol=dict(rtol=1e-4, atol=1e-6), fuzzy=True)),
    "001p3_optim_sgd_step": ('''
        from torch import optim
        model = nn.Sequential(nn.Linear(784, 128),
                              nn.ReLU(),
                              nn.Linear(128, 64),
                              nn.ReLU(),
                              nn.Linear(64, 10),
                              nn.LogSoftmax(dim=1))
        # --sync--
        criterion = nn.NLLLoss()
        # Optimizers require the parameters to optimize and a learning rate
        optimizer = optim.SGD(model.parameters(), lr=0.01)
        print('Initial weights - ', model[0].weight)
        images, labels = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        images.resize_(64, 784)
        # Clear the gradients, do this because gradients are accumulated
        optimizer.zero_grad()
        # Forward pass, then backward pass, then update weights
        output = model(images)
        loss = criterion(output, labels)
        loss.backward()
        print('Gradient -', model[0].weight.grad)
        # Take an update step and few the new weights
        optimizer.step()
        print('Updated weights - ', model[0].weight)
        optimizer.zero_grad()
        print(model[0].weight.grad)
    ''', dict(tol=dict(rtol=1e-4, atol=1e-6), fuzzy=True)),
    "001p3_training_loop_adam": ('''
        model = nn.Sequential(nn.Linear(784, 128),
                              nn.ReLU(),
                              nn.Linear(128, 64),
                              nn.ReLU(),
                              nn.Linear(64, 10),
                              nn.LogSoftmax(dim=1))
        # --sync--
        criterion = nn.NLLLoss()
        optimizer = optim.Adam(model.parameters(), lr=0.003)
        # EDIT: 3 random batches instead of the MNIST trainloader
        trainloader = [(torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))) for _ in range(3)]
        epochs = 2
        for e in range(epochs):
            running_loss = 0
            for images, labels in trainloader:
                # Flatten MNIST images into a 784 long vector
                images = images.view(images.shape[0], -1)
                optimizer.zero_grad()
                output = model(images)
                loss = criterion(output, labels)
                loss.backward()
                optimizer.step()
                running_loss += loss.item()
            else:
                print(f"Training loss: {running_loss/len(trainloader):.6f}")
    ''', dict(tol=ADAM_TOL, fuzzy=True)),
    "001p3_adam_exact_steps": ('''
        # EDIT: Adam and SGD (momentum) steps on gradients that are exact in float32 and float64
        for dtype in (torch.float32, torch.float64):
            p = torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]], dtype=dtype, requires_grad=True)
            q = p.detach().clone().requires_grad_(True)
            adam = optim.Adam([p], lr=0.003)
            sgd = optim.SGD([q], lr=0.01, momentum=0.9)
            for step in range(5):
                for opt, w in ((adam, p), (sgd, q)):
                    opt.zero_grad()
                    loss = (w * torch.tensor([[1., 2., 4.], [0.5, 0.25, 8.]], dtype=dtype)).sum()
                    loss.backward()
                    opt.step()
            print(p)
            print(q)
            print(adam.state_dict()['state'][0]['exp_avg_sq'], adam.param_groups[0]['lr'])
    ''', {}),
    "001p3_item_exact_sums": ('''
        # EDIT: the item() note on sums PyTorch and NumPy add in the same order (under 8 elements)
        y_pred = torch.tensor([0.1, 0.7, -1.3, 2.9])
        y = torch.tensor([0.3, 0.2, 0.4, 1.0])
        loss = (y_pred - y).pow(2).sum()
        print(loss.item())
        print(loss, type(loss.item()), torch.tensor([3]).item(), type(torch.tensor([3]).item()))
        print(torch.tensor(True).item(), torch.tensor(2.5, dtype=torch.float64).item())
        torch.ones(2).item()
    ''', {}),
    "001p3_item": ('''
        person={'name':'lizhong','age':'26','city':'BeiJing','blog':'www.jb51.net'}  # EDIT: ASCII quotes

        for key,value in person.items():
            print('key=', key, 'value=', value)
        # EDIT: y_pred and y defined
        y_pred = torch.randn(5, 3)
        y = torch.randn(5, 3)
        loss = (y_pred - y).pow(2).sum()
        print(loss.item())
        print(type(loss.item()), loss, loss.dim())
        torch.ones(2).item()
    ''', {}),

    # ------------------------------------------------------------------ note 001 Part 5
    "001p5_topk_accuracy": (_ind(CLASSIFIER) + '''
        model = Classifier()
        # --sync--
        images, labels = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))  # EDIT: random batch
        # Get the class probabilities
        ps = torch.exp(model(images))
        # Make sure the shape is appropriate, we should get 10 class probabilities for 64 examples
        print(ps.shape)
        top_p, top_class = ps.topk(1, dim=1)
        print(top_class.shape)  # torch.Size([64, 1]) 1列里的值是对应概率最大的索引
        # Look at the most likely classes for the first 10 examples
        print(top_class[:10,:])
        print(top_p[:3])
        equals = top_class == labels
        print(equals.shape)
        equals = top_class == labels.view(*top_class.shape)
        print(equals.shape) #torch.Size([64, 1])
        print(equals.type(torch.FloatTensor)[:3], equals.type(torch.FloatTensor).type())
        accuracy = torch.mean(equals.type(torch.FloatTensor))
        print(f'Accuracy: {accuracy.item()*100}%')
        print(torch.topk(ps[0], 3), ps.topk(2, largest=False).indices[:2])
    ''', {}),
    "001p5_mean_of_bool_error": ('''
        top_class = torch.tensor([[1], [7], [3]])
        labels = torch.tensor([1, 2, 3])
        equals = top_class == labels.view(*top_class.shape)
        torch.mean(equals)
    ''', {}),
    "001p5_bytetensor_casts": ('''
        # EDIT: the note's torch.ByteTensor -> torch.FloatTensor cast (comparisons gave uint8 before 1.2)
        top_class = torch.tensor([[1], [7], [3], [2]])
        labels = torch.tensor([1, 2, 3, 2])
        equals = (top_class == labels.view(*top_class.shape)).type(torch.ByteTensor)
        print(equals, equals.type(), equals.dtype)
        print(equals.type(torch.FloatTensor))
        accuracy = torch.mean(equals.type(torch.FloatTensor))
        print(f'Accuracy: {accuracy.item()*100}%')
        print(equals.float().mean(), equals.sum(), equals.sum().dtype, equals.type('torch.DoubleTensor'))
        torch.mean(equals)
    ''', {}),
    "001p5_validation_loop": (_ind(CLASSIFIER) + '''
        model = Classifier()
        # --sync--
        criterion = nn.NLLLoss()
        testloader = [(torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))) for _ in range(3)]  # EDIT
        test_loss = 0
        accuracy = 0 # ！因为这是一个batch的统计，所以需要用+=累计出整个epoch的统计。当然，在epoch开始之前需要清零
        # 计算每个epoch的精度
        # 关闭梯度，节省内存和计算
        with torch.no_grad():
            model.eval()  # EDIT: as the note recommends for validation
            for images, labels in testloader:
                # 在测试集的输出
                log_ps = model(images)
                test_loss = criterion(log_ps, labels)
                ps = torch.exp(log_ps) # 理论上shape是64，10

                top_p, top_class = ps.topk(1, dim=1)
                # 比较
                equals = top_class == labels.view(*top_class.shape)
                accuracy += torch.mean(equals.type(torch.FloatTensor)) # 1个epoch的求出
        model.train()
        print(test_loss, accuracy, accuracy / len(testloader))
        print("Test Loss: {:.3f}.. ".format(test_loss), "Test Accuracy: {:.3f}".format(accuracy/len(testloader)))
        print(test_loss.requires_grad, model.training)
    ''', {}),
    "001p5_dropout_train_eval": (_ind(CLASSIFIER) + '''
        model = Classifier()
        print(model)
        # --sync--
        x = torch.randn(4, 784)
        torch.manual_seed(1)
        train_out = model(x)
        print(train_out)
        model.eval()
        print(model.training, model.dropout.training)
        eval_out = model(x)
        print(eval_out)
        print(torch.equal(eval_out, model(x)))
        model.train()
        d = nn.Dropout(p=0.5)
        print(d, d(torch.ones(2, 8)))
        d.eval()
        print(d(torch.ones(2, 8)))
        print(F.dropout(torch.ones(2, 8), p=0.5, training=True))
    ''', {}),
    "001p5_adam_one_epoch_small": (_ind(CLASSIFIER) + '''
        model = Classifier()
        # --sync--
        criterion = nn.NLLLoss()
        optimizer = optim.Adam(model.parameters(), lr=0.003)
        trainloader = [(torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))) for _ in range(3)]  # EDIT
        for images, labels in trainloader:
            optimizer.zero_grad()
            log_ps = model(images)
            loss = criterion(log_ps, labels)
            loss.backward()
            optimizer.step()
            print(round(loss.item(), 4))
    ''', dict(tol=ADAM_TOL, fuzzy=True)),

    # ------------------------------------------------------------------ note 001 Part 6
    "001p6_state_dict_save_load": (_ind(FC_MODEL) + '''
        model = fc_model.Network(784, 10, [512, 256, 128])
        print("Our model: \\n\\n", model, '\\n')
        print("The state dict keys: \\n\\n", model.state_dict().keys())
        torch.save(model.state_dict(), 'checkpoint.pth')
        state_dict = torch.load('checkpoint.pth')
        print(state_dict.keys())
        print(model.load_state_dict(state_dict))
        print(type(state_dict).__name__, state_dict['output.bias'].requires_grad)
    ''', {}),
    "001p6_load_state_dict_size_mismatch": (_ind(FC_MODEL) + '''
        model = fc_model.Network(784, 10, [512, 256, 128])
        torch.save(model.state_dict(), 'checkpoint.pth')
        state_dict = torch.load('checkpoint.pth')
        # Try this
        model = fc_model.Network(784, 10, [400, 200, 100])
        # This will throw an error because the tensor sizes are wrong!
        model.load_state_dict(state_dict)
    ''', dict(skip=("model",))),
    "001p6_checkpoint_dict": (_ind(FC_MODEL) + '''
        model = fc_model.Network(784, 10, [512, 256, 128])
        checkpoint = {'input_size': 784,
                      'output_size': 10,
                      'hidden_layers': [each.out_features for each in model.hidden_layers],
                      'state_dict': model.state_dict()}

        torch.save(checkpoint, 'checkpoint.pth')

        def load_checkpoint(filepath):
            checkpoint = torch.load(filepath)
            model = fc_model.Network(checkpoint['input_size'],
                                     checkpoint['output_size'],
                                     checkpoint['hidden_layers'])
            model.load_state_dict(checkpoint['state_dict'])

            return model

        model2 = load_checkpoint('checkpoint.pth')
        print(model2)
        model2.eval()
        x = torch.randn(2, 784)
        print(torch.equal(model2(x), model.eval()(x)))
    ''', {}),

    # ------------------------------------------------------------------ note 001 Part 7/8 (networks, transforms)
    "001p8_frozen_features_classifier": ('''
        # EDIT: a small "features" stand-in for densenet121 (1024 features out)
        model = nn.Sequential(OrderedDict([('features', nn.Linear(16, 1024))]))
        # 首先冻结导入模型的！参数！
        for param in model.parameters():
            param.requires_grad = False

        from collections import OrderedDict
        classifier = nn.Sequential(OrderedDict([
                                    ('fc1', nn.Linear(1024, 500)),    # feature部分的输出是1024
                                    ('relu', nn.ReLU()),
                                    ('fc2', nn.Linear(500, 2)),
                                    ('output', nn.LogSoftmax(dim=1))
                                  ]))

        # 更换导入的模型的分类器部分！
        model.classifier = classifier
        print(model.classifier)
        print([n for n, p in model.named_parameters() if p.requires_grad])
        # --sync--
        out = model(torch.randn(3, 16))
        print(out, out.requires_grad)
        out.sum().backward()
        print(model.features.weight.grad, model.classifier.fc2.bias.grad)
        print(torch.cuda.is_available())
        device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        model.to(device)
        print(device, next(model.parameters()).device)
    ''', dict(prelude="from collections import OrderedDict\n")),
    "001p7_normalize_3_channels_on_1_channel_image": ('''
        # EDIT: torchvision's normalize is tensor.sub_(mean).div_(std) with mean, std viewed as (C, 1, 1);
        # under Ember the transform itself runs (see test_normalize_three_channel_mean_on_gray_image)
        image = torch.rand(1, 28, 28)
        mean = torch.as_tensor((0.5, 0.5, 0.5)).view(-1, 1, 1)
        image.sub_(mean)
    ''', {}),

    # ------------------------------------------------------------------ note 002
    "001p7_collate_different_sizes": ('''
        # EDIT: the note's "stack expects each tensor to be equal size" error, from two image sizes
        dataset = [torch.zeros(3, 237, 224), torch.zeros(3, 224, 400)]
        dataloader = torch.utils.data.DataLoader(dataset, batch_size=2)
        images = next(iter(dataloader))
    ''', {}),
    "002_manual_seed_rand": ('''
        torch.manual_seed(100)
        test = torch.rand(1,4)
        print(test)
        torch.manual_seed(100)
        print(torch.equal(test, torch.rand(1, 4)))
    ''', {}),
    "002_mul_instead_of_mm": ('''
        # EDIT: the Udacity Part 2 setup (flattened 64 images, 784x256 weights)
        def activation(x):
            return 1/(1+torch.exp(-x))
        torch.manual_seed(7)
        images = torch.randn(64, 1, 28, 28)
        img_flat = torch.flatten(images, start_dim=1)
        W1 = torch.randn(784, 256)
        B1 = torch.randn(256)
        h = activation(torch.mm(img_flat,W1)+B1)
        print(h.shape, h[0, :4])
        h = activation(torch.sum(img_flat*W1)+B1)
    ''', dict(fuzzy=True, tol=dict(rtol=1e-4, atol=1e-5))),
    "002_flatten": ('''
        images = torch.randn(64, 1, 28, 28)
        # Flatten the input images
        inputs = images.view(images.shape[0],-1)

        img_flat = torch.flatten(images, start_dim=1)
        print(inputs.shape, img_flat.shape, torch.equal(inputs, img_flat))
    ''', {}),
    "002_softmax": ('''
        def softmax(x):
            return torch.exp(x)/torch.sum(torch.exp(x), dim=1).view(-1, 1)
        out = torch.randn(64, 10)
        probabilities = softmax(out)
        print(probabilities.shape, probabilities.sum(dim=1)[:5])
        print(torch.allclose(probabilities, F.softmax(out, dim=1)))
    ''', {}),
    "002_conv_module_vs_functional": ('''
        inputs = torch.rand(2, 3, 24, 24)  # EDIT: was (64, 3, 244, 244); smaller for test time
        conv = nn.Conv2d(in_channels=3, out_channels=64, kernel_size=3, padding=1)
        print(conv)
        # --sync--
        out = conv(inputs)
        print(out.shape, out.grad_fn)
        weight = torch.rand(64,3,3,3)
        bias = torch.rand(64)
        out = nn.functional.conv2d(inputs, weight, bias, padding=1)
        print(out.shape, out[0, 0, :2, :4])
        print(nn.MaxPool2d(2,2), nn.MaxPool2d(2,2)(out).shape)
        drop = nn.Dropout()
        drop.eval()
        print(torch.equal(drop(out), out), torch.equal(F.dropout(out, training=False), out))
        ce = nn.CrossEntropyLoss()
        logits, target = torch.randn(4, 10), torch.tensor([1, 0, 4, 9])
        print(ce(logits, target), nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target))
    ''', {}),

    # ------------------------------------------------------------------ note 003
    "003_tensors": ('''
        import torch
        import numpy as np
        a = torch.tensor(3.14)  # a scalar is an zero-dimensional tensor
        print(a, a.dim(), a.dtype)
        a = torch.FloatTensor(10) # vector with size 10
        print(a.shape, a.dtype)
        a = torch.FloatTensor(2, 3) # tensor with 2 rows and 3 cols
        print(a.shape, a.type())
        a = torch.FloatTensor(2,3,4) # a 3 dimensional tensor
        print(a.size(), a.dim())

        # Initialize a tensor with list or tuple
        b = torch.FloatTensor([[1,2,3], [3,2,1]])
        print(b)
        n = np.zeros(shape=(3,2))
        b = torch.tensor(n) # torch.from_numpy(n) method will be deprecated
        print(b)
        n[0, 0] = 5
        print(b[0, 0])  # torch.tensor copies

        # GPU tensor
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        b = b.to(device) # if device is cuda
        print(device, b.device)
    ''', dict(no_values=("a",))),
    "003_sequential": ('''
        import torch.nn as nn
        s = nn.Sequential(
                nn.Linear(2,5),
                nn.ReLU(),
                nn.Linear(5, 20),
                nn.Dropout(p=0.3),
                nn.Softmax(dim=1))
        print(s)
        # --sync--
        out = s(torch.FloatTensor([[2, 3], [1, -1]]))
        print(out)
        s.eval()
        print(s(torch.FloatTensor([[2, 3]])))
    ''', {}),
    "003_custom_module_as_written": ('''
        class OurModule(nn.Module):
          def __init__(self. num_inputs, num_classes, dropout_prob=0.3):
            super(OurModule, self).__init__()
    ''', dict(syntax_error=True)),
    "003_custom_module": ('''
        class OurModule(nn.Module):
          def __init__(self, num_inputs, num_classes, dropout_prob=0.3):  # EDIT: `self.` -> `self,`
            super(OurModule, self).__init__()
            self.pipe = nn.Sequential(
                nn.Linear(2,5),
                nn.ReLU(),
                nn.Linear(5, 20),
                nn.ReLU(),
                nn.Linear(20, num_classes),
                nn.Dropout(p=dropout_prob),
                nn.Softmax()
            )
          def forward(self, x):
            return self.pipe(x)

        if __name__ == "__main__":
          net = OurModule(num_inputs=2, num_classes=3)
          v = torch.FloatTensor([[2,3]])
          out = net(v)
          print(net); print(out)
    ''', dict(warn=True)),
    "003_losses": ('''
        torch.manual_seed(3)
        x, t = torch.rand(4, 3), torch.rand(4, 3)
        print(nn.MSELoss()(x, t))
        print(nn.BCELoss()(x, t))
        print(nn.CrossEntropyLoss()(x, torch.tensor([0, 2, 1, 1])))
        print(nn.MSELoss(), nn.BCELoss(), nn.CrossEntropyLoss())
    ''', {}),

    # ------------------------------------------------------------------ note 004
    "004_tensor_basics": ('''
        # EDIT: reconstructed from the screenshots (60-minute blitz): uninitialised and random 5x3
        x = torch.Tensor(5, 3)
        print(x.size())
        x = torch.rand(5, 3)
        print(x)
        print(x.size())
        print(isinstance(x.size(), tuple), x.size()[0], x.size() + (1,), len(x.size()))
        y = torch.rand(5, 3)
        print(x + y)
        print(torch.add(x, y))
        result = torch.Tensor(5, 3)
        torch.add(x, y, out=result)
        print(result)
        y.add_(x)
        print(y)
        print(x[:, 1])
        z = torch.ones(3, 3)
        z.copy_(torch.arange(9.).view(3, 3))
        z.t_()
        print(z)
    ''', {}),
    "004_numpy_bridge": ('''
        # EDIT: Converting torch Tensor to numpy Array (screenshot)
        a = torch.ones(5)
        print(a)
        b = a.numpy()
        print(b)
        a.add_(1)
        print(a)
        print(b)
        import numpy as np
        a = np.ones(5)
        b = torch.from_numpy(a)
        np.add(a, 1, out=a)
        print(a)
        print(b)
        torch.from_numpy(np.ones(3, dtype=np.int8)).numpy()
        print(torch.from_numpy(np.ones(3, dtype=np.int8)).type())
    ''', {}),
    "004_variable": ('''
        import torch
        from torch.autograd import Variable
        # Create a variable:
        x = Variable(torch.ones(2, 2), requires_grad=True)
        print(x)
        print(torch.ones(2,2))
        # EDIT: the screenshot's operations (60-minute blitz)
        y = x + 2
        print(y)
        print(y.grad_fn)
        z = y * y * 3
        out = z.mean()
        print(z, out)
        out.backward()
        #print gradients d(out)/dx
        print(x.grad)
        print(x.data, x.grad.data)
    ''', {}),
    "004_variable_creator": ('''
        from torch.autograd import Variable
        x = Variable(torch.ones(2, 2), requires_grad=True)
        y = x + 2
        y.creator
    ''', {}),
    "004_backward_with_gradient": ('''
        # EDIT: the screenshot's example (60-minute blitz)
        from torch.autograd import Variable
        x = torch.randn(3)
        x = Variable(x, requires_grad=True)
        y = x * 2
        while y.data.norm() < 1000:
            y = y * 2
        print(y)
        gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
        y.backward(gradients)
        print(x.grad)
        y2 = x * 2
        y2.backward()
    ''', {}),
    "004_net_parameters_forward": (_ind(BLITZ_NET) + '''
        params = list(net.parameters())
        print(len(params))
        print(params[0].size())    #cov1's .weight
        # --sync--
        input = Variable(torch.randn(1, 1, 32, 32))
        out = net(input)
        print(out)
        net.zero_grad()
        out.backward(torch.randn(1,10))
        print(input.grad)
        print(net.conv1.bias.grad)
    ''', {}),
    "004_loss_backprop_update": (_ind(BLITZ_NET) + '''
        # --sync--
        input = Variable(torch.randn(1, 1, 32, 32))
        output = net(input)
        target = Variable(torch.range(1, 10))  # a dummy target, for example
        criterion = nn.MSELoss()

        loss = criterion(output, target)
        print(loss)
        # EDIT: `.creator` / `.previous_functions` are now `.grad_fn` / `.next_functions`
        print(loss.grad_fn)  # MSELoss
        print(loss.grad_fn.next_functions[0][0])  # Linear

        net.zero_grad()
        print('conv1.bias.grad before backward')
        print(net.conv1.bias.grad)
        loss.backward()
        print(net.conv1.bias.grad)

        learning_rate = 0.01
        for f in net.parameters():
            f.data.sub_(f.grad.data * learning_rate)

        import torch.optim as optim

        # create your optimizer
        optimizer = optim.SGD(net.parameters(), lr=0.01)

        # in your training loop:
        optimizer.zero_grad()   # zero the gradient buffers
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()    # Does the update
        print(net.conv1.bias.data)
    ''', dict(warn=True)),
    "004_grad_fn_next_functions_of_linear": (_ind(BLITZ_NET) + '''
        input = Variable(torch.randn(1, 1, 32, 32))
        output = net(input)
        target = Variable(torch.range(1, 10))  # a dummy target, for example
        criterion = nn.MSELoss()
        loss = criterion(output, target)
        print(loss.grad_fn)  # MSELoss
        print(loss.grad_fn.next_functions[0][0])  # Linear
        print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU
        print(loss.grad_fn.next_functions[0][0].next_functions)
    ''', {}),
    "004_cifar_train_loss_data_0": (textwrap.dedent(CIFAR_NET) + textwrap.dedent(
        CIFAR_TRAIN.replace("LOSS_VALUE", "loss.data[0]")), {}),
    "004_cifar_train_and_test": (_ind(CIFAR_NET) + _ind('\n# --sync--\n') + _ind(
        CIFAR_TRAIN.replace("LOSS_VALUE", "loss.item()  # EDIT: was loss.data[0]")) + '''
        dataiter = iter(testloader)
        images, labels = next(dataiter)  # EDIT: was dataiter.next()

        print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]] for j in range(4)))

        outputs = net(Variable(images))
        _, predicted = torch.max(outputs.data, 1)

        print('Predicted: ', ' '.join('%5s' % classes[predicted[j]]  # EDIT: was predicted[j][0]
                                      for j in range(4)))

        correct = 0
        total = 0
        for data in testloader:
            images, labels = data
            outputs = net(Variable(images))
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum()

        print('Accuracy of the network on the 10000 test images: %d %%' % (
            100 * correct / total))

        class_correct = list(0. for i in range(10))
        class_total = list(0. for i in range(10))
        for data in testloader:
            images, labels = data
            outputs = net(Variable(images))
            _, predicted = torch.max(outputs.data, 1)
            c = (predicted == labels).squeeze()
            for i in range(4):
                label = labels[i]
                class_correct[label] += c[i]
                class_total[label] += 1


        for i in range(10):
            if class_total[i]:  # EDIT: 8 random test images do not cover every class
                print('Accuracy of %5s : %2d %%' % (
                    classes[i], 100 * class_correct[i] / class_total[i]))
        print(class_correct)
    ''', dict(tol=dict(rtol=1e-4, atol=1e-5))),
    "004_cifar_predicted_j_0": (_ind(CIFAR_NET) + '''
        # --sync--
        images, labels = next(iter(testloader))
        outputs = net(Variable(images))
        _, predicted = torch.max(outputs.data, 1)
        print(predicted.shape)
        print('Predicted: ', ' '.join('%5s' % classes[predicted[j][0]]
                                      for j in range(4)))
    ''', {}),
    "004_dataiter_next": (_ind(CIFAR_NET) + '''
        dataiter = iter(testloader)
        images, labels = dataiter.next()
    ''', {}),
}


# Snippets that end in an error (the learner's or the note's): the exception PyTorch raises.
EXPECTED_ERRORS = {
    "000_ordereddict_wrong_form": "ValueError",
    "001p1_mm_size_mismatch": "RuntimeError",
    "001p1_shapes_view_reshape_resize": "RuntimeError",
    "001p2_softmax_64_vector_error": "RuntimeError",
    "001p3_second_backward_error": "RuntimeError",
    "001p3_item_exact_sums": "RuntimeError",
    "001p3_item": "RuntimeError",
    "001p5_mean_of_bool_error": "RuntimeError",
    "001p5_bytetensor_casts": "RuntimeError",
    "001p6_load_state_dict_size_mismatch": "RuntimeError",
    "001p7_normalize_3_channels_on_1_channel_image": "RuntimeError",
    "001p7_collate_different_sizes": "RuntimeError",
    "002_mul_instead_of_mm": "RuntimeError",
    "004_variable_creator": "AttributeError",
    "004_backward_with_gradient": "RuntimeError",
    "004_cifar_train_loss_data_0": "IndexError",
    "004_cifar_predicted_j_0": "IndexError",
    "004_dataiter_next": "AttributeError",
}


def _params():
    for name, (_, opts) in SNIPPETS.items():
        marks = [pytest.mark.xfail(strict=True, reason=opts["xfail"])] if "xfail" in opts else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", _params())
def test_snippet(name, tmp_path):
    src, opts = SNIPPETS[name]
    src = opts.get("prelude", "") + textwrap.dedent(src)
    if opts.get("syntax_error"):
        # the learner's code as written: both libraries reject it the same way (Python's parser)
        with pytest.raises(SyntaxError):
            compile(src, name, "exec")
        return
    t, e = run_both(src, name, tmp_path)
    assert type(t.exc).__name__ == EXPECTED_ERRORS.get(name, "NoneType"), f"PyTorch's run: {t.exc!r}"
    kw = dict(skip=opts.get("skip", ()), no_values=opts.get("no_values", ()), tol=opts.get("tol"),
              warn=opts.get("warn", False), fuzzy=opts.get("fuzzy", False),
              msg_first_line=opts.get("exc_first_line", False))
    compare(t, e, **kw)


def test_normalize_three_channel_mean_on_gray_image():
    """Note 000/001 Part 7: Normalize((0.5,0.5,0.5), (0.5,0.5,0.5)) on a 1-channel (MNIST) image.

    torchvision is not installed beside PyTorch here; its normalize is ``tensor.sub_(mean).div_(std)``
    with mean viewed as (C, 1, 1), so PyTorch's error is the one of that in-place broadcast.
    """
    import torch
    from PIL import Image

    from ember.vision import transforms

    with pytest.raises(RuntimeError) as t_err:
        torch.zeros(1, 28, 28).sub_(torch.tensor((0.5, 0.5, 0.5)).view(-1, 1, 1))
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    image = Image.fromarray(np.zeros((28, 28), dtype=np.uint8))
    with pytest.raises(RuntimeError) as e_err:
        transform(image)
    assert str(e_err.value).startswith(str(t_err.value))
    # the fix the note uses: one value per channel
    gray = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])(image)
    assert tuple(gray.shape) == (1, 28, 28) and float(gray.min()) == -1.0 and float(gray.max()) == -1.0
