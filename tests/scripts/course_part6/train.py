"""Udacity's Part 6 (Saving and Loading Models) as a plain PyTorch script, with fc_model.py beside it.

    python train.py DATA_ROOT OUT_DIR
"""
import os
import sys

import torch
from torch import nn
from torch import optim
import torch.nn.functional as F
from torchvision import datasets, transforms

import fc_model


def load_checkpoint(filepath):
    checkpoint = torch.load(filepath)
    model = fc_model.Network(checkpoint['input_size'],
                             checkpoint['output_size'],
                             checkpoint['hidden_layers'])
    model.load_state_dict(checkpoint['state_dict'])

    return model


if __name__ == "__main__":
    print("argv:", sys.argv[1:])
    print("file:", os.path.basename(__file__), "dir:", os.path.basename(os.path.dirname(os.path.abspath(__file__))))
    data_root, out = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)

    # Define a transform to normalize the data
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.5,), (0.5,))])
    # Download and load the training data
    trainset = datasets.FashionMNIST(data_root, download=True, train=True, transform=transform)
    trainset = torch.utils.data.Subset(trainset, range(0, 60000, 60))
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)

    # Download and load the test data
    testset = datasets.FashionMNIST(data_root, download=True, train=False, transform=transform)
    testset = torch.utils.data.Subset(testset, range(0, 10000, 20))
    testloader = torch.utils.data.DataLoader(testset, batch_size=64, shuffle=True)

    image, label = next(iter(trainloader))
    print("batch:", tuple(image.shape), label.dtype)

    # Create the network, define the criterion and optimizer
    model = fc_model.Network(784, 10, [512, 256, 128])
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)

    fc_model.train(model, trainloader, testloader, criterion, optimizer, epochs=2, print_every=16)

    print("Our model: \n\n", model, '\n')
    print("The state dict keys: \n\n", model.state_dict().keys())

    torch.save(model.state_dict(), os.path.join(out, 'checkpoint.pth'))
    state_dict = torch.load(os.path.join(out, 'checkpoint.pth'))
    print(state_dict.keys())
    print(model.load_state_dict(state_dict))

    # Try this
    model = fc_model.Network(784, 10, [400, 200, 100])
    # This will throw an error because the tensor sizes are wrong!
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as e:
        print("RuntimeError:", str(e).splitlines()[0])

    model = fc_model.Network(784, 10, [512, 256, 128])
    model.load_state_dict(state_dict)
    checkpoint = {'input_size': 784,
                  'output_size': 10,
                  'hidden_layers': [each.out_features for each in model.hidden_layers],
                  'state_dict': model.state_dict()}

    torch.save(checkpoint, os.path.join(out, 'checkpoint.pth'))
    model = load_checkpoint(os.path.join(out, 'checkpoint.pth'))
    print(model)

    model.eval()
    with torch.no_grad():
        test_loss, accuracy = fc_model.validation(model, testloader, criterion)
    print("Final accuracy: {:.3f}".format(accuracy / len(testloader)))
